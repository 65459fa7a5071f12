"""The memory of the two stages that validate a records table, on a large one:
- expectations: great-expectations over all columns against the columns the suite reads
  (what the expectations stage validates);
- schema: pandera over the whole table of every record field (the stage before 2026-12-04)
  against `schema.validate_records` (the columns the schema reads, in slices of rows).

    python bench/table_memory.py FINDINGS_JSON [--rows 300000] [--stage expectations|schema]

The records come from the `documents[].record` of a findings.json that `seedcheck check`
wrote (bodies dropped); they are repeated up to `--rows` with the doc id, path and source
URL of each repeat made unique. GX is imported first, then, for each way, a forked child
validates as the stage does (the expectations stage in its own forked process; the schema
stage from the run's compact records, in a file from `RECORDS_ON_DISK_FROM`). Printed per
way: the child's CPU seconds, how far its RSS grew above the RSS at the fork, and an MD5 of
the outcomes (equal for the two ways; the schema's failures sorted).
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
        record.pop("body", None)
    records = []
    for k in range(rows):
        record = dict(base[k % len(base)])
        if k >= len(base):
            for field in ("doc_id", "path", "source_url"):
                if record.get(field):
                    record[field] = f"{record[field]}-{k // len(base)}"
        records.append(record)
    return records


def _in_child(work) -> dict:
    """Run `work()` in a forked child; its CPU seconds, growth above the RSS at the fork
    and the MD5 of what it returned."""
    read_end, write_end = os.pipe()
    at_fork = _rss_mb()
    pid = os.fork()
    if pid == 0:
        # A forked child inherits its parent's high-water mark: reset it (Linux 4.0+).
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        cpu = time.process_time()
        digest = hashlib.md5(repr(work()).encode()).hexdigest()
        result = {"cpu_s": round(time.process_time() - cpu, 1), "peak": _high_water_mb(), "md5": digest}
        os.write(write_end, json.dumps(result).encode())
        os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    with os.fdopen(read_end, "rb") as fh:
        result = json.loads(fh.read())
    result["growth_mb"] = round(result.pop("peak") - at_fork, 1)
    return result


def _expectations(records: list[dict]):
    """Per way: the work a child does."""
    from seedcheck.config import Config
    from seedcheck.expectations import TABLE_COLUMNS, load_suite, read_columns, records_table, run_suite

    suite = load_suite(Config())
    for label, columns in (("all columns", TABLE_COLUMNS), ("columns read", read_columns(suite))):
        yield label, lambda columns=columns: run_suite(suite, records_table(records, columns))


def _schema(records: list[dict]):
    from seedcheck import records as store_module
    from seedcheck import schema
    from seedcheck.extract import RECORD_FIELDS

    store = store_module.RecordStore(compact=True, on_disk=len(records) >= store_module.RECORDS_ON_DISK_FROM)
    for record in records:
        store.append(record)
    records.clear()  # the run holds the store only
    columns = [f for f in RECORD_FIELDS if f != "body"]
    path = "schemas/record.yaml"

    def whole() -> list[str]:
        return sorted(map(repr, schema.validate(schema.records_frame(store, columns), schema.load_schema(path))))

    yield "whole table", whole
    yield "validate_records", lambda: sorted(map(repr, schema.validate_records(store, columns, path)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("findings")
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--stage", choices=("expectations", "schema"), default="schema")
    args = parser.parse_args()
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    records = _records(args.findings, args.rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import great_expectations  # noqa: F401 - imported before the fork, as the run has it
        import pandera.pandas  # noqa: F401

    ways = _expectations(records) if args.stage == "expectations" else _schema(records)
    for label, work in ways:
        gc.collect()
        result = _in_child(work)
        print(
            f"{args.stage} {label:<17} {args.rows:>9,} rows  {result['cpu_s']:6.1f} CPU s  "
            f"grew {result['growth_mb']:7.1f} MB  outcomes {result['md5']}"
        )


if __name__ == "__main__":
    main()
