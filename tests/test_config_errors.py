"""Configuration errors: exit code 2 and exactly one clear line on stderr, never a traceback.

Covers what `tests/test_cli.py` does not: broken rule files in `checks/` (bad YAML, wrong
shape, unknown kind, duplicate names, bad regex via a rule override), broken data files,
broken configuration files, and paths that cannot be read or written. Runs the CLI in
process (click's runner) for speed; one case runs as a real subprocess.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from seedcheck.cli import main

from .conftest import ROOT, SEEDS, run_cli


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=True)
    return result


def assert_one_line_exit_2(result, *needles: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output, repr(result.exception))
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of checks/ and schemas/ with a configuration pointing at them."""
    shutil.copytree(ROOT / "checks", tmp_path / "checks")
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.seedcheck]\nchecks-dir = 'checks'\nschemas-dir = 'schemas'\n", encoding="utf-8"
    )
    return tmp_path


def check(project: Path, *extra: str):
    return invoke("check", str(SEEDS), "--config", str(project / "pyproject.toml"), "--no-reports", "-q", *extra)


def a_rule_file(project: Path) -> Path:
    return min((project / "checks" / "rules").rglob("*.yaml"))


def test_the_copied_project_is_valid(project):
    # Guards every test below: the failures must come from the one thing each test breaks.
    assert check(project, "--fail-on", "never").exit_code == 0


@pytest.mark.parametrize(
    "text, needle",
    [
        ("id: SC1\nname: [unclosed\n", "cannot load rule file"),
        ("id: SC1\n\tname: tabs are not YAML indentation\n", "cannot load rule file"),
        ("- a list\n- not a mapping\n", "must be a YAML mapping"),
        ("", "must be a YAML mapping"),
        ("id: SC1\nname: x\n", "missing key"),
        ("!!python/object/apply:os.system ['echo pwned']\n", "cannot load rule file"),
        ("a: &a [*a, *a]\n", "missing key"),  # a recursive alias still loads as a mapping
    ],
)
def test_bad_yaml_in_a_rule_file(project, text, needle):
    target = a_rule_file(project)
    target.write_text(text, encoding="utf-8")
    line = assert_one_line_exit_2(check(project), needle)
    assert target.name in line


def test_rule_file_not_utf8(project):
    target = a_rule_file(project)
    target.write_bytes(b"id: SC1\nname: caf\xe9\n")
    assert_one_line_exit_2(check(project), "cannot load rule file", target.name)


def test_unknown_kind(project):
    target = a_rule_file(project)
    text = target.read_text(encoding="utf-8")
    import re

    target.write_text(re.sub(r"(?m)^kind:.*$", "kind: telepathy", text), encoding="utf-8")
    assert_one_line_exit_2(check(project), "unknown kind 'telepathy'")


def test_duplicate_rule_name(project):
    target = a_rule_file(project)
    other = target.parent.parent / "extra" / target.name
    other.parent.mkdir()
    shutil.copy(target, other)
    assert_one_line_exit_2(check(project), "already defined")


def test_unknown_parameter_in_a_rule_file(project):
    target = a_rule_file(project)
    target.write_text(
        target.read_text(encoding="utf-8").replace("\nparams:", "\nparams:\n  no_such_param: 1", 1)
        if "\nparams:" in target.read_text(encoding="utf-8")
        else target.read_text(encoding="utf-8") + "params: {no_such_param: 1}\n",
        encoding="utf-8",
    )
    assert_one_line_exit_2(check(project), "unknown parameter")


def test_bad_regex_given_as_a_rule_override(project):
    """A `patterns` override in the configuration is compiled (and refused) like the file's own."""
    rules_dir = project / "checks" / "rules" / "text"
    (rules_dir / "probe-pattern.yaml").write_text(
        "id: SC998\nname: probe-pattern\nseverity: warning\nkind: pattern\nparams: {patterns: ['fine']}\n"
        "message: x\ndocs: {what: x, why: y, fix: z}\n",
        encoding="utf-8",
    )
    cfg = project / "pyproject.toml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8") + "\n[tool.seedcheck.rules.probe-pattern]\npatterns = ['(?<=a+)b']\n",
        encoding="utf-8",
    )
    assert_one_line_exit_2(check(project), "bad regular expression")


@pytest.mark.parametrize(
    "setting, needle",
    [
        ("select = ['no-such-rule']", "unknown rule"),
        ("ignore = ['no-such-rule']", "unknown rule"),
        ("[tool.seedcheck.severity]\nno-such-rule = 'error'", "unknown rule"),
        ("[tool.seedcheck.severity]\nmissing-date = 'catastrophic'", "severity"),
        ("[tool.seedcheck.rules.no-such-rule]\nx = 1", "unknown rule"),
        ("[tool.seedcheck.per-file-ignores]\n'*.md' = ['no-such-rule']", "unknown rule"),
        ("fail-on = 'sometimes'", "fail-on"),
        ("jobs = 'many'", "jobs"),
        ("no-such-key = 1", "unknown key"),
        ("fail_on = 'error'", "unknown key 'fail_on' in [tool.seedcheck] (did you mean 'fail-on'?)"),
        ("[tool.seedcheck.jsonl]\nbody = ['article']", "unknown key 'body' in [tool.seedcheck.jsonl]"),
        (
            "[tool.seedcheck.jsonl]\ntitel = 'headline'",
            "unknown key 'titel' in [tool.seedcheck.jsonl] (did you mean 'title'?)",
        ),
        ("[tool.seedcheck.jsonl]\ntext = 3", "jsonl.text must be a field name"),
        ("[tool.seedcheck.jsonl]\ndate = []", "jsonl.date must be a field name"),
    ],
)
def test_bad_configuration_values(project, setting, needle):
    cfg = project / "pyproject.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + setting + "\n", encoding="utf-8")
    assert_one_line_exit_2(check(project), needle)


def test_bad_yaml_in_a_data_file(project):
    data = project / "checks" / "data" / "trusted-sources.yaml"
    assert data.exists(), "the project copy must carry checks/data/trusted-sources.yaml"
    data.write_text("domains: [unclosed\n", encoding="utf-8")
    assert_one_line_exit_2(check(project), "trusted-sources.yaml")


def test_configuration_files_that_cannot_be_read(tmp_path):
    assert_one_line_exit_2(invoke("check", str(SEEDS), "--config", str(tmp_path / "nope.toml")), "not found")
    assert_one_line_exit_2(invoke("check", str(SEEDS), "--config", str(tmp_path)), "not found")  # a directory
    bad = tmp_path / "bad.toml"
    bad.write_text("[tool.seedcheck\npaths = ", encoding="utf-8")
    assert_one_line_exit_2(invoke("check", str(SEEDS), "--config", str(bad)), "invalid TOML")
    latin = tmp_path / "pyproject.toml"
    latin.write_bytes(b"[tool.seedcheck]\nreport-dir = 'caf\xe9'\n")
    assert_one_line_exit_2(invoke("check", str(SEEDS), "--config", str(latin)), "cannot read")


def test_missing_checks_directory(tmp_path):
    cfg = tmp_path / "pyproject.toml"
    cfg.write_text("[tool.seedcheck]\nchecks-dir = 'nowhere'\n", encoding="utf-8")
    assert_one_line_exit_2(invoke("check", str(SEEDS), "--config", str(cfg), "--no-reports"), "no rules directory")


def test_paths_that_cannot_be_read_or_written(tmp_path):
    assert_one_line_exit_2(invoke("check", str(tmp_path / "missing"), "--no-reports"), "not found")
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    # The report directory is a file: nothing can be written there.
    assert_one_line_exit_2(
        invoke("check", str(SEEDS), "--report-dir", str(blocker / "reports"), "-q", "--fail-on", "never")
    )
    assert not list(tmp_path.glob("**/*.tmp")) and not list(tmp_path.glob("**/.*.tmp"))


def test_broken_rule_file_through_a_real_process(project):
    a_rule_file(project).write_text("id: [unclosed\n", encoding="utf-8")
    proc = run_cli("check", str(SEEDS), "--config", str(project / "pyproject.toml"), "--no-reports")
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "cannot load rule file" in proc.stderr
