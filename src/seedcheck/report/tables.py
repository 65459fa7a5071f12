"""Findings and documents as flat rows with a fixed schema: for the Parquet reports
(`findings.parquet`, `documents.parquet`) and the Python API's DataFrames.

One row per finding (its findings.json entry, `fix` and `record` spread into columns) and
one per document (`doc_id`, `path`, `status` and its public record fields). Record
fields beyond the known ones (per-document statistics) become float columns when they
are numbers, and the rest go, as JSON, into `extra`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import islice
from typing import Any

from .findings_json import public_record
from .locations import record_id, record_locations

FINDING_COLUMNS: list[tuple[str, str]] = [
    ("rule", "string"),
    ("severity", "string"),
    ("doc_id", "string"),
    ("path", "string"),
    ("line", "int64"),
    ("column", "int64"),
    ("end_line", "int64"),
    ("end_column", "int64"),
    ("message", "string"),
    ("excerpt", "string"),
    ("fix_description", "string"),
    ("fix_replacement", "string"),
    ("fix_safe", "bool"),
    ("related", "list"),
    ("fingerprint", "string"),
    ("baselined", "bool"),
    ("record_line", "int64"),
    ("record_row", "int64"),
    ("record_id", "string"),
]
DOCUMENT_COLUMNS: list[tuple[str, str]] = [
    ("doc_id", "string"),
    ("path", "string"),
    ("status", "string"),
    ("format", "string"),
    ("sha256", "string"),
    ("encoding", "string"),
    ("title", "string"),
    ("date", "string"),
    ("date_source", "string"),
    ("published_time", "string"),
    ("source_url", "string"),
    ("source_domain", "string"),
    ("canonical_url", "string"),
    ("tags", "list"),
    ("language", "string"),
    ("word_count", "int64"),
    ("line_count", "int64"),
    ("people", "list"),
    ("duplicate_of", "string"),
    ("jsonl_line", "int64"),
    ("row", "int64"),
]
_SAMPLE = 1000  # documents looked at to find the numeric extra fields
BATCH_ROWS = 4096  # rows per Parquet row group written (the writers never hold more)


def finding_rows(result) -> Iterator[dict[str, Any]]:
    """One flat dict per finding, in findings.json order."""
    locations = record_locations(result)
    for f in result.findings:
        loc = locations.get(f.doc_id) or {}
        yield {
            "rule": f.rule,
            "severity": str(f.severity),
            "doc_id": f.doc_id,
            "path": f.path,
            "line": f.line,
            "column": f.column,
            "end_line": f.end_line,
            "end_column": f.end_column,
            "message": f.message,
            "excerpt": f.excerpt,
            "fix_description": f.fix.description if f.fix else None,
            "fix_replacement": f.fix.replacement if f.fix else None,
            "fix_safe": f.fix.safe if f.fix else None,
            "related": list(f.related),
            "fingerprint": f.fingerprint,
            "baselined": f.baselined,
            "record_line": loc.get("line"),
            "record_row": loc.get("row"),
            "record_id": record_id(f.doc_id) if loc else None,
        }


def numeric_extras(result) -> list[str]:
    """Record fields outside DOCUMENT_COLUMNS that hold numbers (statistics), sorted."""
    known = {name for name, _ in DOCUMENT_COLUMNS}
    found: dict[str, bool] = {}
    for d in islice(result.documents, _SAMPLE):
        for key, value in public_record(d["record"]).items():
            if key in known or value is None:
                continue
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            found[key] = found.get(key, True) and numeric
    return sorted(k for k, numeric in found.items() if numeric)


def document_rows(result, extras: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """One flat dict per document: the DOCUMENT_COLUMNS, the numeric `extras`, and `extra`."""
    extras = numeric_extras(result) if extras is None else extras
    known = {name for name, _ in DOCUMENT_COLUMNS}
    for d in result.documents:
        record = public_record(d["record"])
        row = {"doc_id": d["doc_id"], "path": d["path"], "status": d["status"]}
        for name, kind in DOCUMENT_COLUMNS[3:]:
            value = record.get(name)
            row[name] = _cell(value, kind)
        for name in extras:
            value = record.get(name)
            row[name] = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        rest = {k: v for k, v in record.items() if k not in known and k not in extras}
        row["extra"] = json.dumps(rest, sort_keys=True, ensure_ascii=False, default=str) if rest else None
        yield row


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "list":
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    if kind == "int64":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    return value if isinstance(value, str) else str(value)


def arrow_schema(columns: list[tuple[str, str]], extras: list[str] = (), with_extra: bool = False):
    """The pyarrow schema of a table of `columns` (+ float `extras`, + the `extra` JSON)."""
    import pyarrow as pa

    types = {"string": pa.string(), "int64": pa.int64(), "bool": pa.bool_(), "list": pa.list_(pa.string())}
    fields = [pa.field(name, types[kind]) for name, kind in columns]
    fields += [pa.field(name, pa.float64()) for name in extras]
    if with_extra:
        fields.append(pa.field("extra", pa.string()))
    return pa.schema(fields)


def batches(rows: Iterator[dict[str, Any]], schema, size: int | None = None):
    """`rows` as pyarrow RecordBatches of `size` (BATCH_ROWS) rows with `schema` (never all at once)."""
    import pyarrow as pa

    size = size or BATCH_ROWS
    while True:
        chunk = list(islice(rows, size))
        if not chunk:
            return
        yield pa.RecordBatch.from_pylist(chunk, schema=schema)
