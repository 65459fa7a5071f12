"""`Facts`: what several extractors, rules and analyzers read about one document, each
computed once, on first use, and dropped with the document.

The pipeline gives every document its `Facts` before extraction (`Engine.process`);
whoever needs a shared fact asks `facts_of(doc)`. Plain facts are properties here; facts
whose code lives with the rules that own them (the layout, the name analysis) are
`fact(build)`: `build(facts)` runs once per document and its result is kept. This replaces
per-module "last document" caches and private record fields as the way facts travel.
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
