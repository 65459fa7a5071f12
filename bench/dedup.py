"""Deduplication at corpus scale: seedcheck's duplicate rules against plain datasketch.

    python bench/dedup.py [--n 100000] [--jobs 2] [--skip seedcheck,datasketch]

The corpus is `bench/make_corpus.py`'s (the 6,458 real releases, then replicas with
perturbations: words dropped and re-cased, noise lines, other URLs, exact and near copies),
written once into `bench/work/c<N>/` (git-ignored). Each job runs in its own process tree;
the parent samples the tree's peak RSS.

- **seedcheck**: `seedcheck check CORPUS --select duplicate- --jobs 2 --no-reports --format
  json`, as a user runs it (ingest, record extraction, signatures in 2 worker processes;
  LSH and verification in the main process; findings.json on stdout, no other report).
- **datatrove**: its 4-stage MinHash dedup with default settings (LocalPipelineExecutor).
- **datasketch**: the textbook use of the library: a `MinHash` (128 permutations, default
  SHA-1 hashing) over word 5-grams per document in 2 worker processes, then one
  `MinHashLSH` (threshold 0.72, datatrove's default operating point) over all of them;
  every LSH hit counts as a duplicate (no verification).

Both are scored against the generator's ground truth: documents made from the same
release (same source slug) are copies of each other. Reported: seconds, peak memory,
documents flagged, share of copy documents caught (recall) and share of flagged pairs
whose two documents come from one release (precision). Results go to
`bench/results/dedup-<stamp>.json` and a table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "peers"))

from make_corpus import WORK, make_corpus, manifest_file

RESULTS = HERE / "results"
BIN = Path(sys.executable).parent


def source_of(path: str) -> str:
    """The release a generated document was made from: its file name without the running
    number and the `-rN` / `-copy` / `-near` suffixes the generator appends."""
    stem = Path(path).stem.split("-", 1)[-1]
    while True:
        new = re.sub(r"(-r\d+|-copy|-near)$", "", stem)
        if new == stem:
            return stem
        stem = new


def truth(files: list[str]) -> tuple[dict[str, str], set[str]]:
    """Source of each document, and the documents that have a sibling from the same source."""
    src = {f: source_of(f) for f in files}
    count = Counter(src.values())
    return src, {f for f, s in src.items() if count[s] > 1}


def score(pairs: set[tuple[str, str]], src: dict[str, str], copies: set[str]) -> dict:
    flagged = {d for p in pairs for d in p}
    same = sum(1 for a, b in pairs if src.get(a) == src.get(b))
    return {
        "pairs": len(pairs),
        "flagged_docs": len(flagged),
        "recall_docs": round(len(flagged & copies) / len(copies), 4) if copies else None,
        "precision_pairs": round(same / len(pairs), 4) if pairs else None,
    }


# --- seedcheck ---------------------------------------------------------------------------


def measure(cmd: list[str], workdir: Path, env: dict | None = None, name: str = "job") -> dict:
    """Run `cmd` with its output in files (a full pipe would stall it); return wall seconds
    and the peak RSS of its whole process tree, sampled every 50 ms with psutil."""
    import resource

    import psutil

    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with open(workdir / f"{name}.stdout.txt", "w") as out, open(workdir / f"{name}.stderr.txt", "w") as err:
        proc = psutil.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=err)
        peak = 0
        cpu_seen: dict[int, float] = {}  # last CPU time seen per process of the tree
        while proc.poll() is None:
            total = 0
            try:
                for p in [proc, *proc.children(recursive=True)]:
                    try:
                        with p.oneshot():
                            total += p.memory_info().rss
                            t = p.cpu_times()
                            cpu_seen[p.pid] = t.user + t.system
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        pass
            except psutil.NoSuchProcess:
                break
            peak = max(peak, total)
            time.sleep(0.05)
    # CPU seconds of the whole tree: on a shared machine steadier than wall time. Reaped
    # descendants count through RUSAGE_CHILDREN; the sampled maximum also covers workers
    # that are not reaped by the job (datatrove's forkserver pool).
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = max((cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime), sum(cpu_seen.values()))
    return {
        "wall": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(cpu, 1),
        "peak_rss_mb": round(peak / 2**20, 1),
        "returncode": proc.returncode,
        "stderr": (workdir / f"{name}.stderr.txt").read_text()[-1500:],
    }


def run_seedcheck(corpus: Path, jobs: int, workdir: Path) -> dict:
    timings = workdir / "timings.json"
    timings.unlink(missing_ok=True)
    env = dict(os.environ, SEEDCHECK_TIMINGS=str(timings))
    # findings.json goes to stdout (--format json) and no other report is written: the
    # five report writers over ~170,000 findings cost more memory than the deduplication.
    cmd = [
        str(BIN / "seedcheck"),
        "check",
        str(corpus),
        "--select",
        "duplicate-",
        "--jobs",
        str(jobs),
        "--quiet",
        "--fail-on",
        "never",
        "--no-reports",
        "--format",
        "json",
    ]
    m = measure(cmd, workdir, env=env, name="seedcheck")
    m["timings"] = json.loads(timings.read_text()) if timings.exists() else {}
    pairs: set[tuple[str, str]] = set()
    by_rule: Counter = Counter()
    findings = workdir / "seedcheck.stdout.txt"
    if findings.exists():
        with open(findings, encoding="utf-8") as fh:
            data = json.load(fh)
        root = str(corpus)
        for f in data.get("findings", []):
            by_rule[f["rule"]] += 1
            if f["rule"] in ("duplicate-exact", "duplicate-near"):
                a = os.path.join(root, f["doc_id"])
                pairs.update(tuple(sorted((a, os.path.join(root, r)))) for r in f.get("related", []))
        del data
    m["findings_by_rule"] = dict(by_rule)
    return m, pairs


# --- plain datasketch --------------------------------------------------------------------

_WORDS = re.compile(r"\w+")


def _signature(path: str):
    from common import split_frontmatter
    from datasketch import LeanMinHash, MinHash

    with open(path, "rb") as fh:
        text = split_frontmatter(fh.read().decode("utf-8", errors="replace")).lower()
    words = _WORDS.findall(text)
    m = MinHash(num_perm=128)
    m.update_batch(" ".join(words[i : i + 5]).encode("utf-8") for i in range(max(1, len(words) - 4)))
    return path, LeanMinHash(m)


def datasketch_job(corpus: str, jobs: int, out: str) -> None:
    """The peer job, run in its own process: signatures in `jobs` processes, LSH here."""
    from multiprocessing import Pool

    from common import corpus_files
    from datasketch import MinHashLSH

    started = time.perf_counter()
    files = corpus_files(corpus)
    lsh = MinHashLSH(threshold=0.72, num_perm=128)
    sigs = []
    with Pool(jobs) as pool:
        for path, sig in pool.imap(_signature, files, chunksize=64):
            lsh.insert(path, sig, check_duplication=False)
            sigs.append((path, sig))
    t_sig = time.perf_counter() - started
    pairs = set()
    for path, sig in sigs:
        for other in lsh.query(sig):
            if other != path:
                pairs.add((min(path, other), max(path, other)))
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(
            {
                "pairs": sorted(pairs),
                "seconds_signatures": round(t_sig, 2),
                "seconds": round(time.perf_counter() - started, 2),
            },
            fh,
        )


def _read_shard(files: list[str]):
    """A datatrove pipeline step (a plain function, as datatrove allows) that reads this
    task's share of the corpus; the same shard is read again by the filter stage."""
    from common import split_frontmatter
    from datatrove.data import Document

    def step(data, rank: int = 0, world_size: int = 1):
        for path in files[rank::world_size]:
            with open(path, "rb") as fh:
                text = split_frontmatter(fh.read().decode("utf-8", errors="replace"))
            yield Document(text=text, id=path)

    return step


def datatrove_job(corpus: str, jobs: int, out: str) -> None:
    """datatrove's 4-stage MinHash dedup (signatures, buckets, clusters, filter) with its
    defaults (word 5-grams, 14 buckets x 8 hashes), run by LocalPipelineExecutor on `jobs`
    workers; writes every document's cluster id so pairs can be scored."""
    import shutil

    from common import corpus_files
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.writers import JsonlWriter

    started = time.perf_counter()
    files = corpus_files(corpus)
    base = Path(out).parent / "datatrove"
    shutil.rmtree(base, ignore_errors=True)
    config = MinhashConfig()
    tasks = jobs * 4
    stages = [
        ([_read_shard(files), MinhashDedupSignature(output_folder=str(base / "sigs"), config=config)], tasks),
        (
            [MinhashDedupBuckets(input_folder=str(base / "sigs"), output_folder=str(base / "buckets"), config=config)],
            config.num_buckets,
        ),
        (
            [
                MinhashDedupCluster(
                    input_folder=str(base / "buckets"),
                    output_folder=str(base / "remove"),
                    config=config,
                    save_cluster_id=True,
                )
            ],
            1,
        ),
        (
            [
                _read_shard(files),
                MinhashDedupFilter(
                    input_folder=str(base / "remove"),
                    load_cluster_ids=True,
                    exclusion_writer=JsonlWriter(str(base / "removed")),
                ),
                JsonlWriter(str(base / "kept")),
            ],
            tasks,
        ),
    ]
    for n, (pipeline, n_tasks) in enumerate(stages):
        LocalPipelineExecutor(
            pipeline=pipeline, tasks=n_tasks, workers=jobs, logging_dir=str(base / f"logs{n}"), skip_completed=False
        ).run()
    clusters: dict = defaultdict(list)
    import gzip

    for part in ("removed", "kept"):
        for path in sorted((base / part).glob("*.jsonl.gz")):
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                for line in fh:
                    doc = json.loads(line)
                    cid = doc.get("metadata", {}).get("minhash_cluster_id")
                    if cid is not None and cid != -1:
                        clusters[cid].append(doc["id"])
    pairs = set()
    for ids in clusters.values():
        ids = sorted(ids)
        pairs.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(
            {
                "pairs": sorted(pairs),
                "clusters": sum(1 for v in clusters.values() if len(v) > 1),
                "seconds": round(time.perf_counter() - started, 2),
            },
            fh,
        )


def run_peer(name: str, corpus: Path, jobs: int, workdir: Path) -> tuple[dict, set]:
    """Run one peer dedup job (`datasketch` or `datatrove`) in a measured child process;
    return its measurements and the pairs it found."""
    out = workdir / f"{name}-pairs.json"
    out.unlink(missing_ok=True)
    m = measure(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--peer-job",
            str(corpus),
            "--peer",
            name,
            "--jobs",
            str(jobs),
            "--peer-out",
            str(out),
        ],
        workdir,
        name=name,
    )
    pairs = set()
    if out.exists():
        data = json.loads(out.read_text())
        m["inner"] = {k: v for k, v in data.items() if k != "pairs"}
        pairs = {tuple(p) for p in data["pairs"]}
    return m, pairs


def run_datatrove(corpus: Path, jobs: int, workdir: Path) -> tuple[dict, set]:
    return run_peer("datatrove", corpus, jobs, workdir)


def run_datasketch(corpus: Path, jobs: int, workdir: Path) -> tuple[dict, set]:
    return run_peer("datasketch", corpus, jobs, workdir)


# --- driver ------------------------------------------------------------------------------


def wait_for_corpus(n: int, outdir: Path, timeout: float = 3600) -> dict:
    """Build the corpus, or wait while another process is still writing it (a directory
    without its manifest) instead of deleting its files from under it."""
    started = time.time()
    while outdir.exists() and not manifest_file(outdir).exists() and time.time() - started < timeout:
        print(f"waiting for {outdir} to be completed by another process ...", file=sys.stderr)
        time.sleep(30)
    return make_corpus(n, outdir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip", default="", help="comma-separated: seedcheck, datasketch, datatrove")
    parser.add_argument("--peer-job", help=argparse.SUPPRESS)
    parser.add_argument("--peer-out", help=argparse.SUPPRESS)
    parser.add_argument("--peer", default="datasketch", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peer_job:
        (datatrove_job if args.peer == "datatrove" else datasketch_job)(args.peer_job, args.jobs, args.peer_out)
        return 0

    corpus = WORK / f"c{args.n}"
    manifest = wait_for_corpus(args.n, corpus)
    from common import corpus_files

    files = corpus_files(corpus)
    src, copies = truth(files)
    workdir = WORK / f"dedup-{args.n}"
    workdir.mkdir(parents=True, exist_ok=True)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    results = {
        "n": len(files),
        "jobs": args.jobs,
        "corpus": manifest,
        "copy_docs": len(copies),
        "cpu_count": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "runs": {},
    }
    for name, job in (("seedcheck", run_seedcheck), ("datasketch", run_datasketch), ("datatrove", run_datatrove)):
        if name in skip:
            continue
        print(f"running {name} on {len(files)} documents ...", file=sys.stderr)
        m, pairs = job(corpus, args.jobs, workdir)
        m.update(score(pairs, src, copies))
        results["runs"][name] = m
    results["load_average_at_end"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"dedup-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"{'job':<12}{'docs':>8}{'wall s':>9}{'CPU s':>9}{'peak MB':>9}{'flagged':>9}{'recall':>8}{'precision':>10}")
    for name, m in results["runs"].items():
        print(
            f"{name:<12}{len(files):>8}{m['wall']:>9.1f}{m['cpu_seconds']:>9.1f}{m['peak_rss_mb']:>9.0f}{m['flagged_docs']:>9}"
            f"{m['recall_docs'] or 0:>8.3f}{m['precision_pairs'] or 0:>10.3f}"
        )
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
