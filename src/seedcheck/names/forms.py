"""A registered spelling (`Form`), a name found in a text (`NameMatch`), and the token-trie
regex the registry matches all its forms with."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Form:
    """A registered spelling: its role and, for variants, the spelling that replaces it."""

    text: str
    person: str  # the canonical name
    role: str  # canonical | allowed | variant
    target: str  # what to write instead (itself for canonical/allowed forms)


@dataclass(slots=True)
class NameMatch:
    """A name found in a document: offsets in the NFC body text, and what it means."""

    start: int
    end: int
    text: str
    person: str
    kind: str  # ok | variant | misspelling
    fix: str | None = None
    reason: str = ""
    distance: int = 0


def trie_regex(sequences: Iterable[tuple[str, ...]]) -> str:
    """A regex matching any of the token sequences, longer continuations tried first."""
    trie: dict = {}
    for seq in sequences:
        node = trie
        for tok in seq:
            node = node.setdefault(tok, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = []
        for tok in sorted((t for t in node if t), key=lambda t: (-len(t), t)):
            child = node[tok]
            rest = {k: v for k, v in child.items() if k}
            piece = re.escape(tok)
            # Word characters at the edge of a token need a boundary; punctuation does not.
            if rest:
                # Greedy: the longer form is tried first, the shorter one is the fallback.
                tail = r"\s+(?:" + build(child) + ")"
                piece += f"(?:{tail})" + ("?" if "" in child else "")
            alts.append(piece)
        return "|".join(alts)

    return build(trie)
