"""The local engine against the Spark engine (`local[2]`) on one generated corpus.

    python bench/spark_vs_local.py [--size 100000] [--master 'local[2]'] [--jobs 2]

`make bench` runs it through `bench/run.py --spark`. Both engines run the full check as a
user runs it (all rules, expectations, reports; Spark also writes the partitioned
findings) as a subprocess, one after the other. Per engine: wall seconds, docs/s, CPU
seconds (user + system of the whole process tree, from `getrusage(RUSAGE_CHILDREN)`),
the peak RSS of the driver (the `seedcheck` process itself), the largest peak RSS of any
other process (for Spark, the JVM), the peak PSS of the whole tree, and whether the two
findings.json summaries agree. Results go to `bench/results/spark-<timestamp>.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_corpus import make_corpus
from run import measure as run_measure

BIN = Path(sys.executable).parent
WORK = HERE / "work"
RESULTS = HERE / "results"


def measure(cmd: list[str], env: dict) -> dict:
    """`run.measure` (wall, CPU of the whole tree including the JVM, peak PSS sampled at a
    bounded cost) under this bench's names: the driver's peak RSS, its largest
    descendant's (the JVM), the tree's PSS."""
    m = run_measure(cmd, env=env)
    return {
        "wall": round(m["wall"], 2),
        "cpu": round(m["cpu"], 1),
        "driver_peak_rss_mb": round(m["peak_rss_root_mb"]),
        "largest_other_peak_rss_mb": round(m["peak_rss_child_mb"]),
        "tree_peak_pss_mb": round(m["peak_rss_mb"]),
        "returncode": m["returncode"],
        "stderr": m["stderr"][-1500:],
    }


def run_engine(corpus: Path, engine: str, jobs: int, master: str, workdir: Path) -> dict:
    """One full `seedcheck check` with `engine`; reports under `workdir/<engine>`."""
    reports = workdir / engine
    timings = workdir / f"timings-{engine}.json"
    timings.unlink(missing_ok=True)
    env = dict(os.environ, SEEDCHECK_TIMINGS=str(timings))
    cmd = [
        str(BIN / "seedcheck"),
        "check",
        str(corpus),
        "--quiet",
        "--fail-on",
        "never",
        "--no-baseline",
        "--report-dir",
        str(reports),
        "--jobs",
        str(jobs),
        "--engine",
        engine,
    ]
    if engine == "spark":
        cmd += ["--spark-master", master]
    m = measure(cmd, env)
    m["timings"] = json.loads(timings.read_text()) if timings.exists() else {}
    findings = reports / "findings.json"
    m["summary"] = json.loads(findings.read_text(encoding="utf-8"))["summary"] if findings.exists() else None
    return m


def finding_keys(reports: Path) -> set[tuple] | None:
    """Every finding of a run as (doc_id, rule, line, column, message): the summary alone
    could agree while findings differ."""
    path = reports / "findings.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        (f.get("doc_id"), f.get("rule"), f.get("line"), f.get("column"), f.get("message")) for f in data["findings"]
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="seedcheck: local engine vs Spark local[2]")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--jobs", type=int, default=2, help="--jobs of the local engine")
    parser.add_argument(
        "--reuse-local",
        action="store_true",
        help="take the local engine's run from the last run on this size (its reports and "
        "measurement under bench/work/spark-<size>/) instead of running it again",
    )
    args = parser.parse_args(argv)
    corpus = WORK / f"c{args.size}"
    manifest = make_corpus(args.size, corpus)
    workdir = WORK / f"spark-{args.size}"
    workdir.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    results = {}
    for engine in ("local", "spark"):
        saved = workdir / f"measure-{engine}.json"
        if engine == "local" and args.reuse_local and saved.exists():
            results[engine] = m = json.loads(saved.read_text())
            print(f"local: reused from {saved} (load then: {m.get('load_before')})", flush=True)
        else:
            print(f"{engine}: checking {manifest['n']:,} documents ...", flush=True)
            m = results[engine] = run_engine(corpus, engine, args.jobs, args.master, workdir)
            m["load_before"] = load if engine == "local" else os.getloadavg()
        n = manifest["n"]
        m["docs_per_s"] = round(n / m["wall"], 1) if m["returncode"] in (0, 1) else None
        m["docs_per_cpu_s"] = round(n / m["cpu"], 1) if m["returncode"] in (0, 1) and m["cpu"] else None
        print(
            f"  rc={m['returncode']} wall {m['wall']:.0f}s cpu {m['cpu']:.0f}s {m['docs_per_s']} docs/s "
            f"driver {m['driver_peak_rss_mb']} MB, largest other {m['largest_other_peak_rss_mb']} MB, "
            f"tree {m['tree_peak_pss_mb']} MB",
            flush=True,
        )
        if m["returncode"] not in (0, 1):
            print(m["stderr"], flush=True)
        saved.write_text(json.dumps(m, indent=2) + "\n")
    same = results["local"]["summary"] == results["spark"]["summary"] and results["local"]["summary"] is not None
    local_keys, spark_keys = finding_keys(workdir / "local"), finding_keys(workdir / "spark")
    only_local = len(local_keys - spark_keys) if local_keys is not None and spark_keys is not None else None
    only_spark = len(spark_keys - local_keys) if local_keys is not None and spark_keys is not None else None
    same = same and only_local == 0 and only_spark == 0
    print(
        f"same findings: {same} ({len(local_keys or ())} local; {only_local} only local, {only_spark} only Spark)"
        f"  (load average before: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f})"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"spark-{time.strftime('%Y%m%dT%H%M%S')}.json"
    target.write_text(
        json.dumps(
            {
                "documents": manifest["n"],
                "megabytes": round(manifest["bytes"] / 2**20, 1),
                "master": args.master,
                "jobs": args.jobs,
                "cpus": os.cpu_count(),
                "load_before": load,
                "same_findings": same,
                "findings_only_local": only_local,
                "findings_only_spark": only_spark,
                "engines": results,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"results: {target}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
