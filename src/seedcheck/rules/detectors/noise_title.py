"""The `noise-repeated-title` rule: copies of the title near the top of the body (an exact
repeat, the title with a breadcrumb glued to it, a cut-off copy ending in an ellipsis)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ...model import Document, Hit
from . import detector
from .layout import Layout, comparable, layout
from .noise import _hit

_SITE_SUFFIX = re.compile(r"\s+[-|–—:·]\s+[^-|–—:·]{2,40}$")
_CRUMB_SEPARATOR = re.compile(r"\s(?:>|»|›|/|\||→)\s|&gt;")
_ELLIPSIS = re.compile(r"(?:\.\.\.|…)\s*$")


def title_variants(title: str) -> list[str]:
    """The title as it may be repeated: itself, and without a " - Site Name" suffix."""
    out = [comparable(title)]
    trimmed = _SITE_SUFFIX.sub("", title.strip())
    if trimmed != title.strip():
        out.append(comparable(trimmed))
    return [t for t in out if len(t.split()) >= 3]


def _record_title(doc: Document, lay: Layout) -> list[tuple[str, int | None]]:
    """(comparable title, layout index of the kept copy) for the record's title."""
    title = doc.record.get("title")
    # A "title" that is a sentence or a paragraph (taken from the first content line of an
    # untitled text) is not a headline: a repeat of it is a duplicate paragraph.
    if not (isinstance(title, str) and title.strip() and not title.rstrip().endswith(".") and len(title.split()) <= 30):
        return []
    kept = lay.index_of(lay.title_line) if lay.title_line else None
    if kept is None:
        # The title came from frontmatter or a header line: official pages open the body
        # with the title as a heading, so a copy on the first content line is that heading;
        # later copies are repeats.
        first = next((i for i in range(len(lay.norm)) if not lay.structure[i]), None)
        if first is not None and comparable(lay.norm[first]) in title_variants(title):
            kept = first
    return [(variant, kept) for variant in title_variants(title)]


def _top_repeats(lay: Layout, top: int, candidates: list[tuple[str, int | None]]) -> list[tuple[str, int | None]]:
    """Heading-like lines near the top that reappear, each with its first clean copy."""
    out: list[tuple[str, int | None]] = []
    seen: dict[str, int] = {}
    for i in range(min(len(lay.norm), top)):
        if lay.structure[i] or lay.terminal[i] or lay.wrapped[i]:
            continue
        key = comparable(lay.norm[i])
        if len(key.split()) >= 4 and key in seen and all(key != c for c, _ in candidates + out):
            out.append((key, seen[key]))
        seen.setdefault(key, i)
    return out


def _first_sentence(lay: Layout) -> int:
    """The layout index of the first line of running text (a sentence), or len(lines)."""
    return next(
        (
            k
            for k in range(len(lay.norm))
            if (lay.prose[k] or lay.wrapped[k])
            and lay.terminal[k]
            and lay.numbers[k] != lay.title_line
            and not lay.structure[k]
        ),
        len(lay.norm),
    )


@detector("noise-repeated-title")
def repeated_title(doc: Document, params: dict, context: Any) -> Iterable[Hit]:
    """Copies of the title in the body, other than the line the title was taken from: an
    exact repeat, or the title glued to a breadcrumb or cut off with an ellipsis
    ("HomeUncategorizedReadout of … Obrador..."). Heading-like lines repeated near the top
    count too, so a scraped page whose title was not recognised is still caught."""
    lay = layout(doc)
    candidates = _record_title(doc, lay)
    candidates += _top_repeats(lay, params["top"], candidates)
    out: dict[int, Hit] = {}
    first_sentence = _first_sentence(lay)
    # When the title came from frontmatter or a header line, `kept` is None: every body
    # copy is a repeat.
    title_at = lay.index_of(lay.title_line) if lay.title_line else None
    for key, kept in candidates:
        if kept is None or kept not in out:
            _copies_of(lay, key, kept, title_at, first_sentence, params, out)
    return [out[i] for i in sorted(out)]


def _copies_of(
    lay: Layout, key: str, kept: int | None, title_at: int | None, first_sentence: int, params: dict, out: dict
) -> None:
    """Add to `out` the lines near the top that copy the title `key` (not its kept copy)."""
    for i, norm in enumerate(lay.norm):
        # Scrapers repeat the title in the page header; a heading that matches the title
        # further down (a declaration's own heading after a preamble) is content, and so is
        # a copy after the first paragraph of sentences (an author's lead-in).
        if not (lay.in_head(i) or i < params["top"]) or i > first_sentence:
            break
        if i == kept or i in out or lay.structure[i] or lay.wrapped[i] or lay.numbers[i] == lay.title_line:
            continue
        line_key = comparable(norm)
        if line_key == key:
            if kept is not None and kept == title_at and kept < i and comparable(lay.norm[kept]) != key:
                # "Headline - Site Name" over "Headline": the page's title line is the copy.
                out[kept] = _title_hit(lay, kept, "the page title with the site name over the headline", safe=False)
                break
            out[i] = _title_hit(lay, i, "repeats the title")
            continue
        glued = _glued_copy(lay.raw[i].strip(), line_key, key, params)
        if glued:
            out[i] = _title_hit(lay, i, glued)


def _glued_copy(raw: str, line_key: str, key: str, params: dict) -> str | None:
    """Whether the line is the title with a few glued or extra words, or a cut-off prefix."""
    if len(line_key) <= len(key) // 2:
        return None
    if line_key.endswith(key) and line_key != key:
        # Breadcrumbs in front of the title, glued ("HomeNewsReadout of …") or with
        # separators ("Home > News > Readout of …"); "SUBJECT: <title>" is a memo header.
        extra = len(line_key.split()) - len(key.split())
        glued = not line_key[: len(line_key) - len(key)].endswith(" ")
        separated = _CRUMB_SEPARATOR.search(raw) is not None
        if extra <= params["max_extra_words"] and (glued or separated):
            return "the title with breadcrumbs glued to it"
        return None
    if _ELLIPSIS.search(raw):
        # "…Obrador..." : the longest title prefix the line ends with.
        words = key.split()
        line_words = line_key.split()
        for cut in range(len(words) - 1, max(2, int(len(words) * params["min_prefix"])) - 1, -1):
            prefix = " ".join(words[:cut])
            # A breadcrumb glued to the first word: "homeuncategorizedreadout of ..."
            tail = " ".join(line_words[-cut:])
            matches = tail == prefix or (tail.endswith(prefix[len(words[0]) :]) and line_words[-cut].endswith(words[0]))
            if matches and len(line_words) - cut <= params["max_extra_words"]:
                return "a cut-off copy of the title"
    return None


def _title_hit(lay: Layout, i: int, reason: str, safe: bool = True) -> Hit:
    hit = _hit(lay, i, lay.norm[i], reason, safe=safe)
    hit.values["reason"] = reason
    return hit
