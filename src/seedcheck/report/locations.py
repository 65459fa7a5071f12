"""Where a record of a shard sits: its JSONL line or its Parquet row, for every writer.

A finding's `line` counts lines of the record's text; in a shard (a `.jsonl`, a
`.jsonl.gz`, a `.parquet`) the record itself sits on a line (or row) of the file, and
that is what an annotation on the file must point at. Documents that are whole files
have no record location.
"""

from __future__ import annotations

from typing import Any


def record_location(record: dict[str, Any]) -> dict[str, int] | None:
    """`{"line": n}` (1-based JSONL line) or `{"row": n}` (0-based Parquet or in-memory
    row) for a record of a shard, else None."""
    if record.get("jsonl_line") is not None:
        return {"line": record["jsonl_line"]}
    if record.get("row") is not None:
        return {"row": record["row"]}
    return None


def record_locations(result) -> dict[str, dict[str, int]]:
    """doc_id -> record location, for the documents that are records of a shard."""
    out = {}
    for d in result.documents:
        loc = record_location(d["record"])
        if loc is not None:
            out[d["doc_id"]] = loc
    return out


def record_id(doc_id: str) -> str:
    """The record's own part of a doc id (`shard.jsonl#abc` -> `abc`)."""
    return doc_id.partition("#")[2] or doc_id


def label(path: str, loc: dict[str, int]) -> str:
    """`file:record`: `shard.jsonl:68` (its line) or `shard.parquet:row12`."""
    return f"{path}:{loc['line']}" if "line" in loc else f"{path}:row{loc['row']}"


def file_line(loc: dict[str, int] | None) -> int | None:
    """The line of the shard file a record sits on (JSONL), else None (Parquet is binary)."""
    return loc.get("line") if loc else None


def in_text(f) -> str:
    """Where the finding is inside the record's text: `text line 10:3`, or ""."""
    return f"text line {f.line}:{f.column or 1}" if f.line else ""
