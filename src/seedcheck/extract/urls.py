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
