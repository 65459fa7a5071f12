"""The run's records after the document stage (`RecordStore`) and findings.json's document
entries over them (`DocumentEntries`).

A large run keeps each record as one pickled tuple of its values, without its id and path
(the store's `ids` and `paths` hold those): about 640 bytes instead of 1,750 per record
(`bench/records_store.py`), where the records were the largest part of a finished run
that grows with the corpus. A compact record is decoded when it is read (a few µs), so a
record read from a compact store is a fresh dict: a change to it is made with `update`.
From `RECORDS_ON_DISK_FROM` documents the pickled tuples go to a temporary file (`spool.Blobs`)
and are read back by position: then a record costs the main process its id and path only.
"""

from __future__ import annotations

import pickle
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from .spool import Blobs

# Documents. Reading every field back for the schema and expectations tables costs about
# 7 CPU s per 100,000 compact records; below this the memory saved (under 55 MB) is not worth it.
COMPACT_FROM = 50_000
# Documents. A record read back from the file costs one `pread` more (about 1 µs); from
# here the 520 bytes per record saved (about 0.6 KB with malloc's share) matter.
RECORDS_ON_DISK_FROM = 200_000
_MISSING = object()
_KEPT_APART = ("doc_id", "path")


class RecordStore(Sequence):
    """Records in arrival order, with their ids and paths at hand (`ids`, `paths`: the
    interned strings the findings and traces share) so that the stages needing only those
    never decode a record."""

    def __init__(self, compact: bool = False, on_disk: bool = False) -> None:
        self.compact = compact or on_disk
        self.ids: list[str] = []
        self.paths: list[str] = []
        # Dicts, or pickled (layout number, *values) tuples in a list or in a file.
        self._items: list[Any] | Blobs = Blobs("seedcheck-records-") if on_disk else []
        self._layouts: list[tuple[str, ...]] = []  # the key orders seen, in first-seen order
        self._layout_of: dict[tuple[str, ...], int] = {}
        self._inserts: list[tuple[tuple[int, bool], ...]] = []  # per layout: where the id and path go

    @property
    def on_disk(self) -> bool:
        """Are the records in a file (`RECORDS_ON_DISK_FROM`)?"""
        return isinstance(self._items, Blobs)

    @classmethod
    def of(cls, records: Iterable[dict[str, Any]]) -> RecordStore:
        """`records` as a store: itself when it is one, else its dicts, kept as they are."""
        if isinstance(records, RecordStore):
            return records
        store = cls()
        for record in records:
            store.append(record)
        return store

    def append(self, record: dict[str, Any]) -> None:
        """Add `record` (its key order is kept)."""
        self.ids.append(record.get("doc_id"))
        self.paths.append(record.get("path"))
        self._items.append(self._encode(record) if self.compact else record)

    def _encode(self, record: dict[str, Any]) -> bytes:
        # The id and the path are left out: `ids` and `paths` hold them (the strings the
        # findings and traces share), and `_decode` puts them back in their places.
        keys = tuple(record)
        layout = self._layout_of.get(keys)
        if layout is None:
            layout = self._layout_of[keys] = len(self._layouts)
            self._layouts.append(keys)
            self._inserts.append(tuple((i, k == "path") for i, k in enumerate(keys) if k in _KEPT_APART))
        values = [v for k, v in record.items() if k not in _KEPT_APART]
        return pickle.dumps((layout, *values), protocol=pickle.HIGHEST_PROTOCOL)

    def _decode(self, index: int) -> dict[str, Any]:
        layout, *values = pickle.loads(self._items[index])
        for position, is_path in self._inserts[layout]:  # in key order: each lands in its place
            values.insert(position, self.paths[index] if is_path else self.ids[index])
        return dict(zip(self._layouts[layout], values))

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> dict[str, Any]:  # type: ignore[override]
        if not self.compact:
            return self._items[index]
        return self._decode(range(len(self._items))[index])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if not self.compact:
            return iter(self._items)
        return map(self._decode, range(len(self._items)))

    def update(self, index: int, patch: dict[str, Any]) -> None:
        """Set the fields of `patch` on the record at `index`."""
        if self.compact:
            record = self._decode(index)
            record.update(patch)
            self._items[index] = self._encode(record)
            self.ids[index], self.paths[index] = record.get("doc_id"), record.get("path")
        else:
            self._items[index].update(patch)
            self.ids[index], self.paths[index] = self._items[index].get("doc_id"), self._items[index].get("path")

    def apply(self, patches: dict[str, dict[str, Any]]) -> None:
        """`update` the record of each doc id in `patches` (the last record with that id,
        as a dict keyed by id would have found)."""
        pending = dict(patches)
        for index in range(len(self.ids) - 1, -1, -1):
            if not pending:
                return
            patch = pending.pop(self.ids[index], None)
            if patch:
                self.update(index, patch)

    def select(self, indexes: Sequence[int]) -> RecordStore:
        """The records at `indexes`, in that order (this store when that is all of them)."""
        if len(indexes) == len(self):
            return self
        chosen = RecordStore(self.compact)
        chosen._layouts, chosen._layout_of, chosen._inserts = self._layouts, self._layout_of, self._inserts
        for index in indexes:
            chosen.ids.append(self.ids[index])
            chosen.paths.append(self.paths[index])
        if isinstance(self._items, Blobs):
            chosen._items = self._items.view(indexes)
        else:
            chosen._items = [self._items[index] for index in indexes]
        return chosen

    def by_id_order(self) -> list[int]:
        """Positions sorted by doc id (the order of the records table GX validates)."""
        return sorted(range(len(self.ids)), key=lambda i: str(self.ids[i]))

    def column(self, name: str, order: Iterable[int] | None = None, missing: Any = None) -> list[Any]:
        """Field `name` of every record (in `order` when given); `missing` where a record
        lacks it. One field at a time bounds a compact store's decoded values to a column."""
        positions = range(len(self)) if order is None else order
        if not self.compact:
            return [self._items[i].get(name, missing) for i in positions]
        slots = [self._slot(keys, name) for keys in self._layouts]
        if name in _KEPT_APART and all(slot == 0 for slot in slots):  # every record has it
            return [(self.ids if name == "doc_id" else self.paths)[i] for i in positions]
        values = []
        for i in positions:
            stored = pickle.loads(self._items[i])
            slot = slots[stored[0]]
            values.append(missing if slot is None else self[i][name] if slot == 0 else stored[slot])
        return values

    @staticmethod
    def _slot(keys: tuple[str, ...], name: str) -> int | None:
        """Where field `name` is in a stored tuple of layout `keys`: None when the layout
        lacks it, 0 for a field kept apart (the id, the path)."""
        if name not in keys:
            return None
        if name in _KEPT_APART:
            return 0
        before = keys[: keys.index(name)]
        return 1 + len(before) - sum(k in _KEPT_APART for k in before)


class DocumentEntries(Sequence):
    """findings.json's document entries (doc_id, path, status, record) sorted by path and
    doc id, each made when it is read: a compact store's run holds no entry at once."""

    def __init__(self, store: RecordStore, statuses: dict[str, str]) -> None:
        self.store = store
        self._order = array("q", sorted(range(len(store)), key=lambda i: (store.paths[i], store.ids[i])))
        self._statuses = statuses

    def __len__(self) -> int:
        return len(self._order)

    def _entry(self, index: int) -> dict[str, Any]:
        doc_id = self.store.ids[index]
        return {
            "doc_id": doc_id,
            "path": self.store.paths[index],
            "status": self._statuses.get(doc_id, "ok"),
            "record": self.store[index],
        }

    def __getitem__(self, position: int) -> dict[str, Any]:  # type: ignore[override]
        return self._entry(self._order[position])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return map(self._entry, self._order)
