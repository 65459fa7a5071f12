"""The caller's side: `seedcheck check` or `fix` run by a server, or None to run it here."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from typing import Any

from .wire import IDLE_TIMEOUT, ServerError, address, connect, process_traits, receive, request, send, signal_quietly

EXIT_INTERRUPTED = 130  # as cli.common's; that module imports click, which this one must not need
serving = False  # set in a server's child: its check must not ask a server again
ANSWER_WAIT = 30.0  # seconds for a server to fork the check and say so


def run_in_server(args: list[str]) -> int | None:
    """Run `seedcheck <args>` in the server: its exit status, or None when no server took
    it (none listening, a stale one, or one started in another environment), for the
    caller to run the check itself."""
    if serving or os.environ.get("SEEDCHECK_NO_SERVER") or not _own_streams():
        return None
    conn = connect()
    if conn is None:
        return None
    with conn, _Relay() as relay:
        try:
            send(conn, _run_request(args), [0, 1, 2])
            conn.settimeout(ANSWER_WAIT)
            answer = receive(conn)[0]
            if "pid" not in answer:
                return None  # stale, or another environment than the server's: run here
            relay.pid = int(answer["pid"])  # from here on the signals go to the check
        except (OSError, EOFError, ValueError):
            return None  # a check the server may yet start sees this connection closed and stops
        except KeyboardInterrupt:
            print("seedcheck: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED  # as a check interrupted here; one the server forks meanwhile stops
        conn.settimeout(None)
        return relay.wait(conn)


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


FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class _Relay:
    """The caller's signals while a server runs its check. Before the check exists (`pid`
    None) they act here as they would on a check run here: Ctrl-C interrupts, SIGTERM and
    SIGHUP end the process, Ctrl-Z stops it. Then Ctrl-C, SIGTERM and SIGHUP go to the
    check, and Ctrl-Z stops the check and its workers with this process. Signals this
    process ignores (nohup, a shell's `&`) are left alone here and ignored by the check."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.received: list[int] = []
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> _Relay:  # noqa: PYI034 - typing.Self needs Python 3.11
        handlers = {sig: self.forward for sig in FORWARDED if signal.getsignal(sig) != signal.SIG_IGN}
        if signal.getsignal(signal.SIGTSTP) == signal.SIG_DFL:
            handlers[signal.SIGTSTP] = self.suspend
        self.previous = {sig: signal.signal(sig, handler) for sig, handler in handlers.items()}
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)

    def forward(self, signum: int, frame: object) -> None:
        if self.pid is not None:
            self.received.append(signum)
            signal_quietly(self.pid, signum)
        elif signum == signal.SIGINT:
            raise KeyboardInterrupt
        else:
            _die_of(signum)

    def suspend(self, signum: int, frame: object) -> None:
        if self.pid is not None:
            signal_quietly(-self.pid, signal.SIGSTOP)  # the check's process group: it and its workers
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTSTP)  # stopped here until resumed (`fg`, `bg`)
        signal.signal(signal.SIGTSTP, self.suspend)
        if self.pid is not None:
            signal_quietly(-self.pid, signal.SIGCONT)

    def wait(self, conn: socket.socket) -> int:
        """The check's exit status. A check that a forwarded signal ended without a status
        (SIGHUP's default) ends this process by that signal, as it would have ended a check
        run here."""
        try:
            return int(receive(conn)[0]["exit"])
        except (OSError, EOFError, ValueError, KeyError):
            if self.received:
                _die_of(self.received[-1])
            print("seedcheck: the check in the server ended without an exit status (killed?)", file=sys.stderr)
            return 2


def _die_of(signum: int) -> None:
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def spawn(idle_timeout: float = IDLE_TIMEOUT, stderr: Any = subprocess.DEVNULL) -> subprocess.Popen:
    """Start this installation's server process, in a session of its own (Ctrl-C in the
    caller's terminal is not for it), and return at once."""
    return subprocess.Popen(
        [sys.executable, *_interpreter_options(), "-m", "seedcheck.server", str(idle_timeout)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        start_new_session=True,
        cwd="/",  # `-m` puts the folder it starts in on the import path: never a project's
    )


def _interpreter_options() -> list[str]:
    """This interpreter's options (-W, -X, -B, -s, -O...) for the server, and its UTF-8 mode
    even where the locale chose it (a C locale: the server, which inherits the coerced
    LC_CTYPE, would not), so that the process traits of the callers that start it match."""
    # What multiprocessing passes to the interpreters it starts (private to CPython, there since 2.7).
    kept: list[str] = []
    for option in getattr(subprocess, "_args_from_interpreter_flags", list)():
        # importtime and showrefcount write to the server's stderr, not a check's; utf8 comes last
        if kept[-1:] == ["-X"] and option.split("=")[0] in ("importtime", "showrefcount", "utf8"):
            kept.pop()
            continue
        kept.append(option)
    return [*kept, "-X", f"utf8={sys.flags.utf8_mode}"]


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
