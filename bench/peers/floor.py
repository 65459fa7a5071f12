"""The floor: read every file and run one compiled regex over each line, in Python.

`python bench/peers/floor.py CORPUS --jobs N [--limit M]` prints one JSON line. No tool can
check documents in Python faster than this loop; seedcheck reports its ratio to it.
"""

from __future__ import annotations

import argparse
import re
import time

from common import corpus_files, emit, map_chunks

# One pattern in the spirit of a noise lexicon: a few phrases, case-insensitive.
PATTERN = re.compile(r"share this|latest articles|cookies|\d+\s?°[FC]|utm_\w+|click here|subscribe", re.IGNORECASE)


def _scan(paths: list[str]) -> tuple[int, int, int]:
    docs = size = hits = 0
    for path in paths:
        with open(path, "rb") as fh:
            data = fh.read()
        size += len(data)
        for line in data.decode("utf-8", errors="replace").splitlines():
            if PATTERN.search(line):
                hits += 1
        docs += 1
    return docs, size, hits


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    started = time.perf_counter()
    results = map_chunks(_scan, corpus_files(args.corpus, args.limit), args.jobs)
    emit(
        {
            "docs": sum(r[0] for r in results),
            "bytes": sum(r[1] for r in results),
            "line_hits": sum(r[2] for r in results),
        },
        started,
    )


if __name__ == "__main__":
    main()
