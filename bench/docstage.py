"""The document stage alone, in this process: CPU time per document, an MD5 of every
outcome (record, findings, analyzer states) to compare two versions, and with
`--breakdown` the share of each extractor, rule, analyzer and shared fact.

    cd /tmp && PYTHONPATH=$WT/src python $WT/bench/docstage.py CORPUS [N] [--breakdown]

Run from a folder without a project configuration (defaults apply), as the corpus
commands of bench/README.md are.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import pickle
import time
from pathlib import Path

from seedcheck import checker, extract, names
from seedcheck.config import load_config
from seedcheck.extract import language
from seedcheck.ingest.units import plan
from seedcheck.names import analysis as name_analysis
from seedcheck.pipeline import Engine, discover_sources
from seedcheck.rules.detectors import layout
from seedcheck.rules.detectors.leftovers import spelling_words


def _timed(totals: collections.Counter, name: str, fn):
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[name] += time.process_time() - started

    return wrapper


def _instrument(engine: Engine, totals: collections.Counter) -> None:
    """Wrap every extractor, rule, analyzer and shared fact in a CPU timer (nested ones
    count in both: a fact is also in the first component that asked for it)."""
    extract.EXTRACTORS[:] = [
        _timed(totals, "extract " + f.__module__.rsplit(".", 1)[-1], f) for f in extract.EXTRACTORS
    ]
    for rule in engine.document_rules:
        rule.check = _timed(totals, "rule " + rule.name, lambda doc, check=rule.check: list(check(doc)))
    for analyzer in engine.analyzers:
        analyzer.collect = _timed(totals, "collect " + analyzer.name, analyzer.collect)
    layout._build = _timed(totals, "fact layout", layout._build)
    name_analysis.candidate_runs = _timed(totals, "fact name runs", name_analysis.candidate_runs)
    names.Registry.match = _timed(totals, "fact registry match", names.Registry.match)
    language.clean = _timed(totals, "fact language clean", language.clean)
    iterate = checker.iter_documents  # what Engine.process reads documents with
    checker.iter_documents = _timed(totals, "ingest", lambda *a: list(iterate(*a)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("n", type=int, nargs="?", default=500)
    parser.add_argument("--breakdown", action="store_true")
    args = parser.parse_args()
    config = load_config(start=Path.cwd())
    engine = Engine(config)
    sources = list(plan(discover_sources(config, [args.corpus]), config.split_size, config.max_file_size))[: args.n]
    engine.process(sources[0])  # lazy models and registries load here, not in the figure
    spelling_words()  # glued-words' dictionary, loaded at the first document that needs it (once per process)
    totals: collections.Counter = collections.Counter()
    if args.breakdown:
        _instrument(engine, totals)
    digest = hashlib.md5()
    started = time.process_time()
    for source in sources:
        for outcome in engine.process(source):
            digest.update(pickle.dumps(([f.to_json() for f in outcome.findings], outcome.record, outcome.states)))
    cpu = time.process_time() - started
    print(
        f"{len(sources)} files, {cpu:.2f} s CPU, {len(sources) / cpu:.0f} docs per CPU-second, "
        f"{1000 * cpu / len(sources):.2f} ms/doc, md5 {digest.hexdigest()}"
    )
    for name, seconds in totals.most_common():
        print(f"  {name:38s} {1000 * seconds / len(sources):7.3f} ms/doc {100 * seconds / cpu:5.1f}%")


if __name__ == "__main__":
    main()
