"""What a rule's messages may say: the placeholders its hits can fill, checked at load.

A message template may use the rule's parameters and the `values` its hits carry. The
values are read from the code that builds the hits (the detector's or analyzer's module,
or the stage a `builtin` rule names in `emitted_by`) with `ast`: the keys of a dict given
as `values=`, assigned to `values`, set as `values["k"]`, passed to `values.update(k=...)`,
or returned by a function spread into one (`{**measure(...)}`). A placeholder no hit can
fill would reach curators as `{typo}`, so it is a load error.

Reading the code takes about 0.4 s (parsing some 50 modules), paid by every process that
loads the rules; the results depend on seedcheck's source only, so a run with the cache
keeps them there (`analyses` / `remember`, used by `pipeline.run`: the cache file's
fingerprint covers the source) and a re-run reads none of it.
"""

from __future__ import annotations

import ast
import importlib.util
import string
from functools import cache, wraps
from pathlib import Path
from typing import Any

from .spec import RuleFileError

# The modules whose hits a `builtin` rule reports, by its `emitted_by` parameter.
EMITTERS = {
    "ingest": ("seedcheck.ingest",),
    "extract": ("seedcheck.extract",),
    "gate": ("seedcheck.gate", "seedcheck.waivers", "seedcheck.baseline"),
    "expectations": ("seedcheck.expectations",),
}


def placeholders(template: str) -> set[str]:
    """The field names of a `str.format` template (`{url!r}` → `url`, `{a.b}` → `a`)."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise RuleFileError(f"bad message template {template!r}: {exc}") from None
    names = set()
    for _, field, _, _ in parsed:
        if field is not None:
            root = field.split(".", 1)[0].split("[", 1)[0]
            if not root or root.isdigit():
                raise RuleFileError(f"message template {template!r}: use a named placeholder, not {{{field}}}")
            names.add(root)
    return names


def check_templates(name: str, templates: dict[str, str], fillable: set[str] | None) -> None:
    """Raise `RuleFileError` when a template of rule `name` names a placeholder outside
    `fillable` (None: the hits' values are unknown, only the syntax is checked)."""
    for where, template in templates.items():
        unknown = sorted(placeholders(template) - fillable) if fillable is not None else []
        if unknown:
            known = ", ".join(sorted(fillable)) or "none"
            raise RuleFileError(
                f"rule {name}: {where} names {', '.join('{' + u + '}' for u in unknown)}, "
                f"which no hit fills (parameters and values: {known})"
            )


# What the code analyses below found, by (analysis, module, function): kept per process,
# and across runs through the cache.
_ANALYSES: dict[tuple[str, str, str], Any] = {}


def analyses() -> dict[tuple[str, str, str], Any]:
    """What this process has found so far (to keep in the cache)."""
    return dict(_ANALYSES)


def remember(found: dict[tuple[str, str, str], Any]) -> None:
    """Take what an earlier run of the same source found (from the cache)."""
    _ANALYSES.update(found)


def _memoised(analysis):
    """Keep `analysis(module[, function])` in `_ANALYSES`."""

    @wraps(analysis)
    def run(module: str, function: str = ""):
        key = (analysis.__name__, module, function)
        if key not in _ANALYSES:
            _ANALYSES[key] = analysis(module, function) if function else analysis(module)
        return _ANALYSES[key]

    return run


@_memoised
def module_fields(module: str) -> frozenset[str]:
    """The value keys the hits built in `module` (a module or a package) can carry."""
    found: set[str] = set()
    for path in _sources(module):
        tree = _parse(path)
        found |= _fields_in([tree], _returns(tree))
    return frozenset(found)


@_memoised
def function_fields(module: str, function: str) -> tuple[frozenset[str], frozenset[str]]:
    """The value keys and the message variants of the hits `function` of `module` builds,
    itself or through the functions of its module it calls."""
    nodes = _reached(module, function)
    variants = {
        str(k.value.value)
        for node in nodes
        for k in ast.walk(node)
        if isinstance(k, ast.keyword) and k.arg == "variant" and isinstance(k.value, ast.Constant)
    }
    returns = {
        node.name: set().union(*(_keys(r.value) for r in ast.walk(node) if isinstance(r, ast.Return))) for node in nodes
    }
    return frozenset(_fields_in(nodes, returns)), frozenset(variants)


@_memoised
def function_reads(module: str, function: str) -> frozenset[str]:
    """The parameters `function` of `module` reads (`params["k"]`, `params.get("k")`),
    itself or through the functions of its module it calls."""
    found = set()
    for node in (n for fn in _reached(module, function) for n in ast.walk(fn)):
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id == "params"
            and isinstance(node.slice, ast.Constant)
        ):
            found.add(str(node.slice.value))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "params"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(str(node.args[0].value))
    return frozenset(found)


def _reached(module: str, function: str) -> list[ast.FunctionDef]:
    """`function` and the functions it calls that are defined in its module or imported
    into it from a sibling module (`from .noise import _hit`), in (module, name) order."""
    reached, todo = {}, [(module, function)]
    while todo:
        key = todo.pop()
        if key in reached:
            continue
        defs, imported = _definitions(key[0])
        if key[1] in imported:
            todo.append(imported[key[1]])
        elif key[1] in defs:
            reached[key] = defs[key[1]]
            for node in ast.walk(defs[key[1]]):
                if isinstance(node, ast.Name) and (node.id in defs or node.id in imported):
                    todo.append((key[0], node.id))
    return [reached[k] for k in sorted(reached)]


@cache
def _definitions(module: str) -> tuple[dict[str, ast.FunctionDef], dict[str, tuple[str, str]]]:
    """The functions `module` defines, and the names it imports from modules of its
    package (relative imports) mapped to (module, name)."""
    paths = _sources(module)
    tree = _parse(paths[0]) if paths else ast.Module(body=[], type_ignores=[])
    defs = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    imported = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level and node.module:
            base = module.rsplit(".", node.level)[0]
            for alias in node.names:
                if alias.name not in defs:
                    imported[alias.asname or alias.name] = (f"{base}.{node.module}", alias.name)
    return defs, imported


def _parse(path: str) -> ast.Module:
    return ast.parse(Path(path).read_text(encoding="utf-8"))


def _sources(module: str) -> list[str]:
    """The source files of `module`, or of every module of a package (read, not imported)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin:
        return []
    if spec.submodule_search_locations:
        return sorted(str(p) for folder in spec.submodule_search_locations for p in Path(folder).glob("*.py"))
    return [spec.origin]


def _keys(node: ast.AST | None) -> set[str]:
    if isinstance(node, ast.Dict):
        return {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return {kw.arg for kw in node.keywords if kw.arg}
    return set()


def _returns(tree: ast.AST) -> dict[str, set[str]]:
    """The keys of the dict literals each function of `tree` returns."""
    return {
        fn.name: set().union(*(_keys(r.value) for r in ast.walk(fn) if isinstance(r, ast.Return)))
        for fn in ast.walk(tree)
        if isinstance(fn, ast.FunctionDef)
    }


def _fields_in(trees: list[ast.AST], returns: dict[str, set[str]]) -> set[str]:
    dicts: list[ast.AST] = []
    found: set[str] = set()
    for node in (n for tree in trees for n in ast.walk(tree)):
        if (isinstance(node, ast.keyword) and node.arg == "values") or (
            isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "values" for t in node.targets)
        ):
            dicts.append(node.value)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id == "values"
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.slice, ast.Constant)
        ):
            found.add(str(node.slice.value))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "update"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "values"
        ):
            found |= {kw.arg for kw in node.keywords if kw.arg}
    for value in dicts:
        found |= _keys(value)
        if isinstance(value, ast.Dict):
            for key, item in zip(value.keys, value.values):
                if key is None and isinstance(item, ast.Call) and isinstance(item.func, ast.Name):
                    found |= returns.get(item.func.id, set())
    return found
