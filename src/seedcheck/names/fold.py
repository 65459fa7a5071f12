"""Unicode for name matching: NFC with an offset map, and a fold that keeps string length.

The fold maps one character to one character, so offsets in the folded text are offsets
in the NFC text.
"""

from __future__ import annotations

import re
import unicodedata

_FOLD_CACHE: dict[str, str] = {}
# Letters NFD does not decompose but that readers see as "the same letter, no accent".
_FOLD_EXTRA = {
    "ł": "l",
    "Ł": "L",
    "ø": "o",
    "Ø": "O",
    "đ": "d",
    "Đ": "D",
    "ı": "i",
    "ħ": "h",
    "’": "'",
    "‘": "'",
    "ʼ": "'",
    "\u00a0": " ",
    "‐": "-",
    "‑": "-",
}


def _fold_char(ch: str) -> str:
    out = _FOLD_CACHE.get(ch)
    if out is None:
        if ch in _FOLD_EXTRA:
            out = _FOLD_EXTRA[ch]
        elif ord(ch) < 0xC0:
            out = ch
        else:
            base = unicodedata.normalize("NFD", ch)
            stripped = "".join(c for c in base if not unicodedata.combining(c))
            out = stripped if len(stripped) == 1 else ch
        _FOLD_CACHE[ch] = out
    return out


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_match(m: re.Match) -> str:
    return _fold_char(m.group())


def fold(text: str) -> str:
    """Drop diacritics (and unify apostrophes), one character for one character."""
    if text.isascii():
        return text
    return _NON_ASCII.sub(_fold_match, text)


def diacritic_count(text: str) -> int:
    """How many characters of `text` carry a diacritic (fold changes them)."""
    return sum(1 for c in text if ord(c) >= 0xC0 and _fold_char(c) != c and c not in "’‘ʼ\u00a0‐‑")


def nfc_with_map(text: str) -> tuple[str, list[int] | None]:
    """`text` in NFC, and for each NFC index the index in `text` (None when unchanged)."""
    norm = unicodedata.normalize("NFC", text)
    if norm == text:
        return text, None
    # Compose segment by segment (a starter and its combining marks), recording offsets.
    out: list[str] = []
    index: list[int] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or unicodedata.combining(text[i]) == 0:
            piece = unicodedata.normalize("NFC", text[start:i])
            out.append(piece)
            index.extend([start] * len(piece))
            start = i
    index.append(len(text))
    return "".join(out), index
