"""`name-variant` and `name-misspelling`: person names against the registry.

The registry, matcher and candidate runs live in `seedcheck.names`; the document's
analysis is shared with the `people` extractor and the `name-inconsistent` analyzer, so
the body is matched once whatever the number of rules.

A fix replaces only the matched name, keeping its titles ("President Zelensky" becomes
"President Zelenskyy", see `Registry.safe_target`). Inside a quotation (speech, a post, a
quoted article) the words are someone else's: the fix is offered but never marked safe.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from ...model import Document, Fix, Hit
from ...names import NameMatch, analyse, load_registry
from . import detector


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) offsets of `text` inside curly double quotes. A quotation left open
    runs to the end of the text: when unsure, a name counts as quoted (its fix stays unsafe)."""
    spans: list[tuple[int, int]] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch == "“":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "”" and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, i + 1))
    if depth:
        spans.append((start, len(text)))
    return spans


def _inside(spans: list[tuple[int, int]], starts: list[int], offset: int) -> bool:
    i = bisect.bisect_right(starts, offset) - 1
    return i >= 0 and spans[i][0] <= offset < spans[i][1]


def _hit(analysis, m: NameMatch, safe: bool) -> Hit:
    line, col, end_line, end_col = analysis.span(m.start, m.end)
    # A name broken across lines gets no replacement: `seedcheck fix` edits one line.
    replacement = m.fix if end_line == line else None
    return Hit(
        line=line,
        column=col,
        end_line=end_line,
        end_column=end_col,
        values={"found": m.text, "canonical": m.fix, "person": m.person, "reason": m.reason},
        fix=Fix(f"write {m.fix!r}", replacement, safe=safe),
    )


@detector("name-variant")
def name_variant(doc: Document, params: dict, context) -> Iterable[Hit]:
    """Registered variants and diacritic-stripped forms of registered names."""
    analysis = analyse(doc, context)
    variants = [m for m in analysis.matches if m.kind == "variant"]
    if not variants:
        return
    spans = quoted_spans(analysis.text) if "“" in analysis.text else []
    starts = [s for s, _ in spans]
    for m in variants:
        yield _hit(analysis, m, safe=not _inside(spans, starts, m.start))


@detector("name-misspelling", max_distance=2, long_name=16)
def name_misspelling(doc: Document, params: dict, context) -> Iterable[Hit]:
    """Capitalised names within a small edit distance of a registered name."""
    analysis = analyse(doc, context)
    registry = load_registry(context)
    for m in analysis.misspellings(registry, int(params["max_distance"]), int(params["long_name"])):
        # A near miss may be another person with a similar name: a human confirms.
        yield _hit(analysis, m, safe=False)
