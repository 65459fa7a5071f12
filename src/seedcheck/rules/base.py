"""The rule base class: a kind implements `check` (or `finish`); the base does the bookkeeping.

Bookkeeping means: merging configured parameters over the file's defaults, formatting the
message, turning `Hit`s into `Finding`s with severity, excerpt and fingerprint, and
knowing which stage the rule runs in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any, ClassVar

from ..model import Document, Finding, Hit, Severity
from .fields import check_templates
from .spec import RuleFileError, RuleSpec

EXCERPT_LIMIT = 200


class _Defaults(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def format_message(template: str, values: dict[str, Any]) -> str:
    """`str.format` that leaves unknown placeholders as they are instead of raising."""
    try:
        return template.format_map(_Defaults(values))  # C speed; string.Formatter is pure Python
    except (ValueError, IndexError, AttributeError, KeyError, TypeError):
        return template


def fingerprint(rule: str, doc_id: str, text: str) -> str:
    """A stable id for a finding: rule + document + normalised flagged text (no line number),
    so it survives edits elsewhere in the document."""
    norm = " ".join(text.split()).casefold()
    return hashlib.sha1(f"{rule}\0{doc_id}\0{norm}".encode("utf-8", "surrogatepass")).hexdigest()[:16]


class Rule:
    """Base of every rule kind.

    Subclasses set `kind` and `stage` and implement `check(doc)` (document stage) or
    `collect(doc)` + `finish(states)` (corpus stage). `PARAMS` lists the accepted
    parameters with their defaults; unknown parameters are a configuration error.
    """

    kind: ClassVar[str] = ""
    stage: ClassVar[str] = "document"  # document | corpus | builtin | schema
    PARAMS: ClassVar[dict[str, Any]] = {}

    def __init__(self, spec: RuleSpec, overrides: dict[str, Any] | None = None, context: Any = None):
        self.spec = spec
        self.name = spec.name
        self.severity: Severity = spec.severity
        self.context = context
        params = dict(self.PARAMS)
        for source in (spec.params, overrides or {}):
            unknown = sorted(set(source) - set(self.PARAMS))
            if unknown:
                raise RuleFileError(f"rule {spec.name}: unknown parameter(s) {', '.join(unknown)} for kind {self.kind}")
            params.update(source)
        self.params = params
        self.setup()
        self.check_messages()

    def fields(self) -> set[str] | None:
        """The value names this rule's hits can carry (None: not known, so its messages are
        checked for syntax only)."""
        return None

    def variants(self) -> set[str] | None:
        """The message variants this rule's code names (None: not known)."""
        return None

    def check_messages(self) -> None:
        """Every placeholder of `message:`/`messages:` is one a hit can fill, and every
        variant the code names has a wording in the rule file."""
        values = self.fields()
        fillable = None if values is None else set(self.params) | values
        templates = {"message": self.spec.message, **{f"messages.{k}": v for k, v in self.spec.messages.items()}}
        check_templates(self.name, templates, fillable)
        missing = sorted((self.variants() or set()) - set(self.spec.messages))
        if missing:
            raise RuleFileError(
                f"rule {self.name}: the code names message variant(s) {', '.join(missing)} that messages: does not word"
            )

    def setup(self) -> None:
        """Compile patterns, load data files: called once per process."""

    def check(self, doc: Document) -> Iterable[Hit]:
        """Document stage: yield the hits of this rule in `doc`."""
        return ()

    def to_finding(self, doc: Document | None, hit: Hit, doc_id: str = "", path: str = "") -> Finding:
        """Turn a hit into a finding: severity, message, excerpt and fingerprint."""
        doc_id = doc.doc_id if doc is not None else doc_id
        path = doc.path if doc is not None else path
        values = {**self.params, **hit.values}
        template = self.spec.messages.get(hit.variant, self.spec.message) if hit.variant else self.spec.message
        message = hit.message or format_message(template, values)
        line_text = doc.line_text(hit.line) if (doc is not None and hit.line) else ""
        excerpt = hit.excerpt if hit.excerpt is not None else line_text.strip()
        if len(excerpt) > EXCERPT_LIMIT:
            excerpt = excerpt[: EXCERPT_LIMIT - 1] + "…"
        if hit.column and hit.end_column and line_text:
            flagged = line_text[hit.column - 1 : hit.end_column - 1]
        else:
            flagged = excerpt or message
        return Finding(
            rule=self.name,
            severity=hit.severity if hit.severity is not None else self.severity,
            doc_id=doc_id,
            path=path,
            message=message,
            line=hit.line,
            column=hit.column if hit.column else (1 if hit.line else None),
            end_line=hit.end_line or hit.line,
            end_column=hit.end_column,
            excerpt=excerpt,
            fix=hit.fix,
            related=list(hit.related),
            fingerprint=fingerprint(self.name, doc_id, flagged),
            cluster=hit.cluster,
        )
