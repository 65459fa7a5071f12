"""Corpus analyzers: rules that compare documents with each other.

An analyzer has `collect(doc, context) -> state` (runs in the worker processes; the state
must be small) and `finish(states, rules, context) -> Iterable[(rule name, doc_id, Hit)]`
(runs once over all states). `READS` names, per rule it serves, the parameters whose values
the rule file gives (`rule_params` reads them even when that rule is disabled); `DEFAULTS`
holds only parameters no rule file gives.

Hooks with defaults on `Analyzer` let the Spark engine send `finish` only the states it
needs (see `engines/spark_corpus.py`): `blocking_keys` (documents compared only when they
share a key), with `live_keys`/`prune` when the analyzer decides what to keep
(boilerplate); or `weights`, `plan`, `live` and `prune` when the findings depend on
corpus-wide totals (names), in which case `finish` also accepts the `plan`. The base class
keeps the books: `aggregated` says which of the two an analyzer does, and an analyzer that
overrides no hook ships every state.
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

    # Spark engine hooks. `aggregated` is set for each subclass from what it overrides: True
    # when it has its own `weights` (its states are reduced by corpus-wide totals and a
    # `plan`), else states are reduced by `blocking_keys`.
    aggregated: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "aggregated" not in cls.__dict__:
            cls.aggregated = cls.weights.__func__ is not Analyzer.weights.__func__

    @classmethod
    def blocking_keys(cls, state: Any, params: dict[str, dict]) -> list[str] | None:
        """Keys of the documents `finish` may compare with this one (it compares only
        documents that share one); None, the default: the state goes to `finish` whole."""
        return None

    @classmethod
    def live_keys(cls, counts: dict[str, int], params: dict[str, dict]) -> set[str]:
        """The keys that matter, from the document count of every key two documents or more
        share; by default all of them."""
        return set(counts)

    @classmethod
    def weights(cls, state: Any, params: dict[str, dict]) -> Iterable[tuple[str, int]]:
        """(key, weight) pairs summed over the corpus for `plan` (aggregated analyzers); by
        default each blocking key once."""
        return ((key, 1) for key in set(cls.blocking_keys(state, params) or ()))

    @classmethod
    def plan(cls, totals: dict[str, int], params: dict[str, dict]) -> Any:
        """What `finish` needs from the corpus-wide totals of `weights` (aggregated analyzers)."""
        return None

    @classmethod
    def live(cls, plan: Any) -> set[str]:
        """The keys of `plan` whose states `finish` reads (aggregated analyzers)."""
        return set()

    @classmethod
    def prune(cls, state: Any, live: set[str], params: dict[str, dict]) -> Any:
        """The part of a state `finish` needs given the `live` keys, or None for nothing. A
        blocking analyzer's state is pruned only when one of its keys is live (else it is
        dropped); by default it is kept whole."""
        return state


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
