"""Duplicate documents across the corpus: `duplicate-exact` and `duplicate-near`.

- **Exact**: a 64-bit hash of the normalised body (case, whitespace, punctuation,
  diacritics and digits folded; lines the noise rules flagged dropped), so a re-scraped
  copy of the same text with other footer junk or other markup is still the same body.
- **Near**: two MinHash signatures per document (datasketch, 32-bit "affine32" scheme),
  one over the set of words and one over word 3-grams, computed in the worker processes
  and shipped as one compact ``uint32`` array. In `finish`, datasketch's MinHashLSH on
  the word signature proposes candidates; each candidate pair is then verified on both
  signatures. Words survive paraphrase and machine-translation round trips (``000_…`` vs
  ``001_…`` share 0.69 of their words but only 0.29 of word 5-grams); 3-grams keep two
  releases on the same topic apart (they share < 0.23 of words, < 0.03 of 3-grams).
  Containment (share of the smaller document's 3-grams found in the larger) catches a
  short copy inside a long page.
- Names and numbers: templated releases ("approves Ohio disaster declaration" vs "…
  Texas …") share almost every word and 3-gram; what differs is the proper nouns and
  figures, which a paraphrase or translation keeps. So a near pair must also share most
  of its *key tokens* (capitalised words and numbers, MinHash over them too).

Which copy to keep is decided by `keep_order`: official domain, then the copy whose
source URL is its canonical URL, then the earliest date, then the longest clean body,
then the smallest doc_id (so the decision is deterministic). The dropped copies get
`duplicate_of` in their record.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, ClassVar, NamedTuple

import numpy as np

from ..model import Fix, Hit
from . import Analyzer, analyzer
from .urls import normalise_url

SEED = 1
NUM_PERM = 128  # per signature; std of a Jaccard estimate is about sqrt(J(1-J)/128) <= 0.044

_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_NON_WORD = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d+")
# Specifics: numbers, and capitalised words that do not start a line or a sentence.
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][\w'’-]*[a-z][\w'’-]*", re.MULTILINE)

DEFAULT_OFFICIAL = [".gov", ".mil", ".gob.mx", ".gc.ca", ".gov.uk", ".gouv.fr", ".bund.de", "europa.eu", "un.org"]


def fold(text: str, numbers: bool = True) -> str:
    """Case, diacritics, punctuation, whitespace and (with `numbers`) digits folded: the
    text a reader would call "the same" (``"Andrés López, 2023!"`` -> ``"andres lopez 0"``)."""
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()
    if numbers:
        text = _DIGITS.sub("0", text)
    return " ".join(_NON_WORD.sub(" ", text).split())


def _h32(token: str) -> int:
    return zlib.crc32(token.encode("utf-8", "surrogatepass"))


def _word_hashes(words: list[str]) -> np.ndarray:
    """`_h32` of each word, hashing each distinct word once (a page repeats most words)."""
    table = {w: _h32(w) for w in set(words)}
    return np.fromiter(map(table.__getitem__, words), dtype=np.uint32, count=len(words))


@functools.lru_cache(maxsize=1 << 16)
def _name_hash(token: str) -> int:
    # Capitalised words repeat across a corpus ("President", "Biden"): fold each once per process.
    return _h32(fold(token))


def _ngram_hashes(word_hashes: np.ndarray, n: int) -> np.ndarray:
    """Hashes of the word n-grams, combined in numpy from the word hashes (no strings)."""
    if len(word_hashes) < n:
        return word_hashes[:0] if len(word_hashes) == 0 else np.array([_mix(word_hashes)], dtype=np.uint32)
    h = np.zeros(len(word_hashes) - n + 1, dtype=np.uint64)
    for i in range(n):
        h = (h * np.uint64(0x100000001B3) + word_hashes[i:len(word_hashes) - n + 1 + i].astype(np.uint64)) & np.uint64(0xFFFFFFFFFFFF)
    return ((h ^ (h >> np.uint64(29))) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def _mix(word_hashes: np.ndarray) -> int:
    return zlib.crc32(word_hashes.tobytes())


_PERMS: dict[int, tuple[np.ndarray, np.ndarray]] = {}
_EMPTY: dict[int, np.ndarray] = {}
# MurmurHash3's 32-bit finalizer, which datasketch's affine32 scheme applies to each item
# hash before the permutations (tests/test_duplicates.py checks equality with datasketch).
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


def minhash(hashes: np.ndarray, num_perm: int = NUM_PERM) -> np.ndarray:
    """The datasketch MinHash signature (affine32 scheme, seed 1) of a set of 32-bit item
    hashes, as a ``uint32`` array. Equal to ``MinHash(num_perm, seed=1,
    hashfunc=int).update_batch(hashes).hashvalues``, computed in numpy from datasketch's
    own permutations (update_batch calls `hashfunc` once per item in Python)."""
    if num_perm not in _PERMS:
        # datasketch's own affine32 parameters (MinHash._init_permutations), drawn here
        # because importing datasketch (it imports scipy) costs more than a small run.
        gen = np.random.RandomState(SEED)
        a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        _PERMS[num_perm] = (a, gen.randint(0, 1 << 32, num_perm, dtype=np.uint32))
        _EMPTY[num_perm] = np.full(num_perm, 0xFFFFFFFF, dtype=np.uint32)
    if not len(hashes):
        return _EMPTY[num_perm].copy()
    a, b = _PERMS[num_perm]
    s1, m1, s2, m2, s3 = _FMIX32
    hv = np.unique(hashes).astype(np.uint32).reshape(-1, 1)
    hv = hv ^ (hv >> s1)
    hv = hv * m1
    hv = hv ^ (hv >> s2)
    hv = hv * m2
    hv = hv ^ (hv >> s3)
    return np.minimum(_EMPTY[num_perm], (hv * a + b).min(axis=0))


class KeepInfo(NamedTuple):
    """What the keep policy looks at, per document (small)."""

    domain: str
    canonical: bool
    date: str
    length: int


def keep_info(record: dict, length: int) -> KeepInfo:
    """The keep-policy facts of one record."""
    url, canonical = record.get("source_url"), record.get("canonical_url")
    # A copy whose own URL is the original (no attribution pointing elsewhere) is canonical.
    is_canonical = bool(url) and (not canonical or normalise_url(str(url)) == normalise_url(str(canonical)))
    date = record.get("date") or ""
    return KeepInfo(str(record.get("source_domain") or "").lower(), is_canonical, str(date), length)


def is_official(domain: str, official: Iterable[str]) -> bool:
    """True when `domain` is one of `official` or under it (`.gov` matches `whitehouse.gov`)."""
    for d in official:
        d = str(d).lower()
        if domain and (domain == d.lstrip(".") or domain.endswith(d if d.startswith(".") else "." + d)):
            return True
    return False


def keep_key(doc_id: str, info: KeepInfo, official: Iterable[str]) -> tuple:
    """Sort key: the first document of a group is the one to keep."""
    # Last, the shorter id: "x.md" before its re-scrape "x-2.md".
    return (not is_official(info.domain, official), not info.canonical, info.date or "9999", -info.length, len(doc_id), doc_id)


def keep_reason(kept: KeepInfo, other: KeepInfo, official: Iterable[str]) -> str:
    """Why `kept` wins over `other`, in words."""
    if is_official(kept.domain, official) != is_official(other.domain, official):
        return "official domain"
    if kept.canonical != other.canonical:
        return "canonical URL"
    if kept.date != other.date and kept.date:
        return "earlier date"
    if kept.length != other.length:
        return "longer clean body"
    return "tie: shorter, then first document id"


class DupState(NamedTuple):
    """Per-document state shipped from the workers: about 1.5 KB with 128 permutations."""

    exact: int | None       # 64-bit hash of the folded body (digits kept), None when empty
    exact_num: int | None   # the same with every number folded to 0
    words: int              # words in the clean body
    sizes: tuple            # distinct words, distinct word 3-grams
    sigs: np.ndarray        # uint32[2 * num_perm]: MinHash of words | of word 3-grams
    numbers: np.ndarray     # sorted unique uint32 hashes of the numbers in the text
    names: np.ndarray       # sorted unique uint32 hashes of the capitalised words
    line: int               # first body line (where findings point)
    keep: KeepInfo
    excerpt: str            # that line, shortened


MAX_SPECIFICS = 512  # names/numbers kept per document: bounded state even for huge pages


def _specifics(pattern: re.Pattern, text: str, hasher) -> np.ndarray:
    found = np.unique(np.fromiter(map(hasher, pattern.findall(text)), dtype=np.uint32))
    return found[:MAX_SPECIFICS]


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


def features(doc, context: Any, num_perm: int = NUM_PERM) -> DupState:
    """The duplicate-detection state of one document (computed in a worker process)."""
    record = doc.record
    noise = set(record.get("_noise_lines") or ())
    kept_lines, first = [], None
    for number, text in doc.body_lines():
        if number in noise or not text.strip():
            continue
        first = first or number
        kept_lines.append(text)
    raw = "\n".join(kept_lines)
    folded = fold(raw, numbers=False)
    words = folded.split()
    info = keep_info(record, len(folded))
    empty = np.zeros(0, dtype=np.uint32)
    if not words:
        return DupState(None, None, 0, (0, 0), empty, empty, empty, first or 1, info, "")
    word_hashes = _word_hashes(words)
    grams = _ngram_hashes(word_hashes, 3)
    sizes = (len(np.unique(word_hashes)), len(np.unique(grams)))
    sigs = np.concatenate([minhash(word_hashes, num_perm), minhash(grams, num_perm)])
    return DupState(_digest(folded), _digest(_DIGITS.sub("0", folded)), len(words), sizes, sigs,
                    _specifics(_NUMBER, raw, _h32), _specifics(_NAME, raw, _name_hash), first or 1, info,
                    kept_lines[0].strip()[:160])


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """MinHash estimate of the Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a) if len(a) else 0.0


def containment(j: float, size_a: int, size_b: int) -> float:
    """Share of the smaller set found in the larger, from their Jaccard estimate and sizes:
    |A ∩ B| = J (|A| + |B|) / (1 + J)."""
    small = min(size_a, size_b)
    if small == 0:
        return 0.0
    return min(1.0, j * (size_a + size_b) / (1.0 + j) / small)


def set_containment(a: np.ndarray, b: np.ndarray) -> float:
    """Exact share of the smaller sorted set found in the larger; 1.0 when either is empty
    (nothing to contradict)."""
    if not len(a) or not len(b):
        return 1.0
    return len(np.intersect1d(a, b, assume_unique=True)) / min(len(a), len(b))


class PairScore(NamedTuple):
    words: float       # Jaccard of the word sets (MinHash estimate)
    grams: float       # Jaccard of the word 3-gram sets (MinHash estimate)
    contained: float   # share of the smaller document's 3-grams in the larger (estimate)
    numbers: float     # share of the numbers of one found in the other (exact)
    names: float       # share of the capitalised words of one found in the other (exact)


def score(a: DupState, b: DupState, num_perm: int) -> PairScore:
    """Similarity of two documents: text (words, 3-grams, containment) and specifics."""
    sw, sg = slice(0, num_perm), slice(num_perm, 2 * num_perm)
    jw, jg = jaccard(a.sigs[sw], b.sigs[sw]), jaccard(a.sigs[sg], b.sigs[sg])
    return PairScore(jw, jg, containment(jg, a.sizes[1], b.sizes[1]),
                     set_containment(a.numbers, b.numbers), set_containment(a.names, b.names))


def is_near(sc: PairScore, params: dict) -> bool:
    """The verification of a candidate pair (thresholds are the rule's parameters)."""
    if sc.numbers < params["numbers"] or sc.names < params["names"]:
        return False  # same template, other facts: another release, not a copy
    return (sc.words >= params["word_jaccard"] and sc.grams >= params["gram_jaccard"]) or sc.contained >= params["containment"]


@analyzer
class Duplicates(Analyzer):
    """`duplicate-exact` and `duplicate-near` over the whole corpus."""

    name = "duplicates"
    DEFAULTS: ClassVar[dict[str, dict[str, Any]]] = {
        "duplicate-exact": {
            "min_words": 1,
            "fold_numbers": False,
            "official_domains": DEFAULT_OFFICIAL,
        },
        "duplicate-near": {
            "min_words": 25,
            "lsh_threshold": 0.45,
            "word_jaccard": 0.5,
            "gram_jaccard": 0.2,
            "containment": 0.8,
            "containment_lsh_threshold": 0.3,
            "numbers": 0.95,
            "names": 0.85,
            "official_domains": DEFAULT_OFFICIAL,
        },
    }

    @classmethod
    def collect(cls, doc, context) -> Any:
        return features(doc, context)

    @classmethod
    def blocking_keys(cls, state, params: dict[str, dict]) -> list[str]:
        """Spark engine: the documents `finish` can pair with this one share a key with it:
        its exact-body hash, or one LSH band of a near pass (`band_keys`)."""
        if state is None:
            return []
        keys = []
        exact = params.get("duplicate-exact")
        if exact is not None:
            key = state.exact_num if exact["fold_numbers"] else state.exact
            if key is not None and state.words >= exact["min_words"]:
                keys.append(f"x{key}")
        near = params.get("duplicate-near")
        if near is not None and state.words >= near["min_words"] and len(state.sigs):
            for number, (part, threshold) in enumerate(lsh_passes(near, len(state.sigs) // 2)):
                keys.extend(f"{number}.{key}" for key in band_keys(state.sigs[part], threshold))
        return keys

    @classmethod
    def finish(cls, states, rules, context) -> Iterable[tuple]:
        table = StateTable(states)
        exact_of: dict[str, int] = {}
        if "duplicate-exact" in rules:
            params = rules["duplicate-exact"].params
            by_hash: dict[int, list[str]] = defaultdict(list)
            hashes = table.exact_num if params["fold_numbers"] else table.exact
            for row, key in enumerate(hashes):
                if key is not None and table.words[row] >= params["min_words"]:
                    by_hash[key].append(table.ids[row])
            for key, ids in sorted(by_hash.items(), key=lambda kv: min(kv[1])):
                if len(ids) > 1:
                    exact_of.update((d, key) for d in ids)
                    yield from _group_hits("duplicate-exact", sorted(ids), table, params["official_domains"],
                                           {"similarity": 1.0, "measure": "identical normalised body"})
        if "duplicate-near" in rules:
            yield from _near(table, rules["duplicate-near"].params, exact_of)


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
                    sigs = np.concatenate([sigs, np.zeros((max(len(sigs), row + 1 - len(sigs)), sigs.shape[1]), np.uint32)])
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
        return values[offsets[row]:offsets[row + 1]]

    def names(self, row: int) -> np.ndarray:
        values, offsets = self._names
        return values[offsets[row]:offsets[row + 1]]

    def keep_of(self, doc_id: str) -> KeepInfo:
        return self.keep[self.row[doc_id]]


class NearPairs(NamedTuple):
    """Verified near pairs in compact arrays (one row per pair, `a < b` as indexes into `ids`)."""

    ids: list[str]
    a: np.ndarray        # int32
    b: np.ndarray        # int32
    scores: np.ndarray   # float32 [n, 5]: the PairScore fields

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
    key: [(i * r, (i + 1) * r) for i in range(b)] for key, (b, r) in _KNOWN_BANDS.items()}


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
            found = _merge_sorted(found, np.unique(band_pairs[:, 0] * n + band_pairs[:, 1]))
    return found


def _merge_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The sorted union of two sorted unique arrays. A stable sort of their concatenation
    is timsort finding two runs: a linear merge (np.union1d sorts from scratch, and the
    near-duplicate pairs are found again in band after band)."""
    merged = np.concatenate([a, b])
    merged.sort(kind="stable")
    return merged[np.r_[True, merged[1:] != merged[:-1]]] if len(merged) else merged


def near_pairs(states: StateTable | Iterable[tuple[str, DupState]], params: dict,
               exact_of: dict[str, int] | None = None) -> NearPairs:
    """Verified near-duplicate pairs.

    Candidates: MinHash LSH banding as datasketch's MinHashLSH does it (`candidate_codes`)
    over the word signatures (Jaccard), and a second pass over the 3-gram signatures at a
    lower threshold (containment). Memory stays with the signature matrix
    (N x 2 x num_perm uint32) and the candidate pairs. Verification (`is_near`) is
    vectorised over chunks of candidate pairs. Documents of one exact-duplicate group
    are indexed once (duplicate-exact reports them).
    """
    table = states if isinstance(states, StateTable) else StateTable(states)
    exact_of = exact_of or {}
    seen: set[int] = set()
    chosen: list[int] = []  # rows of `table`
    eligible = (table.words >= params["min_words"]) & table.has_sigs
    for row in np.flatnonzero(eligible).tolist():
        group = exact_of.get(table.ids[row])
        if group is not None:
            if group in seen:
                continue
            seen.add(group)
        chosen.append(row)
    ids = [table.ids[row] for row in chosen]
    empty = NearPairs(ids, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros((0, 5), np.float32))
    if len(chosen) < 2:
        return empty
    rows = np.array(chosen, np.int64)
    sigs = table.sigs
    num_perm = sigs.shape[1] // 2
    sizes = table.gram_sizes[rows]

    found_a, found_b, found_s = [], [], []
    checked = np.zeros(0, np.int64)
    n = len(rows)
    for part, threshold in lsh_passes(params, num_perm):
        codes = candidate_codes(sigs[:, part], threshold, rows)
        codes, checked = np.setdiff1d(codes, checked, assume_unique=True), np.union1d(checked, codes)
        # Verified in chunks of pairs, in (i, j) order: bounded temporary arrays.
        for lo in range(0, len(codes), VERIFY_CHUNK):
            first, second = np.divmod(codes[lo:lo + VERIFY_CHUNK], n)
            sig_a, sig_b = sigs[rows[first]], sigs[rows[second]]
            words = (sig_a[:, :num_perm] == sig_b[:, :num_perm]).mean(axis=1)
            grams = (sig_a[:, num_perm:] == sig_b[:, num_perm:]).mean(axis=1)
            del sig_a, sig_b
            small = np.minimum(sizes[first], sizes[second])
            contained = np.where(small > 0, np.minimum(1.0, grams * (sizes[first] + sizes[second]) / (1.0 + grams)
                                                       / np.maximum(small, 1)), 0.0)
            text_ok = ((words >= params["word_jaccard"]) & (grams >= params["gram_jaccard"])) | (contained >= params["containment"])
            for k in np.flatnonzero(text_ok).tolist():
                i, j = int(first[k]), int(second[k])
                numbers = set_containment(table.numbers(chosen[i]), table.numbers(chosen[j]))
                names = set_containment(table.names(chosen[i]), table.names(chosen[j]))
                if numbers >= params["numbers"] and names >= params["names"]:
                    found_a.append(i)
                    found_b.append(j)
                    found_s.append((words[k], grams[k], contained[k], numbers, names))
    if not found_a:
        return empty
    return NearPairs(ids, np.array(found_a, np.int32), np.array(found_b, np.int32), np.array(found_s, np.float32))


def _near(table: StateTable, params, exact_of) -> Iterable[tuple]:
    found = near_pairs(table, params, exact_of)
    official = params["official_domains"]
    ids = found.ids
    for doc, rows in sorted(found.partners().items(), key=lambda kv: ids[kv[0]]):
        doc_id = ids[doc]
        others = [int(found.b[r]) if found.a[r] == doc else int(found.a[r]) for r in rows]
        score_of = {ids[o]: PairScore(*map(float, found.scores[r])) for o, r in zip(others, rows)}
        # The keeper is chosen among the document and its own partners (a chain A~B~C
        # does not make A and C copies of each other).
        keeper = min([doc_id, *score_of], key=lambda d: keep_key(d, table.keep_of(d), official))
        nearest = keeper if keeper != doc_id else max(score_of, key=lambda d: (score_of[d].grams, d))
        sc = score_of[nearest]
        by_words = sc.words >= params["word_jaccard"] and sc.grams >= params["gram_jaccard"]
        values = {
            "similarity": round(sc.words if by_words else sc.contained, 2),
            "measure": "word-set Jaccard" if by_words else "word 3-gram containment",
            "word_jaccard": round(sc.words, 2), "gram_jaccard": round(sc.grams, 2),
            "containment": round(sc.contained, 2), "numbers": round(sc.numbers, 2), "names": round(sc.names, 2),
            "nearest": nearest,
        }
        yield from _hit("duplicate-near", doc_id, sorted(score_of), keeper, table, official, values)


def _group_hits(rule: str, ids: list[str], table: StateTable, official, values: dict) -> Iterable[tuple]:
    """The hits of one group of copies of each other: one per document."""
    keeper = min(ids, key=lambda d: keep_key(d, table.keep_of(d), official))
    for doc_id in ids:
        yield from _hit(rule, doc_id, [d for d in ids if d != doc_id], keeper, table, official, dict(values))


def _hit(rule: str, doc_id: str, others: list[str], keeper: str, table: StateTable, official, values: dict) -> Iterable[tuple]:
    """One finding for `doc_id`: the copies it has, and whether to keep or drop it. A dropped
    copy also carries the record patch `{"duplicate_of": keeper}`."""
    row = table.row[doc_id]
    line, excerpt, keep = table.line[row], table.excerpt[row], table.keep[row]
    values.update(others=", ".join(others), count=len(others), keeper=keeper)
    if doc_id == keeper:
        reason = keep_reason(keep, table.keep_of(others[0]), official)
        values["decision"] = f"keep this copy ({reason})"
        fix = Fix(f"keep this copy ({reason}); remove {', '.join(others)}", None, safe=False)
        yield rule, doc_id, Hit(line=line, values=values, fix=fix, related=others, excerpt=excerpt)
    else:
        reason = keep_reason(table.keep_of(keeper), keep, official)
        values["decision"] = f"drop this copy, keep {keeper} ({reason})"
        fix = Fix(f"remove this document: {keeper} is the copy to keep ({reason})", None, safe=False)
        yield rule, doc_id, Hit(line=line, values=values, fix=fix, related=others, excerpt=excerpt), {"duplicate_of": keeper}
