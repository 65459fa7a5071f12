"""A record of a shard is located as `file:record` in every writer: SARIF and GitHub point
at the record's line of the JSONL file, not at the line inside the record's text."""

from __future__ import annotations

import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from seedcheck.report import findings_json, github, junit, markdown, sarif, text
from seedcheck.report.html import Embedded
from tests.conftest import run_rules

RECORD = {
    "id": "r7",
    "text": "First line is fine.\nSecond <b>bold</b> line.",
    "date": "2021-03-01",
    "url": "https://www.state.gov/r/7",
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("loc")
    lines = [json.dumps({"id": "ok", "text": "Clean."}), "", json.dumps(RECORD)]
    (folder / "shard.jsonl.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    pq.write_table(pa.Table.from_pylist([{"id": "ok", "text": "Clean."}, RECORD]), folder / "shard.parquet")
    return (run_rules([folder / "shard.jsonl.gz"], "markup-html"), run_rules([folder / "shard.parquet"], "markup-html"))


def test_findings_json_adds_the_record_location(results):
    jsonl, parquet = (json.loads(findings_json.render(r))["findings"] for r in results)
    [f] = jsonl
    assert f["line"] == 2 and f["record"] == {"line": 3, "id": "r7"} and f["doc_id"] == "shard.jsonl.gz#r7"
    [f] = parquet
    assert f["line"] == 2 and f["record"] == {"row": 1, "id": "r7"}


def test_sarif_and_github_point_at_the_record_line(results):
    jsonl, parquet = results
    [entry] = json.loads(sarif.render(jsonl))["runs"][0]["results"]
    assert entry["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}
    assert entry["properties"]["record"] == {
        "line": 3,
        "id": "r7",
        "textLine": 2,
        "textColumn": entry["properties"]["record"]["textColumn"],
    }
    assert "fixes" not in entry  # a fix's span is in the record's text, not in the file
    [entry] = json.loads(sarif.render(parquet))["runs"][0]["results"]
    assert "region" not in entry["locations"][0]["physicalLocation"] and entry["properties"]["record"]["row"] == 1
    [line, _] = github.render(jsonl).splitlines()
    assert ",line=3," in line and "col=" not in line and "record r7" in line and "text line 2:" in line
    [line, _] = github.render(parquet).splitlines()
    assert "line=" not in line.split("::")[1] and "shard.parquet:row1" in line


def test_text_junit_and_markdown_name_the_record(results):
    jsonl, parquet = results
    out = text.render(jsonl)
    assert out.splitlines()[0].endswith("shard.jsonl.gz:3  r7") and "    2:" in out.splitlines()[1]
    assert text.render(parquet).splitlines()[0].endswith("shard.parquet:row1  r7")
    assert "shard.jsonl.gz:3 (text line 2:" in junit.render(jsonl)
    markdown.render(jsonl)  # renders; errors only are listed there


def test_the_html_report_names_the_record(results):
    jsonl, parquet = results
    paths = {d["id"]: d["path"] for d in Embedded(jsonl).doc_entries()}
    assert paths["shard.jsonl.gz#r7"].endswith("shard.jsonl.gz:3") and paths["shard.jsonl.gz#ok"].endswith(
        "shard.jsonl.gz:1"
    )
    assert {p.rsplit("/", 1)[-1] for p in (d["path"] for d in Embedded(parquet).doc_entries())} == {
        "shard.parquet:row0",
        "shard.parquet:row1",
    }
