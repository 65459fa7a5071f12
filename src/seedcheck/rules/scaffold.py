"""Add a rule: `python -m seedcheck.rules.scaffold NAME --category C [--kind K]`.

Writes `checks/rules/C/NAME.yaml` with the next free code of its category, its message,
docs to fill in and a fail and a pass example, so `tests/test_rule_examples.py` runs it at
once. `--kind pattern` (the default) and `--kind lexicon` need nothing else; `--kind
detector` also writes a detector stub, `rules/detectors/<name>.py`, and registers it in
`rules/detectors/__init__.py` (in a seedcheck source checkout). The generated rule flags
the word `REPLACE-ME`: edit its patterns, terms or detector, then its examples.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

KINDS = ("pattern", "lexicon", "detector")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_CODE = re.compile(r"^SC(\d)(\d\d)$")

_PARAMS = {
    "pattern": "params:\n  patterns:\n    - '\\bREPLACE-ME\\b'\n",
    "lexicon": "params:\n  match: phrase\n  terms:\n    - replace-me\n",
    "detector": "",
}

_RULE = """\
id: {code}
name: {name}
severity: {severity}
kind: {kind}
{params}message: "TODO say what is wrong, with the flagged text: ({{match}})"
docs:
  what: TODO what the rule flags, with a real example.
  why: TODO why a curator wants to hear about it.
  fix: TODO how to fix it.
examples:
  - fail: "This line says REPLACE-ME.\\n"
    lines: [1]
    message: "(REPLACE-ME)"
  - pass: "This line is fine.\\n"
"""

_DETECTOR = '''\
"""`{name}`: TODO one line on what it detects."""

from __future__ import annotations

from typing import Any, Iterable

from ...model import Document, Hit
from . import detector

TOKEN = "REPLACE-ME"


@detector("{name}")
def {function}(doc: Document, params: dict, context: Any) -> Iterable[Hit]:
    """TODO what this detector flags. A parameter's default is written in the rule file's
    `params:` only, and read here as `params["min_words"]`."""
    for number, text in doc.body_lines():
        at = text.find(TOKEN)
        if at >= 0:
            yield Hit(line=number, column=at + 1, end_column=at + 1 + len(TOKEN), values={{"match": TOKEN}})
'''


class ScaffoldError(ValueError):
    """The rule cannot be added as asked (bad name, taken name, no source checkout)."""


def next_code(rules_dir: Path, category: str) -> str:
    """The next free code of `category` (its codes share a hundred); a new category
    takes the next free hundred."""
    codes: dict[str, list[tuple[int, int]]] = {}
    for path in rules_dir.rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        m = _CODE.match(str(data.get("id", "")))
        if m:
            codes.setdefault(path.parent.name, []).append((int(m.group(1)), int(m.group(2))))
    taken = {c for cs in codes.values() for c in cs}
    if category in codes:
        hundred = max(h for h, _ in codes[category])
    else:
        used = {h for cs in codes.values() for h, _ in cs}
        hundred = next((h for h in range(1, 10) if h not in used), None)
        if hundred is None:
            raise ScaffoldError("no free hundred of codes for a new category")
    number = next((n for n in range(1, 100) if (hundred, n) not in taken), None)
    if number is None:
        raise ScaffoldError(f"no free code left in SC{hundred}xx")
    return f"SC{hundred}{number:02d}"


def scaffold(root: Path, name: str, category: str, kind: str = "pattern", severity: str = "warning") -> list[Path]:
    """Write the rule file (and a detector stub) under `root`; return the files written."""
    if not _NAME.match(name) or not _NAME.match(category):
        raise ScaffoldError("the rule name and category must be kebab-case (e.g. `stray-caption`)")
    if kind not in KINDS:
        raise ScaffoldError(f"--kind must be one of {', '.join(KINDS)}")
    rules_dir = root / "checks" / "rules"
    if not rules_dir.is_dir():
        raise ScaffoldError(f"no rules directory at {rules_dir}")
    if any(rules_dir.rglob(f"{name}.yaml")):
        raise ScaffoldError(f"a rule named {name} already exists")
    written = []
    if kind == "detector":
        written.append(_write_detector(root, name))
    target = rules_dir / category / f"{name}.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        _RULE.format(
            code=next_code(rules_dir, category), name=name, severity=severity, kind=kind, params=_PARAMS[kind]
        ),
        encoding="utf-8",
    )
    return [target, *written]


def _write_detector(root: Path, name: str) -> Path:
    package = root / "src" / "seedcheck" / "rules" / "detectors"
    registry = package / "__init__.py"
    if not registry.is_file():
        raise ScaffoldError(
            f"detector rules are added in a seedcheck source checkout ({package} not found); "
            "use --kind pattern or lexicon"
        )
    module = name.replace("-", "_")
    path = package / f"{module}.py"
    if path.exists():
        raise ScaffoldError(f"{path} already exists")
    path.write_text(_DETECTOR.format(name=name, function=module), encoding="utf-8")
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.rstrip("\n") + f"\nfrom . import {module}  # noqa: E402,F401\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line of the scaffold; exit 2 with one line on a problem."""
    parser = argparse.ArgumentParser(prog="python -m seedcheck.rules.scaffold", description=__doc__.split("\n")[0])
    parser.add_argument("name")
    parser.add_argument("--category", required=True, help="folder under checks/rules/ (text, metadata, ...)")
    parser.add_argument("--kind", default="pattern", choices=KINDS)
    parser.add_argument("--severity", default="warning", choices=("error", "warning", "info"))
    parser.add_argument("--root", default=".", help="the project (holds checks/; src/ for a detector)")
    args = parser.parse_args(argv)
    try:
        written = scaffold(Path(args.root), args.name, args.category, args.kind, args.severity)
    except ScaffoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    print(
        f"next: edit them, then `pytest tests/test_rule_examples.py -k {args.name}` and `seedcheck rules {args.name}`"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
