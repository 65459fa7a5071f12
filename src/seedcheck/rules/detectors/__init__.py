"""Detector functions for `kind: detector` rules, one small module per detector.

A detector is `fn(doc, params, context) -> Iterable[Hit]`, registered with
`@detector(name, **defaults)`; the defaults are the parameters its rule files may set.
To add one: write the module, import it at the bottom of this file, add the rule YAML.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ...model import Document, Hit

DetectorFn = Callable[[Document, dict, Any], Iterable[Hit]]
DETECTORS: dict[str, tuple[DetectorFn, dict[str, Any]]] = {}


def detector(name: str, **defaults: Any) -> Callable[[DetectorFn], DetectorFn]:
    """Register `fn` as the detector `name` with its parameter defaults."""

    def register(fn: DetectorFn) -> DetectorFn:
        DETECTORS[name] = (fn, defaults)
        return fn

    return register


# Detector modules register themselves on import.
from . import (
    acronyms,  # noqa: F401
    leftovers,  # noqa: F401
    markup,  # noqa: F401
    metadata,  # noqa: F401
    mismatch,  # noqa: F401
    names,  # noqa: F401
    noise,  # noqa: F401
    noise_title,  # noqa: F401
    noise_weather,  # noqa: F401
    sentences,  # noqa: F401
    text,  # noqa: F401
)
