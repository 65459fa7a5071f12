"""`findings.sarif`: SARIF 2.1.0 for code-scanning tools (GitHub, Azure DevOps, VS Code).

One run; the rule catalogue (id, name, docs as help text, default level) as the driver's
rules; one result per finding with its location, span, snippet, fingerprint, baseline
state and, when the fix is mechanical, a SARIF `fix`. Columns are Unicode code points
(`columnKind`), as seedcheck counts them. Deterministic: no timestamps. Compact JSON (no
indentation): machines read this file, and indentation was 40% of its bytes (1.7 GB of
SARIF at 100,000 generated documents).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from .. import __version__
from ..config import source_root
from ..model import Severity
from . import jsonstream
from .github import display_path
from .locations import file_line, record_id, record_locations

FORMAT = "sarif"
FILENAME = "findings.sarif"
SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"

MAX_RELATED = 20
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule_descriptor(rule) -> dict:
    spec = rule.spec
    docs = spec.docs or {}
    what = (docs.get("what") or spec.message or spec.name).strip()
    text = "\n\n".join(f"{h.capitalize()}: {docs[h].strip()}" for h in ("what", "why", "fix") if docs.get(h))
    markdown = "\n\n".join(f"**{h.capitalize()}.** {docs[h].strip()}" for h in ("what", "why", "fix") if docs.get(h))
    return {
        "id": spec.id or spec.name,
        "name": spec.name,
        "shortDescription": {"text": what.splitlines()[0]},
        "fullDescription": {"text": what},
        "help": {"text": text or what, "markdown": markdown or what},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"category": spec.category, "kind": spec.kind, "tags": ["data-quality", spec.category]},
    }


def _region(f) -> dict | None:
    if not f.line:
        return None
    region = {"startLine": f.line}
    if f.column:
        region["startColumn"] = f.column
        if f.end_line and f.end_line != f.line:
            region["endLine"] = f.end_line
        if f.end_column and ((f.end_line or f.line) > f.line or f.end_column > f.column):
            region["endColumn"] = f.end_column
    if f.excerpt:
        region["snippet"] = {"text": f.excerpt}
    return region


def _artifact(uri: str) -> dict:
    # Paths inside the project are relative to %SRCROOT% (what GitHub code scanning expects).
    return {"uri": uri} if uri.startswith("file:") or "://" in uri else {"uri": uri, "uriBaseId": "%SRCROOT%"}


def _location(uri: str, region: dict | None, message: str | None = None) -> dict:
    physical = {"artifactLocation": _artifact(uri)}
    if region:
        physical["region"] = region
    location = {"physicalLocation": physical}
    if message:
        location["message"] = {"text": message}
    return location


def _uri(result, path: str) -> str:
    shown = display_path(result, path)
    if "://" in shown:  # an fsspec URL (s3://bucket/key) is its own URI
        return shown
    return Path(shown).as_uri() if Path(shown).is_absolute() else quote(shown, safe="/")


def _fix(result, f, uri: str) -> dict | None:
    fix = f.fix
    if fix is None or fix.replacement is None or not f.line:
        return None
    if fix.delete_line:
        deleted = {"startLine": f.line, "startColumn": 1, "endLine": f.line + 1, "endColumn": 1}
    elif f.column and f.end_column and f.end_column >= f.column:
        deleted = {"startLine": f.line, "startColumn": f.column, "endLine": f.line, "endColumn": f.end_column}
    else:
        return None  # no exact span: the description alone says what to do
    return {
        "description": {"text": fix.description or "apply the suggested replacement"},
        "artifactChanges": [
            {
                "artifactLocation": _artifact(uri),
                "replacements": [{"deletedRegion": deleted, "insertedContent": {"text": fix.replacement}}],
            }
        ],
    }


def _results(result, index: dict[str, int]) -> Iterator[dict[str, Any]]:
    registry = result.registry
    paths_by_id = {d["doc_id"]: d["path"] for d in result.documents}
    # Findings come sorted by path, so one document's URI is computed once; related
    # documents repeat across a duplicate cluster, in any order: with room for 4,096 paths
    # the cache missed most of them in large runs (20,000 documents: 59,599 URIs computed,
    # a system call each, for 97,915 findings).
    uri_of = lru_cache(maxsize=1 << 16)(lambda path: _uri(result, path))
    locations = record_locations(result)
    for f in result.findings:
        record = locations.get(f.doc_id)
        rule = registry.rules.get(f.rule)
        entry = {
            "ruleId": (rule.spec.id or f.rule) if rule else f.rule,
            "level": LEVEL[f.severity],
            "message": {"text": f.message or f.rule},
            "baselineState": "unchanged" if f.baselined else "new",
            "properties": {"rule": f.rule, "severity": str(f.severity), "docId": f.doc_id},
        }
        if f.rule in index:
            entry["ruleIndex"] = index[f.rule]
        if f.fingerprint:
            entry["partialFingerprints"] = {"seedcheckFingerprint/v1": f.fingerprint}
        uri = uri_of(f.path) if f.path else ""
        if uri and record is not None:
            # A record of a shard: the region is the record's line of the file (none in
            # Parquet); where the finding is inside the record's text goes in properties.
            line = file_line(record)
            entry["locations"] = [_location(uri, {"startLine": line} if line else None)]
            entry["properties"]["record"] = {
                **record,
                "id": record_id(f.doc_id),
                "textLine": f.line,
                "textColumn": f.column,
            }
        elif uri:
            entry["locations"] = [_location(uri, _region(f))]
        # A large duplicate cluster would repeat every member in every result: cap it.
        related = [
            _location(uri_of(paths_by_id[r]), None, f"related document {r}")
            for r in f.related[:MAX_RELATED]
            if r in paths_by_id
        ]
        if len(f.related) > MAX_RELATED:
            entry["properties"]["relatedCount"] = len(f.related)
        if related:
            for i, loc in enumerate(related):
                loc["id"] = i
            entry["relatedLocations"] = related
        if uri and record is None and (fix := _fix(result, f, uri)):
            entry["fixes"] = [fix]
        yield entry


def document(result) -> dict[str, Any]:
    """The SARIF log, its `results` a generator (written one result at a time)."""
    registry = result.registry
    names = sorted(set(registry.enabled) | {rule for rule in result.tally.by_rule if rule in registry.rules})
    rules = [_rule_descriptor(registry.rules[n]) for n in names if n in registry.rules]
    index = {n: i for i, n in enumerate(n for n in names if n in registry.rules)}
    run = {
        "tool": {
            "driver": {
                "name": "seedcheck",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": _results(result, index),
        "properties": {"expectations": result.expectations},
    }
    if getattr(result.config, "root", None) is not None:  # the base display_path's paths are relative to
        run["originalUriBaseIds"] = {"%SRCROOT%": {"uri": source_root(result.config).as_uri() + "/"}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def write(result, fh: TextIO, **options) -> None:
    """Write the SARIF log to `fh`, result by result."""
    jsonstream.dump_compact(document(result), fh)
    fh.write("\n")


def render(result, **options) -> str:
    out = io.StringIO()
    write(result, out)
    return out.getvalue()
