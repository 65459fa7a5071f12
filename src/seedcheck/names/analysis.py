"""A document's name analysis, computed once per document and shared by the `people`
extractor, the two detectors and the `name-inconsistent` corpus analyzer."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from ..facts import Facts, facts_of
from .fold import nfc_with_map
from .forms import NameMatch
from .registry import Registry, load_registry
from .runs import candidate_runs


@dataclass(slots=True)
class Analysis:
    """A document's body as one NFC string, its line map, registry matches and runs."""

    text: str
    line_starts: list[int]
    line_numbers: list[int]
    line_maps: list[list[int] | None]
    matches: list[NameMatch]
    runs: list[list[tuple[int, int, str]]]
    _misspellings: dict[tuple[int, int], list[NameMatch]] = field(default_factory=dict)

    def position(self, offset: int) -> tuple[int, int]:
        """(file line number, 1-based column in the line as read) of a text offset."""
        i = bisect.bisect_right(self.line_starts, offset) - 1
        col = offset - self.line_starts[i]
        mapping = self.line_maps[i]
        if mapping is not None:
            col = mapping[min(col, len(mapping) - 1)]
        return self.line_numbers[i], col + 1

    def span(self, start: int, end: int) -> tuple[int, int, int, int]:
        """(line, column, end line, end column) of [start, end)."""
        line, col = self.position(start)
        end_line, end_col = self.position(max(start, end - 1))
        return line, col, end_line, end_col + 1

    def taken(self) -> list[tuple[int, int]]:
        """The spans the registry matched."""
        return [(m.start, m.end) for m in self.matches]

    def misspellings(self, registry: Registry, max_distance: int = 2, long_name: int = 16) -> list[NameMatch]:
        """Near misses of registered names in the runs (`Registry.misspellings`), computed once per setting."""
        key = (max_distance, long_name)
        if key not in self._misspellings:
            self._misspellings[key] = registry.misspellings(self.text, self.runs, self.taken(), max_distance, long_name)
        return self._misspellings[key]


def analyse(doc: Any, context: Any) -> Analysis:
    """The name analysis of `doc`, computed once per document (see `seedcheck.facts`)."""
    return facts_of(doc, context).fact(_analysis_of)


def _analysis_of(facts: Facts) -> Analysis:
    doc = facts.doc
    registry = load_registry(facts.context)
    pieces, starts, numbers, maps = [], [], [], []
    offset = 0
    for number, line in facts.body_lines:
        norm, mapping = nfc_with_map(line)
        starts.append(offset)
        numbers.append(number)
        maps.append(mapping)
        pieces.append(norm)
        offset += len(norm) + 1
    text = "\n".join(pieces)
    if not starts:
        starts, numbers, maps = [0], [doc.body_start + doc.line_offset + 1], [None]
    return Analysis(text, starts, numbers, maps, registry.match(text), candidate_runs(text))
