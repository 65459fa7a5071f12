"""`summary.md`: a short Markdown summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`.

Gate verdict, counts by severity, the rules with most findings, failed expectations and
the documents with new errors, each list capped so the text stays far below GitHub's
comment limit (65,536 characters). Every piece of document data is escaped: a title or
path cannot inject Markdown, HTML or mentions into the comment.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from ..model import Severity
from .findings_json import summary
from .github import display_path
from .locations import label, record_locations

FORMAT = "markdown"
FILENAME = "summary.md"

MAX_RULES = 15
MAX_DOCUMENTS = 20
MAX_EXPECTATIONS = 15
ICON = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~@:&])")
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def md(text, limit: int = 120) -> str:
    """`text` as inert inline Markdown: one line, capped, every markup character escaped,
    invisible and bidi-control characters shown as `U+XXXX`."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    text = _INVISIBLE.sub(lambda m: f"U+{ord(m.group()):04X}", text)
    return _SPECIAL.sub(r"\\\1", text)


def render(result, **options) -> str:
    """The Markdown summary."""
    s = summary(result)
    out = ["## seedcheck", ""]
    out += _verdict(result, s)
    out += _rules_table(result, s)
    out += _expectations(result)
    out += _error_documents(result)
    out.append(
        "The full report is `report.html` (curators) and `findings.json` / `findings.sarif` / `junit.xml` (tools)."
    )
    return "\n".join(out) + "\n"


def _verdict(result, s: dict) -> list[str]:
    """The gate verdict, the counts by severity and the documents by status."""
    sev = s["by_severity"]
    statuses = Counter("unreported" if d["doc_id"] in result.unreported else d["status"] for d in result.documents)
    verdict = "✅ **Gate passed**" if s["passed"] else "❌ **Gate failed**"
    gating = result.failing(result.config.fail_on)
    out = [f"{verdict} (fail-on `{s['fail_on']}`)" + (f": {gating} new finding(s) at or above it." if gating else ".")]
    out += ["", "| | errors | warnings | info | total |", "|---|---:|---:|---:|---:|"]
    new, base = result.tally.new_by_severity, result.tally.baselined_by_severity
    out.append(f"| new | {new['error']} | {new['warning']} | {new['info']} | {s['new']} |")
    if s["baselined"]:
        out.append(f"| baselined | {base['error']} | {base['warning']} | {base['info']} | {s['baselined']} |")
    out.append(f"| **all** | {sev['error']} | {sev['warning']} | {sev['info']} | {s['findings']} |")
    out += [
        "",
        (
            f"**{s['documents']}** documents: {statuses['ok']} ok, {statuses['warning']} with warnings, "
            f"{statuses['error']} with errors"
            + (f", {statuses['unreported']} unchanged, not reported on." if statuses["unreported"] else ".")
        ),
        "",
    ]
    return out


def _rules_table(result, s: dict) -> list[str]:
    """The rules with findings, worst severity first, then most findings (capped)."""
    if not s["by_rule"]:
        return []
    worst = result.tally.worst_by_rule
    ranked = sorted(s["by_rule"].items(), key=lambda kv: (-int(worst[kv[0]]), -kv[1], kv[0]))
    out = ["<details><summary>Findings by rule</summary>", "", "| rule | severity | findings |", "|---|---|---:|"]
    for rule, count in ranked[:MAX_RULES]:
        level = str(worst[rule])
        out.append(f"| `{rule}` | {ICON[level]} {level} | {count} |")
    if len(ranked) > MAX_RULES:
        out.append(f"| … {len(ranked) - MAX_RULES} more rules | | {sum(c for _, c in ranked[MAX_RULES:])} |")
    return [*out, "", "</details>", ""]


def _expectations(result) -> list[str]:
    """How many corpus expectations hold, and the failed ones (capped)."""
    if not result.expectations:
        return []
    failed = [e for e in result.expectations if not e.get("success", False)]
    out = [f"**Corpus expectations:** {len(result.expectations) - len(failed)} of {len(result.expectations)} hold."]
    for e in failed[:MAX_EXPECTATIONS]:
        level = str(e.get("severity") or "error")
        out.append(
            f"- {ICON.get(level, '❌')} {md(e.get('name') or e.get('expectation_type'))}"
            f" ({md(e.get('column') or 'table')}): observed {md(e.get('observed_value'), 60)}"
        )
    if len(failed) > MAX_EXPECTATIONS:
        out.append(f"- … {len(failed) - MAX_EXPECTATIONS} more")
    return [*out, ""]


def _error_documents(result) -> list[str]:
    """The documents with new errors and their rules (capped)."""
    errors: dict[str, Counter] = defaultdict(Counter)  # doc id -> rule -> new errors
    for f in result.findings:
        if f.severity == Severity.ERROR and not f.baselined:
            errors[f.doc_id][f.rule] += 1
    if not errors:
        return []
    out = ["<details><summary>Documents with new errors</summary>", "", "| document | errors |", "|---|---|"]
    paths = {d["doc_id"]: d["path"] for d in result.documents}
    records = record_locations(result)
    for doc_id in sorted(errors)[:MAX_DOCUMENTS]:
        rules = errors[doc_id]
        shown = display_path(result, paths.get(doc_id, doc_id))
        where = md(label(shown, records[doc_id]) if doc_id in records else shown, 80) if doc_id else "(corpus)"
        out.append(
            f"| {where} | " + ", ".join(f"`{r}`" + (f" ×{n}" if n > 1 else "") for r, n in sorted(rules.items())) + " |"
        )
    if len(errors) > MAX_DOCUMENTS:
        out.append(f"| … {len(errors) - MAX_DOCUMENTS} more documents | |")
    return [*out, "", "</details>", ""]
