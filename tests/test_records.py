"""The run's records after the document stage (`records.RecordStore`): a large run keeps
them compact (pickled tuples, decoded when read; in a temporary file in the largest runs),
and every table built from them is the one built from the records' dicts. Each test runs
with the compact records in memory and on disk."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from seedcheck.records import DocumentEntries, RecordStore


def _records() -> list[dict]:
    """Records as a run can meet them: fields missing or in another order, values of other
    types than the schema's (a YAML front matter's list or number), NaN, nested values."""
    base = {"doc_id": "b.md", "path": "c/b.md", "title": "T", "date": "2024-01-02", "word_count": 12}
    return [
        dict(base, tags=["x", "y"], ratio=0.5),
        {"path": "c/a.md", "doc_id": "a.md", "title": 7, "date": None, "word_count": None, "ratio": math.nan},
        dict(base, doc_id="c.md", path="c/c.md", title=["a", "list"], date=dt.date(2024, 1, 3), word_count="many"),
        {"doc_id": "d.md", "path": "c/d.md"},
        dict(base, doc_id="e.md", path="c/e.md", extra={"k": [1, 2]}, title="Ünïcode \u2028 line"),
    ]


pytestmark = pytest.mark.parametrize("on_disk", [False, True], ids=["in-memory", "on-disk"])


def _compact(records: list[dict], on_disk: bool) -> RecordStore:
    store = RecordStore(compact=True, on_disk=on_disk)
    for record in records:
        store.append(dict(record))
    return store


def test_a_compact_record_reads_back_equal_with_its_key_order(on_disk):
    records = _records()
    store = _compact(records, on_disk)
    assert len(store) == len(records)
    # repr: the same keys in the same order, and NaN (never equal to itself) is NaN
    assert [repr(r) for r in store] == [repr(r) for r in records]
    assert [repr(store[i]) for i in range(len(store))] == [repr(r) for r in records]
    assert store.ids == [r["doc_id"] for r in records] and store.paths == [r["path"] for r in records]


def test_a_record_without_an_id_or_a_path_reads_back_without_them(on_disk):
    records = [{"title": "no id"}, {"doc_id": "x.md", "n": 1}, {"n": 2, "path": "p.md", "m": [3]}]
    store = _compact(records, on_disk)
    assert list(store) == records and [list(r) for r in store] == [list(r) for r in records]
    assert store.column("doc_id", missing="-") == ["-", "x.md", "-"]
    assert store.column("path", order=[2, 0]) == ["p.md", None]
    assert store.column("n", missing=0) == [0, 1, 2] and store.column("m") == [None, None, [3]]


def test_a_patch_is_set_on_the_last_record_with_its_id(on_disk):
    records = _records() + [{"doc_id": "a.md", "path": "c/a2.md"}]
    for store in (_compact(records, on_disk), RecordStore.of([dict(r) for r in records])):
        store.apply({"a.md": {"duplicate_of": "b.md", "cluster": ["a.md", "b.md"]}, "zz.md": {"x": 1}})
        assert store[-1] == {"doc_id": "a.md", "path": "c/a2.md", "duplicate_of": "b.md", "cluster": ["a.md", "b.md"]}
        assert repr(store[1]) == repr(records[1])  # the earlier record with that id is left as it was
        assert list(store)[2:-1] == records[2:-1]


def test_a_selection_keeps_the_order_asked_for(on_disk):
    store = _compact(_records(), on_disk)
    chosen = store.select([3, 0])
    assert list(chosen) == [store[3], store[0]] and chosen.ids == ["d.md", "b.md"]
    assert store.select(range(len(store))) is store
    # A record patched after the selection: the selection keeps what it chose, as a list would.
    before = chosen[0]
    store.apply({"d.md": {"duplicate_of": "b.md"}})
    store.append({"doc_id": "f.md", "path": "c/f.md", "title": "later"})
    assert chosen[0] == before and store[3] == dict(before, duplicate_of="b.md")
    assert list(store.select([5, 3]).select([1])) == [store[3]] and store[5]["title"] == "later"


@pytest.mark.parametrize("columns", [["doc_id", "path", "title", "date", "word_count", "tags", "ratio", "extra"]])
def test_the_schema_frame_of_compact_records_is_the_frame_of_their_dicts(columns, on_disk):
    """pandas infers each column from its values: built a column at a time from a compact
    store, the frame has the same values and dtypes as `from_records` over the dicts."""
    from seedcheck.schema import records_frame

    expected = records_frame(_records(), columns)
    got = records_frame(_compact(_records(), on_disk), columns)
    assert list(got.dtypes) == list(expected.dtypes)
    pd.testing.assert_frame_equal(got, expected)


def test_the_expectations_table_of_compact_records_is_the_table_of_their_dicts(on_disk):
    from seedcheck.expectations import records_table

    pd.testing.assert_frame_equal(records_table(_compact(_records(), on_disk)), records_table(_records()))


def test_document_entries_are_sorted_by_path_and_made_when_read(on_disk):
    store = _compact(_records(), on_disk)
    entries = DocumentEntries(store, {"c.md": "error", "a.md": "warning"})
    assert len(entries) == 5
    assert [e["doc_id"] for e in entries] == ["a.md", "b.md", "c.md", "d.md", "e.md"]
    assert [e["status"] for e in entries] == ["warning", "ok", "error", "ok", "ok"]
    assert entries[2]["record"] == _records()[2]
    assert entries[0]["record"] is not entries[0]["record"]  # decoded at each read
