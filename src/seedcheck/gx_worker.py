"""great-expectations in a background process, so its import overlaps the document stage.

Importing great-expectations costs about 1.5 s of CPU, more than checking a handful of
documents. The CLI starts this worker (a forked process) before it reads any document: the
worker imports GX and validates the corpus suite (`expectations.check_config`) on the
other core while the document stage runs here; the expectations stage then sends it the
records table and gets the outcomes back. Where `fork` is not available (or for the Spark
engine) everything stays in-process, as before.

A bad suite is still a configuration error (exit 2, no reports): runs of many files wait
for the verdict before reading documents; small runs learn it at the expectations stage.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from .config import Config

# Above this many files a run waits for the suite check before it reads any document: the
# wait (the GX import) is small next to the run, and a typo must not cost a long run.
WAIT_FOR_VERDICT_FROM = 2_000

_RUNNERS: dict[int, Runner] = {}


def _check(config: Config) -> None:
    from .expectations import check_config

    check_config(config)


def _run(suite: Any, frame: Any, data_docs_dir: str | None) -> list:
    from .expectations import run_suite

    return run_suite(suite, frame, data_docs_dir)


class Runner:
    """One worker process: `verdict()` re-raises a configuration error, `run_suite` validates."""

    def __init__(self, config: Config):
        self.pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
        self.checked: Future = self.pool.submit(_check, config)

    def verdict(self) -> None:
        """Wait for the suite check; raise its `ConfigError` (or any failure) here."""
        self.checked.result()

    def run_suite(self, suite: Any, frame: Any, data_docs_dir: str | None) -> list:
        self.verdict()
        return self.pool.submit(_run, suite, frame, data_docs_dir).result()

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def start(config: Config) -> None:
    """Check the corpus suite: in a background worker when `fork` is available (see the
    module doc), otherwise right here. Raises `ConfigError` now only in the latter case."""
    if "fork" not in multiprocessing.get_all_start_methods():
        _check(config)
        return
    stop(config)
    _RUNNERS[id(config)] = Runner(config)


def runner(config: Config) -> Runner | None:
    """The background worker started for `config`, if any."""
    return _RUNNERS.get(id(config))


def stop(config: Config) -> None:
    """Shut the worker for `config` down (at the end of a run, or on an error)."""
    worker = _RUNNERS.pop(id(config), None)
    if worker is not None:
        worker.close()
