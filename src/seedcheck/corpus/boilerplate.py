"""Lines that recur across many documents of one source domain (`noise-boilerplate`).

The boilerplate of a site (its footer, its "Related" header, its legal line) is learned
from the corpus itself: a line is boilerplate when it occurs in at least `min_docs`
documents of a source domain and in at least `min_share` of that domain's documents.
Each document sends a compact state (`Lines`): its domain and, per candidate line, an
8-byte hash, the line number, the key's length and a short excerpt, as numpy arrays and one
string (a few hundred bytes, not a few Python objects per line: the main process holds one
state per document of the corpus). Candidates are short lines (boilerplate is short;
a long paragraph that recurs is a duplicate, the duplicate rules' business), not end
marks, tables or blank lines, counted once per document.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, ClassVar, NamedTuple

import numpy as np

from ..model import Fix, Hit
from ..rules.detectors.layout import END_MARK, comparable, layout
from . import Analyzer, analyzer

MAX_CHARS = 160  # longer lines are not boilerplate candidates
EXCERPT = 60  # characters kept per candidate line for the report


def _key(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


class Lines(NamedTuple):
    """One document's candidate lines: parallel arrays, and the excerpts packed (UTF-8,
    zlib): a hard-wrapped release has ~90 candidate lines, and the main process holds this
    for every document of the corpus, so the excerpts are most of it."""

    domain: str
    keys: np.ndarray  # uint64 line hashes
    numbers: np.ndarray  # int32 file line numbers
    lengths: np.ndarray  # uint16 lengths of the compared text (lines are at most MAX_CHARS)
    packed: bytes  # zlib of the UTF-8 excerpts, concatenated
    ends: np.ndarray  # int32 end offset of each excerpt in the unpacked bytes

    @classmethod
    def make(cls, domain: str, keys, numbers, lengths, excerpts: list[str]) -> Lines:
        raw = [t.encode("utf-8", "surrogatepass") for t in excerpts]
        return cls(
            domain,
            np.asarray(keys, dtype=np.uint64),
            np.asarray(numbers, dtype=np.int32),
            np.asarray(lengths, dtype=np.uint16),
            zlib.compress(b"".join(raw), 1),
            np.cumsum([len(b) for b in raw], dtype=np.int32),
        )

    def excerpts(self) -> list[str]:
        """Every line's excerpt, in order."""
        data = zlib.decompress(self.packed)
        starts = np.r_[0, self.ends[:-1]] if len(self.ends) else self.ends
        return [data[a:b].decode("utf-8", "surrogatepass") for a, b in zip(starts.tolist(), self.ends.tolist())]

    def subset(self, mask: np.ndarray) -> Lines:
        """The lines where `mask` is true."""
        keep = np.flatnonzero(mask)
        texts = self.excerpts()
        return Lines.make(
            self.domain, self.keys[keep], self.numbers[keep], self.lengths[keep], [texts[i] for i in keep.tolist()]
        )


def key_hex(key: int) -> str:
    """A line key as text (the Spark engine's blocking keys)."""
    return f"{int(key):016x}"


@analyzer
class Boilerplate(Analyzer):
    name = "boilerplate"
    READS: ClassVar[dict[str, frozenset[str]]] = {
        "noise-boilerplate": frozenset({"min_docs", "min_share", "min_chars"})
    }

    @classmethod
    def collect(cls, doc, context) -> Any:
        domain = doc.record.get("source_domain")
        if not domain:
            return None
        lay = layout(doc)
        seen: dict[int, tuple[int, str, int]] = {}
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
        values = list(seen.values())
        return Lines.make(
            str(domain).lower(),
            list(seen),
            [n for n, _, _ in values],
            [c for _, _, c in values],
            [t for _, t, _ in values],
        )

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
        return [f"d:{state.domain}"] + [f"l:{state.domain}:{key_hex(key)}" for key in state.keys]

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
        if f"d:{state.domain}" not in live:
            return None
        return state.subset(np.array([f"l:{state.domain}:{key_hex(k)}" in live for k in state.keys], dtype=bool))

    @classmethod
    def finish(cls, states, rules, context) -> Iterable[tuple[str, str, Hit]]:
        """Count each line key per domain (`common_lines`), then flag the lines of the
        common keys. `states` is read several times and never held: a spooled corpus
        (`spool.py`) never has every document's lines in memory at once."""
        rule = rules.get("noise-boilerplate")
        if rule is None:
            return
        params = rule.params
        common = common_lines(states, params["min_docs"], params["min_share"])
        if not common:
            return
        for doc_id, lines in states:
            if not lines or lines.domain not in common:
                continue
            keys, count_of, size = common[lines.domain]
            flagged = np.flatnonzero(np.isin(lines.keys, keys) & (lines.lengths >= params["min_chars"]))
            texts = lines.excerpts() if len(flagged) else []
            for i in flagged.tolist():
                n = count_of[int(lines.keys[i])]
                yield (
                    "noise-boilerplate",
                    doc_id,
                    Hit(
                        line=int(lines.numbers[i]),
                        column=1,
                        excerpt=texts[i],
                        values={
                            "count": n,
                            "domain": lines.domain,
                            "documents": size,
                            "share": f"{100 * n / size:.0f}%",
                        },
                        fix=Fix("delete the line (boilerplate of this source)", "", delete_line=True, safe=False),
                    ),
                )


KEYS_PER_PASS = 8_000_000  # line keys counted at once (64 MB, and as much again to sort them)


def common_lines(states, min_docs: int, min_share: float) -> dict[str, tuple[np.ndarray, dict[int, int], int]]:
    """Per domain with `min_docs` documents: the keys of its common lines, each key's
    number of documents, and the domain's number of documents. A line is common when
    `min_docs` documents of the domain and `min_share` of them have it.

    Each document lists a line key once, so a key's count is its number of documents. A
    large corpus is counted in passes, each over the keys of one residue modulo the number
    of passes, so at most `KEYS_PER_PASS` keys are held: every key of a million documents
    is about 700 MB."""
    sizes: dict[str, int] = defaultdict(int)
    total = 0
    for _, state in states:
        if state:
            sizes[state.domain] += 1
            total += len(state.keys)
    passes = max(1, -(-total // KEYS_PER_PASS))
    common: dict[str, tuple[np.ndarray, dict[int, int], int]] = {}
    for part in range(passes):
        keys_of: dict[str, bytearray] = defaultdict(bytearray)
        for _, state in states:
            if state and sizes[state.domain] >= min_docs:
                keys = state.keys if passes == 1 else state.keys[state.keys % np.uint64(passes) == part]
                keys_of[state.domain] += keys.astype(np.uint64).tobytes()
        for domain, raw in keys_of.items():
            keys, counts = np.unique(np.frombuffer(raw, np.uint64), return_counts=True)
            enough = counts >= max(min_docs, min_share * sizes[domain])
            if enough.any():
                found, count_of, size = common.get(domain, (keys[:0], {}, sizes[domain]))
                count_of.update(zip(keys[enough].tolist(), counts[enough].tolist()))
                common[domain] = (np.concatenate([found, keys[enough]]), count_of, size)
        del keys_of
    return common
