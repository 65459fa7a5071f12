"""Per-document results parked in a temporary file while the document stage runs.

The main process receives every document's findings and corpus-analyzer states. Held in
memory together they were most of a large run's peak (2.1 GB at 100,000 documents): the
findings are not read until the corpus stage is over, and each analyzer reads only its
own states. Large runs therefore append both to spools (pickled in batches to an
unnamed temporary file) and read them back when they are needed: the corpus stage gives
each analyzer its own spool (which it may read twice, as boilerplate does, never holding
every state at once), and the findings return once every state is gone and the
expectations stage is over.
Small runs keep everything in lists; the results are the same either way.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import heapq
import os
import pickle
import sys
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

SPOOL_FROM = 2_000  # documents; below this a run's findings and states stay in memory
BATCH = 1_024  # items per pickle: few, large writes
# Findings; a run with more keeps them on disk to the end (gate, report order, writers),
# so its memory no longer grows with them. In a list they cost about 0.9 KB each: at
# 300,000 documents (932,776 findings) the writers stage held 1,350 MB in the main process
# with them in a list and 813 MB with them on disk, in 37 s either way (json and markdown
# reports), and the report order took 3 s longer; the writers of 43,900 findings took
# 3.4 CPU s from disk against 3.2 from a list (bench/README.md). Smaller runs keep a list.
FINDINGS_ON_DISK_FROM = 500_000
SORT_RUN = 20_000  # findings sorted in memory at a time by `sorted_spool`
BLOBS_BUFFER = 1 << 20  # bytes `Blobs` gathers before a write


class Spool:
    """Items appended in order, pickled in batches to a temporary file, read back in order."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="seedcheck-spool-")  # noqa: SIM115 (open for the spool's life; close() ends it)
        self._pending: list[Any] = []
        self._length = 0

    def append(self, item: Any) -> None:
        self._pending.append(item)
        self._length += 1
        if len(self._pending) >= BATCH:
            self._flush()

    def extend(self, items: Iterable[Any]) -> None:
        for item in items:
            self.append(item)

    def __len__(self) -> int:
        return self._length

    def _flush(self) -> None:
        if self._pending:
            self._file.seek(0, os.SEEK_END)  # the end: a reader may have left the position anywhere
            pickle.dump(self._pending, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._pending = []

    def __iter__(self) -> Iterator[Any]:
        """Every item, in order (from the start of the file each time: a spool can be read
        more than once until it is closed, by several readers at a time, each at its own
        place; reading a closed spool is an error, never an empty result)."""
        if self._file.closed:
            raise RuntimeError("this spool was closed: its items are gone")
        self._flush()
        position = 0
        while True:
            if self._file.closed:
                raise RuntimeError("this spool was closed while it was read")
            self._file.seek(position)
            try:
                batch = pickle.load(self._file)
            except EOFError:
                return
            position = self._file.tell()
            yield from batch

    def drain(self) -> list[Any]:
        """Every item as a list; the spool is closed."""
        items = list(self)
        self.close()
        return items

    def close(self) -> None:
        """Drop the file (and whatever it still holds)."""
        self._file.close()
        self._pending, self._length = [], 0


class CodedSpool(Spool):
    """A spool that stores `encode(item)` and gives back `decode(stored)`: for items whose
    plain form unpickles much faster than the objects themselves."""

    def __init__(self, encode: Callable[[Any], Any], decode: Callable[[Any], Any]) -> None:
        super().__init__()
        self._encode, self._decode = encode, decode

    def append(self, item: Any) -> None:
        super().append(self._encode(item))

    def __iter__(self) -> Iterator[Any]:
        return map(self._decode, super().__iter__())


def sorted_spool(
    items: Iterable[Any], key: Callable[[Any], Any], run: int | None = None, into: Callable[[], Spool] = Spool
) -> Spool:
    """`items` in the order of `sorted(items, key=key)` (stable), in a new spool made by
    `into`, holding at most `run` items (default SORT_RUN) in memory: sorted runs are
    spooled, then merged (`heapq.merge` takes equal keys from the earlier run first, so the
    merge is as stable as one sort)."""
    run = run or SORT_RUN
    runs: list[Spool] = []
    chunk: list[Any] = []

    def spill() -> None:
        chunk.sort(key=key)
        runs.append(into())
        runs[-1].extend(chunk)
        chunk.clear()

    for item in items:
        chunk.append(item)
        if len(chunk) >= run:
            spill()
    out = into()
    if not runs:  # everything fitted in one run: no merge
        chunk.sort(key=key)
        out.extend(chunk)
        return out
    if chunk:
        spill()
    out.extend(heapq.merge(*runs, key=key))
    for spooled in runs:
        spooled.close()
    return out


class CorpusStates:
    """Each corpus analyzer's (doc_id, state) pairs in source order, in lists or spools."""

    def __init__(self, spooled: bool = False):
        self.spooled = spooled
        self._by_analyzer: dict[str, Spool | list] = {}

    def add(self, doc_id: str, states: dict[str, Any]) -> None:
        """One document's states (analyzer name -> state, None included)."""
        for name, state in states.items():
            own = self._by_analyzer.get(name)
            if own is None:
                own = self._by_analyzer[name] = Spool() if self.spooled else []
            own.append((doc_id, state))

    def take(self, name: str) -> list[tuple[str, Any]] | Spool:
        """The analyzer's pairs, handed over (no longer held here): a list, or the spool
        itself, which can be iterated more than once and which the caller closes."""
        own = self._by_analyzer.pop(name, None)
        return [] if own is None else own

    def clear(self) -> None:
        for own in self._by_analyzer.values():
            if isinstance(own, Spool):
                own.close()
        self._by_analyzer.clear()


class Blobs:
    """Byte strings appended in order and read back by position from an unnamed temporary
    file (a start and a size per item in memory): what a large run keeps to its end but
    reads only now and then. An item replaced (`blobs[i] = data`) is written anew at the
    end. A `view` reads chosen items of the same file and cannot be written.

    Writes are buffered here and written at their own offset (`os.pwrite`), never at the
    file's position: a process forked from this one shares that position, and a child that
    reads (so writes the buffer out) then writes the same bytes in the same place as this
    process will, instead of moving the position under it."""

    def __init__(self, prefix: str = "seedcheck-blobs-") -> None:
        self._file = tempfile.TemporaryFile(prefix=prefix)  # noqa: SIM115 (open for the blobs' life; close() ends it)
        self._starts, self._sizes = array("q"), array("q")
        self._end: int | None = 0  # None for a view
        self._pending = bytearray()  # the bytes from `_written` to `_end`, not in the file yet
        self._written = 0

    def append(self, data: bytes) -> None:
        self._starts.append(self._write(data))
        self._sizes.append(len(data))

    def __setitem__(self, index: int, data: bytes) -> None:
        self._starts[index] = self._write(data)
        self._sizes[index] = len(data)

    def _write(self, data: bytes) -> int:
        if self._end is None:
            raise TypeError("a view of blobs is read-only")
        start = self._end
        self._pending += data
        self._end += len(data)
        if len(self._pending) >= BLOBS_BUFFER:
            self._flush()
        return start

    def _flush(self) -> None:
        written = 0
        with memoryview(self._pending) as pending:
            while written < len(pending):
                written += os.pwrite(self._file.fileno(), pending[written:], self._written + written)
        self._written += written
        self._pending.clear()

    def __getitem__(self, index: int) -> bytes:
        start, size = self._starts[index], self._sizes[index]
        if start + size > self._written:
            self._flush()
        return os.pread(self._file.fileno(), size, start)

    def read_into(self, index: int, out: memoryview) -> None:
        """Item `index` into `out` (exactly its size): no new buffer, so reading a large item
        over and over does not map fresh pages each time (`first_meetings` reads each band's
        4 MB of bucket numbers once per chunk of pairs)."""
        start, size = self._starts[index], self._sizes[index]
        if size != out.nbytes:
            raise ValueError(f"item {index} holds {size} bytes, the buffer {out.nbytes}")
        if start + size > self._written:
            self._flush()
        done, target = 0, out.cast("B")
        while done < size:
            if hasattr(os, "preadv"):
                got = os.preadv(self._file.fileno(), [target[done:]], start + done)
            else:  # Windows
                data = os.pread(self._file.fileno(), size - done, start + done)
                got = len(data)
                target[done : done + got] = data
            if not got:
                raise EOFError(f"item {index} ends before its size")
            done += got

    def __len__(self) -> int:
        return len(self._starts)

    def size(self, index: int) -> int:
        """Item `index`'s number of bytes."""
        return self._sizes[index]

    def view(self, indexes: Iterable[int]) -> Blobs:
        """The items at `indexes`, in that order, read from this file."""
        self._flush()
        chosen = Blobs.__new__(Blobs)
        chosen._file, chosen._end, chosen._pending, chosen._written = self._file, None, bytearray(), self._written
        chosen._starts, chosen._sizes = array("q"), array("q")
        for index in indexes:
            chosen._starts.append(self._starts[index])
            chosen._sizes.append(self._sizes[index])
        return chosen

    def close(self) -> None:
        """Drop the file (views of it too)."""
        self._file.close()


def give_back_memory() -> None:
    """Return freed heap pages to the operating system after a large run's stage has let
    go of what it built: glibc's (`malloc_trim`; the corpus stage's states were hundreds of
    thousands of small allocations, and glibc keeps such freed pages unless asked) and
    pyarrow's pool, where pandas keeps its string columns (the schema stage's tables: at
    100,000 documents it held 139 MB after them, all of it free). A no-op elsewhere."""
    gc.collect()
    malloc_trim = _libc_function("malloc_trim")
    if malloc_trim is not None:
        malloc_trim(0)
    pyarrow = sys.modules.get("pyarrow")  # never imported for this alone
    if pyarrow is not None:
        pyarrow.default_memory_pool().release_unused()


# glibc's mallopt parameters, and the thresholds while a large run's outcomes arrive and
# while its corpus stage works.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_MAPPED_FROM = 64 * 1024
_GLIBC_DEFAULT_THRESHOLD = 128 * 1024
_REUSED_UP_TO = 32 * 1024 * 1024  # glibc's largest mmap threshold on 64-bit systems


@contextmanager
def large_allocations_mapped() -> Iterator[None]:
    """While a large run's document stage receives outcomes (in the main process, entered
    once its workers were forked): glibc maps every allocation of 64 KB or more on its
    own, so it goes back to the system when freed. By default glibc raises that threshold
    after the first large block is freed and then carves such blocks (the workers'
    messages) out of the heap, where the small strings and traces kept to the end of the
    run pin the holes they leave (c30000 with the records in a file: the main process grew
    0.71 KB per document instead of 1.26; bench/README.md). Afterwards the threshold is
    glibc's default again (no longer raised on its own). A no-op elsewhere."""
    mallopt = _libc_function("mallopt")
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, _MAPPED_FROM)
    try:
        yield
    finally:
        if mallopt is not None:
            mallopt(_M_MMAP_THRESHOLD, _GLIBC_DEFAULT_THRESHOLD)


@contextmanager
def large_allocations_reused() -> Iterator[None]:
    """While a large run's corpus stage works (main process): glibc serves blocks of up to
    32 MB from its heap and keeps up to twice that free at the heap's top, so the stage's
    temporary arrays (a few MB each, made and dropped thousands of times) reuse pages. With
    the 128 KB threshold `large_allocations_mapped` leaves, each was mapped afresh and
    every page of it faulted in: at 100,000 documents 2 million page faults, a third of the
    duplicates stage's time (bench/README.md). Afterwards glibc's default thresholds
    again; the caller then gives the memory back (`give_back_memory`). A no-op elsewhere."""
    mallopt = _libc_function("mallopt")
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, _REUSED_UP_TO)
        mallopt(_M_TRIM_THRESHOLD, 2 * _REUSED_UP_TO)
    try:
        yield
    finally:
        if mallopt is not None:
            mallopt(_M_MMAP_THRESHOLD, _GLIBC_DEFAULT_THRESHOLD)
            mallopt(_M_TRIM_THRESHOLD, _GLIBC_DEFAULT_THRESHOLD)


def _libc_function(name: str):
    """glibc's function `name`, or None (not glibc: musl, macOS, Windows)."""
    try:
        return getattr(ctypes.CDLL(ctypes.util.find_library("c")), name)
    except (OSError, AttributeError, TypeError):
        return None


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while the end of a run (gate, report order,
    writers) makes and drops objects by the million without cycles: each collection of
    the older generations walks every object the run holds (a large run's records), over
    and over. Restored as it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
