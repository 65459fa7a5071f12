"""Capitalised word runs ("Anthony Blinken", "Juan S. Gonzalez"): the name candidates of
`name-misspelling` and of the `name-inconsistent` corpus analyzer."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*\.?")
_GAP = re.compile(r"[ \t\u00a0]+(?:\n[ \t\u00a0]*)?|\n[ \t\u00a0]*")
_URL = re.compile(r"\w+://\S+|www\.\S+|\S+@\S+\.\w+")
PARTICLES = frozenset(
    {
        "de",
        "del",
        "la",
        "las",
        "los",
        "da",
        "das",
        "do",
        "dos",
        "van",
        "von",
        "der",
        "den",
        "bin",
        "ibn",
        "al",
        "el",
        "y",
        "di",
        "du",
        "le",
        "ter",
        "zu",
    }
)
ABBREVIATIONS = frozenset(
    {
        "Jr.",
        "Sr.",
        "Dr.",
        "Mr.",
        "Mrs.",
        "Ms.",
        "St.",
        "Sen.",
        "Rep.",
        "Gov.",
        "Gen.",
        "Adm.",
        "Col.",
        "Lt.",
        "Sgt.",
        "Capt.",
        "Prof.",
        "Rev.",
    }
)


_UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u024f\u0386-\u03ab\u0400-\u042f\u1e00-\u1eff"
# A loose word (single-character repeats only, so a failing match backtracks in linear
# time); `_runs_in` re-tokenises each span with the strict `_TOKEN`.
_CAP_TOKEN = rf"[{_UPPER}][\w'’\-]*\.?"
# A superset of every run of two or more capitalised words (Latin Extended and Vietnamese
# ranges mix cases: `candidate_runs` checks each word's case again).
_GAP_RE = r"(?:[ \t\u00a0]+(?:\n[ \t\u00a0]*)?|\n[ \t\u00a0]*)"
_RUN_SPAN = re.compile(
    # Only at a word start: inside a long word every position would otherwise re-scan it.
    # The capital comes first and the word start is checked behind it, so `re` scans for
    # a capital rather than trying the look-behind at every position.
    rf"[{_UPPER}](?<!(?:[^\W\d_]|['’\-])[{_UPPER}])[\w'’\-]*\.?"
    + "(?:"
    + _GAP_RE
    + "(?:(?:"
    + "|".join(sorted(PARTICLES, key=lambda w: (-len(w), w)))
    + ")"
    + _GAP_RE
    + ")*"
    + _CAP_TOKEN
    + ")+"
)


def candidate_runs(text: str) -> list[list[tuple[int, int, str]]]:
    """Runs of capitalised words (with initials and name particles) as (start, end, word).

    A run breaks at punctuation, a blank line, a lower-case word that is not a particle,
    a sentence end and a possessive ("Biden’s" ends a run after "Biden"). URLs are skipped.
    Only spans that look like two or more capitalised words are tokenised (fast path).
    """
    runs: list[list[tuple[int, int, str]]] = []
    done = 0
    for span in _RUN_SPAN.finditer(text):
        start = span.start()
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_'’-/.@"):
            # Inside a word, a URL or a path: tokenise from the word's start instead.
            while start > done and not text[start - 1].isspace():
                start -= 1
        end = span.end()
        while end < len(text) and not text[end].isspace():
            end += 1  # to the end of the word: an e-mail address or URL is seen whole
        runs.extend(_runs_in(text, start, end))
        done = end
    return runs


def _runs_in(text: str, lo: int, hi: int) -> list[list[tuple[int, int, str]]]:
    """The capitalised word runs of text[lo:hi] (see `candidate_runs`)."""
    region = text[lo:hi]
    skip = (
        [(m.start() + lo, m.end() + lo) for m in _URL.finditer(region)]
        if ("://" in region or "www." in region or "@" in region)
        else []
    )
    runs: list[list[tuple[int, int, str]]] = []
    run: list[tuple[int, int, str]] = []
    pending: list[tuple[int, int, str]] = []  # particles waiting for a capitalised word
    last_end = -1
    for m in _TOKEN.finditer(text, lo, hi):
        start, end, word = m.start(), m.end(), m.group()
        if skip and any(s <= start < e for s, e in skip):
            continue
        connected = last_end >= 0 and _GAP.fullmatch(text, last_end, start) is not None
        if not connected:
            if run:
                runs.append(run)
            run, pending = [], []
        brk = False
        if word.endswith("."):
            core = word[:-1]
            if len(core) > 1 and word not in ABBREVIATIONS:
                word, end, brk = core, end - 1, True  # a sentence end, not an initial
        for suffix in ("’s", "'s"):
            if word.endswith(suffix) and len(word) > 2:
                word, end, brk = word[:-2], end - 2, True
        if word[:1].isupper():
            run.extend(pending)
            pending = []
            run.append((start, end, word))
        elif run and word in PARTICLES and not brk:
            pending.append((start, end, word))
        else:
            if run:
                runs.append(run)
            run, pending = [], []
        last_end = end
        if brk:
            if run:
                runs.append(run)
            run, pending, last_end = [], [], -1
    if run:
        runs.append(run)
    return runs
