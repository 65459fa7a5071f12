"""Body, word and line counts."""

from __future__ import annotations

from typing import Any

from ..facts import facts_of
from ..model import Document


def extract(doc: Document, context: Any) -> None:
    """Fill body, word_count and line_count."""
    facts = facts_of(doc, context)
    body = facts.body
    doc.record["body"] = body
    doc.record["word_count"] = len(body.split())
    doc.record["line_count"] = len(facts.content_lines)
