"""URL helpers: parsing, validation and tracking parameters."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

# Query parameters that identify a campaign or a click, not a page.
TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|gclsrc|dclid|gbraid|wbraid|msclkid|mc_cid|mc_eid|yclid|igshid|"
    r"_hsenc|_hsmi|mkt_tok|oly_anon_id|oly_enc_id|vero_id|rb_clickid|s_cid|ncid|cmpid|ocid|icid|"
    r"ref_src|ref_url|__twitter_impression|spm|share|sr_share)$",
    re.IGNORECASE,
)


def tracking_params(query: str) -> list[str]:
    """Names of the tracking parameters in a query string."""
    return [k for k, _ in parse_qsl(query, keep_blank_values=True) if TRACKING.match(k)]


def strip_tracking(query: str) -> str:
    """The query string without tracking parameters (order kept)."""
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not TRACKING.match(k)]
    return urlencode(kept)


def domain_of(url: str | None) -> str | None:
    """The lower-cased host of `url`, without `www.`; None when it has none."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return host.lower().removeprefix("www.") if host else None


# Characters RFC 3986 allows in a URL (plus `%` escapes); anything else (spaces, quotes,
# angle brackets, braces, backslashes, non-ASCII) must be percent-encoded.
_URL_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'\])}]+", re.IGNORECASE)


def url_problem(url: str) -> str | None:
    """Why `url` is not a valid absolute web URL, or None when it is.

    Checks the scheme (http or https), the host (dotted DNS labels or an IP, a real
    port), and the characters (RFC 3986 set, well-formed `%` escapes).
    """
    text = url.strip()
    if text != url or not text:
        return "it has leading or trailing spaces" if text else "it is empty"
    bad = sorted({c for c in text if not _URL_CHARS.match(c)}) if not _URL_CHARS.fullmatch(text) else None
    if bad:
        shown = ", ".join(repr(c) if c.isprintable() and c != " " else f"U+{ord(c):04X}" for c in bad)
        return f"it contains characters that must be percent-encoded: {shown}"
    if _BAD_ESCAPE.search(text):
        return "it has a '%' that does not start a two-digit hex escape"
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError on a non-numeric or out-of-range port
    except ValueError as exc:
        return f"it does not parse ({exc})"
    if not parts.scheme:
        return "it has no scheme (https://)"
    if parts.scheme.lower() not in ("http", "https"):
        return f"its scheme {parts.scheme!r} is not http or https"
    if not parts.netloc:
        return "it has no host after the scheme"
    host = parts.hostname or ""
    if not host:
        return "it has no host after the scheme"
    if port == 0:
        return "its port is 0"
    if re.fullmatch(r"[\d.]+", host):
        octets = host.split(".")
        if len(octets) != 4 or any(not o or int(o) > 255 for o in octets):
            return f"its host {host!r} is not a valid IP address"
        return None
    if host.startswith("[") or ":" in host:  # IPv6 literal; urlsplit validated the brackets
        return None
    labels = host.rstrip(".").split(".")
    if len(labels) < 2:
        return f"its host {host!r} has no domain suffix"
    for label in labels:
        if not _LABEL.match(label):
            return f"its host {host!r} has an invalid label {label!r}"
    if labels[-1].isdigit():
        return f"its host {host!r} ends in a number"
    return None


def is_trusted(domain: str | None, trusted: list[str]) -> bool:
    """True when `domain` is one of `trusted` or a subdomain of one.

    An entry starting with `.` (".gov") is a suffix: any domain ending in it matches.
    """
    if not domain:
        return False
    domain = domain.lower().rstrip(".")
    for entry in trusted:
        entry = str(entry).lower().strip().rstrip(".")
        if not entry:
            continue
        if entry.startswith("."):
            if domain.endswith(entry) or domain == entry[1:]:
                return True
        elif domain == entry or domain.endswith("." + entry):
            return True
    return False
