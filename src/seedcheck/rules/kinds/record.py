"""`record`: a condition on one record field, such as `word_count < 30`.

The finding is document-level (line 1). Thresholds are parameters, so a corpus can set
its own in `[tool.seedcheck.rules.<name>]`.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from typing import Any, ClassVar

from ...model import Document, Fix, Hit
from ..base import Rule
from ..spec import RuleFileError

_OPS = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "eq": operator.eq,
    "ne": operator.ne,
}


class RecordRule(Rule):
    kind = "record"
    PARAMS: ClassVar[dict[str, Any]] = {
        "field": None,
        "op": "missing",
        "value": None,
        "unless_field": None,
        "fix": None,
    }

    def fields(self) -> set[str]:
        return {"actual"}

    def setup(self) -> None:
        if not self.params["field"]:
            raise RuleFileError(f"rule {self.name}: kind record needs a field")
        if self.params["op"] != "missing" and self.params["op"] not in _OPS:
            raise RuleFileError(f"rule {self.name}: unknown op {self.params['op']!r}")

    def check(self, doc: Document) -> Iterable[Hit]:
        if not doc.readable:
            return
        unless = self.params["unless_field"]
        if unless and doc.record.get(unless):
            return
        value = doc.record.get(self.params["field"])
        op = self.params["op"]
        if op == "missing":
            failed = value is None or value == "" or value == []
        else:
            failed = value is not None and _OPS[op](value, self.params["value"])
        if failed:
            # A shard record lacking the mapped field: say how to map it, not how to write text.
            unmapped = (doc.trace.unmapped or {}).get(self.params["field"])
            advice = unmapped or self.params["fix"]
            fix = Fix(advice, None, safe=False) if advice else None
            yield Hit(
                line=doc.body_start + doc.line_offset + 1 if doc.lines else 1,
                column=1,
                values={"actual": value},
                excerpt="",
                fix=fix,
            )
