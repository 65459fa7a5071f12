"""Memory of each corpus analyzer's `finish`: the largest resident size above where it began.

    cd /tmp && PYTHONPATH=$WT/src python $WT/bench/corpus_memory.py CORPUS [--jobs 2] [--dup-on-disk-from N]

Runs the local engine in this process (`pipeline.run`, no cache, no reports) with each
analyzer's `finish` wrapped: freed pages are given back first (`spool.give_back_memory`),
then the resident size (RSS) is sampled every 5 ms until its findings are all read. The
findings stream on as in a run (a large run spools them). A later analyzer may reuse heap
an earlier one freed without growing the RSS, so its figure is a lower bound. Run from a
folder without a project configuration (defaults apply).
"""

from __future__ import annotations

import argparse
import threading
import time

import psutil


class _Peak:
    """The largest RSS of this process since `reset`, sampled in a thread."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.value = 0
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while True:
            self.value = max(self.value, self.process.memory_info().rss)
            time.sleep(0.005)

    def reset(self) -> int:
        self.value = self.process.memory_info().rss
        return self.value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--dup-on-disk-from", type=int, help="documents from which duplicates keeps its signatures on disk"
    )
    args = parser.parse_args()
    if args.dup_on_disk_from is not None:
        from seedcheck.corpus import dup_table

        dup_table.ON_DISK_FROM = args.dup_on_disk_from

    from seedcheck import completion, pipeline
    from seedcheck.config import load_config
    from seedcheck.spool import give_back_memory

    peak = _Peak()
    stage = completion.corpus_stage

    def measured(finish, name):
        def run(*args, **kwargs):
            give_back_memory()
            base, started, hits = peak.reset(), time.perf_counter(), 0
            for item in finish(*args, **kwargs):
                hits += 1
                yield item
            print(
                f"  {name:12s} +{(peak.value - base) / 2**20:7.1f} MB over {base / 2**20:6.0f} MB,"
                f" {hits:7d} hits, {time.perf_counter() - started:6.1f} s",
                flush=True,
            )

        return run

    def corpus_stage(engine, *rest, **kwargs):
        for analyzer in engine.analyzers:
            analyzer.finish = measured(analyzer.finish, analyzer.name)
        yield from stage(engine, *rest, **kwargs)

    completion.corpus_stage = corpus_stage
    started = time.perf_counter()
    result = pipeline.run(load_config(None), [args.corpus], jobs=args.jobs)
    print(f"{len(result.documents)} documents, run {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
