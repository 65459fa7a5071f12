"""YAML frontmatter: safe loading only, with no timestamp coercion and a cap on aliases.

Values stay strings (`date: 2022-02-30` must reach the date rules as text, not crash the
YAML timestamp constructor), aliases are capped (billion-laughs documents), and recursion
is bounded (deeply nested YAML).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_ALIASES = 100
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
                    f"more than {MAX_ALIASES} aliases (possible alias expansion bomb) at line {event.start_mark.line + 1}"
                )
        return super().compose_node(parent, index)


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}


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
        loader = _Loader(text)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark or exc.problem_mark  # where the broken construct starts
        fm.error = f"frontmatter is not valid YAML: {exc.problem or exc.context}"
        fm.error_line = mark.line + 2 if mark else 1
        return fm
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        fm.error = f"frontmatter is not valid YAML: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        fm.error_line = 1
        return fm
    if data is None:
        data = {}
    if not isinstance(data, dict):
        fm.error = f"frontmatter is a YAML {type(data).__name__}, not a mapping"
        fm.error_line = 2
        return fm
    fm.data = {str(k): v for k, v in data.items()}
    return fm
