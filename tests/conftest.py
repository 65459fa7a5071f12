"""Shared fixtures: the repository root, the seeds, and a runner for the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def root() -> Path:
    return ROOT


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run `seedcheck ARGS` in a subprocess (so exit codes are real)."""
    return subprocess.run([sys.executable, "-m", "seedcheck.cli", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture(scope="session")
def seeds_result(tmp_path_factory):
    """findings.json of the seeds, computed once per session."""
    out = tmp_path_factory.mktemp("seed-reports")
    proc = run_cli("check", str(SEEDS), "--report-dir", str(out), "--quiet", "--fail-on", "never")
    assert proc.returncode == 0, proc.stderr
    return json.loads((out / "findings.json").read_text(encoding="utf-8"))
