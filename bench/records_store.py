"""Records as dicts against a compact `RecordStore`, in memory and in a temporary file:
memory held, and the time to build the tables the schema and the expectations stages
validate, at a given number of records.

    cd /tmp && PYTHONPATH=$WT/src python $WT/bench/records_store.py CORPUS [--records 100000]

Checks CORPUS's files (the first 3,000, one process, no reports) and repeats their records
(those without a body) with new ids, paths, titles, URLs and hashes up to `--records`, as a
run of that size would hold them after its document stage. Prints the bytes per record
held (deep size; ids and paths, which the findings and traces share, left out), CPU
seconds per table, and whether the tables are equal. Run from a folder without a project configuration (defaults apply).
"""

from __future__ import annotations

import argparse
import glob
import os
import pickle
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from memparts import deep_size


def _timed(label: str, build):
    started = time.process_time()
    value = build()
    print(f"  {label:36s} {time.process_time() - started:6.2f} CPU s")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()

    import pandas as pd

    from seedcheck import pipeline
    from seedcheck.config import load_config
    from seedcheck.expectations import records_table
    from seedcheck.extract import RECORD_FIELDS
    from seedcheck.model import intern_record
    from seedcheck.records import RecordStore
    from seedcheck.schema import records_frame

    files = sorted(glob.glob(os.path.join(args.corpus, "**", "*.md"), recursive=True))[:3000]
    result = pipeline.run(load_config(None), files, jobs=1)
    seeds = [d["record"] for d in result.documents if d["record"].get("body") is None]
    records = []
    for i in range(args.records):
        record = dict(seeds[i % len(seeds)])
        # Each copy's own id, path, title, URL and hash, arriving as from a worker (unpickled,
        # then interned as `pipeline.run` does; a worker's batch shares the field names):
        # values shared only where a run shares them.
        record["doc_id"], record["path"] = f"{i:07d}-{record['doc_id']}", f"c/{i:07d}.md"
        record["title"], record["sha256"] = f"{record.get('title')} {i}", f"{i:064x}"
        record["source_url"] = f"{record.get('source_url')}?copy={i}"
        arrived = intern_record(pickle.loads(pickle.dumps(record)))
        records.append({sys.intern(k): v for k, v in arrived.items()})  # field names: one string each
    store, on_disk = RecordStore(compact=True), RecordStore(compact=True, on_disk=True)
    for record in records:
        store.append(record)
        on_disk.append(record)

    shared = {id(r["doc_id"]) for r in records} | {id(r["path"]) for r in records}
    as_dicts = deep_size(records, set(shared)) / len(records)
    compact = deep_size(store, set(shared)) / len(records)  # its lists of ids and paths included
    in_file = deep_size(on_disk, set(shared)) / len(records)  # offsets and sizes: the tuples are in the file
    print(f"{len(records)} records (from {len(seeds)} of {args.corpus}):")
    print(f"  held as dicts {as_dicts:8.0f} B/record;  compact {compact:8.0f};  on disk {in_file:8.0f}")

    columns = [f for f in RECORD_FIELDS if f != "body"]
    both = [("dicts", records), ("compact", store), ("on disk", on_disk)]
    frames = [_timed(f"schema frame, {kind}", lambda r=r: records_frame(r, columns)) for kind, r in both]
    tables = [_timed(f"expectations table, {kind}", lambda r=r: records_table(r)) for kind, r in both]
    for frame, table in zip(frames[1:], tables[1:]):
        pd.testing.assert_frame_equal(frames[0], frame)
        pd.testing.assert_frame_equal(tables[0], table)
    print("  tables equal: yes")


if __name__ == "__main__":
    main()
