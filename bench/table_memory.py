"""The memory of the two stages that validate a records table, on a large one:
- expectations: great-expectations over the table of the columns the suite reads, as the
  stage validated it until 2026-12-04 (built before the child is forked, pyarrow strings,
  GX's batch fingerprint), without the fingerprint, with Python strings too (the stage
  now), and with the table built in the child instead;
- schema: pandera over the whole table of every record field (the stage before 2026-12-04)
  against `schema.validate_records` (the columns the schema reads, in slices of rows).

    python bench/table_memory.py FINDINGS_JSON [--rows 300000] [--stage expectations|schema]

The records come from the `documents[].record` of a findings.json that `seedcheck check`
wrote (bodies dropped); they are repeated up to `--rows` with the doc id, path and source
URL of each repeat made unique, and kept as the run keeps them (compact, in a file from
`RECORDS_ON_DISK_FROM`). GX is imported first, then, for each way, the process does what
the run does before the fork and a forked child validates as the stage does. Printed per
way: the CPU seconds of both, how far the RSS grew before the fork, the child's largest
private memory (sampled every 10 ms; the pages of its parent it wrote to, and so copied,
included), and an MD5 of the outcomes (equal for every way; the schema's failures sorted).
GX is imported before the fork here; a run's forked child imports it itself (about 230
MB more, the same for every way).
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


def _private_mb(pid: int) -> float:
    """A process's private memory (USS): the pages it alone maps, those it copied on write
    from its parent included."""
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
        return sum(int(line.split()[1]) for line in fh if line.startswith(("Private_Clean:", "Private_Dirty:"))) / 1024


def _in_child(work) -> dict:
    """Run `work()` in a forked child; its CPU seconds, the largest private memory it had
    (sampled from here every 10 ms: what it costs the machine above its parent, the
    parent's pages it wrote to and so copied included), and the MD5 of what it returned."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        cpu = time.process_time()
        digest = hashlib.md5(repr(work()).encode()).hexdigest()
        os.write(write_end, json.dumps({"cpu_s": round(time.process_time() - cpu, 1), "md5": digest}).encode())
        os._exit(0)
    os.close(write_end)
    peak = 0.0
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        try:
            peak = max(peak, _private_mb(pid))
        except (OSError, ValueError):  # ended between the two calls
            pass
        time.sleep(0.01)
    with os.fdopen(read_end, "rb") as fh:
        result = json.loads(fh.read())
    result["growth_mb"] = round(peak, 1)
    return result


def _store(records: list[dict]):
    """The run's records: compact, in a file from `RECORDS_ON_DISK_FROM` records."""
    from seedcheck import records as store_module

    store = store_module.RecordStore(compact=True, on_disk=len(records) >= store_module.RECORDS_ON_DISK_FROM)
    for record in records:
        store.append(record)
    records.clear()  # the run holds the store only
    return store


def _expectations(records: list[dict]):
    """Per way: what the run does before the fork (returns what the child reads), and
    the child's work on it. Until 2026-12-04 the run built the table before the fork, its
    strings in pyarrow storage, and GX fingerprinted the batch (`before the fork`); now
    it does so without the fingerprint for records in memory (`no fingerprint`), and the
    child builds a table of Python strings from records in a file (`child builds`). The
    others were tried: Python strings built here left the run's heap 75 MB larger, and
    the child's reads of records in memory copy their pages."""
    import contextlib

    from seedcheck.config import Config
    from seedcheck.expectations import load_suite, read_columns, records_table, run_suite
    from seedcheck.expectations import validate as validate_module

    suite = load_suite(Config())
    store = _store(records)
    real_guard = validate_module._no_batch_fingerprint

    def table(arrow: bool):
        return records_table(store, read_columns(suite), "pyarrow" if arrow else "python")

    def run(frame, fingerprint: bool):
        validate_module._no_batch_fingerprint = contextlib.nullcontext if fingerprint else real_guard
        try:
            return run_suite(suite, frame)
        finally:
            validate_module._no_batch_fingerprint = real_guard

    yield "before the fork", lambda: table(True), lambda frame: run(frame, True)
    yield "no fingerprint", lambda: table(True), lambda frame: run(frame, False)
    yield "python strings", lambda: table(False), lambda frame: run(frame, False)
    yield "child builds, arrow", lambda: store, lambda store: run(table(True), False)
    yield "child builds", lambda: store, lambda store: run(table(False), False)


def _schema(records: list[dict]):
    from seedcheck import schema
    from seedcheck.extract import RECORD_FIELDS

    store = _store(records)
    columns = [f for f in RECORD_FIELDS if f != "body"]
    path = "schemas/record.yaml"

    def whole(store) -> list[str]:
        return sorted(map(repr, schema.validate(schema.records_frame(store, columns), schema.load_schema(path))))

    yield "whole table", lambda: store, whole
    yield (
        "validate_records",
        lambda: store,
        lambda store: sorted(map(repr, schema.validate_records(store, columns, path))),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("findings")
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--stage", choices=("expectations", "schema"), default="schema")
    parser.add_argument(
        "--way",
        action="append",
        help="only this way, by its label (repeatable): alone in its process, the growth before the fork "
        "is not hidden in heap another way freed",
    )
    args = parser.parse_args()
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    records = _records(args.findings, args.rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import great_expectations  # noqa: F401 - imported before the fork, as the run has it
        import pandera.pandas  # noqa: F401

    ways = _expectations(records) if args.stage == "expectations" else _schema(records)
    for label, prepare, work in ways:
        if args.way and label not in args.way:
            continue
        gc.collect()
        before = _rss_mb()
        cpu = time.process_time()
        held = prepare()
        cpu = time.process_time() - cpu
        parent_grew = _rss_mb() - before
        result = _in_child(lambda held=held, work=work: work(held))
        del held
        print(
            f"{args.stage} {label:<20} {args.rows:>9,} rows  {cpu + result['cpu_s']:6.1f} CPU s  "
            f"grew {parent_grew:6.1f} MB before the fork; child private, largest {result['growth_mb']:7.1f} MB  "
            f"outcomes {result['md5']}"
        )


if __name__ == "__main__":
    main()
