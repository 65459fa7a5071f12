"""`body-url-mismatch`: a document whose title and body are about something its source URL
does not name: the record holds another release's text (a CMS copy under the wrong URL).

Publishers derive the URL's last path segment (the slug) from the title the page was
created with, so a slug that shares almost no content word with the title, nor with the
body, means the text was replaced after the URL was made. Words of the publisher's title
template (`generic_words`: "fact sheet", "statement", the principal's name) are left out,
or every release would share them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

from ...facts import facts_of
from ...model import Document, Fix, Hit
from . import detector

_WORD = re.compile(r"[a-z]{3,}")
_SUFFIXES = ("ing", "ies", "ed", "es", "s")


class _FoldTable(dict):
    """`str.translate` table: a character's NFKD decomposition without combining marks,
    computed on first sight (marks are dropped whatever their order, so folding character
    by character equals folding the whole text)."""

    def __missing__(self, char: int) -> str:
        folded = self[char] = "".join(
            c for c in unicodedata.normalize("NFKD", chr(char)) if not unicodedata.combining(c)
        )
        return folded


_FOLD = _FoldTable()


def _fold(text: str) -> str:
    text = text.lower()
    return text if text.isascii() else text.translate(_FOLD)


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: len(word) - len(suffix)][:6]
    return word[:6]


def stems(text: str, drop: frozenset[str] = frozenset()) -> set[str]:
    """Crude stems (first 6 letters after a plural/verb suffix) of the words of `text`."""
    return {_stem(w) for w in set(_WORD.findall(_fold(text))) - drop}


def slug_words(url: str) -> str:
    """The words of a URL's last path segment, numbers and a `-2` copy suffix dropped."""
    try:
        path = urlsplit(url).path
    except ValueError:  # "http://[bad" and the like: invalid-source-url's part
        return ""
    segment = unquote(path.rstrip("/").rsplit("/", 1)[-1])
    segment = re.sub(r"\.[a-z]{2,5}$", "", segment)
    return re.sub(r"\b\d+\b", " ", segment.replace("-", " ").replace("_", " "))


@detector("body-url-mismatch")
def body_url_mismatch(doc: Document, params: dict, context: Any) -> Iterable[Hit]:
    """The source URL's slug shares at most `max_title_overlap` of its content words with
    the title and at most `max_body_overlap` with the body."""
    url, title = doc.record.get("source_url"), doc.record.get("title")
    if not url or not title:
        return
    drop = frozenset(str(w).lower() for w in (params["stopwords"] or []) + (params["generic_words"] or []))
    slug = stems(slug_words(url), drop)
    if len(slug) < params["min_slug_words"]:
        return
    in_title = slug & stems(title)
    if len(in_title) / len(slug) > params["max_title_overlap"]:
        return
    in_body = slug & stems(facts_of(doc).body)
    if len(in_body) / len(slug) > params["max_body_overlap"]:
        return
    line = doc.trace.line_of("source_url") or 1
    yield Hit(
        line=line,
        values={
            "slug": " ".join(slug_words(url).split()),
            "title": title,
            "title_share": f"{len(in_title)}/{len(slug)}",
            "body_share": f"{len(in_body)}/{len(slug)}",
        },
        fix=Fix(
            "replace the text with the release the URL names (or correct the URL); "
            "check for a copy of this text elsewhere in the corpus",
            None,
            safe=False,
        ),
    )
