"""`seedcheck server` and the caller's process: Ctrl-C, SIGTERM and SIGHUP reach the check
(not when the caller ignores them), Ctrl-Z stops it with its workers, a killed caller stops it
and its terminal hears no more; two servers started at once leave one; nothing is imported
from the folder a server was started in. Every test stops the servers it started."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import SEEDS
from .corpus_factory import write_corpus
from .serverkit import descendants, env_for, gone, processes, seedcheck, server_pid

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "win32", reason="Unix sockets and fork"),
]


def _under_way(parent: int, processes_at_least: int, within: float = 60.0) -> list[int]:
    """The live descendants of `parent` once there are that many (a check and its workers)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        states = processes()
        found = [pid for pid in descendants(parent) if states.get(pid, (0, "Z"))[1] != "Z"]
        if len(found) >= processes_at_least:
            return found
        time.sleep(0.1)
    raise AssertionError(f"fewer than {processes_at_least} processes under {parent} after {within} s")


def _idle(server: int, within: float = 30.0) -> None:
    """Wait until the server's earlier checks (reaped within a quarter of a second) are gone."""
    deadline = time.monotonic() + within
    while descendants(server) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not descendants(server), processes()


def _sighup(disposition):
    """For `preexec_fn`: SIGHUP ignored or not, whatever the suite inherited (`nohup`)."""
    return lambda: signal.signal(signal.SIGHUP, disposition)


@pytest.fixture
def long_check(servers, tmp_path):
    """(environment, pid of a running server, a corpus whose check takes several seconds)."""
    env, start = servers
    corpus = tmp_path / "corpus"
    write_corpus(corpus, n=1500)
    return env, start(), corpus


def test_ctrl_c_reaches_the_check_and_a_killed_caller_stops_it(long_check):
    env, server, corpus = long_check
    args = [sys.executable, "-m", "seedcheck", "check", str(corpus), "--no-reports", "-q", "--format", "json"]
    for how in (signal.SIGINT, signal.SIGKILL):
        _idle(server)
        caller = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        check = _under_way(server, 3)  # the check runs in a child of the server, with its two workers
        caller.send_signal(how)
        _, err = caller.communicate(timeout=60)
        if how == signal.SIGINT:
            assert caller.returncode == 130 and "interrupted" in err
        else:
            assert "terminated" not in err  # a killed caller's terminal hears no more of its check
        assert all(gone(pid) for pid in check), how  # the check and its workers
    assert server_pid(env) == server  # the server itself goes on


def test_signals_the_caller_ignores_or_dies_of(long_check):
    env, server, corpus = long_check
    args = [sys.executable, "-m", "seedcheck", "check", str(corpus), "--no-reports", "-q", "--fail-on", "never"]
    results = {}
    for how in ("served", "here"):
        extra = {} if how == "served" else {"SEEDCHECK_NO_SERVER": "1"}
        for disposition in (signal.SIG_IGN, signal.SIG_DFL):  # ignored (nohup): the check goes on; else it ends
            _idle(server)
            caller = subprocess.Popen(
                args,
                env={**env, **extra},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                preexec_fn=_sighup(disposition),  # noqa: PLW1509 - no threads of ours run in the test process
            )
            _under_way(server if how == "served" else caller.pid, 3 if how == "served" else 2)
            caller.send_signal(signal.SIGHUP)
            results[how, disposition] = caller.wait(timeout=120)
    assert results["served", signal.SIG_IGN] == results["here", signal.SIG_IGN] == 0
    assert results["served", signal.SIG_DFL] == results["here", signal.SIG_DFL] == -signal.SIGHUP


def test_ctrl_z_stops_the_check_with_its_caller(long_check):
    env, server, corpus = long_check
    args = [sys.executable, "-m", "seedcheck", "check", str(corpus), "--no-reports", "-q", "--fail-on", "never"]
    for then in ("resume", "kill"):
        # A process group of its own, as a shell's job: an orphaned group would drop SIGTSTP.
        _idle(server)
        caller = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, process_group=0)
        check = _under_way(server, 3)
        caller.send_signal(signal.SIGTSTP)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not all(processes().get(p, (0, "T"))[1] == "T" for p in check):
            time.sleep(0.1)
        states = processes()
        assert all(states.get(p, (0, "T"))[1] == "T" for p in [caller.pid, *check]), {p: states.get(p) for p in check}
        if then == "resume":  # `fg`: the check and its workers go on, to the end
            caller.send_signal(signal.SIGCONT)
            assert caller.wait(timeout=120) == 0, caller.stderr.read()
        else:  # `kill -9 %1` of a stopped job: its check must not stay stopped in the server
            caller.kill()
            caller.wait(timeout=10)
            assert all(gone(pid, 30) for pid in check), processes()


def test_two_starts_at_once_leave_one_server(servers):
    env, _start = servers
    starts = [
        subprocess.Popen(
            [sys.executable, "-m", "seedcheck", "server", "start"], env=env, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    said = [p.communicate(timeout=120)[1] for p in starts]
    server = server_pid(env)
    assert server is not None and all(p.returncode == 0 for p in starts), said
    assert all(f"(pid {server})" in text for text in said), said  # both name the one server


def test_two_servers_started_at_once_leave_one(tmp_path):
    env = env_for(tmp_path / "run")
    spawned = [
        subprocess.Popen(
            [sys.executable, "-m", "seedcheck.server", "600"], env=env, stderr=subprocess.PIPE, text=True, cwd="/"
        )
        for _ in range(2)
    ]
    try:
        loser = next(p for p in _first_to_end(spawned, 60))
        assert loser.returncode == 1 and "another server is starting or running" in loser.stderr.read()
        deadline = time.monotonic() + 60
        while server_pid(env) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert server_pid(env) == next(p.pid for p in spawned if p is not loser)
    finally:
        seedcheck(["server", "stop"], env)
        for process in spawned:
            if process.poll() is None:
                process.kill()
            process.wait()


def _first_to_end(processes: list[subprocess.Popen], within: float):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                yield process
                return
        time.sleep(0.05)


def test_the_server_imports_nothing_from_the_folder_it_was_started_in(servers, tmp_path):
    # `python -m` puts its starting folder on the import path; a corpus folder could hold a
    # `csv.py` (pandas imports csv). The console script, as users run it, must not let it in.
    env, _start = servers
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    marker = tmp_path / "imported"
    (folder / "csv.py").write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    script = Path(sys.executable).parent / "seedcheck"
    assert script.exists(), "the install (make) puts the console script beside the interpreter"
    started = subprocess.run([str(script), "server", "start"], cwd=folder, env=env, capture_output=True, check=False)
    assert started.returncode == 0, started.stderr
    checked = subprocess.run(
        [str(script), "check", ".", "--no-reports", "-q", "--fail-on", "never"],
        cwd=folder,
        env=env,
        capture_output=True,
        check=False,
    )
    assert checked.returncode == 0 and "1 check(s)" in seedcheck(["server", "status"], env).stdout
    assert not marker.exists()
