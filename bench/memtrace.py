"""Memory over time of a command and every process it starts.

    python bench/memtrace.py [--every 0.2] [--out trace.json] -- seedcheck check bench/work/c100000 ...

Samples the PSS (proportional set size: shared pages split between the processes sharing
them) of the command and each descendant every `--every` seconds, prints the peak of the
whole tree with each process's share at that moment and a coarse timeline, and writes every
sample as JSON. Combine with SEEDCHECK_TIMINGS=<file> to see which stage a peak falls in.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import psutil


def trace(cmd: list[str], every: float) -> tuple[int, list[dict]]:
    """Run `cmd`; return its exit code and the samples: {"t": seconds, "<pid>:<name>": MB, ...}."""
    started = time.perf_counter()
    proc = psutil.Popen(cmd)
    samples = []
    while proc.poll() is None:
        row: dict = {"t": round(time.perf_counter() - started, 1)}
        try:
            procs = [proc] + proc.children(recursive=True)
        except psutil.NoSuchProcess:
            break
        for p in procs:
            try:
                row[f"{p.pid}:{p.name()[:16]}"] = round(p.memory_full_info().pss / 2**20)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        samples.append(row)
        time.sleep(every)
    return proc.wait(), samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=float, default=0.2, help="seconds between samples")
    default_out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "memtrace.json")
    parser.add_argument("--out", default=default_out, help="where the samples go")
    parser.add_argument("cmd", nargs=argparse.REMAINDER, help="the command (after --)")
    args = parser.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        parser.error("no command given")
    code, samples = trace(cmd, args.every)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)  # a long run's samples are not lost
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(samples, fh)
    total = lambda row: sum(v for k, v in row.items() if k != "t")
    if samples:
        peak = max(samples, key=total)
        print(
            f"peak tree PSS {total(peak)} MB at {peak['t']} s: "
            + ", ".join(f"{k} {v} MB" for k, v in peak.items() if k != "t")
        )
        for row in samples[:: max(1, len(samples) // 40)]:
            print(
                f"{row['t']:8.1f} s  tree {total(row):6d} MB  "
                + "  ".join(f"{k}={v}" for k, v in row.items() if k != "t")
            )
    print(f"samples: {args.out}; exit code {code}")
    return code


if __name__ == "__main__":
    sys.exit(main())
