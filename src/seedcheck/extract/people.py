"""The record field `people`: canonical names of the registered people a document mentions.

Uses the person registry (`checks/data/names.yaml`, see `seedcheck.names`): a registered
form, a variant of one, or a near miss of one (a misspelling) all count as a mention of
that person. The analysis is cached for the name rules that run after extraction.
"""

from __future__ import annotations

from typing import Any

from ..model import Document
from ..names import analyse, load_registry


def extract(doc: Document, context: Any) -> None:
    """Fill `people` (sorted canonical names; empty list when nobody registered is named)."""
    analysis = analyse(doc, context)
    names = {m.person for m in analysis.matches}
    names.update(m.person for m in analysis.misspellings(load_registry(context)))
    doc.record["people"] = sorted(names)
