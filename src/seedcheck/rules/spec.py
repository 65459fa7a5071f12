"""The rule file format: one YAML file per rule under `checks/rules/`, validated on load."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..model import Severity
from ..yamlio import safe_load

REQUIRED_KEYS = ("id", "name", "severity", "kind", "message", "docs")
OPTIONAL_KEYS = ("category", "params", "examples", "fixable", "stage", "messages")
DOC_KEYS = ("what", "why", "fix")
# `fixable`: which fixes the rule's findings carry and which `fix:` examples assert:
# `safe` (applied by `seedcheck fix`) or `unsafe` (only with `--unsafe-fixes`).
FIXABLE = ("safe", "unsafe")
EXAMPLE_KEYS = {"fail": ("lines", "config", "fix", "message"), "pass": ("config",)}
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class RuleFileError(ValueError):
    """A rule file that is not valid; the CLI reports it as a configuration error (exit 2)."""


@dataclass(slots=True)
class RuleSpec:
    """A rule as written in its YAML file."""

    id: str
    name: str
    severity: Severity
    kind: str
    message: str
    docs: dict[str, str]
    category: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)
    fixable: str = ""
    source: str = ""
    # Other wordings of `message` for particular hits, by variant name (`Hit.variant`).
    messages: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> RuleSpec:
        """Read and validate one rule file."""
        try:
            data = safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise RuleFileError(f"{path}: cannot load rule file: {first}") from None
        if not isinstance(data, dict):
            raise RuleFileError(f"{path}: a rule file must be a YAML mapping")
        missing = [k for k in REQUIRED_KEYS if k not in data]
        if missing:
            raise RuleFileError(f"{path}: missing key(s) {', '.join(missing)}")
        unknown = sorted(set(data) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
        if unknown:
            raise RuleFileError(f"{path}: unknown key(s) {', '.join(unknown)}")
        name = str(data["name"])
        if not _NAME.match(name):
            raise RuleFileError(f"{path}: rule name {name!r} is not kebab-case")
        if path.stem != name:
            raise RuleFileError(f"{path}: file name must be the rule name ({name}.yaml)")
        docs = data["docs"]
        if not isinstance(docs, dict) or any(not docs.get(k) for k in DOC_KEYS):
            raise RuleFileError(f"{path}: docs must give {', '.join(DOC_KEYS)}")
        try:
            severity = Severity.parse(data["severity"])
        except ValueError as exc:
            raise RuleFileError(f"{path}: {exc}") from None
        params = data.get("params") or {}
        examples = data.get("examples") or []
        if not isinstance(params, dict) or not isinstance(examples, list):
            raise RuleFileError(f"{path}: params must be a mapping and examples a list")
        messages = data.get("messages") or {}
        if not isinstance(messages, dict) or not all(
            isinstance(v, str) and _NAME.match(str(k)) for k, v in messages.items()
        ):
            raise RuleFileError(f"{path}: messages must map kebab-case variant names to message texts")
        fixable = data.get("fixable") or ""
        if fixable and fixable not in FIXABLE:
            raise RuleFileError(f"{path}: fixable must be one of {', '.join(FIXABLE)}")
        for index, example in enumerate(examples):
            problem = example_problem(example, fixable)
            if problem:
                raise RuleFileError(f"{path}: example {index}: {problem}")
        return cls(
            id=str(data["id"]),
            name=name,
            severity=severity,
            kind=str(data["kind"]),
            message=str(data["message"]).strip(),
            docs={k: str(v).strip() for k, v in docs.items()},
            category=str(data.get("category") or path.parent.name),
            params=params,
            examples=examples,
            fixable=fixable,
            source=str(path),
            messages={str(k): v.strip() for k, v in messages.items()},
        )


def example_problem(example: Any, fixable: str) -> str:
    """Why an `examples:` entry is malformed, or "" when it is valid.

    An entry has exactly one of `fail:`/`pass:`; a fail may add `lines:`, `config:`,
    `message:` (a substring of one finding's message) and `fix:` (the text after the fixes,
    a string for one document or `{name: text}`), the last only when the rule is `fixable`.
    """
    if not isinstance(example, dict):
        return "must be a mapping with fail: or pass:"
    kinds = [k for k in EXAMPLE_KEYS if k in example]
    if len(kinds) != 1:
        return "must have exactly one of fail: or pass:"
    unknown = sorted(set(example) - {kinds[0], *EXAMPLE_KEYS[kinds[0]]})
    if unknown:
        return f"unknown key(s) {', '.join(unknown)} for a {kinds[0]} example"
    if "message" in example and not isinstance(example["message"], str):
        return "message: must be a string"
    if "fix" in example:
        if not fixable:
            return "fix: is given but the rule offers no fix (declare fixable: safe or unsafe)"
        if not isinstance(example["fix"], (str, dict)):
            return "fix: must be the fixed text or a mapping of document name to text"
    return ""
