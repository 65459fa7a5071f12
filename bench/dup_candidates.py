"""How the near-duplicate candidates grow with the corpus: for the first N documents of a
saved duplicates state (`bench/dup_phases.py` writes one), each LSH pass's distinct
candidate pairs, how many band collisions found them, and the pairs that pass verification.

    cd /tmp && PYTHONPATH=$WT/src python $WT/bench/dup_candidates.py /tmp/dup-states-CORPUS.pkl \
        [--sizes 25000 50000 100000]

Until e34822f every distinct candidate was held as an 8-byte code until its pass ended, and
merging a band's codes into them copied them about three times: the candidates, not the
documents, set the duplicates stage's peak. `first_meetings` now verifies a band's new pairs
and lets them go; this counts what a pass would hold (`candidate_codes`). Tables in memory
for every size (the duplicates stage puts them on disk from 100,000 documents, which changes
the CPU, not the counts).
"""

from __future__ import annotations

import argparse
import pickle
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("states")
    parser.add_argument("--sizes", type=int, nargs="+", default=[25_000, 50_000, 100_000])
    args = parser.parse_args()
    from seedcheck.corpus import dup_lsh
    from seedcheck.corpus.dup_table import StateTable
    from seedcheck.corpus.duplicates import rule_params

    with open(args.states, "rb") as fh:
        states, rules = pickle.load(fh)
    params = rule_params(rules, "duplicate-near")
    merge = dup_lsh._merge_sorted
    for size in args.sizes:
        table = StateTable(states[:size], on_disk=False)
        rows = np.array(dup_lsh._indexed_rows(table, params, {}), np.int64)
        collisions = [0]

        def counting(a, b, collisions=collisions):
            collisions[0] += len(b)
            return merge(a, b)

        dup_lsh._merge_sorted = counting
        passes = []
        for part, threshold in dup_lsh.lsh_passes(params, table.sigs.width // 2):
            collisions[0] = 0
            cpu = time.process_time()
            codes = dup_lsh.candidate_codes(table.sigs, threshold, rows, part)
            passes.append(
                f"pass {threshold}: {len(codes):>10,} distinct ({collisions[0]:>10,} collisions, "
                f"{time.process_time() - cpu:5.1f} CPU s)"
            )
        dup_lsh._merge_sorted = merge
        cpu = time.process_time()
        verified = len(dup_lsh.near_pairs(table, params, {}).a)
        print(
            f"{size:>9,} documents  " + "  ".join(passes) + f"  verified {verified:,} "
            f"(near_pairs {time.process_time() - cpu:.1f} CPU s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
