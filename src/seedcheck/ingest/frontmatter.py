"""YAML frontmatter: safe loading only, with no timestamp coercion and a cap on aliases.

Values stay strings (`date: 2022-02-30` must reach the date rules as text, not crash the
YAML timestamp constructor), aliases are capped (billion-laughs documents), and recursion
is bounded (deeply nested YAML). What loads is then walked once with a budget: a mapping
whose aliases expand to too many values, nest too deep or refer to themselves is refused,
and the rest is converted to plain JSON types (str keys; explicit `!!timestamp`, `!!binary`,
`!!set`, NaN and huge numbers become strings), so no later stage can choke on it.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_ALIASES = 100
# Even under MAX_ALIASES, nested aliases expand geometrically (9 aliases of 9 aliases of ...);
# the loaded value is counted as expanded and refused above these bounds.
MAX_VALUES = 10_000
MAX_DEPTH = 32
_FENCE = "---"
_KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves timestamps as strings and refuses alias floods."""

    aliases_seen = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self.aliases_seen += 1
            if self.aliases_seen > MAX_ALIASES:
                event = self.peek_event()
                raise yaml.YAMLError(
                    f"more than {MAX_ALIASES} aliases (possible alias expansion bomb)"
                    f" at line {event.start_mark.line + 1}"
                )
        return super().compose_node(parent, index)


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}


def _timestamp_or_text(loader, node):
    """An explicit `!!timestamp`: a date or time when its text is one, else that text
    (PyYAML's constructor raises AttributeError on `!!timestamp x`)."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (AttributeError, ValueError, TypeError):
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)

# libyaml's parser is about ten times faster, but its composer is C code: it cannot count
# aliases (compose_node above is never called) and it recurses without Python's recursion
# limit. So it only gets text that has neither anchors/aliases nor much flow nesting; block
# nesting is bounded by indentation, which the size cap of a frontmatter line keeps small.
_CLoader = None
if getattr(yaml, "__with_libyaml__", False):

    class _CLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        """CSafeLoader with the same resolvers (no timestamps) as `_Loader`."""

    _CLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
    _CLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)
_MAX_C_FLOW = 32
_MAX_C_INDENT = 64


def _c_safe(text: str) -> bool:
    """Whether `text` may go to the libyaml loader (see `_CLoader`)."""
    if _CLoader is None or "&" in text or "*" in text or text.count("[") + text.count("{") > _MAX_C_FLOW:
        return False
    return all(len(line) - len(line.lstrip(" \t")) <= _MAX_C_INDENT for line in text.splitlines())


@dataclass(slots=True)
class Frontmatter:
    """Where the frontmatter is, what it holds, and what was wrong with it."""

    data: dict[str, Any] | None = None
    end: int = 0  # index of the first line after the closing fence (0: no frontmatter)
    key_lines: dict[str, int] = field(default_factory=dict)  # key -> 1-based line
    error: str | None = None
    error_line: int | None = None


def parse_frontmatter(lines: list[str]) -> Frontmatter:
    """Parse a `---` fenced YAML block at the top of `lines`, if there is one."""
    if not lines or lines[0].strip() != _FENCE:
        return Frontmatter()
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in (_FENCE, "...")), None)
    if close is None:
        return Frontmatter(error="frontmatter has no closing '---' fence", error_line=1)
    text = "\n".join(lines[1:close])
    key_lines = {}
    for i in range(1, close):
        m = _KEY_LINE.match(lines[i])
        if m and m.group(1) not in key_lines:
            key_lines[m.group(1)] = i + 1
    fm = Frontmatter(end=close + 1, key_lines=key_lines)
    try:
        data = _load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark or exc.problem_mark  # where the broken construct starts
        fm.error = f"frontmatter is not valid YAML: {exc.problem or exc.context}"
        fm.error_line = mark.line + 2 if mark else 1
        return fm
    except Exception as exc:  # noqa: BLE001 - PyYAML's constructors raise more than YAMLError on odd input
        fm.error = f"frontmatter is not valid YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        fm.error_line = 1
        return fm
    if data is None:
        data = {}
    if not isinstance(data, dict):
        fm.error = f"frontmatter is a YAML {type(data).__name__}, not a mapping"
        fm.error_line = 2
        return fm
    try:
        fm.data = _plain(data, [0], 0)
    except _TooBig as exc:
        fm.error = f"frontmatter is not valid YAML: {exc}"
        fm.error_line = 1
    return fm


def _load(text: str) -> Any:
    """Load one YAML document: with libyaml when that is safe, else (and to word an error
    the same way whichever loader saw it first) with the pure-Python `_Loader`."""
    if _c_safe(text):
        loader = _CLoader(text)
        try:
            return loader.get_single_data()
        except Exception:  # noqa: BLE001, S110 - any failure is re-read (and reported) by _Loader
            pass
        finally:
            loader.dispose()
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


class _TooBig(Exception):
    pass


def _plain(value: Any, budget: list[int], depth: int) -> Any:
    """`value` as plain JSON types, counting every value as expanded (aliases included)."""
    budget[0] += 1
    if budget[0] > MAX_VALUES:
        raise _TooBig(f"it expands to more than {MAX_VALUES:,} values (alias expansion bomb or recursive alias)")
    if depth > MAX_DEPTH:
        raise _TooBig(f"it nests deeper than {MAX_DEPTH} levels (or an alias refers to itself)")
    if isinstance(value, dict):
        return {_key(k): _plain(v, budget, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, budget, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        budget[0] += len(value)
        if budget[0] > MAX_VALUES:
            raise _TooBig(f"it expands to more than {MAX_VALUES:,} values")
        return sorted(_key(v) for v in value)
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**63 else str(value)  # beyond what JSON readers keep exact
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)  # NaN/Infinity are not JSON
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")  # as it was written under !!binary
    return str(value)


def _key(key: Any) -> str:
    # Keys may be numbers, booleans, None or (under !!set / complex keys) anything hashable.
    if isinstance(key, str):
        return key
    if isinstance(key, bytes):
        return base64.b64encode(key).decode("ascii")
    if isinstance(key, tuple):
        return str(list(key))
    return "null" if key is None else str(key).lower() if isinstance(key, bool) else str(key)
