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
import re
from typing import Any

from ..model import Document, Hit
from .decode import split_lines
from .textformat import declared_format, record_format


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


# The record fields that locate a shard's record in its file.
LOCATION_FIELDS = ("jsonl_line", "row")


def locate(doc: Document, kind: str, number: int) -> None:
    """Record where the record sits in its shard (the `record` location of its findings)."""
    doc.record[LOCATION_FIELDS[0] if kind == "line" else LOCATION_FIELDS[1]] = number


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


def object_document(
    source,
    fmt: str,
    kind: str,
    number: int,
    obj: Any,
    options,
    seen: set[str],
    sha: str | None = None,
    unmapped: dict[str, str] | None = None,
) -> Document:
    """The document of one parsed record `obj` (a dict, else an unreadable record).

    Its id is `<file id>#<record id>` for the first record with that id in the unit,
    else `<file id>#L<line>` / `#row<n>`. `unmapped`: the advice of `unmapped_advice`
    when the reader knows it for the whole unit (Parquet reads the mapped columns only).
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
    declared = next((v for v in (_get(obj, n) for n in options.jsonl_format) if declared_format(v)), None)
    doc.read_as = record_format(declared, ident, options.jsonl_text_format)
    meta = {}
    for key, names in (("title", options.jsonl_title), ("date", options.jsonl_date), ("source_url", options.jsonl_url)):
        value = first(obj, names)
        if value is not None:
            meta[key] = _text(value)
    doc.frontmatter = meta
    advice = unmapped_advice(obj, options) if unmapped is None else unmapped
    if advice:
        doc.trace.unmapped = advice
    locate(doc, kind, number)
    if sha is None:
        sha = hashlib.sha256(
            json.dumps(obj, sort_keys=True, default=_text).encode("utf-8", "surrogatepass")
        ).hexdigest()
    doc.record["sha256"] = sha
    return doc


# `[tool.seedcheck.jsonl]` key -> the record column a rule finds empty when that field is
# missing (empty-body/short-body: word_count; missing-title, missing-date, missing-source-url).
MAPPED_COLUMNS = {"text": "word_count", "title": "title", "date": "date", "url": "source_url"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def unmapped_advice(obj: dict, options) -> dict[str, str]:
    """For each mapped field of which the record has none of the names tried (not merely an
    empty value): the fix advice of the rule that will fire, by record column. It names the
    names tried, the record's own fields and the `[tool.seedcheck.jsonl]` key that maps them."""
    advice = {}
    fields = None
    for key, column in MAPPED_COLUMNS.items():
        names = getattr(options, f"jsonl_{key}")
        if any(_present(obj, name) for name in names):
            continue
        if fields is None:
            fields = _leaf_fields(obj)
        guess = _guess(key, fields) or "<field>"
        own = ", ".join(list(fields)[:12]) + (", ..." if len(fields) > 12 else "") or "none"
        advice[column] = (
            f"the record has no {key} field (tried {', '.join(names)}; its fields: {own}): name yours "
            f'in [tool.seedcheck.jsonl], e.g. {key} = ["{guess}"]'
        )
    if advice.get("word_count") and not any(_present(obj, name) for name in options.jsonl_id):
        # No finding is about the id (the record gets its line/row id), so the text's advice says it.
        guess = next((n for n in fields if n.rsplit(".", 1)[-1].lower().endswith("id")), "<field>")
        advice["word_count"] += f'; nor an id field (tried {", ".join(options.jsonl_id)}): e.g. id = ["{guess}"]'
    return advice


def _present(obj: dict, dotted: str) -> bool:
    # The field is there, even if null or empty (then the record is empty, not unmapped).
    for part in dotted.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return False
        obj = obj[part]
    return True


def _leaf_fields(obj: dict) -> dict[str, Any]:
    # Top-level fields, and one level into nested objects (`metadata.url`): dotted names as
    # [tool.seedcheck.jsonl] takes them.
    out = {}
    for key, value in obj.items():
        if isinstance(value, dict):
            out.update((f"{key}.{k}", v) for k, v in value.items() if not isinstance(v, dict))
        else:
            out[str(key)] = value
    return out


def _guess(key: str, fields: dict[str, Any]) -> str | None:
    """The record's field that most likely holds `key`: the longest string for text, an
    http(s) URL, an ISO date; none for titles."""
    strings = {name: value for name, value in fields.items() if isinstance(value, str) and value.strip()}
    if key == "text" and strings:
        return max(strings, key=lambda name: len(strings[name]))
    if key == "url":
        return next((n for n, v in strings.items() if v.startswith(("http://", "https://"))), None)
    if key == "date":
        return next(
            (
                n
                for n, v in fields.items()
                if isinstance(v, (_dt.date, _dt.datetime)) or (isinstance(v, str) and _ISO_DATE.match(v))
            ),
            None,
        )
    return None


def _body_json(value: Any) -> str:
    try:
        return json.dumps(value, default=_text)
    except (TypeError, ValueError):
        return str(value)
