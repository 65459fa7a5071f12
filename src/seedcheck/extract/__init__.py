"""Extraction: fill a document's record fields (docs/SPEC.md section 4) from its text and metadata.

Each extractor is `fn(doc, context) -> None`; it sets fields in `doc.record` and may add
hits for problems it sees while extracting (an invalid date, say). They run in order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import waivers
from ..ingest.records import LOCATION_FIELDS
from ..model import Document
from . import language, metadata, people, stats, text

EXTRACTORS: list[Callable[[Document, Any], None]] = [
    metadata.extract,
    text.extract,
    language.extract,
    waivers.extract,
    people.extract,
    stats.extract,
]

# Every record field, in findings.json order; extractors may add more (statistics).
RECORD_FIELDS = (
    "doc_id",
    "path",
    "format",
    "sha256",
    "encoding",
    "title",
    "date",
    "date_source",
    "published_time",
    "source_url",
    "source_domain",
    "canonical_url",
    "tags",
    "language",
    "word_count",
    "line_count",
    "people",
    "duplicate_of",
    "body",
)
# Every field a record may hold (a shard's record also its location in the file). A
# document's working data lives in `Facts` and `RecordTrace`, never in its record.
PUBLIC_FIELDS = frozenset(RECORD_FIELDS + stats.STAT_FIELDS + LOCATION_FIELDS)


def build_record(doc: Document, context: Any) -> dict:
    """Run every extractor on `doc` and return its record (also kept in `doc.record`)."""
    rec = doc.record
    rec.update(doc_id=doc.doc_id, path=doc.path, format=doc.format)
    for field in RECORD_FIELDS:
        rec.setdefault(field, None)
    if doc.readable:
        for extract in EXTRACTORS:
            extract(doc, context)
    return rec
