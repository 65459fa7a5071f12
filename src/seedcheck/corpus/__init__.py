"""Corpus analyzers: rules that compare documents with each other.

An analyzer has `collect(doc, context) -> state` (runs in the worker processes; the state
must be small) and `finish(states, rules, context) -> Iterable[(rule name, doc_id, Hit)]`
(runs once over all states). `DEFAULTS` maps each rule name it serves to its parameters.
"""

from __future__ import annotations

from typing import Any, ClassVar, Iterable

from ..model import Document, Hit


class Analyzer:
    """Base class of corpus analyzers (see the module doc)."""

    name: ClassVar[str] = ""
    DEFAULTS: ClassVar[dict[str, dict[str, Any]]] = {}

    @classmethod
    def collect(cls, doc: Document, context: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def finish(cls, states: list[tuple[str, Any]], rules: dict, context: Any) -> Iterable[tuple[str, str, Hit]]:
        raise NotImplementedError


ANALYZERS: dict[str, type[Analyzer]] = {}


def analyzer(cls: type[Analyzer]) -> type[Analyzer]:
    """Class decorator: register a corpus analyzer under its `name`."""
    ANALYZERS[cls.name] = cls
    return cls


from . import urls  # noqa: E402,F401
from . import duplicates  # noqa: E402,F401
from . import names  # noqa: E402,F401
from . import boilerplate  # noqa: E402,F401
