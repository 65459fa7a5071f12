"""The report writers with a run's findings in memory and on disk: CPU seconds, passes over
the findings and cyclic garbage collections, writer by writer, and whether the output is the
same.

    cd /tmp && PYTHONPATH=$WT/src python $WT/bench/writers_on_disk.py CORPUS [--gc]

Runs the local engine once in this process (`pipeline.run`, no cache, findings in a list),
copies the findings into the spool a large run writes (`completion._findings_spool`), then
renders each writer to a string for both. `--gc` leaves the collector on while the writers
run (as before 4 December 2026), to see what it costs. Run from a folder without a project
configuration (defaults apply).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import io
import time
from contextlib import nullcontext


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--gc", action="store_true", help="keep the cyclic collector on in the writers")
    args = parser.parse_args()

    from seedcheck import completion, pipeline, spool
    from seedcheck.config import load_config
    from seedcheck.report import WRITERS

    in_memory = pipeline.run(load_config(None), [args.corpus], jobs=2)
    on_disk_findings = completion._findings_spool()
    on_disk_findings.extend(in_memory.findings)
    on_disk = dataclasses.replace(in_memory, findings=on_disk_findings)
    print(f"{len(in_memory.documents)} documents, {len(in_memory.findings)} findings")

    passes, collections = [0], [0, 0, 0]
    reading = spool.Spool.__iter__

    def counted(self):
        passes[0] += 1
        return reading(self)

    def collected(phase: str, info: dict) -> None:
        if phase == "stop":
            collections[info["generation"]] += 1

    spool.Spool.__iter__ = counted
    gc.callbacks.append(collected)
    pause = nullcontext if args.gc else spool.cyclic_gc_paused
    # Passes over the findings and collections by generation: those of the run on disk.
    print(f"{'writer':10s} {'memory CPU s':>13s} {'disk CPU s':>11s} {'passes':>7s} {'collections':>12s} same")
    for name in ("json", "html", "junit", "sarif", "markdown", "text"):
        module, outputs, seconds = WRITERS[name], [], []
        for result in (in_memory, on_disk):
            passes[0], collections[:] = 0, [0, 0, 0]
            fh = io.StringIO()
            started = time.process_time()
            with pause():
                module.write(result, fh) if hasattr(module, "write") else fh.write(module.render(result))
            seconds.append(time.process_time() - started)
            outputs.append(fh.getvalue())
        same = outputs[0] == outputs[1]
        print(f"{name:10s} {seconds[0]:13.2f} {seconds[1]:11.2f} {passes[0]:7d} {collections!s:>12s} {same}")


if __name__ == "__main__":
    main()
