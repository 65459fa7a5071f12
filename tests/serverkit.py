"""What the `seedcheck server` tests share: runs of the CLI in a private server folder, and
the process table (the `servers` fixture is in conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def env_for(folder: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SEEDCHECK_NO_SERVER"}  # conftest keeps servers out
    return {**env, "SEEDCHECK_SERVER_DIR": str(folder), **extra}


def seedcheck(args, env, cwd: Path = ROOT, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "seedcheck", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        **options,
    )


def server_pid(env) -> int | None:
    status = seedcheck(["server", "status"], env).stdout
    return int(status.split("pid ")[1].split(")")[0]) if status.startswith("seedcheck server: running") else None


def gone(pid: int, within: float = 15.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state letter) of every process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[int(entry.name)] = (int(fields[1]), fields[0])
    return found


def descendants(pid: int) -> list[int]:
    table, found, frontier = processes(), [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, (ppid, _) in table.items() if ppid == parent]
        found += children
        frontier += children
    return found
