"""What a forked worker copies of the objects it inherits, with and without
`lifecycle.forking` (which freezes the collector's objects for the fork).

    python bench/fork_copies.py [--sources 500000] [--rounds 40]

Builds `--sources` `Source` objects as discovery does (interned path and id), forks a child
either plainly or inside `forking()`, and lets the child work as a document worker does
(allocate, keep a little, free, collect: `--rounds` full collections). The child then reads
its own `/proc/self/smaps`: private dirty memory in mappings it still shares with the
parent (pages of the inherited heap it wrote to, so the kernel copied them) and in
mappings of its own. Linux only.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import gc
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from seedcheck.ingest.discover import Source
from seedcheck.lifecycle import forking


def private_mb() -> tuple[int, int]:
    """(MB private in mappings also shared, MB private in mappings not shared) of this process."""
    inherited = own = 0
    shared = private = 0
    started = False

    def close() -> None:
        nonlocal inherited, own
        if shared and private:
            inherited += private
        elif not shared:
            own += private

    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split(" ", 1)[0]
        if "-" in head and all(c in "0123456789abcdef-" for c in head):
            if started:
                close()
            started, shared, private = True, 0, 0
        elif line.startswith("Private_Dirty:"):
            private = int(line.split()[1])
        elif line.startswith("Shared_Dirty:"):
            shared = int(line.split()[1])
    close()
    return inherited // 1024, own // 1024


def child_work(rounds: int) -> None:
    kept = []
    for _ in range(rounds):
        batch = [{"a": [str(i)] * 3, "b": (i, str(i))} for i in range(20_000)]
        kept.append(batch[::50])
        del batch
        gc.collect()


def measure(sources: int, rounds: int, frozen: bool) -> tuple[int, int]:
    """The child's (inherited, own) private MB after its work."""
    kept = [
        Source(sys.intern(f"/data/corpus/{i // 1000:04d}/{i:07d}-2023-06-19-a-release-title.md"), "", "", size=5000 + i)
        for i in range(sources)
    ]
    reader, writer = os.pipe()
    with forking() if frozen else contextlib.nullcontext():
        pid = os.fork()
        if pid == 0:  # the child never leaves the block, as a multiprocessing worker does not
            os.close(reader)
            child_work(rounds)
            os.write(writer, repr(private_mb()).encode())
            os._exit(0)
    os.close(writer)
    reply = os.read(reader, 100).decode()
    os.waitpid(pid, 0)
    del kept
    return ast.literal_eval(reply)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    for frozen in (False, True):
        inherited, own = measure(args.sources, args.rounds, frozen)
        way = "inside lifecycle.forking" if frozen else "plain fork"
        print(f"{args.sources:,} sources, {way}: child's private MB in inherited mappings {inherited}, own {own}")


if __name__ == "__main__":
    main()
