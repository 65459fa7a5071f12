"""The Python API: seedcheck.check on paths, URLs, DataFrames and iterables of dicts."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pandas as pd
import pytest

import seedcheck
from seedcheck import api
from seedcheck.config import Config
from seedcheck.report.tables import DOCUMENT_COLUMNS, FINDING_COLUMNS

RECORDS = [
    {
        "id": f"x{i}",
        "text": f"WASHINGTON -- Officials met on Monday about item {i}. <b>Bold</b> words.",
        "date": "2021-03-01",
        "url": f"https://www.state.gov/r/{i}",
    }
    for i in range(5)
]
RULES = ["markup-html", "unreadable-document", "missing-date"]


def config(tmp_path):
    return Config(root=tmp_path)


def test_a_dataframe_gives_findings_and_records_as_dataframes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    frame = pd.DataFrame(RECORDS).assign(date=pd.to_datetime("2021-03-01"))
    result = seedcheck.check(frame, config(tmp_path), select=RULES, name="frame")
    assert list(tmp_path.iterdir()) == []  # nothing written: not in the corpus, not in the cwd
    findings, records = result.findings, result.records
    assert isinstance(findings, pd.DataFrame) and list(findings.columns) == [c for c, _ in FINDING_COLUMNS]
    assert list(records.columns[: len(DOCUMENT_COLUMNS)]) == [c for c, _ in DOCUMENT_COLUMNS]
    assert sorted(findings["doc_id"]) == [f"frame#x{i}" for i in range(5)] and set(findings["rule"]) == {"markup-html"}
    assert list(findings["record_row"]) == [0, 1, 2, 3, 4] and list(findings["record_id"]) == [
        f"x{i}" for i in range(5)
    ]
    assert list(records["date"]) == ["2021-03-01"] * 5 and set(records["format"]) == {"records"}
    assert len(result.finding_objects) == 5 and result.passed and "5 documents" in repr(result)


def test_an_iterable_of_dicts_with_bad_records(tmp_path):
    rows = iter([{"text": "No id at all."}, {"id": "a", "text": "x"}, "not a record", {"id": "b", "text": None}])
    result = seedcheck.check(rows, config(tmp_path), select=["unreadable-document", "empty-body", "short-body"])
    assert sorted(result.records["doc_id"]) == ["records#a", "records#b", "records#row0", "records#row2"]
    rules = result.findings.groupby("doc_id")["rule"].apply(set)
    assert rules["records#row2"] == {"unreadable-document"} and "empty-body" in rules["records#b"]


def test_in_memory_units_give_the_same_findings_for_any_jobs(tmp_path, monkeypatch):
    from seedcheck.report import findings_json

    monkeypatch.setattr(api, "CHUNK", 2)
    rows = RECORDS + [dict(RECORDS[0])]  # a repeated id, in another unit
    one = seedcheck.check(rows, config(tmp_path), select=RULES + ["duplicate-exact"], jobs=1)
    two = seedcheck.check(rows, config(tmp_path), select=RULES + ["duplicate-exact"], jobs=2)
    assert findings_json.render(one.result) == findings_json.render(two.result)
    assert "records#row5" in set(one.records["doc_id"]) and len(api.in_memory_sources(rows, "r")) == 3


def test_paths_and_urls(tmp_path):
    import fsspec

    data = gzip.compress(("\n".join(json.dumps(r) for r in RECORDS) + "\n").encode())
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "s.jsonl.gz").write_bytes(data)
    local = seedcheck.check(tmp_path / "c", config(tmp_path), select=RULES)
    fsspec.filesystem("memory").pipe("/api-test/part=1/s.jsonl.gz", data)
    try:
        remote = seedcheck.check("memory://api-test", config(tmp_path), select=RULES)
    finally:
        fsspec.filesystem("memory").rm("/api-test", recursive=True)
    assert list(local.findings["record_line"]) == [1, 2, 3, 4, 5]
    assert sorted(remote.findings["doc_id"]) == [f"part=1/s.jsonl.gz#x{i}" for i in range(5)]
    assert list(remote.findings["message"]) == list(local.findings["message"])
    with pytest.raises(FileNotFoundError):
        seedcheck.check("memory://no-such-corpus", config(tmp_path))


def test_overrides_are_validated(tmp_path):
    from seedcheck.config import ConfigError

    with pytest.raises(ConfigError):
        seedcheck.check(RECORDS, config(tmp_path), fail_onn="warning")


def test_python_dash_m_and_a_cheap_import():
    proc = subprocess.run([sys.executable, "-m", "seedcheck", "--version"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "seedcheck" in proc.stdout
    code = "import seedcheck, sys; print(sorted(m for m in ('pandas', 'pyarrow', 'click') if m in sys.modules))"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False).stdout.strip() == "[]"
    )


def test_the_api_from_python_c_as_a_notebook_runs_it(tmp_path):
    """A notebook kernel, `python -c` or an embedding program have a `__main__` without
    `__file__`; importing great-expectations there (it imports pyspark's Spark Connect
    module, which then takes the process for a doctest run) used to exit the interpreter
    with status 0 in the middle of `check()`."""
    from .conftest import SEEDS

    code = (
        "from seedcheck import api\n"
        f"result = api.check({str(SEEDS)!r})\n"
        "print(len(result.findings), 'expectation-failed' in set(result.findings['rule']))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    count, expectations = proc.stdout.split()
    assert int(count) > 0 and expectations == "True"
