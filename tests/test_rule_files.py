"""One place per rule: codes, messages and placeholders live in the rule file and are
checked at load; the scaffold writes a rule that passes its own examples."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from seedcheck.cli import main
from seedcheck.config import Config, ConfigError
from seedcheck.rules.examples import run_example
from seedcheck.rules.registry import Registry, load_specs
from seedcheck.rules.scaffold import ScaffoldError, next_code, scaffold

from .conftest import ROOT

SPECS = load_specs(Config(root=ROOT).checks_path)


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_every_rule_code_resolves(spec):
    """`seedcheck rules CODE` explains the rule that names that code."""
    assert re.fullmatch(r"SC\d{3}", spec.id), f"{spec.name}: code {spec.id!r} is not SCnnn"
    result = CliRunner().invoke(main, ["rules", spec.id])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith(f"{spec.name} ({spec.id}) — ")


def test_codes_are_unique_and_a_category_shares_its_hundreds():
    assert len({s.id for s in SPECS}) == len(SPECS)
    for category in {s.category for s in SPECS}:
        hundreds = {s.id[2] for s in SPECS if s.category == category}
        assert len(hundreds) <= 2, f"{category}: codes spread over SC{sorted(hundreds)}xx"


def _project(tmp_path):
    """A copy of the repository's checks/ whose rule files a test may break."""
    shutil.copytree(ROOT / "checks", tmp_path / "checks")
    return Config(root=tmp_path)


def _edit(config, name, old, new):
    path = next(config.checks_path.rglob(f"{name}.yaml"))
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    "name,old,new,needle",
    [
        ("mojibake", "near “{sample}”", "near “{sampel}”", "{sampel}"),  # a detector's values
        ("broken-sentence", "mid-clause: {what}", "mid-clause: {wat}", "messages.split names {wat}"),
        ("short-body", "fewer than {value}", "fewer than {valeu}", "{valeu}"),  # parameters count too
        ("duplicate-url", "({url})", "({link})", "{link}"),  # a corpus analyzer's values
        ("empty-body", "the document has no text", "no text ({words})", "{words}"),  # kind record: {actual}
        ("invalid-date", "{problem}", "{problme}", "{problme}"),  # builtin: its stage's values
        ("markup-html", "({what})", "({what)", "bad message template"),
    ],
)
def test_a_misspelt_placeholder_is_a_load_error(tmp_path, name, old, new, needle):
    config = _project(tmp_path)
    _edit(config, name, old, new)
    with pytest.raises(ConfigError, match=re.escape(needle)):
        Registry.load(config)


def test_a_parameter_the_detector_reads_must_be_given(tmp_path):
    """language-mismatch's defaults live only in its rule file: without them it cannot load."""
    config = _project(tmp_path)
    _edit(config, "language-mismatch", "min_confidence: 0.9", "# removed:")
    with pytest.raises(ConfigError, match="reads parameter.s. min_confidence"):
        Registry.load(config)


def test_a_parameter_the_analyzer_reads_must_be_given(tmp_path):
    """duplicate-near's defaults live only in its rule file: without one it cannot load."""
    config = _project(tmp_path)
    _edit(config, "duplicate-near", "numbers: 0.95", "# removed:")
    with pytest.raises(ConfigError, match="analyzer reads parameter.s. numbers"):
        Registry.load(config)


def test_a_parameter_given_only_in_the_rule_file_can_be_overridden(tmp_path):
    config = Config(root=ROOT)
    config.rules = {"language-mismatch": {"min_words": 7}, "glued-words": {"no_such": 1}}
    with pytest.raises(ConfigError, match="unknown parameter"):
        Registry.load(config)
    config.rules = {"language-mismatch": {"min_words": 7}}
    assert Registry.load(config).get("language-mismatch").params["min_words"] == 7


def test_a_variant_the_code_names_must_be_worded(tmp_path):
    config = _project(tmp_path)
    _edit(config, "markup-markdown", "  end-mark: ", "  end-mark-typo: ")
    with pytest.raises(ConfigError, match="end-mark"):
        Registry.load(config)


def test_the_repository_rules_load():
    assert len(Registry.load(Config(root=ROOT)).rules) == len(SPECS)


def test_detector_messages_are_worded_in_rule_files():
    """No detector words a message itself: `Hit(message=...)` would bypass the rule file."""
    folder = ROOT / "src" / "seedcheck" / "rules" / "detectors"
    bypass = []
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Hit":
                bypass += [f"{path.name}:{node.lineno}" for kw in node.keywords if kw.arg == "message"]
    assert not bypass, f"Hit(message=...) in detectors: {bypass}; add a `messages:` variant to the rule file"


@pytest.mark.parametrize(
    "variant_text",
    [
        (
            "The minister said the plan was ready\ufffd and would be published.\n",
            "mojibake",
            "replacement character U+FFFD: the original characters were lost in decoding",
        ),
        (
            "They met to combat corruption. and improve the economy of the region.\n",
            "broken-sentence",
            "sentence split mid-clause: “corruption. and”",
        ),
        (
            "The leaders met today.\n\n\\###\n",
            "markup-markdown",
            "escaped end mark '\\###': a markdown escape left in the text",
        ),
    ],
)
def test_variant_messages_come_from_the_rule_file(tmp_path, variant_text):
    text, name, message = variant_text
    spec = next(s for s in SPECS if s.name == name)
    words = message.split(":")[0]
    code = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "src" / "seedcheck").rglob("*.py"))
    assert words + ":" not in code and any(t.startswith(words.split("'")[0]) for t in spec.messages.values())
    assert run_example(spec, {"fail": text, "message": message}, tmp_path, ROOT).ok


@pytest.mark.parametrize("kind", ["pattern", "lexicon"])
def test_scaffold_writes_a_rule_that_passes_its_examples(tmp_path, kind):
    shutil.copytree(ROOT / "checks", tmp_path / "checks")
    written = scaffold(tmp_path, "stray-caption", "text", kind)
    assert [p.name for p in written] == ["stray-caption.yaml"]
    spec = next(s for s in load_specs(tmp_path / "checks") if s.name == "stray-caption")
    assert spec.kind == kind and spec.id == next_code(ROOT / "checks" / "rules", "text")
    for index, example in enumerate(spec.examples):
        outcome = run_example(spec, example, tmp_path / f"run{index}", tmp_path)
        assert outcome.ok, outcome.detail
    with pytest.raises(ScaffoldError, match="already exists"):
        scaffold(tmp_path, "stray-caption", "text", kind)


def test_scaffold_next_code():
    rules = ROOT / "checks" / "rules"
    taken = {s.id for s in SPECS}
    text = next_code(rules, "text")
    assert text.startswith("SC5") and text not in taken
    fresh = next_code(rules, "a-new-category")
    assert fresh[2] not in {s.id[2] for s in SPECS}


def test_scaffold_detector_stub_runs(tmp_path):
    """A detector rule: the stub module is registered and the rule runs from the command line."""
    shutil.copytree(ROOT / "checks", tmp_path / "checks")
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    shutil.copytree(
        ROOT / "src" / "seedcheck", tmp_path / "src" / "seedcheck", ignore=shutil.ignore_patterns("__pycache__")
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "seedcheck.rules.scaffold",
            "stray-caption",
            "--category",
            "text",
            "--kind",
            "detector",
            "--root",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "src" / "seedcheck" / "rules" / "detectors" / "stray_caption.py").is_file()
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("Title: A\n\nThis line says REPLACE-ME.\n", encoding="utf-8")
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "seedcheck.cli",
            "check",
            str(tmp_path / "corpus"),
            "--select",
            "stray-caption",
            "--no-cache",
            "--no-reports",
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert '"rule": "stray-caption"' in checked.stdout and "(REPLACE-ME)" in checked.stdout
    refused = subprocess.run(
        [sys.executable, "-m", "seedcheck.rules.scaffold", "Bad Name", "--category", "text"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert refused.returncode == 2 and "kebab-case" in refused.stderr
