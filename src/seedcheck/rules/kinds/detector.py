"""`detector`: a rule whose logic needs code: one function in `rules/detectors/`, named by
the `detector` parameter. The function's declared defaults are its parameters."""

from __future__ import annotations

from typing import Iterable

from ...model import Document, Hit
from ..base import Rule
from ..fields import function_fields
from ..spec import RuleFileError


class DetectorRule(Rule):
    kind = "detector"
    PARAMS = {"detector": None}

    def __init__(self, spec, overrides=None, context=None):
        from ..detectors import DETECTORS

        name = spec.params.get("detector") or spec.name
        if name not in DETECTORS:
            raise RuleFileError(f"rule {spec.name}: no detector named {name!r}")
        self.function, defaults = DETECTORS[name]
        self.PARAMS = {"detector": name, **defaults}
        super().__init__(spec, overrides, context)

    def fields(self) -> set[str]:
        return set(function_fields(self.function.__module__, self.function.__name__)[0])

    def variants(self) -> set[str]:
        return set(function_fields(self.function.__module__, self.function.__name__)[1])

    def check(self, doc: Document) -> Iterable[Hit]:
        if not doc.readable:
            return ()
        return self.function(doc, self.params, self.context)
