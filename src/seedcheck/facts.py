"""`Facts`: what several extractors, rules and analyzers read about one document, each
computed once, on first use, and dropped with the document.

The pipeline gives every document its `Facts` before extraction (`Engine.process`);
whoever needs a shared fact asks `facts_of(doc)`. Plain facts are properties here; facts
whose code lives with the rules that own them (the layout, the name analysis) are
`fact(build)`: `build(facts)` runs once per document and its result is kept. Facts that
fall out of an extractor's own work (every stated date, the attribution line, the language
identifier's confidence) are set by that extractor, once per document, and read by the
rules. This replaces per-module "last document" caches and private record fields as the
way facts travel; what must outlive the document stage is the record's `RecordTrace`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar

from .model import Document

T = TypeVar("T")


class Facts:
    """The shared, lazily computed facts of one document (see the module doc)."""

    def __init__(self, doc: Document, context: Any = None):
        self.doc = doc
        self.context = context
        # File line numbers of the lines the noise rules flagged, set by the pipeline after
        # the document rules (the duplicate analyzer leaves them out of the text it compares).
        self.noise_lines: frozenset[int] = frozenset()
        # Set by extract/metadata.py: every date the document states, in order of authority
        # (`{"source", "value", "text", "line", "column", "end_column"}`), and the
        # attribution line (`{"line", "text", "url", "url_line"}`) or None.
        self.dates: list[dict[str, Any]] = []
        self.attribution: dict[str, Any] | None = None
        # Set by extract/language.py: how sure the identifier is of the record's `language`.
        self.language_confidence: float | None = None
        self._built: dict[Callable, Any] = {}

    @cached_property
    def body(self) -> str:
        """The body as one string (lines joined with "\\n")."""
        return self.doc.body

    @cached_property
    def body_lines(self) -> list[tuple[int, str]]:
        """`(file line number, text)` of every body line."""
        return list(self.doc.body_lines())

    @cached_property
    def content_lines(self) -> list[tuple[int, str]]:
        """The body lines that are not blank."""
        return [(n, t) for n, t in self.body_lines if t.strip()]

    def fact(self, build: Callable[[Facts], T]) -> T:
        """`build(self)`, computed on the first call for this document and kept."""
        try:
            return self._built[build]
        except KeyError:
            value = self._built[build] = build(self)
            return value


def facts_of(doc: Document, context: Any = None) -> Facts:
    """The document's `Facts` (made here when a caller outside the pipeline has none)."""
    facts = doc.facts
    if facts is None:
        facts = doc.facts = Facts(doc, context)
    elif facts.context is None and context is not None:
        facts.context = context
    return facts
