"""The one registry: every rule file under `checks/rules/`, by name, with the kind that runs it.

Loading validates everything up front (duplicate names or ids, unknown kinds, bad
parameters, bad regular expressions, unknown names in select/ignore/severity), so a
broken configuration fails at start-up with one line, never half-way through a corpus.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..config import Config, ConfigError
from ..model import Severity
from .base import Rule
from .spec import RuleFileError, RuleSpec


@lru_cache(maxsize=8)
def _load_specs_cached(checks_dir: str) -> tuple[RuleSpec, ...]:
    folder = Path(checks_dir) / "rules"
    if not folder.is_dir():
        raise ConfigError(f"no rules directory at {folder}")
    specs: list[RuleSpec] = []
    names: dict[str, str] = {}
    ids: dict[str, str] = {}
    for path in sorted(folder.rglob("*.yaml")):
        try:
            spec = RuleSpec.load(path)
        except RuleFileError as exc:
            raise ConfigError(str(exc)) from None
        if spec.name in names:
            raise ConfigError(f"{path}: rule name {spec.name} already defined in {names[spec.name]}")
        if spec.id in ids:
            raise ConfigError(f"{path}: rule id {spec.id} already used by {ids[spec.id]}")
        names[spec.name], ids[spec.id] = str(path), spec.name
        specs.append(spec)
    return tuple(specs)


def load_specs(checks_dir: Path) -> list[RuleSpec]:
    """Every rule file's spec, sorted by category then name."""
    return sorted(_load_specs_cached(str(checks_dir)), key=lambda s: (s.category, s.name))


def matches(name: str, selectors: list[str]) -> bool:
    """True when `name` is one of `selectors`, or starts with one that ends in `-`
    (`noise-` selects every noise rule; `noise` does too)."""
    for sel in selectors:
        if sel.upper() == "ALL" or name == sel or name.startswith(sel if sel.endswith("-") else sel + "-"):
            return True
    return False


@dataclass
class Registry:
    """The enabled rules of one run, built from the rule files and the configuration."""

    specs: list[RuleSpec]
    rules: dict[str, Rule] = field(default_factory=dict)
    enabled: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, config: Config, context=None) -> Registry:
        """Load and validate every rule; raise `ConfigError` on any problem."""
        from .kinds import KINDS

        specs = load_specs(config.checks_path)
        names = {s.name for s in specs}
        for option, selectors in (("select", config.select), ("ignore", config.ignore)):
            for sel in selectors:
                if sel.upper() != "ALL" and not any(matches(n, [sel]) for n in names):
                    raise ConfigError(f"{option}: unknown rule {sel!r}{_suggest(sel, names)} (see `seedcheck rules`)")
        for option, table in (("severity", config.severity), ("rules", config.rules)):
            for name in table:
                if name not in names:
                    raise ConfigError(f"{option}: unknown rule {name!r}{_suggest(name, names)} (see `seedcheck rules`)")
        for pattern, rule_names in config.per_file_ignores.items():
            for sel in rule_names if isinstance(rule_names, list) else [rule_names]:
                if not any(matches(n, [sel]) for n in names):
                    raise ConfigError(f"per-file-ignores {pattern!r}: unknown rule {sel!r}{_suggest(sel, names)}")
        registry = cls(specs=specs)
        for spec in specs:
            kind = KINDS.get(spec.kind)
            if kind is None:
                raise ConfigError(f"{spec.source}: unknown kind {spec.kind!r} (one of {', '.join(sorted(KINDS))})")
            overrides = config.rules.get(spec.name) or {}
            if not isinstance(overrides, dict):
                raise ConfigError(f"rules.{spec.name} must be a table of parameters")
            try:
                rule = kind(spec, overrides, context)
            except RuleFileError as exc:
                raise ConfigError(str(exc)) from None
            if spec.name in config.severity:
                rule.severity = Severity.parse(config.severity[spec.name])
            registry.rules[spec.name] = rule
            selected = matches(spec.name, config.select) if config.select else True
            if selected and not matches(spec.name, config.ignore):
                registry.enabled.add(spec.name)
        corpus = [r for r in registry.rules.values() if r.kind == "corpus"]
        for rule in corpus:
            rule.file_params = {r.name: dict(r.PARAMS) for r in corpus if r.analyzer is rule.analyzer}
        return registry

    def stage(self, stage: str) -> list[Rule]:
        """Enabled rules of one stage, in name order."""
        return [r for n, r in sorted(self.rules.items()) if n in self.enabled and r.stage == stage]

    def get(self, name: str) -> Rule:
        return self.rules[name]


def _suggest(name: str, names) -> str:
    """` (did you mean 'x'?)` for a mistyped rule name."""
    close = difflib.get_close_matches(str(name), sorted(names), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
