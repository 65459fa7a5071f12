"""`report.html`: the curators' report, one self-contained file that works offline.

The overview (gate, counts, tables, SVG charts) is rendered here with jinja2 (autoescape
on). The documents, findings and rule docs are embedded once as JSON inside
`<script type="application/json">`, escaped so no payload can close the tag; the page's
script renders the document list and the selected document lazily from it with
`textContent`/`createElement` only. A Content-Security-Policy meta tag allows nothing
but the page's own inline script and style (by hash): no request of any kind leaves it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterator
from importlib import resources
from typing import TYPE_CHECKING, Any, TextIO

from markupsafe import Markup, escape

from .. import __version__
from ..model import RecordTrace, Severity
from .findings_json import public_record, summary
from .github import display_path
from .html_charts import bar_chart, column_chart, dates_series, word_series
from .html_data import (
    COMPACT,
    embed_json,  # noqa: F401 (part of this module's API)
    finding_entry,
    rule_docs,
    safe,
    write_array,
)
from .locations import label, record_location

if TYPE_CHECKING:
    import jinja2

FORMAT = "html"
FILENAME = "report.html"

# A body longer than this is embedded truncated (with a note); the page shows the first
# lines of any body and expands the rest on request.
MAX_BODY_CHARS = 2_000_000
# The page embeds at most this many documents and findings (see `Embedded`), so it stays
# a few tens of megabytes that a browser opens; it says so, and findings.json has the rest.
MAX_DOCUMENTS = 10_000
MAX_FINDINGS = 50_000
STATUS_RANK = {"error": 2, "warning": 1, "ok": 0}
_NO_TRACE = RecordTrace()  # a document the run has no trace of (a Result made by hand)
SEVERITIES = ("error", "warning", "info")
ICON = {"error": "✖", "warning": "▲", "info": "ℹ", "ok": "✔"}

# Characters a curator must see rather than have act on the text: C0/C1 controls (tab
# excepted), zero-width and bidi controls, BOM, soft hyphen, lone surrogates.
INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2028\u2029\u2066-\u2069\ufeff\ud800-\udfff]"
)


def visible(text: Any) -> Markup:
    """HTML-escape `text` and show invisible or bidi-control characters as `⟨U+XXXX⟩` marks."""
    text = "" if text is None else str(text)
    out, last = [], 0
    for m in INVISIBLE.finditer(text):
        out.append(escape(text[last : m.start()]))
        out.append(Markup(f'<span class="ctl" title="invisible character">⟨U+{ord(m.group()):04X}⟩</span>'))
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def _asset(name: str) -> str:
    return resources.files("seedcheck").joinpath("templates", name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


_ENV: jinja2.Environment | None = None


def _env() -> jinja2.Environment:
    global _ENV
    if _ENV is None:
        import jinja2  # here, not at the top: a run without the HTML report never needs it (0.1 s)

        _ENV = jinja2.Environment(
            loader=jinja2.PackageLoader("seedcheck", "templates"),
            autoescape=True,  # every value is escaped unless explicitly Markup
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        _ENV.filters["vis"] = visible
    return _ENV


# --------------------------------------------------------------------------- data


class Embedded:
    """What the page embeds: all documents and findings of a run, or for a large run the
    first MAX_DOCUMENTS documents (errors first, then warnings, then the rest, each in
    path order) whose findings fit in MAX_FINDINGS, with the findings of those documents.
    The overview's counts and charts are computed from every finding regardless."""

    def __init__(self, result):
        self.result = result
        documents = result.documents
        known = {d["doc_id"] for d in documents}
        # Counted first and gathered for the chosen documents only: a large run's findings
        # are on disk, and held at once they would be most of its memory.
        counts = Counter(f.doc_id for f in result.findings)
        orphan_ids = sorted(doc_id for doc_id in counts if doc_id not in known)
        orphans: dict[str, list] = {doc_id: [] for doc_id in orphan_ids}
        if len(documents) <= MAX_DOCUMENTS and len(result.findings) <= MAX_FINDINGS:
            chosen = range(len(documents))
        else:
            # Corpus-level findings (or an id not among the documents) come first in the budget.
            budget = MAX_FINDINGS - min(MAX_FINDINGS, sum(counts[doc_id] for doc_id in orphan_ids))
            picked = []
            for i in sorted(range(len(documents)), key=lambda i: (-STATUS_RANK[documents[i]["status"]], i)):
                n = counts.get(documents[i]["doc_id"], 0)
                if n <= budget:
                    picked.append(i)
                    budget -= n
                    if len(picked) == MAX_DOCUMENTS:
                        break
            chosen = sorted(picked)
        self.documents = [documents[i] for i in chosen]
        self.by_doc: dict[str, list] = {d["doc_id"]: [] for d in self.documents if d["doc_id"] in counts}
        for f in result.findings:
            own = self.by_doc.get(f.doc_id)
            if own is None:
                own = orphans.get(f.doc_id)
            if own is not None:
                own.append(f)
        self.orphans = [f for own in orphans.values() for f in own][:MAX_FINDINGS]
        self.doc_index = {d["doc_id"]: i for i, d in enumerate(self.documents)}
        self.findings = sum(len(v) for v in self.by_doc.values()) + len(self.orphans)
        self.capped = len(self.documents) < len(documents) or self.findings < len(result.findings)

    def _bodies(self) -> Iterator[tuple[dict, str, list[str], int | None]]:
        # Both passes (documents, then findings) need each body's lines and the file line
        # of its first one (the checker records it in the record's trace).
        for d in self.documents:
            body = d["record"].get("body") or ""
            if not isinstance(body, str):
                body = str(body)
            body_lines = body.split("\n") if body else []
            yield d, body, body_lines, self._trace(d).body_line if body_lines else None

    def _trace(self, d: dict) -> RecordTrace:
        return self.result.traces.get(d["doc_id"]) or _NO_TRACE

    def doc_entries(self) -> Iterator[dict[str, Any]]:
        """The page's `docs` entries."""
        for d, body, _, offset in self._bodies():
            record = d["record"]
            truncated = 0
            if len(body) > MAX_BODY_CHARS:
                truncated = len(body) - MAX_BODY_CHARS
                body = body[:MAX_BODY_CHARS]
            path, where = display_path(self.result, d["path"]), record_location(record)
            yield {
                "id": d["doc_id"],
                "path": label(path, where) if where else path,  # a shard's record: `file:record`
                "status": d["status"],
                "record": {k: v for k, v in public_record(record).items() if k not in ("doc_id", "path")},
                "body": body,
                "bodyLine": offset,
                "truncated": truncated,
                # Large runs keep only some bodies (pipeline.HTML_BODY_CAP): say so instead of "empty".
                "omitted": self._trace(d).body_omitted,
            }

    def finding_entries(self) -> Iterator[dict[str, Any]]:
        """The page's `findings` entries, document by document, then the corpus-level ones."""
        for d, _, body_lines, offset in self._bodies():
            for f in self.by_doc.get(d["doc_id"], ()):
                yield finding_entry(f, self.doc_index, body_lines, offset)
        for f in self.orphans:
            yield finding_entry(f, self.doc_index, [], None)

    def capped_note(self) -> dict[str, int] | None:
        """The counts the page shows when it embeds only part of the run."""
        if not self.capped:
            return None
        return {
            "documents": len(self.documents),
            "documentsTotal": len(self.result.documents),
            "findings": self.findings,
            "findingsTotal": len(self.result.findings),
        }


def payload(result) -> dict[str, Any]:
    """Everything the page's script needs, as plain JSON-able data (what `write` streams)."""
    embedded = Embedded(result)
    data = {
        "docs": list(embedded.doc_entries()),
        "findings": list(embedded.finding_entries()),
        "rules": rule_docs(result),
    }
    if embedded.capped:
        data["capped"] = embedded.capped_note()
    return data


# --------------------------------------------------------------------------- page


def first_sentence(text: str, limit: int = 160) -> str:
    """The first sentence of a rule's docs, for a table cell (the full text is in the page)."""
    text = " ".join(str(text).split())
    m = re.match(r"(.+?[.!?])(?=\s+[A-Z]|$)", text)
    out = m.group(1) if m else text
    return out if len(out) <= limit else out[: limit - 1] + "…"


def context(result) -> dict[str, Any]:
    """The template's variables: the overview tables and charts."""
    s = summary(result)
    statuses = Counter(d["status"] for d in result.documents if d["doc_id"] not in result.unreported)
    rule_rows = _rule_rows(result, s["by_rule"])
    domains = _domain_rows(result)
    by_rule_chart = bar_chart([(r["name"], r["count"], r["severity"]) for r in rule_rows[:25]], "Findings per rule")
    tally = result.tally
    new_counts, base_counts, corpus = tally.new_by_severity, tally.baselined_by_severity, tally.corpus
    return {
        "version": __version__,
        "summary": s,
        "statuses": {k: statuses.get(k, 0) for k in ("error", "warning", "ok")},
        "severities": SEVERITIES,
        "icon": ICON,
        "rule_rows": rule_rows,
        "domains": domains[:50],
        "domains_more": max(0, len(domains) - 50),
        "new_counts": new_counts,
        "base_counts": base_counts,
        "expectations": result.expectations,
        "corpus_findings": corpus,
        "charts": {
            "rules": by_rule_chart,
            "dates": column_chart(dates_series(result), "Documents per period (record date)"),
            "words": column_chart(word_series(result), "Documents by word count"),
        },
        "gating": result.failing(result.config.fail_on),
    }


def _rule_rows(result, by_rule: dict[str, int]) -> list[dict[str, Any]]:
    """One row per rule with findings, worst severity first, then most findings."""
    worst, new_by_rule = result.tally.worst_by_rule, result.tally.new_by_rule
    rule_rows = []
    for name, count in sorted(by_rule.items(), key=lambda kv: (-int(worst[kv[0]]), -kv[1], kv[0])):
        rule = result.registry.rules.get(name)
        rule_rows.append(
            {
                "name": name,
                "id": rule.spec.id if rule else "",
                "severity": str(worst[name]),
                "count": count,
                "new": new_by_rule[name],
                "what": first_sentence(rule.spec.docs.get("what", "")) if rule else "",
            }
        )
    return rule_rows


def _domain_rows(result) -> list[dict[str, Any]]:
    """One row per source domain (documents, findings, errors), most findings first."""
    domain_docs, domain_findings, domain_errors = Counter(), Counter(), Counter()
    domain_of = {}
    for d in result.documents:
        dom = d["record"].get("source_domain") or "(none)"
        domain_of[d["doc_id"]] = dom
        domain_docs[dom] += 1
    for f in result.findings:
        dom = domain_of.get(f.doc_id)
        if dom is not None:
            domain_findings[dom] += 1
            if f.severity == Severity.ERROR:
                domain_errors[dom] += 1
    return [
        {"name": dom, "docs": n, "findings": domain_findings[dom], "errors": domain_errors[dom]}
        for dom, n in sorted(domain_docs.items(), key=lambda kv: (-domain_findings[kv[0]], -kv[1], kv[0]))
    ]


# The page is rendered with this in place of the embedded data, which is then streamed.
_DATA_SLOT = "@@seedcheck-data@@"


def write(result, fh: TextIO, **options) -> None:
    """Write report.html to `fh`; the embedded documents and findings one at a time."""
    css, js = _asset("report.css"), _asset("report.js")
    csp = (
        f"default-src 'none'; script-src {_csp_hash(js)}; style-src {_csp_hash(css)}; img-src data:; "
        "connect-src 'none'; font-src 'none'; base-uri 'none'; form-action 'none'"
    )
    embedded = Embedded(result)
    page = (
        _env()
        .get_template("report.html.j2")
        .render(
            css=Markup(css),
            js=Markup(js),
            csp=csp,
            data=Markup(_DATA_SLOT),
            capped=embedded.capped_note(),
            **context(result),
        )
    )
    head, tail = page.split(_DATA_SLOT)
    # The same text as embed_json(payload(result)), written piece by piece.
    fh.write(head + '{"docs":[')
    write_array(fh, embedded.doc_entries())
    fh.write('],"findings":[')
    write_array(fh, embedded.finding_entries())
    fh.write('],"rules":' + safe(COMPACT(rule_docs(result))))
    if embedded.capped:
        fh.write(',"capped":' + safe(COMPACT(embedded.capped_note())))
    fh.write("}" + tail)


def render(result, **options) -> str:
    """The whole report.html page."""
    out = io.StringIO()
    write(result, out)
    return out.getvalue()
