"""Body, word and line counts."""

from __future__ import annotations

from typing import Any

from ..model import Document


def extract(doc: Document, context: Any) -> None:
    """Fill body, word_count and line_count."""
    body = doc.body
    doc.record["body"] = body
    doc.record["word_count"] = len(body.split())
    doc.record["line_count"] = sum(1 for _, t in doc.body_lines() if t.strip())
