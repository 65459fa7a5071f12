"""Two versions of seedcheck on the same command, alternately: is a change faster, and does it
write the same output?

    python bench/ab.py --base REV [--runs 5] [--cwd DIR] -- seedcheck check CORPUS --no-cache ...

The machine's speed drifts by ±10-30% within minutes (other work, memory reclaim), so one
run of each version compares the moments they ran in, not the versions. This runs the
command `--runs` times with each version, in pairs whose order alternates (base first, then
this checkout first, ...), so a drift falls on both sides, and reports for each pair the
wall and CPU seconds (the command's process tree) and the difference, then the mean and
median of each side, the mean difference with its standard deviation and how many pairs
the checkout won. A difference smaller than its standard deviation is no difference.

The base version is `git archive REV src checks schemas` in a temporary folder; the checkout
is this repository's `src/`. Both run as `python -m seedcheck` with `PYTHONPATH` on their
sources, from `--cwd` (default: an empty temporary folder, so no project configuration is
picked up). The stage seconds come from `$SEEDCHECK_TIMINGS`; the MD5 of each run's stdout
says whether the two versions print the same (compare report files yourself: `cmp`).
Results go to `bench/results/ab-<timestamp>.json` (git-ignored).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def base_sources(rev: str, into: Path) -> Path:
    """REV's `src`, `checks` and `schemas` extracted under `into`; returns its `src`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "src", "checks", "schemas"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def run_once(src: Path, command: list[str], cwd: Path) -> dict:
    """One run of `command` (its leading `seedcheck` as `python -m seedcheck` on `src`)."""
    argv = [sys.executable, "-m", "seedcheck", *command[1:]] if command[0] == "seedcheck" else command
    with tempfile.NamedTemporaryFile(suffix=".json") as timings:
        env = dict(os.environ, PYTHONPATH=str(src), SEEDCHECK_TIMINGS=timings.name)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        try:
            stages = json.loads(Path(timings.name).read_text() or "{}")
        except ValueError:
            stages = {}
    return {
        "wall": round(wall, 2),
        "cpu": round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 2),
        "returncode": done.returncode,
        "stdout_md5": hashlib.md5(done.stdout).hexdigest(),
        "stages": stages,
    }


def _summary(name: str, base: list[float], new: list[float]) -> dict:
    diffs = [b - n for b, n in zip(base, new)]
    spread = statistics.stdev(diffs) if len(diffs) > 1 else 0.0
    print(
        f"{name}: base mean {statistics.mean(base):.2f} median {statistics.median(base):.2f}; "
        f"checkout mean {statistics.mean(new):.2f} median {statistics.median(new):.2f}; "
        f"base - checkout {statistics.mean(diffs):+.2f} ± {spread:.2f} s, "
        f"checkout faster in {sum(d > 0 for d in diffs)} of {len(diffs)} pairs"
    )
    return {"base": base, "checkout": new, "mean_difference": statistics.mean(diffs), "stdev": spread}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the git revision to compare with (e.g. HEAD~1, main)")
    parser.add_argument("--runs", type=int, default=5, help="pairs of runs")
    parser.add_argument("--cwd", type=Path, default=None, help="folder to run in (default: an empty one)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- seedcheck check ...")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command after --")
    with tempfile.TemporaryDirectory(prefix="seedcheck-ab-") as tmp:
        base_src, new_src = base_sources(args.base, Path(tmp)), ROOT / "src"
        cwd = args.cwd or Path(tmp) / "run"
        cwd.mkdir(exist_ok=True)
        pairs = []
        for i in range(args.runs):
            order = [("base", base_src), ("checkout", new_src)]
            pair = {name: run_once(src, command, cwd) for name, src in (order if i % 2 == 0 else order[::-1])}
            pairs.append(pair)
            b, n = pair["base"], pair["checkout"]
            print(
                f"pair {i + 1}: base {b['wall']:7.2f} s wall {b['cpu']:7.2f} s CPU | checkout {n['wall']:7.2f} s wall "
                f"{n['cpu']:7.2f} s CPU | same stdout: {b['stdout_md5'] == n['stdout_md5']} "
                f"| exit {b['returncode']}/{n['returncode']}",
                flush=True,
            )
    report = {
        "base": args.base,
        "command": command,
        "pairs": pairs,
        "load_average": os.getloadavg(),
        "wall": _summary("wall", [p["base"]["wall"] for p in pairs], [p["checkout"]["wall"] for p in pairs]),
        "cpu": _summary("CPU ", [p["base"]["cpu"] for p in pairs], [p["checkout"]["cpu"] for p in pairs]),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"ab-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"results: {out}")


if __name__ == "__main__":
    main()
