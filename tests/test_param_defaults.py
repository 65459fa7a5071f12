"""A rule parameter's default is written once, in its rule file's `params:`.

A copy in the code (a `@detector(...)` keyword, an analyzer's `DEFAULTS` entry, a
`params.get("k", default)`, a function's keyword default named like the parameter and of its
type) would silently disagree with the file the day one of them changes. This finds every
such copy of a parameter some rule file gives, in the detector and corpus analyzer modules.
(`params.get("k") or x` is not a default: it treats an empty value.)
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import seedcheck.corpus
import seedcheck.rules.detectors
from seedcheck.config import Config
from seedcheck.corpus import ANALYZERS, rule_params
from seedcheck.rules import Registry, load_specs
from seedcheck.rules.detectors import DETECTORS

from .conftest import ROOT


def _modules(package) -> list[str]:
    return sorted(
        f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")
    )


MODULES = _modules(seedcheck.rules.detectors) + _modules(seedcheck.corpus)


def _file_params() -> tuple[dict[str, dict[str, dict]], dict[str, dict[str, dict]]]:
    """(module → {rule: the parameters its rule file gives}, for every module that runs a rule
    (an analyzer's parameters reach every module of `corpus/`); detector → the same)."""
    by_module: dict[str, dict[str, dict]] = {}
    by_detector: dict[str, dict[str, dict]] = {}
    for spec in load_specs(ROOT / "checks"):
        given = {k: v for k, v in spec.params.items() if k not in ("detector", "analyzer")}
        if spec.kind == "detector":
            name = spec.params.get("detector") or spec.name
            by_detector.setdefault(name, {})[spec.name] = given
            by_module.setdefault(DETECTORS[name][0].__module__, {})[spec.name] = given
        elif spec.kind == "corpus":
            for module in _modules(seedcheck.corpus):
                by_module.setdefault(module, {})[spec.name] = given
    return by_module, by_detector


def _code_defaults(module: str, given: dict) -> list[str]:
    """Defaults in `module`'s source of the parameters in `given` (name → the file's value)."""
    path = Path(importlib.import_module(module).__file__)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            receiver = ast.unparse(node.func.value)
            key = node.args[0] if node.args else None
            if "param" in receiver and len(node.args) == 2 and isinstance(key, ast.Constant) and key.value in given:
                found.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args.args + node.args.posonlyargs
            pairs = list(zip(args[len(args) - len(node.args.defaults) :], node.args.defaults))
            pairs += [(a, d) for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults) if d is not None]
            found += [
                f"{path.name}:{node.lineno} {node.name}({a.arg}=…)"
                for a, d in pairs
                if a.arg in given and isinstance(d, ast.Constant) and type(d.value) is type(given[a.arg])
            ]
    return found


def duplicates() -> dict[str, list[str]]:
    """module → the parameter defaults it repeats from a rule file."""
    out: dict[str, list[str]] = {}
    by_module, by_detector = _file_params()
    for name, (fn, defaults) in DETECTORS.items():
        for rule, given in by_detector.get(name, {}).items():
            out.setdefault(fn.__module__, []).extend(
                f"@detector({name!r}, {k}=…) for {rule}" for k in sorted(set(defaults) & set(given))
            )
    for analyzer in ANALYZERS.values():
        for rule, defaults in analyzer.DEFAULTS.items():
            given = by_module.get(analyzer.__module__, {}).get(rule, {})
            out.setdefault(analyzer.__module__, []).extend(
                f"{analyzer.__name__}.DEFAULTS[{rule!r}][{k!r}]" for k in sorted(set(defaults) & set(given))
            )
    for module in MODULES:
        given = {k: v for params in by_module.get(module, {}).values() for k, v in params.items()}
        out.setdefault(module, []).extend(_code_defaults(module, given))
    return {m: found for m, found in out.items() if found}


FOUND = duplicates()


@pytest.mark.parametrize("module", MODULES)
def test_no_default_is_written_twice(module):
    assert FOUND.get(module, []) == [], f"{module} repeats defaults its rule files give: {FOUND[module]}"


def test_the_search_finds_a_copy(tmp_path, monkeypatch):
    """A `params.get` fallback and a keyword default of a parameter a file gives are found."""
    module = tmp_path / "probe.py"
    module.write_text(
        "def f(doc, params, min_words=3):\n    return params.get('value', 30), params.get('other', 1)\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _code_defaults("probe", {"value": 30, "min_words": 12}) == [
        "probe.py:1 f(min_words=…)",
        "probe.py:2 params.get('value', 30)",
    ]


def test_a_disabled_rules_analyzer_reads_its_rule_file():
    """duplicate-exact alone still runs the near-duplicate search (for templated-sibling's
    sake) with duplicate-near's rule-file parameters; a configured override of the disabled
    rule does not apply, as before."""
    config = Config(root=ROOT, select=["duplicate-exact"], rules={"duplicate-near": {"min_words": 3}})
    registry = Registry.load(config)
    rules = {r.name: r for r in registry.stage("corpus")}
    assert set(rules) == {"duplicate-exact"}
    near = next(s for s in load_specs(ROOT / "checks") if s.name == "duplicate-near")
    assert rule_params(rules, "duplicate-near") == near.params
    assert rule_params(rules, "duplicate-exact") is rules["duplicate-exact"].params
