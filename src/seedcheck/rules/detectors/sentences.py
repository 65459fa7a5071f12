"""Sentence-level damage: sentences split mid-clause, stray full stops and unbalanced
quotes (`broken-sentence`), and a body that stops mid-sentence (`truncated-text`).

Both work on paragraphs (`layout.Layout.paragraphs`): a hard-wrapped paragraph is joined
before it is checked, so a sentence or a quotation that runs over a line break is whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ...model import Document, Hit
from . import detector
from .layout import END_MARK, LIST_ITEM, TERMINAL, Layout, layout

# Words that end in a full stop without ending a sentence.
ABBREVIATIONS = frozenset("""
a.m p.m am pm inc ltd co corp llc jr sr dr mr mrs ms st mt ft vs etc al cf approx dept est fig no nos vol
sec secs gov sen rep reps gen col lt sgt capt adm prof rev hon ave blvd rd jan feb mar apr jun jul aug sep
sept oct nov dec mon tue wed thu fri sat sun min max ca viz op ed eds pp para paras art arts ch cl ibid
avg incl excl govt univ assn natl intl const pt pts ref refs mfg div approx seq cir supp stat amend phil
ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mo mont neb nev okla ore pa
penn tenn tex vt va wash wis wyo admin comm cong sess
""".split())  # noqa: SIM905 - a word list reads best as text
# ". and" : a full stop, then a sentence that starts with a lower-case word.
SPLIT = re.compile(r"(?<![.\w])([A-Za-z][\w’'-]*)\.[ \t]+([a-z]{2,})\b(?![./@:])")
# Embedded posts and links carry their own (often broken) quoting: not judged.
_EMBED = re.compile(r"https?://|www\.|pic\.twitter|\\?#\w|@\w")
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
    joined = [_paragraph_text(lay, members) for members in paragraphs]
    for p, members in enumerate(paragraphs):
        if _skip(lay, members):
            continue
        text, spans = joined[p]
        for m in SPLIT.finditer(text) if ". " in text or ".\t" in text else ():
            word = m.group(1)
            if (len(word) < params["min_word_length"] or word.lower() in ABBREVIATIONS
                    or not word.islower() and word.isupper()):
                continue
            line, col = _where(spans, m.end(1), lay)
            yield Hit(line=line, column=col, end_column=col + 2 + len(m.group(2)),
                      values={"what": f"“{word}. {m.group(2)}”", "kind": "sentence split mid-clause"},
                      message=f"sentence split mid-clause: “{word}. {m.group(2)}”")
        for m in DOTS.finditer(text) if ".." in text or ". " in text or ".\t" in text else ():
            dots = m.group(0).count(".")
            # "..." and ". . ." are ellipses; two dots with a space between are a slip.
            if dots != 2 or m.group(0) == "..":
                continue
            line, col = _where(spans, m.start(), lay)
            yield Hit(line=line, column=col, end_column=col + len(m.group(0)),
                      values={"what": m.group(0), "kind": "stray full stop"},
                      message="stray full stop “. .”")
        if (OPEN_Q in text or CLOSE_Q in text or '"' in text) and not _EMBED.search(text):
            yield from _quotes(lay, paragraphs, p, text, spans, joined)


_CURLY = re.compile(f"[{OPEN_Q}{CLOSE_Q}]")


def _opens_unclosed(text: str) -> bool:
    depth = 0
    for m in _CURLY.finditer(text):  # only the quote marks, not every character
        if m.group() == OPEN_Q:
            depth += 1
        elif depth:
            depth -= 1
    return depth > 0


def _quotes(lay: Layout, paragraphs: list[list[int]], p: int, text: str, spans, joined) -> Iterable[Hit]:
    # A quotation may run over paragraphs: the previous paragraph may have left one open
    # (then a closing quote here is fine), and a quote left open here may be continued or
    # closed in the next paragraph.
    previous = joined[p - 1][0] if p > 0 else ""
    depth = 1 if previous and _opens_unclosed(previous) and not _EMBED.search(previous) else 0
    last_open = -1
    for m in _CURLY.finditer(text):
        k, ch = m.start(), m.group()
        if ch == OPEN_Q:
            depth += 1
            last_open = k
        elif ch == CLOSE_Q:
            if depth == 0 and k > 0 and (text[k - 1].isdigit() or text[k - 1].isalpha() and text[k + 1:k + 2].isalpha()):
                continue  # an inch mark (6’6”) or a letter inside a word (z”l), not a quote
            if depth == 0:
                line, col = _where(spans, k, lay)
                yield Hit(line=line, column=col, end_column=col + 1, values={"what": CLOSE_Q, "kind": "unbalanced quotes"},
                          message="closing quote ” without an opening quote")
            else:
                depth -= 1
    if last_open >= 0 and _opens_unclosed(text) and not _continued(joined, p):
        line, col = _where(spans, last_open, lay)
        yield Hit(line=line, column=col, end_column=col + 1, values={"what": OPEN_Q, "kind": "unbalanced quotes"},
                  message="opening quote “ that is never closed")
    straight = text.count('"')
    if straight % 2 and not re.search(r"\d\"", text) and not _next_opens(lay, paragraphs, p, '"'):
        k = text.rfind('"')
        line, col = _where(spans, k, lay)
        yield Hit(line=line, column=col, end_column=col + 1, values={"what": '"', "kind": "unbalanced quotes"},
                  message='unbalanced straight quotes "')


def _continued(joined: list[tuple[str, list]], p: int) -> bool:
    """The next paragraph continues a quotation: it opens with a quote mark (the
    multi-paragraph convention) or closes one."""
    if p + 1 >= len(joined):
        return False
    nxt = joined[p + 1][0]
    if nxt.lstrip(" >*_-\t").startswith(OPEN_Q):
        return True
    first_close, first_open = nxt.find(CLOSE_Q), nxt.find(OPEN_Q)
    return first_close >= 0 and (first_open < 0 or first_close < first_open)


def _next_opens(lay: Layout, paragraphs: list[list[int]], p: int, mark: str) -> bool:
    if p + 1 >= len(paragraphs):
        return False
    first = lay.raw[paragraphs[p + 1][0]].lstrip(" >*_-\t")
    return first.startswith(mark)


DANGLING = re.compile(r"(?:\b(?:the|a|an|and|or|but|of|to|for|with|in|on|by|that|as|at|from|which|who|our|their|its|is|are|was|were|will)|[,\-–—])$",
                      re.IGNORECASE)


@detector("truncated-text", min_words=12)
def truncated_text(doc: Document, params: dict, context: Any) -> Iterable[Hit]:
    """The body's last paragraph is running text that stops mid-sentence: it ends on a
    function word or a comma ("… that delivers for the"), or it has finished sentences
    before but not at its end, or it ends with an ellipsis. A body that ends with a list,
    a signature, a name, a date or a link is not truncated."""
    lay = layout(doc)
    # The last line that is not an end mark: when it is a link, a table or markup, the
    # sentence before it ("… please visit") continues into it.
    last = next((k for k in range(len(lay.raw) - 1, -1, -1) if not END_MARK.match(lay.raw[k].strip())), None)
    if last is None or lay.structure[last]:
        return
    members = next((m for m in lay.paragraphs if last in m), [last])
    members = [k for k in members if not lay.structure[k]]
    i = members[-1]
    if LIST_ITEM.match(lay.raw[members[0]]) or any(lay.listitem[k] for k in members):
        return
    text, _ = _paragraph_text(lay, members)
    if len(text.split()) < params["min_words"]:
        return
    raw = lay.raw[i].rstrip()
    bare = re.sub(r"(?:[*_\s]|\\?#)+$", "", raw)
    if not bare:
        return
    ellipsis = bare.endswith(("...", "…")) and not bare.endswith(". . .")
    if (lay.terminal[i] or TERMINAL.search(bare)) and not ellipsis:
        return
    if bare.endswith((":", ";", "]", ")")) or bare[-1].isdigit():
        return
    # Finished sentences earlier in the paragraph make it running text ("Mrs. Deborah" does not).
    running = re.search(r"\b[a-z]{3,}[.!?][\"”’)]?\s+[A-Z“\"]", text) is not None
    if not (ellipsis or DANGLING.search(bare) or running):
        return
    tail = bare[-40:]
    how = "with an ellipsis" if ellipsis else "mid-sentence"
    yield Hit(line=lay.numbers[i], column=len(bare) - len(tail) + 1, end_column=len(bare) + 1,
              values={"end": tail.strip(), "how": how},
              message=f"the text ends {how}: “…{tail.strip()}”")
