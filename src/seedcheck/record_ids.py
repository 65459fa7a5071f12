"""Unique doc ids across the work units of a shard.

A shard's parts are read apart (ingest/units.py), so a record id already used in an
earlier part is only noticed when the outcomes come together, in source order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .rules.base import fingerprint


def unique_ids(outcomes: Iterable[Any]) -> Iterator[Any]:
    """Outcomes (`pipeline.DocOutcome`) with unique doc ids. A shard's parts are read apart, so a record id seen
    in an earlier part is only noticed here: the later record takes its line (or row) id,
    as it would when the shard is read whole, and its findings follow."""
    seen: set[str] = set()
    for outcome in outcomes:
        record = outcome.record
        alternative, outcome.trace.alt_id = outcome.trace.alt_id, None  # needed here only
        if alternative and record["doc_id"] in seen and alternative != record["doc_id"]:
            record["doc_id"] = alternative
            for f in outcome.findings:
                f.doc_id, f.fingerprint = alternative, fingerprint(f.rule, alternative, f.excerpt or f.message)
        seen.add(record["doc_id"])
        yield outcome
