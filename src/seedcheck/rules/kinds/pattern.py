"""`pattern`: regular expressions over the lines of a document, position- and shape-aware.

Parameters:
- `patterns`: list of regular expressions (Python `re` syntax; no backreferences needed).
- `ignore_case`: match case-insensitively (default true).
- `scope`: `body` (default) or `title_line` (only the first content line).
- `top` / `bottom`: only the first / last N non-blank body lines.
- `min_words` / `max_words`: only lines with that many words (short menu lines vs prose).
- `fix`: `delete-line` or `replace` (with `replacement`, a `re` template); `fix_description`.
- `skip_fenced`: skip lines inside ``` fences and HTML tables (default false).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from ...facts import facts_of
from ...model import Document, Fix, Hit
from ..base import Rule
from ..spec import RuleFileError


class PatternRule(Rule):
    kind = "pattern"
    PARAMS: ClassVar[dict[str, Any]] = {
        "patterns": [],
        "ignore_case": True,
        "scope": "body",
        "top": None,
        "bottom": None,
        "min_words": None,
        "max_words": None,
        "fix": None,
        "replacement": "",
        "fix_description": None,
        "safe_fix": True,
    }

    def fields(self) -> set[str]:
        return {"match"}

    def regex_source(self) -> str:
        patterns = self.params["patterns"]
        if not patterns or not isinstance(patterns, list):
            raise RuleFileError(f"rule {self.name}: kind {self.kind} needs a non-empty list of patterns")
        return "|".join(f"(?:{p})" for p in patterns)

    def setup(self) -> None:
        flags = re.IGNORECASE if self.params["ignore_case"] else 0
        source = self.regex_source()
        try:
            self.regex = re.compile(source, flags)
        except re.error as exc:
            raise RuleFileError(f"rule {self.name}: bad regular expression: {exc}") from None
        if self.params["fix"] not in (None, "delete-line", "replace"):
            raise RuleFileError(f"rule {self.name}: fix must be delete-line or replace")

    def lines(self, doc: Document) -> Iterator[tuple[int, str]]:
        """The (line number, text) pairs this rule looks at."""
        body = facts_of(doc).content_lines
        if self.params["scope"] == "title_line":
            body = body[:1]
        top, bottom = self.params["top"], self.params["bottom"]
        if top is not None or bottom is not None:
            keep = set()
            if top:
                keep.update(n for n, _ in body[:top])
            if bottom:
                keep.update(n for n, _ in body[-bottom:])
            body = [(n, t) for n, t in body if n in keep]
        lo, hi = self.params["min_words"], self.params["max_words"]
        for number, text in body:
            if lo is not None or hi is not None:
                words = len(text.split())
                if (lo is not None and words < lo) or (hi is not None and words > hi):
                    continue
            yield number, text

    def make_fix(self, match: re.Match) -> Fix | None:
        kind = self.params["fix"]
        description = self.params["fix_description"]
        if kind == "delete-line":
            return Fix(description or "delete the line", "", delete_line=True, safe=self.params["safe_fix"])
        if kind == "replace":
            replacement = match.expand(self.params["replacement"] or "")
            return Fix(description or f"replace with {replacement!r}", replacement, safe=self.params["safe_fix"])
        return None

    def check(self, doc: Document) -> Iterable[Hit]:
        for number, text in self.lines(doc):
            for m in self.regex.finditer(text):
                if m.end() == m.start():
                    continue
                yield Hit(
                    line=number,
                    column=m.start() + 1,
                    end_column=m.end() + 1,
                    values={"match": m.group(0)},
                    fix=self.make_fix(m),
                )
