"""The caller's side: `seedcheck check` or `fix` run by a server, or None to run it here."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from typing import Any

from .wire import IDLE_TIMEOUT, ServerError, address, connect, process_traits, receive, request, send

EXIT_INTERRUPTED = 130  # as cli.common's; that module imports click, which this one must not need
serving = False  # set in a server's child: its check must not ask a server again
ANSWER_WAIT = 30.0  # seconds for a server to fork the check and say so


def run_in_server(args: list[str]) -> int | None:
    """Run `seedcheck <args>` in the server: its exit status, or None when no server took
    it (none listening, or a stale one), for the caller to run the check itself."""
    if serving or os.environ.get("SEEDCHECK_NO_SERVER") or not _own_streams():
        return None
    conn = connect()
    if conn is None:
        return None
    with conn:
        try:
            send(conn, _run_request(args), [0, 1, 2])
            conn.settimeout(ANSWER_WAIT)
            answer = receive(conn)[0]
        except (OSError, EOFError, ValueError):
            return None  # a check the server may yet start sees this connection closed and stops
        except KeyboardInterrupt:
            print("seedcheck: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED  # as a check interrupted here; one the server forks meanwhile stops
        if "pid" not in answer:
            return None  # stale, or another environment than the server's: run here
        conn.settimeout(None)
        return _wait(conn, int(answer["pid"]))


def _own_streams() -> bool:
    """Are sys.stdin/stdout/stderr descriptors 0, 1 and 2? Not under click's CliRunner or
    other in-process capture, whose output a server's child, writing to 0-2, would miss."""
    try:
        return [s.fileno() for s in (sys.stdin, sys.stdout, sys.stderr)] == [0, 1, 2]
    except (AttributeError, OSError, ValueError):
        return False


def _run_request(args: list[str]) -> dict[str, Any]:
    umask = os.umask(0)
    os.umask(umask)
    streams = [(getattr(s, "encoding", None), getattr(s, "errors", None)) for s in (sys.stdin, sys.stdout, sys.stderr)]
    return {
        "op": "run",
        "args": args,
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "umask": umask,
        "streams": streams,
        "ignored": [int(sig) for sig in FORWARDED if signal.getsignal(sig) == signal.SIG_IGN],
        "traits": process_traits(),
    }


def _wait(conn: socket.socket, pid: int) -> int:
    """The child's exit status. Meanwhile Ctrl-C, SIGTERM and SIGHUP go to it (unless this
    process ignores them, as the child then does too), and Ctrl-Z stops it and its workers
    with this process. A check that a forwarded signal ended without a status (SIGHUP's
    default) ends this process by that signal, as it would have ended a check run here."""
    received: list[int] = []

    def forward(signum, frame) -> None:
        received.append(signum)
        _signal(pid, signum)

    def suspend(signum, frame) -> None:
        _signal(-pid, signal.SIGSTOP)
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTSTP)  # stopped here until resumed (`fg`, `bg`)
        signal.signal(signal.SIGTSTP, suspend)
        _signal(-pid, signal.SIGCONT)

    handlers = {sig: forward for sig in FORWARDED if signal.getsignal(sig) != signal.SIG_IGN}
    if signal.getsignal(signal.SIGTSTP) == signal.SIG_DFL:
        handlers[signal.SIGTSTP] = suspend
    previous = {sig: signal.signal(sig, handler) for sig, handler in handlers.items()}
    try:
        return int(receive(conn)[0]["exit"])
    except (OSError, EOFError, ValueError, KeyError):
        if received:
            signal.signal(received[-1], signal.SIG_DFL)
            os.kill(os.getpid(), received[-1])
        print("seedcheck: the check in the seedcheck server ended without an exit status (killed?)", file=sys.stderr)
        return 2
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except OSError:
        pass


def spawn(idle_timeout: float = IDLE_TIMEOUT, stderr: Any = subprocess.DEVNULL) -> subprocess.Popen:
    """Start this installation's server process, in a session of its own (Ctrl-C in the
    caller's terminal is not for it), and return at once."""
    return subprocess.Popen(
        [sys.executable, "-m", "seedcheck.server", str(idle_timeout)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        start_new_session=True,
        cwd="/",  # `-m` puts the folder it starts in on the import path: never a project's
    )


def start_in_background() -> None:
    """`--server`: start a server when none listens, without waiting for it to load: the
    runs after this one use it (a pre-commit hook's environment has no other way to)."""
    if serving or os.environ.get("SEEDCHECK_NO_SERVER"):
        return
    try:
        address(create=True)
    except ServerError as exc:
        print(f"seedcheck: no server started: {exc}", file=sys.stderr)
        return
    if request("status") is None:
        spawn()
