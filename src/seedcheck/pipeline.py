"""The data flow of docs/SPEC.md section 3, stage by stage, for the local engine.

files -> ingest -> extract (record) -> document rules -> [worker processes]
      -> corpus rules -> record schema -> corpus expectations -> waivers/baseline -> Result

`run` orchestrates; the stages live in `checker.py` (one document), `document_stage.py`
(every file, in processes, with the cache) and `completion.py` (everything after; a long
run validates the corpus expectations before the corpus stage, with the same findings).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import time
from typing import NamedTuple

from .cache import Cache, Results
from .checker import DocOutcome, Engine
from .completion import (
    STATUS_ORDER,
    Result,
    apply_per_file_ignores,
    complete,
    corpus_stage,
    schema_stage,
    summarise_documents,
)
from .config import Config
from .document_stage import ALL_BODIES_UP_TO, HTML_BODY_CAP, document_stage
from .gate import GateOptions
from .ingest import Source
from .ingest.remote import discover_all
from .ingest.units import estimated_documents, plan
from .model import Finding, RecordTrace
from .record_ids import unique_ids
from .records import COMPACT_FROM, RECORDS_ON_DISK_FROM, RecordStore
from .rules import fields
from .spool import SPOOL_FROM, CorpusStates, Spool, large_allocations_mapped

__all__ = [
    "ALL_BODIES_UP_TO",
    "HTML_BODY_CAP",
    "STATUS_ORDER",
    "DocOutcome",
    "Engine",
    "Result",
    "apply_per_file_ignores",
    "complete",
    "corpus_stage",
    "discover_sources",
    "document_stage",
    "run",
    "schema_stage",
    "summarise_documents",
]


def _engine(config: Config, today: dt.date, results: Results | None) -> Engine:
    """The run's `Engine`. Loading the rules reads seedcheck's code to check their messages
    (`rules/fields.py`, 0.4 s); with the cache, what that found is kept in it (its file's
    fingerprint covers the source) and a re-run takes it from there."""
    key = Results.key("rule-fields", ())
    known = results.get("rule-fields", key, tally=False) if results is not None else None
    if known:
        fields.remember(known)
    engine = Engine(config, today)
    if results is not None and fields.analyses() != (known or {}):
        results.put(key, fields.analyses())
    return engine


def run(
    config: Config,
    paths: list[str] | None = None,
    jobs: int | None = None,
    progress: bool = False,
    gate: GateOptions | None = None,
    cache: bool = False,
    sources: list[Source] | None = None,
    gx=None,
) -> Result:
    """Check the documents under `paths` (default: the configured paths), or the given
    `sources` (in-memory records from the Python API), and return the result. With
    `cache`, unchanged files come from the cache (see cache.py). `gx`: the run's
    `gx_worker.GxRunner` (a background GX process, reused results), else GX runs here."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    today = dt.date.today()
    stored = Cache.open(config, today) if cache else None
    results = stored.results() if stored is not None else None
    try:
        engine = _engine(config, today, results)
    except BaseException:  # a configuration error: the cache file is let go as after a run
        if stored is not None:
            stored.close()
        raise
    if sources is None:
        paths = paths or [str(config.resolve(p)) for p in config.paths]
        sources = list(plan(discover_sources(config, paths), config.split_size, config.max_file_size))
    paths = paths or []
    documents = estimated_documents(sources)
    timings["discover"] = time.perf_counter() - t0

    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(sources), unit="file", desc="checking", leave=False, dynamic_ncols=True)
    t1 = time.perf_counter()
    try:
        collected = _collect(engine, sources, documents, jobs or config.jobs_count, bar, stored, gx)
    finally:
        if stored is not None:
            stored.close()
    # Every file is read: the sources (about 100 B each besides the strings the records
    # share) go before the corpus stage, the run's largest.
    del sources
    if gx is not None:
        gx.after_documents(engine, collected.records)
    if stored is not None:
        timings["cached_files"] = stored.hits
    if bar:
        bar.close()
    timings["documents"] = time.perf_counter() - t1
    return complete(engine, *collected, timings, paths, gate, t0, gx, results)


class Collected(NamedTuple):
    """The document stage's outcomes as `complete` takes them (`readable` and `traces`
    follow `records`)."""

    records: RecordStore
    findings: list[Finding] | Spool
    states: CorpusStates
    readable: list[bool]
    traces: list[RecordTrace]


def _collect(engine: Engine, sources: list[Source], documents: int, jobs: int, bar, stored, gx) -> Collected:
    """The document stage's outcomes gathered here, each kept as the run's size calls for
    (in memory, compact, spooled or on disk)."""
    spooled = documents >= SPOOL_FROM
    records = RecordStore(compact=documents >= COMPACT_FROM, on_disk=documents >= RECORDS_ON_DISK_FROM)
    findings, states, readable, traces = Spool() if spooled else [], CorpusStates(spooled), [], []
    if gx is not None:
        gx.attach(stored, documents)  # reuses results; starts the worker at the first file to check
    # A large run's outcomes arrive between records kept to its end (large_allocations_mapped),
    # in this process only: the workers' own allocations are left to glibc's defaults.
    mapped = contextlib.ExitStack()
    after_fork = (lambda: mapped.enter_context(large_allocations_mapped())) if records.compact else None
    advance = bar.update if bar else (lambda n: None)
    with mapped:
        for outcome in unique_ids(document_stage(engine, sources, jobs, advance, stored, after_fork)):
            record = outcome.record
            # Interned like the findings' ids and paths (model.Finding): one string for all.
            record["doc_id"], record["path"] = sys.intern(record["doc_id"]), sys.intern(record["path"])
            records.append(record)
            findings.extend(outcome.findings)
            states.add(outcome.record["doc_id"], outcome.states)
            readable.append(outcome.readable)
            traces.append(outcome.trace)
            if gx is not None and len(records) % 64 == 1:
                gx.poll()  # a long run must not go on with a bad corpus suite
    return Collected(records, findings, states, readable, traces)


def discover_sources(config: Config, paths: list[str]) -> list[Source]:
    """The files under `paths` (see `discover`), each folder with its include globs
    (`Config.include_for`), never seedcheck's own reports, cache, baseline or configuration."""
    own = config.own_files()
    sources: list[Source] = []
    for path in paths:
        found = discover_all([path], config.include_for(path), config.exclude)
        base = os.path.realpath(path).rstrip(os.sep) + os.sep
        inside = [o for o in own if o.startswith(base) or o + os.sep == base]
        # Only a folder that holds one of them needs each file's real path looked up.
        sources.extend(s for s in found if not inside or not config.is_own_file(s.fs_path, inside))
    return sources
