"""`make bench`: seedcheck against its peers on generated corpora of the real releases.

    python bench/run.py [--sizes 1000 10000 100000] [--quick] [--jobs N] [--peer-limit M] [--no-releases]

It first runs every tool on the real releases as shipped (6,458 files), then on each size.

For each size it builds (or reuses) a corpus with `bench/make_corpus.py`, then runs, one
after another on the same documents and cores:

- `seedcheck check` (all rules, corpus rules, schema, expectations, writers) as a
  subprocess, every file checked (`--no-cache`); per-stage seconds come from
  $SEEDCHECK_TIMINGS; then twice with an empty cache directory (`--skip cache` to leave
  out): the run that fills the cache, and a re-run that finds every file unchanged;
- datatrove's C4 + Gopher quality + Gopher repetition + FineWeb filters as one pipeline
  (on the first `--peer-limit` documents only: it runs at tens of documents per second);
- great-expectations alone validating the records table of that seedcheck run;
- the floor: read every file and run one compiled regex over each line, in Python.

Every tool runs in its own process tree; peak memory is the largest sum of the PSS
(proportional set size: shared pages split among the processes that share them) of the
process and all its children, sampled with psutil as often as costs the tool at most 1% of
a core (every 0.1 s for small processes, every second or two for large ones: reading PSS walks
a process's pages); the largest single RSS and the largest sum of RSS are read every 100 ms.
Throughput is wall-clock,
start-up included; CPU seconds (user + system of the tool and all its descendants, from
`getrusage(RUSAGE_CHILDREN)`) give docs per CPU-second, which other load on the machine does
not distort. Results go to `bench/results/bench-<timestamp>.json` (git-ignored).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from make_corpus import make_corpus

BIN = Path(sys.executable).parent
WORK = HERE / "work"
RESULTS = HERE / "results"


# Reading a process's PSS (/proc/PID/smaps_rollup) walks its page tables: about 5 ms for
# a 450 MB worker, so three processes sampled every 0.1 s took 15-16% of a core from the
# tool being measured (seen in the 1,000,000-document shard run). PSS is sampled at most
# this share of the time; RSS (a cheap read) every POLL seconds.
PSS_SHARE = 0.01
POLL = 0.1


class _TreeSampler:
    """Peaks of a process tree's memory and the last CPU time seen of each of its processes."""

    def __init__(self, root) -> None:
        self.root = root
        self.pss = self.rss_sum = self.root_rss = self.child_rss = self.samples = 0
        self.cpu_seen: dict[int, float] = {}
        self.next_pss = 0.0

    def sample(self) -> None:
        """One poll: RSS and CPU times of every process (cheap), PSS when its turn has come."""
        now = time.perf_counter()
        with_pss = now >= self.next_pss
        pss = rss_sum = 0
        for p in [self.root, *self.root.children(recursive=True)]:
            try:
                with p.oneshot():
                    times = p.cpu_times()
                    info = p.memory_full_info() if with_pss else p.memory_info()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            self.cpu_seen[p.pid] = times.user + times.system
            rss_sum += info.rss
            # PSS splits pages shared by forked workers among them, so the sum does not
            # count the parent's imports once per worker.
            pss += getattr(info, "pss", info.rss)
            if p is self.root:
                self.root_rss = max(self.root_rss, info.rss)
            else:
                self.child_rss = max(self.child_rss, info.rss)
        self.rss_sum = max(self.rss_sum, rss_sum)
        if with_pss:
            self.pss, self.samples = max(self.pss, pss), self.samples + 1
            self.next_pss = now + max(POLL, (time.perf_counter() - now) / PSS_SHARE)


def measure(cmd: list[str], env: dict | None = None, cwd: Path = REPO) -> dict:
    """Run `cmd`; return wall seconds, CPU seconds, peak PSS of its whole process tree and
    peak RSS figures, exit code, stdout.

    PSS is sampled at most `PSS_SHARE` of the time, so the measuring costs the tool about
    1% of a core; the largest RSS sum, read every poll, bounds the PSS between two samples
    from above (`peak_rss_sum_mb`). CPU is the larger of `getrusage(RUSAGE_CHILDREN)` (every
    descendant that was waited for) and the sum of the last CPU time seen of each process
    of the tree (a JVM that pyspark starts is not waited for by the driver)."""
    # Output goes to files, not pipes: a full pipe would block the tool while we sample it.
    with tempfile.TemporaryFile("w+") as out_file, tempfile.TemporaryFile("w+") as err_file:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = psutil.Popen(cmd, cwd=cwd, env=env, stdout=out_file, stderr=err_file, text=True)
        tree = _TreeSampler(proc)
        while proc.poll() is None:
            try:
                tree.sample()
            except psutil.NoSuchProcess:
                break
            time.sleep(POLL)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        out_file.seek(0)
        err_file.seek(0)
        stdout, stderr = out_file.read(), err_file.read()
    mb = 2**20
    return {
        "wall": wall,
        "cpu": round(max(cpu, sum(tree.cpu_seen.values())), 3),
        "peak_rss_mb": round(tree.pss / mb, 1),  # the tree's PSS (the name is historical)
        "peak_rss_single_mb": round(max(tree.root_rss, tree.child_rss) / mb, 1),
        "peak_rss_root_mb": round(tree.root_rss / mb, 1),
        "peak_rss_child_mb": round(tree.child_rss / mb, 1),
        "peak_rss_sum_mb": round(tree.rss_sum / mb, 1),
        "pss_samples": tree.samples,
        "returncode": proc.returncode,
        "stdout": stdout,
        "stderr": stderr[-2000:],
    }


def findings_summary(findings: Path) -> dict:
    """The `summary` object of a findings.json, read from the file's head: the whole file
    of a million-document run is 6.7 GB (reading it whole ended the 1,000,000-document
    shard bench with a MemoryError after the check itself had finished)."""
    with open(findings, encoding="utf-8") as fh:
        head = fh.read(1 << 20)  # the summary comes right after the tool's name
    start = head.find("{", head.find('"summary"'))
    try:
        return json.JSONDecoder().raw_decode(head, start)[0] if start > 0 else {}
    except json.JSONDecodeError:
        return {}


def _last_json(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    return {}


def run_seedcheck(corpus: Path, jobs: int, workdir: Path, cache: Path | None = None) -> dict:
    """The full check, as a user runs it, with reports written to `workdir/reports`:
    every file checked (`--no-cache`), or with the cache of unchanged files in `cache`."""
    timings = workdir / "timings.json"
    timings.unlink(missing_ok=True)
    env = dict(os.environ, SEEDCHECK_TIMINGS=str(timings))
    env.pop("SEEDCHECK_NO_CACHE", None)
    if cache is not None:
        env["SEEDCHECK_CACHE_DIR"] = str(cache)
    cmd = [
        str(BIN / "seedcheck"),
        "check",
        str(corpus),
        "--jobs",
        str(jobs),
        "--quiet",
        "--fail-on",
        "never",
        "--format",
        "json",
        "--report-dir",
        str(workdir / "reports"),
    ] + ([] if cache else ["--no-cache"])
    m = measure(cmd, env=env)
    m["stdout_bytes"] = len(m.pop("stdout"))
    m["timings"] = json.loads(timings.read_text()) if timings.exists() else {}
    findings = workdir / "reports" / "findings.json"
    if findings.exists():
        m["summary"] = findings_summary(findings)
        digest = hashlib.md5()
        with open(findings, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        m["findings_md5"] = digest.hexdigest()  # the cached runs must write the same bytes
    return m


def run_peer(script: str, args: list[str]) -> dict:
    m = measure([sys.executable, str(HERE / "peers" / script), *args])
    m["result"] = _last_json(m.pop("stdout"))
    return m


def bench_size(n: int, jobs: int, peer_limit: int, skip: set[str]) -> dict:
    """Every tool on the generated corpus of `n` documents."""
    corpus = WORK / f"c{n}"
    return bench_corpus(corpus, make_corpus(n, corpus), f"{n:,} documents", jobs, peer_limit, skip)


def bench_releases(jobs: int, peer_limit: int, skip: set[str]) -> dict:
    """Every tool on the real releases as shipped (the issue's "full check of the real releases")."""
    from corpora import RELEASES, unpack

    corpus = unpack(RELEASES)
    files = [p for p in corpus.rglob("*") if p.is_file() and not p.name.startswith(".")]
    manifest = {"n": len(files), "bytes": sum(p.stat().st_size for p in files), "source": RELEASES.name}
    return bench_corpus(
        corpus, manifest, f"real releases ({len(files):,} documents)", jobs, peer_limit, skip, label="releases"
    )


def bench_corpus(
    corpus: Path, manifest: dict, title: str, jobs: int, peer_limit: int, skip: set[str], label: str | None = None
) -> dict:
    n = manifest["n"]
    workdir = WORK / f"run-{label or n}"
    workdir.mkdir(parents=True, exist_ok=True)
    mb = manifest["bytes"] / 2**20
    out = {"documents": n, "corpus": label or f"c{n}", "megabytes": round(mb, 2), "manifest": manifest, "tools": {}}
    print(f"\n== {title}, {mb:.1f} MB, {jobs} jobs ==", flush=True)

    sc = run_seedcheck(corpus, jobs, workdir)
    out["tools"]["seedcheck"] = sc
    print(f"seedcheck: {sc['wall']:.2f}s rc={sc['returncode']} peak {sc['peak_rss_mb']} MB", flush=True)
    if sc["returncode"] not in (0, 1):
        print(f"  seedcheck failed: {sc['stderr'].strip()[-500:]}", flush=True)
    if "cache" not in skip:
        # The cache's two sides: the first run fills it (its cost over a plain run), the
        # second finds every file unchanged (what a re-run after a small edit costs).
        cache = workdir / "cache"
        shutil.rmtree(cache, ignore_errors=True)
        for name in ("seedcheck, cache filled", "seedcheck, cache warm"):
            m = out["tools"][name] = run_seedcheck(corpus, jobs, workdir, cache=cache)
            print(
                f"{name}: {m['wall']:.2f}s rc={m['returncode']} peak {m['peak_rss_mb']} MB "
                f"({m['timings'].get('cached_files', 0):,} files from the cache)",
                flush=True,
            )
            if m.get("findings_md5") != sc.get("findings_md5"):
                print(f"  {name}: findings.json differs from the run without cache!", flush=True)
        shutil.rmtree(cache, ignore_errors=True)
    if "floor" not in skip:
        out["tools"]["floor"] = run_peer("floor.py", [str(corpus), "--jobs", str(jobs)])
    if "gx" not in skip and (workdir / "reports" / "findings.json").exists():
        out["tools"]["great-expectations"] = run_peer("gx_records.py", [str(workdir / "reports" / "findings.json")])
    if "datatrove" not in skip:
        limit = min(n, peer_limit)
        out["tools"]["datatrove"] = run_peer(
            "datatrove_filters.py", [str(corpus), "--jobs", str(jobs), "--limit", str(limit)]
        )
    for name, m in out["tools"].items():
        docs = m.get("result", {}).get("docs", n) if not name.startswith("seedcheck") else n
        frac = docs / n if n else 1
        m["docs"] = docs
        # A tool that failed measured nothing: no throughput, no ratio.
        ok = m["returncode"] in ((0, 1) if name.startswith("seedcheck") else (0,)) and m["wall"]
        m["docs_per_s"] = round(docs / m["wall"], 1) if ok else None
        m["mb_per_s"] = round(mb * frac / m["wall"], 2) if ok else None
        m["docs_per_cpu_s"] = round(docs / m["cpu"], 1) if ok and m["cpu"] else None
        inner = m.get("result", {}).get("seconds")
        m["docs_per_s_inner"] = round(docs / inner, 1) if inner else None
        if m["returncode"] != 0 and not name.startswith("seedcheck"):
            print(f"  {name} failed: {m['stderr'].strip()[-500:]}", flush=True)
    return out


def print_table(results: list[dict], jobs: int) -> None:
    """One row per (size, tool): docs/s, MB/s, peak RSS, seedcheck's ratio to it."""
    print(
        f"\n{'docs':>8} {'tool':<19} {'n run':>7} {'wall s':>8} {'docs/s':>9} {'/core':>8} {'MB/s':>7} "
        f"{'peak MB':>8} {'seedcheck x':>11} {'cpu s':>8} {'docs/cpu-s':>10} {'x (cpu)':>8}"
    )
    for r in results:
        sc = r["tools"]["seedcheck"]
        for name, m in r["tools"].items():
            ratio = (
                (sc["docs_per_s"] / m["docs_per_s"])
                if sc["docs_per_s"] and m["docs_per_s"] and name != "seedcheck"
                else None
            )
            cpu_ratio = (
                (sc["docs_per_cpu_s"] / m["docs_per_cpu_s"])
                if sc.get("docs_per_cpu_s") and m.get("docs_per_cpu_s") and name != "seedcheck"
                else None
            )
            print(
                f"{r['documents']:>8,} {name:<19} {m['docs']:>7,} {m['wall']:>8.2f} {m['docs_per_s'] or 0:>9,.0f} "
                f"{(m['docs_per_s'] or 0) / jobs:>8,.0f} {m['mb_per_s'] or 0:>7.1f} {m['peak_rss_mb']:>8.0f} "
                f"{(f'{ratio:.2f}' if ratio else '-'):>11} {m['cpu']:>8.1f} {m.get('docs_per_cpu_s') or 0:>10,.0f} "
                f"{(f'{cpu_ratio:.2f}' if cpu_ratio else '-'):>8}"
            )
        stages = ", ".join(f"{k} {v:.2f}s" for k, v in sc.get("timings", {}).items())
        print(f"{'':>8} seedcheck stages: {stages}")
        if "floor" in r["tools"] and sc["docs_per_s"] and r["tools"]["floor"]["docs_per_s"]:
            ratio = sc["docs_per_s"] / r["tools"]["floor"]["docs_per_s"]
            print(f"{'':>8} seedcheck vs floor on {r['corpus']}: {ratio:.3f}")
    generated = [r for r in results if r["corpus"].startswith("c")]
    if len(generated) > 1:
        by_n = {r["documents"]: r["tools"]["seedcheck"]["docs_per_s"] or 0 for r in generated}
        largest, previous = max(by_n), sorted(by_n)[-2]
        if by_n[previous]:
            print(f"\nseedcheck docs/s at {largest:,} vs {previous:,}: {by_n[largest] / by_n[previous]:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="seedcheck benchmark against its peers")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--quick", action="store_true", help="1,000 documents only")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--peer-limit", type=int, default=2000, help="documents given to datatrove per size (it runs at tens of docs/s)"
    )
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=["floor", "gx", "datatrove", "spark", "cache"],
        help="spark: no local vs Spark local[2] comparison (bench/spark_vs_local.py) on the largest size",
    )
    parser.add_argument("--no-releases", action="store_true", help="skip the run on the real releases as shipped")
    args = parser.parse_args(argv)
    sizes = [1000] if args.quick else args.sizes
    results = [] if args.no_releases or args.quick else [bench_releases(args.jobs, args.peer_limit, set(args.skip))]
    results += [bench_size(n, args.jobs, args.peer_limit, set(args.skip)) for n in sizes]
    print_table(results, args.jobs)
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"bench-{time.strftime('%Y%m%dT%H%M%S')}.json"
    meta = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "jobs": args.jobs,
        "peer_limit": args.peer_limit,
        "command": " ".join(sys.argv),
    }
    target.write_text(json.dumps({"meta": meta, "sizes": results}, indent=2) + "\n")
    print(f"\nresults: {target}")
    if "spark" not in args.skip and not args.quick:
        import spark_vs_local  # needs pyspark and Java (pip install -e '.[spark]')

        spark_vs_local.main(["--size", str(max(sizes)), "--jobs", str(args.jobs)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
