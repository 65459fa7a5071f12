"""The server's socket (a private folder of the user's, one per installation) and its
messages: a length-prefixed JSON object, the first one of a check carrying the caller's
standard streams as file descriptors."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import struct
import sys
import tempfile
from pathlib import Path
from typing import Any

IDLE_TIMEOUT = 3600  # seconds without a request before a server stops
_LENGTH = struct.Struct(">I")
STREAM_FDS = 3  # stdin, stdout, stderr


class ServerError(Exception):
    """No server can run or be reached here (the message says why)."""


def runtime_dir(create: bool = False) -> Path:
    """The folder of this user's server sockets (made, private, by `create`); one that is
    not a directory of this user's, or that others can enter, is refused: a client sends
    its environment to the socket there, and a server runs what comes through it."""
    base = os.environ.get("SEEDCHECK_SERVER_DIR") or os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    folder = Path(base) / f"seedcheck-{os.getuid()}"
    try:
        if create:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(folder)
    except FileNotFoundError:
        return folder  # no server was ever started here
    except OSError as exc:
        raise ServerError(f"cannot use {folder}: {exc.strerror}") from None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise ServerError(f"{folder} must be a directory of yours that only you can enter (chmod 700)")
    return folder


def address(create: bool = False) -> Path:
    """This installation's socket: one server per interpreter and seedcheck package."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"{sys.executable}\0{package}".encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return runtime_dir(create) / f"{digest}.sock"


LOCKED = "another server is starting or running"  # a server that lost the lock says so


def signal_quietly(pid: int, signum: int) -> None:
    """`os.kill`, where a process (or group, `pid` < 0) already gone is no error."""
    try:
        os.kill(pid, signum)
    except OSError:
        pass


# What Python reads once, at a process's start, and a forked child keeps from its server
# whatever the caller's environment says: the interpreter's variables (hash seed, warnings,
# UTF-8 mode...) and the character-type locale, the only category Python sets at start-up
# (seedcheck sets no other). A caller whose values differ runs its check itself.
_STARTUP_ENV = ("PYTHON",)
_LOCALE_ENV = frozenset({"LC_ALL", "LC_CTYPE", "LANG"})
# -X options that `sys.flags` already holds (the UTF-8 mode may also come from the locale).
_FLAG_XOPTIONS = frozenset({"utf8", "dev"})


def process_traits() -> dict[str, Any]:
    """What a check inherits from its process rather than reading from the environment
    (groups, resource limits, priority, CPUs; interpreter options; locale and Python
    variables read at start-up): a server runs a caller's check only when they match."""
    import resource

    limits = {name: resource.getrlimit(getattr(resource, name)) for name in dir(resource) if name.startswith("RLIMIT_")}
    traits: dict[str, Any] = {
        "gid": os.getegid(),
        "groups": sorted(os.getgroups()),
        "limits": {name: list(value) for name, value in sorted(limits.items())},
        "nice": os.getpriority(os.PRIO_PROCESS, 0),
        "flags": list(sys.flags),
        "warnoptions": list(sys.warnoptions),
        "xoptions": {str(k): str(v) for k, v in sorted(sys._xoptions.items()) if k not in _FLAG_XOPTIONS},
        "env": {k: v for k, v in sorted(os.environ.items()) if k.startswith(_STARTUP_ENV) or k in _LOCALE_ENV},
    }
    if hasattr(os, "sched_getaffinity"):
        traits["cpus"] = sorted(os.sched_getaffinity(0))
    return traits


def peer_uid(conn: socket.socket) -> int | None:
    """The user id of the process at the other end (None where the system does not say)."""
    if not hasattr(socket, "SO_PEERCRED"):
        return None
    size = struct.calcsize("3i")
    _pid, uid, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, size))
    return uid


# ------------------------------------------------------------------ messages


def send(conn: socket.socket, message: dict[str, Any], fds: list[int] | None = None) -> None:
    """Send `message` (JSON), with `fds` passed along with its first bytes when given."""
    payload = json.dumps(message).encode("utf-8", "surrogateescape")
    head = _LENGTH.pack(len(payload))
    if fds:
        socket.send_fds(conn, [head], fds)
    else:
        conn.sendall(head)
    conn.sendall(payload)


def _exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise EOFError("the other end closed the connection")
        data += chunk
    return data


def receive(conn: socket.socket, with_fds: bool = False) -> tuple[dict[str, Any], list[int]]:
    """The next message and the descriptors that came with it (`with_fds`: up to three);
    EOFError when the other end closed the connection."""
    head, fds = b"", []
    if with_fds:
        head, fds, _flags, _address = socket.recv_fds(conn, _LENGTH.size, STREAM_FDS)
    head += _exactly(conn, _LENGTH.size - len(head))
    (size,) = _LENGTH.unpack(head)
    return json.loads(_exactly(conn, size).decode("utf-8", "surrogateescape")), fds


def connect(timeout: float = 2.0) -> socket.socket | None:
    """A connection to this installation's server, run by this user, or None when none
    listens. Makes nothing on disk."""
    if not hasattr(socket, "AF_UNIX") or not hasattr(socket, "send_fds"):
        return None
    try:
        path = address()
        if not path.exists():
            return None
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(timeout)
        conn.connect(str(path))
    except (OSError, ServerError):
        return None
    if peer_uid(conn) not in (None, os.getuid()):
        conn.close()
        return None
    return conn


def request(op: str) -> dict[str, Any] | None:
    """The server's answer to `status` or `stop`; None when no server listens."""
    conn = connect()
    if conn is None:
        return None
    with conn:
        try:
            send(conn, {"op": op})
            return receive(conn)[0]
        except (OSError, EOFError, ValueError):
            return None
