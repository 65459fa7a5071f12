"""Shared fixtures: the repository root, the seeds, and a runner for the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"

# Every run in the suite checks its files afresh (tests monkeypatch rules, and the CLI's
# cache would live in the repository); tests/test_cache.py turns the cache on where it
# is the subject. Set here so that CLI subprocesses inherit it.
os.environ["SEEDCHECK_NO_CACHE"] = "1"
# A `seedcheck server` the developer runs must not check the suite's CLI runs (it runs the
# code it loaded, not this tree's if that changed since); the server tests lift this.
os.environ["SEEDCHECK_NO_SERVER"] = "1"


@pytest.fixture
def root() -> Path:
    return ROOT


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run `seedcheck ARGS` in a subprocess (so exit codes are real)."""
    return subprocess.run(
        [sys.executable, "-m", "seedcheck.cli", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="session")
def seeds_result(tmp_path_factory):
    """findings.json of the seeds, computed once per session."""
    out = tmp_path_factory.mktemp("seed-reports")
    proc = run_cli("check", str(SEEDS), "--report-dir", str(out), "--quiet", "--fail-on", "never")
    assert proc.returncode == 0, proc.stderr
    return json.loads((out / "findings.json").read_text(encoding="utf-8"))


def run_rules(paths, select: str, **settings):
    """Run the real pipeline in-process on `paths` with only `select` (comma-separated) enabled."""
    from seedcheck.config import Config, apply
    from seedcheck.pipeline import run

    config = Config(root=ROOT)
    apply(config, {"select": select.split(","), **settings}, where="test")
    return run(config, [str(p) for p in paths], jobs=1)


def write_doc(tmp_path: Path, name: str, text: str) -> Path:
    """Write one UTF-8 document under `tmp_path` and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def servers(tmp_path):
    """A private server folder (tests/test_server*.py); every server started there is stopped afterwards."""
    from .serverkit import env_for, gone, seedcheck, server_pid

    folder = tmp_path / "run"
    env = env_for(folder)
    started: list[int] = []

    def start(*options: str) -> int:
        proc = seedcheck(["server", "start", *options], env)
        assert proc.returncode == 0, proc.stderr
        pid = server_pid(env)
        assert pid is not None
        started.append(pid)
        return pid

    yield env, start
    seedcheck(["server", "stop"], env)
    for pid in started:
        if not gone(pid, 5):
            os.kill(pid, signal.SIGKILL)
