"""Metadata detectors: dates (future, mismatched), source URLs (invalid, insecure, tracking,
untrusted domain) and syndicated copies.

They read what `extract/metadata.py` stored: `Facts.dates` (every stated date with its
line), `Facts.attribution` and the record's field lines, so the parsing lives in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

from ...extract.dates import distance_days
from ...extract.urls import domain_of, is_trusted, strip_tracking, tracking_params, url_problem
from ...facts import facts_of
from ...model import Document, Fix, Hit
from . import detector

_WHERE = {
    "frontmatter.date": "frontmatter date",
    "frontmatter.published_time": "frontmatter published_time",
    "header": "Date header",
    "dateline": "dateline",
    "source_url": "source URL path",
    "canonical_url": "attribution URL path",
}


def _url_fields(doc: Document, fields: Iterable[str]) -> Iterable[tuple[str, str, int, int | None, int | None]]:
    """`(field, url, line, column, end_column)` for each URL field that is set."""
    for field in fields:
        url = doc.record.get(field)
        if not url:
            continue
        line = doc.trace.line_of(field) or 1
        col = doc.line_text(line).find(url) + 1
        yield field, url, line, (col or None), ((col + len(url)) if col else None)


@detector("future-date")
def future_date(doc: Document, params: dict, context) -> Iterable[Hit]:
    """Any stated full date after the day of the run."""
    today = context.today
    for item in facts_of(doc).dates:
        full = item["value"].as_date()
        if full is not None and full > today:
            yield Hit(
                line=item["line"],
                column=item["column"],
                end_column=item["end_column"],
                values={
                    "value": full.isoformat(),
                    "where": _WHERE[item["source"]],
                    "today": today.isoformat(),
                    "days": (full - today).days,
                },
                fix=Fix(
                    f"check the {_WHERE[item['source']]} against the source; "
                    f"a published document cannot be dated after {today.isoformat()}",
                    None,
                    safe=False,
                ),
            )


@detector("date-mismatch")
def date_mismatch(doc: Document, params: dict, context) -> Iterable[Hit]:
    """Stated dates that disagree with the first full date by more than the tolerance.

    Each date is compared as written, in its own time zone, at the coarser granularity
    of the two (a /2025/07/ URL is the whole of July; "June 8" takes the nearest year).
    """
    dates = facts_of(doc).dates
    primary = next((d for d in dates if d["value"].as_date() is not None), None)
    if primary is None:
        return
    tolerance = int(params["tolerance_days"])
    for item in dates:
        if item is primary:
            continue
        gap = distance_days(primary["value"], item["value"])
        if gap is None or gap <= tolerance:
            continue
        yield Hit(
            line=item["line"],
            column=item["column"],
            end_column=item["end_column"],
            values={
                "value": item["value"].isoformat(),
                "where": _WHERE[item["source"]],
                "primary": primary["value"].isoformat(),
                "primary_where": _WHERE[primary["source"]],
                "primary_line": primary["line"],
                "days": gap,
            },
            related=[f"line {primary['line']}: {_WHERE[primary['source']]} {primary['value'].isoformat()}"],
            fix=Fix(
                f"make the {_WHERE[item['source']]} agree with the {_WHERE[primary['source']]} "
                f"({primary['value'].isoformat()}), or correct whichever is wrong",
                None,
                safe=False,
            ),
        )


@detector("invalid-source-url", fields=["source_url", "canonical_url"])
def invalid_source_url(doc: Document, params: dict, context) -> Iterable[Hit]:
    """A source or attribution URL that is not a valid absolute http(s) URL."""
    for field, url, line, col, end in _url_fields(doc, params["fields"]):
        problem = url_problem(url)
        if problem:
            yield Hit(
                line=line,
                column=col,
                end_column=end,
                values={"url": url, "field": field, "problem": problem},
                fix=Fix(f"write {field} as a full https:// URL, percent-encoding special characters", None, safe=False),
            )


@detector("insecure-source-url", fields=["source_url"])
def insecure_source_url(doc: Document, params: dict, context) -> Iterable[Hit]:
    """A source URL on plain `http://`."""
    for field, url, line, col, end in _url_fields(doc, params["fields"]):
        if url.lower().startswith("http://") and not url_problem(url):
            fixed = "https://" + url[len("http://") :]
            yield Hit(
                line=line,
                column=col,
                end_column=end,
                values={"url": url, "field": field},
                fix=Fix(f"use https (check that {fixed} serves the same page)", fixed, safe=False),
            )


@detector("tracking-parameters", fields=["source_url", "canonical_url"])
def tracking_parameters(doc: Document, params: dict, context) -> Iterable[Hit]:
    """utm_*, fbclid, gclid and similar click/campaign parameters in a URL."""
    for field, url, line, col, end in _url_fields(doc, params["fields"]):
        if url_problem(url):
            continue
        parts = urlsplit(url)
        found = tracking_params(parts.query)
        if found:
            clean = urlunsplit(parts._replace(query=strip_tracking(parts.query)))
            yield Hit(
                line=line,
                column=col,
                end_column=end,
                values={"url": url, "field": field, "params": ", ".join(dict.fromkeys(found))},
                fix=Fix("remove the tracking parameters", clean if col else None, safe=bool(col)),
            )


@detector("untrusted-source-domain")
def untrusted_source_domain(doc: Document, params: dict, context) -> Iterable[Hit]:
    """A source URL whose domain is not in the trusted list (data file plus the `trusted` parameter)."""
    trusted = list(params.get("trusted") or [])
    if params.get("trusted_file"):
        data = context.yaml(params["trusted_file"]) or {}
        trusted += [str(d) for d in (data.get("domains") or [])] if isinstance(data, dict) else []
    for field, url, line, col, end in _url_fields(doc, ["source_url"]):
        if url_problem(url):
            continue
        domain = domain_of(url)
        if not is_trusted(domain, trusted):
            yield Hit(
                line=line,
                column=col,
                end_column=end,
                values={"url": url, "domain": domain, "field": field},
                fix=Fix(
                    f"replace it with the original on an official domain, or add {domain} to "
                    f"checks/data/{params.get('trusted_file') or 'trusted-sources.yaml'} if it is a trusted source",
                    None,
                    safe=False,
                ),
            )


@detector("syndicated-copy")
def syndicated_copy(doc: Document, params: dict, context) -> Iterable[Hit]:
    """A body that credits another original ("Official news published at <url>")."""
    att = facts_of(doc).attribution
    if not att or (params["require_url"] and not att["url"]):
        return
    url = att["url"] or ""
    text = doc.line_text(att["line"])
    yield Hit(
        line=att["line"],
        column=1,
        end_column=len(text) + 1 if text else None,
        values={"url": url or "(no URL)", "attribution": att["text"].strip()},
        related=[f"canonical_url: {url}"] if url else [],
        fix=Fix(
            f"replace this copy with the original{(' at ' + url) if url else ''} (set source_url to it), "
            "or keep it and waive the finding",
            None,
            safe=False,
        ),
    )
