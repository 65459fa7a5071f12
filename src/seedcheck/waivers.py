"""Inline waivers: a document says which findings it accepts, and why.

Two forms, both needing a reason:
- frontmatter: `seedcheck: {ignore: [short-body, noise-], reason: "official one-line statement"}`
  waives those rules for the whole document;
- a comment line (plain text or markdown):
  `<!-- seedcheck: ignore short-body -- official one-line statement -->` for the whole document, or
  `<!-- seedcheck: ignore-next-line noise-navigation -- menu kept on purpose -->` for the next
  non-blank line.
A waiver without a reason, or naming an unknown rule, is `invalid-waiver`; a waiver that
waived nothing is `unused-waiver`, so waivers do not outlive the problems they excused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .facts import facts_of
from .model import Document, Finding, Hit, RecordTrace
from .records import RecordStore
from .rules.registry import Registry, matches

# The reason follows `--` (never the `--` of a closing `-->`), `—` or `:`; without one the
# waiver is still recognised, so that it can be reported as `invalid-waiver`.
_COMMENT = re.compile(
    r"^\s*(?:<!--|#|//)\s*seedcheck:\s*(ignore|ignore-next-line)\s+([\w\-, ]+?)"
    r"(?:\s*(?:--(?!>)|—|:)\s*(.*?))?\s*(?:-->)?\s*$",
    re.IGNORECASE,
)
_BARE_COMMENT = re.compile(r"^\s*(?:<!--|#|//)\s*seedcheck:", re.IGNORECASE)


@dataclass(slots=True)
class Waiver:
    rules: list[str]
    reason: str
    line: int  # where the waiver is written
    target_line: int | None = None  # None: the whole document

    def covers(self, finding: Finding) -> bool:
        if not matches(finding.rule, self.rules):
            return False
        return self.target_line is None or finding.line == self.target_line


def extract(doc: Document, context: Any) -> None:
    """Collect the document's waivers into its record's trace (an extractor)."""
    waivers: list[dict] = []
    fm = (doc.frontmatter or {}).get("seedcheck")
    if fm is not None:
        line = doc.frontmatter_lines.get("seedcheck", 1)
        rules = fm.get("ignore") if isinstance(fm, dict) else None
        if isinstance(rules, str):
            rules = [r.strip() for r in rules.split(",")]
        reason = str(fm.get("reason") or "").strip() if isinstance(fm, dict) else ""
        waivers.append({"rules": [str(r) for r in rules or []], "reason": reason, "line": line, "target_line": None})
    body = facts_of(doc).body_lines
    for i, (number, text) in enumerate(body):
        if "seedcheck" not in text:
            continue
        m = _COMMENT.match(text)
        if not m:
            if _BARE_COMMENT.match(text):
                waivers.append(
                    {"rules": [], "reason": "", "line": number, "target_line": None, "malformed": text.strip()}
                )
            continue
        target = None
        if m.group(1).lower() == "ignore-next-line":
            target = next((n for n, t in body[i + 1 :] if t.strip()), None)
        rules = [r.strip() for r in m.group(2).split(",") if r.strip()]
        waivers.append({"rules": rules, "reason": (m.group(3) or "").strip(), "line": number, "target_line": target})
    doc.trace.waivers = waivers or None


def apply_waivers(
    registry: Registry, records: RecordStore, traces: list[RecordTrace], findings: Iterable[Finding]
) -> Iterator[Finding]:
    """The findings no waiver covers, in order, then `invalid-waiver` and `unused-waiver`
    findings (`traces`: the records' traces, in the same order, which hold their waivers).
    `findings` is read once, as it comes: only the waivers are held."""
    names = set(registry.rules)
    written: list[tuple[tuple[str, str], Waiver, str | None]] = []  # every waiver, in document order
    valid: dict[str, list[int]] = {}  # doc id -> indexes in `written` of its valid waivers
    for doc, trace in zip(zip(records.ids, records.paths), traces):
        for raw in trace.waivers or ():
            waiver = Waiver(raw["rules"], raw["reason"], raw["line"], raw["target_line"])
            problem = _problem(raw, waiver, names)
            if problem is None:
                valid.setdefault(doc[0], []).append(len(written))
            written.append((doc, waiver, problem))
    used = [False] * len(written)
    for f in findings:
        waived = False
        for index in valid.get(f.doc_id, ()):
            waiver = written[index][1]
            if f.line == waiver.line and f.rule.startswith("markup-"):
                waived = True  # the waiver comment itself is not markup noise
            elif waiver.covers(f):
                waived = used[index] = True
        if not waived:
            yield f
    for (doc, waiver, problem), was_used in zip(written, used):
        if problem:
            extra = _finding(registry, "invalid-waiver", doc, waiver.line, problem)
        elif not was_used:
            what = "the next line" if waiver.target_line else "this document"
            message = f"waiver of {', '.join(waiver.rules)} matched nothing in {what}; remove it"
            extra = _finding(registry, "unused-waiver", doc, waiver.line, message)
        else:
            continue
        if extra is not None:
            yield extra


def _problem(raw: dict, waiver: Waiver, names: set[str]) -> str | None:
    """Why a waiver is invalid, or None."""
    if raw.get("malformed"):
        return "malformed waiver comment; write `<!-- seedcheck: ignore RULE[, RULE] -- reason -->`"
    if not waiver.rules:
        return "waiver names no rule"
    if not waiver.reason:
        return f"waiver of {', '.join(waiver.rules)} gives no reason"
    unknown = [r for r in waiver.rules if not any(matches(n, [r]) for n in names)]
    if unknown:
        return f"waiver names unknown rule(s) {', '.join(unknown)}"
    return None


def _finding(registry: Registry, rule: str, doc: tuple[str, str], line: int, message: str) -> Finding | None:
    """`rule`'s finding about a waiver of document `doc` (doc id, path), when it is enabled."""
    if rule not in registry.enabled:
        return None
    hit = Hit(line=line, column=1, message=message, excerpt="")
    return registry.get(rule).to_finding(None, hit, doc_id=doc[0], path=doc[1])
