"""pre-commit itself runs seedcheck's hooks (`.pre-commit-hooks.yaml`) in a corpus repository.

The hooks repository is a clone of this working tree (uncommitted changes included, committed
in the clone), so pre-commit never runs git in the project checkout. pre-commit installs the
hook environment with pip from that clone (language: python); seedcheck's dependencies come
from the test environment's site-packages (PYTHONPATH), so nothing but the build backend
comes from the package index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")]
pytest.importorskip("pre_commit")

NOISY = (
    "---\ntitle: A\ndate: '2021-03-01'\nsource_url: https://www.whitehouse.gov/briefing-room/a/\n---\n"
    "The two leaders met today and agreed to work together on migration and trade.\n\n"
    "Follow us on Twitter\n\nThey will meet again in the spring to review the progress made.\n"
)
README = '<p align="center"><img src="logo.png"></p>\n\nFollow us on Twitter\n\nA &mdash; corpus &copy; 2026\n'
BASELINE = '{"schema_version": 1, "entries": [{"fingerprint": "x", "rule": "r", "doc_id": "", "excerpt": "\\\\###"}]}\n'


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory) -> Path:
    """A clone of this repository with the working tree's tracked files as they are now."""
    clone = tmp_path_factory.mktemp("hooks") / "seedcheck-src"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], check=True, capture_output=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    for name in ("LICENSE", "src/seedcheck/py.typed", "src/seedcheck/lifecycle.py"):  # new files, maybe not tracked yet
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, clone / name)
    git(clone, "add", "-A")
    git(clone, "commit", "-qm", "working tree", "--allow-empty")
    return clone


@pytest.fixture
def corpus_repo(tmp_path) -> Path:
    repo = tmp_path / "corpus-repo"
    (repo / "docs").mkdir(parents=True)
    (repo / "pyproject.toml").write_text(
        '[tool.seedcheck]\npaths = ["docs"]\nbaseline = "seedcheck-baseline.json"\n'
        'select = ["noise-social", "missing-date"]\n',
        encoding="utf-8",
    )
    (repo / "docs" / "a.md").write_text(NOISY, encoding="utf-8")
    (repo / "README.md").write_text(README, encoding="utf-8")
    (repo / "seedcheck-baseline.json").write_text(BASELINE, encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    return repo


def pre_commit(repo: Path, hooks: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "PIP_", "VIRTUALENV_"))}
    # The hook environment sees the test environment's packages (seedcheck's dependencies),
    # but not this checkout's sources: the seedcheck it runs is the one pip installed.
    env.update(
        PRE_COMMIT_HOME=str(home), PYTHONPATH=sysconfig.get_paths()["purelib"], PIP_DISABLE_PIP_VERSION_CHECK="1"
    )
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), *args, "--color", "never"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_precommit_hooks_touch_only_the_corpus_and_show_only_new_findings(hooks_repo, corpus_repo, tmp_path):
    home = tmp_path / "pre-commit-home"
    proc = pre_commit(corpus_repo, hooks_repo, home, "seedcheck-fix", "--all-files")
    assert proc.returncode == 1, proc.stdout + proc.stderr  # pre-commit fails a hook that changed files
    assert "Follow us" not in (corpus_repo / "docs" / "a.md").read_text()
    assert (corpus_repo / "README.md").read_text() == README
    assert (corpus_repo / "seedcheck-baseline.json").read_text() == BASELINE
    assert "fix: applied 1 fix(es) in 1 file(s)" in proc.stdout

    # The gate: a baselined finding is not shown, a new one is, and fails the commit.
    (corpus_repo / "docs" / "old.md").write_text("Untitled\n\nNo date.\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    subprocess.run(
        [sys.executable, "-m", "seedcheck.cli", "check", "-q", "--update-baseline"],
        cwd=corpus_repo,
        env=env,
        check=True,
        capture_output=True,
    )
    (corpus_repo / "docs" / "new.md").write_text("Untitled too\n\nNo date either.\n", encoding="utf-8")
    git(corpus_repo, "add", ".")
    proc = pre_commit(corpus_repo, hooks_repo, home, "seedcheck", "--all-files")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "new.md" in proc.stdout and "old.md" not in proc.stdout
    assert "1 baselined finding(s) not shown" in proc.stdout
