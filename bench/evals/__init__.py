"""Sections of `bench/eval.py`, one module each (plug-ins).

A section is any module here whose name does not start with `_` and that defines

    TITLE: str                      # the heading printed above its table
    def evaluate(options) -> dict   # {"columns": [...], "rows": [[...], ...], "notes": [...]}

`bench/eval.py` imports them in name order and runs each; `--only NAME` runs one. `options`
is an `Options` (below). Helpers shared by sections (the real corpora's findings, cached by
source tree) live in `_corpus.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Options:
    """What every section may read: smaller samples (`quick`), cores to use, where to work."""

    quick: bool = False
    jobs: int = 2
    fresh: bool = False  # ignore cached findings files and re-run seedcheck
    root: Path = ROOT
    work: Path = field(default_factory=lambda: ROOT / "bench" / "work")
    shared: Path = field(default_factory=lambda: ROOT.parent / "shared")
