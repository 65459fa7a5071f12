"""The `noise-weather` rule: weather widget lines ("72°F Sunny | Humidity 40%"), from the
readings, words and measures of `checks/data/noise/weather.yaml`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ...model import Document, Hit
from . import detector
from .layout import layout
from .noise import _COMPILED, _hit, _terms_regex, compiled
from .noise_wrap import wrapped


@detector("noise-weather")
def weather(doc: Document, params: dict, context: Any) -> Iterable[Hit]:
    """Weather widget lines: a bare temperature reading ("90.5 F"), a reading with a degree
    sign on a short line, or a reading with a weather word ("72°F Sunny")."""
    lay = layout(doc)
    readings = compiled(context, params["lexicon"], "readings")
    words = compiled(context, params["lexicon"], "phrases_words")
    if readings is None:
        return []
    measures = compiled(context, params["lexicon"], "measures")
    if words is None:
        terms = (context.yaml(params["lexicon"]) or {}).get("words") or []
        words = re.compile(_terms_regex(terms, whole_line=False), re.IGNORECASE) if terms else None
        _COMPILED[(params["lexicon"], "phrases_words")] = words
    out = []
    joined = wrapped(lay)
    for i, norm in enumerate(lay.norm):
        if lay.words[i] > params["max_words"] or lay.terminal[i] or joined[i]:
            continue
        stripped = lay.raw[i].strip()
        m = readings.search(stripped)
        if not m:
            continue
        rest = (stripped[: m.start()] + " " + stripped[m.end() :]).strip()
        if measures is not None:
            rest = measures.sub(" ", rest).strip(" |,;·•-–—:")
        bare = not rest
        degree = "°" in m.group(0) or "º" in m.group(0)
        worded = words is not None and words.search(rest) is not None
        # Anything else with digits ("Section 5 F", "Form 1040 C") is not a widget.
        if bare or ((degree or worded) and not re.search(r"\d", rest) and len(rest.split()) <= 4):
            out.append(_hit(lay, i, m.group(0), "temperature reading"))
    return out
