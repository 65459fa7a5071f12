"""`acronym-mismatch`: an acronym in parentheses that does not abbreviate the name before it.

"High Level Economic Dialogue (DEAN)" is a translated acronym (the Spanish *Diálogo
Económico de Alto Nivel*) glued to an English name. Only the construct "Capitalised Name Of
Several Words (ACRONYM)" is considered, where the name has about as many words as the
acronym has letters; the name may start on the previous (hard-wrapped) line. The check is
the Schwartz–Hearst alignment used for abbreviation extraction: every letter of the short
form must be found, right to left, in the name, its first letter at the start of a word. It
is permissive by design (USMCA, ASEAN, NATO pass), so what it flags really does not match.
"""

from __future__ import annotations

import re
from typing import Iterable

from ...model import Document, Fix, Hit
from . import detector

_SHORT = re.compile(r"\(([A-Z]{3,8})\)")
# A run of capitalised words (with connectors) right before the parenthesis.
_NAME = re.compile(
    r"((?:[A-Z][\w'’.&-]*)(?:\s+(?:of|and|for|on|the|to|in|de|del|la|y|[A-Z][\w'’.&-]*))*)\s*$"
)
_CONNECTORS = {"of", "and", "for", "on", "the", "to", "in", "de", "del", "la", "y"}


def aligns(short: str, long: str) -> bool:
    """Schwartz & Hearst (2003): can `short` be read right to left inside `long`, with its
    first character at the start of a word?"""
    s = [c.lower() for c in short if c.isalnum()]
    text = long.lower()
    si, li = len(s) - 1, len(text) - 1
    while si >= 0:
        c = s[si]
        while li >= 0 and (text[li] != c or (si == 0 and li > 0 and text[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return False
        si -= 1
        li -= 1
    return True


def long_form(before: str, letters: int) -> str | None:
    """The capitalised name right before `(`, if it is long enough to be abbreviated."""
    m = _NAME.search(before)
    if not m:
        return None
    words = m.group(1).split()
    content = [w for w in words if w.lower() not in _CONNECTORS]
    if len(content) < 3 or abs(len(content) - letters) > 1:
        return None
    return m.group(1)


@detector("acronym-mismatch")
def acronym_mismatch(doc: Document, params: dict, context) -> Iterable[Hit]:
    """Flag `(ACRONYM)` after a multi-word name whose letters it cannot be aligned with."""
    previous = ""
    for number, text in doc.body_lines():
        if "(" in text:
            for m in _SHORT.finditer(text):
                short = m.group(1)
                before = text[: m.start()]
                if len(before.split()) < 6 and previous:
                    before = previous + " " + before  # the name may start on the wrapped line above
                name = long_form(before, len(short))
                if name is None or aligns(short, name):
                    continue
                yield Hit(
                    line=number, column=m.start() + 1, end_column=m.end() + 1,
                    values={"short": short, "long": " ".join(name.split())},
                    fix=Fix("use the acronym of the name as written, or name what the acronym abbreviates", None, safe=False),
                )
        previous = text if text.strip() else ""
