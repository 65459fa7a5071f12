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
from .quotes import curly_problems, straight_problems

# Words that end in a full stop without ending a sentence.
ABBREVIATIONS = frozenset(
    ["a.m", "p.m", "am", "pm", "inc", "ltd", "co", "corp", "llc", "jr", "sr", "dr", "mr", "mrs", "ms", "st", "mt"]
    + ["ft", "vs", "etc", "al", "cf", "approx", "dept", "est", "fig", "no", "nos", "vol", "sec", "secs", "gov"]
    + ["sen", "rep", "reps", "gen", "col", "lt", "sgt", "capt", "adm", "prof", "rev", "hon", "ave", "blvd", "rd"]
    + ["jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "wed"]
    + ["thu", "fri", "sat", "sun", "min", "max", "ca", "viz", "op", "ed", "eds", "pp", "para", "paras", "art"]
    + ["arts", "ch", "cl", "ibid", "avg", "incl", "excl", "govt", "univ", "assn", "natl", "intl", "const", "pt"]
    + ["pts", "ref", "refs", "mfg", "div", "approx", "seq", "cir", "supp", "stat", "amend", "phil", "ala", "ariz"]
    + ["ark", "calif", "colo", "conn", "del", "fla", "ga", "ill", "ind", "kan", "ky", "la", "md", "mass", "mich"]
    + ["minn", "miss", "mo", "mont", "neb", "nev", "okla", "ore", "pa", "penn", "tenn", "tex", "vt", "va", "wash"]
    + ["wis", "wyo", "admin", "comm", "cong", "sess", "esq", "exec", "inst"]
)
# ". and" : a full stop, then a sentence that starts with a lower-case word.
SPLIT = re.compile(r"(?<![.\w])([A-Za-z][\w’'-]*)\.[ \t]+([a-z]{2,})\b(?![./@:])")
# Embedded posts and links carry their own (often broken) quoting: not judged.
_EMBED = re.compile(r"https?://|www\.|pic\.twitter|\\?#\w|@\w")
_EMBED_NEEDS = ("http", "www.", "pic.twitter", "#", "@")  # one of these is in every _EMBED match


def _embedded(text: str) -> bool:
    return any(needle in text for needle in _EMBED_NEEDS) and _EMBED.search(text) is not None


# Spaces may be non-breaking (". . ." typeset with U+00A0); ".@handle" is a tweet's own idiom.
DOTS = re.compile(r"\.(?:[ \t\u00a0]*\.)+(?![@#])")


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


@detector("broken-sentence")
def broken_sentence(doc: Document, params: dict, context: Any) -> Iterable[Hit]:
    """ ". and" splits, stray ". .", and quotes that close without opening or never close."""
    lay = layout(doc)
    paragraphs = lay.paragraphs
    joined = [_paragraph_text(lay, members) for members in paragraphs]
    judged = [not _skip(lay, members) and not _embedded(text) for members, (text, _) in zip(paragraphs, joined)]
    for p, members in enumerate(paragraphs):
        if _skip(lay, members):
            continue
        text, spans = joined[p]
        for m in SPLIT.finditer(text) if ". " in text or ".\t" in text else ():
            word = m.group(1)
            if (
                len(word) < params["min_word_length"]
                or word.lower() in ABBREVIATIONS
                or not word.islower()
                and word.isupper()
            ):
                continue
            line, col = _where(spans, m.end(1), lay)
            yield Hit(
                line=line,
                column=col,
                end_column=col + 2 + len(m.group(2)),
                values={"what": f"“{word}. {m.group(2)}”", "kind": "sentence split mid-clause"},
                variant="split",
            )
        for m in DOTS.finditer(text) if ".." in text or ". " in text or ".\t" in text or ".\u00a0" in text else ():
            dots = m.group(0).count(".")
            # "..." and ". . ." are ellipses; two dots with a space between are a slip.
            if dots != 2 or m.group(0) == "..":
                continue
            line, col = _where(spans, m.start(), lay)
            yield Hit(
                line=line,
                column=col,
                end_column=col + len(m.group(0)),
                values={"what": m.group(0), "kind": "stray full stop"},
                variant="stray-stop",
            )
    yield from _quotes(lay, joined, judged)


def _quotes(lay: Layout, joined: list[tuple[str, list]], judged: list[bool]) -> Iterable[Hit]:
    texts = [text for text, _ in joined]
    problems = curly_problems(texts) + straight_problems(texts, judged)
    for problem in sorted(problems, key=lambda q: (q.paragraph, q.offset)):
        if not judged[problem.paragraph]:
            continue
        line, col = _where(joined[problem.paragraph][1], problem.offset, lay)
        yield Hit(
            line=line,
            column=col,
            end_column=col + 1,
            values={"what": problem.mark, "kind": "unbalanced quotes"},
            variant=f"quote-{problem.kind}",
        )


# A sentence that ends on an e-mail address or a link ("please reach out to: <a@b.gov>") is whole.
_ADDRESS = re.compile(r"\S+@\S+\.\w+$|https?://\S+$")
_CONTACT = re.compile(
    r"^\s*[*_]*(?:(?:media|press|news) )?(?:contacts?|inquiries|enquiries)\s*:"
    r"|^\s*[*_]*for (?:media|press) inquiries\b",
    re.IGNORECASE,
)


DANGLING = re.compile(
    r"(?:\b(?:the|a|an|and|or|but|of|to|for|with|in|on|by|that|as|at|from|which|who|our|their|its|is|are|was|were|will)|[,\-–—])$",
    re.IGNORECASE,
)
# A lower-case word alone after a comma starts the next item or clause ("… roads and
# bridges, connect"); a sentence does not end on one, bar a few adverbs.
COMMA_WORD = re.compile(
    r",\s+(?!(?:too|however|respectively|etc|instead|though|accordingly|alike|again|also|either|else|indeed)$)[a-z]+$"
)


@detector("truncated-text")
def truncated_text(doc: Document, params: dict, context: Any) -> Iterable[Hit]:
    """The body's last paragraph is running text that stops mid-sentence: it ends on a
    function word or a comma ("… that delivers for the"), or it has finished sentences
    before but not at its end, or it ends with an ellipsis. A body that ends with a list,
    a signature, a name, a date, a link or a closing quote is not truncated, nor is a last
    sentence without its full stop that an end mark (###) follows."""
    lay = layout(doc)
    # The last line that is not an end mark: when it is a link, a table or markup, the
    # sentence before it ("… please visit") continues into it.
    last = next((k for k in range(len(lay.raw) - 1, -1, -1) if not END_MARK.match(lay.raw[k].strip())), None)
    while last and _CONTACT.match(lay.raw[last]):
        last -= 1  # a wire copy's contact line, glued under the last paragraph
    if last is None or lay.structure[last]:
        return
    members = next((m for m in lay.paragraphs if last in m), [last])
    members = [k for k in members if not lay.structure[k] and k <= last]
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
    # A closing quotation mark ends a quoted post or statement that is complete as quoted.
    if bare.endswith((":", ";", "]", ")", ">", "”", '"')) or bare[-1].isdigit() or _ADDRESS.search(bare):
        return
    # Finished sentences earlier in the paragraph make it running text ("Mrs. Deborah" does not).
    running = re.search(r"\b[a-z]{3,}[.!?][\"”’)]?\s+[A-Z“\"]", text) is not None
    # An end mark (###, -30-) after the paragraph says the release is complete: a last
    # sentence that only lacks its full stop was not cut off.
    if lay.end_mark is not None and lay.end_mark > i:
        running = False
    if not (ellipsis or DANGLING.search(bare) or COMMA_WORD.search(bare) or running):
        return
    tail = bare[-40:]
    how = "with an ellipsis" if ellipsis else "mid-sentence"
    yield Hit(
        line=lay.numbers[i],
        column=len(bare) - len(tail) + 1,
        end_column=len(bare) + 1,
        values={"end": tail.strip(), "how": how},
    )


# A sentence that only points elsewhere ("To view the letter, visit: <PDF>") states nothing.
_POINTER = re.compile(
    r"\b(?:to view|to read|to see|to download|download|visit|click|available at|can be found)\b", re.IGNORECASE
)
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|<https?://[^>]*>|https?://\S+")
# Where a sentence ends: terminal punctuation (and closing marks), then a capital.
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<![A-Z]\.)(?<!\b[A-Z][a-z]\.)[\"”’)*_]*\s+(?=[\"“*_]*[A-Z])")


def _statement(lay: Layout, min_words: int) -> bool:
    """The body says something complete: a sentence of `min_words` words or more that
    ends like one and is not a bare pointer to a file or page (markup, links and end
    marks set aside)."""
    text = " ".join(lay.raw[i].strip() for i in range(len(lay.raw)) if not lay.structure[i])
    text = _LINK.sub(lambda m: m.group(1) or "", re.sub(r"<[^>]*>", " ", text))
    for sentence in _SENTENCE_END.split(text):
        sentence = sentence.strip(" *_")
        words = [w for w in sentence.split() if any(c.isalpha() for c in w)]
        if (
            len(words) >= min_words
            and TERMINAL.search(sentence)
            and not sentence.endswith(":")
            and any(w.islower() for w in words)
            and not _POINTER.search(sentence)
        ):
            return True
    return False


@detector("short-body")
def short_body(doc: Document, params: dict, context: Any) -> Iterable[Hit]:
    """A body of fewer than `value` words that states nothing complete: empty, a pointer
    ("To view the letter, visit: <PDF>"), a file-download block or an image. A short
    complete statement (a one-sentence nomination, a two-sentence notice) is a release."""
    words = doc.record.get("word_count") or 0
    if words >= params["value"] or _statement(layout(doc), int(params["min_sentence_words"])):
        return
    yield Hit(
        line=doc.body_start + doc.line_offset + 1 if doc.lines else 1, column=1, values={"actual": words}, excerpt=""
    )
