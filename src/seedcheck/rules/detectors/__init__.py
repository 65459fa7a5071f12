"""Detector functions for `kind: detector` rules, one small module per detector.

A detector is `fn(doc, params, context) -> Iterable[Hit]`, registered with
`@detector(name, **defaults)`; the defaults are the parameters its rule files may set.
To add one: write the module, import it at the bottom of this file, add the rule YAML.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

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
from . import text  # noqa: E402,F401
from . import metadata  # noqa: E402,F401
from . import noise  # noqa: E402,F401
from . import noise_weather  # noqa: E402,F401
from . import names  # noqa: E402,F401
from . import markup  # noqa: E402,F401
from . import sentences  # noqa: E402,F401
from . import acronyms  # noqa: E402,F401
from . import leftovers  # noqa: E402,F401
from . import mismatch  # noqa: E402,F401
