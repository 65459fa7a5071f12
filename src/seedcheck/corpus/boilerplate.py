"""Lines that recur across many documents of one source domain (`noise-boilerplate`).

The boilerplate of a site (its footer, its "Related" header, its legal line) is learned
from the corpus itself: a line is boilerplate when it occurs in at least `min_docs`
documents of a source domain and in at least `min_share` of that domain's documents.
Each document sends a compact state: its domain and, per candidate line, an 8-byte hash,
the line number and a short excerpt. Candidates are short lines (boilerplate is short;
a long paragraph that recurs is a duplicate, the duplicate rules' business), not end
marks, tables or blank lines, counted once per document.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from typing import Any, Iterable

from ..model import Fix, Hit
from ..rules.detectors.layout import END_MARK, comparable, layout
from . import Analyzer, analyzer

MAX_CHARS = 160   # longer lines are not boilerplate candidates
EXCERPT = 60      # characters kept per candidate line for the report


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()


@analyzer
class Boilerplate(Analyzer):
    name = "boilerplate"
    DEFAULTS = {"noise-boilerplate": {"min_docs": 5, "min_share": 0.3, "min_chars": 3}}

    @classmethod
    def collect(cls, doc, context) -> Any:
        domain = doc.record.get("source_domain")
        if not domain:
            return None
        lay = layout(doc)
        seen: dict[bytes, tuple[int, str, int]] = {}
        for i, raw in enumerate(lay.raw):
            text = raw.strip()
            if len(text) > MAX_CHARS or END_MARK.match(text) or lay.numbers[i] == lay.title_line:
                continue
            key_text = comparable(lay.norm[i])
            if not key_text:
                continue
            key = _key(key_text)
            if key not in seen:
                seen[key] = (lay.numbers[i], text[:EXCERPT], len(key_text))
        return (str(domain).lower(), [(k, n, t, c) for k, (n, t, c) in seen.items()])

    @classmethod
    def finish(cls, states, rules, context) -> Iterable[tuple[str, str, Hit]]:
        rule = rules.get("noise-boilerplate")
        if rule is None:
            return
        params = rule.params
        by_domain: dict[str, list[tuple[str, list]]] = defaultdict(list)
        for doc_id, state in states:
            if state:
                by_domain[state[0]].append((doc_id, state[1]))
        for domain, members in by_domain.items():
            if len(members) < params["min_docs"]:
                continue
            counts = Counter(k for _, lines in members for k, *_ in lines)
            needed = max(params["min_docs"], params["min_share"] * len(members))
            common = {k for k, n in counts.items() if n >= needed}
            if not common:
                continue
            for doc_id, lines in members:
                for key, number, excerpt, length in lines:
                    if key not in common or length < params["min_chars"]:
                        continue
                    yield "noise-boilerplate", doc_id, Hit(
                        line=number, column=1, excerpt=excerpt,
                        values={"count": counts[key], "domain": domain, "documents": len(members),
                                "share": f"{100 * counts[key] / len(members):.0f}%"},
                        fix=Fix("delete the line (boilerplate of this source)", "", delete_line=True, safe=False),
                    )
