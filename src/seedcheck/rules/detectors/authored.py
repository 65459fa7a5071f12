"""Lines that look like page furniture but are the author's own: a bold heading between
paragraphs, the last word of a sentence run on from a prose line, the names of a signature
block. The noise rules leave them alone."""

from __future__ import annotations

import re

from .layout import Layout

EMPHASISED = re.compile(r"^\s*(?:#{1,6}\s+.*|(\*{1,3}|_{1,3})[^*_].*\1:?)\s*\\?$")


def authored(lay: Layout, i: int) -> bool:
    """A menu word that is the author's own: a bold or heading line between paragraphs
    ("**MENU**" over a state dinner's courses, "***Read more:***" over a press roundup), or
    the last word of a sentence running on from a prose line ("… here is why.\nLinkedIn.")."""
    if lay.terminal[i] and i > 0 and lay.numbers[i - 1] == lay.numbers[i] - 1 and lay.prose[i - 1]:
        return True
    return not (lay.in_head(i) or lay.in_tail(i)) and bool(EMPHASISED.match(lay.raw[i]))


_SIGNED = re.compile(
    r"\b(?:signed|witnessed|done at|on behalf of|for the government of|in witness whereof"
    r"|(?:prime minister|president|secretary|minister) of the)\b",
    re.IGNORECASE,
)


def signature_block(lay: Layout, first: int, last: int) -> bool:
    """Short lines next to "Signed at …", "Witnessed by" or "Prime Minister of the …" are
    the names of a signature block, not a menu."""
    near = range(max(0, first - 3), min(len(lay.norm), last + 4))
    return any(_SIGNED.search(lay.norm[k]) for k in near)
