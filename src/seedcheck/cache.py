"""Document-stage results kept between runs, so an unchanged file is not checked again.

Like ruff's cache: `seedcheck check` stores each file's document-stage outcome (records,
findings, corpus-analyzer states) and, on the next run, takes it from the cache when
nothing it depends on has changed. The corpus stage, the schema, the expectations, the
gate and the reports always run on every document: only per-file work is skipped.

What "nothing changed" means (a miss costs time, a wrong hit would cost trust, so the key
is deliberately broad):
- the entry key hashes the file's bytes, its paths (the one opened, the one shown, the
  document id) and whether the run keeps every body (runs of up to 2,000 files do);
- the cache file is named by a fingerprint of everything else: seedcheck's version and
  its installed source files, the checks directory (rules, lexicons, registries), the
  configuration (all settings that can change a document's outcome), today's date
  (date rules compare with it), the Python version and the versions of seedcheck's
  dependencies. A change to any of them starts a new cache file (so one serves a day at
  most); files not used for `KEEP_DAYS` are deleted.

`--no-cache` (or `SEEDCHECK_NO_CACHE=1`) turns it off; `cache-dir` in the configuration (or
`SEEDCHECK_CACHE_DIR`) moves it from `.seedcheck_cache/` next to the configuration. A cache
that cannot be opened or read is ignored (and, if damaged, deleted): the run checks the
files instead. Only the local engine uses it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .cache_keys import SCHEMA, fingerprint, key_of, pack, read_keyed, unpack
from .config import Config

__all__ = [
    "Cache",
    "Results",
    "directory",
    "enabled_by_environment",
    "fingerprint",
    "key_of",
    "pack",
    "read_keyed",
    "unpack",
]

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by seedcheck.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)
KEEP_DAYS = 1  # the date is in the fingerprint: an older file can never be used again
_LOOKUP_CHUNK = 500  # keys per SELECT ... IN (...)
_WRITE_BATCH = 64  # entries per write transaction: another run is never locked out for long
BUSY_TIMEOUT = 10  # seconds a write waits for another run's; then this run stops storing
_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_RESULTS = "results"  # corpus-stage results (schema failures, expectation outcomes) by input key


def enabled_by_environment() -> bool:
    """False when SEEDCHECK_NO_CACHE turns the cache off."""
    return os.environ.get("SEEDCHECK_NO_CACHE", "").strip().lower() in ("", "0", "false", "no")


def directory(config: Config) -> Path:
    """Where the cache lives: $SEEDCHECK_CACHE_DIR, else `cache-dir` from the configuration."""
    return Path(os.environ.get("SEEDCHECK_CACHE_DIR") or config.resolve(config.cache_dir))


class Cache:
    """One run's view of the cache: `key` a file, `present` which keys are stored, `load`
    and `store` outcomes, `close` to commit. Every failure turns the cache off for the
    rest of the run (a warning on stderr) instead of failing the run."""

    def __init__(self, folder: Path, fingerprint: str):
        self.folder = folder
        self.path = folder / f"v{SCHEMA}-{fingerprint}.sqlite"
        self.variant = b""
        self.hits = 0
        self.db: sqlite3.Connection | None = None
        self.writable = True
        self._pending: list[tuple[bytes, bytes]] = []
        self.on_miss: Callable[[], None] | None = None  # called once a lookup finds a file to check
        self._results: Results | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            ignore = folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# written by seedcheck: its cache is never committed\n*\n", encoding="utf-8")
            tag = folder / "CACHEDIR.TAG"  # bford.info/cachedir: backups skip it, and so does discovery
            if not tag.exists():
                tag.write_text(CACHEDIR_TAG, encoding="utf-8")
            self._prune()
            try:
                self._connect()
            except sqlite3.DatabaseError as exc:
                if not _damaged(exc):
                    raise
                self._fail(exc, damaged=True, then="a new one replaces it")
                self._connect()
        except (OSError, sqlite3.Error) as exc:
            self._fail(exc, damaged=_damaged(exc))

    def _connect(self) -> None:
        # WAL: readers never wait for a writer; a concurrent run waits at most 10 s to write.
        self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS outcomes (key BLOB PRIMARY KEY, blob BLOB NOT NULL) WITHOUT ROWID")
        self.db.execute(
            f"CREATE TABLE IF NOT EXISTS {_RESULTS} (key BLOB PRIMARY KEY, blob BLOB NOT NULL) WITHOUT ROWID"
        )
        os.utime(self.path)  # in use: not pruned

    @classmethod
    def open(cls, config: Config, today: dt.date) -> Cache | None:
        """The cache for this configuration, or None when it is turned off."""
        if not enabled_by_environment():
            return None
        try:
            return cls(directory(config), fingerprint(config, today))
        except OSError as exc:  # an unreadable file under checks/ (the run itself will say so)
            print(f"seedcheck: cache not used ({type(exc).__name__}: {exc})", file=sys.stderr)
            return None

    @property
    def active(self) -> bool:
        return self.db is not None

    def _prune(self) -> None:
        cutoff = time.time() - KEEP_DAYS * 86400
        for old in self.folder.glob("v*.sqlite*"):
            try:
                if old.stat().st_mtime < cutoff and not old.name.startswith(self.path.name):
                    old.unlink()
            except OSError:
                pass

    def _fail(self, exc: Exception, damaged: bool = False, then: str = "the run checks the files") -> None:
        what = "is damaged and was deleted" if damaged else "cannot be used"
        print(f"seedcheck: cache {self.path} {what} ({type(exc).__name__}: {exc}); {then}", file=sys.stderr)
        if self.db is not None:
            try:
                self.db.close()
            except sqlite3.Error:
                pass
        self.db = None
        if damaged:
            for suffix in ("", "-wal", "-shm"):
                try:
                    Path(str(self.path) + suffix).unlink()
                except OSError:
                    pass

    def key(self, source: Any, max_file_size: int) -> bytes | None:
        """The entry key of one file as it is now (see `read_keyed`), or None."""
        if not self.active:
            return None
        return read_keyed(source, max_file_size, self.variant)[1]

    def empty(self) -> bool:
        """True when nothing is stored (a first run, or a new fingerprint): the run then
        reads no file just to look it up (a clean CI clone's every run)."""
        if not self.active:
            return True
        try:
            return self.db.execute("SELECT 1 FROM outcomes LIMIT 1").fetchone() is None
        except sqlite3.Error as exc:
            self._fail(exc, damaged=_damaged(exc))
            return True

    def present(self, keys: Iterable[bytes | None]) -> set[bytes]:
        """Which of `keys` have a stored outcome."""
        if not self.active:
            return set()
        keys = list(keys)
        wanted = [k for k in keys if k is not None]
        found: set[bytes] = set()
        try:
            for i in range(0, len(wanted), _LOOKUP_CHUNK):
                chunk = wanted[i : i + _LOOKUP_CHUNK]
                query = f"SELECT key FROM outcomes WHERE key IN ({','.join('?' * len(chunk))})"
                found.update(row[0] for row in self.db.execute(query, chunk))
        except sqlite3.Error as exc:
            self._fail(exc, damaged=_damaged(exc))
            found = set()
        if self.on_miss is not None and any(k is None or k not in found for k in keys):
            self.on_miss()
        return found

    def load(self, key: bytes) -> Any | None:
        """The stored outcomes of `key`, or None (then the caller checks the file)."""
        if not self.active:
            return None
        try:
            row = self.db.execute("SELECT blob FROM outcomes WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            outcomes = unpack(row[0])
        except sqlite3.Error as exc:
            self._fail(exc, damaged=_damaged(exc))
            return None
        except Exception:  # noqa: BLE001 - a damaged entry is a miss, never a crash
            return None
        self.hits += 1
        return outcomes

    def store(self, key: bytes, blob: bytes) -> None:
        """Keep `blob` under `key` (written in small transactions)."""
        if not self.active or not self.writable:
            return
        self._pending.append((key, blob))
        if len(self._pending) >= _WRITE_BATCH:
            self._flush()

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        if not pending or not self.active or not self.writable:
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR REPLACE INTO outcomes (key, blob) VALUES (?, ?)", pending)
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            if _damaged(exc):
                self._fail(exc, damaged=True)
                return
            # Busy (another run is writing) or full disk: keep reading, stop writing.
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            self.writable = False
            print(
                f"seedcheck: cache {self.path}: not storing this run's results ({type(exc).__name__}: {exc})",
                file=sys.stderr,
            )

    def results(self) -> Results | None:
        """The store of whole-table results in this cache file (None when the cache is off)."""
        if self._results is None and self.active:
            self._results = Results(self.path)
        return self._results

    def close(self) -> None:
        """Write what is pending and let the database go."""
        if not self.active:
            return
        self._flush()
        try:
            if self.db is not None:
                self.db.close()
        except sqlite3.Error as exc:
            self._fail(exc)
        self.db = None


class Results:
    """Whole-table results (a schema validation, a great-expectations validation) kept
    under the key of their input, in the cache file of this run's fingerprint, so a run
    whose table is unchanged reuses them instead of importing the validator. The file's
    fingerprint already covers seedcheck's source, the configuration, the date and the
    dependency versions; the caller's key covers the table and the suite. Any failure
    is a miss (the caller validates), never an error."""

    def __init__(self, path: Path):
        self.path = path
        self.reused: list[str] = []  # what this run took from the store (for timings)

    @staticmethod
    def key(kind: str, parts: Iterable[Any]) -> bytes:
        """The key of `kind`'s result for the input `parts` (each bytes, or its repr)."""
        h = hashlib.blake2b(kind.encode() + b"\0", digest_size=20)
        for part in parts:
            h.update(part if isinstance(part, bytes) else repr(part).encode("utf-8", "surrogateescape"))
            h.update(b"\0")
        return h.digest()

    def _db(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        db.execute(f"CREATE TABLE IF NOT EXISTS {_RESULTS} (key BLOB PRIMARY KEY, blob BLOB NOT NULL) WITHOUT ROWID")
        return db

    def get(self, kind: str, key: bytes, tally: bool = True) -> Any | None:
        """The stored result of `key`, or None; `tally`: count it in `reused` (the
        timings' `reused_results`, which counts validations only)."""
        try:
            db = self._db()
            try:
                row = db.execute(f"SELECT blob FROM {_RESULTS} WHERE key = ?", (key,)).fetchone()
            finally:
                db.close()
            value = None if row is None else unpack(row[0])
        except Exception:  # noqa: BLE001 - a damaged or missing entry is a miss
            return None
        if value is not None and tally:
            self.reused.append(kind)
        return value

    def has(self, key: bytes) -> bool:
        """Whether a result is stored under `key` (without reading it)."""
        try:
            db = self._db()
            try:
                return db.execute(f"SELECT 1 FROM {_RESULTS} WHERE key = ?", (key,)).fetchone() is not None
            finally:
                db.close()
        except sqlite3.Error:
            return False

    def put(self, key: bytes, value: Any) -> None:
        """Keep `value` under `key`; a busy or read-only cache just does not keep it."""
        try:
            db = self._db()
            try:
                db.execute(f"INSERT OR REPLACE INTO {_RESULTS} (key, blob) VALUES (?, ?)", (key, pack(value)))
            finally:
                db.close()
        except sqlite3.Error:
            pass


def _damaged(exc: BaseException) -> bool:
    """A database that is not one (any more), as opposed to a busy or read-only one."""
    return getattr(exc, "sqlite_errorname", "") in _DAMAGED
