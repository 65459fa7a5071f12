"""Boilerplate's line counting (`common_lines`) over spooled states, as a large run's corpus stage runs it.

    cd /tmp && PYTHONPATH=$TREE/src python $TREE/bench/boilerplate_count.py [--docs 300000]

Generated states (seeded): each document one `Lines` of `--keys` line keys, a tenth of them
drawn from `--common` site lines and the rest its own, with excerpts, most documents of one
domain and the rest spread over `--domains` smaller ones; appended to a `Spool` as the
document stage does. Then `common_lines` runs once and prints how often it read the spool,
its user and system CPU seconds, minor page faults, wall seconds, its largest RSS above the
RSS it began with (Linux's VmHWM, reset first), and an MD5 of what it found (every domain's
common keys, counts and size), to compare two trees on the same states.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import time

import numpy as np

from seedcheck.corpus import boilerplate
from seedcheck.spool import Spool

WORDS = ("the", "president", "met", "leaders", "of", "nation", "to", "discuss", "trade", "energy", "health")


class _Counted:
    def __init__(self, spool: Spool):
        self.spool, self.reads = spool, 0

    def __iter__(self):
        self.reads += 1
        return iter(self.spool)


def _status(field: str) -> float:
    """A /proc/self/status figure in MB."""
    with open("/proc/self/status") as fh:
        lines = fh.read().splitlines()
    for line in lines:
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def _reset_peak() -> float:
    """Start the largest RSS (VmHWM) afresh at the RSS now (Linux), and return it in MB."""
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    return _status("VmRSS")


def states(docs: int, keys: int, common: int, domains: int, seed: int) -> Spool:
    """The generated states, spooled."""
    rng = np.random.default_rng(seed)
    site = rng.integers(0, 2**64, common, dtype=np.uint64)
    texts = [" ".join(rng.choice(WORDS, 8).tolist()) for _ in range(500)]
    spool = Spool()
    shared = keys // 10
    for i in range(docs):
        own = rng.integers(0, 2**64, keys - shared, dtype=np.uint64)
        line_keys = np.unique(np.concatenate([rng.choice(site, shared, replace=False), own]))
        domain = "www.whitehouse.gov" if i % 10 else f"site{i // 10 % domains}.example"
        excerpts = [texts[j] for j in rng.integers(0, len(texts), len(line_keys)).tolist()]
        numbers = np.arange(len(line_keys))
        lengths = np.full(len(line_keys), 50)
        spool.append((f"doc-{i}", boilerplate.Lines.make(domain, line_keys, numbers, lengths, excerpts)))
    return spool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=300_000)
    parser.add_argument("--keys", type=int, default=90, help="line keys per document")
    parser.add_argument("--common", type=int, default=200, help="site lines the documents share")
    parser.add_argument("--domains", type=int, default=50, help="smaller domains")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    spool = states(args.docs, args.keys, args.common, args.domains, args.seed)
    counted = _Counted(spool)
    rss_before = _reset_peak()
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    found = boilerplate.common_lines(counted, 3, 0.05)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    digest = hashlib.md5()
    for domain in sorted(found):
        keys, count_of, size = found[domain]
        digest.update(f"{domain} {size} {sorted(count_of.items())} {sorted(keys.tolist())}\n".encode())
    print(
        f"{args.docs} documents: {counted.reads} reads, {after.ru_utime - before.ru_utime:.1f} s user, "
        f"{after.ru_stime - before.ru_stime:.1f} s system, {after.ru_minflt - before.ru_minflt} minor faults, "
        f"{wall:.1f} s wall, largest RSS {_status('VmHWM') - rss_before:+.0f} MB; "
        f"{len(found)} domains, {sum(len(v[1]) for v in found.values())} common keys, MD5 {digest.hexdigest()}"
    )
    spool.close()


if __name__ == "__main__":
    main()
