"""Title, date and source URL from frontmatter, header lines, the body's top and its attribution.

Fills `title`, `date`, `date_source`, `published_time`, `source_url`, `source_domain`,
`canonical_url` and `tags`; records in the record's trace (`RecordTrace`) the file line
each field came from and, for an undated body, the date it states (missing-date's fix);
and sets for the metadata rules (`Facts`):
- `dates`: every date the document states, in order of authority (docs/SPEC.md section 4):
  frontmatter `date`, `published_time`, header, dateline, source URL, attribution URL;
- `attribution`: the attribution line ("Official news published at <url>"), if any.
Dates that do not exist are `invalid-date` hits here, where the raw text is at hand.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from ..facts import facts_of
from ..model import Document, Fix, Hit
from .dates import DateProblem, DateValue, find_dateline, full_dates, parse_date, url_date
from .urls import URL_IN_TEXT, domain_of, url_problem

_MARKUP = re.compile(r"^[#>\s*_]+|[*_]+$")
_WORD = re.compile(r"[^\W\d_]{2,}")
# A breadcrumb glued to the title by a scraper: "HomeUncategorizedReadout of ...".
_GLUED = re.compile(r"^(?:Home|Inicio|Start)(?=[A-Z])|^\S*[a-z][A-Z]\S*[a-z][A-Z]")
_TRUNCATED = re.compile(r"(?:\.\.\.|…)\s*$")
# Lines that credit another original. Group `url` when the URL is on the line.
ATTRIBUTION = re.compile(
    r"^[\s*_>(\[-]*(?P<lead>official news published (?:at|on|in)|"
    r"(?:this (?:article|story|release|post|piece|report|statement) (?:was |is |has been )?)?"
    r"(?:(?:(?:originally|first) (?:published|appeared|posted|ran)|(?:published|appeared|posted) (?:originally|first))"
    r" (?:at|on|in|by)|(?:republished|reprinted)(?: with permission)? from)|"
    r"read (?:the )?(?:original|full) (?:article|story|release|post) (?:at|on)|"
    r"source of (?:the )?original|with information from|con información de)\b",
    re.IGNORECASE,
)
DATE_SOURCES = ("frontmatter.date", "frontmatter.published_time", "header", "dateline", "source_url", "canonical_url")
DATELINE_LINES = 3  # a dateline opens the body: look at its first few content lines
JUNK_LINES = 8  # ... or follows page junk (weather, breadcrumbs, a newsletter prompt)
# `Title:`/`Date:`/`Source:` lines that ingest did not take as headers because junk lines
# came first; read when no more than JUNK_HEADER_SKIP lines precede them.
_HEADER_LINE = re.compile(r"^\s*(title|date|source|url)\s*:\s*(\S.*?)\s*$", re.IGNORECASE)
JUNK_HEADER_SKIP = 3
# Where a body states its own date ("Released: October 6, 2023", "Issued on ...").
_STATED_WORD = re.compile(r"\b(?:released|issued|published|posted|dated|updated|fecha)\b", re.IGNORECASE)
_STATED = re.compile(r"\b(?:released|issued|published|posted|dated|updated|fecha)\b(?:\s+on)?\s*:?\s*$", re.IGNORECASE)


def _clean_title(text: str) -> str:
    return " ".join(_MARKUP.sub("", text.replace("\u00a0", " ")).split())


def _scalar(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _title_like(text: str) -> bool:
    """A line that can be a title: 2+ words of letters, not a glued breadcrumb or a cut-off teaser."""
    return len(_WORD.findall(text)) >= 2 and not _GLUED.search(text) and not _TRUNCATED.search(text)


def find_title(doc: Document, top: int = 12) -> tuple[str | None, int | None]:
    """The title of a document without title metadata, and its line.

    Among the first `top` content lines, a line repeated there is the title (scraped pages
    print it as a heading and again above the body); else the first title-like line;
    else the first content line. Widgets ("90.5 F") and glued breadcrumbs are skipped.
    """
    content = [(n, _clean_title(t)) for n, t in facts_of(doc).content_lines]
    content = [(n, t) for n, t in content if t][:top]
    if not content:
        return None, None
    seen: dict[str, int] = {}
    for number, text in content:
        # 4+ words: short repeated lines are menus and share buttons ("Share on Facebook").
        if text in seen and _title_like(text) and len(_WORD.findall(text)) >= 4:
            return text, seen[text]
        seen.setdefault(text, number)
    counts: dict[str, int] = {}
    for _, text in content:
        counts[text] = counts.get(text, 0) + 1
    for number, text in content:
        if _title_like(text) and counts[text] == 1:  # a short line seen twice is a menu, not a title
            return text, number
    return content[0][1], content[0][0]


_WHERE = {
    "frontmatter.date": "frontmatter `date`",
    "frontmatter.published_time": "frontmatter `published_time`",
    "header": "the Date header",
    "dateline": "the dateline",
    "source_url": "the source URL path",
    "canonical_url": "the attribution URL path",
}


def _invalid(
    doc: Document,
    source: str,
    text: str,
    line: int | None,
    problem: str,
    column: int | None = None,
    end_column: int | None = None,
) -> None:
    where = _WHERE[source]
    doc.hits.append(
        (
            "invalid-date",
            Hit(
                line=line or 1,
                column=column,
                end_column=end_column,
                values={"value": text, "problem": problem, "where": where},
                fix=Fix(f"correct {where} against the original source, written YYYY-MM-DD", None, safe=False),
            ),
        )
    )


def _add_date(
    doc: Document,
    dates: list,
    source: str,
    text: str,
    line: int | None,
    column: int | None = None,
    end_column: int | None = None,
    parsed: DateValue | None = None,
) -> None:
    """Record one stated date, or an invalid-date hit when it cannot be read or does not exist."""
    if parsed is None:
        try:
            parsed = parse_date(text)
        except DateProblem as exc:
            _invalid(doc, source, text, line, str(exc), column, end_column)
            return
    dates.append(
        {
            "source": source,
            "text": text,
            "line": line or 1,  # where findings about it point
            "read_from": line,  # the line it was read from; None for a shard record's field
            "value": parsed,
            "column": column,
            "end_column": end_column,
        }
    )


def _url_dates(doc: Document, dates: list, source: str, url: str | None, line: int | None) -> None:
    """The date in a URL's path (/2023/11/17/ or /2025/07/), if it has one."""
    if not url or url_problem(url):
        return
    try:
        text, value = url_date(urlsplit(url).path)
    except DateProblem as exc:
        _invalid(doc, source, url, line, str(exc))
        return
    if value is not None:
        col = doc.line_text(line).find(text) + 1 if line else 0
        _add_date(doc, dates, source, text.strip("/"), line, col or None, (col + len(text)) if col else None, value)


def find_attribution(doc: Document) -> tuple[int, str, str | None, int] | None:
    """`(line, line text, URL or None, URL's line)` of the last attribution line in the body.

    The URL may be on the attribution line or on the next content line.
    """
    found = None
    lines = facts_of(doc).body_lines
    for i, (number, text) in enumerate(lines):
        if not ATTRIBUTION.match(text):
            continue
        url_match = URL_IN_TEXT.search(text)
        url = url_match.group(0) if url_match else None
        url_line = number
        if url is None:
            for nxt_number, nxt in lines[i + 1 : i + 3]:
                if nxt.strip():
                    m = URL_IN_TEXT.fullmatch(nxt.strip())
                    if m:
                        url, url_line = m.group(0), nxt_number
                    break
        found = (number, text, url.rstrip(".,;:") if url else None, url_line)
    return found


def _late_headers(doc: Document) -> None:
    """Header lines below a few junk lines at the top of a document without frontmatter
    (a weather reading or a glued breadcrumb above `Date:`); only well-formed values count."""
    if doc.frontmatter or doc.format == "jsonl":
        return
    content = facts_of(doc).content_lines[: JUNK_HEADER_SKIP + 4]
    start = next((i for i, (_, t) in enumerate(content) if _HEADER_LINE.match(t)), None)
    if start is None or start == 0 or start > JUNK_HEADER_SKIP:
        return
    for number, text in content[start:]:
        m = _HEADER_LINE.match(text)
        if not m:
            break
        key, value = {"url": "source"}.get(m.group(1).lower(), m.group(1).lower()), m.group(2)
        if key == "date" and not _full_date(value):
            continue
        if key == "source" and (not value.lower().startswith(("http://", "https://")) or url_problem(value)):
            continue
        doc.headers.setdefault(key, (value, number))


def _full_date(text: str) -> bool:
    try:
        return parse_date(text).as_date() is not None
    except DateProblem:
        return False


def propose_date(doc: Document, today: Any) -> dict | None:
    """The date an undated body states, as a fix for `missing-date`: a date on a line of
    its own or after "Released:"/"Issued on" anywhere, else the first full date in the
    first lines. `{"date", "line", "replacement", "description"}`, or None."""
    if doc.format == "jsonl":
        return None  # a JSONL record is not rewritten by `seedcheck fix`
    lines = facts_of(doc).content_lines
    candidates = []
    for index, (number, text) in enumerate(lines):
        early = index < DATELINE_LINES + 2
        if not (early or len(text) < 120 or _STATED_WORD.search(text)):
            continue  # a date inside running prose far down is an event's, not the release's
        for value, start, end in full_dates(text):
            own_line = not text[:start].strip(" *_#>-–—(") and not text[end:].strip(" *_.)")
            stated = bool(_STATED.search(text[:start]))
            if own_line or stated or early:
                candidates.append((0 if (own_line or stated) else 1, index, value, number, text[start:end]))
    candidates = [c for c in candidates if today is None or c[2].as_date() <= today]
    if not candidates:
        return None
    _, _, value, number, text = min(candidates, key=lambda c: (c[0], c[1]))
    iso = value.as_date().isoformat()
    if doc.frontmatter is not None and doc.line_text(1).strip() == "---":
        replacement = f"---\ndate: '{iso}'"
    else:
        replacement = f"Date: {iso}\n" + doc.line_text(1)
    return {
        "date": iso,
        "line": number,
        "replacement": replacement,
        "description": f"add the date the body states on line {number} ({text}): {iso}; "
        "check that it is the publication date",
    }


def _add_dateline(doc: Document, dates: list) -> None:
    """The dateline opening the body, or following page junk in its first lines."""
    content = facts_of(doc).content_lines[:JUNK_LINES]
    for index, (number, text) in enumerate(content):
        found = find_dateline(text) if index < DATELINE_LINES else None
        found = found or find_dateline(text, after_junk=True)
        if found:
            _add_date(doc, dates, "dateline", found[0], number, found[1] + 1, found[2] + 1)
            return


def extract(doc: Document, context: Any) -> None:
    """Fill title, date, date_source, published_time, source_url, source_domain, canonical_url and tags."""
    fm = doc.frontmatter or {}
    rec, facts = doc.record, facts_of(doc, context)
    lines: dict[str, int | None] = {}  # field -> line it came from
    _late_headers(doc)
    _set_title(doc, fm, rec, lines)
    url, url_line = _set_urls(doc, fm, rec, lines)
    dates = _stated_dates(doc, fm, (url, url_line), (rec["canonical_url"], lines.get("canonical_url")))
    facts.dates = dates

    rec["date"] = rec["date_source"] = None
    for item in dates:
        full = item["value"].as_date()
        if full is not None:
            rec["date"], rec["date_source"] = full.isoformat(), item["source"]
            # Only a line the date was read from: layout takes the date's line for metadata,
            # not text, and a shard record's `date` field is on none of its text lines.
            lines["date"] = item["read_from"]
            break

    doc.trace.field_lines = {k: v for k, v in lines.items() if v is not None} or None
    doc.trace.date_proposal = None if rec["date"] else propose_date(doc, getattr(context, "today", None))

    published = next((d for d in dates if d["source"] == "frontmatter.published_time"), None)
    rec["published_time"] = _iso_timestamp(published["text"]) if published else None

    tags = fm.get("tags")
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",") if t.strip()]
    rec["tags"] = [str(t) for t in tags] if isinstance(tags, list) else []


def _set_title(doc: Document, fm: dict, rec: dict, lines: dict) -> None:
    """The title: the front matter's, else a `Title:` header's, else the one found in the text."""
    title, title_line = _scalar(fm.get("title")), doc.frontmatter_lines.get("title")
    if not title and "title" in doc.headers:
        title, title_line = doc.headers["title"]
    if not title:
        title, title_line = find_title(doc)
    rec["title"] = _clean_title(title) if title else None
    lines["title"] = title_line


def _set_urls(doc: Document, fm: dict, rec: dict, lines: dict) -> tuple[Any, Any]:
    """The source URL (front matter, else a `Source:` header), its domain, and the
    attribution line's URL as the canonical one; returns (source URL, its line)."""
    url, url_line = _scalar(fm.get("source_url")), doc.frontmatter_lines.get("source_url")
    if not url and "source" in doc.headers:
        url, url_line = doc.headers["source"]
    rec["source_url"] = url
    lines["source_url"] = url_line
    rec["source_domain"] = domain_of(url) if url and not url_problem(url) else None

    attribution = find_attribution(doc)
    facts = facts_of(doc)
    facts.attribution = None
    rec["canonical_url"] = None
    if attribution:
        att_line, att_text, att_url, att_url_line = attribution
        facts.attribution = {"line": att_line, "text": att_text, "url": att_url, "url_line": att_url_line}
        if att_url:
            rec["canonical_url"] = att_url
            lines["canonical_url"] = att_url_line
    return url, url_line


def _stated_dates(doc: Document, fm: dict, source_url: tuple, canonical_url: tuple) -> list[dict]:
    """Every date the front matter, a `Date:` header, the dateline, the source URL and the
    canonical URL (each `(url, line)`) state, in order of authority."""
    dates: list[dict] = []
    for key, source in (("date", "frontmatter.date"), ("published_time", "frontmatter.published_time")):
        value = _scalar(fm.get(key))
        if value:
            _add_date(doc, dates, source, value, doc.frontmatter_lines.get(key))
    if "date" in doc.headers:
        value, line = doc.headers["date"]
        col = doc.line_text(line).find(value) + 1
        _add_date(doc, dates, "header", value, line, col or None, (col + len(value)) if col else None)
    _add_dateline(doc, dates)
    _url_dates(doc, dates, "source_url", *source_url)
    _url_dates(doc, dates, "canonical_url", *canonical_url)  # nothing without a canonical URL
    return dates


_TS = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE
)


def _iso_timestamp(text: str) -> str | None:
    """`published_time` as ISO 8601 (`2021-03-01T18:59:26-05:00`); a bare date stays a date."""
    s = text.strip().strip("'\"")
    m = _TS.match(s)
    if not m:
        return s if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s) else None
    y, mo, d, h, mi, sec, frac, tz = m.groups()
    out = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}T{int(h):02d}:{mi}:{sec or '00'}{frac or ''}"
    if tz:
        out += "+00:00" if tz.upper() == "Z" else (tz if ":" in tz else tz[:3] + ":" + tz[3:])
    return out
