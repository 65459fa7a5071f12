"""The document stage of the local engine: every file through the checker, in worker
processes when it pays off, with the cache of unchanged files' outcomes; outcomes come
back in source order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

from .cache import Cache
from .cache_keys import pack, read_keyed, unpack
from .checker import DocOutcome, Engine
from .config import Config
from .ingest import Source
from .ingest.units import estimated_documents, weight
from .lifecycle import die_with_parent, forking
from .model import intern_record

# Bodies are the one per-document thing that is not compact, and after the document stage
# only the HTML report reads them. Runs of up to ALL_BODIES_UP_TO documents keep every
# body; larger runs keep the bodies of the first HTML_BODY_CAP documents (in source order,
# so the same for any --jobs) that have a document-stage finding, and mark the rest
# `body_omitted` (in their `RecordTrace`), so memory grows with compact state only.
ALL_BODIES_UP_TO = 2_000
HTML_BODY_CAP = 2_000


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
    engine: Engine, sources: list[Source], jobs: int, progress, variant: bytes | None = None, after_fork=None
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
        if after_fork is not None:
            after_fork()
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
    engine: Engine, sources: list[Source], jobs: int, progress, cache: Cache | None = None, after_fork=None
) -> Iterable[DocOutcome]:
    """Run ingest + extraction + document rules, in `jobs` processes when it pays off;
    with a `cache`, files it holds are taken from it and the others stored in it.
    `after_fork()` is called once the worker processes exist (never when every document
    is checked here): what it changes in this process, they do not inherit.

    Outcomes come back in source order whatever `jobs` is (and whether they were cached),
    so results are identical for any N.
    """
    engine.keep_all_bodies = estimated_documents(sources) <= ALL_BODIES_UP_TO
    kept = 0

    def bounded(outcomes: list[DocOutcome]) -> Iterator[DocOutcome]:
        nonlocal kept
        for outcome in outcomes:
            intern_record(outcome.record)  # held to the end of the run: one string per value
            if outcome.record.get("body") is not None and not engine.keep_all_bodies:
                kept += 1
                if kept > HTML_BODY_CAP:
                    outcome.record["body"], outcome.trace.body_omitted = None, True
            yield outcome

    if cache is None or not cache.active:
        for outcomes, _, _ in _checked(engine, sources, jobs, progress, None, after_fork):
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
    fresh = _checked(engine, [s for s, k in zip(sources, keys) if k not in stored], jobs, progress, variant, after_fork)
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
