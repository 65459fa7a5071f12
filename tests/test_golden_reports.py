"""One reference output per writer: the seeds' reports compared byte for byte (after
replacing the repository's path and today's date) with `tests/golden/`.

A change that alters a report on purpose regenerates them:
`SEEDCHECK_UPDATE_GOLDEN=1 pytest tests/test_golden_reports.py` (then review the diff).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from seedcheck.report.markdown import md

from .conftest import ROOT, SEEDS

GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("SEEDCHECK_UPDATE_GOLDEN") == "1"
# Writer → the file it writes (report files) or "stdout" (the `--format` given to the run).
OUTPUTS = {
    "json": "findings.json",
    "junit": "junit.xml",
    "sarif": "findings.sarif",
    "markdown": "summary.md",
    "html": "report.html",
    "github": "stdout",
}


def _normalise(text: str, tmp: str) -> str:
    """What differs between checkouts and days: the paths and the date of the run."""
    for path, mark in ((str(ROOT), "<root>"), (tmp, "<tmp>")):
        # as written, JSON-escaped, and markdown-escaped (the summary escapes `-`, `_`, `.`)
        for form in (path, path.replace("/", "\\/"), md(path, limit=len(path) + 1)):
            text = text.replace(form, mark)
    return text.replace(dt.date.today().isoformat(), "<today>")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, str]:
    """Every writer's output for the seeds, from one run in a folder without configuration."""
    tmp = tmp_path_factory.mktemp("golden")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "seedcheck.cli",
            "check",
            str(SEEDS),
            "--report-dir",
            str(tmp / "reports"),
            "--no-cache",
            "--fail-on",
            "never",
            "--jobs",
            "1",
            "--format",
            "github",
        ],
        cwd=tmp,
        capture_output=True,
        text=True,
        env={**os.environ, "TZ": "UTC"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    found = {}
    for writer, name in OUTPUTS.items():
        text = proc.stdout if name == "stdout" else (tmp / "reports" / name).read_bytes().decode("utf-8")
        found[writer] = _normalise(text, str(tmp))
    return found


@pytest.mark.parametrize("writer", sorted(OUTPUTS))
def test_writer_matches_its_reference(outputs, writer):
    golden = GOLDEN / f"seeds.{writer}"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(outputs[writer], encoding="utf-8", newline="")
        pytest.skip(f"rewrote {golden.relative_to(ROOT)}")
    assert golden.is_file(), f"no reference output: run SEEDCHECK_UPDATE_GOLDEN=1 pytest {__file__}"
    expected = golden.read_bytes().decode("utf-8")
    assert outputs[writer] == expected, (
        f"{writer} output differs from {golden.relative_to(ROOT)}; if the change is intended, "
        "regenerate with SEEDCHECK_UPDATE_GOLDEN=1 and review the diff"
    )


def test_the_references_are_not_empty():
    """A reference that says nothing would compare equal to a broken writer's nothing."""
    files = sorted(GOLDEN.glob("seeds.*"))
    assert len(files) == len(OUTPUTS) or UPDATE
    for path in files:
        assert path.stat().st_size > 0 or UPDATE, path
