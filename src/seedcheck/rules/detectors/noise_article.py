"""Where an article starts on a scraped page, so the shape rules leave its headline alone.

A news or blog page puts its headline right under the menus, then a byline or a date
("By Jane Doe", "August 6th, 2012 by Steve Cypher", "Posted November 13, 2012"), then the
text. The headline has the shape of a menu entry (short, no full stop, among short lines),
but the byline under it and the prose right after say what it is.
"""

from __future__ import annotations

import re

from .layout import Layout

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
DATE = re.compile(
    rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}"
    r"|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b",
    re.IGNORECASE,
)
BYLINE = re.compile(
    r"^by$|^(?:by|posted by|written by|published by|filed by|author:?)\s+\S"
    r"|\bby\s+[A-Z][a-z]+\s+[A-Z]",
    re.IGNORECASE,
)
_MAX_META_WORDS = 20
# Every date alternative has a digit and either a month's first three letters or a digit,
# separator, digit run; every byline alternative has "by" or "author". Cheap tests of those
# (casefold, as IGNORECASE matches "ſ" for "s") skip most lines before the searches, which
# try the month names at every word (1.5 ms a document on the releases).
_DIGIT = re.compile(r"\d")
_NUMERIC_DATE = re.compile(r"\d[./-]\d")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_PROSE_WORDS = 15  # a line of running text, not a teaser
_PROSE_WITHIN = 5  # lines after the byline


def dated(text: str) -> bool:
    """`text` holds a date (`DATE`)."""
    if _DIGIT.search(text) is None:
        return False
    if _NUMERIC_DATE.search(text) is None:
        folded = text.casefold()
        if not any(month in folded for month in _MONTHS):
            return False
    return DATE.search(text) is not None


def _byline(lay: Layout, k: int) -> bool:
    if not 0 < lay.words[k] <= _MAX_META_WORDS:
        return False
    text = lay.norm[k]
    if dated(text):
        return True
    low = text.lower()
    return ("by" in low or "author" in low) and BYLINE.search(text) is not None


def headline(lay: Layout) -> int | None:
    """The layout index of the article's headline: the first short line without a full stop
    that a byline or date line follows directly, with running text within a few lines after
    it; None when the page shows no such start."""
    n = len(lay.norm)
    for i in range(n - 1):
        if not 2 <= lay.words[i] <= 16 or lay.terminal[i] or lay.structure[i] or _byline(lay, i):
            continue
        if not _byline(lay, i + 1):
            continue
        if any(lay.words[k] >= _PROSE_WORDS for k in range(i + 2, min(n, i + 2 + _PROSE_WITHIN))):
            return i
    return None


# --- reader comments -------------------------------------------------------------------

# "Mike R. says:", "asuph said:", "Isobel wrote:": a commenter's name over the comment.
_SAYS = re.compile(r"^[^!?:]{1,40}?\s(?:says|said|wrote)\s*:?$", re.IGNORECASE)
_TIME = re.compile(r"\b\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?(?!\w)", re.IGNORECASE)
# What closes a comment: its reply / report / permalink buttons.
_CLOSER = re.compile(
    r"^(?:reply|report(?:\s+(?:post|comment|abuse))?|permalink|flag|quote|like)\b[\s»↓→|]*"
    r"(?:(?:log\s+in\s+to\s+)?reply|permalink|report)?[\s»↓→|]*$",
    re.IGNORECASE,
)
_COMMENT_MAX = 8  # lines of one comment's text


def _stamp(lay: Layout, k: int) -> bool:
    """A comment's time stamp: a date and a clock time on a short line."""
    return 0 < lay.words[k] <= 14 and dated(lay.norm[k]) and bool(_TIME.search(lay.norm[k]))


def comments(lay: Layout) -> set[int]:
    """Layout indices of reader comments: a commenter line ("… says:") with a time stamp on
    it or right after it, and, when a reply button closes it within a few lines, the comment's
    text. Both marks are needed: one alone is too common in prose and transcripts."""
    out: set[int] = set()
    n = len(lay.norm)
    for i in range(n):
        if not (0 < lay.words[i] <= 6 and _SAYS.match(lay.norm[i])):
            continue
        if _stamp(lay, i):
            head = [i]
        elif i + 1 < n and _stamp(lay, i + 1):
            head = [i, i + 1]
        else:
            continue
        out.update(head)
        start = head[-1] + 1
        for k in range(start, min(n, start + _COMMENT_MAX + 1)):
            if _CLOSER.match(lay.norm[k]):
                out.update(range(start, k + 1))
                break
            if _SAYS.match(lay.norm[k]) and lay.words[k] <= 6:
                break
    return out
