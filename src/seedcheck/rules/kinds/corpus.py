"""`corpus`: rules that compare documents (duplicates, boilerplate, name consistency).

An analyzer in `seedcheck.corpus` collects compact per-document state in the document
stage (in the worker processes) and turns all states into hits at the end. Several rules
may share one analyzer (duplicate-exact, duplicate-near and templated-sibling); it runs once.
Its parameters are the analyzer's `DEFAULTS` for the rule and those it `READS` from the
rule file's `params:` (one it reads that the file does not give is a load error).
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..base import Rule
from ..fields import module_fields
from ..spec import RuleFileError


class CorpusRule(Rule):
    kind = "corpus"
    stage = "corpus"
    PARAMS: ClassVar[dict[str, Any]] = {"analyzer": None}

    def __init__(self, spec, overrides=None, context=None):
        from ...corpus import ANALYZERS

        name = spec.params.get("analyzer")
        if name not in ANALYZERS:
            raise RuleFileError(f"rule {spec.name}: no corpus analyzer named {name!r}")
        self.analyzer = ANALYZERS[name]
        reads = self.analyzer.READS.get(spec.name, frozenset())
        given = {k: v for k, v in spec.params.items() if k in reads}
        self.PARAMS = {"analyzer": name, **self.analyzer.DEFAULTS.get(spec.name, {}), **given}
        super().__init__(spec, overrides, context)
        missing = sorted(reads - set(self.params))
        if missing:
            raise RuleFileError(
                f"rule {spec.name}: the analyzer reads parameter(s) {', '.join(missing)}, "
                "which neither its rule file nor its defaults give"
            )
        # The rule-file parameters of every rule its analyzer serves, enabled or not (the
        # registry fills in the others'): a rule's defaults are written only in its file.
        self.file_params: dict[str, dict] = {spec.name: dict(self.PARAMS)}

    def fields(self) -> set[str]:
        return set(module_fields(self.analyzer.__module__))
