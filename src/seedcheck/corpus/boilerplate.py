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

    # The Spark engine counts, over the whole corpus, the documents of each domain and of
    # each (domain, line) key, and ships `finish` every document of the domains that can
    # have boilerplate (all of them: `finish` divides by the domain's size) with only the
    # lines that reach the threshold, so `finish` computes exactly the local counts.

    @classmethod
    def blocking_keys(cls, state, params: dict[str, dict]) -> list[str] | None:
        """Spark engine: the document's domain and its (domain, line) keys; None (keep the
        state whole) when `min_docs` < 2 would make a key held by one document count."""
        rule = params.get("noise-boilerplate")
        if not state or rule is None:
            return []
        if rule["min_docs"] < 2:
            return None
        domain, lines = state
        return [f"d:{domain}"] + [f"l:{domain}:{key.hex()}" for key, *_ in lines]

    @classmethod
    def live_keys(cls, counts: dict[str, int], params: dict[str, dict]) -> set[str]:
        """The keys that matter, from the corpus-wide document count of every key held by
        at least two documents: domains with `min_docs` documents and their common lines."""
        rule = params["noise-boilerplate"]
        sizes = {key[2:]: n for key, n in counts.items() if key.startswith("d:") and n >= rule["min_docs"]}
        live = {f"d:{domain}" for domain in sizes}
        for key, n in counts.items():
            if key.startswith("l:"):
                domain = key[2:].rsplit(":", 1)[0]
                if domain in sizes and n >= max(rule["min_docs"], rule["min_share"] * sizes[domain]):
                    live.add(key)
        return live

    @classmethod
    def prune(cls, state, live: set[str], params: dict[str, dict]):
        """The state `finish` needs: None outside a live domain, else only the live lines."""
        domain, lines = state
        if f"d:{domain}" not in live:
            return None
        return domain, [line for line in lines if f"l:{domain}:{line[0].hex()}" in live]

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
