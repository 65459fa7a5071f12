"""The record schema over a large table (`schema.validate_records`): validated over the
columns the schema reads, a slice of rows at a time, it fails exactly what the whole table
of every record field fails, in some order."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from seedcheck import schema
from seedcheck.extract import RECORD_FIELDS
from seedcheck.records import RecordStore

from .conftest import ROOT

COLUMNS = [f for f in RECORD_FIELDS if f != "body"]
SHIPPED = str(ROOT / "schemas" / "record.yaml")


def _records(seed: int, count: int = 40) -> list[dict]:
    """Records with the defects a run meets: nulls, bad dates and formats, negative
    counts, ids repeated across slices, fields of other types than the schema's."""
    rng = random.Random(seed)
    records = []
    for i in range(count):
        record = dict.fromkeys(RECORD_FIELDS)
        record.update(
            doc_id=f"d{rng.randrange(count // 2)}",
            path=f"c/{i}.md",
            format=rng.choice(["text", "markdown", "html"]),
            title=rng.choice(["A title", None, ""]),
            date=rng.choice(["2024-01-02", "2024-1-2", None]),
            source_url=rng.choice(["https://example.gov/a", None]),
            language=rng.choice(["en", "EN", None]),
            word_count=rng.choice([3, -1, 40]),
            line_count=2,
            tags=["a", "b"],
            people=["Jane Roe"],
        )
        records.append(record)
    return records


def _with(records: list[dict], every: int, **fields) -> list[dict]:
    return [dict(r, **fields) if i % every == 0 else r for i, r in enumerate(records)]


CASES = {
    "defects and repeated ids": _records(1),
    "a null count in every slice (float column)": _with(_records(2), 3, word_count=None),
    "a null count in one slice only (dtypes differ)": _with(_records(3), 39, word_count=None),
    "fractional counts everywhere": [dict(r, line_count=1.5) for r in _records(4)],
    "a list where a string belongs": _with(_records(5), 4, title=["a", "list"]),
    "a string column null in whole slices": [
        dict(r, source_url=None) if i < 18 else r for i, r in enumerate(_records(8))
    ],
    "a count column null in a whole slice (dtypes differ)": [
        dict(r, word_count=None) if i < 9 else r for i, r in enumerate(_records(9))
    ],
    "a declared field missing from every record": [
        {k: v for k, v in r.items() if k != "language"} for r in _records(6)
    ],
}


def _stores(records: list[dict]) -> dict[str, object]:
    stores = {"dicts": records}
    for on_disk in (False, True):
        store = RecordStore(compact=True, on_disk=on_disk)
        for record in records:
            store.append(dict(record))
        stores["on disk" if on_disk else "compact"] = store
    return stores


def _whole(records: list[dict], path: str = SHIPPED) -> Counter:
    return Counter(schema.validate(schema.records_frame(records, COLUMNS), schema.load_schema(path)))


@pytest.mark.parametrize("case", list(CASES))
def test_slices_of_the_columns_read_fail_what_the_whole_table_fails(case, monkeypatch):
    records = CASES[case]
    expected = _whole(records)
    assert expected  # every case has failures to compare
    sizes = []
    validate = schema.validate
    monkeypatch.setattr(schema, "validate", lambda frame, s: sizes.append(frame.shape) or validate(frame, s))
    monkeypatch.setattr(schema, "CHUNK_ROWS", 9)
    for kind, store in _stores(records).items():
        sizes.clear()
        assert Counter(schema.validate_records(store, COLUMNS, SHIPPED)) == expected, kind
        declared = len(schema.load_schema(SHIPPED).columns)
        assert all(columns <= declared for _, columns in sizes), kind  # never tags, people, sha256...
        if "differ" not in case:  # else the slices disagree on a dtype and the whole table is validated
            assert max(rows for rows, columns in sizes if columns > 1) <= 9, kind


def test_a_schema_that_can_look_across_rows_or_columns_gets_the_whole_table(tmp_path, monkeypatch):
    text = Path(SHIPPED).read_text(encoding="utf-8")
    custom = {
        "strict": text.replace("strict: false", "strict: true"),
        "a table check": text.replace(
            "checks: null\nindex: null",
            "checks:\n  unique_values_eq:\n    value: [a]\n    options: {raise_warning: false}\nindex: null",
        ),
        "a column check on all values": text.replace(
            "    checks:\n      isin: [text,", "    checks:\n      unique_values_eq: [text]\n      isin: [text,"
        ),
    }
    records = _records(7)
    monkeypatch.setattr(schema, "CHUNK_ROWS", 9)
    for name, yaml_text in custom.items():
        path = tmp_path / f"{len(name)}.yaml"
        path.write_text(yaml_text, encoding="utf-8")
        loaded = schema.load_schema(str(path))
        assert not schema.row_wise(loaded), name
        if name != "a column check on all values":
            assert schema.read_columns(loaded, COLUMNS) == COLUMNS, name
        assert Counter(schema.validate_records(records, COLUMNS, str(path))) == _whole(records, str(path)), name


def test_the_shipped_schema_reads_its_own_columns_a_slice_at_a_time():
    shipped = schema.load_schema(SHIPPED)
    assert schema.row_wise(shipped)
    assert schema.read_columns(shipped, COLUMNS) == [c for c in COLUMNS if c in shipped.columns]
    assert {"tags", "people", "sha256", "encoding", "duplicate_of"}.isdisjoint(schema.read_columns(shipped, COLUMNS))
