"""findings.parquet and documents.parquet hold what findings.json holds, in batches;
--reports picks the report files."""

from __future__ import annotations

import gzip
import json

import pyarrow.parquet as pq

from seedcheck.report import findings_json, report_formats, tables, write_reports
from tests.conftest import run_cli, run_rules


def corpus(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    rows = [
        {"id": f"r{i}", "text": f"Line one.\nA <b>bold</b> claim number {i}.", "date": f"2021-03-0{1 + i % 5}"}
        for i in range(7)
    ]
    (folder / "s.jsonl.gz").write_bytes(gzip.compress(("\n".join(map(json.dumps, rows)) + "\n").encode()))
    (folder / "a.md").write_text("---\ntitle: T\n---\nA <i>body</i> here.\n")
    return folder


def test_parquet_tables_match_findings_json(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "BATCH_ROWS", 3)  # several row groups: written batch by batch
    result = run_rules([corpus(tmp_path)], "markup-html,missing-source-url")
    written = write_reports(result, tmp_path / "out", report_formats(["parquet"]))
    assert sorted(p.name for p in written) == ["documents.parquet", "findings.parquet"]
    findings = pq.ParquetFile(tmp_path / "out" / "findings.parquet")
    assert findings.metadata.num_row_groups > 1 and findings.schema_arrow.names == [
        c for c, _ in tables.FINDING_COLUMNS
    ]
    expected = json.loads(findings_json.render(result))
    got = findings.read().to_pylist()
    assert [(r["rule"], r["doc_id"], r["line"], r["message"], r["fingerprint"]) for r in got] == [
        (f["rule"], f["doc_id"], f["line"], f["message"], f["fingerprint"]) for f in expected["findings"]
    ]
    shard = next(r for r in got if r["doc_id"] == "s.jsonl.gz#r3" and r["rule"] == "markup-html")
    assert (shard["line"], shard["record_line"], shard["record_row"], shard["record_id"]) == (2, 4, None, "r3")
    docs = pq.read_table(tmp_path / "out" / "documents.parquet").to_pylist()
    assert [d["doc_id"] for d in docs] == [d["doc_id"] for d in expected["documents"]]
    assert docs[0]["doc_id"] == "a.md" and docs[0]["jsonl_line"] is None and docs[1]["jsonl_line"] == 1
    assert isinstance(docs[1]["word_count"], int) and isinstance(docs[1]["mean_word_length"], float)


def test_reports_option_picks_the_files(tmp_path):
    folder = corpus(tmp_path)
    proc = run_cli(
        "check",
        str(folder),
        "--report-dir",
        str(tmp_path / "r1"),
        "--reports",
        "json,findings.parquet",
        "-q",
        "--fail-on",
        "never",
    )
    assert proc.returncode == 0, proc.stderr
    written = sorted(p.name for p in (tmp_path / "r1").iterdir() if p.name != ".gitignore")  # keeps reports out of git
    assert written == ["findings.json", "findings.parquet"]
    proc = run_cli(
        "check", str(folder), "--report-dir", str(tmp_path / "r2"), "--reports", "none", "-q", "--fail-on", "never"
    )
    assert proc.returncode == 0 and not (tmp_path / "r2").exists()
    proc = run_cli("check", str(folder), "--reports", "jsn", "-q")
    assert proc.returncode == 2 and "--reports: unknown report 'jsn'" in proc.stderr
    proc = run_cli("check", str(folder), "--format", "findings-parquet", "-q", "--no-reports")
    assert proc.returncode == 2 and "--format" in proc.stderr


def test_default_reports_are_the_spec_set():
    assert [f for f in report_formats(["default"])] == ["json", "html", "junit", "sarif", "markdown"]
    assert "findings-parquet" in report_formats(["all"]) and report_formats(["none"]) == []
