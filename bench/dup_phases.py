"""Memory of the duplicates stage by phase (tracemalloc), with its table in memory or on disk.

    cd /tmp && PYTHONPATH=$WT/src python $WT/bench/dup_phases.py CORPUS [--states FILE] [--on-disk] [--bands]
        [--only-duplicates]

The first run checks CORPUS (every rule, no cache, no reports, 2 jobs) and saves the
duplicates analyzer's states and rule settings to FILE (default:
/tmp/dup-states-<corpus name>.pkl); later runs read FILE. Then `Duplicates.finish` runs in
this process under tracemalloc, and each phase prints what was held before it, its peak
above that, and what it left: the table (`StateTable`), the exact groups, the candidates,
their verification and the pairs that are copies (`_near_copies`), and the clusters. Also
printed: the number of findings, the verified pairs and an MD5 of the findings, to compare
two trees or the two table modes. With `--cpu`, no tracemalloc: `finish` runs as in a large
run's corpus stage (glibc's mmap threshold fixed at 128 KB as the document stage leaves it,
`spool.large_allocations_reused` around the stage when the tree has it), and prints its user
and system CPU seconds, minor page faults and wall seconds. With `--bands`, first each LSH pass's candidate pairs
and the band that pairs the most (its largest bucket too). With `--only-duplicates`, the
first run checks the duplicate rules alone: some three times quicker, but not the states of
a full check (a body then keeps the lines other rules would flag as noise), so compare such
runs only with each other.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import tracemalloc
from pathlib import Path


def _states(corpus: str, path: Path, only_duplicates: bool) -> tuple[list, dict]:
    if path.exists():
        with path.open("rb") as fh:
            return pickle.load(fh)
    from seedcheck import pipeline
    from seedcheck.config import load_config
    from seedcheck.corpus import duplicates

    finish = duplicates.Duplicates.finish.__func__
    saved: list = []

    def keeping(cls, states, rules, context):
        saved.append((list(states), rules))
        yield from finish(cls, states, rules, context)

    duplicates.Duplicates.finish = classmethod(keeping)
    # By default every rule: the bodies compared leave out the lines other rules flag
    # (noise), so checking only the duplicate rules gives other states.
    config = load_config(None)
    if only_duplicates:
        config.select = ["duplicate-exact", "duplicate-near"]
    pipeline.run(config, [corpus], jobs=2)
    duplicates.Duplicates.finish = classmethod(finish)
    with path.open("wb") as fh:
        pickle.dump(saved[0], fh, protocol=pickle.HIGHEST_PROTOCOL)
    return saved[0]


_LARGEST = [0]  # the largest traced size seen (each phase resets tracemalloc's peak)


def _phase(module, name: str, base: int) -> None:
    """Wrap `module.name` to print its memory (MB relative to `base`)."""
    function = getattr(module, name)

    def measured(*args, **kwargs):
        before = tracemalloc.get_traced_memory()[0]
        _LARGEST[0] = max(_LARGEST[0], tracemalloc.get_traced_memory()[1])
        tracemalloc.reset_peak()
        result = function(*args, **kwargs)
        now, peak = tracemalloc.get_traced_memory()
        _LARGEST[0] = max(_LARGEST[0], peak)
        print(
            f"  {name:16s} held before {(before - base) / 2**20:6.1f}  peak +{(peak - before) / 2**20:6.1f}"
            f"  left +{(now - before) / 2**20:6.1f} MB",
            flush=True,
        )
        if name == "_near_copies":
            print(f"  {'':16s} {len(result.pairs.a)} verified pairs that are copies")
        return result

    setattr(module, name, measured)


def _bands(states: list, rules) -> None:
    """Each LSH pass's candidate pairs (with repeats across bands) and its band that pairs the most."""
    import numpy as np

    from seedcheck.corpus import dup_lsh, duplicates, rule_params
    from seedcheck.corpus.dup_table import StateTable

    table = StateTable(states)
    params = rule_params(rules, "duplicate-near")
    groups, _ = duplicates._exact_groups(table, rule_params(rules, "duplicate-exact"))
    exact_of = {d: n for n, ids in enumerate(groups) for d in ids}
    rows = np.array(dup_lsh._indexed_rows(table, params, exact_of), np.int64)
    for part, threshold in dup_lsh.lsh_passes(params, table.sigs.width // 2):
        pairs = []
        for a, b in dup_lsh.band_ranges(threshold, part.stop - part.start):
            _, _, sizes = dup_lsh._band_buckets(table.sigs, part.start + a, part.start + b, rows)
            pairs.append((int((sizes * (sizes - 1) // 2).sum()), int(sizes.max())))
        most = max(range(len(pairs)), key=lambda n: pairs[n][0])
        print(
            f"  pass {threshold}: {sum(p for p, _ in pairs):,} band pairs over {len(pairs)} bands; band {most} "
            f"pairs {pairs[most][0]:,} (largest bucket {pairs[most][1]:,} rows)"
        )
    table.close()


def _cpu(states: list, rules) -> None:
    """`Duplicates.finish` as a large run's corpus stage runs it: CPU, faults, wall, MD5."""
    import contextlib
    import ctypes
    import ctypes.util
    import resource
    import time

    from seedcheck import spool
    from seedcheck.corpus import duplicates

    ctypes.CDLL(ctypes.util.find_library("c")).mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD
    reused = getattr(spool, "large_allocations_reused", contextlib.nullcontext)

    class Context:
        changed_ids = ()

    digest, count = hashlib.md5(), 0
    before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    with reused():
        for rule, doc_id, hit, *patch in duplicates.Duplicates.finish(states, rules, Context()):
            digest.update(pickle.dumps((rule, doc_id, repr(hit), patch)))
            count += 1
    after = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"{len(states)} documents, {count} findings, md5 {digest.hexdigest()}; user "
        f"{after.ru_utime - before.ru_utime:.1f} s, system {after.ru_stime - before.ru_stime:.1f} s, "
        f"{after.ru_minflt - before.ru_minflt} minor faults, wall {time.perf_counter() - started:.1f} s, "
        f"largest RSS {after.ru_maxrss // 1024} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--states", type=Path, help="pickle of the states (made on the first run)")
    parser.add_argument("--on-disk", action="store_true", help="the table's columns in temporary files")
    parser.add_argument("--bands", action="store_true", help="first, each LSH pass's pairs by band")
    parser.add_argument("--only-duplicates", action="store_true", help="states from the duplicate rules alone")
    parser.add_argument("--cpu", action="store_true", help="CPU, system time and page faults instead of memory")
    args = parser.parse_args()
    path = args.states or Path(f"/tmp/dup-states-{Path(args.corpus).name}.pkl")
    states, rules = _states(args.corpus, path, args.only_duplicates)
    if args.bands:
        _bands(states, rules)

    from seedcheck.corpus import dup_lsh, duplicates

    try:
        from seedcheck.corpus import dup_table
    except ImportError:  # a tree from before the table had its own module (always in memory)
        dup_table = dup_lsh
    dup_table.ON_DISK_FROM = 0 if args.on_disk else len(states) + 1
    if args.cpu:
        _cpu(states, rules)
        return
    tracemalloc.start(1)
    base = tracemalloc.get_traced_memory()[0]
    for module, name in ((duplicates, "_exact_groups"), (duplicates, "_near_copies")):
        _phase(module, name, base)
    _phase(duplicates, "_clusters", base)
    table_init = dup_table.StateTable.__init__

    def table(self, *a, **k):
        tracemalloc.reset_peak()
        table_init(self, *a, **k)
        now, peak = tracemalloc.get_traced_memory()
        _LARGEST[0] = max(_LARGEST[0], peak)
        print(f"  {'StateTable':16s} peak +{(peak - base) / 2**20:6.1f}  left +{(now - base) / 2**20:6.1f} MB")

    dup_table.StateTable.__init__ = table

    class Context:
        changed_ids = ()

    digest, count = hashlib.md5(), 0
    for rule, doc_id, hit, *patch in duplicates.Duplicates.finish(states, rules, Context()):
        digest.update(pickle.dumps((rule, doc_id, repr(hit), patch)))
        count += 1
    largest = max(_LARGEST[0], tracemalloc.get_traced_memory()[1])
    total = (largest - base) / 2**20
    print(f"{len(states)} documents, {count} findings, md5 {digest.hexdigest()}; largest +{total:.1f} MB")


if __name__ == "__main__":
    main()
