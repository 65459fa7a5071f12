"""great-expectations' memory on a large records table: all columns against the columns
the suite reads (what the expectations stage validates).

    python bench/gx_memory.py FINDINGS_JSON [--rows 300000]

The records come from the `documents[].record` of a findings.json that `seedcheck check`
wrote (bodies, tags and people dropped); they are repeated up to `--rows` with the doc id,
path and source URL of each repeat made unique. GX is imported first, then, for each
table, a forked child validates the default suite (`schemas/corpus.yaml`) as the stage's
forked validation does. Printed per table: its size (pandas deep), the child's CPU
seconds, how far its RSS grew above the RSS at the fork, and an MD5 of the outcomes (the
two must be equal).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import time
import warnings


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _high_water_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024


def _records(path: str, rows: int) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        base = [d["record"] for d in json.load(fh)["documents"]]
    for record in base:
        for field in ("body", "tags", "people"):
            record.pop(field, None)
    records = []
    for k in range(rows):
        record = dict(base[k % len(base)])
        if k >= len(base):
            for field in ("doc_id", "path", "source_url"):
                if record.get(field):
                    record[field] = f"{record[field]}-{k // len(base)}"
        records.append(record)
    return records


def _validate_in_child(suite, frame) -> dict:
    """Validate in a forked child (GX already imported here); its CPU, growth and MD5."""
    from seedcheck.expectations import run_suite

    read_end, write_end = os.pipe()
    at_fork = _rss_mb()
    pid = os.fork()
    if pid == 0:
        # A forked child inherits its parent's high-water mark: reset it (Linux 4.0+).
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        cpu = time.process_time()
        outcomes = run_suite(suite, frame)
        digest = hashlib.md5(repr(outcomes).encode()).hexdigest()
        peak = _high_water_mb()
        os.write(
            write_end, json.dumps({"cpu_s": round(time.process_time() - cpu, 1), "peak": peak, "md5": digest}).encode()
        )
        os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    with os.fdopen(read_end, "rb") as fh:
        result = json.loads(fh.read())
    result["growth_mb"] = round(result.pop("peak") - at_fork, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("findings")
    parser.add_argument("--rows", type=int, default=300_000)
    args = parser.parse_args()
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    from seedcheck.config import Config
    from seedcheck.expectations import TABLE_COLUMNS, load_suite, read_columns, records_table

    suite = load_suite(Config())
    records = _records(args.findings, args.rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import great_expectations  # noqa: F401 - imported before the fork, as the worker has it

    for label, columns in (("all columns", TABLE_COLUMNS), ("columns read", read_columns(suite))):
        frame = records_table(records, columns)
        gc.collect()
        result = _validate_in_child(suite, frame)
        size = frame.memory_usage(deep=True).sum() / 2**20
        print(
            f"{label:<13} {args.rows:>9,} rows  {len(frame.columns):>2} columns  table {size:7.1f} MB  "
            f"validation {result['cpu_s']:6.1f} CPU s  grew {result['growth_mb']:7.1f} MB  outcomes {result['md5']}"
        )
        del frame


if __name__ == "__main__":
    main()
