"""`seedcheck server`: a check or fix run by the server is the one run by the caller (same
stdout, stderr, exit status and files written, in the caller's folder, environment and umask); Ctrl-C reaches
it and a killed caller stops it; a server whose code changed steps aside; an idle one
stops; the socket's folder must be private; nothing is made on disk without a server;
the server keeps no project's files in memory between checks. Every test stops the
servers it started (`servers` fixture)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT, SEEDS
from .corpus_factory import write_corpus

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "win32", reason="Unix sockets and fork"),
]


def _env(folder: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SEEDCHECK_NO_SERVER"}  # conftest keeps servers out
    return {**env, "SEEDCHECK_SERVER_DIR": str(folder), **extra}


def _seedcheck(args, env, cwd: Path = ROOT, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "seedcheck", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        **options,
    )


def _pid(env) -> int | None:
    status = _seedcheck(["server", "status"], env).stdout
    return int(status.split("pid ")[1].split(")")[0]) if status.startswith("seedcheck server: running") else None


def _gone(pid: int, within: float = 15.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def servers(tmp_path):
    """A private server folder; every server started there is stopped afterwards."""
    folder = tmp_path / "run"
    env = _env(folder)
    started: list[int] = []

    def start(*options: str) -> int:
        proc = _seedcheck(["server", "start", *options], env)
        assert proc.returncode == 0, proc.stderr
        pid = _pid(env)
        assert pid is not None
        started.append(pid)
        return pid

    yield env, start
    _seedcheck(["server", "stop"], env)
    for pid in started:
        if not _gone(pid, 5):
            os.kill(pid, signal.SIGKILL)


def test_a_check_through_the_server_is_the_check_run_here(servers, tmp_path):
    env, start = servers
    start()
    cache = tmp_path / "cache"
    checks = [
        ["check", "seeds", "--no-reports", "--no-baseline", "--fail-on", "error", "--format", "json"],
        ["check", "seeds", "--no-reports", "--fail-on", "never", "--format", "text"],
        ["check", "seeds/nope.txt", "--no-reports"],  # a path that does not exist
        ["check", "--bogus"],  # a usage error
    ]
    outputs = {}
    for args in checks:
        served = _seedcheck(args, {**env, "SEEDCHECK_CACHE_DIR": str(cache)})
        outputs[tuple(args)] = served.stdout
        here = _seedcheck(args, {**env, "SEEDCHECK_NO_SERVER": "1", "SEEDCHECK_CACHE_DIR": str(cache)})
        assert (served.returncode, served.stdout, served.stderr) == (here.returncode, here.stdout, here.stderr), args
        assert served.returncode == (1, 0, 2, 2)[checks.index(args)], served.stderr
    status = _seedcheck(["server", "status"], env).stdout
    assert f"{len(checks)} check(s)" in status, status  # every check above went through it
    # Relative paths above were the caller's (the server works in /); its environment came
    # along too: conftest's SEEDCHECK_NO_CACHE=1 kept the cache off, and without it the
    # check writes the cache where the caller's SEEDCHECK_CACHE_DIR says.
    assert not cache.exists()
    cached = _seedcheck(checks[1], {**env, "SEEDCHECK_NO_CACHE": "0", "SEEDCHECK_CACHE_DIR": str(cache)})
    assert cached.returncode == 0 and any(cache.iterdir())
    assert f"{len(checks) + 1} check(s)" in _seedcheck(["server", "status"], env).stdout
    # In-process runs whose output is captured (click's CliRunner) are not handed over.
    from click.testing import CliRunner

    from seedcheck.cli import main

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SEEDCHECK_NO_SERVER")
        patch.setenv("SEEDCHECK_SERVER_DIR", env["SEEDCHECK_SERVER_DIR"])
        patch.chdir(ROOT)
        captured = CliRunner().invoke(main, checks[1])
    assert captured.exit_code == 0 and captured.output == outputs[tuple(checks[1])]
    assert f"{len(checks) + 1} check(s)" in _seedcheck(["server", "status"], env).stdout
    # `seedcheck fix` too: the same files written, with the caller's umask, the same output.
    fixed = {}
    for how, extra in (("served", {}), ("here", {"SEEDCHECK_NO_SERVER": "1"})):
        folder = tmp_path / how
        shutil.copytree(SEEDS, folder)
        proc = subprocess.run(
            [
                "sh",
                "-c",
                f'umask 027 && "{sys.executable}" -m seedcheck fix . && exec "{sys.executable}" -m seedcheck '
                "check . --report-dir ../reports-" + how + " -q --fail-on never --format markdown",
            ],
            cwd=folder,
            env={**env, **extra},
            capture_output=True,
            text=True,
            check=False,
        )
        files = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
        modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / f"reports-{how}").iterdir()}
        fixed[how] = (proc.returncode, proc.stdout, proc.stderr, files, modes)
    assert fixed["served"] == fixed["here"]
    assert "fix: applied" in fixed["here"][2] and set(fixed["here"][4].values()) == {0o640}  # new files: umask 027
    assert f"{len(checks) + 3} check(s)" in _seedcheck(["server", "status"], env).stdout


def test_ctrl_c_reaches_the_check_and_a_killed_caller_stops_it(servers, tmp_path):
    env, start = servers
    server = start()
    corpus = tmp_path / "corpus"
    write_corpus(corpus, n=3000)
    args = [sys.executable, "-m", "seedcheck", "check", str(corpus), "--no-reports", "-q", "--format", "json"]
    for how in (signal.SIGINT, signal.SIGKILL):
        caller = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(3)  # the check is under way in the server's child
        children = _children(server)
        assert children, "the check runs in a child of the server"
        caller.send_signal(how)
        _, err = caller.communicate(timeout=60)
        if how == signal.SIGINT:
            assert caller.returncode == 130 and "interrupted" in err
        assert all(_gone(pid) for pid in children), how  # the check and its workers
    assert _pid(env) == server  # the server itself goes on


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_a_server_whose_code_changed_steps_aside(servers):
    import seedcheck.report.text as module

    env, start = servers
    server = start()
    path = Path(module.__file__)
    before = path.stat()
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    try:
        proc = _seedcheck(["check", "seeds", "--no-reports", "--fail-on", "never", "-q", "--format", "json"], env)
    finally:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    here = _seedcheck(["check", "seeds", "--no-reports", "--fail-on", "never", "-q", "--format", "json"], env)
    assert proc.returncode == 0 and proc.stdout == here.stdout  # checked here instead
    assert _gone(server) and _pid(env) is None


def test_an_idle_server_stops(servers):
    env, start = servers
    server = start("--idle-timeout", "1")
    assert _gone(server, 20)
    assert not list((Path(env["SEEDCHECK_SERVER_DIR"]) / f"seedcheck-{os.getuid()}").iterdir())  # socket removed


def test_the_socket_folder_must_be_private_and_is_not_made_without_a_server(tmp_path):
    env = _env(tmp_path / "run")
    proc = _seedcheck(["check", "seeds", "--no-reports", "--fail-on", "never", "-q"], env)
    assert proc.returncode == 0 and not (tmp_path / "run").exists()
    open_folder = tmp_path / "run" / f"seedcheck-{os.getuid()}"
    open_folder.mkdir(parents=True, mode=0o755)
    open_folder.chmod(0o755)
    refused = _seedcheck(["server", "start"], env)
    assert refused.returncode == 2 and "chmod 700" in refused.stderr
    assert _seedcheck(["check", "seeds", "--no-reports", "--fail-on", "never", "-q"], env).returncode == 0


def test_the_server_keeps_no_project_files_between_checks(tmp_path):
    # What the server computes before forking depends on seedcheck's code only: the caches
    # of rule files, schemas and lexicons a project may override are empty in it.
    code = """
import sys
from seedcheck.server import process
process.preload()
from seedcheck import config, model, schema
from seedcheck.rules import fields, registry
from seedcheck.rules.detectors import noise, noise_model
empty = [registry._load_specs_cached.cache_info().currsize, schema.load_schema.cache_info().currsize,
         config._repository_of.cache_info().currsize, len(noise._COMPILED), len(noise_model._PARAMS),
         len(model._FIELD_LINES)]
print(empty, len(fields.analyses()) > 0, "great_expectations" in sys.modules)
"""
    script = tmp_path / "preload.py"  # a file, not `python -c`: under -c pyspark's import may end the process
    script.write_text(code, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=False, cwd=SEEDS)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[0, 0, 0, 0, 0, 0] True True"


def test_the_server_flag_starts_one_for_the_next_runs(servers):
    # A pre-commit hook's environment has no shell to run `seedcheck server start` in:
    # `--server` (an argument of the hook) starts one when none runs, after its own run.
    env, _start = servers
    args = ["check", "seeds", "--no-reports", "--fail-on", "never", "-q", "--format", "json", "--server"]
    first = _seedcheck(args, env)
    here = _seedcheck(args[:-1], {**env, "SEEDCHECK_NO_SERVER": "1"})
    assert (first.returncode, first.stdout, first.stderr) == (here.returncode, here.stdout, here.stderr)
    deadline = time.monotonic() + 60
    while _pid(env) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    server = _pid(env)
    assert server is not None
    try:
        again = _seedcheck(args, env)
        assert (again.returncode, again.stdout) == (here.returncode, here.stdout)
        assert "1 check(s)" in _seedcheck(["server", "status"], env).stdout  # ran in it; no second server
        assert _pid(env) == server
    finally:
        _seedcheck(["server", "stop"], env)
        assert _gone(server)


def test_starting_a_server_where_none_can_run_says_why(monkeypatch):
    import socket

    from click.testing import CliRunner

    from seedcheck.cli import main

    monkeypatch.delattr(socket, "send_fds")  # as on Windows
    result = CliRunner().invoke(main, ["server", "start"])
    assert result.exit_code == 2 and "needs fork and Unix sockets" in result.output
