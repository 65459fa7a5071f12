"""Sharded corpora: N generated documents as small files, as 100 `.jsonl.gz` shards and
as 100 Parquet files; each checked cold (`--no-cache`) by the local engine.

    python bench/shards.py [--docs 20000] [--shards 100] [--jobs 2] [--split-size BYTES]
                           [--inputs files,jsonl.gz,parquet] [--family-size F]

The small files come from `bench/make_corpus.py` (the generated corpus of `make bench`);
with `--family-size F` (as `make bench` runs it: 5) each release has at most F near copies
and the other replicas are recombined text, so the near-duplicate pairs grow with N, not
with its square (see make_corpus.py); each shard holds the same documents as JSONL records
(`id`, `text` = the body, `title`, `date`, `url` from the frontmatter). Reported per input: wall seconds, documents per
second, documents per CPU-second (robust to other load), peak memory (PSS of the whole
process tree, as bench/run.py measures it) and the ratio of its throughput to the small
files'. Results go to `bench/results/shards-<timestamp>.json` (git-ignored).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))
from make_corpus import make_corpus
from run import BIN, RESULTS, WORK, findings_summary, measure


def documents(corpus: Path) -> list[Path]:
    """The generated documents' files, in the order the shards hold them."""
    return sorted(p for p in corpus.rglob("*") if p.is_file() and not p.name.startswith("."))


def records(corpus: Path, paths: Iterable[Path] | None = None) -> Iterator[dict]:
    """Each generated document (of `paths`, default all) as a JSONL-style record (body as
    `text`, frontmatter as fields)."""
    from seedcheck.ingest.decode import split_lines
    from seedcheck.ingest.frontmatter import parse_frontmatter

    for path in documents(corpus) if paths is None else paths:
        lines = split_lines(path.read_text(encoding="utf-8", errors="replace"))
        fm = parse_frontmatter(lines)
        meta = fm.data if fm.end and isinstance(fm.data, dict) else {}
        yield {
            "id": str(path.relative_to(corpus)),
            "text": "\n".join(lines[fm.end :] if fm.end else lines),
            "title": meta.get("title"),
            "date": str(meta["date"]) if meta.get("date") else None,
            "url": meta.get("source_url"),
        }


def write_shards(corpus: Path, out: Path, shards: int) -> tuple[Path, Path, int]:
    """`shards` .jsonl.gz files and `shards` Parquet files of the corpus's documents."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    # One shard's records in memory at a time: the 1,000,000-document run's bodies (about
    # 6 GB) never are all at once.
    paths = documents(corpus)
    jsonl, parquet = out / "jsonl-gz", out / "parquet"
    for folder in (jsonl, parquet):
        folder.mkdir(parents=True, exist_ok=True)
    per = -(-len(paths) // shards)
    for i in range(shards):
        part = list(records(corpus, paths[i * per : (i + 1) * per]))
        if not part:
            break
        with gzip.open(jsonl / f"shard-{i:05d}.jsonl.gz", "wt", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in part)
        pq.write_table(
            pa.Table.from_pylist(part), parquet / f"shard-{i:05d}.parquet", row_group_size=1000, compression="zstd"
        )
    return jsonl, parquet, len(paths)


def check(target: Path, jobs: int, workdir: Path, split_size: int | None) -> dict:
    cmd = [
        str(BIN / "seedcheck"),
        "check",
        str(target),
        "--jobs",
        str(jobs),
        "--quiet",
        "--fail-on",
        "never",
        "--no-cache",
        "--format",
        "markdown",
        "--reports",
        "json",
        "--report-dir",
        str(workdir),
    ]
    if split_size:
        config = workdir.parent / f"{workdir.name}.toml"
        config.write_text(f"split-size = {split_size}\n")
        cmd += ["--config", str(config)]
    m = measure(cmd)
    m.pop("stdout", None)
    findings = workdir / "findings.json"
    if findings.exists():
        summary = findings_summary(findings)
        m["documents"], m["findings"] = summary.get("documents", 0), summary.get("findings")
    return m


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--shards", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--split-size", type=int, default=None, help="split-size for the runs (default: seedcheck's)")
    parser.add_argument("--inputs", default="files,jsonl.gz,parquet", help="which inputs to check (comma-separated)")
    parser.add_argument("--family-size", type=int, default=None, help="near copies per release (make_corpus.py)")
    args = parser.parse_args()
    family = f"-f{args.family_size}" if args.family_size else ""
    corpus = WORK / f"corpus-{args.docs}{family}"
    make_corpus(args.docs, corpus, family_size=args.family_size)
    shard_dir = WORK / f"shards-{args.docs}{family}-{args.shards}"
    if not (shard_dir / "done").exists():
        write_shards(corpus, shard_dir, args.shards)
        (shard_dir / "done").write_text("ok\n")
    runs = {}
    wanted = args.inputs.split(",")
    inputs = [
        (name, target)
        for name, target in (
            ("files", corpus),
            ("jsonl.gz", shard_dir / "jsonl-gz"),
            ("parquet", shard_dir / "parquet"),
        )
        if name in wanted
    ]
    for name, target in inputs:
        m = check(target, args.jobs, shard_dir / f"reports-{name}", args.split_size)
        m["docs_per_s"] = round(m.get("documents", 0) / m["wall"], 1)
        m["docs_per_cpu_s"] = round(m.get("documents", 0) / m["cpu"], 1) if m["cpu"] else None
        runs[name] = m
        print(
            f"{name:9} {m.get('documents', '?'):>8} docs {m['wall']:8.1f} s {m['docs_per_s']:8.1f} docs/s "
            f"{m['docs_per_cpu_s']} docs/CPU-s  peak {m['peak_rss_mb']:7.1f} MB  rc {m['returncode']}",
            flush=True,
        )
    if "files" in runs:
        for name in [n for n in ("jsonl.gz", "parquet") if n in runs]:
            runs[name]["ratio_to_files"] = round(runs[name]["docs_per_s"] / runs["files"]["docs_per_s"], 3)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"shards-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(
        json.dumps(
            {
                "docs": args.docs,
                "family_size": args.family_size,
                "shards": args.shards,
                "jobs": args.jobs,
                "runs": runs,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"results: {out}")


if __name__ == "__main__":
    main()
