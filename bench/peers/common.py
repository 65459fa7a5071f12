"""Shared helpers of the peer benchmarks: list a corpus, split it into chunks, report JSON."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def corpus_files(corpus: str | Path, limit: int | None = None) -> list[str]:
    """The corpus's documents (every *.md, sorted, so every tool sees the same ones)."""
    files = sorted(str(p) for p in Path(corpus).rglob("*.md"))
    return files[:limit] if limit else files


def chunks(items: list, size: int) -> list[list]:
    """`items` in chunks of `size` (the unit of work handed to a worker process)."""
    return [items[i : i + size] for i in range(0, len(items), size)]


def chunk_size(n: int, jobs: int) -> int:
    """Enough chunks to balance the workers, few enough to keep IPC overhead low."""
    return max(8, min(256, n // (jobs * 8) or 8))


def split_frontmatter(text: str) -> str:
    """The body of a markdown document without its YAML frontmatter."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[end + 5 :]
    return text


def emit(result: dict, started: float) -> None:
    """Print the peer's result as one JSON line (seconds measured inside the process)."""
    result["seconds"] = round(time.perf_counter() - started, 4)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


def map_chunks(work, files: list[str], jobs: int, initializer=None) -> list[tuple]:
    """Run `work` over `files` in chunks, in `jobs` processes when more than one; each
    call returns a tuple of counts (documents, bytes, tool-specific)."""
    parts = chunks(files, chunk_size(len(files), jobs))
    if jobs > 1:
        from multiprocessing import Pool

        with Pool(jobs, initializer=initializer) as pool:
            return pool.map(work, parts, chunksize=1)
    if initializer:
        initializer()
    return [work(p) for p in parts]
