"""`detector`: a rule whose logic needs code: one function in `rules/detectors/`, named by
the `detector` parameter. Its parameters are the function's declared defaults and those
it reads (`params["k"]`) whose value the rule file gives: a default then lives only there."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from ...model import Document, Hit
from ..base import Rule
from ..fields import function_fields, function_reads
from ..spec import RuleFileError


class DetectorRule(Rule):
    kind = "detector"
    PARAMS: ClassVar[dict[str, Any]] = {"detector": None}

    def __init__(self, spec, overrides=None, context=None):
        from ..detectors import DETECTORS

        name = spec.params.get("detector") or spec.name
        if name not in DETECTORS:
            raise RuleFileError(f"rule {spec.name}: no detector named {name!r}")
        self.function, defaults = DETECTORS[name]
        reads = function_reads(self.function.__module__, self.function.__name__)
        given = {k: v for k, v in spec.params.items() if k in reads and k not in defaults}
        self.PARAMS = {"detector": name, **defaults, **given}
        super().__init__(spec, overrides, context)
        missing = sorted(reads - set(self.params))
        if missing:
            raise RuleFileError(
                f"rule {spec.name}: the detector reads parameter(s) {', '.join(missing)}, "
                "which neither its rule file nor its defaults give"
            )

    def fields(self) -> set[str]:
        return set(function_fields(self.function.__module__, self.function.__name__)[0])

    def variants(self) -> set[str]:
        return set(function_fields(self.function.__module__, self.function.__name__)[1])

    def check(self, doc: Document) -> Iterable[Hit]:
        if not doc.readable:
            return ()
        return self.function(doc, self.params, self.context)
