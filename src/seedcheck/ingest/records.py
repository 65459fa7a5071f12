"""One record of a shard (a JSONL line, a Parquet row, a dict given to the Python API)
turned into a `Document`, with the configurable field names of `[tool.seedcheck.jsonl]`.

Shared by every line-oriented and columnar reader, so a record reads the same whatever
holds it. A record is located by `jsonl_line` (1-based line of a JSONL file) or `row`
(0-based row of a Parquet file or of in-memory records).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from typing import Any

from ..model import Document, Hit
from .decode import split_lines


def _get(obj: dict, dotted: str):
    for part in dotted.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


def first(obj: dict, names: tuple[str, ...]):
    """The first of the dotted field `names` that `obj` has with a non-empty value."""
    for name in names:
        value = _get(obj, name)
        if value not in (None, ""):
            return value
    return None


def suffix(kind: str, number: int) -> str:
    """The doc-id suffix of a record without (or with a repeated) id: `#L12` or `#row11`."""
    return f"#L{number}" if kind == "line" else f"#row{number}"


def locate(doc: Document, kind: str, number: int) -> None:
    """Record where the record sits in its shard (the `record` location of its findings)."""
    doc.record["jsonl_line" if kind == "line" else "row"] = number


def bad_record(source, fmt: str, kind: str, number: int, reason: str, raw: bytes | None = None) -> Document:
    """A record that cannot be read: an `unreadable-document` on that record only
    (`raw`: its bytes, when there are any to fingerprint)."""
    doc = Document(doc_id=source.doc_id + suffix(kind, number), path=source.path, format=fmt, lines=[], readable=False)
    if raw is not None:
        doc.record["sha256"] = hashlib.sha256(raw).hexdigest()
    where = f"line {number}" if kind == "line" else f"row {number}"
    doc.hits.append(("unreadable-document", Hit(line=1, column=1, message=f"{where} {reason}")))
    locate(doc, kind, number)
    return doc


def _text(value: Any) -> str:
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def object_document(source, fmt: str, kind: str, number: int, obj: Any, options, seen: set[str],
                    sha: str | None = None) -> Document:
    """The document of one parsed record `obj` (a dict, else an unreadable record).

    Its id is `<file id>#<record id>` for the first record with that id in the unit,
    else `<file id>#L<line>` / `#row<n>`.
    """
    if not isinstance(obj, dict):
        return bad_record(source, fmt, kind, number, f"is a JSON {type(obj).__name__}, not an object")
    doc_id = source.doc_id + suffix(kind, number)
    ident = first(obj, options.jsonl_id)
    if ident is not None and f"{source.doc_id}#{ident}" not in seen:
        doc_id = f"{source.doc_id}#{ident}"
    seen.add(doc_id)
    body = first(obj, options.jsonl_text)
    body = body if isinstance(body, str) else "" if body is None else _body_json(body)
    doc = Document(doc_id=doc_id, path=source.path, format=fmt, lines=split_lines(body))
    meta = {}
    for key, names in (("title", options.jsonl_title), ("date", options.jsonl_date), ("source_url", options.jsonl_url)):
        value = first(obj, names)
        if value is not None:
            meta[key] = _text(value)
    doc.frontmatter = meta
    locate(doc, kind, number)
    if sha is None:
        sha = hashlib.sha256(json.dumps(obj, sort_keys=True, default=_text).encode("utf-8", "surrogatepass")).hexdigest()
    doc.record["sha256"] = sha
    return doc


def _body_json(value: Any) -> str:
    try:
        return json.dumps(value, default=_text)
    except (TypeError, ValueError):
        return str(value)
