"""The import table of ARCHITECTURE.md is true: each module imports only what its row allows.

Every module under `src/seedcheck/` must be covered by a row; a row's `may import` names
other rows (`model`, `rules.base`, `kinds`, ...), `stdlib only`, `third-party only` or `everything above`, and
allows what those rows may import in turn (layers). Imports inside functions count too: a
lazy import is still a dependency. A package's modules may import each other and the package.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

SRC = ROOT / "src" / "seedcheck"
_CELL = re.compile(r"`([^`]+)`")


def _rows() -> list[tuple[list[str], str]]:
    """(module keys, may-import cell) of each row of the Modules table."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    table = text.split("## Modules", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("module", "") or set(cells[0]) <= {"-"}:
            continue
        rows.append((_CELL.findall(cells[0]), cells[2]))
    return rows


def _dotted(key: str) -> str:
    """`rules/spec.py` → `seedcheck.rules.spec`; `ingest/` → `seedcheck.ingest`."""
    return "seedcheck." + key.strip("/").removesuffix(".py").replace("/", ".")


ROWS = _rows()
ROW_KEYS = [{_dotted(k) for k in keys} for keys, _ in ROWS]
KEYS = [k for keys in ROW_KEYS for k in keys]


def _owner(module: str) -> str | None:
    """The row key that covers `module` (the longest matching prefix)."""
    found = [k for k in KEYS if module == k or module.startswith(k + ".")]
    return max(found, key=len) if found else None


def _resolve(name: str) -> str:
    """A `may import` word (`model`, `kinds`, `rules.base`) → its row key."""
    matches = [k for k in KEYS if k == "seedcheck." + name or k.endswith("." + name)]
    assert len(matches) == 1, f"ARCHITECTURE.md: `may import` word {name!r} names {matches or 'no row'}"
    return matches[0]


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(module: str, path: Path) -> set[str]:
    """Absolute names of every module `path` imports (at any depth of the code)."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names.add(target)
            if not node.module:  # `from . import x`: x may be a module
                names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def _direct(index: int) -> set[str]:
    """The row keys row `index` names in its `may import` cell."""
    cell = ROWS[index][1]
    if cell in ("stdlib only", "third-party only"):
        return set()
    if cell == "everything above":
        return {_dotted(k) for keys, _ in ROWS[:index] for k in keys}
    return {_resolve(word.strip()) for word in cell.split(",") if word.strip()}


def _row_of(key: str) -> int:
    return next(i for i, keys in enumerate(ROW_KEYS) if key in keys)


def _allowed(index: int) -> tuple[set[str], bool]:
    """Row keys row `index` may import (its cell, then theirs in turn) and whether it is stdlib only."""
    allowed, todo = set(), list(_direct(index))
    while todo:
        key = todo.pop()
        if key not in allowed:
            allowed.add(key)
            todo.extend(_direct(_row_of(key)))
    return allowed, ROWS[index][1] == "stdlib only"


MODULES = _modules()
# Pending on another branch of issue 23 (the run owns the GX worker); empty it once merged.
KNOWN_CYCLES: list[set[str]] = []


def test_every_module_has_a_row():
    missing = sorted(m for m in MODULES if m != "seedcheck" and _owner(m) is None)
    assert not missing, f"modules missing from ARCHITECTURE.md's table: {missing}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "seedcheck"))
def test_module_imports_follow_the_table(module):
    owner = _owner(module)
    index = _row_of(owner)
    allowed, stdlib_only = _allowed(index)
    wrong = []
    for name in sorted(_imports(module, MODULES[module])):
        top = name.split(".")[0]
        if top != "seedcheck":
            if stdlib_only and top not in sys.stdlib_module_names and top != "__future__":
                wrong.append(name)
            continue
        target = _owner(name)
        if target is None or target in ROW_KEYS[index] or name == "seedcheck":
            continue
        if any({module, name} <= cycle or {owner, target} <= cycle for cycle in KNOWN_CYCLES):
            continue
        if target not in allowed:
            wrong.append(name)
    assert not wrong, f"{module} ({owner}) imports {wrong}; ARCHITECTURE.md allows {ROWS[index][1]!r}"


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles():
    """Imports point one way. A package's modules importing the package itself (the
    `@detector`/`@analyzer` registries) are not cycles: the package imports them to register."""
    graph = {
        m: {i for i in _imports(m, p) if i in MODULES and i != m and not m.startswith(i + ".")}
        for m, p in MODULES.items()
    }
    cycles = [c for c in _cycles(graph) if c not in KNOWN_CYCLES]
    assert not cycles, f"import cycles: {[sorted(c) for c in cycles]}"


def test_the_cycle_check_can_fail():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [{"a", "b", "c"}]


def test_the_table_parses():
    """A test that finds no rows would pass vacuously."""
    assert len(ROWS) > 20 and "seedcheck.model" in KEYS and "seedcheck.rules.kinds" in KEYS
