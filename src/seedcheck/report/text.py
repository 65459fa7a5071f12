"""Terminal output: findings grouped by document, then a summary and the gate verdict."""

from __future__ import annotations

import io
from itertools import groupby
from typing import TextIO

from ..model import Severity
from .findings_json import summary
from .locations import label as record_label
from .locations import record_id, record_locations

FORMAT = "text"
FILENAME = None

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}
_LABEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color else text


def _clean(text: str) -> str:
    # Never let document text drive the terminal (escape sequences, carriage returns).
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}"
        for ch in text
    )


def write(result, fh: TextIO, color: bool = False, **options) -> None:
    """Write the findings, document by document, then the summary, to `fh`."""
    out = []
    locations = record_locations(result)
    # A shard's findings are grouped by record, each headed `file:record  id`.
    for (path, doc_id), group in groupby(
        result.findings, key=lambda f: (f.path, f.doc_id if f.doc_id in locations else "")
    ):
        heading = f"{record_label(path, locations[doc_id])}  {record_id(doc_id)}" if doc_id else path
        out.append(_paint(_clean(heading), "1", color))
        for f in group:
            where = f"{f.line}:{f.column or 1}" if f.line else "-"
            label = _LABEL[f.severity]
            mark = "(baselined) " if f.baselined else ""
            painted = _paint(f"{label:<9}", _COLOURS[f.severity], color)
            out.append(f"  {where:>7}  {painted} {f.rule:<22} {mark}{_clean(f.message)}")
            if f.fix and f.fix.description:
                out.append(f"  {'':>7}  {'':<9} {'':<22} fix: {_clean(f.fix.description)}")
        out.append("")
        if len(out) > 4096:
            fh.write("\n".join(out) + "\n")
            out.clear()
    s = summary(result)
    statuses = {"ok": 0, "warning": 0, "error": 0, "unreported": 0}
    for d in result.documents:  # --changed-since: unchanged documents are neither ok nor not
        statuses["unreported" if d["doc_id"] in result.unreported else d["status"]] += 1
    sev = s["by_severity"]
    unreported = f", {statuses['unreported']} unchanged, not reported on" if statuses["unreported"] else ""
    out.append(
        f"{s['documents']} documents ({statuses['ok']} ok, {statuses['warning']} with warnings, "
        f"{statuses['error']} with errors{unreported}); "
        f"{s['findings']} findings: {sev['error']} errors, {sev['warning']} warnings, {sev['info']} info"
        + (f"; {s['baselined']} baselined" if s["baselined"] else "")
    )
    gating = result.failing(result.config.fail_on)
    if s["passed"]:
        verdict = _paint("PASSED", "32;1", color) + f" (fail-on {result.config.fail_on})"
    else:
        verdict = (
            _paint("FAILED", "31;1", color)
            + f" (fail-on {result.config.fail_on}: {gating} new finding(s) at or above it)"
        )
    out.append(f"gate: {verdict}")
    fh.write("\n".join(out) + "\n")


def render(result, color: bool = False, **options) -> str:
    out = io.StringIO()
    write(result, out, color=color)
    return out.getvalue()
