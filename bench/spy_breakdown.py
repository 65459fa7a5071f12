"""Where the document stage's time goes, by sampling (py-spy) rather than by instrumenting.

    py-spy record -r 500 -f raw -o spy.txt -- python bench/docstage.py CORPUS 1500
    python bench/spy_breakdown.py spy.txt [--top 30]

`bench/docstage.py --breakdown` wraps each component in a timer and cProfile wraps every
call; both add per-call cost to code made of many small calls. A sampling profiler does
not, and it charges time spent inside C (a regular expression's scan, a numpy kernel) to
the Python function that called it. Printed: the share of all samples each function
holds itself (self) and with what it calls (inclusive), counting only samples taken
inside `Engine.process` (so the run's start-up and model loading are left out).
"""

from __future__ import annotations

import argparse
import collections
import re


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("raw", help="py-spy's output with -f raw (collapsed stacks)")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    own: collections.Counter = collections.Counter()
    inclusive: collections.Counter = collections.Counter()
    total = inside = 0
    with open(args.raw, encoding="utf-8") as fh:
        for line in fh:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            samples = int(count)
            total += samples
            frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")]
            if not any(f.startswith("Engine.process (seedcheck/checker.py") for f in frames):
                continue
            inside += samples
            own[frames[-1]] += samples
            for frame in set(frames):
                inclusive[frame] += samples
    print(f"{total} samples, {inside} inside Engine.process ({100 * inside / max(total, 1):.1f}%)")
    for title, counter in (("self", own), ("inclusive", inclusive)):
        print(f"--- {title}, share of the samples inside Engine.process")
        for frame, samples in counter.most_common(args.top):
            print(f"{100 * samples / max(inside, 1):5.1f}%  {frame[:110]}")


if __name__ == "__main__":
    main()
