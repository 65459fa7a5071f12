"""The suite file `schemas/corpus.yaml` with the per-corpus overrides applied (no GX).

Loading the suite and `[tool.seedcheck.expectations.<name>]` needs no great-expectations,
so commands and rule selections that do not run the stage stay fast.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..config import PACKAGE_DIR, Config, ConfigError
from ..model import Severity
from ..yamlio import safe_load

RULE = "expectation-failed"
SUITE_FILE = "corpus.yaml"
# Record fields that become columns of the table GX validates (lists and the body stay out).
TABLE_COLUMNS = (
    "doc_id",
    "path",
    "format",
    "sha256",
    "encoding",
    "title",
    "date",
    "date_source",
    "published_time",
    "source_url",
    "source_domain",
    "canonical_url",
    "language",
    "word_count",
    "line_count",
)
DERIVED_COLUMNS = ("source_documents",)  # documents sharing this row's source_domain
DATE_COLUMNS = ("date",)
INT_COLUMNS = ("word_count", "line_count", "source_documents")
_ENTRY_KEYS = ("name", "type", "column", "mostly", "severity", "description")
_SUITE_KEYS = ("name", "unexpected-limit", "expectations")
_OVERRIDE_ALIASES = {"min": "min_value", "max": "max_value"}
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation as written in the suite file, with the per-corpus overrides applied."""

    name: str
    type: str
    column: str | None
    params: dict[str, Any]
    mostly: float | None
    severity: Severity
    description: str
    line: int
    excerpt: str


@dataclass(frozen=True)
class Suite:
    """The corpus suite: where it came from and its enabled expectations, in file order."""

    name: str
    path: Path
    expectations: tuple[ExpectationSpec, ...]
    unexpected_limit: int = 20


def suite_path(config: Config) -> Path:
    """The suite file: `expectations-suite` if configured, else `corpus.yaml` in the schemas
    dir, else the one shipped with seedcheck (a project may bring only its record schema)."""
    if config.expectations_suite:
        return config.resolve(config.expectations_suite)
    local = config.schemas_path / SUITE_FILE
    if local.is_file():
        return local
    for shipped in (PACKAGE_DIR / "_data" / "schemas" / SUITE_FILE, PACKAGE_DIR.parent.parent / "schemas" / SUITE_FILE):
        if shipped.is_file():
            return shipped
    return local


def fail(path: Path, line: int | None, message: str) -> ConfigError:
    """A `ConfigError` located in the suite file (`path:line: message`)."""
    where = f"{path}:{line}" if line else str(path)
    return ConfigError(f"{where}: {message}")


def _entry_lines(text: str) -> list[int]:
    """1-based line of each item of the top-level `expectations` list."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "expectations" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _substitute(value: Any, tokens: dict[str, str]) -> Any:
    if isinstance(value, str):
        return tokens.get(value, value)
    if isinstance(value, list):
        return [_substitute(v, tokens) for v in value]
    return value


def _mostly(value: Any, path: Path, line: int, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise fail(path, line, f"expectation {name}: mostly must be a number from 0 to 1, not {value!r}")
    return float(value)


def _iso_date(value: Any) -> bool:
    if isinstance(value, dt.date):
        return True
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def _read(path: Path) -> tuple[str, dict[str, Any], list[int], int]:
    """The suite file's text, its data, the line of each expectation and its unexpected-limit."""
    try:
        text = path.read_text(encoding="utf-8")
        data = safe_load(text)
        lines = _entry_lines(text)
    except OSError as exc:
        raise ConfigError(f"cannot read corpus expectations {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"{path}: invalid corpus expectations: {first}") from None
    if not isinstance(data, dict) or not isinstance(data.get("expectations"), list):
        raise fail(path, None, "a corpus suite is a mapping with an `expectations` list")
    unknown = sorted(set(data) - set(_SUITE_KEYS))
    if unknown:
        raise fail(path, None, f"unknown key(s) {', '.join(unknown)}")
    limit = data.get("unexpected-limit", 20)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise fail(path, None, "unexpected-limit must be a whole number >= 0")
    return text, data, lines, limit


def _checked_name(entry: Any, path: Path, line: int, seen: set[str]) -> str:
    """The entry's name, after the checks that need no override: shape, name, type, column."""
    if not isinstance(entry, dict):
        raise fail(path, line, "each expectation is a mapping")
    name = str(entry.get("name", ""))
    if not _NAME.match(name):
        raise fail(path, line, f"expectation name {name!r} must be kebab-case")
    if name in seen:
        raise fail(path, line, f"expectation {name} is defined twice")
    seen.add(name)
    if not isinstance(entry.get("type"), str) or not entry["type"].startswith("expect_"):
        raise fail(path, line, f"expectation {name}: type must be a great-expectations type (expect_...)")
    column = entry.get("column")
    if column is not None and column not in (*TABLE_COLUMNS, *DERIVED_COLUMNS):
        raise fail(
            path,
            line,
            f"expectation {name}: no column {column!r} in the records table "
            f"(one of {', '.join((*TABLE_COLUMNS, *DERIVED_COLUMNS))})",
        )
    return name


def _apply_override(name: str, override: dict, params: dict[str, Any], mostly: Any, severity: Any) -> tuple[Any, Any]:
    """`[tool.seedcheck.expectations.<name>]` over one entry: its new (mostly, severity);
    other keys set `params` in place."""
    for key, value in override.items():
        target = _OVERRIDE_ALIASES.get(key, key)
        if key == "enabled":
            if not isinstance(value, bool):
                raise ConfigError(f"expectations.{name}.enabled must be true or false")
        elif key == "mostly":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ConfigError(f"expectations.{name}.mostly must be a number from 0 to 1, not {value!r}")
            mostly = value
        elif key == "severity":
            try:
                Severity.parse(value)
            except ValueError as exc:
                raise ConfigError(f"expectations.{name}.severity: {exc}") from None
            severity = value
        elif target in params:
            params[target] = value
        else:
            aliases = (a for a, t in _OVERRIDE_ALIASES.items() if t in params)
            allowed = ", ".join(sorted({"mostly", "severity", "enabled", *params, *aliases}))
            raise ConfigError(f"expectations.{name}: unknown key {key!r} (one of {allowed})")
    return mostly, severity


def _spec(entry: dict, name: str, override: dict, config: Config, where: tuple[Path, int, list[str]], tokens):
    """One enabled entry as an `ExpectationSpec` (`where`: the suite file, the entry's line, the file's lines)."""
    path, line, source_lines = where
    params = {k: v for k, v in entry.items() if k not in _ENTRY_KEYS}
    severity_text = config.severity.get(RULE) or entry.get("severity", "error")
    mostly, severity_text = _apply_override(name, override, params, entry.get("mostly"), severity_text)
    try:
        severity = Severity.parse(severity_text)
    except ValueError as exc:
        raise fail(path, line, f"expectation {name}: {exc}") from None
    params = {k: _substitute(v, tokens) for k, v in params.items()}
    if entry.get("column") in DATE_COLUMNS:
        for key in ("min_value", "max_value"):
            if params.get(key) is not None and not _iso_date(params[key]):
                raise fail(
                    path, line, f"expectation {name}: {key} must be an ISO date (YYYY-MM-DD), not {params[key]!r}"
                )
    return ExpectationSpec(
        name=name,
        type=entry["type"],
        column=entry.get("column"),
        params=params,
        mostly=_mostly(mostly, path, line, name),
        severity=severity,
        description=str(entry.get("description") or entry["type"].replace("_", " ")),
        line=line,
        excerpt=source_lines[line - 1].strip() if 0 < line <= len(source_lines) else "",
    )


def load_suite(config: Config, today: dt.date | None = None) -> Suite:
    """Read and validate the suite file and apply `[tool.seedcheck.expectations]`.

    Raises `ConfigError` on a missing or malformed file, an unknown expectation name or
    override key, or a bad `mostly`/`severity`. Type and parameter checks that need GX
    happen when the suite is built (`validate.build_expectations`).
    """
    path = suite_path(config)
    text, data, lines, limit = _read(path)
    source_lines = text.splitlines()
    tokens = {"{today}": (today or dt.date.today()).isoformat(), "{corpus-language}": config.corpus_language}
    overrides = config.expectations or {}
    specs, seen = [], set()
    for index, entry in enumerate(data["expectations"]):
        line = lines[index] if index < len(lines) else 1
        name = _checked_name(entry, path, line, seen)
        override = overrides.get(name, {})
        if not isinstance(override, dict):
            raise ConfigError(f"expectations.{name} must be a table (mostly, min, max, severity, enabled, ...)")
        if override.get("enabled", True) is False:
            continue
        specs.append(_spec(entry, name, override, config, (path, line, source_lines), tokens))
    unknown_names = sorted(set(overrides) - seen)
    if unknown_names:
        raise ConfigError(
            f"expectations: unknown expectation(s) {', '.join(unknown_names)} "
            f"(defined in {path}: {', '.join(sorted(seen))})"
        )
    return Suite(name=str(data.get("name") or path.stem), path=path, expectations=tuple(specs), unexpected_limit=limit)
