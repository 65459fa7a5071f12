"""great-expectations in a background process, so its import overlaps the document stage.

Importing great-expectations costs about 1.5 s of CPU, more than checking a handful of
documents. The CLI starts this worker (a forked process) before it reads any document: the
worker imports GX and validates the corpus suite (`expectations.check_config`) on the
other core while the document stage runs here; the expectations stage then sends it the
records table and gets the outcomes back. Where `fork` is not available (or for the Spark
engine) everything stays in-process, as before; if the worker dies, the stage runs
in-process too.

A bad suite is still a configuration error (exit 2, no reports): runs of many files poll
for the verdict while their documents are checked and stop as soon as it is bad; small
runs learn it at the expectations stage.
Very long runs then stop the worker (`suspend`) and fork a fresh one once the records
table is built (`validate_forked`): an idle GX held through a long run is memory at its
peak, and a child forked earlier would keep copies of every page the parent then touched.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
from typing import Any

from .config import Config
from .lifecycle import die_with_parent, forking

# From this many files a run polls for the suite check while it reads documents and stops
# on a bad suite (a typo must not cost a long run); smaller runs learn it at the end.
WATCH_VERDICT_FROM = 2_000
# From this many files the worker is stopped after the verdict and GX imported again for the
# expectations stage (`suspend`): idle, it added ~230 MB to every stage's peak at 100,000
# documents, while the second import (about 1.6 s, not overlapped) costs 6% of a 6,458-file
# run but under 2% from here on.
SUSPEND_FROM = 20_000
# A forked validation that has neither answered nor ended by then is stopped and the suite
# runs in the parent instead (validating 100,000 rows took under 10 s).
FORKED_TIMEOUT = 1800

_RUNNERS: dict[int, Runner] = {}
_SUSPENDED: set[int] = set()


def _serve(conn, config: Config, parent_end=None) -> None:
    """The worker's loop: check the suite once, then validate tables until told to stop."""
    die_with_parent()
    if parent_end is not None:
        parent_end.close()  # the inherited copy of the parent's end: without it, no EOF when the parent dies
    from .expectations import check_config, run_suite

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

    def __init__(self, config: Config):
        self.config = config
        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, config, self.conn), daemon=True, name="seedcheck-gx")
        with forking():
            self.process.start()
        child.close()
        self.checked: tuple[str, Any] | None = None

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
                from .expectations import check_config

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
            from .expectations import run_suite

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


def start(config: Config) -> None:
    """Check the corpus suite: in a background worker when `fork` is available (see the
    module doc), otherwise right here. Raises `ConfigError` now only in the latter case."""
    if "fork" not in multiprocessing.get_all_start_methods():
        from .expectations import check_config

        check_config(config)
        return
    stop(config)
    _RUNNERS[id(config)] = Runner(config)


def runner(config: Config) -> Runner | None:
    """The background worker started for `config`, if any."""
    return _RUNNERS.get(id(config))


def poll(config: Config, then_suspend: bool = False) -> None:
    """Without waiting: if the worker's verdict has come, raise a bad suite's `ConfigError`
    now; with `then_suspend`, stop a worker whose suite is good (see `suspend`)."""
    worker = _RUNNERS.get(id(config))
    if worker is None or (worker.checked is None and not worker.conn.poll()):
        return
    worker.verdict()
    if then_suspend:
        suspend(config)


def suspend(config: Config) -> None:
    """For a long run, once the suite is known good: stop the worker, so its imported GX
    (about 230 MB) is not held through the document and corpus stages; `validate_forked`
    forks a fresh one for the expectations stage. Raises the suite's `ConfigError` like
    `verdict`."""
    worker = _RUNNERS.get(id(config))
    if worker is None:
        return
    worker.verdict()
    stop(config)
    _SUSPENDED.add(id(config))


def was_suspended(config: Config) -> bool:
    """Whether `suspend` stopped this run's worker (then `validate_forked` validates)."""
    return id(config) in _SUSPENDED


def _validate_once(conn, suite: Any, frame: Any, data_docs_dir: str | None) -> None:
    from .expectations import run_suite

    die_with_parent()

    try:
        conn.send(("ok", run_suite(suite, frame, data_docs_dir)))
    except BaseException as exc:  # noqa: BLE001 - the parent re-raises it
        conn.send(("error", exc))


def validate_forked(config: Config, suite: Any, frame: Any, data_docs_dir: str | None) -> list:
    """A long run's expectations: a process forked now inherits the finished `frame` (no
    copy through a pipe) and validates it while this process waits. Waiting matters: a
    page this process writes after the fork is copied, and the child keeps the original
    (a worker forked before the table was built held 880 MB at 100,000 documents, a
    table of 73 MB). Falls back to this process if the child dies."""
    from .expectations import run_suite

    _SUSPENDED.discard(id(config))
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_validate_once, args=(sender, suite, frame, data_docs_dir),
                              daemon=True, name="seedcheck-gx")
    gc.freeze()  # the child's collector then leaves the inherited objects (and their pages) alone
    try:
        with forking():
            process.start()
    except OSError:  # no memory or no process left for a fork: validate here
        return run_suite(suite, frame, data_docs_dir)
    finally:
        gc.unfreeze()
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
        return run_suite(suite, frame, data_docs_dir)
    if reply[0] == "error":
        raise reply[1]
    return reply[1]


def stop(config: Config) -> None:
    """Shut the worker for `config` down (at the end of a run, or on an error)."""
    _SUSPENDED.discard(id(config))
    worker = _RUNNERS.pop(id(config), None)
    if worker is not None:
        worker.close()
