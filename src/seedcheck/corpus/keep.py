"""Which copy of a duplicate group to keep, shared by `duplicate-exact`, `duplicate-near`
and `duplicate-url`.

`keep_key` orders the copies; the first is kept:

1. under ``--changed-since``, a copy the change does not touch (the change adds the
   other copy, so the added one is dropped, never the committed one);
2. a copy on an official domain;
3. the copy whose source URL is its canonical URL;
4. a descriptive URL over an opaque one (a bare number ``…/11929/``, an
   ``auto-draft`` slug, a hash): the descriptive one is the page readers cite;
5. the earliest date, then the longest clean body, then the shorter and then the first
   document id (so the decision is deterministic).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from .url_norm import normalise_url

# The last path segment of a URL (or a file name) that says nothing about its page.
_OPAQUE = re.compile(
    r"(?:\d+|(?:auto-?)?draft(?:-[0-9a-z]{1,8})?|untitled(?:-\d+)?|[0-9a-f]{8,}|p=?\d+|post-?\d+)", re.IGNORECASE
)
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-?")
_EXTENSION = re.compile(r"\.(?:md|markdown|txt|html?|php|aspx?|jsonl?)$", re.IGNORECASE)


class KeepInfo(NamedTuple):
    """What the keep policy looks at, per document (small)."""

    domain: str
    canonical: bool
    date: str
    length: int
    descriptive: bool = True


def descriptive(url: str) -> bool:
    """False when the last segment of `url` (a URL or a file name, without a leading
    ``YYYY-MM-DD-`` date and an extension) is an opaque id: ``…/11929/``,
    ``2025-08-15-auto-draft-2708.md``, ``?p=123``; True for a slug of words."""
    text = str(url or "").strip()
    try:
        parts = urlsplit(text)
        path, query = unquote(parts.path), parts.query
    except ValueError:
        path, query = text, ""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    last = _DATE_PREFIX.sub("", _EXTENSION.sub("", last))
    if not last and query:
        last = query
    return bool(last) and not _OPAQUE.fullmatch(last)


def keep_info(record: dict, length: int, doc_id: str = "") -> KeepInfo:
    """The keep-policy facts of one record."""
    url, canonical = record.get("source_url"), record.get("canonical_url")
    # A copy whose own URL is the original (no attribution pointing elsewhere) is canonical.
    is_canonical = bool(url) and (not canonical or normalise_url(str(url)) == normalise_url(str(canonical)))
    date = record.get("date") or ""
    return KeepInfo(
        str(record.get("source_domain") or "").lower(),
        is_canonical,
        str(date),
        length,
        descriptive(str(url) if url else doc_id),
    )


def is_official(domain: str, official: Iterable[str]) -> bool:
    """True when `domain` is one of `official` or under it (`.gov` matches `whitehouse.gov`)."""
    for d in official:
        d = str(d).lower()
        if domain and (domain == d.lstrip(".") or domain.endswith(d if d.startswith(".") else "." + d)):
            return True
    return False


def keep_key(doc_id: str, info: KeepInfo, official: Iterable[str], changed: Collection[str] = ()) -> tuple:
    """Sort key: the first document of a group is the one to keep (`changed`: the ids a
    ``--changed-since`` run focuses on, which lose to every committed copy)."""
    # Last, the shorter id: "x.md" before its re-scrape "x-2.md".
    return (
        doc_id in changed,
        not is_official(info.domain, official),
        not info.canonical,
        not info.descriptive,
        info.date or "9999",
        -info.length,
        len(doc_id),
        doc_id,
    )


def keep_reason(
    kept: KeepInfo, other: KeepInfo, official: Iterable[str], changed: tuple[bool, bool] = (False, False)
) -> str:
    """Why `kept` wins over `other`, in words (`changed`: whether each is in the change)."""
    if changed[0] != changed[1]:
        return "already in the corpus; the change adds the other copy"
    if is_official(kept.domain, official) != is_official(other.domain, official):
        return "official domain"
    if kept.canonical != other.canonical:
        return "canonical URL"
    if kept.descriptive != other.descriptive:
        return "descriptive URL"
    if kept.date != other.date and kept.date:
        return "earlier date"
    if kept.length != other.length:
        return "longer clean body"
    return "tie: shorter, then first document id"
