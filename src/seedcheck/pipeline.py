"""The data flow of docs/SPEC.md section 3, stage by stage, for the local engine.

files -> ingest -> extract (record) -> document rules -> [worker processes]
      -> corpus rules -> record schema -> corpus expectations -> waivers/baseline -> Result
"""

from __future__ import annotations

import fnmatch
import os
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .cache import Cache, pack, read_keyed, unpack
from .config import Config
from .context import Context
from .extract import RECORD_FIELDS, build_record
from .facts import Facts
from .gate import GateOptions, _real, apply_gate
from .ingest import Source
from .ingest.readers import IngestOptions, iter_documents
from .ingest.remote import discover_all
from .ingest.units import estimated_documents, plan, weight
from .lifecycle import die_with_parent, forking
from .model import Document, Finding, Hit, Severity
from .record_ids import unique_ids
from .rules.registry import Registry, matches
from .spool import SPOOL_FROM, CorpusStates, Spool, give_back_memory

STATUS_ORDER = {"ok": 0, "warning": 1, "error": 2}

# The private (`_`) record fields read after the document stage: by the gate (`_fs_path`,
# `_waivers`), the schema stage and the HTML report (`_lines`, `_body_line`,
# `_body_omitted`), missing-date's fix (`_date_proposal`, undated documents only) and the
# missing-field rules' fixes (`_unmapped`, shard records lacking a mapped field only). The
# others (every date stated in the text, the attribution line, ...) are the document rules' working data: they are dropped
# before a record leaves its worker, or the main process would hold them for every
# document of the run (the dates alone were 40% of the records at 100,000 documents).
KEPT_PRIVATE_FIELDS = frozenset(
    {"_fs_path", "_waivers", "_lines", "_date_proposal", "_body_line", "_body_omitted", "_alt_id", "_unmapped"}
)

# Bodies are the one per-document thing that is not compact, and after the document stage
# only the HTML report reads them. Runs of up to ALL_BODIES_UP_TO documents keep every
# body; larger runs keep the bodies of the first HTML_BODY_CAP documents (in source order,
# so the same for any --jobs) that have a document-stage finding, and mark the rest
# `_body_omitted`, so memory grows with compact state only.
ALL_BODIES_UP_TO = 2_000
HTML_BODY_CAP = 2_000


@dataclass(slots=True)
class DocOutcome:
    """What the document stage returns for one document (small enough to pickle)."""

    record: dict[str, Any]
    findings: list[Finding]
    states: dict[str, Any]
    readable: bool


@dataclass
class Result:
    """Everything a run produced; writers render it."""

    config: Config
    registry: Registry
    documents: list[dict[str, Any]]
    findings: list[Finding]
    expectations: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            out[str(f.severity)] += 1
        return out

    def gating(self, fail_on: str) -> list[Finding]:
        """Findings that fail the gate: at or above `fail_on` and not baselined."""
        if fail_on == "never":
            return []
        threshold = Severity.parse(fail_on)
        return [f for f in self.findings if f.severity >= threshold and not f.baselined]


class Engine:
    """Document-stage machinery of one process: context, registry, options."""

    def __init__(self, config: Config):
        self.config = config
        self.context = Context(config)
        self.registry = Registry.load(config, self.context)
        self.options = IngestOptions(max_file_size=config.max_file_size, **_jsonl_options(config))
        self.document_rules = self.registry.stage("document")
        self.analyzers = _analyzers(self.registry)
        self.keep_all_bodies = True  # document_stage turns it off for large runs
        # analyzer name -> what its `plan` decided from totals the Spark engine aggregated;
        # `finish` then gets it instead of recomputing it from (pruned) states.
        self.corpus_plans: dict[str, Any] = {}

    def finding(self, doc: Document, name: str, hit: Hit) -> Finding | None:
        if name not in self.registry.enabled:
            return None
        return self.registry.get(name).to_finding(doc, hit)

    def process(self, source: Source, data: bytes | None = None) -> list[DocOutcome]:
        """Ingest one file (or its bytes `data`, already read) and run the document stage
        on each of its documents."""
        outcomes = []
        for doc in iter_documents(source, self.options, data):
            facts = doc.facts = Facts(doc, self.context)
            record = build_record(doc, self.context)
            record["_fs_path"] = source.fs_path
            if source.unit is not None:  # a part of a shard: its record's id if another part has its id
                record["_alt_id"] = source.doc_id + (
                    f"#L{record['jsonl_line']}" if "jsonl_line" in record else f"#row{record.get('row')}"
                )
            findings = [f for name, hit in doc.hits if (f := self.finding(doc, name, hit))]
            if doc.readable:
                for rule in self.document_rules:
                    findings.extend(rule.to_finding(doc, hit) for hit in rule.check(doc))
            # Corpus analyzers may ignore lines the document rules flagged as noise.
            facts.noise_lines = frozenset(f.line for f in findings if f.rule.startswith("noise-") and f.line)
            states = {a.name: a.collect(doc, self.context) for a in self.analyzers} if doc.readable else {}
            if not self.keep_all_bodies and not findings:
                record["body"], record["_body_omitted"] = None, True
            for key in [k for k in record if k[:1] == "_" and (k not in KEPT_PRIVATE_FIELDS or not record[k])]:
                del record[key]
            doc.facts = None  # the facts refer to the document: free both now, not at a GC pass
            outcomes.append(DocOutcome(record, findings, states, doc.readable))
        return outcomes


def _jsonl_options(config: Config) -> dict[str, tuple[str, ...]]:
    out = {}
    for key, value in config.jsonl.items():
        names = (value,) if isinstance(value, str) else tuple(value)
        out[f"jsonl_{key.replace('-', '_').removesuffix('_field')}"] = names
    return out


def _analyzers(registry: Registry) -> list:
    seen = {}
    for rule in registry.stage("corpus"):
        seen.setdefault(rule.analyzer.name, rule.analyzer)
    return list(seen.values())


_ENGINE: Engine | None = None


def _init_worker(config: Config, keep_all_bodies: bool, variant: bytes | None = None) -> None:
    global _ENGINE, _VARIANT
    die_with_parent()
    # Under fork the worker inherits the parent's warmed-up engine (registry, compiled
    # patterns, language model); under spawn it builds its own.
    if _ENGINE is None or _ENGINE.config is not config:
        _ENGINE = Engine(config)
    _ENGINE.keep_all_bodies = keep_all_bodies
    _VARIANT = variant


_VARIANT: bytes | None = None  # in a worker of a cached run: the cache's variant (see _outcomes)


def _outcomes(engine: Engine, source: Source, variant: bytes | None) -> tuple[list[DocOutcome], bytes | None]:
    """One file's outcomes and, in a cached run (`variant` given), the cache key of the
    bytes they were computed from (None when they must not be stored: a file that is not
    cached, or one that turned out unreadable)."""
    if variant is None or source.unit is not None:  # a shard's part is not cached
        return engine.process(source), None
    data, key = read_keyed(source, engine.options.max_file_size, variant)
    outcomes = engine.process(source, data)
    if key is None or not all(o.readable for o in outcomes):
        return outcomes, None
    return outcomes, key


def _process_batch(sources: list[Source]) -> list:
    assert _ENGINE is not None
    if _VARIANT is None:
        return [_ENGINE.process(source) for source in sources]
    # Packed here, in parallel: the main process stores the bytes as they are.
    return [(pack(outcomes), key) for outcomes, key in (_outcomes(_ENGINE, s, _VARIANT) for s in sources)]


def _batches(items: list[Source], size: int) -> Iterator[list[Source]]:
    """Consecutive sources of about `size` small files of work (a shard's unit weighs more)."""
    batch, load = [], 0
    for item in items:
        batch.append(item)
        load += weight(item)
        if load >= size:
            yield batch
            batch, load = [], 0
    if batch:
        yield batch


def _checked(
    engine: Engine, sources: list[Source], jobs: int, progress, variant: bytes | None = None
) -> Iterator[tuple[list[DocOutcome], bytes | None, bytes | None]]:
    """Each file's (outcomes, cache key, packed outcomes), in source order; key and packed
    form only in a cached run (`variant`), and the key only when they may be stored."""
    global _ENGINE

    def here(source: Source) -> tuple[list[DocOutcome], bytes | None, bytes | None]:
        outcomes, key = _outcomes(engine, source, variant)
        return outcomes, key, pack(outcomes) if key is not None else None

    if jobs <= 1 or sum(map(weight, sources)) < 64:
        for source in sources:
            yield here(source)
            progress(1)
        return
    # The first file runs here: it warms the lazy caches that forked workers then share.
    yield here(sources[0])
    progress(1)
    rest = sources[1:]
    size = max(16, min(256, sum(map(weight, rest)) // (jobs * 8) or 16))
    _ENGINE = engine
    pool = ProcessPoolExecutor(
        max_workers=jobs, initializer=_init_worker, initargs=(engine.config, engine.keep_all_bodies, variant)
    )
    try:
        with forking():  # map submits every batch now, which forks the workers
            outputs = pool.map(_process_batch, _batches(rest, size))
        for batch, results in zip(_batches(rest, size), outputs):
            for result in results:
                if variant is None:
                    yield result, None, None
                else:
                    blob, key = result
                    yield unpack(blob), key, blob
            progress(len(batch))
    except BaseException:
        _stop_pool(pool)  # Ctrl-C, SIGTERM, an error, or a consumer that stopped reading
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        _ENGINE = None


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now: `shutdown(wait=True)`, as leaving the `with` block does, would
    first finish every batch already queued."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)


def document_stage(
    engine: Engine, sources: list[Source], jobs: int, progress, cache: Cache | None = None
) -> Iterable[DocOutcome]:
    """Run ingest + extraction + document rules, in `jobs` processes when it pays off;
    with a `cache`, files it holds are taken from it and the others stored in it.

    Outcomes come back in source order whatever `jobs` is (and whether they were cached),
    so results are identical for any N.
    """
    engine.keep_all_bodies = estimated_documents(sources) <= ALL_BODIES_UP_TO
    kept = 0

    def bounded(outcomes: list[DocOutcome]) -> Iterator[DocOutcome]:
        nonlocal kept
        for outcome in outcomes:
            if outcome.record.get("body") is not None and not engine.keep_all_bodies:
                kept += 1
                if kept > HTML_BODY_CAP:
                    outcome.record["body"], outcome.record["_body_omitted"] = None, True
            yield outcome

    if cache is None or not cache.active:
        for outcomes, _, _ in _checked(engine, sources, jobs, progress):
            yield from bounded(outcomes)
        return
    variant = cache.variant = b"every-body" if engine.keep_all_bodies else b"bodies-capped"
    # Lookup keys only when there is something to find: the checks key what they read anyway.
    keys = (
        [None] * len(sources)
        if cache.empty()
        else [cache.key(s, engine.options.max_file_size) if s.unit is None else None for s in sources]
    )
    stored = cache.present(keys)
    fresh = _checked(engine, [s for s, k in zip(sources, keys) if k not in stored], jobs, progress, variant)
    for source, key in zip(sources, keys):
        if key not in stored:
            outcomes, key, blob = next(fresh)
            if key is not None:  # the key of the bytes checked (the file may have changed since)
                cache.store(key, blob)
        elif (outcomes := cache.load(key)) is None:  # a damaged entry (or a cache gone mid-run)
            outcomes, key = _outcomes(engine, source, variant)
            if key is not None:
                cache.store(key, pack(outcomes))
            progress(1)
        else:
            progress(1)
        yield from bounded(outcomes)


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
    engine = Engine(config)
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
    spooled = documents >= SPOOL_FROM
    records, findings, states, readable = [], Spool() if spooled else [], CorpusStates(spooled), []
    stored = Cache.open(config, engine.context.today) if cache else None
    results = stored.results() if stored is not None else None
    if gx is not None:
        gx.attach(stored, documents)  # reuses results; starts the worker at the first file to check
    try:
        for outcome in unique_ids(
            document_stage(engine, sources, jobs or config.jobs_count, bar.update if bar else (lambda n: None), stored)
        ):
            records.append(outcome.record)
            findings.extend(outcome.findings)
            states.add(outcome.record["doc_id"], outcome.states)
            readable.append(outcome.readable)
            if gx is not None and len(records) % 64 == 1:
                gx.poll()  # a long run must not go on with a bad corpus suite
    finally:
        if stored is not None:
            stored.close()
    if gx is not None:
        gx.after_documents(engine, records)
    if stored is not None:
        timings["cached_files"] = stored.hits
    if bar:
        bar.close()
    timings["documents"] = time.perf_counter() - t1
    return complete(engine, records, findings, states, readable, timings, paths, gate, t0, gx, results)


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


def complete(
    engine: Engine,
    records: list[dict],
    findings: list[Finding] | Spool,
    states: CorpusStates,
    readable: list[bool],
    timings: dict[str, float],
    paths: list[str],
    gate: GateOptions | None,
    t0: float,
    gx=None,
    results=None,
) -> Result:
    """Everything after the document stage (corpus, schema, expectations, gate), shared by
    the local and the Spark engine. `findings` may be a spool: it is read back once the
    corpus stage has released every state and the expectations (whose worker process
    holds its own copy of the records table) are done."""
    config = engine.config
    t2 = time.perf_counter()
    paths_by_id = {r["doc_id"]: r["path"] for r in records}
    # --changed-since: the duplicate rules keep the committed copy and drop the one the change adds.
    engine.context.changed_ids = (
        {r["doc_id"] for r in records if _real(r) in gate.changed}
        if gate is not None and gate.changed is not None
        else None
    )
    findings.extend(corpus_stage(engine, states, paths_by_id, {r["doc_id"]: r for r in records}))
    del paths_by_id
    states.clear()  # the largest per-document data of a run; nothing after this stage reads it
    if states.spooled:
        give_back_memory()
    timings["corpus"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    findings.extend(schema_stage(engine, [r for r, ok in zip(records, readable) if ok], results))
    timings["schema"] = time.perf_counter() - t3

    t_gx = time.perf_counter()
    from .expectations import expectations_stage  # imports great_expectations only if the stage runs

    expectation_findings, expectation_results = expectations_stage(engine, records, gx.validate if gx else None)
    if gx is not None:
        gx.done()
    findings.extend(expectation_findings)
    if states.spooled:
        give_back_memory()  # the table built for GX: before every finding comes back
    timings["expectations"] = time.perf_counter() - t_gx
    findings = findings.drain() if hasattr(findings, "drain") else findings  # a Spool, or already a list

    findings = apply_per_file_ignores(config, findings)
    findings = apply_gate(config, engine.registry, records, findings, gate or GateOptions(), expectation_results)
    findings.sort(key=Finding.sort_key)
    documents = summarise_documents(records, findings)
    if gate is not None and gate.changed is not None and gate.focus is not None:
        for d in documents:  # outside --changed-since: not reported on, so not "ok" either
            if d["doc_id"] not in gate.focus:
                d["record"]["_unreported"] = True
    if results is not None:
        timings["reused_results"] = len(results.reused)
    timings["total"] = time.perf_counter() - t0
    return Result(
        config=config,
        registry=engine.registry,
        documents=documents,
        findings=findings,
        timings=timings,
        paths=paths,
        expectations=expectation_results,
    )


def corpus_stage(
    engine: Engine, states: CorpusStates, paths_by_id: dict[str, str], records_by_id: dict[str, dict] | None = None
) -> Iterator[Finding]:
    """Run every corpus analyzer once over the collected per-document states; yield the
    findings as they come, so a large run spools them at once (duplicate findings name
    every copy: held until the end of the stage, they were most of its peak).

    `finish` yields `(rule, doc_id, hit)`, or `(rule, doc_id, hit, patch)` where `patch`
    holds record fields to set on that document (e.g. `duplicate_of`) when the rule reports.
    Each analyzer takes its own states out of `states` (from disk when they were spooled)
    and drops them once it has finished, so the next analyzer's working memory can reuse theirs.
    """
    corpus_rules = {r.name: r for r in engine.registry.stage("corpus")}
    for analyzer in engine.analyzers:
        own = states.take(analyzer.name)
        rules = {n: r for n, r in corpus_rules.items() if r.analyzer is analyzer}
        planned = {"plan": engine.corpus_plans[analyzer.name]} if analyzer.name in engine.corpus_plans else {}
        for name, doc_id, hit, *patch in analyzer.finish(own, rules, engine.context, **planned):
            if name in rules:
                if patch and patch[0] and records_by_id and doc_id in records_by_id:
                    records_by_id[doc_id].update(patch[0])
                yield rules[name].to_finding(None, hit, doc_id=doc_id, path=paths_by_id.get(doc_id, doc_id))
        if hasattr(own, "close"):
            own.close()  # a spool: its file goes now
        del own


def schema_stage(engine: Engine, records: list[dict], results=None) -> list[Finding]:
    """Validate the records table against the record schema (a stored result of the same
    table from `results`, when given); name each failure."""
    from .schema import check_records

    schema_path = engine.config.schemas_path / "record.yaml"
    if not records:
        return []
    failures = check_records(records, [f for f in RECORD_FIELDS if f != "body"], str(schema_path), results)
    schema_rules = [r for r in engine.registry.rules.values() if r.stage == "schema"]
    named = [r for r in schema_rules if not r.params.get("fallback")]
    fallback = next((r for r in schema_rules if r.params.get("fallback")), None)
    findings = []
    for failure in failures:
        # A failure claimed by a named rule belongs to it, even when that rule is disabled.
        rule = next((r for r in named if r.claims(failure.column, failure.check)), fallback)
        if rule is None or rule.name not in engine.registry.enabled:
            continue
        rows = [failure.index] if failure.index is not None else range(len(records))
        for index in rows:
            rec = records[index]
            line = rec.get("_lines", {}).get(failure.column) or 1
            hit = Hit(
                line=line,
                column=1,
                excerpt="",
                values={
                    "column": failure.column or "(table)",
                    "check": failure.check,
                    "value": failure.failure_case,
                },
                fix=rule.fix_for(rec),
            )
            findings.append(rule.to_finding(None, hit, doc_id=rec["doc_id"], path=rec["path"]))
    return findings


def apply_per_file_ignores(config: Config, findings: list[Finding]) -> list[Finding]:
    """Drop findings matched by `[tool.seedcheck.per-file-ignores]` (glob on doc_id or path)."""
    if not config.per_file_ignores:
        return findings
    table = [(glob, rules if isinstance(rules, list) else [rules]) for glob, rules in config.per_file_ignores.items()]
    kept = []
    for f in findings:
        if any(
            (fnmatch.fnmatch(f.doc_id, g) or fnmatch.fnmatch(f.path, g)) and matches(f.rule, rules)
            for g, rules in table
        ):
            continue
        kept.append(f)
    return kept


def summarise_documents(records: list[dict], findings: list[Finding]) -> list[dict[str, Any]]:
    """One entry per document: id, path, status (worst new or baselined finding) and record."""
    worst: dict[str, str] = {}
    for f in findings:
        status = "error" if f.severity == Severity.ERROR else "warning" if f.severity == Severity.WARNING else "ok"
        if STATUS_ORDER[status] > STATUS_ORDER[worst.get(f.doc_id, "ok")]:
            worst[f.doc_id] = status
    docs = []
    for rec in sorted(records, key=lambda r: (r["path"], r["doc_id"])):
        docs.append(
            {"doc_id": rec["doc_id"], "path": rec["path"], "status": worst.get(rec["doc_id"], "ok"), "record": rec}
        )
    return docs
