"""Conversion leftovers no other rule reads: HTML comments (`markup-comment`), invisible
characters in the title and URL fields (`metadata-invisible-characters`) and words glued
together where a line break was lost (`glued-words`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ...facts import facts_of
from ...ingest.frontmatter import parse_frontmatter
from ...model import Document, Fix, Hit
from . import detector
from .layout import ends_sentence
from .text import CONTROL, invisible_positions, remove_at

# --- markup-comment --------------------------------------------------------------------

COMMENT = re.compile(r"<!--.*?-->")
COMMENT_OPEN = re.compile(r"<!--(?!.*-->)")
_WAIVER = re.compile(r"^\s*<!--\s*seedcheck:", re.IGNORECASE)


@detector("markup-comment")
def markup_comment(doc: Document, params: dict, context: Any) -> Iterable[Hit]:
    """HTML comments in the text (`<!-- -->`, `<!-- wp:paragraph -->`), waivers excepted.

    A line that is only comments is deleted by the fix: safely in plain text; in markdown
    only as an unsafe fix, because pandoc writes `<!-- -->` to keep two lists (or a list
    and an indented block) apart, and deleting it merges them. A comment inside a line is
    removed from it (invisible when rendered, so safe in both)."""
    markdown = doc.text_format == "markdown"
    for number, text in facts_of(doc).body_lines:
        if "<!--" not in text or _WAIVER.match(text):
            continue
        spans = [(m.start(), m.end()) for m in COMMENT.finditer(text)]
        opened = COMMENT_OPEN.search(text[spans[-1][1] :] if spans else text)
        if not spans:
            if opened:
                yield Hit(
                    line=number,
                    column=text.index("<!--") + 1,
                    values={"what": "<!-- (continues below)"},
                    fix=Fix("remove the comment (it continues on the next lines)", None, safe=False),
                )
            continue
        what = text[spans[0][0] : spans[0][1]]
        values = {"what": what if len(what) <= 30 else what[:28] + "…"}
        rest = COMMENT.sub("", text)
        if not rest.strip() and not opened:
            yield Hit(
                line=number,
                column=spans[0][0] + 1,
                values=values,
                fix=Fix(
                    "delete the comment line" + (" (in markdown it may keep two lists apart)" if markdown else ""),
                    "",
                    delete_line=True,
                    safe=not markdown,
                ),
            )
        else:
            start, end = spans[0][0], spans[-1][1]
            yield Hit(
                line=number,
                column=start + 1,
                end_column=end + 1,
                values=values,
                fix=Fix("remove the comment", COMMENT.sub("", text[start:end]), safe=not opened),
            )


# --- metadata-invisible-characters -----------------------------------------------------

# The YAML escapes of the invisible characters, as they stand in a double-quoted scalar.
_ESCAPE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))")
_PERCENT_INVISIBLE = re.compile(r"%e2%80%8[b-f]|%e2%81%a0|%c2%ad|%ef%bb%bf|%e2%80%a[a-e]|%e2%81%a[6-9]", re.IGNORECASE)


def _invisible_escape(m: re.Match) -> bool:
    code = int(next(g for g in m.groups() if g), 16)
    return code < 0x110000 and bool(CONTROL.fullmatch(chr(code))) and code not in (0x200C, 0x200D)


@detector("metadata-invisible-characters", fields=["title", "source_url", "canonical_url"])
def metadata_invisible_characters(doc: Document, params: dict, context: Any) -> Iterable[Hit]:
    """Zero-width, word-joiner, soft-hyphen and bidi characters in the title and URL fields
    (written as characters, YAML escapes or percent-encoded in a URL)."""
    for field in params["fields"]:
        value = doc.record.get(field)
        if not isinstance(value, str) or not value:
            continue
        if field == "title" and not ((doc.frontmatter or {}).get("title") or "title" in doc.headers):
            continue  # a title read from the body: control-characters reports its line
        chars = [value[i] for i in invisible_positions(value)]
        encoded = _PERCENT_INVISIBLE.findall(value) if field != "title" else []
        if not chars and not encoded:
            continue
        names = sorted({f"U+{ord(c):04X}" for c in chars} | {e.lower() for e in encoded})
        line = doc.trace.line_of(field) or 1
        fix = None
        if field == "title" and chars:
            line, fix = _title_fix(doc, line)
        yield Hit(
            line=line,
            values={"field": field, "chars": ", ".join(names)},
            excerpt=value[:200],
            fix=fix
            or Fix(
                f"remove them from {field}"
                + (" (the URL itself carries them: check which URL the page answers on)" if encoded else ""),
                None,
                safe=False,
            ),
        )


def _clean_line(text: str) -> str:
    cleaned = _ESCAPE.sub(lambda m: "" if _invisible_escape(m) else m.group(0), text)
    return remove_at(cleaned, invisible_positions(cleaned))


def _title_fix(doc: Document, line: int) -> tuple[int, Fix | None]:
    """`(line, fix)`: the one line of the title's scalar (a key line and its continuation
    lines) that holds the invisible characters, and a fix removing them there, given when
    the frontmatter then parses to the same title without them (or it is a header line)."""
    if doc.frontmatter is None:
        text = doc.line_text(line)
        return line, (
            Fix("remove the invisible characters from the title", _clean_line(text))
            if _clean_line(text) != text
            else None
        )
    raw = doc.lines[: doc.body_start]
    index = line - doc.line_offset - 1
    end = index + 1
    while end < len(raw) - 1 and not _KEY.match(raw[end]):
        end += 1
    dirty = [i for i in range(index, end) if 0 <= i < len(raw) and _clean_line(raw[i]) != raw[i]]
    if len(dirty) != 1 or raw[0].strip() != "---":
        return line, None
    at = dirty[0]
    edited = raw[:at] + [_clean_line(raw[at])] + raw[at + 1 :]
    data = parse_frontmatter(edited).data  # None when the edited frontmatter does not parse
    want = doc.frontmatter.get("title")
    if (
        not isinstance(data, dict)
        or not isinstance(want, str)
        or data.get("title") != remove_at(want, invisible_positions(want))
    ):
        return at + doc.line_offset + 1, None
    return at + doc.line_offset + 1, Fix("remove the invisible characters from the title", edited[at])


_KEY = re.compile(r"^[\w-]+\s*:|^---\s*$")


# --- glued-words -----------------------------------------------------------------------

# A lower-case word glued to a capitalised one ("ofLiberia"), or two capitalised words
# ("PalmToasted"); URLs, handles, hashtags and file names are cut out first.
GLUED = re.compile(r"(?<![\w#@/.\\?&=-])([A-Za-z][a-z]+)([A-Z][a-z]{1,})(?![\w@/\\-]|\.\w)")
# What every GLUED match contains: a cheap search that rules out most lines.
_CASE_STEP = re.compile(r"[a-z][A-Z]")
_NOT_TEXT = re.compile(r"https?://\S+|www\.\S+|\]\([^)]*\)|\S+@\S+|<[^>]*>")
_PARTICLES = {
    "de",
    "da",
    "di",
    "du",
    "del",
    "della",
    "van",
    "von",
    "la",
    "le",
    "mc",
    "mac",
    "al",
    "el",
    "bin",
    "ibn",
    "ben",
}
_HARD_BREAK = ("  ", "\\")
# A list item of words only (a menu line "Hearts of PalmToasted Shallots"), not a list of
# names with commas ("Nancy Weis, AutoNation") nor a single name ("KeyBank").
_TITLE_LINE = re.compile(r"^[^\W\d_][\w'’&-]*(?:\s+[\w'’&-]+)+$")


@lru_cache(maxsize=1)
def spelling_words():
    """pyspellchecker's English word list (loaded once per process)."""
    from spellchecker import SpellChecker

    return SpellChecker(distance=1).word_frequency.dictionary


@detector("glued-words")
def glued_words(doc: Document, params: dict, context: Any) -> Iterable[Hit]:
    """Two words written as one where a space or line break was lost. Reported when a
    known lower-case word runs into a capitalised one ("ofLiberia"), or two capitalised
    dictionary words join inside a line of a list of short lines ("Hearts of PalmToasted
    Shallots" in a menu), and the form is not a known CamelCase name and occurs once."""
    lines = facts_of(doc).body_lines
    # Masking only puts spaces in a line: a line without a case step has no match either way.
    stepped = [i for i, (_, t) in enumerate(lines) if _CASE_STEP.search(t)]
    if not any(GLUED.search(lines[i][1]) for i in stepped):
        return
    known = _known_names(params, context)
    words = spelling_words()
    counts: dict[str, int] = {}
    for i in stepped:
        for m in GLUED.finditer(_NOT_TEXT.sub(" ", lines[i][1])):
            counts[m.group(0)] = counts.get(m.group(0), 0) + 1
    for i in stepped:
        number, text = lines[i]
        masked = _NOT_TEXT.sub(lambda m: " " * len(m.group(0)), text)
        for m in GLUED.finditer(masked):
            token, first, second = m.group(0), m.group(1), m.group(2)
            if counts[token] > 1 or token.lower() in known or token.lower() in words:
                continue
            ok = len(second) >= 3 and second.lower() in words
            if first[0].islower():
                ok = ok and first in words and first not in _PARTICLES
            else:
                # A lost line break glues the end of one line to the start of the next, so
                # the pair follows words of the first line ("Hearts of PalmToasted"); a
                # list line that starts with the form is a name ("ReadyCap Lending").
                ok = (
                    ok
                    and len(first) >= 3
                    and first.lower() in words
                    and _TITLE_LINE.match(text.strip(" *_-\\"))
                    and bool(masked[: m.start()].strip(" *_-\\"))
                    and _in_short_list(lines, i, params["max_list_words"])
                )
            if ok:
                yield Hit(
                    line=number,
                    column=m.start() + 1,
                    end_column=m.end() + 1,
                    values={"word": token, "split": f"{first} {second}"},
                    fix=Fix(
                        f"separate the words ({first} / {second}): a space or a line break was lost",
                        f"{first} {second}",
                        safe=False,
                    ),
                )


def _in_short_list(lines: list[tuple[int, str]], i: int, limit: int) -> bool:
    """Whether line `i` is one of a run of short lines broken by hand (a menu, a list of
    names): each is short, and it or a neighbour ends with a markdown hard break, or each
    is in title case and none ends like a sentence (wrapped prose is mostly lower case)."""
    run = [lines[j][1] for j in (i - 1, i, i + 1) if 0 <= j < len(lines) and lines[j][1].strip()]
    breaks = any(t.endswith(_HARD_BREAK) for t in run) or all(_title_case(t) and not ends_sentence(t) for t in run)
    return breaks and len(run) >= 2 and all(len(t.split()) <= limit for t in run)


def _title_case(text: str) -> bool:
    """The line's words of four letters or more are mostly capitalised ("Ricotta Cheese with Asparagus")."""
    long = [w for w in text.split() if len(w) >= 4 and w[0].isalpha()]
    return bool(long) and sum(w[0].isupper() for w in long) * 2 > len(long)


def _known_names(params: dict, context: Any) -> set[str]:
    names = [str(n) for n in params.get("names") or []]
    if params.get("names_file") and context is not None:
        data = context.yaml(params["names_file"]) or {}
        names += [str(n) for n in (data.get("names") or [])] if isinstance(data, dict) else []
    return {n.lower() for n in names}
