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


def test_ctrl_c_reaches_the_check_and_a_killed_caller_stops_it(servers, tmp_path):
    env, start = servers
    server = start()
    corpus = tmp_path / "corpus"
    write_corpus(corpus, n=3000)
    args = [sys.executable, "-m", "seedcheck", "check", str(corpus), "--no-reports", "-q", "--format", "json"]
    for how in (signal.SIGINT, signal.SIGKILL):
        caller = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(3)  # the check is under way in the server's child
        check = descendants(server)
        assert len(check) >= 3, "the check runs in a child of the server, with its two workers"
        caller.send_signal(how)
        _, err = caller.communicate(timeout=60)
        if how == signal.SIGINT:
            assert caller.returncode == 130 and "interrupted" in err
        else:
            assert "terminated" not in err  # a killed caller's terminal hears no more of its check
        assert all(gone(pid) for pid in check), how  # the check and its workers
    assert server_pid(env) == server  # the server itself goes on


def test_signals_the_caller_ignores_or_dies_of_and_ctrl_z(servers, tmp_path):
    env, start = servers
    server = start()
    corpus = tmp_path / "corpus"
    write_corpus(corpus, n=1500)
    check = f'"{sys.executable}" -m seedcheck check "{corpus}" --no-reports -q --fail-on never --format json'
    results = {}
    for how in ("served", "here"):
        extra = {} if how == "served" else {"SEEDCHECK_NO_SERVER": "1"}
        for trap in ("trap '' HUP; ", ""):  # SIGHUP ignored (nohup): the check goes on; else it ends the run
            caller = subprocess.Popen(
                ["sh", "-c", trap + "exec " + check],
                env={**env, **extra},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(2.5)
            caller.send_signal(signal.SIGHUP)
            results[how, trap] = caller.wait(timeout=120)
    assert results["served", "trap '' HUP; "] == results["here", "trap '' HUP; "] == 0
    assert results["served", ""] == results["here", ""] == -signal.SIGHUP
    # Ctrl-Z stops the check and its workers with the caller; `fg` resumes them all.
    caller = subprocess.Popen("exec " + check, shell=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(2.5)
    ours = descendants(server)
    assert len(ours) >= 3
    caller.send_signal(signal.SIGTSTP)
    time.sleep(1.0)
    states = processes()
    assert all(states[pid][1] == "T" for pid in ours if pid in states), states
    caller.send_signal(signal.SIGCONT)
    assert caller.wait(timeout=120) == 0, caller.stderr.read()


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
    if not script.exists():
        pytest.skip("no console script beside this interpreter")
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
