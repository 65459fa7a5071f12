"""A run that is stopped (SIGTERM from CI or `timeout`, SIGKILL, Ctrl-C) leaves no process
behind, and says how it ended: 143 for SIGTERM, 130 for Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture
def corpus(tmp_path):
    """Enough documents for the worker pool (64 files or more) and a run of several seconds."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for i in range(400):
        body = " ".join(f"The leaders of country {i} and {j} met today to discuss trade." for j in range(60))
        (folder / f"d{i:03}.md").write_text(f"Title: Doc {i}\n\n{body}\n", encoding="utf-8")
    return folder


@pytest.fixture
def started():
    """Start `seedcheck check` runs in their own session; kill whatever is left at the end,
    so the suite itself never leaks a process."""
    procs: list[subprocess.Popen] = []
    seen: set[psutil.Process] = set()

    def start(folder) -> tuple[subprocess.Popen, set[psutil.Process]]:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "seedcheck.cli",
                "check",
                str(folder),
                "--jobs",
                "2",
                "--no-cache",
                "--no-reports",
                "-q",
                "--fail-on",
                "never",
            ],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_as_from_a_terminal,  # noqa: PLW1509 - resets signals only, before exec
        )
        procs.append(proc)
        workers = _wait_for_workers(proc, 3)  # the GX worker and two pool workers
        seen.update(workers)
        return proc, workers

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    for p in seen:
        try:
            p.kill()
        except psutil.Error:
            pass


def _as_from_a_terminal() -> None:
    """The child starts with default signal handling, as from a shell: a blocked or ignored
    SIGINT left in the test process by earlier tests would otherwise be inherited (the run
    would then never see the Ctrl-C; seen twice in full-suite runs, never alone)."""
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _wait_for_workers(proc: subprocess.Popen, count: int, timeout: float = 120) -> set[psutil.Process]:
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            children = set(parent.children(recursive=True))
        except psutil.NoSuchProcess:
            break
        if len(children) >= count:
            return children
        time.sleep(0.05)
    pytest.fail(f"the run never had {count} worker processes (exit {proc.poll()})")


def _alive(processes: set[psutil.Process], timeout: float = 15) -> list[psutil.Process]:
    """The processes still running after `timeout` seconds (zombies count as gone)."""
    deadline = time.monotonic() + timeout
    while True:
        left = []
        for p in processes:
            try:
                if p.status() != psutil.STATUS_ZOMBIE:
                    left.append(p)
            except psutil.NoSuchProcess:
                pass
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def test_sigterm_stops_the_workers_and_exits_143(corpus, started):
    proc, workers = started(corpus)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert err.decode().strip().splitlines()[-1] == "seedcheck: terminated"
    assert _alive(workers) == []


def test_sigkill_leaves_no_worker_behind(corpus, started):
    proc, workers = started(corpus)
    proc.kill()
    proc.wait(timeout=30)
    assert _alive(workers) == []


def test_ctrl_c_exits_130_and_leaves_no_worker(corpus, started):
    proc, workers = started(corpus)
    os.killpg(proc.pid, signal.SIGINT)  # the terminal sends it to the whole process group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err.decode()
    assert _alive(workers) == []


def test_workers_never_collect_what_they_inherited(tmp_path, monkeypatch):
    # Forked workers inherit the run's objects (every `Source`); a worker's collection that
    # visited them would write to their headers and get a private copy of each page
    # (bench/README.md: about 100 MB per worker at 1,000,000 files). `lifecycle.forking`
    # freezes them for the fork, and this process collects them again afterwards.
    import gc

    from seedcheck import document_stage
    from seedcheck.config import Config, apply
    from seedcheck.pipeline import run

    folder = tmp_path / "corpus"
    folder.mkdir()
    for i in range(80):  # enough for the worker pool (64 files or more)
        (folder / f"d{i:02}.md").write_text(f"Title: Doc {i}\n\nThe leaders met today to discuss trade.\n")
    counts = tmp_path / "frozen"  # each worker writes its count to a file of its own
    counts.mkdir()
    real_init = document_stage._init_worker

    def init(*args):
        # A file per worker, not slots of one shared array: two workers start at once, and
        # both took the first free slot when they read it at the same time.
        (counts / str(os.getpid())).write_text(str(gc.get_freeze_count()))
        real_init(*args)

    monkeypatch.setattr(document_stage, "_init_worker", init)
    inherited = len(gc.get_objects())
    config = apply(Config(root=tmp_path), {"ignore": ["expectation-failed"]}, where="test")  # no GX import
    result = run(config, [str(folder)], jobs=2)
    assert len(result.documents) == 80
    frozen = [int(f.read_text()) for f in counts.iterdir()]
    assert len(frozen) == 2 and all(n >= inherited // 2 for n in frozen), (frozen, inherited)
    assert gc.get_freeze_count() == 0
