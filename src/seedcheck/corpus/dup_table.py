"""Every document's duplicate state in columns (`StateTable`), for the corpus stage.

A large corpus keeps its biggest columns in unnamed temporary files, not in memory: the
MinHash signatures (1 KB per document with 128 permutations), read a block of rows at a
time for each LSH band and by row for the pairs to verify; the excerpts and titles, read
by row for the documents a finding names; the number and name sets, read for each chunk
of candidate pairs. What stays in memory is a few scalar arrays, the keep facts (small
arrays too) and the ids. The values read back are the bytes written, so the findings are
the same either way (`tests/test_duplicates.py`).
"""

from __future__ import annotations

import os
import tempfile
from array import array
from collections.abc import Iterable

import numpy as np

from ..spool import Blobs
from .dup_signatures import DupState
from .keep import KeepInfo

# Documents from which those columns go to temporary files. Below, memory is cheaper than
# the reads: the corpus stage is not a small run's peak.
ON_DISK_FROM = 100_000
BLOCK_BYTES = 4 << 20  # signature rows read at once when a band is gathered


def _read_into(fd: int, target: np.ndarray, offset: int) -> None:
    """Fill the contiguous array `target` with the file's bytes from `offset`."""
    view = memoryview(target).cast("B")
    while len(view):
        got = os.preadv(fd, [view], offset)
        if not got:
            raise EOFError("the temporary file ended early")
        view, offset = view[got:], offset + got


class Signatures:
    """Rows of `uint32` MinHash values, appended in order: a matrix in memory, or the rows
    in a temporary file. A row appended as None (no signature) reads as zeros."""

    def __init__(self, on_disk: bool, capacity: int = 1024):
        self.width = 0
        self._rows = 0
        self._capacity = capacity
        self._matrix: np.ndarray | None = None
        self._file = tempfile.TemporaryFile(prefix="seedcheck-signatures-") if on_disk else None  # noqa: SIM115 (closed by close())

    @property
    def shape(self) -> tuple[int, int]:
        return self._rows, self.width

    def __len__(self) -> int:
        return self._rows

    @property
    def on_disk(self) -> bool:
        return self._file is not None

    def append(self, sig: np.ndarray | None) -> None:
        if sig is not None and len(sig) and not self.width:
            self.width = len(sig)
            self._start(self._rows)
        if not self.width:
            self._rows += 1
            return
        row = np.zeros(self.width, np.uint32) if sig is None or not len(sig) else sig.astype(np.uint32, copy=False)
        if self._file is not None:
            self._file.write(row.tobytes())
        else:
            assert self._matrix is not None
            if self._rows >= len(self._matrix):  # input of unknown length (the Spark engine's pruned states)
                grown = np.zeros((max(2 * len(self._matrix), self._rows + 1), self.width), np.uint32)
                grown[: len(self._matrix)] = self._matrix
                self._matrix = grown
            self._matrix[self._rows] = row
        self._rows += 1

    def _start(self, blank_rows: int) -> None:
        """The first signature came after `blank_rows` rows without one: they become zeros."""
        if self._file is not None:
            self._file.write(bytes(4 * self.width * blank_rows))
        else:
            self._matrix = np.zeros((max(self._capacity, blank_rows + 1), self.width), np.uint32)

    def done(self) -> None:
        """No more rows: trim the matrix, or make the file's rows readable."""
        if self._file is not None:
            self._file.flush()
        elif self._matrix is not None:
            self._matrix = self._matrix[: self._rows]

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The signatures of `rows` (any order, repeats allowed), as a [len(rows), width] matrix."""
        rows = np.asarray(rows, np.int64)
        if self._file is None:
            return self._matrix[rows] if self._matrix is not None else np.zeros((len(rows), 0), np.uint32)
        distinct, where = np.unique(rows, return_inverse=True)
        out = np.empty((len(distinct), self.width), np.uint32)
        size, fd = 4 * self.width, self._file.fileno()
        for at, row in enumerate(distinct.tolist()):
            _read_into(fd, out[at], size * row)
        return out if len(distinct) == len(rows) and (distinct == rows).all() else out[where.reshape(-1)]

    def columns(self, start: int, end: int, rows: np.ndarray | None = None) -> np.ndarray:
        """Columns `start:end` of every row (or of the ascending `rows`), contiguous."""
        if self._file is None:
            if self._matrix is None:
                return np.zeros((self._rows if rows is None else len(rows), 0), np.uint32)
            part = self._matrix[:, start:end] if rows is None else self._matrix[rows, start:end]
            return np.ascontiguousarray(part)
        wanted = np.arange(self._rows) if rows is None else np.asarray(rows, np.int64)
        out = np.empty((len(wanted), end - start), np.uint32)
        size, fd = 4 * self.width, self._file.fileno()
        block = max(1, BLOCK_BYTES // max(size, 1))
        buffer = np.empty((min(block, self._rows), self.width), np.uint32)  # one, reused
        for lo in range(0, self._rows, block):
            hi = min(lo + block, self._rows)
            first, last = np.searchsorted(wanted, [lo, hi])
            if first == last:
                continue
            _read_into(fd, buffer[: hi - lo], size * lo)
            out[first:last] = buffer[wanted[first:last] - lo, start:end]
        return out

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        self._matrix = None


class Texts:
    """Strings appended in order and read by position: a list, or UTF-8 in `spool.Blobs`."""

    def __init__(self, on_disk: bool):
        self._list: list[str] | None = None if on_disk else []
        self._blobs = Blobs("seedcheck-texts-") if on_disk else None

    def append(self, text: str) -> None:
        if self._blobs is not None:
            self._blobs.append(text.encode("utf-8", "surrogatepass"))
        else:
            assert self._list is not None
            self._list.append(text)

    def done(self) -> None:
        """Nothing left to do: `Blobs` flushes before it reads."""

    def __len__(self) -> int:
        return len(self._list) if self._list is not None else len(self._blobs or ())

    def __getitem__(self, index: int) -> str:
        if self._list is not None:
            return self._list[index]
        assert self._blobs is not None
        return self._blobs[index].decode("utf-8", "surrogatepass")

    def close(self) -> None:
        if self._blobs is not None:
            self._blobs.close()


class Sets:
    """Sets of `uint32` values (sorted, duplicate-free), one per row, appended in order: one
    buffer in memory, or the values in a temporary file; an offset per row either way."""

    def __init__(self, on_disk: bool):
        self._buffer = bytearray()
        self._file = tempfile.TemporaryFile(prefix="seedcheck-sets-") if on_disk else None  # noqa: SIM115 (closed by close())
        self._sizes = array("i")
        self._values = np.zeros(0, np.uint32)
        self.offsets = np.zeros(1, np.int64)

    def append(self, values: np.ndarray) -> None:
        data = values.astype(np.uint32, copy=False).tobytes()
        if self._file is not None:
            self._file.write(data)
        else:
            self._buffer += data
        self._sizes.append(len(values))

    def done(self) -> None:
        self.offsets = np.r_[0, np.cumsum(np.array(self._sizes, np.int64))].astype(np.int64)
        self._sizes = array("i")
        if self._file is not None:
            self._file.flush()
        else:
            self._values = np.frombuffer(self._buffer, np.uint32)

    def __getitem__(self, row: int) -> np.ndarray:
        values, starts, sizes = self.spans(np.array([row], np.int64))
        return values[starts[0] : starts[0] + sizes[0]]

    def spans(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(values, starts, sizes): the set of `rows[i]` is `values[starts[i]:starts[i] + sizes[i]]`.
        In memory, `values` is every set's; on disk, only those of `rows`, read here."""
        starts, sizes = self.offsets[rows], self.offsets[rows + 1] - self.offsets[rows]
        if self._file is None:
            return self._values, starts, sizes
        distinct, where = np.unique(rows, return_inverse=True)
        first, count = self.offsets[distinct], self.offsets[distinct + 1] - self.offsets[distinct]
        values = np.empty(int(count.sum()), np.uint32)
        local = np.r_[0, np.cumsum(count)[:-1]].astype(np.int64) if len(count) else count
        fd = self._file.fileno()
        for at, start, size in zip(local.tolist(), first.tolist(), count.tolist()):
            if size:
                _read_into(fd, values[at : at + size], 4 * start)
        return values, local[where.reshape(-1)], sizes

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        self._buffer, self._values = bytearray(), np.zeros(0, np.uint32)


class KeepColumns:
    """Every row's keep facts (`KeepInfo`) as small arrays, each domain and date string held
    once; a row's `KeepInfo` is made when it is read (a tuple per document was ~100 B)."""

    def __init__(self) -> None:
        self._code: dict[str, int] = {}
        self._text: list[str] = []
        self._domain, self._date = array("i"), array("i")
        self._length, self._flags = array("q"), array("b")

    def _coded(self, text: str) -> int:
        code = self._code.get(text)
        if code is None:
            code = self._code[text] = len(self._text)
            self._text.append(text)
        return code

    def append(self, info: KeepInfo) -> None:
        self._domain.append(self._coded(info.domain))
        self._date.append(self._coded(info.date))
        self._length.append(info.length)
        self._flags.append(bool(info.canonical) | bool(info.descriptive) << 1)

    def __len__(self) -> int:
        return len(self._length)

    def __getitem__(self, row: int) -> KeepInfo:
        flags = self._flags[row]
        text = self._text
        return KeepInfo(
            text[self._domain[row]], bool(flags & 1), text[self._date[row]], self._length[row], bool(flags & 2)
        )


class StateTable:
    """Every document's `DupState` in columns: one signature store and one array per field,
    not a tuple of small arrays per document. Rows are in source order; documents without
    a state (unreadable) have no row. From `ON_DISK_FROM` documents (or with `on_disk`)
    the signatures, excerpts, titles, numbers and names are kept in temporary files;
    `close` drops them."""

    def __init__(self, states: Iterable[tuple[str, DupState | None]], on_disk: bool | None = None):
        known = len(states) if hasattr(states, "__len__") else None
        if on_disk is None:
            on_disk = known is not None and known >= ON_DISK_FROM
        self.ids: list[str] = []
        self.keep = KeepColumns()
        self.sigs = Signatures(on_disk, capacity=max(known or 1024, 1))
        self.excerpt, self.title = Texts(on_disk), Texts(on_disk)
        exact, exact_num, present, present_num = array("Q"), array("Q"), array("b"), array("b")
        words, sizes, has_sigs = array("q"), array("d"), array("b")
        self.line = array("q")  # read one at a time (an array gives ints, not numpy scalars)
        self.number_sets, self.name_sets = Sets(on_disk), Sets(on_disk)
        for doc_id, s in states:
            if s is None:
                continue
            self.sigs.append(s.sigs)
            has_sigs.append(bool(len(s.sigs)))
            self.ids.append(doc_id)
            present.append(s.exact is not None)
            present_num.append(s.exact_num is not None)
            exact.append(s.exact or 0)
            exact_num.append(s.exact_num or 0)
            words.append(s.words)
            sizes.append(s.sizes[1] if len(s.sizes) > 1 else 0)
            self.number_sets.append(s.numbers)
            self.name_sets.append(s.names)
            self.line.append(s.line)
            self.keep.append(s.keep)
            self.excerpt.append(s.excerpt)
            self.title.append(s.title)
        for column in self._columns():
            column.done()
        self.row = {doc_id: i for i, doc_id in enumerate(self.ids)}
        # The exact-body hashes (None in a state: no body) as values and a mask.
        self.exact, self.has_exact = np.array(exact, np.uint64), np.array(present, bool)
        self.exact_num, self.has_exact_num = np.array(exact_num, np.uint64), np.array(present_num, bool)
        self.words = np.array(words, np.int64)
        self.gram_sizes = np.array(sizes, np.float64)  # distinct word 3-grams
        self.has_sigs = np.array(has_sigs, bool)  # an empty body ships no signature (zeros here)

    def __len__(self) -> int:
        return len(self.ids)

    def close(self) -> None:
        """Drop the temporary files (a table on disk); the table is not read after."""
        for column in self._columns():
            column.close()

    def _columns(self) -> tuple:
        return self.sigs, self.excerpt, self.title, self.number_sets, self.name_sets

    def numbers(self, row: int) -> np.ndarray:
        return self.number_sets[row]

    def names(self, row: int) -> np.ndarray:
        return self.name_sets[row]

    def keep_of(self, doc_id: str) -> KeepInfo:
        return self.keep[self.row[doc_id]]

    def containments(self, kind: str, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
        """`set_containment` of the `kind` ("numbers" or "names") sets of each pair of rows,
        all pairs at once: the two sets of pair p become keys (p, value), and a key of one side
        found in the other is a value both hold. One Python call per pair cost 40% of the
        duplicate stage at 100,000 documents. Each set is sorted and duplicate-free, so each
        side's keys are sorted already: a binary search of one side in the other replaces a
        sort of both (a quarter of the stage's time at 100,000 documents)."""
        sets = self.number_sets if kind == "numbers" else self.name_sets
        values, starts, sizes = sets.spans(np.concatenate([rows_a, rows_b]).astype(np.int64))
        pairs = len(rows_a)
        size_a, size_b = sizes[:pairs], sizes[pairs:]
        keys_a = _pair_keys(values, starts[:pairs], size_a)
        keys_b = _pair_keys(values, starts[pairs:], size_b)
        shared = np.zeros(pairs, np.int64)
        if len(keys_a) and len(keys_b):
            at = np.minimum(np.searchsorted(keys_a, keys_b), len(keys_a) - 1)
            both = keys_b[keys_a[at] == keys_b] >> np.uint64(32)
            shared = np.bincount(both.astype(np.int64), minlength=pairs)
        small = np.minimum(size_a, size_b)
        return np.where(small > 0, shared / np.maximum(small, 1), 1.0)


def _pair_keys(values: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """(pair number << 32) | value for every value of each pair's set (`values[start:start + size]`)."""
    total = int(sizes.sum())
    pair = np.repeat(np.arange(len(sizes), dtype=np.uint64), sizes)
    at = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes) + np.repeat(starts, sizes)
    return (pair << np.uint64(32)) | values[at].astype(np.uint64)
