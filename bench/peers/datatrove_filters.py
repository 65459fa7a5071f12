"""Peer: datatrove's C4, Gopher quality, Gopher repetition and FineWeb filters as one pipeline.

`python bench/peers/datatrove_filters.py CORPUS --jobs N [--limit M]` prints one JSON line.
Each worker process reads its chunk of files, strips the frontmatter (datatrove has no
markdown reader) and streams the `Document`s through the four filters in order, the way
a datatrove pipeline chains its blocks (`step.run(data, rank, world_size)`).
"""

from __future__ import annotations

import argparse
import time

from common import corpus_files, emit, map_chunks, split_frontmatter

_STEPS = None


def _init() -> None:
    global _STEPS
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    _STEPS = [C4QualityFilter(), GopherQualityFilter(), GopherRepetitionFilter(), FineWebQualityFilter()]


def _run(paths: list[str]) -> tuple[int, int, int]:
    from datatrove.data import Document

    size = 0

    def read():
        nonlocal size
        for path in paths:
            with open(path, "rb") as fh:
                data = fh.read()
            size += len(data)
            yield Document(text=split_frontmatter(data.decode("utf-8", errors="replace")), id=path)

    data = read()
    for step in _STEPS:
        data = step.run(data, 0, 1)
    kept = sum(1 for _ in data)
    return len(paths), size, kept


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    started = time.perf_counter()
    _init()  # fail here, once, if datatrove or one of its dependencies is missing
    results = map_chunks(_run, corpus_files(args.corpus, args.limit), args.jobs, initializer=_init)
    emit(
        {"docs": sum(r[0] for r in results), "bytes": sum(r[1] for r in results), "kept": sum(r[2] for r in results)},
        started,
    )


if __name__ == "__main__":
    main()
