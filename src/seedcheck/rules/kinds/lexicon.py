"""`lexicon`: a list of phrases (inline `terms` and/or a `lexicon` file under `checks/data/`),
compiled into one pattern, matched as whole lines (`match: line`) or as phrases anywhere.

A whole-line match ignores case, surrounding white space and trailing punctuation, so
`Latest Articles:` matches the term `latest articles`.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from ..spec import RuleFileError
from .pattern import PatternRule


class LexiconRule(PatternRule):
    kind = "lexicon"
    PARAMS: ClassVar[dict[str, Any]] = {**PatternRule.PARAMS, "terms": [], "lexicon": None, "match": "line"}

    def terms(self) -> list[str]:
        terms = [str(t) for t in self.params["terms"] or []]
        if self.params["lexicon"]:
            if self.context is None:
                raise RuleFileError(f"rule {self.name}: lexicon files need a checks directory")
            terms += self.context.lexicon(self.params["lexicon"])
        if not terms:
            raise RuleFileError(f"rule {self.name}: kind lexicon needs terms or a lexicon file")
        return terms

    def regex_source(self) -> str:
        # Longest first, so a longer phrase wins over a prefix of it.
        escaped = sorted(
            {re.escape(t.strip()).replace(r"\ ", r"\s+") for t in self.terms() if t.strip()}, key=len, reverse=True
        )
        alternation = "|".join(escaped)
        if self.params["match"] == "line":
            return rf"^[\s\W_]*(?:{alternation})[\s.:!?…»›>|-]*$"
        if self.params["match"] == "phrase":
            return rf"(?<!\w)(?:{alternation})(?!\w)"
        raise RuleFileError(f"rule {self.name}: match must be line or phrase")
