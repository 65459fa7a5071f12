"""The server process: what it loads, its loop, and the child that runs one check."""

from __future__ import annotations

import gc
import io
import os
import select
import signal
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from . import client
from .wire import (
    IDLE_TIMEOUT,
    LOCKED,
    STREAM_FDS,
    ServerError,
    address,
    connect,
    peer_uid,
    process_traits,
    receive,
    send,
    signal_quietly,
)


def preload() -> None:
    """Import what a check imports on its way (the heavy libraries, every seedcheck module
    a local check uses) and load the language model, once, in the server."""
    import importlib
    import pkgutil

    from ..expectations.validate import import_gx

    import_gx()
    import pandas  # noqa: F401
    import pandera.pandas  # noqa: F401

    import seedcheck

    for module in pkgutil.walk_packages(seedcheck.__path__, "seedcheck."):
        if ".spark" in module.name or module.name.endswith("__main__"):
            continue  # the Spark engine's modules import pyspark; a check through a server is local
        importlib.import_module(module.name)
    from ..extract import language

    language.identify("the model is loaded before the first check")
    _warm_up()
    gc.freeze()  # the children's collections then leave what they inherit (and its pages) alone


def _warm_up() -> None:
    """What a check computes from seedcheck's code and installed packages alone: the
    spelling dictionary, and what the rules' messages may name (`rules/fields.py`, 0.4 s;
    the server stops when that code changes). The rules are loaded in a child, which hands
    back only `fields.analyses()`: no cache of files a project may edit (rule files,
    schemas, where the repository starts) is ever filled in the server."""
    import multiprocessing

    from ..rules import fields
    from ..rules.detectors import leftovers

    leftovers.spelling_words()
    with multiprocessing.get_context("fork").Pool(1) as pool:
        fields.remember(pool.apply(_rule_fields))


def _rule_fields() -> dict:
    import datetime as dt

    from ..checker import Engine
    from ..config import Config
    from ..rules import fields

    with tempfile.TemporaryDirectory() as empty:
        Engine(Config(root=Path(empty)), dt.date.today())
    return fields.analyses()


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def loaded_files() -> dict[str, tuple[int, int]]:
    """(mtime, size) of the file of every module loaded: the code the children run."""
    stamps = {path: _stamp(path) for m in list(sys.modules.values()) if (path := getattr(m, "__file__", None))}
    return {path: stamp for path, stamp in stamps.items() if stamp is not None}


def _stale(files: dict[str, tuple[int, int]]) -> bool:
    return any(_stamp(path) != seen for path, seen in files.items())


def _listen(path: Path) -> socket.socket:
    """The listening socket at `path`; a socket file left by a server that died is replaced."""
    probe = connect(timeout=1.0)
    if probe is not None:
        probe.close()
        raise ServerError(f"a server already listens on {path}")
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    os.chmod(path, 0o600)
    listener.listen(16)
    listener.settimeout(1.0)
    return listener


def _hold_lock(path: Path) -> int:
    """Take the lock of the server at socket `path`, held until the server exits: of two
    servers started at once, the second stops here instead of replacing the first's socket
    (the first would then run on, unreachable)."""
    import fcntl

    fd = os.open(path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ServerError(f"{LOCKED} for {path}") from None
    return fd


def serve(idle_timeout: float = IDLE_TIMEOUT) -> None:
    """Run a server until it is stopped, idle for `idle_timeout` seconds (0: never), or
    finds its code changed on disk."""
    path = address(create=True)
    lock = _hold_lock(path)
    traits = process_traits()  # before loading anything: what Python read at start-up
    preload()
    files = loaded_files()
    listener = _listen(path)
    inode = os.stat(path).st_ino
    quiet = os.open(os.devnull, os.O_RDWR)  # listening: `server start` no longer reads our stderr
    for fd in (0, 1, 2):
        os.dup2(quiet, fd)
    os.close(quiet)
    os.chdir("/")  # a long-lived process pins no folder; each check runs in its caller's
    state: dict[str, Any] = {"pid": os.getpid(), "started": time.time(), "served": 0, "idle_timeout": idle_timeout}
    state.update(refused=0, refused_for=set())
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    checks = _Checks(listener)
    last = time.monotonic()
    try:
        while True:
            checks.reap()
            if idle_timeout and not checks.running and time.monotonic() - last > idle_timeout:
                return
            if not checks.wait(0.25):
                continue
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            last = time.monotonic()
            keep, pid = _handle(conn, (listener, lock), files, traits, state, len(checks.running))
            if pid is None:
                conn.close()
            else:
                checks.add(pid, conn)
            if not keep:
                return
    finally:
        listener.close()
        try:
            if os.stat(path).st_ino == inode:  # still ours, not a newer server's
                path.unlink()
        except OSError:
            pass


class _Checks:
    """The checks this server forked, each with its caller's connection. A caller that
    hangs up while its check is stopped (Ctrl-Z, then the caller killed) gets the check's
    process group resumed: the check's own watch then sees the caller gone and stops it."""

    def __init__(self, listener: socket.socket) -> None:
        self.running: dict[int, socket.socket] = {}  # pid -> the caller's connection
        self._pids: dict[int, int] = {}  # connection fd -> pid
        self._poll = select.poll()
        self._poll.register(listener, select.POLLIN)
        self._listener = listener.fileno()

    def add(self, pid: int, conn: socket.socket) -> None:
        self.running[pid] = conn
        self._pids[conn.fileno()] = pid
        self._poll.register(conn, select.POLLIN | select.POLLHUP)

    def reap(self) -> None:
        for pid in list(self.running):
            if _exited(pid):
                conn = self.running.pop(pid)
                if self._pids.pop(conn.fileno(), None) is not None:
                    self._poll.unregister(conn)
                conn.close()

    def wait(self, seconds: float) -> bool:
        """Wait up to `seconds` for a connection to accept (True); meanwhile resume the
        checks whose callers hung up."""
        ready = False
        for fd, _event in self._poll.poll(seconds * 1000):
            if fd == self._listener:
                ready = True
            elif (pid := self._pids.pop(fd, None)) is not None:
                self._poll.unregister(fd)
                if not _exited(pid):  # unreaped, so its pid (and group id) is not anyone else's
                    signal_quietly(-pid, signal.SIGCONT)
        return ready


def _exited(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return bool(done)


def _handle(conn: socket.socket, own: tuple, files, traits: dict, state: dict, running: int) -> tuple[bool, int | None]:
    """Answer one request: (False when the server is to stop, the pid of the check it
    forked). `own` are the server's listening socket and lock, which a child closes."""
    fds: list[int] = []
    try:
        conn.settimeout(2.0)  # a client sends its request as it connects; none waits on a silent one long
        if peer_uid(conn) not in (None, os.getuid()):
            return True, None  # only this user's processes (the folder is private too)
        message, fds = receive(conn, with_fds=True)
        op = message.get("op")
        if op == "status":
            send(conn, {**state, "refused_for": sorted(state["refused_for"]), "children": running})
        elif op == "stop":
            send(conn, {"stopped": state["pid"]})
            return False, None
        elif op == "run" and len(fds) == STREAM_FDS:
            if _stale(files):
                send(conn, {"stale": True})
                return False, None
            if message.get("traits") != traits:
                differences = _differences(message.get("traits"), traits)
                state["refused"] += 1
                state["refused_for"].update(differences)
                send(conn, {"mismatch": differences})
                return True, None
            pid = os.fork()
            if pid == 0:
                _child(conn, own, fds, message)  # never returns; it tells the caller its pid
            state["served"] += 1
            return True, pid
        else:
            send(conn, {"error": "bad request"})
    except (OSError, EOFError, ValueError):
        pass
    finally:
        for fd in fds:
            os.close(fd)
    return True, None


def _differences(theirs: Any, ours: dict) -> list[str]:
    """The names of the traits (`wire.process_traits`) in which a caller differs."""
    if not isinstance(theirs, dict):
        return ["all"]
    return sorted(k for k in set(theirs) | set(ours) if theirs.get(k) != ours.get(k))


def _child(conn: socket.socket, own: tuple, fds: list[int], message: dict[str, Any]) -> None:
    """In the forked child: become the caller's check, run it, send its exit status."""
    code = 2
    try:
        client.serving = True
        listener, lock = own
        listener.close()
        os.close(lock)
        os.setpgid(0, 0)  # a group of its own, with its workers: the caller stops and resumes it whole (Ctrl-Z)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD, signal.SIGTSTP, signal.SIGCONT):
            signal.signal(sig, signal.SIG_DFL)
        for sig in message.get("ignored", ()):  # what the caller ignores (nohup, a shell's `&`)
            signal.signal(sig, signal.SIG_IGN)
        send(conn, {"pid": os.getpid()})  # before anything else on this connection
        threading.Thread(target=_end_with_caller, args=(conn,), name="seedcheck-caller-watch", daemon=True).start()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(message["cwd"])
        os.environ.clear()
        os.environ.update(message["env"])
        time.tzset()  # the caller's TZ: "today" is the caller's
        tempfile.tempdir = None  # the caller's TMPDIR, read again at the next use
        os.umask(int(message["umask"]))
        _streams(message["streams"])
        args = [str(a) for a in message["args"]]
        sys.argv = ["seedcheck", *args]
        code = _run(args)
    except BaseException as exc:  # noqa: BLE001 - whatever happened, the caller gets a status
        code = 2
        try:
            print(f"seedcheck: the server could not run the check: {type(exc).__name__}: {exc}", file=sys.stderr)
        except (OSError, ValueError):
            pass
    finally:
        try:
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
        except (OSError, ValueError):
            pass
        try:
            conn.settimeout(5.0)
            send(conn, {"exit": code})
        except OSError:
            pass
        os._exit(code)


def _end_with_caller(conn: socket.socket) -> None:
    """The caller sends nothing more: a readable connection means it went away (killed, or
    its terminal closed); the check then stops as on SIGTERM, stopping its workers."""
    watch = select.poll()
    watch.register(conn, select.POLLIN | select.POLLHUP)
    while not watch.poll(1000):
        pass
    quiet = os.open(os.devnull, os.O_WRONLY)  # nothing more on a terminal whose process is gone
    for fd in (1, 2):
        os.dup2(quiet, fd)
    os.kill(os.getpid(), signal.SIGTERM)


def _streams(streams: list) -> None:
    """sys.stdin/stdout/stderr over the caller's descriptors, in the caller's encodings."""
    made = []
    for fd, (encoding, errors) in enumerate(streams):
        raw = io.FileIO(fd, "r" if fd == 0 else "w", closefd=False)
        buffered = io.BufferedReader(raw) if fd == 0 else io.BufferedWriter(raw)
        made.append(
            io.TextIOWrapper(
                buffered,
                encoding=encoding or "utf-8",
                errors=errors or "strict",
                newline="\n",  # as Python's own standard streams on a POSIX system
                line_buffering=fd == 2 or os.isatty(fd),
            )
        )
    sys.stdin, sys.stdout, sys.stderr = made
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = made


def _run(args: list[str]) -> int:
    from ..cli import main

    try:
        main.main(args, prog_name="seedcheck")
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr)
        return 1
    return 0
