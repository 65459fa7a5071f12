"""`corpus`: rules that compare documents (duplicates, boilerplate, name consistency).

An analyzer in `seedcheck.corpus` collects compact per-document state in the document
stage (in the worker processes) and turns all states into hits at the end. Several rules
may share one analyzer (duplicate-exact, duplicate-near and duplicate-url); it runs once.
"""

from __future__ import annotations

from ..base import Rule
from ..fields import module_fields
from ..spec import RuleFileError


class CorpusRule(Rule):
    kind = "corpus"
    stage = "corpus"
    PARAMS = {"analyzer": None}

    def __init__(self, spec, overrides=None, context=None):
        from ...corpus import ANALYZERS

        name = spec.params.get("analyzer")
        if name not in ANALYZERS:
            raise RuleFileError(f"rule {spec.name}: no corpus analyzer named {name!r}")
        self.analyzer = ANALYZERS[name]
        self.PARAMS = {"analyzer": name, **self.analyzer.DEFAULTS.get(spec.name, {})}
        super().__init__(spec, overrides, context)

    def fields(self) -> set[str]:
        return set(module_fields(self.analyzer.__module__))
