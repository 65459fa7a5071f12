"""Start-up: what the light commands import, and the reuse of whole-table results (the record
schema, the corpus expectations) by a re-run whose records table is unchanged. No timing
here (bench/startup.py measures it): these tests check what runs, not how fast."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SEEDS

HEAVY = (
    "pandas",
    "pyarrow",
    "pandera",
    "great_expectations",
    "rapidfuzz",
    "datasketch",
    "jinja2",
    "numpy",
    "py3langid",
    "scipy",
    "pyspark",
    "seedcheck.pipeline",
)
PROBE = """
import atexit, sys
HEAVY = {heavy!r}
def report():
    print("IMPORTED", sorted(h for h in HEAVY if h in sys.modules), file=sys.stderr)
atexit.register(report)
from seedcheck.cli import main
main(sys.argv[1:], prog_name="seedcheck")
"""


def _probe(tmp_path: Path, *args: str, env: dict | None = None) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run the CLI in a subprocess; return it and the heavy modules it had imported at exit."""
    # A script file, not `python -c`: under -c an installed pyspark (pulled in by pandera) exits early.
    script = tmp_path / "probe.py"
    script.write_text(PROBE.format(heavy=HEAVY), encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if k != "SEEDCHECK_NO_CACHE"}  # conftest turns it off
    proc = subprocess.run(
        [sys.executable, str(script), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**environment, **(env or {})},
        check=False,
    )
    line = next(ln for ln in proc.stderr.splitlines() if ln.startswith("IMPORTED"))
    return proc, eval(line.removeprefix("IMPORTED "))


@pytest.mark.parametrize(
    "args", [("rules",), ("rules", "missing-date"), ("--help",), ("--version",), ("check", "--help")]
)
def test_light_commands_import_nothing_heavy(tmp_path, args):
    proc, imported = _probe(tmp_path, *args)
    assert proc.returncode == 0, proc.stderr
    assert imported == []


def _check(tmp_path: Path, corpus: Path, out: str, *extra: str) -> tuple[bytes, list[str], int | None]:
    """findings.json, the heavy modules imported here (GX may run in the worker process)
    and how many stored results the run reused (None: no cache)."""
    timings = tmp_path / f"{out}.timings.json"
    proc, imported = _probe(
        tmp_path,
        "check",
        str(corpus),
        "--report-dir",
        str(tmp_path / out),
        "--reports",
        "json",
        "-q",
        "--fail-on",
        "never",
        *extra,
        env={"SEEDCHECK_CACHE_DIR": str(tmp_path / "cache"), "SEEDCHECK_TIMINGS": str(timings)},
    )
    assert proc.returncode == 0, proc.stderr
    reused = json.loads(timings.read_text(encoding="utf-8")).get("reused_results")
    return (tmp_path / out / "findings.json").read_bytes(), imported, reused


def test_an_unchanged_table_reuses_the_stored_results_byte_identically(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    plain, _, reused = _check(tmp_path, corpus, "plain", "--no-cache")
    assert reused is None  # --no-cache: nothing read or stored
    first, imported, reused = _check(tmp_path, corpus, "first")
    assert reused == 0 and "pandera" in imported  # nothing stored yet
    again, imported, reused = _check(tmp_path, corpus, "again")
    assert reused == 2  # the schema failures and the expectation outcomes
    assert not {"great_expectations", "pandera", "pandas"} & set(imported)
    assert plain == first == again
    assert b'"expectations": [' in again and b'"expectation-failed"' in again and b'"success": false' in again


def test_a_changed_table_is_validated_again(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    _check(tmp_path, corpus, "first")
    doc = min(corpus.glob("*.txt"))
    doc.write_text(
        doc.read_text(encoding="utf-8") + "\nOne more sentence, so the word count changes.\n", encoding="utf-8"
    )
    again, imported, reused = _check(tmp_path, corpus, "again")
    assert reused == 0 and "pandera" in imported
    plain, _, _ = _check(tmp_path, corpus, "plain", "--no-cache")
    assert again == plain


def test_a_changed_threshold_is_validated_again(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    project = tmp_path / "pyproject.toml"
    project.write_text("[tool.seedcheck]\n", encoding="utf-8")
    first, _, _ = _check(tmp_path, corpus, "first", "--config", str(project))
    project.write_text("[tool.seedcheck.expectations.date-coverage]\nmostly = 0.1\n", encoding="utf-8")
    again, _, reused = _check(tmp_path, corpus, "again", "--config", str(project))
    assert reused == 0  # a new configuration is a new cache file: nothing is reused
    plain, _, _ = _check(tmp_path, corpus, "plain", "--config", str(project), "--no-cache")
    assert again == plain != first


def test_data_docs_are_always_built_by_great_expectations(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    _check(tmp_path, corpus, "first")
    _, _, reused = _check(tmp_path, corpus, "again", "--gx-data-docs", str(tmp_path / "docs"))
    assert reused == 1  # the schema's; GX validates again to write its Data Docs
    assert (tmp_path / "docs" / "index.html").is_file()


def test_yaml_files_parse_the_same_with_libyaml():
    import yaml

    from seedcheck.yamlio import safe_load

    files = sorted((ROOT / "checks").rglob("*.yaml")) + sorted((ROOT / "schemas").glob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert safe_load(text) == yaml.safe_load(text), path
    broken = "a: {b: [c\n"
    with pytest.raises(yaml.YAMLError) as expected:
        yaml.safe_load(broken)
    with pytest.raises(yaml.YAMLError) as got:
        safe_load(broken)
    assert str(got.value) == str(expected.value)  # the pure-Python parser's message, as before


def test_the_stored_outcomes_are_keyed_by_the_suite_and_the_columns_it_reads(tmp_path):
    import sqlite3

    from seedcheck.cache import Results
    from seedcheck.config import Config, apply
    from seedcheck.expectations import load_suite
    from seedcheck.gx_worker import GxRunner
    from seedcheck.pipeline import run

    sqlite3.connect(tmp_path / "c.sqlite").close()
    config = Config(root=ROOT)
    records = [d["record"] for d in run(config, [str(SEEDS)], jobs=1).documents]
    suite = load_suite(config)
    looser = load_suite(apply(Config(root=ROOT), {"expectations": {"date-coverage": {"mostly": 0.1}}}, where="test"))

    def validate(suite, records):
        with GxRunner(config, start=False) as gx:
            gx.results = Results(tmp_path / "c.sqlite")
            outcomes = gx.validate(suite, records, None)
            return [
                (o.spec.name, o.success, o.observed_value, o.unexpected_doc_ids) for o in outcomes
            ], gx.results.reused

    first, reused = validate(suite, records)
    assert reused == []
    assert validate(suite, records) == (first, ["expectations"])
    loose, reused = validate(looser, records)
    assert reused == [] and loose != first  # another threshold: validated again
    # A field no expectation reads does not matter; one it reads does.
    unread = [{**r, "title": "another title"} for r in records]
    assert validate(suite, unread) == (first, ["expectations"])
    dated = [{**r, "date": "2024-01-01"} for r in records]
    outcomes, reused = validate(suite, dated)
    assert reused == [] and outcomes != first


CODE_READS = """
import json, sys
from pathlib import Path
from seedcheck.config import Config
from seedcheck.pipeline import run
from seedcheck.rules import fields
parsed = []
read = fields._parse
fields._parse = lambda path: parsed.append(path) or read(path)
result = run(Config(root=Path(sys.argv[1])), [sys.argv[2]], jobs=1, cache=True)
print(json.dumps({"parsed": len(parsed), "findings": sorted(f.fingerprint for f in result.findings)}))
"""


def test_a_rerun_takes_the_rules_code_analysis_from_the_cache(tmp_path):
    """Loading the rules reads seedcheck's code to check their messages (rules/fields.py);
    the first cached run keeps what it found, the next reads no source file at all, and a
    run without the cache reads the code again. Findings are the same each time."""
    script = tmp_path / "reads.py"
    script.write_text(CODE_READS, encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if k != "SEEDCHECK_NO_CACHE"}

    def run(**env):
        proc = subprocess.run(
            [sys.executable, str(script), str(ROOT), str(SEEDS)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env={**environment, "SEEDCHECK_CACHE_DIR": str(tmp_path / "cache"), **env},
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout.splitlines()[-1])

    first, again, uncached = run(), run(), run(SEEDCHECK_NO_CACHE="1")
    assert first["parsed"] > 10
    assert again["parsed"] == 0
    assert uncached["parsed"] == first["parsed"]
    assert first["findings"] == again["findings"] == uncached["findings"]
