"""Corpus analyzers: rules that compare documents with each other.

An analyzer has `collect(doc, context) -> state` (runs in the worker processes; the state
must be small) and `finish(states, rules, context) -> Iterable[(rule name, doc_id, Hit)]`
(runs once over all states). `READS` names, per rule it serves, the parameters whose values
the rule file gives (`rule_params` reads them even when that rule is disabled); `DEFAULTS`
holds only parameters no rule file gives.

Optional hooks let the Spark engine send `finish` only the states it needs (see
`engines/spark.py`): `blocking_keys` (documents compared only when they share a key), with
`live_keys`/`prune` when the analyzer decides what to keep (boilerplate); or `weights`,
`plan`, `live` and `prune` when the findings depend on corpus-wide totals (names), in which
case `finish` also accepts the `plan`.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from typing import Any, ClassVar

from ..model import Document


class Analyzer(abc.ABC):
    """Base class of corpus analyzers (see the module doc)."""

    name: ClassVar[str] = ""
    READS: ClassVar[dict[str, frozenset[str]]] = {}
    DEFAULTS: ClassVar[dict[str, dict[str, Any]]] = {}

    @classmethod
    @abc.abstractmethod
    def collect(cls, doc: Document, context: Any) -> Any:
        """Compact per-document state (runs in the worker processes)."""

    @classmethod
    @abc.abstractmethod
    def finish(cls, states: list[tuple[str, Any]], rules: dict, context: Any) -> Iterable[tuple]:
        """Hits over all states: `(rule, doc_id, hit)` or `(rule, doc_id, hit, record_patch)`."""


ANALYZERS: dict[str, type[Analyzer]] = {}


def rule_params(rules: dict, name: str) -> dict[str, Any]:
    """The parameters of rule `name`: as configured when it is enabled (in `rules`), else as
    its rule file gives them (an analyzer serving several rules may run one for another's sake)."""
    if name in rules:
        return rules[name].params
    return next(iter(rules.values())).file_params[name]


def analyzer(cls: type[Analyzer]) -> type[Analyzer]:
    """Class decorator: register a corpus analyzer under its `name`."""
    ANALYZERS[cls.name] = cls
    return cls


from . import (
    boilerplate,  # noqa: F401
    duplicates,  # noqa: F401
    names,  # noqa: F401
    urls,  # noqa: F401
)
