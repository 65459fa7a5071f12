"""The command line: exit codes 0/1/2, the JSON contract, one line per configuration error."""

from __future__ import annotations

import json

from .conftest import ROOT, SEEDS, run_cli


def test_seeds_json_contract(seeds_result):
    data = seeds_result
    assert data["schema_version"] == 1 and data["tool"]["name"] == "seedcheck"
    assert set(data["summary"]) >= {"documents", "findings", "by_severity", "by_rule", "new", "baselined", "passed"}
    assert data["summary"]["documents"] == 5
    assert len(data["documents"]) == 5
    for doc in data["documents"]:
        assert doc["status"] in ("error", "warning", "ok")
        assert set(doc["record"]) >= {
            "doc_id",
            "path",
            "format",
            "sha256",
            "encoding",
            "title",
            "date",
            "date_source",
            "published_time",
            "source_url",
            "source_domain",
            "canonical_url",
            "tags",
            "language",
            "word_count",
            "line_count",
            "people",
        }
    keys = {
        "rule",
        "severity",
        "doc_id",
        "path",
        "line",
        "column",
        "end_line",
        "message",
        "excerpt",
        "fix",
        "related",
        "fingerprint",
        "baselined",
    }
    for finding in data["findings"]:
        assert set(finding) >= keys
    order = [(f["path"], f["line"] or 0) for f in data["findings"]]
    assert order == sorted(order)
    assert sum(data["summary"]["by_severity"].values()) == data["summary"]["findings"] == len(data["findings"])


def test_reports_are_deterministic(tmp_path):
    outs = []
    for n in range(2):
        out = tmp_path / f"r{n}"
        run_cli("check", str(SEEDS), "--report-dir", str(out), "-q", "--jobs", str(n + 1))
        outs.append((out / "findings.json").read_bytes())
    assert outs[0] == outs[1]


def test_exit_codes(tmp_path):
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "ok.txt").write_text(
        "Title: Fine\nDate: 2021-01-02\nSource: https://www.whitehouse.gov/briefing-room/x/\n\n"
        + "The two leaders met today and agreed to work together on migration, trade, climate and security "
        "for the good of both countries and the region as a whole, and to meet again soon.\n"
    )
    assert run_cli("check", str(clean), "--no-reports").returncode == 0
    assert run_cli("check", str(SEEDS), "--no-reports", "-q", "--no-baseline").returncode == 1
    assert run_cli("check", str(SEEDS), "--no-reports", "-q", "--no-baseline", "--fail-on", "never").returncode == 0


def test_this_repository_gates_on_its_own_baseline(tmp_path):
    """`make check` is green on main: the seeds' findings are in seedcheck-baseline.json,
    still reported (marked baselined), and anything new fails."""
    proc = run_cli("check", "--report-dir", str(tmp_path / "out"), "-q")
    assert proc.returncode == 0, proc.stdout
    data = json.loads((tmp_path / "out" / "findings.json").read_text())
    assert data["findings"] and all(f["baselined"] for f in data["findings"])
    assert data["summary"]["baselined"] == len(data["findings"]) and data["summary"]["passed"]
    assert "(baselined)" in proc.stdout


def test_bad_inputs_are_findings_not_crashes(tmp_path):
    corpus = tmp_path / "bad"
    corpus.mkdir()
    (corpus / "binary.bin").write_bytes(bytes(range(256)) * 4)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "frontmatter.md").write_text("---\ntitle: [oops\n---\nBody.\n")
    (corpus / "latin1.txt").write_bytes("Título: López Obrador habló hoy.\n".encode("latin-1"))
    proc = run_cli("check", str(corpus), "--report-dir", str(tmp_path / "out"), "-q")
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads((tmp_path / "out" / "findings.json").read_text())
    assert data["summary"]["documents"] == 4
    by_doc = {}
    for f in data["findings"]:
        by_doc.setdefault(f["doc_id"], set()).add(f["rule"])
    assert "unreadable-document" in by_doc["binary.bin"]
    assert "empty-body" in by_doc["empty.txt"]
    assert "invalid-frontmatter" in by_doc["frontmatter.md"]
    assert "encoding-not-utf8" in by_doc["latin1.txt"]


def test_configuration_errors_exit_2_with_one_line(tmp_path):
    for args in (["--select", "no-such-rule"], ["--ignore", "bogus"], ["--format", "yaml"]):
        proc = run_cli("check", str(SEEDS), "--no-reports", *args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    proc = run_cli("check", str(tmp_path / "does-not-exist"), "--no-reports")
    assert proc.returncode == 2 and "not found" in proc.stderr
    bad = tmp_path / "pyproject.toml"
    bad.write_text("[tool.seedcheck]\nunknown-key = 1\n")
    proc = run_cli("check", str(SEEDS), "--config", str(bad), "--no-reports")
    assert proc.returncode == 2 and "unknown key" in proc.stderr


def test_bad_regex_in_a_rule_file_is_exit_2(tmp_path):
    import shutil

    checks = tmp_path / "checks"
    shutil.copytree(ROOT / "checks", checks)
    (checks / "rules" / "text" / "broken-regex.yaml").write_text(
        "id: SC999\nname: broken-regex\nseverity: warning\nkind: pattern\nparams: {patterns: ['(unclosed']}\n"
        "message: x\ndocs: {what: x, why: y, fix: z}\n"
    )
    cfg = tmp_path / "pyproject.toml"
    cfg.write_text(f"[tool.seedcheck]\nchecks-dir = '{checks}'\nschemas-dir = '{ROOT / 'schemas'}'\n")
    proc = run_cli("check", str(SEEDS), "--config", str(cfg), "--no-reports")
    assert proc.returncode == 2 and "bad regular expression" in proc.stderr


def test_rules_command_lists_and_explains():
    proc = run_cli("rules")
    assert proc.returncode == 0 and "missing-date" in proc.stdout
    proc = run_cli("rules", "missing-date")
    assert proc.returncode == 0 and "Why:" in proc.stdout and "Example that fails" in proc.stdout
    assert run_cli("rules", "nope").returncode == 2
