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
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

SPOOL_FROM = 2_000  # documents; below this a run's findings and states stay in memory
BATCH = 1_024  # items per pickle: few, large writes
# Findings; a run with more keeps them on disk to the end (gate, report order, writers),
# so its memory no longer grows with them. Each pass over a spool unpickles every finding
# again (duplicate findings carry their cluster), and the writers make several passes: at
# 554,552 findings (100,000 generated documents) the writers took 180 s instead of 92, to
# save 410 MB after the expectations stage, which was still the run's peak. Below this, a
# list is faster and costs no more than that stage (see bench/README.md).
FINDINGS_ON_DISK_FROM = 1_000_000
SORT_RUN = 20_000  # findings sorted in memory at a time by `sorted_spool`


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


def give_back_memory() -> None:
    """Return freed heap pages to the operating system (glibc's `malloc_trim`), after a
    large run's corpus stage has let go of its states: they were hundreds of thousands of
    small allocations, and glibc keeps such freed pages unless asked. A no-op elsewhere."""
    gc.collect()
    name = ctypes.util.find_library("c")
    try:
        ctypes.CDLL(name).malloc_trim(0)
    except (OSError, AttributeError, TypeError):
        pass  # not glibc (musl, macOS, Windows): nothing to do


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
