"""great-expectations for one run: in a background process, so its import overlaps the
document stage, or not at all when a stored result of the same input can be reused.

Importing great-expectations costs 3-4 s of CPU, more than checking a few hundred
documents. `GxRunner` (the run owns it as a context manager) starts a worker (a forked
process) that imports GX and validates the corpus suite (`expectations.check_config`)
while the document stage runs here (in a long run at a lower priority than the document
workers); the expectations stage then sends it the records table and gets the outcomes
back. With the cache on, the worker starts only once a file has to be checked, and a
records table whose suite-read columns are unchanged takes the stored outcomes. Where
`fork` is not available (or for the Spark engine) everything stays in-process; if the
worker dies, the stage runs in-process too.

A bad suite is still a configuration error (exit 2, no reports): runs of many files poll
for the verdict while their documents are checked and stop as soon as it is bad; small
runs learn it at the expectations stage.
Very long runs then stop the worker (`suspend`) and fork a fresh one once the records
table is built (`validate_forked`): an idle GX held through a long run is memory at its
peak, and a child forked earlier would keep copies of every page the parent then touched.
"""

from __future__ import annotations

import functools
import multiprocessing
import multiprocessing.connection
import os
from collections.abc import Sequence
from typing import Any

from .config import Config
from .expectations import (
    CHILD_STRING_STORAGE,
    check_config,
    lighten_gx_import,
    load_suite,
    read_columns,
    records_table,
    run_suite,
    table_parts,
    wanted,
)
from .lifecycle import die_with_parent, forking

# From this many files a run polls for the suite check while it reads documents and stops
# on a bad suite (a typo must not cost a long run); smaller runs learn it at the end.
WATCH_VERDICT_FROM = 2_000
# From this many files the worker is stopped after the verdict and GX imported again for the
# expectations stage (`suspend`): idle, it added ~230 MB to every stage's peak at 100,000
# documents, while the second import (about 1.6 s, not overlapped) costs 6% of a 6,458-file
# run but under 2% from here on.
SUSPEND_FROM = 20_000
# From this many documents the worker runs GX_NICENESS below the document workers, which
# then keep the cores (bench/README.md, "The great-expectations worker's priority").
YIELD_FROM = 1_000
GX_NICENESS = 10
# A forked validation that has neither answered nor ended by then is stopped and the suite
# runs in the parent instead (validating 100,000 rows took under 10 s).
FORKED_TIMEOUT = 1800


def _serve(conn, config: Config, parent_end=None) -> None:
    """The worker's loop: check the suite once, then validate tables until told to stop."""
    die_with_parent()
    lighten_gx_import()
    if parent_end is not None:
        parent_end.close()  # the inherited copy of the parent's end: without it, no EOF when the parent dies
    try:
        check_config(config)
        conn.send(("ok", None))
    except BaseException as exc:  # noqa: BLE001 - the parent re-raises it
        conn.send(("error", exc))
        return
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        try:
            conn.send(("ok", run_suite(*request)))
        except BaseException as exc:  # noqa: BLE001 - the parent re-raises it
            conn.send(("error", exc))


class Runner:
    """One worker process: `verdict()` re-raises a configuration error, `run_suite` validates."""

    def __init__(self, config: Config, yielding: bool = False):
        self.config = config
        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, config, self.conn), daemon=True, name="seedcheck-gx")
        with forking():
            self.process.start()
        child.close()
        self.checked: tuple[str, Any] | None = None
        if yielding:
            self.yield_cores()

    def yield_cores(self) -> None:
        """Lower the worker's priority below this process's (and the document workers'):
        its GX import (3-4 s of CPU) then runs in what they leave instead of taking a core
        from them, and in the single-threaded stages after them. Only for runs whose
        document stage is long: under other load a low priority could stretch the import,
        which a small run waits for."""
        try:
            os.setpriority(os.PRIO_PROCESS, self.process.pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + GX_NICENESS))
        except (AttributeError, OSError):  # no priorities on this platform, or the worker is gone
            pass

    def _receive(self) -> tuple[str, Any] | None:
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            return None  # the worker died: the caller falls back to this process

    def verdict(self) -> None:
        """Wait for the suite check; raise its `ConfigError` (or any failure) here."""
        if self.checked is None:
            self.checked = self._receive() or ("lost", None)
            if self.checked[0] == "lost":
                check_config(self.config)
        if self.checked[0] == "error":
            raise self.checked[1]

    def run_suite(self, suite: Any, frame: Any, data_docs_dir: str | None) -> list:
        """Validate `frame` in the worker (in this process if the worker is gone)."""
        self.verdict()
        reply = None
        if self.checked[0] == "ok":
            try:
                self.conn.send((suite, frame, data_docs_dir))
                reply = self._receive()
            except (OSError, ValueError):
                reply = None
        if reply is None:
            return run_suite(suite, frame, data_docs_dir)
        if reply[0] == "error":
            raise reply[1]
        return reply[1]

    def close(self) -> None:
        """Stop the worker now (it may still be importing GX: no need to wait for that)."""
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(timeout=5)
        self.conn.close()


def _validate_once(conn, suite: Any, table: Any, data_docs_dir: str | None) -> None:
    die_with_parent()
    lighten_gx_import()

    try:
        conn.send(("ok", run_suite(suite, _built(table), data_docs_dir)))
    except BaseException as exc:  # noqa: BLE001 - the parent re-raises it
        conn.send(("error", exc))


def _built(table: Any) -> Any:
    return table() if callable(table) else table


def validate_forked(suite: Any, table: Any, data_docs_dir: str | None) -> list:
    """A long run's expectations: a process forked now inherits the finished records table
    (no copy through a pipe), or a function that builds it there (`records_in_child`),
    and validates it while this process waits. Waiting matters: a page this process
    writes after the fork is copied, and the child keeps the original (a worker forked
    before the table was built held 880 MB at 100,000 documents, a table of 73 MB).
    Falls back to this process if the child dies."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_validate_once, args=(sender, suite, table, data_docs_dir), daemon=True, name="seedcheck-gx"
    )
    try:
        with forking():  # the child's collector then leaves the inherited objects (and their pages) alone
            process.start()
    except OSError:  # no memory or no process left for a fork: validate here
        return run_suite(suite, _built(table), data_docs_dir)
    finally:
        sender.close()
    reply = None
    try:
        # The reply, or the child's end (it died): never wait on a child that is gone.
        ready = multiprocessing.connection.wait([receiver, process.sentinel], timeout=FORKED_TIMEOUT)
        if ready and receiver.poll():
            reply = receiver.recv()
    except (EOFError, OSError):
        reply = None
    finally:
        receiver.close()
        if process.is_alive():
            process.terminate()
        process.join()
    if reply is None:
        return run_suite(suite, _built(table), data_docs_dir)
    if reply[0] == "error":
        raise reply[1]
    return reply[1]


def records_in_child(records: Any) -> bool:
    """Does a forked validation build the records table itself? When the records are in
    a file: the child then reads them without writing to a page of this process, and the
    table, of Python strings (`CHILD_STRING_STORAGE`), exists in the child only (300,000
    records: the child's largest private memory 355 MB, against 477 MB plus a table of
    154 MB here, `bench/table_memory.py`). Records held in memory are copied as the child
    reads them (each read writes their reference counts): at 100,000 documents the process
    tree peaked at 986 MB with the child building the table, 857 with it built here."""
    return bool(getattr(records, "on_disk", False))


def _gx_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("great_expectations")
    except metadata.PackageNotFoundError:
        return "missing"


class GxRunner:
    """The corpus expectations of one run, as a context manager that owns the background
    worker (`with GxRunner(config) as gx: pipeline.run(..., gx=gx)`): it is stopped when the
    run ends, however it ends.

    With a cache (`attach`), a validation whose input is unchanged (the columns the suite
    reads, the suite with its thresholds, the GX version; the cache file's fingerprint
    covers the rest) is taken from it and GX is not imported at all; the worker is then
    started only once the document stage meets a file it must check (its records, and so
    the table, may have changed), so re-runs of unchanged files never pay for GX.
    """

    def __init__(self, config: Config, start: bool = True):
        self.config = config
        self.worker: Runner | None = None
        self.results = None  # a cache.Results store, when the run has a cache
        self.watch = self.suspend_after = self.suspended = self.validated = self.yielding = False
        self.forkable = "fork" in multiprocessing.get_all_start_methods()
        if start:
            self.start()

    def __enter__(self) -> GxRunner:  # noqa: PYI034 - typing.Self needs Python 3.11
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        """Check the suite (and import GX) in a background worker, or right here where
        `fork` is not available (then a bad suite raises `ConfigError` now)."""
        if self.worker is not None or self.suspended or self.validated:
            return
        if not self.forkable:
            check_config(self.config)
            return
        self.worker = Runner(self.config, self.yielding)

    def attach(self, cache, documents: int) -> None:
        """The run's document cache (or None) and size: with a cache, results are reused and
        the worker starts at the first file to check; runs of `YIELD_FROM`+ documents lower
        its priority, runs of `WATCH_VERDICT_FROM`+ poll for the verdict, runs of
        `SUSPEND_FROM`+ suspend the worker after it."""
        self.watch, self.suspend_after = documents >= WATCH_VERDICT_FROM, documents >= SUSPEND_FROM
        self.yielding = documents >= YIELD_FROM
        if self.yielding and self.worker is not None:
            self.worker.yield_cores()
        self.results = cache.results() if cache is not None else None
        if self.results is None:
            self.start()
        else:
            cache.on_miss = self.start

    def poll(self) -> None:
        """Without waiting: raise a bad suite's `ConfigError` if the verdict has come (long
        runs only), then suspend a very long run's worker."""
        worker = self.worker
        if not self.watch or worker is None or (worker.checked is None and not worker.conn.poll()):
            return
        worker.verdict()
        if self.suspend_after:
            self.suspend()

    def suspend(self) -> None:
        """For a long run, once the suite is known good: stop the worker, so its imported GX
        (about 230 MB) is not held through the document and corpus stages; the expectations
        stage forks a fresh one (`validate_forked`). Raises the suite's `ConfigError`."""
        if self.worker is None:
            return
        self.worker.verdict()
        self.stop()
        self.suspended = True

    def after_documents(self, engine, records: Sequence[dict]) -> None:
        """The document stage is over: a very long run suspends its worker now; a run whose
        worker has not started (every file came from the cache) starts it if the table has
        no stored result, so the GX import overlaps the corpus and schema stages."""
        if self.suspend_after:
            self.suspend()
        elif (
            self.worker is None
            and not self.validated
            and self.results is not None
            and wanted(self.config, engine.registry.enabled)
        ):
            suite = load_suite(self.config, engine.context.today)
            if suite.expectations and not self.results.has(self._key(suite, records)):
                self.start()

    @property
    def forks_at_stage(self) -> bool:
        """Does the expectations stage fork a fresh child (a long run, its worker suspended)?
        `completion.complete` then validates before the corpus stage."""
        return self.forkable and self.worker is None and (self.suspended or self.suspend_after)

    def _key(self, suite: Any, records: Sequence[dict]) -> bytes:
        return self.results.key("expectations", (_gx_version(), *table_parts(suite, records)))

    def validate(self, suite: Any, records: Sequence[dict], data_docs_dir: str | None) -> list:
        """The outcomes of `suite` on the records table: stored ones when its input is
        unchanged, else validated by GX (in the worker, a child forked now, or here)."""
        key = None
        if self.results is not None and not data_docs_dir:  # Data Docs are GX's to write
            key = self._key(suite, records)
            stored = self.results.get("expectations", key)
            if stored is not None:
                self.validated = True  # only a good suite's result was ever stored
                self.stop()
                return stored
        columns = read_columns(suite)
        if self.forks_at_stage:
            table = (
                functools.partial(records_table, records, columns, CHILD_STRING_STORAGE)
                if records_in_child(records)
                else records_table(records, columns)
            )
            outcomes = validate_forked(suite, table, data_docs_dir)
        else:
            table = records_table(records, columns)
            runner = self.worker.run_suite if self.worker is not None else run_suite
            outcomes = runner(suite, table, data_docs_dir)
        del table
        self.validated = True
        self.stop()  # the worker's GX and its copy of the table go before the findings come back
        if key is not None:
            self.results.put(key, outcomes)
        return outcomes

    def done(self) -> None:
        """After the expectations stage: a suite the stage did not validate is still
        checked (a bad suite is a configuration error even when the stage is skipped)."""
        if not self.validated and self.worker is not None:
            self.worker.verdict()
        self.stop()

    def stop(self) -> None:
        """Stop the worker now (it may still be importing GX: no need to wait for that)."""
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.close()
