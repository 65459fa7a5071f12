"""`findings.json`: the machine-readable contract of docs/SPEC.md section 7 (deterministic)."""

from __future__ import annotations

import io
from typing import Any, TextIO

from .. import __version__
from . import jsonstream
from .locations import record_id, record_locations

FORMAT = "json"
FILENAME = "findings.json"
SCHEMA_VERSION = 1


def public_record(record: dict[str, Any], with_body: bool = False) -> dict[str, Any]:
    """The record fields a report shows: body only on request."""
    return {k: v for k, v in record.items() if with_body or k != "body"}


def summary(result) -> dict[str, Any]:
    """The `summary` object: counts by severity and rule, new vs baselined, gate verdict."""
    tally = result.tally
    by_rule, baselined = tally.by_rule, tally.baselined
    return {
        "documents": len(result.documents),
        "findings": len(result.findings),
        "by_severity": result.counts(),
        "by_rule": dict(sorted(by_rule.items())),
        "new": len(result.findings) - baselined,
        "baselined": baselined,
        "fail_on": result.config.fail_on,
        "passed": not result.failing(result.config.fail_on),
    }


def document(result) -> dict[str, Any]:
    """The findings.json document, its `documents` and `findings` as generators (written
    one entry at a time, never held whole)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "seedcheck", "version": __version__},
        "summary": summary(result),
        "documents": ({**d, "record": public_record(d["record"])} for d in result.documents),
        "findings": _findings(result),
        "expectations": result.expectations,
    }


def _findings(result):
    """Each finding's entry; a record of a shard adds `record`: its JSONL `line` or Parquet
    `row` in the file, and its `id` (the finding's `line` counts lines of the record's text)."""
    locations = record_locations(result)
    for f in result.findings:
        entry = f.to_json()
        loc = locations.get(f.doc_id)
        if loc is not None:
            entry["record"] = {**loc, "id": record_id(f.doc_id)}
        yield entry


def write(result, fh: TextIO, **options) -> None:
    """Write findings.json to `fh`, entry by entry."""
    jsonstream.dump(document(result), fh)
    fh.write("\n")


def render(result, **options) -> str:
    out = io.StringIO()
    write(result, out)
    return out.getvalue()
