"""Same source URL in several documents (`duplicate-url`), and the URL normalisation
the duplicate rules share."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, ClassVar
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from ..model import Fix, Hit
from . import Analyzer, analyzer

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_url(url: str) -> str:
    """Compare URLs the way a reader would: `http`/`https`, host case, `www.`, the default
    port, a trailing slash, `index.html`, percent-encoding case, the fragment, tracking
    parameters and the order of the other query parameters do not make a different page.

    ``HTTP://WWW.WhiteHouse.gov:443/briefing-room/x/?utm_source=feed#top`` and
    ``https://whitehouse.gov/briefing-room/x`` both give ``whitehouse.gov/briefing-room/x``.
    """
    from ..extract.urls import TRACKING

    text = str(url).strip()
    if not _SCHEME.match(text) and not text.startswith("//"):
        text = "//" + text  # "www.example.com/x": a host, not a relative path
    try:
        parts = urlsplit(text)
        port = parts.port
        host = (parts.hostname or "").lower().rstrip(".").removeprefix("www.")
    except ValueError:
        return str(url).strip()
    if port and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    # Decode then re-encode the path so `%7E`, `%7e` and `~` compare equal.
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~")
    path = re.sub(r"/+", "/", path)
    path = re.sub(r"/(index|default)\.(html?|php|aspx?)$", "/", path, flags=re.IGNORECASE)
    path = path.rstrip("/") or "/"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k)))
    return urlunsplit(("", host, path, query, "")).removeprefix("//")


@analyzer
class SourceUrls(Analyzer):
    """`duplicate-url`: documents whose source URLs normalise to the same page."""

    name = "urls"
    DEFAULTS: ClassVar[dict[str, dict[str, Any]]] = {"duplicate-url": {
        "official_domains": [".gov", ".mil", ".gob.mx", ".gc.ca", ".gov.uk", ".gouv.fr", ".bund.de", "europa.eu", "un.org"],
    }}

    @classmethod
    def collect(cls, doc, context) -> Any:
        from .keep import keep_info

        url = doc.record.get("source_url")
        if not url or not isinstance(url, str):
            return None
        length = sum(len(text.strip()) for _, text in doc.body_lines())
        return normalise_url(url), doc.record.get("_lines", {}).get("source_url") or 1, keep_info(doc.record, length, doc.doc_id)

    @classmethod
    def blocking_keys(cls, state, params: dict[str, dict]) -> list[str]:
        """Spark engine: only documents with the same normalised URL are compared."""
        return [state[0]] if state else []

    @classmethod
    def finish(cls, states, rules, context) -> Iterable[tuple]:
        from .keep import keep_key

        official = rules["duplicate-url"].params["official_domains"] if "duplicate-url" in rules else []
        changed = frozenset(getattr(context, "changed_ids", None) or ())
        groups: dict[str, list[tuple[str, int, Any]]] = defaultdict(list)
        for doc_id, state in states:
            if state:
                groups[state[0]].append((doc_id, state[1], state[2]))
        number = 0
        for url in sorted(groups):
            members = groups[url]
            if len(members) < 2:
                continue
            number += 1
            info = {d: k for d, _, k in members}
            keeper = min(info, key=lambda d: keep_key(d, info[d], official, changed))
            ids = sorted(info)
            for doc_id, line, keep in members:
                yield _url_hit(doc_id, line, keep, url, ids, keeper, info, official, changed, f"url-{number}")


def _url_hit(doc_id, line, keep, url, ids, keeper, info, official, changed, cluster_id) -> tuple:
    """The `duplicate-url` finding of one copy: keep or drop it (and the record patch)."""
    from .keep import keep_reason

    others = [d for d in ids if d != doc_id]
    values = {"url": url, "others": ", ".join(others), "count": len(others), "keeper": keeper}
    if doc_id == keeper:
        reason = keep_reason(keep, info[others[0]], official, (doc_id in changed, others[0] in changed))
        values["decision"] = f"keep this copy ({reason})"
        fix = Fix(f"keep this copy ({reason}); remove {', '.join(others)}", None, safe=False)
        patch = {}
    else:
        reason = keep_reason(info[keeper], keep, official, (keeper in changed, doc_id in changed))
        values["decision"] = f"drop this copy, keep {keeper} ({reason})"
        fix = Fix(f"remove this document: {keeper} is the copy to keep ({reason})", None, safe=False)
        patch = {"duplicate_of": keeper}
    cluster = {"id": cluster_id, "keeper": keeper, "reason": reason, "similarity": dict.fromkeys(others, 1.0)}
    return "duplicate-url", doc_id, Hit(line=line, values=values, fix=fix, related=others, cluster=cluster), patch
