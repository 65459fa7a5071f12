"""Kinds whose hits come from a pipeline stage rather than from the rule itself.

`builtin`: ingest and extraction report these (unreadable-document, invalid-date, ...)
by name; the rule file gives them severity, message and docs.
`schema`: claims failures of the pandera record schema (`schemas/record.yaml`) for one
column and check, so a record requirement has a named rule; unclaimed failures become
`schema-violation`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ...model import Fix, RecordTrace
from ..base import Rule
from ..fields import EMITTERS, module_fields
from ..spec import RuleFileError

# The `RecordTrace` fields that hold a fix the document's text proposes (a schema rule's `propose`).
PROPOSALS = frozenset({"date_proposal"})


class BuiltinRule(Rule):
    kind = "builtin"
    stage = "builtin"
    PARAMS: ClassVar[dict[str, Any]] = {"emitted_by": ""}

    def fields(self) -> set[str] | None:
        # `{message}`: these stages word some hits themselves (a reader's reason, a waiver).
        modules = EMITTERS.get(self.params["emitted_by"])
        return None if modules is None else {"message"}.union(*(module_fields(m) for m in modules))


class SchemaRule(Rule):
    kind = "schema"
    stage = "schema"
    # `propose`: the `RecordTrace` field holding a fix the document's text proposes
    # (`{"description", "replacement"}`: missing-date's `date_proposal`).
    PARAMS: ClassVar[dict[str, Any]] = {"column": None, "checks": [], "fallback": False, "fix": None, "propose": None}

    def fields(self) -> set[str]:
        """What the schema stage gives each failure (`pipeline.schema_findings`)."""
        return {"column", "check", "value"}

    def setup(self) -> None:
        propose = self.params["propose"]
        if propose is not None and propose not in PROPOSALS:
            raise RuleFileError(f"rule {self.name}: propose names no proposal ({', '.join(sorted(PROPOSALS))})")

    def fix_for(self, trace: RecordTrace) -> Fix | None:
        """The fix of a failure in the record of `trace`: for a shard record lacking the
        field, how to map it (`[tool.seedcheck.jsonl]`); else the document's own proposal
        (never safe: it is read from the text, not known) or the rule's general advice."""
        unmapped = (trace.unmapped or {}).get(self.params["column"])
        if unmapped:
            return Fix(unmapped, None, safe=False)
        proposal = getattr(trace, self.params["propose"]) if self.params["propose"] else None
        if proposal:
            return Fix(proposal["description"], proposal["replacement"], safe=False)
        return Fix(self.params["fix"], None, safe=False) if self.params["fix"] else None

    def claims(self, column: str | None, check: str) -> bool:
        """True when a schema failure of `column`/`check` is reported under this rule."""
        if self.params["fallback"]:
            return True
        if self.params["column"] is not None and column != self.params["column"]:
            return False
        return not self.params["checks"] or any(check.startswith(c) for c in self.params["checks"])
