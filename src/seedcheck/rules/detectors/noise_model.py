"""A small learned line model for scraped page furniture: a one-hidden-layer network over
shallow features of a line and its neighbours (length, punctuation, capitalisation, position in the
page's text, the lines around it, lexicon hits, repetition).

Why a model and not more phrases: the furniture of other sites' pages (archive lists, author
bylines of comments, "related" headline lists, category lists) has no fixed wording, but it
has a shape that shows in a line's neighbourhood. The weights are data
(`checks/data/noise/line-model.yaml`), trained by `bench/train_noise_model.py` on the
development half of two public page sets; inference is two small matrix products per document.
Only short lines that are not structure are scored; long lines are left to the lexicons.
"""

from __future__ import annotations

import math
import re

from .layout import TIME_OR_DATE, Layout, comparable
from .noise_wrap import wrapped

# The features, in order; the model file names its weights by these names.
FEATURES = (
    "bias",
    "log_chars",
    "log_words",
    "terminal",
    "intro",
    "listitem",
    "metadata",
    "official",
    "cap_ratio",
    "digit_ratio",
    "symbol_ratio",
    "separators",
    "count_suffix",
    "date_time",
    "lexicon",
    "in_head",
    "in_tail",
    "position",
    "mass_before",
    "centrality",
    "prev_prose",
    "next_prose",
    "log_prev_words",
    "log_next_words",
    "short_window",
    "window_chars",
    "log_prose_distance",
    "repeated",
    "lower_start",
    "link_or_handle",
    "ellipsis",
    "tiny",
    "short_x_edge",
    "short_window_x_edge",
    "log_run",
    "shape_run",
    "terminal_window",
    "prose_window",
    "alike_window",
    "page_short_share",
    "log_page_lines",
)
MAX_WORDS = 8  # longer lines are headlines, prose or comments: left to the other rules
_SEPARATORS = re.compile(r"[|»›•·►▶]|\s/\s|\s-\s.*\s-\s")
_COUNT_SUFFIX = re.compile(r"\(\d[\d,]*\)\s*$|^\d[\d,]*$")
_LINKISH = re.compile(r"@\w|https?://|www\.|\.com\b", re.IGNORECASE)
_SYMBOL = re.compile(r"[^\w\s]")
_MARKUP = re.compile(r"[<>]|=\"|\]\(|^\s*\[")


def _short(lay: Layout, k: int) -> bool:
    return 0 < lay.words[k] <= 5 and not lay.terminal[k]


def candidates(lay: Layout) -> list[int]:
    """Layout indices the model scores: short lines that stand alone. Structure, the title
    line, list items, markup remnants and lines inside a hard-wrapped paragraph (a wrapped
    fragment is short but is prose) are never scored: the pages it learned from have
    one line per paragraph."""
    block_of: dict[int, list[int]] = {}
    for members in lay.paragraphs:
        if len(members) > 1:
            for k in members:
                block_of[k] = members
    out = []
    joined = wrapped(lay)
    for i in range(len(lay.norm)):
        if lay.structure[i] or joined[i] or lay.listitem[i] or not 0 < lay.words[i] <= MAX_WORDS:
            continue
        if lay.numbers[i] == lay.title_line or _MARKUP.search(lay.raw[i]):
            continue
        # A line a deliberate break sets apart from a wrapped paragraph stands alone.
        block = None if lay.wrapped[i] else block_of.get(i)
        if block and any(len(lay.raw[k].strip()) > 45 for k in block):
            continue
        out.append(i)
    return out


def _prose_mass(lay: Layout) -> list[float]:
    """Share of the document's prose characters before each line."""
    total = sum(len(lay.norm[k]) for k in range(len(lay.norm)) if lay.prose[k]) or 1
    out, seen = [], 0
    for k in range(len(lay.norm)):
        out.append(seen / total)
        if lay.prose[k]:
            seen += len(lay.norm[k])
    return out


def _prose_distance(lay: Layout) -> list[int]:
    """Lines from each line to the nearest prose line (len(lines) when there is none)."""
    n = len(lay.norm)
    out, last = [n] * n, None
    for k in range(n):
        last = k if lay.prose[k] else last
        out[k] = k - last if last is not None else n
    last = None
    for k in range(n - 1, -1, -1):
        last = k if lay.prose[k] else last
        out[k] = min(out[k], last - k) if last is not None else out[k]
    return out


def _short_runs(lay: Layout) -> list[int]:
    """Length of the run of short unpunctuated lines each line belongs to (0 if it is not one)."""
    n = len(lay.norm)
    out, k = [0] * n, 0
    while k < n:
        j = k
        while j < n and _short(lay, j):
            j += 1
        for m in range(k, j):
            out[m] = j - k
        k = max(j, k + 1)
    return out


def line_features(
    lay: Layout, indices: list[int], lexicon: set[int], shaped: set[int] = frozenset()
) -> list[list[float]]:
    """One feature vector (ordered as FEATURES) per layout index in `indices`; `lexicon` and
    `shaped` are the lines a noise lexicon and the menu-run rule claim."""
    keys = [comparable(t) for t in lay.norm]
    counts: dict[str, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    page = {
        "mass": _prose_mass(lay),
        "distance": _prose_distance(lay),
        "runs": _short_runs(lay),
        "repeated": [counts[key] > 1 and bool(key) for key in keys],
        "short_share": sum(_short(lay, k) for k in range(len(keys))) / (len(keys) or 1),
    }
    return [_own(lay, i, lexicon) + _context(lay, i, page, shaped) for i in indices]


def _own(lay: Layout, i: int, lexicon: set[int]) -> list[float]:
    """The features of the line itself (FEATURES from `bias` to `lexicon`)."""
    text, words = lay.norm[i], lay.words[i]
    chars = len(text) or 1
    tokens = text.split()
    return [
        1.0,
        math.log1p(chars),
        math.log1p(words),
        float(lay.terminal[i]),
        float(lay.intro[i]),
        float(lay.listitem[i]),
        float(lay.metadata_like[i]) if words <= 12 else 0.0,
        float(lay.official_like[i]) if words <= 12 else 0.0,
        sum(t[:1].isupper() for t in tokens) / (len(tokens) or 1),
        sum(c.isdigit() for c in text) / chars,
        len(_SYMBOL.findall(text)) / chars,
        float(bool(_SEPARATORS.search(lay.raw[i]))),
        float(bool(_COUNT_SUFFIX.search(text))),
        float(bool(TIME_OR_DATE.search(text))),
        float(i in lexicon),
    ]


def _context(lay: Layout, i: int, page: dict, shaped: set[int]) -> list[float]:
    """The features of the line's place and neighbours (FEATURES from `in_head` on)."""
    n = len(lay.norm)
    text, words = lay.norm[i], lay.words[i]
    window = [k for k in range(max(0, i - 3), min(n, i + 4)) if k != i]
    short_window = sum(_short(lay, k) for k in window) / (len(window) or 1)
    edge = float(lay.in_head(i) or lay.in_tail(i))
    short = float(words <= 5 and not lay.terminal[i])
    mass = page["mass"][i]
    return [
        float(lay.in_head(i)),
        float(lay.in_tail(i)),
        i / n,
        mass,
        min(mass, 1 - mass),
        float(i > 0 and lay.prose[i - 1]),
        float(i + 1 < n and lay.prose[i + 1]),
        math.log1p(lay.words[i - 1]) if i > 0 else 0.0,
        math.log1p(lay.words[i + 1]) if i + 1 < n else 0.0,
        short_window,
        sum(math.log1p(len(lay.norm[k])) for k in window) / (len(window) or 1),
        math.log1p(page["distance"][i]),
        float(page["repeated"][i]),
        float(text[:1].islower()),
        float(bool(_LINKISH.search(text))),
        float(text.endswith(("...", "…"))),
        float(words <= 2),
        short * edge,
        short_window * edge,
        math.log1p(page["runs"][i]),
        float(i in shaped),
        *_neighbourhood(lay, i),
        page["short_share"],
        math.log1p(n),
    ]


def _neighbourhood(lay: Layout, i: int) -> tuple[float, float, float]:
    """Shares of the lines around: ending a sentence (±3), running text (±5), and of a length
    like this line's without a full stop (±3: the items of a menu or a headline list)."""
    n = len(lay.norm)
    near = [k for k in range(max(0, i - 3), min(n, i + 4)) if k != i]
    wide = [k for k in range(max(0, i - 5), min(n, i + 6)) if k != i]
    words = lay.words[i]
    alike = sum(not lay.terminal[k] and abs(lay.words[k] - words) <= max(1, words // 3) for k in near)
    return (
        sum(lay.terminal[k] for k in near) / (len(near) or 1),
        sum(lay.prose[k] for k in wide) / (len(wide) or 1),
        alike / (len(near) or 1),
    )


def probabilities(model: dict, rows: list[list[float]]) -> list[float]:
    """P(furniture) per feature row: a one-hidden-layer network over standardised features."""
    import numpy as np  # already loaded by the record table; only the model needs it here

    key = id(model)
    if _PARAMS.get("key") != key:
        names = list(model["features"])
        if not set(names) <= set(FEATURES):
            raise ValueError("noise line model was trained on other features; retrain it")
        _PARAMS.update(
            key=key,
            columns=[FEATURES.index(name) for name in names],
            mean=np.array(model["mean"]),
            scale=np.array(model["scale"]),
            w1=np.array(model["w1"]),
            b1=np.array(model["b1"]),
            w2=np.array(model["w2"]),
            b2=float(model["b2"]),
        )
    if not rows:
        return []
    # The model names the features it reads, in its order: a model trained on fewer
    # features than the code computes still runs.
    x = (np.array(rows, dtype=float)[:, _PARAMS["columns"]] - _PARAMS["mean"]) / _PARAMS["scale"]
    z = np.tanh(x @ _PARAMS["w1"] + _PARAMS["b1"]) @ _PARAMS["w2"] + _PARAMS["b2"]
    return (1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))).tolist()


_PARAMS: dict = {}
