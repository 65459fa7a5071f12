"""The main process's memory at each stage after the document stage, and what gives it back.

    PYTHONPATH=src python bench/stage_rss.py CORPUS [--release]

Checks CORPUS in this process (every rule, no cache, no reports, 2 jobs; `pipeline.run`, so
the expectations run in this process after the schema stage, not in a forked child as a
long CLI run has them) and prints, before and after the corpus, schema, expectations and
gate stages, the process's RSS, its anonymous memory and what pyarrow's pool says it has
allocated. With `--release`, each line is followed by the RSS after emptying pyarrow's pool
(`release_unused`) and then after glibc's `malloc_trim`: memory a stage freed but the
process kept. Linux only (/proc/self/smaps_rollup).
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import time


def _smaps() -> dict[str, int]:
    """MB by field of /proc/self/smaps_rollup."""
    with open("/proc/self/smaps_rollup") as fh:
        rows = (line.split() for line in fh)
        return {row[0].rstrip(":"): int(row[1]) // 1024 for row in rows if len(row) == 3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--release", action="store_true", help="also the RSS after pyarrow's and glibc's release")
    args = parser.parse_args()

    import pyarrow as pa

    from seedcheck import completion, pipeline
    from seedcheck.config import load_config

    trim = ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim
    pool = pa.default_memory_pool()

    def report(label: str) -> None:
        now = _smaps()
        print(
            f"{label:30s} rss {now['Rss']:6d}  anonymous {now['Anonymous']:6d}  "
            f"pyarrow allocated {pa.total_allocated_bytes() >> 20:5d} MB ({pool.backend_name})",
            flush=True,
        )
        if args.release:
            pool.release_unused()
            released = _smaps()["Rss"]
            trim(0)
            print(f"{'':30s} after pyarrow's release {released}, after malloc_trim {_smaps()['Rss']}", flush=True)

    def measured(name: str):
        function = getattr(completion, name)

        def stage(*a, **k):
            report(f"before {name}")
            result = function(*a, **k)
            report(f"after {name}")
            return result

        return stage

    for name in ("_run_corpus_stage", "schema_stage", "_run_expectations", "_gated_in_report_order"):
        setattr(completion, name, measured(name))
    started = time.perf_counter()
    result = pipeline.run(load_config(None), [args.corpus], jobs=2)
    report("end")
    print(f"{len(result.findings)} findings in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
