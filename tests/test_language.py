"""Language identification gives py3langid's languages and confidences, bit for bit, with
the windowed walk (`extract/language_walk.py`), and falls back to py3langid's own walk
when the installed model does not agree with it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier, visit_counts

from seedcheck.extract import language
from seedcheck.extract.language_walk import WINDOW, WindowedIdentifier

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def identifiers():
    path = Path(MODEL_DIR) / MODEL_FILE
    return (
        WindowedIdentifier.from_modelpath(path, norm_probs=True),
        LanguageIdentifier.from_modelpath(path, norm_probs=True),
    )


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=400) | st.binary(max_size=400))
def test_counts_equal_the_walk_on_any_text(identifiers, text):
    windowed, _ = identifiers
    data = windowed._encode(text)
    reference = visit_counts(windowed.tk_nextmove, windowed._rowbase, windowed.tk_output, data)
    features, counts = windowed.feature_counts(data)
    if reference is None:
        assert features is None
    else:
        assert list(zip(features.tolist(), counts.tolist())) == list(reference.items())


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name)
def test_language_and_confidence_are_py3langids_bit_for_bit(identifiers, seed):
    windowed, plain = identifiers
    text = language.clean(seed.read_text(encoding="utf-8"))
    for sample in (text, text[:200], text[:4000], text.upper()[:300], "Hi x y"):
        assert windowed.classify(sample) == plain.classify(sample)
        assert windowed._decide(sample).tobytes() == plain._decide(sample).tobytes()


def test_the_run_uses_the_windowed_walk_or_py3langids_own(monkeypatch):
    assert isinstance(language._load(), WindowedIdentifier)
    monkeypatch.setattr(WindowedIdentifier, "agrees_with_the_walk", lambda self, texts: False)
    fallback = language._load()
    assert type(fallback) is LanguageIdentifier
    assert fallback.classify("The President signed the bill into law today.")[0] == "en"


def test_the_self_check_can_fail(identifiers):
    windowed, _ = identifiers
    broken = WindowedIdentifier.from_modelpath(Path(MODEL_DIR) / MODEL_FILE, norm_probs=True)
    broken.window = 2  # too short: the states of longer n-grams are never reached
    assert windowed.agrees_with_the_walk(language._SELF_CHECK)
    assert not broken.agrees_with_the_walk(language._SELF_CHECK)


def test_the_window_covers_the_models_deepest_state(identifiers):
    """Every state of py3langid's automaton is at most WINDOW bytes from the start state
    (breadth first over all 256 bytes), so a window of WINDOW bytes reaches the walk's state."""
    windowed, _ = identifiers
    moves, rows = windowed._next, windowed._rows
    depth = np.full(len(rows), -1)
    depth[0], frontier, level = 0, np.array([0]), 0
    while len(frontier):
        level += 1
        reached = np.unique(moves[(rows[frontier, None] + np.arange(256, dtype=np.uint32)).ravel()])
        frontier = reached[depth[reached] < 0]
        depth[frontier] = level
    assert (depth >= 0).all()
    assert depth.max() <= WINDOW


def test_a_restriction_to_some_languages_scores_as_py3langid_does():
    path = Path(MODEL_DIR) / MODEL_FILE
    windowed = WindowedIdentifier.from_modelpath(path, norm_probs=True)
    plain = LanguageIdentifier.from_modelpath(path, norm_probs=True)
    for identifier in (windowed, plain):
        identifier.set_languages(["de", "fr", "nl"])
    for text in ("The President signed the bill today.", "Le président a signé la loi mardi."):
        assert windowed.classify(text) == plain.classify(text)
