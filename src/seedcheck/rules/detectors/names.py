"""`name-variant` and `name-misspelling`: person names against the registry.

The registry, matcher and candidate runs live in `seedcheck.names`; the document's
analysis is shared with the `people` extractor and the `name-inconsistent` analyzer, so
the body is matched once whatever the number of rules.
"""

from __future__ import annotations

from typing import Iterable

from ...model import Document, Fix, Hit
from ...names import NameMatch, analyse, load_registry
from . import detector


def _hit(analysis, m: NameMatch, safe: bool) -> Hit:
    line, col, end_line, end_col = analysis.span(m.start, m.end)
    # A name broken across lines gets no replacement: `seedcheck fix` edits one line.
    replacement = m.fix if end_line == line else None
    return Hit(
        line=line, column=col, end_line=end_line, end_column=end_col,
        values={"found": m.text, "canonical": m.fix, "person": m.person, "reason": m.reason},
        fix=Fix(f"write {m.fix!r}", replacement, safe=safe),
    )


@detector("name-variant")
def name_variant(doc: Document, params: dict, context) -> Iterable[Hit]:
    """Registered variants and diacritic-stripped forms of registered names."""
    analysis = analyse(doc, context)
    for m in analysis.matches:
        if m.kind == "variant":
            yield _hit(analysis, m, safe=True)


@detector("name-misspelling", max_distance=2, long_name=16)
def name_misspelling(doc: Document, params: dict, context) -> Iterable[Hit]:
    """Capitalised names within a small edit distance of a registered name."""
    analysis = analyse(doc, context)
    registry = load_registry(context)
    for m in analysis.misspellings(registry, int(params["max_distance"]), int(params["long_name"])):
        # A near miss may be another person with a similar name: a human confirms.
        yield _hit(analysis, m, safe=False)
