"""Sentence-level damage: sentences split mid-clause, stray full stops and unbalanced
quotes (`broken-sentence`), and a body that stops mid-sentence (`truncated-text`).

Both work on paragraphs (`layout.Layout.paragraphs`): a hard-wrapped paragraph is joined
before it is checked, so a sentence or a quotation that runs over a line break is whole.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from ...model import Document, Hit
from . import detector
from .layout import LIST_ITEM, Layout, layout

# Words that end in a full stop without ending a sentence.
ABBREVIATIONS = frozenset("""
a.m p.m am pm inc ltd co corp llc jr sr dr mr mrs ms st mt ft vs etc al cf approx dept est fig no nos vol
sec secs gov sen rep reps gen col lt sgt capt adm prof rev hon ave blvd rd jan feb mar apr jun jul aug sep
sept oct nov dec mon tue wed thu fri sat sun min max ca viz op ed eds pp para paras art arts ch cl ibid
""".split())
# ". and" : a full stop, then a sentence that starts with a lower-case word.
SPLIT = re.compile(r"(?<![.\w])([A-Za-z][\w’'-]*)\.[ \t]+([a-z]{2,})\b")
DOTS = re.compile(r"\.(?:[ \t]*\.)+")
OPEN_Q, CLOSE_Q = "“", "”"


def _paragraph_text(lay: Layout, members: list[int]) -> tuple[str, list[tuple[int, int, int]]]:
    """Join a paragraph's lines with spaces; also return (start offset, layout index,
    leading spaces) per line so offsets map back to lines and columns."""
    parts, spans, offset = [], [], 0
    for i in members:
        raw = lay.raw[i]
        lead = len(raw) - len(raw.lstrip())
        text = raw.strip()
        spans.append((offset, i, lead))
        parts.append(text)
        offset += len(text) + 1
    return " ".join(parts), spans


def _where(spans: list[tuple[int, int, int]], offset: int, lay: Layout) -> tuple[int, int]:
    """File line number and 1-based column of a paragraph offset."""
    line = spans[0]
    for span in spans:
        if span[0] <= offset:
            line = span
    start, i, lead = line
    return lay.numbers[i], offset - start + lead + 1


def _skip(lay: Layout, members: list[int]) -> bool:
    return all(lay.structure[i] for i in members)


@detector("broken-sentence", min_word_length=3)
def broken_sentence(doc: Document, params: dict, context: Any) -> Iterable[Hit]:
    """". and" splits, stray ". .", and quotes that close without opening or never close."""
    lay = layout(doc)
    paragraphs = lay.paragraphs
    for p, members in enumerate(paragraphs):
        if _skip(lay, members):
            continue
        text, spans = _paragraph_text(lay, members)
        for m in SPLIT.finditer(text):
            word = m.group(1)
            if (len(word) < params["min_word_length"] or word.lower() in ABBREVIATIONS
                    or not word.islower() and word.isupper()):
                continue
            line, col = _where(spans, m.end(1), lay)
            yield Hit(line=line, column=col, end_column=col + 2 + len(m.group(2)),
                      values={"what": f"“{word}. {m.group(2)}”", "kind": "sentence split mid-clause"},
                      message=f"sentence split mid-clause: “{word}. {m.group(2)}”")
        for m in DOTS.finditer(text):
            dots = m.group(0).count(".")
            # "..." and ". . ." are ellipses; two dots with a space between are a slip.
            if dots != 2 or m.group(0) == "..":
                continue
            line, col = _where(spans, m.start(), lay)
            yield Hit(line=line, column=col, end_column=col + len(m.group(0)),
                      values={"what": m.group(0), "kind": "stray full stop"},
                      message="stray full stop “. .”")
        yield from _quotes(lay, paragraphs, p, text, spans)


def _quotes(lay: Layout, paragraphs: list[list[int]], p: int, text: str, spans) -> Iterable[Hit]:
    depth, last_open = 0, -1
    for k, ch in enumerate(text):
        if ch == OPEN_Q:
            depth += 1
            last_open = k
        elif ch == CLOSE_Q:
            if depth == 0:
                line, col = _where(spans, k, lay)
                yield Hit(line=line, column=col, end_column=col + 1, values={"what": CLOSE_Q, "kind": "unbalanced quotes"},
                          message="closing quote ” without an opening quote")
            else:
                depth -= 1
    if depth > 0 and not _next_opens(lay, paragraphs, p, OPEN_Q):
        # A quotation that runs over several paragraphs leaves each but the last
        # unclosed and opens the next with a quote mark: that is the convention.
        line, col = _where(spans, last_open, lay)
        yield Hit(line=line, column=col, end_column=col + 1, values={"what": OPEN_Q, "kind": "unbalanced quotes"},
                  message="opening quote “ that is never closed")
    straight = text.count('"')
    if straight % 2 and not re.search(r"\d\"", text) and not _next_opens(lay, paragraphs, p, '"'):
        k = text.rfind('"')
        line, col = _where(spans, k, lay)
        yield Hit(line=line, column=col, end_column=col + 1, values={"what": '"', "kind": "unbalanced quotes"},
                  message='unbalanced straight quotes "')


def _next_opens(lay: Layout, paragraphs: list[list[int]], p: int, mark: str) -> bool:
    if p + 1 >= len(paragraphs):
        return False
    first = lay.raw[paragraphs[p + 1][0]].lstrip(" >*_-\t")
    return first.startswith(mark)


@detector("truncated-text", min_words=5)
def truncated_text(doc: Document, params: dict, context: Any) -> Iterable[Hit]:
    """The last paragraph of running text ends without sentence punctuation, or with an
    ellipsis ("… and the two leaders agreed to" / "Read the full story…")."""
    lay = layout(doc)
    if lay.last_prose is None:
        return
    members = next((m for m in lay.paragraphs if lay.last_prose in m), [lay.last_prose])
    i = members[-1]
    raw = lay.raw[i].rstrip()
    if lay.structure[i] or LIST_ITEM.match(lay.raw[members[0]]):
        return
    text, _ = _paragraph_text(lay, members)
    if len(text.split()) < params["min_words"]:
        return
    bare = re.sub(r"[*_\s]+$", "", raw)
    ellipsis = bare.endswith(("...", "…")) and not bare.endswith(". . .")
    if lay.terminal[i] and not ellipsis:
        return
    if bare.endswith((":", ";")) or not bare:
        return
    tail = bare[-40:]
    yield Hit(line=lay.numbers[i], column=len(raw) - len(tail) + 1, end_column=len(raw) + 1,
              values={"end": tail.strip(), "how": "with an ellipsis" if ellipsis else "mid-sentence"},
              message=f"the text ends {'with an ellipsis' if ellipsis else 'mid-sentence'}: “…{tail.strip()}”")
