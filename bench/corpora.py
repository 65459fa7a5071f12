"""The real corpora of ../shared, extracted once into bench/work/ (git-ignored)."""

from __future__ import annotations

import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
WORK = ROOT / "bench" / "work"
RELEASES = SHARED / "corpora" / "wh-briefings-2021-2025.tar.gz"
SAMPLE = SHARED / "corpora" / "wh-briefings-2025-2026-sample.tar.gz"


def unpack(tarball: Path, work: Path = WORK) -> Path:
    """Extract `tarball` under `work/<name>/` once (a marker file records completion)."""
    target = work / tarball.name.removesuffix(".tar.gz")
    marker = target / ".extracted"
    if not marker.exists():
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarball) as tar:
            tar.extractall(target, filter="data")
        marker.write_text("ok\n")
    return target
