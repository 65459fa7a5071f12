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
from ..spool import Blobs
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


# Line keys held and counted at once: 12 MB with their domains, a few times that to count
# (sorts, copies). Holding more buys no speed, only memory (bench/README.md).
KEYS_PER_PASS = 1_000_000
PARTS = 256  # key residues a large corpus's keys are spilled by (a residue is never split)
SPILL_SLICE = 1_000_000  # keys sorted by residue at a time when spilled


def common_lines(states, min_docs: int, min_share: float) -> dict[str, tuple[np.ndarray, dict[int, int], int]]:
    """Per domain with `min_docs` documents: the keys of its common lines, each key's
    number of documents, and the domain's number of documents. A line is common when
    `min_docs` documents of the domain and `min_share` of them have it.

    Each document lists a line key once, so a key's count is its number of documents.
    `states` is read once (a spooled corpus's states are unpickled on every read: a
    million of them take seconds); its keys are gathered by `_DomainKeys`, which holds at
    most `KEYS_PER_PASS` of them (every key of a million documents is about 700 MB)."""
    sizes: dict[str, int] = defaultdict(int)
    numbers: dict[str, int] = {}
    gathered = _DomainKeys()
    try:
        for _, state in states:
            if state:
                sizes[state.domain] += 1
                gathered.add(numbers.setdefault(state.domain, len(numbers)), state.keys)
        domains = list(numbers)
        count_of: dict[str, dict[int, int]] = defaultdict(dict)  # a domain's keys come in one call per group
        for number, keys, counts in gathered.counts():
            size = sizes[domains[number]]
            if size >= min_docs:
                enough = counts >= max(min_docs, min_share * size)
                if enough.any():
                    count_of[domains[number]].update(zip(keys[enough].tolist(), counts[enough].tolist()))
        return {
            domain: (np.fromiter(counted, np.uint64, len(counted)), counted, sizes[domain])
            for domain, counted in count_of.items()
        }
    finally:
        gathered.close()


class _DomainKeys:
    """(domain number, line key) pairs, counted per domain. Up to `KEYS_PER_PASS` pairs
    stay in memory and are counted in one go; beyond that they are spilled to a temporary
    file by key residue modulo `PARTS` and counted a group of residues at a time, each
    group at most `KEYS_PER_PASS` keys unless one residue alone is more (above some 256
    million keys, about 3 million documents: a group is then one residue, 1/256 of the
    keys). A key falls in one residue, so every count is whole."""

    def __init__(self) -> None:
        self._keys: list[np.ndarray] = []
        self._domains: list[int] = []
        self._held = 0
        self._spilled: Blobs | None = None
        self._where: list[list[int]] = [[] for _ in range(PARTS)]  # each residue's blobs
        self._part_sizes = np.zeros(PARTS, dtype=np.int64)

    def add(self, domain: int, keys: np.ndarray) -> None:
        self._keys.append(np.asarray(keys, dtype=np.uint64))
        self._domains.append(domain)
        self._held += len(keys)
        if self._held >= KEYS_PER_PASS:
            self._spill()

    def _pending(self, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The oldest pending pairs, about `limit` keys of them (all by default), as arrays."""
        take, held = 0, 0
        while take < len(self._keys) and (limit is None or held < limit):
            held += len(self._keys[take])
            take += 1
        chunk, numbers = self._keys[:take], self._domains[:take]
        del self._keys[:take], self._domains[:take]
        self._held -= held
        lengths = np.fromiter(map(len, chunk), dtype=np.int64, count=len(chunk))
        keys = np.concatenate(chunk) if chunk else np.zeros(0, dtype=np.uint64)
        return keys, np.repeat(np.asarray(numbers, dtype=np.int32), lengths)

    def _spill(self) -> None:
        if self._spilled is None:
            self._spilled = Blobs(prefix="seedcheck-boilerplate-")
        while self._keys:  # a slice at a time: the sort's copies stay small
            keys, domains = self._pending(SPILL_SLICE)
            residues = (keys % np.uint64(PARTS)).astype(np.uint8)
            order = np.argsort(residues, kind="stable")  # a radix sort for 8-bit numbers
            bounds = np.searchsorted(residues[order], np.arange(PARTS + 1))
            keys, domains = keys[order], domains[order]
            for part in np.flatnonzero(np.diff(bounds)).tolist():
                a, b = bounds[part], bounds[part + 1]
                self._where[part].append(len(self._spilled))
                self._spilled.append(keys[a:b].tobytes())
                self._spilled.append(domains[a:b].tobytes())
                self._part_sizes[part] += b - a

    def counts(self) -> Iterable[tuple[int, np.ndarray, np.ndarray]]:
        """(domain number, distinct keys, their counts): a domain once per group of
        residues, each of its keys in exactly one of them."""
        if self._spilled is None:
            yield from _count(*self._pending())
            return
        self._spill()
        group: list[int] = []
        for part in range(PARTS):
            if group and self._part_sizes[group].sum() + self._part_sizes[part] > KEYS_PER_PASS:
                yield from _count(*self._read(group))
                group = []
            group.append(part)
        yield from _count(*self._read(group))

    def _read(self, parts: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """The pairs of these residues, read straight into two arrays of their size."""
        total = int(self._part_sizes[parts].sum())
        keys, domains = np.empty(total, dtype=np.uint64), np.empty(total, dtype=np.int32)
        at = 0
        for index in (i for part in parts for i in self._where[part]):
            n = self._spilled.size(index) // 8
            self._spilled.read_into(index, memoryview(keys[at : at + n]))
            self._spilled.read_into(index + 1, memoryview(domains[at : at + n]))
            at += n
        return keys, domains

    def close(self) -> None:
        """Drop the spilled keys, if any."""
        if self._spilled is not None:
            self._spilled.close()
            self._spilled = None


def _count(keys: np.ndarray, domains: np.ndarray) -> Iterable[tuple[int, np.ndarray, np.ndarray]]:
    if not len(keys):
        return
    if domains.min() == domains.max():  # one domain: no grouping to do
        yield int(domains[0]), *np.unique(keys, return_counts=True)
        return
    # The keys in domain order (a radix sort while domain numbers fit 16 bits), and each
    # domain's slice from the domains' sizes: no sorted copy of the domains is needed.
    sizes = np.bincount(domains)
    order = np.argsort(domains.astype(np.uint16) if len(sizes) <= 1 << 16 else domains, kind="stable")
    del domains
    keys = keys[order]
    del order
    ends = np.cumsum(sizes)
    for number in np.flatnonzero(sizes).tolist():
        yield number, *np.unique(keys[ends[number] - sizes[number] : ends[number]], return_counts=True)
