"""Worker processes die with the run that started them, and leave what they inherit alone.

A run killed with SIGKILL (or SIGTERM before it could stop its workers) must not leave
them behind: a worker blocked on its pipe would wait forever, holding its memory. Each
worker calls `die_with_parent()` first: on Linux the kernel sends it SIGKILL when its
parent goes (`PR_SET_PDEATHSIG`); elsewhere, and as a second line, a daemon thread
watches the parent's pid and ends the process when it changes (the worker was reparented).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_PR_SET_PDEATHSIG = 1
WATCH_EVERY = 1.0  # seconds between two looks at the parent pid


_STOPPING = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def forking() -> Iterator[None]:
    """Around the forking of worker processes: hold Ctrl-C and SIGTERM back, so a child
    gets them only once `die_with_parent` has set its own handlers (else one arriving in
    between would print a worker's traceback), and the parent right after; and freeze the
    collector's objects (`gc.freeze`), so a child's collections never visit what it
    inherited. A visit writes to each object's header, and the kernel then copies its
    page into the child: a run's document workers inherit every `Source` of the run."""
    block = getattr(signal, "pthread_sigmask", None)
    previous = block(signal.SIG_BLOCK, _STOPPING) if block is not None else None
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()  # this process collects them again
        if block is not None:
            block(signal.SIG_SETMASK, previous)


def die_with_parent() -> None:
    """Make this (worker) process end when its parent process ends. Its signals are a
    worker's: SIGTERM (the parent stopping it) ends it at once, Ctrl-C is the parent's to
    handle (the terminal sends it to the whole process group)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)  # held back by `forking`
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watchdog below still works
    if os.getppid() != parent or parent == 1:
        os._exit(1)  # the parent died before the death signal was armed
    thread = threading.Thread(target=_watch, args=(parent,), name="seedcheck-parent-watch", daemon=True)
    thread.start()


def _watch(parent: int) -> None:
    while True:
        time.sleep(WATCH_EVERY)
        if os.getppid() != parent:
            os._exit(1)
