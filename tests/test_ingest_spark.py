"""The Spark engine reads shards like the local engine: compressed JSONL, Parquet, and a
large JSONL split into work units on the driver, records' text formats (pyspark + Java required)."""

from __future__ import annotations

import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from .conftest import run_cli
from .test_spark import needs_spark


@needs_spark
@pytest.mark.slow
def test_spark_reads_shards_like_local(tmp_path):
    target = tmp_path / "corpus"
    target.mkdir()
    rows = [
        {
            "id": f"d{i % 50}",
            "text": f"WASHINGTON -- Officials met on Monday about item {i}. <b>Note</b>." * (1 + i % 3),
            "date": "2021-03-01",
            "url": f"https://www.state.gov/r/{i}",
        }
        for i in range(80)
    ]
    lines = [json.dumps(r) for r in rows]
    (target / "a.jsonl.gz").write_bytes(gzip.compress(("\n".join(lines[:30]) + "\n").encode()))
    pq.write_table(pa.Table.from_pylist(rows[30:50]), target / "b.parquet", row_group_size=6)
    (target / "c.jsonl").write_text("\n".join(lines[50:] + ["not json"]) + "\n")
    # The same markdown text as a markdown record (by its id's suffix) and as a plain one.
    page = "## Summit\n\nThe President met **twelve governors** at the [White House](https://www.whitehouse.gov/).\n"
    (target / "d.jsonl").write_text(
        json.dumps({"id": "pages/summit.md", "text": page}) + "\n" + json.dumps({"id": "plain", "text": page}) + "\n"
    )
    (tmp_path / "seedcheck.toml").write_text("split-size = 1500\n")
    outs = {}
    for engine in ("local", "spark"):
        out = tmp_path / engine
        proc = run_cli(
            "check",
            str(target),
            "--config",
            str(tmp_path / "seedcheck.toml"),
            "--report-dir",
            str(out),
            "-q",
            "--fail-on",
            "never",
            "--reports",
            "json",
            "--engine",
            engine,
            *(["--spark-master", "local[2]"] if engine == "spark" else []),
        )
        assert proc.returncode == 0, proc.stderr
        outs[engine] = json.loads((out / "findings.json").read_text())
    assert outs["spark"]["findings"] == outs["local"]["findings"]
    assert outs["spark"]["documents"] == outs["local"]["documents"]
    assert len(outs["local"]["documents"]) == 83
    markdown = {f["doc_id"] for f in outs["spark"]["findings"] if f["rule"] == "markup-markdown"}
    assert markdown == {"d.jsonl#plain"}
