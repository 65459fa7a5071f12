"""Per-document duplicate signatures (computed in the worker processes) and pair scores.

- **Exact**: a 64-bit hash of the normalised body (case, whitespace, punctuation,
  diacritics and digits folded; lines the noise rules flagged dropped), so a re-scraped
  copy of the same text with other footer junk or other markup is still the same body.
- **Near**: two MinHash signatures per document (datasketch, 32-bit "affine32" scheme),
  one over the set of words and one over word 3-grams, shipped as one compact ``uint32``
  array. Words survive paraphrase and machine-translation round trips (``000_…`` vs
  ``001_…`` share 0.69 of their words but only 0.29 of word 5-grams); 3-grams keep two
  releases on the same topic apart (they share < 0.23 of words, < 0.03 of 3-grams).
  Containment (share of the smaller document's 3-grams found in the larger) catches a
  short copy inside a long page.
- Names and numbers: templated releases ("approves Ohio disaster declaration" vs "…
  Texas …") share almost every word and 3-gram; what differs is the proper nouns and
  figures, which a paraphrase or translation keeps. So a near pair must also share most
  of its *key tokens* (capitalised words and numbers).
- The folded title travels too: `siblings.py` compares titles and dates of a verified pair.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
import zlib
from typing import Any, NamedTuple

import numpy as np

from ..facts import facts_of
from .keep import KeepInfo, keep_info

SEED = 1
NUM_PERM = 128  # per signature; std of a Jaccard estimate is about sqrt(J(1-J)/128) <= 0.044

_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Runs of non-word characters (`[\W_]+`) become one space, in two cheap steps: ASCII bytes
# other than letters and digits become spaces by a table lookup each (UTF-8 sequences use
# bytes >= 0x80 only), then the few non-ASCII non-word characters (curly quotes, dashes)
# by a regex with few matches. One substitution matched every space between words:
# 0.32 -> 0.20 ms per document (wh21).
_ASCII_NON_WORD_TO_SPACE = bytes(c if chr(c).isalnum() or c >= 0x80 else 0x20 for c in range(256))
_WIDE_NON_WORD = re.compile(r"[^\x00-\x7f\w]+")
_DIGITS = re.compile(r"\d+")
# Specifics: numbers, and capitalised words that do not start a line or a sentence.
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# The capital comes first and the context is checked behind it, so `re` scans for a capital
# instead of trying look-behinds at every position (same matches as
# `(?<![.!?:]\s)(?<!^)\b[A-Z]…`).
_NAME = re.compile(r"[A-Z](?<!\w[A-Z])(?<![.!?:]\s[A-Z])(?<!^[A-Z])[\w'’-]*[a-z][\w'’-]*", re.MULTILINE)


def fold(text: str, numbers: bool = True) -> str:
    """Case, diacritics, punctuation, whitespace and (with `numbers`) digits folded: the
    text a reader would call "the same" (``"Andrés López, 2023!"`` -> ``"andres lopez 0"``)."""
    if not text.isascii():  # NFKD and the combining marks change nothing in ASCII
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    text = text.casefold()
    if numbers:
        text = _DIGITS.sub("0", text)
    if text.isascii():
        text = text.encode().translate(_ASCII_NON_WORD_TO_SPACE).decode()
    else:
        data = text.encode("utf-8", "surrogatepass").translate(_ASCII_NON_WORD_TO_SPACE)
        text = _WIDE_NON_WORD.sub(" ", data.decode("utf-8", "surrogatepass"))
    return " ".join(text.split())


def _h32(token: str) -> int:
    return zlib.crc32(token.encode("utf-8", "surrogatepass"))


def _word_hashes(words: list[str]) -> np.ndarray:
    """`_h32` of each word, hashing each distinct word once (a page repeats most words)."""
    distinct = set(words)
    try:  # the builtins mapped, no Python call per word; a lone surrogate needs surrogatepass
        table = dict(zip(distinct, map(zlib.crc32, map(str.encode, distinct))))
    except UnicodeEncodeError:
        table = {w: _h32(w) for w in distinct}
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
        h = (
            h * np.uint64(0x100000001B3) + word_hashes[i : len(word_hashes) - n + 1 + i].astype(np.uint64)
        ) & np.uint64(0xFFFFFFFFFFFF)
    return ((h ^ (h >> np.uint64(29))) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def _mix(word_hashes: np.ndarray) -> int:
    return zlib.crc32(word_hashes.tobytes())


_PERMS: dict[int, tuple[np.ndarray, np.ndarray]] = {}
_EMPTY: dict[int, np.ndarray] = {}
# MurmurHash3's 32-bit finalizer, which datasketch's affine32 scheme applies to each item
# hash before the permutations (tests/test_duplicates.py checks equality with datasketch).
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


def minhash(hashes: np.ndarray, num_perm: int = NUM_PERM) -> np.ndarray:
    """The datasketch MinHash signature of a set of 32-bit item hashes (see `minhash_sized`)."""
    return minhash_sized(hashes, num_perm)[0]


def minhash_sized(hashes: np.ndarray, num_perm: int = NUM_PERM) -> tuple[np.ndarray, int]:
    """The datasketch MinHash signature (affine32 scheme, seed 1) of a set of 32-bit item
    hashes, as a ``uint32`` array. Equal to ``MinHash(num_perm, seed=1,
    hashfunc=int).update_batch(hashes).hashvalues``, computed in numpy from datasketch's
    own permutations (update_batch calls `hashfunc` once per item in Python); also the
    number of distinct items, which the set's deduplication gives for free."""
    if num_perm not in _PERMS:
        # datasketch's own affine32 parameters (MinHash._init_permutations), drawn here
        # because importing datasketch (it imports scipy) costs more than a small run.
        gen = np.random.RandomState(SEED)
        a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        _PERMS[num_perm] = (a, gen.randint(0, 1 << 32, num_perm, dtype=np.uint32))
        _EMPTY[num_perm] = np.full(num_perm, 0xFFFFFFFF, dtype=np.uint32)
    if not len(hashes):
        return _EMPTY[num_perm].copy(), 0
    a, b = _PERMS[num_perm]
    s1, m1, s2, m2, s3 = _FMIX32
    hv = np.unique(hashes).astype(np.uint32).reshape(-1, 1)
    distinct = len(hv)
    hv = hv ^ (hv >> s1)
    hv = hv * m1
    hv = hv ^ (hv >> s2)
    hv = hv * m2
    hv = hv ^ (hv >> s3)
    best = _EMPTY[num_perm].copy()
    for start in range(0, distinct, _ROWS):  # blocks of items: the products stay in cache
        np.minimum(best, (hv[start : start + _ROWS] * a + b).min(axis=0), out=best)
    return best, distinct


_ROWS = 256


class DupState(NamedTuple):
    """Per-document state shipped from the workers: about 1.5 KB with 128 permutations."""

    exact: int | None  # 64-bit hash of the folded body (digits kept), None when empty
    exact_num: int | None  # the same with every number folded to 0
    words: int  # words in the clean body
    sizes: tuple  # distinct words, distinct word 3-grams
    sigs: np.ndarray  # uint32[2 * num_perm]: MinHash of words | of word 3-grams
    numbers: np.ndarray  # sorted unique uint32 hashes of the numbers in the text
    names: np.ndarray  # sorted unique uint32 hashes of the capitalised words
    line: int  # first body line (where findings point)
    keep: KeepInfo
    excerpt: str  # that line, shortened
    title: str = ""  # the record's title, folded (digits kept), at most TITLE_CHARS


TITLE_CHARS = 200
MAX_SPECIFICS = 512  # names/numbers kept per document: bounded state even for huge pages


def _specifics(pattern: re.Pattern, text: str, hasher) -> np.ndarray:
    found = np.unique(np.fromiter(map(hasher, pattern.findall(text)), dtype=np.uint32))
    return found[:MAX_SPECIFICS]


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


def features(doc, context: Any, num_perm: int = NUM_PERM) -> DupState:
    """The duplicate-detection state of one document (computed in a worker process)."""
    record = doc.record
    facts = facts_of(doc, context)
    noise = facts.noise_lines
    kept_lines, first = [], None
    for number, text in facts.body_lines:
        if number in noise or not text.strip():
            continue
        first = first or number
        kept_lines.append(text)
    raw = "\n".join(kept_lines)
    folded = fold(raw, numbers=False)
    words = folded.split()
    info = keep_info(record, len(folded), doc.doc_id)
    title = fold(str(record.get("title") or ""), numbers=False)[:TITLE_CHARS]
    empty = np.zeros(0, dtype=np.uint32)
    if not words:
        return DupState(None, None, 0, (0, 0), empty, empty, empty, first or 1, info, "", title)
    word_hashes = _word_hashes(words)
    grams = _ngram_hashes(word_hashes, 3)
    (word_sig, distinct_words), (gram_sig, distinct_grams) = (
        minhash_sized(word_hashes, num_perm),
        minhash_sized(grams, num_perm),
    )
    sizes = (distinct_words, distinct_grams)
    sigs = np.concatenate([word_sig, gram_sig])
    return DupState(
        _digest(folded),
        _digest(_DIGITS.sub("0", folded)),
        len(words),
        sizes,
        sigs,
        _specifics(_NUMBER, raw, _h32),
        _specifics(_NAME, raw, _name_hash),
        first or 1,
        info,
        kept_lines[0].strip()[:160],
        title,
    )


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
    words: float  # Jaccard of the word sets (MinHash estimate)
    grams: float  # Jaccard of the word 3-gram sets (MinHash estimate)
    contained: float  # share of the smaller document's 3-grams in the larger (estimate)
    numbers: float  # share of the numbers of one found in the other (exact)
    names: float  # share of the capitalised words of one found in the other (exact)


def score(a: DupState, b: DupState, num_perm: int) -> PairScore:
    """Similarity of two documents: text (words, 3-grams, containment) and specifics."""
    sw, sg = slice(0, num_perm), slice(num_perm, 2 * num_perm)
    jw, jg = jaccard(a.sigs[sw], b.sigs[sw]), jaccard(a.sigs[sg], b.sigs[sg])
    return PairScore(
        jw,
        jg,
        containment(jg, a.sizes[1], b.sizes[1]),
        set_containment(a.numbers, b.numbers),
        set_containment(a.names, b.names),
    )


def is_near(sc: PairScore, params: dict) -> bool:
    """The verification of a candidate pair (thresholds are the rule's parameters)."""
    if sc.numbers < params["numbers"] or sc.names < params["names"]:
        return False  # same template, other facts: another release, not a copy
    return (sc.words >= params["word_jaccard"] and sc.grams >= params["gram_jaccard"]) or sc.contained >= params[
        "containment"
    ]
