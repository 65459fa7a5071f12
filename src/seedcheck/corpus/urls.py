"""Same source URL in several documents (`duplicate-url`)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable
from urllib.parse import urlsplit, urlunsplit

from ..model import Hit
from . import Analyzer, analyzer


def normalise_url(url: str) -> str:
    """Compare URLs the way a reader would: scheme, host case, `www.`, trailing slash,
    fragments and tracking parameters do not make a different page."""
    from ..extract.urls import strip_tracking

    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/") or "/"
    query = strip_tracking(parts.query)
    return urlunsplit(("", host, path, query, ""))


@analyzer
class SourceUrls(Analyzer):
    name = "urls"
    DEFAULTS = {"duplicate-url": {}}

    @classmethod
    def collect(cls, doc, context) -> Any:
        url = doc.record.get("source_url")
        return (normalise_url(url), doc.record.get("_lines", {}).get("source_url") or 1) if url else None

    @classmethod
    def finish(cls, states, rules, context) -> Iterable[tuple[str, str, Hit]]:
        groups: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for doc_id, state in states:
            if state:
                groups[state[0]].append((doc_id, state[1]))
        for url, members in groups.items():
            if len(members) < 2:
                continue
            ids = [d for d, _ in members]
            for doc_id, line in members:
                others = [d for d in ids if d != doc_id]
                yield "duplicate-url", doc_id, Hit(
                    line=line, values={"url": url, "others": ", ".join(others), "count": len(others)},
                    related=others,
                )
