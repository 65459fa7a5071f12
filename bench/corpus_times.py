"""CPU seconds of each corpus analyzer's `finish`, for comparing trees on one corpus.

    python bench/corpus_times.py --out times.json -- check bench/work/c100000 --no-cache -q

Runs `seedcheck <args>` in this process with every corpus analyzer's `finish` wrapped, and
writes the CPU seconds (this process's `time.process_time`, so a loaded machine changes the
figure less than wall time would) and wall seconds spent inside each analyzer, plus the run's
total. Works on any tree whose analyzers subclass `seedcheck.corpus.Analyzer` (22 November
onwards), so an older checkout and the current one can be timed on the same corpus in one run.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import pkgutil
import sys
import time


def _wrap(cls: type, book: dict) -> None:
    original = cls.__dict__["finish"].__func__

    @functools.wraps(original)
    def finish(klass, *args, **kwargs):
        spent = book.setdefault(klass.name, {"cpu_s": 0.0, "wall_s": 0.0, "items": 0})
        items = original(klass, *args, **kwargs)
        iterator = iter(items)
        while True:
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                return
            finally:
                spent["cpu_s"] += time.process_time() - cpu
                spent["wall_s"] += time.perf_counter() - wall
            spent["items"] += 1
            yield item

    cls.finish = classmethod(finish)


def instrument(book: dict) -> None:
    """Wrap `finish` of every analyzer defined in `seedcheck.corpus`'s modules."""
    from seedcheck import corpus

    for info in pkgutil.iter_modules(corpus.__path__):
        importlib.import_module(f"seedcheck.corpus.{info.name}")
    seen, todo = set(), list(corpus.Analyzer.__subclasses__())
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        todo.extend(cls.__subclasses__())
        if "finish" in cls.__dict__:
            _wrap(cls, book)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="bench/results/corpus-times.json")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="seedcheck's arguments (after --)")
    ns = parser.parse_args(argv)
    args = ns.args[1:] if ns.args[:1] == ["--"] else ns.args
    book: dict = {}
    instrument(book)
    from seedcheck.cli import main as seedcheck_main

    started, cpu = time.perf_counter(), time.process_time()
    try:
        seedcheck_main(args, standalone_mode=False)
    except SystemExit as stop:
        code = stop.code
    else:
        code = 0
    book["run"] = {"wall_s": time.perf_counter() - started, "main_process_cpu_s": time.process_time() - cpu}
    rounded = {k: {f: round(v, 2) if isinstance(v, float) else v for f, v in d.items()} for k, d in book.items()}
    with open(ns.out, "w", encoding="utf-8") as fh:
        json.dump(rounded, fh, indent=1)
    for name, spent in rounded.items():
        print(name, spent, file=sys.stderr)
    return code if isinstance(code, int) else 1


if __name__ == "__main__":
    sys.exit(main())
