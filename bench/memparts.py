"""What a finished run holds in the main process, per document: the deep size of the
findings, the traces and the documents' records (each record field, each finding field).

    cd /tmp && PYTHONPATH=$WT/src python $WT/bench/memparts.py CORPUS [--jobs 2] [--compact]

Runs the local engine in this process (`pipeline.run`, no cache, no reports) and sizes the
`Result` the writers get. An object shared by several parts (an interned id, a string two
findings hold) counts once, in the first part that reaches it, in the order printed. This is
the memory that grows with the corpus; multiply the bytes per document by a corpus size to
see what a run of that size holds at its end (the libraries, about 250 MB, come on top).
Run from a folder without a project configuration (defaults apply).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from typing import Any

_LEAVES = (str, bytes, int, float, bool, type(None))


def deep_size(obj: Any, seen: set[int]) -> int:
    """Bytes of `obj` and everything it refers to that `seen` does not hold yet (added to it)."""
    total, stack = 0, [obj]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, _LEAVES):
            continue
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif isinstance(item, type):
            continue
        else:  # an object: its slots and its attributes (an ABC subclass has both)
            stack.extend(getattr(item, name) for name in getattr(type(item), "__slots__", ()) if hasattr(item, name))
            if hasattr(item, "__dict__"):
                stack.append(vars(item))
    return total


def _table(title: str, sizes: Counter, per: int, unit: str) -> None:
    print(f"{title}:")
    for name, size in sizes.most_common():
        print(f"  {name:24s} {size / per:8.0f} B/{unit}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--compact", action="store_true", help="keep the records compact at any size")
    args = parser.parse_args()

    from seedcheck import pipeline
    from seedcheck.config import load_config

    if args.compact:
        pipeline.COMPACT_FROM = 0

    started = time.perf_counter()
    result = pipeline.run(load_config(None), [args.corpus], jobs=args.jobs)
    docs, findings = len(result.documents), len(result.findings)
    print(f"{docs} documents, {findings} findings, run {time.perf_counter() - started:.1f} s")

    seen: set[int] = set()
    deep_size(result.registry, seen)  # the run's fixed objects, not per document
    deep_size(result.config, seen)
    parts = Counter()
    for name in ("findings", "traces", "documents", "expectations"):
        parts[name] = deep_size(getattr(result, name), seen)
    _table("parts of the Result (shared objects in the first part)", parts, docs, "document")
    print(f"  {'all':24s} {sum(parts.values()) / docs:8.0f} B/document")

    fields, seen_fields = Counter(), set()
    records = [doc["record"] for doc in result.documents]  # compact records: decoded, held while sized
    for record in records:
        for key, value in record.items():
            fields[key] += deep_size(value, seen_fields)
    _table("record fields (on their own)", fields, docs, "document")

    finding_fields, seen_findings = Counter(), set()
    for finding in result.findings:
        finding_fields["(the object)"] += sys.getsizeof(finding)
        seen_findings.add(id(finding))
    for finding in result.findings:
        for name in type(finding).__slots__:
            finding_fields[name] += deep_size(getattr(finding, name), seen_findings)
    _table("finding fields (on their own)", finding_fields, max(findings, 1), "finding")


if __name__ == "__main__":
    main()
