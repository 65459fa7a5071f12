"""Quotation marks that do not pair up, judged over the whole body (for `broken-sentence`).

The releases quote long statements the way print does: the quotation is opened once and
closed at the end of its last paragraph, often across blank lines, list items, italics
(`*“ … ”*`) and a balanced quotation inside ("… define as “career ready” …"). So marks are
paired in two steps:

1. inside each paragraph, with a stack (“ pushes, ” pops);
2. across paragraphs, over what step 1 left in document order: an opening quote followed
   by a closing quote in a later paragraph, with no unpaired mark between them, is one
   quotation; an opening quote followed by a paragraph that itself starts with “ is the
   multi-paragraph convention (each paragraph opens, only the last closes).

What is still unpaired is reported: a closing ” with nothing open before it, and the
innermost opening “ of a paragraph that is never closed. Straight quotes " are paired the
same way by paragraph parity. Paragraphs that carry embedded posts or links take part in
the pairing but are never reported (their quoting is the post's own).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPEN_Q, CLOSE_Q, PRIME = "“", "”", "″"
_MARKS = re.compile(f"[{OPEN_Q}{CLOSE_Q}{PRIME}]")
_LEAD = " >*_-\t"


@dataclass(slots=True)
class Problem:
    """An unpaired mark: paragraph index, offset in the paragraph text, and what it is."""

    paragraph: int
    offset: int
    mark: str
    kind: str  # "close" | "open" | "prime" | "straight"


def _in_word_close(text: str, k: int) -> bool:
    """An inch mark (6’6”) or a letter inside a word (z”l): not a quotation mark."""
    return k > 0 and (text[k - 1].isdigit() or text[k - 1].isalpha() and text[k + 1 : k + 2].isalpha())


def _reversed_open(text: str, k: int) -> bool:
    """An unpaired ” that stands where a quotation starts: after a space or at the start
    (“said: ” For the majority”), or right before a word (“…”Through things”)."""
    before = text[k - 1] if k > 0 else " "
    after = text[k + 1 : k + 2]
    j = k - 1
    while j >= 0 and text[j].isspace():  # the last visible character before the mark
        j -= 1
    previous = text[j] if j >= 0 else ""
    if before.isspace() and previous in (",", ".", "!", "?"):
        return False  # "pleasant, ”the president wrote": a closing quote with a stray space
    if previous == ":" and before.isspace():
        return True  # "he said: ” For the majority"
    return (before.isspace() and after[:1] not in ("", " ")) or (not before.isalnum() and after.isalpha())


def _paragraph_marks(text: str) -> tuple[list[int], list[int], list[int], list[int]]:
    """Step 1 for one paragraph: (unpaired closes, unpaired opens, primes used as closes,
    closing marks written where a quotation opens)."""
    stack: list[int] = []
    closes: list[int] = []
    primes: list[int] = []
    reversed_: list[int] = []
    for m in _MARKS.finditer(text):
        k, ch = m.start(), m.group()
        if ch == OPEN_Q:
            stack.append(k)
        elif ch == PRIME:
            # A double prime after a word, with a quotation open, closes it by mistake.
            if stack and k > 0 and not text[k - 1].isdigit():
                stack.pop()
                primes.append(k)
        elif stack:
            stack.pop()
        elif _reversed_open(text, k):
            stack.append(k)  # ” written for “: reported, and it opens the quotation
            reversed_.append(k)
        elif not _in_word_close(text, k):
            closes.append(k)
    return closes, stack, primes, reversed_


def curly_problems(texts: list[str]) -> list[Problem]:
    """Unpaired curly quotes of a body given as paragraph texts (see the module doc)."""
    problems: list[Problem] = []
    sequence: list[tuple[int, int, str]] = []  # (paragraph, offset, "open"|"close"), document order
    for p, text in enumerate(texts):
        if OPEN_Q not in text and CLOSE_Q not in text:
            continue
        closes, opens, primes, reversed_ = _paragraph_marks(text)
        problems.extend(Problem(p, k, PRIME, "prime") for k in primes)
        problems.extend(Problem(p, k, CLOSE_Q, "reversed") for k in reversed_)
        sequence.extend((p, k, "close") for k in closes)
        sequence.extend((p, k, "open") for k in opens)
    stack: list[int] = []  # indices into `sequence` of opening quotes still unpaired
    paired: set[int] = set()
    for i, (p, _, kind) in enumerate(sequence):
        if kind == "open":
            stack.append(i)
        elif stack and sequence[stack[-1]][0] < p:
            paired.update((stack.pop(), i))
    reported = {(q.paragraph, q.offset) for q in problems}
    for i, (p, k, kind) in enumerate(sequence):
        if i in paired or (p, k) in reported:
            continue
        if kind == "close":
            problems.append(Problem(p, k, CLOSE_Q, "close"))
            continue
        nxt = sequence[i + 1] if i + 1 < len(sequence) else None
        if p + 1 < len(texts) and texts[p + 1].lstrip(_LEAD).startswith(OPEN_Q):
            continue  # the multi-paragraph convention: the next paragraph opens again
        if nxt is not None and nxt[0] == p and nxt[2] == "open":
            continue  # report only the innermost (last) unpaired opening of a paragraph
        problems.append(Problem(p, k, OPEN_Q, "open"))
    return problems


def straight_problems(texts: list[str], judged: list[bool]) -> list[Problem]:
    """Paragraphs with an odd number of straight quotes that nothing pairs.

    Only `judged` paragraphs count (markup and links carry quotes of their own); a
    paragraph holding an inch mark (6'2") is left alone. An odd paragraph is paired with
    the next odd one when no straight quote sits between them, or continued by a next
    paragraph that opens with a straight quote (the multi-paragraph convention)."""
    has = [judged[p] and '"' in text for p, text in enumerate(texts)]
    odd = [p for p, text in enumerate(texts) if has[p] and text.count('"') % 2 and not re.search(r"\d\"", text)]
    problems: list[Problem] = []
    i = 0
    while i < len(odd):
        p = odd[i]
        q = odd[i + 1] if i + 1 < len(odd) else None
        if q is not None and not any(has[p + 1 : q]):
            i += 2
            continue
        if not (p + 1 < len(texts) and texts[p + 1].lstrip(_LEAD).startswith('"')):
            problems.append(Problem(p, texts[p].rfind('"'), '"', "straight"))
        i += 1
    return problems
