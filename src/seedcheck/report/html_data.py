"""The data `report.html` embeds: each finding's entry, the rules' docs, where a
document's body starts in its file, and the escaping that keeps the JSON inside its
`<script type="application/json">` element (`report/html.py` assembles the page)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, TextIO

from markupsafe import Markup

# Related documents listed per finding (a duplicate cluster can name hundreds).
MAX_RELATED = 50
_SURROGATE = re.compile("[\ud800-\udfff]")


COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode


def embed_json(data: Any) -> Markup:
    """JSON safe inside a `<script type="application/json">` element: `<`, `>`, `&`,
    U+2028/2029 and lone surrogates as `\\uXXXX`, so nothing in it can end the element."""
    return Markup(safe(COMPACT(data)))


def safe(text: str) -> str:
    """Escape compact JSON text as embed_json does (character by character, so pieces of
    a document can be escaped separately)."""
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    # Lone surrogates (undecodable input) cannot be written as UTF-8; escaped they stay exact.
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def write_array(fh: TextIO, items: Iterator[Any], batch: int = 256) -> None:
    parts: list[str] = []
    for n, item in enumerate(items):
        parts.append(("," if n else "") + safe(COMPACT(item)))
        if len(parts) == batch:
            fh.write("".join(parts))
            parts.clear()
    fh.write("".join(parts))


def body_index(f, body_lines: list[str], offset: int | None) -> int | None:
    if f.line and offset is not None and 0 <= f.line - offset < len(body_lines):
        return f.line - offset
    if offset is None and f.excerpt:
        excerpt = f.excerpt.strip().rstrip("…")
        if excerpt:
            for i, text in enumerate(body_lines):
                if text.strip().startswith(excerpt):
                    return i
    return None


def rule_docs(result) -> dict[str, dict[str, str]]:
    rules = {}
    for name, rule in sorted(result.registry.rules.items()):
        spec = rule.spec
        rules[name] = {
            "id": spec.id,
            "severity": str(rule.severity),
            "category": spec.category,
            "what": spec.docs.get("what", ""),
            "why": spec.docs.get("why", ""),
            "fix": spec.docs.get("fix", ""),
        }
    return rules


def finding_entry(f, doc_index: dict[str, int], body_lines: list[str], offset: int | None) -> dict[str, Any]:
    doc = doc_index.get(f.doc_id, -1)
    out = {
        "doc": doc,
        # The document carries its id and path; repeat them only when there is none.
        "docId": f.doc_id if doc < 0 else None,
        "path": f.path if doc < 0 else None,
        "rule": f.rule,
        "severity": str(f.severity),
        "line": f.line,
        "column": f.column,
        "endLine": f.end_line,
        "endColumn": f.end_column,
        "message": f.message,
        "excerpt": f.excerpt,
        "related": [{"id": r, "doc": doc_index.get(r, -1)} for r in f.related[:MAX_RELATED]],
        "relatedMore": max(0, len(f.related) - MAX_RELATED),
        "baselined": f.baselined,
        "bodyIndex": body_index(f, body_lines, offset) if body_lines else None,
    }
    if f.fix:
        out["fix"] = {
            "description": f.fix.description,
            "replacement": f.fix.replacement,
            "deleteLine": f.fix.delete_line,
        }
    if f.cluster:
        # The page groups a duplicate cluster from these: who is kept and why, each pair's similarity.
        similarity = dict(list((f.cluster.get("similarity") or {}).items())[:MAX_RELATED])
        out["cluster"] = {
            "id": f.cluster.get("id"),
            "keeper": f.cluster.get("keeper"),
            "reason": f.cluster.get("reason"),
            "similarity": similarity,
        }
    # Absent means null/false/empty to the page: at 10,000 documents every byte is paid per finding.
    return {k: v for k, v in out.items() if not (v is None or v is False or v == [] or (k == "relatedMore" and v == 0))}
