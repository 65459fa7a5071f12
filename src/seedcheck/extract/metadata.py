"""Title, date and source URL from frontmatter, header lines and the first content line."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..model import Document, Hit
from .urls import domain_of

_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_MARKUP = re.compile(r"^[#>\s*_]+|[*_]+$")


def _clean_title(text: str) -> str:
    return " ".join(_MARKUP.sub("", text.replace("\u00a0", " ")).split())


def _scalar(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def parse_iso_date(text: str) -> tuple[dt.date | None, str | None]:
    """Parse the `YYYY-MM-DD` at the start of `text`: (date, None), (None, problem) or (None, None)."""
    m = _ISO_DATE.match(text)
    if not m:
        return None, None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), None
    except ValueError as exc:
        return None, f"{m.group(0).strip()} is not a real date ({exc})"


def extract(doc: Document, context: Any) -> None:
    """Fill title, date, date_source, published_time, source_url, source_domain and tags."""
    fm = doc.frontmatter or {}
    rec = doc.record
    fm_line = doc.frontmatter_lines

    title, title_line = _scalar(fm.get("title")), fm_line.get("title")
    if not title and "title" in doc.headers:
        title, title_line = doc.headers["title"]
    if not title:
        for number, text in doc.body_lines():
            if text.strip():
                title, title_line = _clean_title(text), number
                break
    lines = rec.setdefault("_lines", {})  # field -> line it came from (private to rules)
    rec["title"] = _clean_title(title) if title else None
    lines["title"] = title_line

    candidates = []
    for key, source in (("date", "frontmatter.date"), ("published_time", "frontmatter.published_time")):
        value = _scalar(fm.get(key))
        if value:
            candidates.append((source, value, fm_line.get(key, 1)))
    if "date" in doc.headers:
        value, line = doc.headers["date"]
        candidates.append(("header", value, line))
    rec["date"] = rec["date_source"] = None
    for source, value, line in candidates:
        date, problem = parse_iso_date(value)
        if problem:
            doc.hits.append(("invalid-date", Hit(line=line, values={"value": value, "problem": problem})))
        elif date and rec["date"] is None:
            rec["date"], rec["date_source"] = date.isoformat(), source
            lines["date"] = line
    published = _scalar(fm.get("published_time"))
    rec["published_time"] = published

    url, url_line = _scalar(fm.get("source_url")), fm_line.get("source_url")
    if not url and "source" in doc.headers:
        url, url_line = doc.headers["source"]
    rec["source_url"] = url
    lines["source_url"] = url_line
    rec["source_domain"] = domain_of(url)
    rec.setdefault("canonical_url", None)

    tags = fm.get("tags")
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",") if t.strip()]
    rec["tags"] = [str(t) for t in tags] if isinstance(tags, list) else []
