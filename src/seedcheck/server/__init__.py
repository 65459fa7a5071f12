"""`seedcheck server`: a process that keeps what a check imports loaded, so that a
`seedcheck check` of a few files (a pre-commit hook, a curator's re-run after an edit)
starts in a fraction of a second instead of importing pandas, pandera, great-expectations
and the language model again (about 2.5 CPU seconds). Opt-in, as blackd or dmypy are:
nothing starts a server but `seedcheck server start`.

- The server (`serve`) loads them, listens on a Unix socket only its user can reach
  (`address`), and for each check forks a child that runs it with the caller's arguments,
  working directory, environment, umask and standard streams (their file descriptors
  are passed over the socket): the same code on the same inputs as a check run by the
  caller, in a process that did not have to import anything. The child's exit status
  goes back to the caller, which forwards Ctrl-C and SIGTERM to the child.
- `seedcheck check` and `seedcheck fix` ask a server when one is listening (`run_in_server`);
  when none answers they run here (with `--server` they also start one for the next runs,
  `start_in_background`). `SEEDCHECK_NO_SERVER=1` never asks.
- A server whose loaded code changed on disk since it started (an upgrade, an edit of
  seedcheck) answers that it is stale and stops, and the check runs in the caller. An
  idle server stops after its idle timeout.
"""

from __future__ import annotations

from .client import run_in_server, spawn, start_in_background
from .wire import IDLE_TIMEOUT, LOCKED, ServerError, address, request, runtime_dir

__all__ = [
    "IDLE_TIMEOUT",
    "LOCKED",
    "ServerError",
    "address",
    "request",
    "run_in_server",
    "runtime_dir",
    "spawn",
    "start_in_background",
]
