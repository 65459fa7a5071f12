"""`seedcheck server`: a check or fix run by the server is the one run by the caller (same
stdout, stderr, exit status and files written, in the caller's folder, environment, time
zone and umask); a caller whose process differs from the server's runs its check itself;
a server whose code changed steps aside; an idle one stops; the socket's folder must be
private; nothing is made on disk without a server; the server keeps no project's files in
memory between checks. Signals and start-up races: tests/test_server_process.py. Every
test stops the servers it started (`servers` fixture)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT, SEEDS
from .serverkit import env_for, gone, seedcheck, server_pid

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "win32", reason="Unix sockets and fork"),
]


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
        served = seedcheck(args, {**env, "SEEDCHECK_CACHE_DIR": str(cache)})
        outputs[tuple(args)] = served.stdout
        here = seedcheck(args, {**env, "SEEDCHECK_NO_SERVER": "1", "SEEDCHECK_CACHE_DIR": str(cache)})
        assert (served.returncode, served.stdout, served.stderr) == (here.returncode, here.stdout, here.stderr), args
        assert served.returncode == (1, 0, 2, 2)[checks.index(args)], served.stderr
    status = seedcheck(["server", "status"], env).stdout
    assert f"{len(checks)} check(s)" in status, status  # every check above went through it
    # Relative paths above were the caller's (the server works in /); its environment came
    # along too: conftest's SEEDCHECK_NO_CACHE=1 kept the cache off, and without it the
    # check writes the cache where the caller's SEEDCHECK_CACHE_DIR says.
    assert not cache.exists()
    cached = seedcheck(checks[1], {**env, "SEEDCHECK_NO_CACHE": "0", "SEEDCHECK_CACHE_DIR": str(cache)})
    assert cached.returncode == 0 and any(cache.iterdir())
    assert f"{len(checks) + 1} check(s)" in seedcheck(["server", "status"], env).stdout
    # In-process runs whose output is captured (click's CliRunner) are not handed over.
    from click.testing import CliRunner

    from seedcheck.cli import main

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SEEDCHECK_NO_SERVER")
        patch.setenv("SEEDCHECK_SERVER_DIR", env["SEEDCHECK_SERVER_DIR"])
        patch.chdir(ROOT)
        captured = CliRunner().invoke(main, checks[1])
    assert captured.exit_code == 0 and captured.output == outputs[tuple(checks[1])]
    assert f"{len(checks) + 1} check(s)" in seedcheck(["server", "status"], env).stdout
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
    assert f"{len(checks) + 3} check(s)" in seedcheck(["server", "status"], env).stdout


def test_a_server_whose_code_changed_steps_aside(tmp_path):
    # A module the server loaded at start-up (a sitecustomize on PYTHONPATH, so no file of
    # the package is touched) changes on disk: the next check runs in its caller.
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text("LOADED = True\n", encoding="utf-8")
    path = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    env = env_for(tmp_path / "run", PYTHONPATH=path)
    assert seedcheck(["server", "start"], env).returncode == 0
    server = server_pid(env)
    try:
        args = ["check", "seeds", "--no-reports", "--fail-on", "never", "-q", "--format", "json"]
        assert seedcheck(args, env).returncode == 0
        assert "1 check(s)" in seedcheck(["server", "status"], env).stdout  # served while unchanged
        (site / "sitecustomize.py").write_text("LOADED = 'again'\n", encoding="utf-8")
        proc = seedcheck(args, env)
        here = seedcheck(args, {**env, "SEEDCHECK_NO_SERVER": "1"})
        assert proc.returncode == 0 and proc.stdout == here.stdout  # checked here instead
        assert gone(server) and server_pid(env) is None
    finally:
        seedcheck(["server", "stop"], env)


def test_an_idle_server_stops(servers):
    env, start = servers
    server = start("--idle-timeout", "1")
    assert gone(server, 20)
    left = [p.suffix for p in (Path(env["SEEDCHECK_SERVER_DIR"]) / f"seedcheck-{os.getuid()}").iterdir()]
    assert left == [".lock"]  # the socket is removed; the lock file stays (removing it would race a new server)


def test_the_socket_folder_must_be_private_and_is_not_made_without_a_server(tmp_path):
    env = env_for(tmp_path / "run")
    proc = seedcheck(["check", "seeds", "--no-reports", "--fail-on", "never", "-q"], env)
    assert proc.returncode == 0 and not (tmp_path / "run").exists()
    open_folder = tmp_path / "run" / f"seedcheck-{os.getuid()}"
    open_folder.mkdir(parents=True, mode=0o755)
    open_folder.chmod(0o755)
    refused = seedcheck(["server", "start"], env)
    assert refused.returncode == 2 and "chmod 700" in refused.stderr
    assert seedcheck(["check", "seeds", "--no-reports", "--fail-on", "never", "-q"], env).returncode == 0


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
    first = seedcheck(args, env)
    here = seedcheck(args[:-1], {**env, "SEEDCHECK_NO_SERVER": "1"})
    assert (first.returncode, first.stdout, first.stderr) == (here.returncode, here.stdout, here.stderr)
    deadline = time.monotonic() + 60
    while server_pid(env) is None and time.monotonic() < deadline:
        time.sleep(0.2)
    server = server_pid(env)
    assert server is not None
    try:
        again = seedcheck(args, env)
        assert (again.returncode, again.stdout) == (here.returncode, here.stdout)
        assert "1 check(s)" in seedcheck(["server", "status"], env).stdout  # ran in it; no second server
        assert server_pid(env) == server
    finally:
        seedcheck(["server", "stop"], env)
        assert gone(server)


def test_starting_a_server_where_none_can_run_says_why(monkeypatch):
    import socket

    from click.testing import CliRunner

    from seedcheck.cli import main

    monkeypatch.delattr(socket, "send_fds")  # as on Windows
    result = CliRunner().invoke(main, ["server", "start"])
    assert result.exit_code == 2 and "needs fork and Unix sockets" in result.output


def test_the_callers_time_zone_applies_and_another_interpreter_setup_runs_here(servers, tmp_path):
    # "Today" is the caller's: a release dated today at UTC+14 is in the future at UTC-12
    # (26 hours apart, so at any hour), through the server as here.
    import datetime as dt

    env, start = servers
    start()
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=14))).date()
    folder = tmp_path / "dated"
    folder.mkdir()
    (folder / "release.md").write_text(
        f"---\ntitle: A dated release\ndate: {today.isoformat()}\nsource_url: https://example.gov/a\n---\n\n"
        "The department announced the programme today, and the minister said it would start soon.\n",
        encoding="utf-8",
    )
    args = ["check", str(folder), "--no-reports", "--fail-on", "never", "--format", "json"]
    outputs = {}
    for zone in ("Etc/GMT-14", "Etc/GMT+12"):
        served = seedcheck(args, {**env, "TZ": zone})
        here = seedcheck(args, {**env, "TZ": zone, "SEEDCHECK_NO_SERVER": "1"})
        assert (served.returncode, served.stdout, served.stderr) == (here.returncode, here.stdout, here.stderr)
        outputs[zone] = served.stdout
    assert "future-date" in outputs["Etc/GMT+12"] and "future-date" not in outputs["Etc/GMT-14"]
    assert "2 check(s)" in seedcheck(["server", "status"], env).stdout
    # What Python reads once at start-up (here a warnings option) cannot be the caller's in
    # a child of the server: such a caller runs its check itself, and `status` says why.
    warned = {**env, "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    other, here = seedcheck(args, warned), seedcheck(args, {**warned, "SEEDCHECK_NO_SERVER": "1"})
    assert (other.returncode, other.stdout, other.stderr) == (here.returncode, here.stdout, here.stderr)
    status = seedcheck(["server", "status"], env).stdout
    assert "2 check(s)" in status and "1 check(s) ran in their caller instead" in status and "env" in status


@pytest.mark.parametrize(
    "options, locale",
    [([], {"LANG": "C"}), (["-X", "utf8", "-W", "ignore::DeprecationWarning"], {}), (["-B", "-s"], {})],
    ids=["C locale", "-X utf8 -W", "-B -s"],
)
def test_a_server_serves_the_environment_it_was_started_from(tmp_path, options, locale):
    # The C locale turns Python's UTF-8 mode on and sets LC_CTYPE=C.UTF-8, which the server
    # inherits (and would not turn the mode on); interpreter options are the caller's too.
    env = {k: v for k, v in env_for(tmp_path / "run").items() if k not in ("LC_ALL", "LC_CTYPE", "LANG")}
    env.update(locale)
    command = [sys.executable, *options, "-m", "seedcheck"]
    try:
        started = subprocess.run([*command, "server", "start"], env=env, capture_output=True, check=False, cwd=ROOT)
        assert started.returncode == 0, started.stderr
        checked = subprocess.run(
            [*command, "check", "seeds", "--no-reports", "-q", "--fail-on", "never"],
            env=env,
            capture_output=True,
            check=False,
            cwd=ROOT,
        )
        status = subprocess.run([*command, "server", "status"], env=env, capture_output=True, text=True, check=False)
        assert checked.returncode == 0 and "1 check(s)" in status.stdout and "instead" not in status.stdout, status
    finally:
        subprocess.run([*command, "server", "stop"], env=env, capture_output=True, check=False)
