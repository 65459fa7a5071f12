"""Start-up time of the command line: what a pre-commit hook or a curator's re-run waits for.

Usage: python bench/startup.py [--runs 5] [--only NAME ...] [--importtime NAME]

Each case runs `seedcheck` in a fresh process `--runs` times from an empty temporary
folder (no project configuration is picked up) and prints the median wall time and the
median CPU time (user+sys of the process and its children: the machine is shared, so wall
time varies with load while CPU time does not much). Cases:

  seeds-cold   check seeds/ with --no-cache (every document checked, GX result not reused)
  seeds-warm   check seeds/ again with a cache directory filled by a first run
  one-file     check one file of seeds/ (cache warm, as a pre-commit hook re-runs it)
  one-edited   check one file that was edited since the last run (a line added before each
               run: its words change, so the schema and the expectations validate again)
  server-seeds-cold, server-one-edited
               the same two checks with a `seedcheck server` running (started once, not timed;
               stopped at the end): what a pre-commit hook waits for when the user keeps one;
               their CPU is the caller's only (the check runs in a child of the server)
  rules        seedcheck rules
  help         seedcheck --help
  version      seedcheck --version

`--src DIR` times other sources (an older commit: `git archive REV src | tar -x -C DIR`);
the byte-compiled modules are written once, as an installed package has them.
`--importtime NAME` runs that case once under `python -X importtime` and prints the
slowest imports (cumulative microseconds), to find what a command imports too early.
Results go to bench/results/startup.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CHECK = ["check", "--no-reports", "--fail-on", "never", "-q", "--format", "json"]


def cases(work: str) -> dict[str, tuple[list[str], dict[str, str]]]:
    """name -> (arguments after `seedcheck`, extra environment)."""
    one = str(min(SEEDS.glob("*.txt")))
    warm = {"SEEDCHECK_CACHE_DIR": os.path.join(work, "cache")}
    served = {"SEEDCHECK_SERVER_DIR": os.path.join(work, "run")}
    return {
        "seeds-cold": ([*CHECK, str(SEEDS), "--no-cache"], {}),
        "seeds-warm": ([*CHECK, str(SEEDS)], warm),
        "one-file": ([*CHECK, one], warm),
        "one-edited": ([*CHECK, os.path.join(work, "edited.txt")], warm),
        "server-seeds-cold": ([*CHECK, str(SEEDS), "--no-cache"], served),
        "server-one-edited": ([*CHECK, os.path.join(work, "edited.txt")], {**warm, **served}),
        "rules": (["rules"], {}),
        "help": (["--help"], {}),
        "version": (["--version"], {}),
    }


def command(args: list[str]) -> list[str]:
    # `python -m seedcheck` runs the same main() as the console script, under this interpreter.
    return [sys.executable, "-m", "seedcheck", *args]


def run_once(args: list[str], env: dict[str, str], cwd: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process tree) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        command(args), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)}: exit {done.returncode}: {done.stderr.decode()[-500:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def importtime(args: list[str], env: dict[str, str], cwd: str, top: int) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "seedcheck", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cumulative, name = (part.strip() for part in line.split("|", 2))
            rows.append((int(cumulative), name))
    for cumulative, name in sorted(rows, reverse=True)[:top]:
        print(f"{cumulative / 1000:9.1f} ms  {name}")


def _served_or_fail(env: dict[str, str], cwd: str, case: str) -> None:
    """A server refuses a caller whose process differs from its own (`wire.process_traits`)
    and the check then runs in the caller: a server case must not be timed that way."""
    status = subprocess.run(
        command(["server", "status"]), env=env, cwd=cwd, capture_output=True, text=True, check=False
    )
    if "ran in their caller instead" in status.stdout:
        raise SystemExit(f"{case}: the server refused the runs: {status.stdout.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="case names (default: all)")
    parser.add_argument("--importtime", metavar="NAME", help="print the slowest imports of one case instead")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--src", default=str(ROOT / "src"), help="the seedcheck sources to time (e.g. an older commit's)"
    )
    options = parser.parse_args()
    work = tempfile.mkdtemp(prefix="seedcheck-startup-")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [options.src, os.environ.get("PYTHONPATH")]))}
    env.pop("SEEDCHECK_NO_CACHE", None)
    env["SEEDCHECK_NO_SERVER"] = "1"  # a server only for the server- cases (none of the user's)
    # As installed: byte-compiled modules (without them every run compiles ~200 modules, 0.7 s).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    server_env = {k: v for k, v in env.items() if k != "SEEDCHECK_NO_SERVER"}
    server_env["SEEDCHECK_SERVER_DIR"] = os.path.join(work, "run")
    try:
        table = cases(work)
        edited = Path(work, "edited.txt")
        edited.write_bytes(min(SEEDS.glob("*.txt")).read_bytes())
        if options.importtime:
            args, extra = table[options.importtime]
            importtime(args, {**env, **extra}, work, options.top)
            return
        # Fill the cache once for each warm case (and compile every module) before anything is timed.
        for name in ("seeds-warm", "one-file", "one-edited"):
            run_once(table[name][0], {**env, **table[name][1]}, work)
        results = {}
        if not options.importtime and (not options.only or any(n.startswith("server-") for n in options.only)):
            run_once(["server", "start"], server_env, work)
        for name, (args, extra) in table.items():
            if options.only and name not in options.only:
                continue
            if name.startswith("server-"):
                extra = {**extra, "SEEDCHECK_NO_SERVER": ""}
            walls, cpus = [], []
            for run in range(options.runs):
                if name.endswith("one-edited"):
                    with edited.open("a", encoding="utf-8") as fh:
                        fh.write(f"\nA sentence added by edit number {run + 1} of this file.\n")
                wall, cpu = run_once(args, {**env, **extra}, work)
                walls.append(wall)
                cpus.append(cpu)
            if name.startswith("server-"):
                _served_or_fail(server_env, work, name)
            results[name] = {
                "wall_median": round(statistics.median(walls), 3),
                "cpu_median": round(statistics.median(cpus), 3),
                "wall": [round(w, 3) for w in walls],
                "command": "seedcheck " + " ".join(args),
            }
            print(
                f"{name:<17} wall {statistics.median(walls):6.2f} s   cpu {statistics.median(cpus):6.2f} s   "
                f"(wall min {min(walls):.2f}, max {max(walls):.2f})",
                flush=True,
            )
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        load = os.getloadavg()[0]
        (out / "startup.json").write_text(
            json.dumps({"load": load, "runs": options.runs, "src": options.src, "results": results}, indent=2) + "\n"
        )
        print(f"load average {load:.2f} (2 cores)")
    finally:
        subprocess.run(command(["server", "stop"]), env=server_env, capture_output=True, check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
