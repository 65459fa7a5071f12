"""Near-duplicate candidates and verification over the whole corpus (the states in
columns: `dup_table.StateTable`): MinHash LSH banding as datasketch's MinHashLSH does it,
and the vectorised check of each candidate pair (`near_pairs`)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from ..spool import Blobs
from .dup_signatures import DupState, PairScore
from .dup_table import Signatures, StateTable


class NearPairs(NamedTuple):
    """Verified near pairs in compact arrays (one row per pair, `a < b` as indexes into `ids`)."""

    ids: list[str]
    a: np.ndarray  # int32
    b: np.ndarray  # int32
    scores: np.ndarray  # float32 [n, 5]: the PairScore fields

    def kept(self, mask: np.ndarray) -> NearPairs:
        """The pairs where `mask` is true."""
        return NearPairs(self.ids, self.a[mask], self.b[mask], self.scores[mask])

    def as_dict(self) -> dict[str, dict[str, PairScore]]:
        """`{doc: {other: PairScore}}` (for tests and small corpora)."""
        out: dict[str, dict[str, PairScore]] = defaultdict(dict)
        for a, b, sc in zip(self.a.tolist(), self.b.tolist(), self.scores.tolist()):
            out[self.ids[a]][self.ids[b]] = out[self.ids[b]][self.ids[a]] = PairScore(*sc)
        return out


class Partners:
    """Each document's partners in a set of `NearPairs`, and their scores: the pairs' two
    ends sorted by document, then partner (about 50 bytes a pair, where a dict of dicts of
    `PairScore` took about 300: at a million documents, a million pairs)."""

    def __init__(self, pairs: NearPairs) -> None:
        self.ids, self.pairs = pairs.ids, pairs
        rows = np.arange(len(pairs.a), dtype=np.int32)
        ends, others = np.concatenate([pairs.a, pairs.b]), np.concatenate([pairs.b, pairs.a])
        order = np.lexsort((others, ends))
        self._ends, self._others, self._rows = ends[order], others[order], np.concatenate([rows, rows])[order]
        self._docs, self._starts = np.unique(self._ends, return_index=True)

    def __len__(self) -> int:
        return len(self._docs)

    def in_id_order(self) -> list[int]:
        """The documents that have partners (as indexes into `ids`), sorted by doc id."""
        return sorted(self._docs.tolist(), key=self.ids.__getitem__)

    def scores_of(self, doc: int) -> dict[str, PairScore]:
        """`{partner id: PairScore}` of document `doc` (an index into `ids`), by partner index."""
        at = int(np.searchsorted(self._docs, doc))
        if at == len(self._docs) or self._docs[at] != doc:
            return {}
        lo = self._starts[at]
        hi = self._starts[at + 1] if at + 1 < len(self._starts) else len(self._ends)
        scores = self.pairs.scores[self._rows[lo:hi]].tolist()
        return {self.ids[o]: PairScore(*sc) for o, sc in zip(self._others[lo:hi].tolist(), scores)}

    def id_pairs(self) -> Iterable[tuple[str, str]]:
        """Every pair once, as doc ids (made a chunk of pairs at a time: there may be millions)."""
        a, b, ids, step = self.pairs.a, self.pairs.b, self.ids, VALUES_CHUNK
        for lo in range(0, len(a), step):
            yield from ((ids[i], ids[j]) for i, j in zip(a[lo : lo + step].tolist(), b[lo : lo + step].tolist()))


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
VALUES_CHUNK = 65_536  # pairs made Python values at once (about 300 B each; there may be millions)
PAIR_CHUNK = 2**21  # candidate pairs a band hands on at once (16 MB of codes; see first_meetings)
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


def candidate_codes(
    sigs: np.ndarray | Signatures, threshold: float, rows: np.ndarray | None = None, columns: slice | None = None
) -> np.ndarray:
    """The row pairs (i, j), i < j, that share at least one band: for each i, exactly the
    keys datasketch's MinHashLSH(threshold) returns when queried with row i. Found by sorting
    each band's values in numpy (not one Python insert and query per row) and returned as
    sorted int64 codes ``i * n + j``, merged band by band. With `rows` (ascending), only those
    rows take part (i and j then number positions in `rows`); with `columns`, only that part
    of each signature. `sigs` is a matrix or a `Signatures` store, read one band at a time.
    All of a pass's candidates at once (the bench counts them); `first_meetings` yields the
    same pairs without holding them."""
    n = len(sigs) if rows is None else len(rows)
    first, end = (0, sigs.shape[1]) if columns is None else (columns.start, columns.stop)
    found = np.zeros(0, np.int64)
    for a, b in band_ranges(threshold, end - first):
        found = _merge_sorted(found, _band_codes(*_band_buckets(sigs, first + a, first + b, rows), n))
    return found


def first_meetings(
    sigs: np.ndarray | Signatures, passes: list[tuple[slice, float]], rows: np.ndarray | None = None
) -> Iterable[tuple[int, np.ndarray]]:
    """(pass number, codes ``i * n + j``) of the pairs each band of each pass (`lsh_passes`)
    puts in one bucket and no earlier band did: over all the passes, every pair of
    `candidate_codes` of some pass once, under the first pass that has it, in arrays of at
    most about `PAIR_CHUNK` pairs (one band of a million templated documents pairs tens of
    millions). A pair met before shares a bucket of an earlier band: each band's bucket
    numbers are kept (4 bytes a row, in a temporary file when the signatures are in one)
    and the band's pairs compared with them, a chunk at a time."""
    n = len(sigs) if rows is None else len(rows)
    earlier: Blobs | list[np.ndarray] = (
        Blobs("seedcheck-buckets-") if isinstance(sigs, Signatures) and sigs.on_disk else []
    )
    buffer = np.empty(n, np.int32)  # an earlier band's buckets, read from the file into it
    try:
        for number, (part, threshold) in enumerate(passes):
            for a, b in band_ranges(threshold, part.stop - part.start):
                order, starts, sizes = _band_buckets(sigs, part.start + a, part.start + b, rows)
                for codes in _gathered(_band_code_chunks(order, starts, sizes, n, PAIR_CHUNK), PAIR_CHUNK):
                    codes = _not_met(codes, earlier, n, buffer)
                    if len(codes):
                        yield number, codes
                bucket = np.empty(n, np.int32)
                bucket[order] = np.repeat(np.arange(len(starts), dtype=np.int32), sizes)
                earlier.append(bucket if isinstance(earlier, list) else bucket.tobytes())
    finally:
        if isinstance(earlier, Blobs):
            earlier.close()


def _gathered(chunks: Iterable[np.ndarray], limit: int) -> Iterable[np.ndarray]:
    """The chunks joined into arrays of at most `limit` codes (a chunk larger than that
    alone): a band yields a small chunk per bucket size, and each array handed on reads
    every earlier band's buckets (`_not_met`), so hundreds of small chunks per band meant
    hundreds of such reads (at a million documents, most of the corpus stage)."""
    held: list[np.ndarray] = []
    count = 0
    for codes in chunks:
        if held and count + len(codes) > limit:
            yield np.concatenate(held) if len(held) > 1 else held[0]
            held, count = [], 0
        held.append(codes)
        count += len(codes)
    if held:
        yield np.concatenate(held) if len(held) > 1 else held[0]


def _not_met(codes: np.ndarray, earlier: Blobs | list[np.ndarray], n: int, buffer: np.ndarray) -> np.ndarray:
    """The pairs of `codes` that no earlier band's buckets (`earlier`) put together
    (`buffer`: n int32 to read a band's buckets into when they are in a file)."""
    if not len(codes) or not len(earlier):
        return codes
    i, j = np.divmod(codes, n)
    for m in range(len(earlier)):
        if isinstance(earlier, list):
            bucket = earlier[m]
        else:
            earlier.read_into(m, memoryview(buffer))
            bucket = buffer
        apart = bucket[i] != bucket[j]
        codes, i, j = codes[apart], i[apart], j[apart]
        if not len(codes):
            break
    return codes


def _band_buckets(sigs: np.ndarray | Signatures, start: int, end: int, rows: np.ndarray | None) -> tuple:
    """One band's buckets: the rows in the order of their band values, where each bucket
    starts in that order, and its size."""
    band = _band(sigs, start, end, rows)
    band = band.view(np.dtype((np.void, 4 * (end - start)))).ravel()
    order = np.argsort(band, kind="stable")
    ordered = band[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    return order, starts, np.diff(np.r_[starts, len(order)])


def _band_codes(order: np.ndarray, starts: np.ndarray, sizes: np.ndarray, n: int) -> np.ndarray:
    """The sorted codes ``i * n + j`` (i < j) of the pairs that share a bucket of one band."""
    codes = list(_band_code_chunks(order, starts, sizes, n, limit=None))
    if not codes:
        return np.zeros(0, np.int64)
    band_codes = np.concatenate(codes) if len(codes) > 1 else codes[0]
    # A row sits in one bucket per band, so a band never yields a pair twice: a sort is all
    # np.unique would do (its hash-based path cost 40 s at 100,000 documents).
    band_codes.sort()
    return band_codes


def _band_code_chunks(
    order: np.ndarray, starts: np.ndarray, sizes: np.ndarray, n: int, limit: int | None
) -> Iterable[np.ndarray]:
    """The codes ``i * n + j`` (i < j) of the pairs that share a bucket of one band, in
    sorted arrays of at most `limit` pairs (or of one member's pairs with the later members
    of its bucket, when they are more), not sorted across arrays; with no `limit`, unsorted."""
    # Every bucket of the same size at once: a (buckets x size) matrix of sorted members,
    # paired by the upper triangle of size x size, each pair coded at once.
    for size in np.unique(sizes[sizes > 1]).tolist():
        lo = starts[sizes == size]
        per_bucket = size * (size - 1) // 2
        if limit is not None and per_bucket > limit:
            for first in lo.tolist():
                yield from _bucket_code_chunks(np.sort(order[first : first + size]).astype(np.int64), n, limit)
            continue
        i, j = np.triu_indices(size, k=1)
        step = len(lo) if limit is None else limit // per_bucket
        for at in range(0, len(lo), step):
            members = np.sort(order[lo[at : at + step, None] + np.arange(size)], axis=1).astype(np.int64, copy=False)
            pair_codes = members[:, i] * n
            pair_codes += members[:, j]
            yield np.sort(pair_codes.ravel()) if limit is not None else pair_codes.ravel()


def _bucket_code_chunks(members: np.ndarray, n: int, limit: int) -> Iterable[np.ndarray]:
    """The codes of the pairs of one bucket (`members` ascending), in sorted arrays of about
    `limit` pairs: the pairs of consecutive members with every later one."""
    size, first = len(members), 0
    while first < size - 1:
        # Member k pairs with the size - 1 - k after it: at most `limit` pairs, at least one member.
        last = min(size - 1, first + max(1, limit // (size - 1 - first)))
        counts = size - 1 - np.arange(first, last)
        ends = np.cumsum(counts)
        # Pair p of member k's run is with member k + 1 + (p - where the run starts).
        later = np.arange(ends[-1]) + np.repeat(np.arange(first + 1, last + 1) - (ends - counts), counts)
        yield np.repeat(members[first:last], counts) * n + members[later]
        first = last


def _band(sigs: np.ndarray | Signatures, start: int, end: int, rows: np.ndarray | None) -> np.ndarray:
    """Columns `start:end` of the signatures (of `rows`), contiguous."""
    if isinstance(sigs, Signatures):
        return sigs.columns(start, end, rows)
    return np.ascontiguousarray(sigs[:, start:end] if rows is None else sigs[rows, start:end])


def _merge_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The sorted union of two sorted unique arrays. A stable sort of their concatenation
    is timsort finding two runs: a linear merge (np.union1d sorts from scratch, and the
    near-duplicate pairs are found again in band after band)."""
    if not len(a):
        return b  # the first band or pass: no copy
    merged = np.concatenate([a, b])
    merged.sort(kind="stable")
    return merged[np.r_[True, merged[1:] != merged[:-1]]] if len(merged) else merged


def near_pairs(
    states: StateTable | Iterable[tuple[str, DupState]], params: dict, exact_of: dict[str, int] | None = None
) -> NearPairs:
    """Verified near-duplicate pairs.

    Candidates: MinHash LSH banding as datasketch's MinHashLSH does it over the word
    signatures (Jaccard), and a second pass over the 3-gram signatures at a lower threshold
    (containment), each pair verified when a band first puts it in a bucket
    (`first_meetings`): memory holds a band's pairs, not a pass's. Verification (`is_near`)
    is vectorised over chunks of candidate pairs. Documents of one exact-duplicate group
    are indexed once (duplicate-exact reports them).
    """
    table = states if isinstance(states, StateTable) else StateTable(states)
    chosen = _indexed_rows(table, params, exact_of or {})  # rows of `table`
    ids = [table.ids[row] for row in chosen]
    empty = NearPairs(ids, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros((0, 5), np.float32))
    if len(chosen) < 2:
        return empty
    rows = np.array(chosen, np.int64)
    num_perm = table.sigs.width // 2
    sizes = table.gram_sizes[rows]
    passes = lsh_passes(params, num_perm)
    found: list[tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]] = [([], [], []) for _ in passes]
    for number, codes in first_meetings(table.sigs, passes, rows):
        # Verified in chunks of pairs: bounded temporary arrays.
        for lo in range(0, len(codes), VERIFY_CHUNK):
            _verify(table, rows, sizes, codes[lo : lo + VERIFY_CHUNK], params, found[number])
    # Each pass's pairs in (i, j) order, the first pass's first.
    parts = [[np.concatenate(p) for p in of_pass] for of_pass in found if of_pass[0]]
    if not parts:
        return empty
    ordered = []
    for a, b, scores in parts:
        order = np.argsort(a.astype(np.int64) * len(rows) + b, kind="stable")
        ordered.append((a[order], b[order], scores[order]))
    return NearPairs(ids, *(np.concatenate(column) for column in zip(*ordered)))


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
    """Append to `found` (firsts, seconds, scores: one array each per call) the candidate
    pairs `codes` (``i * n + j`` over `rows`, whose 3-gram counts are `sizes`) that pass the
    text, number and name checks."""
    num_perm = table.sigs.width // 2
    first, second = np.divmod(codes, len(rows))
    sig_a, sig_b = table.sigs.take(rows[first]), table.sigs.take(rows[second])
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
    k = passing[kept]
    found[0].append(first[k].astype(np.int32))
    found[1].append(second[k].astype(np.int32))
    found[2].append(np.stack([words[k], grams[k], contained[k], numbers[kept], names[kept]], axis=1).astype(np.float32))
