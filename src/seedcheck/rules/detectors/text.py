"""Small text-hygiene detectors that need a little code beyond a pattern."""

from __future__ import annotations

import re
from typing import Iterable

from ...model import Document, Fix, Hit
from . import detector

# C0/C1 controls (tab excepted), zero-width characters, soft hyphen, BOM and
# bidirectional overrides: invisible in a report, harmful in a corpus.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2060\ufeff\u202a-\u202e\u2066-\u2069]")


@detector("control-characters")
def control_characters(doc: Document, params: dict, context) -> Iterable[Hit]:
    """Control, zero-width and bidi-override characters inside text lines."""
    for number, text in doc.body_lines():
        bad = [m.start() for m in CONTROL.finditer(text)]
        if not bad:
            continue
        names = sorted({f"U+{ord(text[i]):04X}" for i in bad})
        yield Hit(
            line=number, column=bad[0] + 1, end_column=bad[-1] + 2,
            values={"chars": ", ".join(names), "count": len(bad)},
            fix=Fix("remove the invisible characters", CONTROL.sub("", text[bad[0]:bad[-1] + 1])),
        )
