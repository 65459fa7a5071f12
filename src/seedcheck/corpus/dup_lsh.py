"""Near-duplicate candidates and verification over the whole corpus: the states in
columns (`StateTable`), MinHash LSH banding as datasketch's MinHashLSH does it, and the
vectorised check of each candidate pair (`near_pairs`)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from .dup_signatures import DupState, PairScore
from .keep import KeepInfo


class StateTable:
    """Every document's `DupState` in columns: one signature matrix and one array per
    field, not a tuple of small arrays per document. At 100,000 documents the tuples were
    about 400 MB and `near_pairs` then stacked a second copy of the signatures; the
    columns hold each value once. Rows are in source order; documents without a state
    (unreadable) have no row."""

    def __init__(self, states: Iterable[tuple[str, DupState | None]]):
        capacity = max(len(states), 1) if hasattr(states, "__len__") else 1024
        self.ids: list[str] = []
        self.exact: list[int | None] = []
        self.exact_num: list[int | None] = []
        self.line: list[int] = []
        self.keep: list[KeepInfo] = []
        self.excerpt: list[str] = []
        self.title: list[str] = []
        words, sizes, number_sizes, name_sizes, has_sigs = [], [], [], [], []
        numbers, names = bytearray(), bytearray()
        sigs = None
        domains: dict[str, str] = {}  # one string per source domain, not one per document
        for doc_id, s in states:
            if s is None:
                continue
            row = len(self.ids)
            if len(s.sigs):
                if sigs is None:
                    sigs = np.zeros((max(capacity, row + 1), len(s.sigs)), np.uint32)
                elif row >= len(sigs):  # input of unknown length (the Spark engine's pruned states)
                    sigs = np.concatenate(
                        [sigs, np.zeros((max(len(sigs), row + 1 - len(sigs)), sigs.shape[1]), np.uint32)]
                    )
                sigs[row] = s.sigs
            has_sigs.append(bool(len(s.sigs)))
            self.ids.append(doc_id)
            self.exact.append(s.exact)
            self.exact_num.append(s.exact_num)
            words.append(s.words)
            sizes.append(s.sizes[1] if len(s.sizes) > 1 else 0)
            numbers += s.numbers.astype(np.uint32).tobytes()
            names += s.names.astype(np.uint32).tobytes()
            number_sizes.append(len(s.numbers))
            name_sizes.append(len(s.names))
            self.line.append(s.line)
            self.keep.append(s.keep._replace(domain=domains.setdefault(s.keep.domain, s.keep.domain)))
            self.excerpt.append(s.excerpt)
            self.title.append(s.title)
        n = len(self.ids)
        self.row = {doc_id: i for i, doc_id in enumerate(self.ids)}
        self.words = np.array(words, np.int64)
        self.gram_sizes = np.array(sizes, np.float64)  # distinct word 3-grams
        self.sigs = sigs[:n] if sigs is not None else np.zeros((n, 0), np.uint32)
        self.has_sigs = np.array(has_sigs, bool)  # an empty body ships no signature (zeros here)
        self._numbers = (np.frombuffer(bytes(numbers), np.uint32), np.r_[0, np.cumsum(number_sizes)].astype(np.int64))
        self._names = (np.frombuffer(bytes(names), np.uint32), np.r_[0, np.cumsum(name_sizes)].astype(np.int64))

    def __len__(self) -> int:
        return len(self.ids)

    def numbers(self, row: int) -> np.ndarray:
        values, offsets = self._numbers
        return values[offsets[row] : offsets[row + 1]]

    def names(self, row: int) -> np.ndarray:
        values, offsets = self._names
        return values[offsets[row] : offsets[row + 1]]

    def keep_of(self, doc_id: str) -> KeepInfo:
        return self.keep[self.row[doc_id]]

    def containments(self, kind: str, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
        """`set_containment` of the `kind` ("numbers" or "names") sets of each pair of rows,
        all pairs at once: the two sets of pair p become keys (p, value), one sort, and a key
        seen twice is a value both hold (each set is already duplicate-free). One Python call
        per pair cost 40% of the duplicate stage at 100,000 documents."""
        values, offsets = self._numbers if kind == "numbers" else self._names
        size_a = offsets[rows_a + 1] - offsets[rows_a]
        size_b = offsets[rows_b + 1] - offsets[rows_b]
        keys = np.concatenate(
            [_pair_keys(values, offsets[rows_a], size_a), _pair_keys(values, offsets[rows_b], size_b)]
        )
        keys.sort()
        both = keys[1:][keys[1:] == keys[:-1]] >> np.uint64(32)
        shared = np.bincount(both.astype(np.int64), minlength=len(rows_a))
        small = np.minimum(size_a, size_b)
        return np.where(small > 0, shared / np.maximum(small, 1), 1.0)


def _pair_keys(values: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """(pair number << 32) | value for every value of each pair's set (`values[start:start + size]`)."""
    total = int(sizes.sum())
    pair = np.repeat(np.arange(len(sizes), dtype=np.uint64), sizes)
    at = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes) + np.repeat(starts, sizes)
    return (pair << np.uint64(32)) | values[at].astype(np.uint64)


class NearPairs(NamedTuple):
    """Verified near pairs in compact arrays (one row per pair, `a < b` as indexes into `ids`)."""

    ids: list[str]
    a: np.ndarray  # int32
    b: np.ndarray  # int32
    scores: np.ndarray  # float32 [n, 5]: the PairScore fields

    def partners(self) -> dict[int, np.ndarray]:
        """Row numbers of the pairs of each document that has any."""
        rows = np.concatenate([np.arange(len(self.a)), np.arange(len(self.a))])
        docs = np.concatenate([self.a, self.b])
        order = np.argsort(docs, kind="stable")
        docs, rows = docs[order], rows[order]
        cuts = np.flatnonzero(np.diff(docs)) + 1
        return {int(group[0]): r for group, r in zip(np.split(docs, cuts), np.split(rows, cuts)) if len(group)}

    def as_dict(self) -> dict[str, dict[str, PairScore]]:
        """`{doc: {other: PairScore}}` (for tests and small corpora)."""
        out: dict[str, dict[str, PairScore]] = defaultdict(dict)
        for a, b, sc in zip(self.a.tolist(), self.b.tolist(), self.scores.tolist()):
            out[self.ids[a]][self.ids[b]] = out[self.ids[b]][self.ids[a]] = PairScore(*sc)
        return out


def lsh_passes(params: dict, num_perm: int) -> list[tuple[slice, float]]:
    """The candidate passes of `near_pairs`: (part of the signature, LSH threshold)."""
    passes = [(slice(0, num_perm), params["lsh_threshold"])]
    if params["containment"] and params["containment"] < 1:
        passes.append((slice(num_perm, 2 * num_perm), params["containment_lsh_threshold"]))
    return passes


# datasketch's optimal (bands, rows) for the shipped thresholds at 128 permutations
# (tests/test_duplicates.py checks them against datasketch); other settings ask datasketch,
# whose import (scipy) costs about half a second.
VERIFY_CHUNK = 4_096  # candidate pairs compared at once (two signature rows each: 8 MB)
_KNOWN_BANDS = {(0.3, 128): (37, 3), (0.45, 128): (25, 5)}
_BANDS: dict[tuple[float, int], list[tuple[int, int]]] = {
    key: [(i * r, (i + 1) * r) for i in range(b)] for key, (b, r) in _KNOWN_BANDS.items()
}


def band_keys(sig: np.ndarray, threshold: float) -> list[str]:
    """One key per band of datasketch's MinHashLSH(threshold, num_perm=len(sig)): two
    signatures share a key exactly when that index would return one for the other (same
    b and r, same hash ranges; the band's values hashed to 64 bits, so a collision can only
    add a candidate, never lose one). Used by the Spark engine to group candidates."""
    ranges = band_ranges(threshold, len(sig))
    return [f"{i}:{hashlib.blake2b(sig[a:b].tobytes(), digest_size=8).hexdigest()}" for i, (a, b) in enumerate(ranges)]


def band_ranges(threshold: float, num_perm: int) -> list[tuple[int, int]]:
    """The bands (start, end) datasketch's MinHashLSH picks for `threshold` (its optimal
    b and r for equal false-positive and false-negative weights)."""
    ranges = _BANDS.get((threshold, num_perm))
    if ranges is None:
        from datasketch import MinHashLSH

        ranges = _BANDS[(threshold, num_perm)] = list(MinHashLSH(threshold=threshold, num_perm=num_perm).hashranges)
    return ranges


def candidate_codes(sigs: np.ndarray, threshold: float, rows: np.ndarray | None = None) -> np.ndarray:
    """The row pairs (i, j), i < j, that share at least one band: for each i, exactly the
    keys datasketch's MinHashLSH(threshold) returns when queried with row i. Found by sorting
    each band's values in numpy (not one Python insert and query per row) and returned as
    sorted int64 codes ``i * n + j``, merged band by band, so memory holds the distinct
    pairs, not every band's copy. With `rows`, only those rows of `sigs` take part (i and j
    then number positions in `rows`), without copying the whole matrix."""
    n = len(sigs) if rows is None else len(rows)
    found = np.zeros(0, np.int64)
    for a, b in band_ranges(threshold, sigs.shape[1]):
        pairs = []
        band = np.ascontiguousarray(sigs[:, a:b] if rows is None else sigs[rows, a:b])
        band = band.view(np.dtype((np.void, 4 * (b - a)))).ravel()
        order = np.argsort(band, kind="stable")
        ordered = band[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        sizes = np.diff(np.r_[starts, len(order)])
        # Every bucket of the same size at once: a (buckets x size) matrix of sorted members,
        # paired by the upper triangle of size x size.
        for size in np.unique(sizes[sizes > 1]).tolist():
            lo = starts[sizes == size]
            members = np.sort(order[lo[:, None] + np.arange(size)], axis=1)
            i, j = np.triu_indices(size, k=1)
            pairs.append(np.stack([members[:, i].ravel(), members[:, j].ravel()], axis=1))
        if pairs:
            band_pairs = np.concatenate(pairs).astype(np.int64)
            # A row sits in one bucket per band, so a band never yields a pair twice: a sort
            # is all np.unique would do (its hash-based path cost 40 s at 100,000 documents).
            found = _merge_sorted(found, np.sort(band_pairs[:, 0] * n + band_pairs[:, 1]))
    return found


def _merge_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The sorted union of two sorted unique arrays. A stable sort of their concatenation
    is timsort finding two runs: a linear merge (np.union1d sorts from scratch, and the
    near-duplicate pairs are found again in band after band)."""
    merged = np.concatenate([a, b])
    merged.sort(kind="stable")
    return merged[np.r_[True, merged[1:] != merged[:-1]]] if len(merged) else merged


def near_pairs(
    states: StateTable | Iterable[tuple[str, DupState]], params: dict, exact_of: dict[str, int] | None = None
) -> NearPairs:
    """Verified near-duplicate pairs.

    Candidates: MinHash LSH banding as datasketch's MinHashLSH does it (`candidate_codes`)
    over the word signatures (Jaccard), and a second pass over the 3-gram signatures at a
    lower threshold (containment). Memory stays with the signature matrix
    (N x 2 x num_perm uint32) and the candidate pairs. Verification (`is_near`) is
    vectorised over chunks of candidate pairs. Documents of one exact-duplicate group
    are indexed once (duplicate-exact reports them).
    """
    table = states if isinstance(states, StateTable) else StateTable(states)
    chosen = _indexed_rows(table, params, exact_of or {})  # rows of `table`
    ids = [table.ids[row] for row in chosen]
    empty = NearPairs(ids, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros((0, 5), np.float32))
    if len(chosen) < 2:
        return empty
    rows = np.array(chosen, np.int64)
    num_perm = table.sigs.shape[1] // 2
    sizes = table.gram_sizes[rows]
    found: tuple[list, list, list] = ([], [], [])
    checked = np.zeros(0, np.int64)
    for part, threshold in lsh_passes(params, num_perm):
        codes = candidate_codes(table.sigs[:, part], threshold, rows)
        codes, checked = np.setdiff1d(codes, checked, assume_unique=True), _merge_sorted(checked, codes)
        # Verified in chunks of pairs, in (i, j) order: bounded temporary arrays.
        for lo in range(0, len(codes), VERIFY_CHUNK):
            _verify(table, rows, sizes, codes[lo : lo + VERIFY_CHUNK], params, found)
    found_a, found_b, found_s = found
    if not found_a:
        return empty
    return NearPairs(ids, np.array(found_a, np.int32), np.array(found_b, np.int32), np.array(found_s, np.float32))


def _indexed_rows(table: StateTable, params: dict, exact_of: dict[str, int]) -> list[int]:
    """The rows long enough to compare, one per exact-duplicate group."""
    seen: set[int] = set()
    chosen: list[int] = []
    eligible = (table.words >= params["min_words"]) & table.has_sigs
    for row in np.flatnonzero(eligible).tolist():
        group = exact_of.get(table.ids[row])
        if group is not None:
            if group in seen:
                continue
            seen.add(group)
        chosen.append(row)
    return chosen


def _verify(
    table: StateTable,
    rows: np.ndarray,
    sizes: np.ndarray,
    codes: np.ndarray,
    params: dict,
    found: tuple,
) -> None:
    """Append to `found` (firsts, seconds, scores) the candidate pairs `codes` (``i * n + j``
    over `rows`, whose 3-gram counts are `sizes`) that pass the text, number and name checks."""
    sigs = table.sigs
    num_perm = sigs.shape[1] // 2
    first, second = np.divmod(codes, len(rows))
    sig_a, sig_b = sigs[rows[first]], sigs[rows[second]]
    words = (sig_a[:, :num_perm] == sig_b[:, :num_perm]).mean(axis=1)
    grams = (sig_a[:, num_perm:] == sig_b[:, num_perm:]).mean(axis=1)
    del sig_a, sig_b
    small = np.minimum(sizes[first], sizes[second])
    contained = np.where(
        small > 0,
        np.minimum(1.0, grams * (sizes[first] + sizes[second]) / (1.0 + grams) / np.maximum(small, 1)),
        0.0,
    )
    text_ok = ((words >= params["word_jaccard"]) & (grams >= params["gram_jaccard"])) | (
        contained >= params["containment"]
    )
    passing = np.flatnonzero(text_ok)
    rows_a, rows_b = rows[first[passing]], rows[second[passing]]
    numbers = table.containments("numbers", rows_a, rows_b)
    names = table.containments("names", rows_a, rows_b)
    kept = (numbers >= params["numbers"]) & (names >= params["names"])
    for k, number_share, name_share in zip(passing[kept].tolist(), numbers[kept].tolist(), names[kept].tolist()):
        found[0].append(int(first[k]))
        found[1].append(int(second[k]))
        found[2].append((words[k], grams[k], contained[k], number_share, name_share))
