"""Every script under bench/ imports with the test install alone: a rename in seedcheck that
a benchmark still uses (bench/docstage.py imported `leftovers._words` for a session after it
became `spelling_words`) fails here, not the next time someone measures. The `bench`
extra's packages (datatrove, spaCy, resiliparse...) are imported inside the functions that
use them, so a script that imports one at its top fails here too."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
SCRIPTS = sorted(p for p in BENCH.rglob("*.py") if "work" not in p.relative_to(BENCH).parts)


def _module_name(path: Path) -> str:
    """A package's module by its dotted name; a script by its stem, as `python path` runs
    it (its own folder first on `sys.path`)."""
    if (path.parent / "__init__.py").exists():
        return ".".join(path.relative_to(BENCH).with_suffix("").parts).removesuffix(".__init__")
    return path.stem


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: str(p.relative_to(BENCH)))
def test_bench_script_imports(path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(BENCH))
    monkeypatch.syspath_prepend(str(path.parent))
    name = _module_name(path)
    loaded = set(sys.modules)
    try:
        importlib.import_module(name)
    finally:
        for added in set(sys.modules) - loaded:  # bench's modules only live for this test
            if not added.startswith(("seedcheck", "numpy", "pandas", "pyarrow")):
                sys.modules.pop(added, None)


def test_every_script_is_collected():
    assert {"docstage.py", "run.py", "eval.py"} <= {p.name for p in SCRIPTS}
