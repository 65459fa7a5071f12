"""URL normalisation shared by the duplicate rules and the keep policy (imports no analyzer)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from ..extract.urls import TRACKING

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_url(url: str) -> str:
    """Compare URLs the way a reader would: `http`/`https`, host case, `www.`, the default
    port, a trailing slash, `index.html`, percent-encoding case, the fragment, tracking
    parameters and the order of the other query parameters do not make a different page.

    ``HTTP://WWW.WhiteHouse.gov:443/briefing-room/x/?utm_source=feed#top`` and
    ``https://whitehouse.gov/briefing-room/x`` both give ``whitehouse.gov/briefing-room/x``.
    """
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
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k))
    )
    return urlunsplit(("", host, path, query, "")).removeprefix("//")
