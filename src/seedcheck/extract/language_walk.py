"""py3langid's feature counts without its per-byte Python loop.

py3langid walks a byte automaton (Aho-Corasick over its byte n-grams) one byte at a time
in Python and counts the feature each state emits: about 1 ms for a 4,000-character
sample, the largest part of language identification. In such an automaton the state after
any position depends only on its last few bytes (the longest n-gram), so every
position's state is reached by walking its window from the start state: `WINDOW` numpy
gathers over the whole text instead of one Python step per byte. The counts, their order
(first occurrence, which fixes the float sum's order) and so the languages and
confidences are py3langid's, bit for bit; `agrees_with_the_walk` checks that on load.
The naive Bayes product uses a float32 copy of the model's float16 table: numpy's
float16 to float32 cast of the gathered rows cost more than the product.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from py3langid.langid import LanguageIdentifier, visit_counts

_POSITION_BITS = 32  # a sample's byte offset fits; features sort above it
# Bytes each position's window walks. py3langid 0.4's deepest state is 6 bytes from the start
# (its longest n-gram; tests/test_language.py measures it); a longer window gives the same
# states, so 8 leaves room for a model with longer n-grams at a small cost.
WINDOW = 8


class WindowedIdentifier(LanguageIdentifier):
    """A py3langid `LanguageIdentifier` whose `_raw_score` counts features by windows."""

    window = WINDOW

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._next = np.asarray(self.tk_nextmove, dtype=np.uint32)
        self._rows = np.asarray(self.tk_row, dtype=np.uint32) << np.uint32(8)
        self._emits = np.asarray(self.tk_output, dtype=np.int64)
        self._table = np.asarray(self.nb_ptc, dtype=np.float32)

    def set_languages(self, langs=None):
        """py3langid's restriction to `langs`, applied to the float32 table too."""
        super().set_languages(langs)
        self._table = np.asarray(self.nb_ptc, dtype=np.float32)

    def agrees_with_the_walk(self, texts: Iterable[str]) -> bool:
        """True when the windowed counts equal py3langid's walk on `texts` (and their prefixes)."""
        for text in texts:
            data = self._encode(text)
            for end in range(0, len(data) + 1, 7):
                reference = visit_counts(self.tk_nextmove, self._rowbase, self.tk_output, data[:end])
                features, counts = self.feature_counts(data[:end])
                ours = None if features is None else list(zip(features.tolist(), counts.tolist()))
                if ours != (None if reference is None else list(reference.items())):
                    return False
        return True

    def feature_counts(self, data: bytes) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The features `data` visits and how often, in order of first visit (None, None if none)."""
        text = np.frombuffer(data, dtype=np.uint8).astype(np.uint32)
        n = len(text)
        state = np.zeros(n, dtype=np.uint32)
        for back in range(min(self.window, n) - 1, -1, -1):
            window = state[back:]  # the state `back` bytes before each position's end
            np.take(self._rows, window, out=window)
            window += text[: n - back]
            np.take(self._next, window, out=window)
        emitted = self._emits[state]
        at = np.flatnonzero(emitted >= 0)
        if not len(at):
            return None, None
        keys = np.sort((emitted[at] << _POSITION_BITS) | at)
        features = keys >> _POSITION_BITS
        starts = np.flatnonzero(np.concatenate(([True], features[1:] != features[:-1])))
        counts = np.diff(np.append(starts, len(keys)))
        order = np.argsort(keys[starts] & ((1 << _POSITION_BITS) - 1))
        return features[starts][order], counts[order]

    def _raw_score(self, text):
        features, counts = self.feature_counts(text)
        if features is None:
            return super()._raw_score(b"")  # py3langid's score of a featureless text
        return np.log1p(counts.astype(np.float32)) @ self._table[features] + self.nb_pc
