"""The Spark engine: the same checks, distributed over a Spark cluster.

- Document stage: the input files become a Spark DataFrame of sources (local paths found
  on the driver by the local engine's `pipeline.discover_sources`; files under a Hadoop-compatible URI listed and read by
  Spark's `binaryFile` source, in the same order and with the same include/exclude
  patterns), processed with `mapInPandas` by the very `Engine.process` the local engine
  uses, one `Engine` per Python worker.
- Corpus stage: an analyzer with `blocking_keys(state, params)` has its keys counted over
  the corpus by a Spark `groupBy` (same normalised URL; same body hash or same LSH band of
  datasketch's banding; same domain and line), and its states are pruned in Spark to what
  `finish` needs: by default the documents that share a key with another one; with
  `live_keys`/`prune` the analyzer decides (boilerplate keeps the lines that reach the
  corpus-wide threshold). An analyzer with `weights(state, params)` (names) is aggregated
  instead: its (key, weight) pairs are summed per key by a `groupBy`; the driver turns
  the totals into a plan (`plan`: which spellings are minority spellings of which),
  states keep only the keys the plan names (`live`, `prune`), and `finish` gets the plan.
  `finish` is the local code, so findings are identical to the local engine's.
- Schema, expectations, gate and writers then run as in the local engine on the records
  table, which holds compact records only (bodies are dropped as the local engine does).
- Caveat: Hadoop's file listing skips names that start with `_` or `.` under a URI
  (`.` is excluded by default anyway); local paths are listed by `discover` as usual.

pyspark is an optional extra: `pip install seedcheck[spark]`.
"""

from __future__ import annotations

import heapq
import json
import os
import pickle
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..config import Config, ConfigError
from ..ingest import Source
from ..ingest.units import estimated_documents, plan
from ..spool import SPOOL_FROM, CorpusStates, Spool
from .spark_quiet import quiet_jvm  # noqa: F401 - the CLI's entry point, with run_spark

# `unit`: a shard's work unit (ingest/units.py), pickled; null for a whole file.
_SOURCE_SCHEMA = "order long, fs_path string, path string, doc_id string, size long, problem string, unit binary"
_GLOB_SPECIAL = set("{}\\,")
_OUTCOME_SCHEMA = "order long, sub long, doc_id string, payload binary, states binary"
_KEY_SCHEMA = "analyzer string, key string, weight long"
# findings.parquet: the fields of a findings.json finding (docs/SPEC.md section 7), partitioned by rule.
_FINDING_FIELDS = (
    "rule",
    "severity",
    "doc_id",
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "message",
    "excerpt",
    "fix",
    "related",
    "fingerprint",
    "baselined",
)


def _arrow_schema():
    import pyarrow as pa

    text, number = pa.string(), pa.int32()
    fix = pa.struct([("description", text), ("replacement", text), ("safe", pa.bool_())])
    types = {
        "line": number,
        "column": number,
        "end_line": number,
        "end_column": number,
        "fix": fix,
        "related": pa.list_(text),
        "baselined": pa.bool_(),
    }
    return pa.schema([(k, types.get(k, text)) for k in _FINDING_FIELDS])


DEFAULT_MASTER = "local[*]"
DOCS_PER_PARTITION = 1000
WRITE_CHUNK = 50_000  # findings per Arrow table handed to Spark by write_findings


def _local_heap() -> str:
    """The JVM heap of a `local[...]` session: a quarter of this machine's memory, 2 to 8 GB.
    In local mode one JVM is driver and executors at once, and 2 GB ran out at 100,000
    files (great-expectations' Spark jobs after the document stage)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "2g"
    return f"{max(2, min(8, total // 4 // 2**30))}g"


def _session(master: str):
    """The Spark session. Under spark-submit its --master and --conf settings rule (a
    --spark-master other than the default still wins); on one machine (`local[...]`) the
    workers run this interpreter, with small shuffles and no UI."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError("--engine spark needs pyspark: pip install 'seedcheck[spark]'") from None
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit started the JVM for us
    builder = (
        SparkSession.builder.appName("seedcheck")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        # A partition's outcomes (~13 KB per file) reach the driver as one task result:
        # sent directly, not parked in the block manager, from which results were
        # lost ("TaskResultLost") at 100,000 files.
        .config("spark.task.maxDirectResultSize", str(64 * 2**20))
        .config("spark.ui.showConsoleProgress", "false")
    )  # stderr is seedcheck's (-q means quiet)
    if not submitted or master != DEFAULT_MASTER:
        builder = builder.master(master)
    if master.startswith("local") and not submitted:
        # Workers must run the same interpreter (and so the same seedcheck) as the driver.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        builder = (
            builder.config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.driver.memory", os.environ.get("SEEDCHECK_SPARK_DRIVER_MEMORY", _local_heap()))
        )
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - no Java, bad master URL, ...
        raise ConfigError(
            f"cannot start Spark ({master}): {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        ) from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _process_partitions(config: Config, keep_all_bodies: bool, run_id: str):
    """The mapInPandas function: one Engine per worker process, the local document stage.
    Each outcome is two pickles: (record, findings, readable), and the analyzer states."""

    def process(batches: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        from ..pipeline import Engine

        engine = _worker_engine(config, Engine, run_id)
        engine.keep_all_bodies = keep_all_bodies
        for frame in batches:
            rows = []
            for row in frame.itertuples(index=False):
                problem = row.problem if isinstance(row.problem, str) and row.problem else None
                unit = pickle.loads(row.unit) if isinstance(row.unit, (bytes, bytearray)) else None
                source = Source(row.fs_path, row.path, row.doc_id, int(row.size), problem, unit)
                data = row.content if isinstance(row.content, (bytes, bytearray)) else None
                for sub, outcome in enumerate(engine.process(source, data)):
                    rows.append(
                        (
                            int(row.order),
                            sub,
                            outcome.record["doc_id"],
                            pickle.dumps((outcome.record, outcome.findings, outcome.readable), protocol=5),
                            pickle.dumps(outcome.states, protocol=5),
                        )
                    )
            yield pd.DataFrame(rows, columns=["order", "sub", "doc_id", "payload", "states"])

    return process


_WORKER: dict[str, Any] = {}


def _worker_engine(config: Config, engine_class, run_id: str):
    # One Engine per Python worker and run (registry, lexicons and models loaded once; Spark
    # reuses workers across tasks, and each task unpickles its own copy of the config).
    if run_id not in _WORKER:
        _WORKER.clear()
        _WORKER[run_id] = engine_class(config)
    return _WORKER[run_id]


def _walk_key(rel: str) -> tuple:
    """Sort key giving `discover`'s order: a directory's files (by name), then its subdirectories."""
    *dirs, name = rel.split("/")
    return (*((1, d) for d in dirs), (0, name))


def _uri_path(uri: str) -> str:
    """The path part of a Hadoop URI as Spark lists it (`file:/a/b`, `s3a://bucket/a/b`):
    names are not percent-encoded, so `#` or `?` in a file name is part of the path."""
    rest = uri.split(":", 1)[1]
    if rest.startswith("//"):
        rest = rest[2:]
        rest = rest[rest.find("/") :] if "/" in rest else "/"
    return rest


def _name_glob(include: list[str]) -> str | None:
    """A Hadoop `pathGlobFilter` that pre-selects file names by the include patterns, when
    they are plain name globs (the exact include/exclude test runs afterwards anyway)."""
    if not include or "*" in include or any("/" in p or _GLOB_SPECIAL & set(p) for p in include):
        return None
    return include[0] if len(include) == 1 else "{" + ",".join(include) + "}"


def _uri_sources(spark, uri: str, config: Config) -> tuple[list[tuple], Any]:
    """Files under a Hadoop-compatible URI: (fs_path, shown path, doc_id, size) rows in
    `discover`'s order with include/exclude applied, and a DataFrame (path, content) of
    those within max-file-size (read by the workers, never by the driver)."""
    from pyspark.sql import functions as F
    from pyspark.sql.utils import AnalysisException

    from ..ingest.discover import _matches

    reader = spark.read.format("binaryFile").option("recursiveFileLookup", "true")
    glob = _name_glob(config.include)
    if glob:
        reader = reader.option("pathGlobFilter", glob)
    try:
        files = reader.load(uri)
        listing = files.select("path", "length").collect()  # no content read for the listing
    except AnalysisException as exc:
        if "PATH_NOT_FOUND" in str(exc) or "does not exist" in str(exc):
            raise FileNotFoundError(f"path not found: {uri}") from None
        raise ConfigError(f"cannot list {uri}: {str(exc).splitlines()[0]}") from None
    root = _uri_path(uri).rstrip("/")
    rows = []
    for entry in listing:
        full = _uri_path(entry["path"])
        rel = full[len(root) + 1 :] if full.startswith(root + "/") else full.rsplit("/", 1)[-1]
        parts = rel.split("/")
        # Excluded directories are pruned like `discover` does: any ancestor that matches
        # (a file given by name is read whatever the patterns).
        if full != root and (
            any(_matches("/".join(parts[:i]), config.exclude) for i in range(1, len(parts) + 1))
            or not _matches(rel, config.include)
        ):
            continue
        shown = uri if full == root else uri.rstrip("/") + "/" + rel
        rows.append((entry["path"], shown, rel, int(entry["length"])))
    rows.sort(key=lambda r: _walk_key(r[2]))
    content = files.where(F.col("length") <= config.max_file_size).select("path", "content")
    return rows, content


def _sources(spark, paths: list[str], config: Config):
    """The sources DataFrame: local paths found by `discover` on the driver, URIs listed by
    Spark; one row per file in the local engine's order, with `content` for URI files."""
    from pyspark.sql import functions as F

    from ..pipeline import discover_sources

    rows, contents = [], []
    for given in paths:
        if "://" in given:
            found, content = _uri_sources(spark, given, config)
            rows.extend(
                (len(rows) + i, fs, shown, rel, size, None, None) for i, (fs, shown, rel, size) in enumerate(found)
            )
            contents.append(content)
        else:
            # The local engine's discovery (its include globs, never seedcheck's own files); a
            # local shard is split into work units here, on the driver (by split-size).
            for s in plan(discover_sources(config, [given]), config.split_size, config.max_file_size):
                rows.append(
                    (
                        len(rows),
                        s.fs_path,
                        s.path,
                        s.doc_id,
                        s.size,
                        s.problem,
                        pickle.dumps(s.unit) if s.unit is not None else None,
                    )
                )
    frame = spark.createDataFrame(rows, _SOURCE_SCHEMA)
    if not contents:
        return rows, frame.withColumn("content", F.lit(None).cast("binary"))
    content = contents[0]
    for more in contents[1:]:
        content = content.unionByName(more)
    content = content.dropDuplicates(["path"]).withColumnRenamed("path", "fs_path")
    return rows, frame.join(content, on="fs_path", how="left")


def _blocking_keys(analyzers, params: dict[str, dict]):
    """mapInPandas function: one (analyzer, key, weight) row per blocking key of each
    document (weight 1), or per (key, weight) of an aggregated analyzer's `weights`."""

    def explode(batches):
        import pandas as pd

        for frame in batches:
            rows = []
            for payload in frame["states"]:
                states = pickle.loads(payload)
                for analyzer in analyzers:
                    state = states.get(analyzer.name)
                    if state is None:
                        continue
                    if hasattr(analyzer, "weights"):
                        rows.extend(
                            (analyzer.name, key, int(w)) for key, w in analyzer.weights(state, params[analyzer.name])
                        )
                    else:
                        rows.extend(
                            (analyzer.name, key, 1)
                            for key in set(analyzer.blocking_keys(state, params[analyzer.name]) or ())
                        )
            yield pd.DataFrame(rows, columns=["analyzer", "key", "weight"])

    return explode


def _pruned(analyzers, params: dict[str, dict], live):
    """mapInPandas function: each blocked analyzer's state only where `finish` needs it.

    By default a state is kept when one of its keys is live (held by two documents or
    more); an analyzer with `prune` reduces the state itself (boilerplate keeps every
    document of a live domain, with only its live lines; names only the planned spellings)."""

    def prune(batches):
        for frame in batches:
            out = []
            for payload in frame["states"]:
                states = pickle.loads(payload)
                for analyzer in analyzers:
                    state = states.get(analyzer.name)
                    if state is None:
                        continue
                    mine = live.value[analyzer.name]
                    if hasattr(analyzer, "weights"):
                        state = analyzer.prune(state, mine, params[analyzer.name])
                    else:
                        keys = analyzer.blocking_keys(state, params[analyzer.name])
                        if keys is None:
                            continue  # this analyzer cannot block with these parameters: keep
                        if hasattr(analyzer, "prune"):
                            state = analyzer.prune(state, mine, params[analyzer.name])
                        elif not any(key in mine for key in keys):
                            state = None
                    if state is None:
                        del states[analyzer.name]
                    else:
                        states[analyzer.name] = state
                out.append(pickle.dumps(states, protocol=5))
            frame["states"] = out
            yield frame

    return prune


def _corpus_candidates(spark, outcomes_df, engine):
    """Reduce the analyzer states with the analyzers' blocking keys and aggregates (Spark
    groupBys), so only what `finish` needs reaches the driver; analyzers with neither keep
    every state. Plans of aggregated analyzers go to `engine.corpus_plans`."""
    from pyspark.sql import functions as F

    params = {
        a.name: {r.name: r.params for r in engine.registry.stage("corpus") if r.analyzer is a} for a in engine.analyzers
    }
    blocked = [a for a in engine.analyzers if hasattr(a, "blocking_keys") or hasattr(a, "weights")]
    if not blocked:
        return outcomes_df
    aggregated = [a.name for a in blocked if hasattr(a, "weights")]
    keys = outcomes_df.select("states").mapInPandas(_blocking_keys(blocked, params), _KEY_SCHEMA)
    counts: dict[str, dict[str, int]] = {a.name: {} for a in blocked}
    grouped = keys.groupBy("analyzer", "key").agg(F.count("*").alias("n"), F.sum("weight").alias("total"))
    # Blocking keys matter when two documents share them; aggregates are needed whole.
    for row in grouped.where((F.col("n") >= 2) | F.col("analyzer").isin(aggregated)).toLocalIterator():
        counts[row["analyzer"]][row["key"]] = row["n"] if row["analyzer"] not in aggregated else row["total"]
    live = {}
    for a in blocked:
        if a.name in aggregated:
            engine.corpus_plans[a.name] = plan = a.plan(counts.pop(a.name), params[a.name])
            live[a.name] = a.live(plan)
        else:
            live[a.name] = (
                a.live_keys(counts[a.name], params[a.name]) if hasattr(a, "live_keys") else set(counts[a.name])
            )
    return outcomes_df.mapInPandas(_pruned(blocked, params, spark.sparkContext.broadcast(live)), _OUTCOME_SCHEMA)


def write_findings(spark, findings: list, report_dir: Path) -> list[Path]:
    """Write the findings as Spark writes data for huge corpora, next to the reports:
    `findings.parquet/rule=<rule>/part-*.parquet` (one column per findings.json finding
    field; `fix` a struct, `related` a list) and `findings.jsonl/rule=<rule>/part-*.txt`
    (one findings.json finding object per line, `rule` included). The rows reach Spark as
    Arrow tables of WRITE_CHUNK findings each (all at once, as Python rows or one table,
    took the driver to 4.7 GB at 487,000 findings)."""
    import pyarrow as pa

    report_dir.mkdir(parents=True, exist_ok=True)
    parquet, jsonl = report_dir / "findings.parquet", report_dir / "findings.jsonl"
    schema = _arrow_schema()
    for start in range(0, max(len(findings), 1), WRITE_CHUNK):
        entries = [f.to_json() for f in findings[start : start + WRITE_CHUNK]]
        columns = {k: [e[k] for e in entries] for k in _FINDING_FIELDS}  # `fix` is already the struct's dict
        mode = "overwrite" if start == 0 else "append"
        spark.createDataFrame(pa.table(columns, schema=schema)).write.mode(mode).partitionBy("rule").parquet(
            str(parquet)
        )
        lines = pa.table(
            {
                "rule": pa.array(columns["rule"], pa.string()),
                "value": pa.array([json.dumps(e, ensure_ascii=False) for e in entries], pa.string()),
            }
        )
        spark.createDataFrame(lines).write.mode(mode).partitionBy("rule").text(str(jsonl))
    return [parquet, jsonl]


def run_spark(
    config: Config,
    paths: list[str] | None = None,
    master: str = DEFAULT_MASTER,
    gate=None,
    progress: bool = False,
    report_dir: Path | None = None,
):
    """Check the documents under `paths` on Spark and return the same `Result` as `pipeline.run`;
    with `report_dir`, also write the partitioned findings there (`write_findings`)."""
    from pyspark import StorageLevel

    from ..pipeline import ALL_BODIES_UP_TO, HTML_BODY_CAP, DocOutcome, Engine, complete
    from ..record_ids import unique_ids

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    spark = _session(master)
    engine = Engine(config)
    engine.spark = spark  # corpus expectations validate a Spark DataFrame (expectations_stage)
    paths = paths or [str(config.resolve(p)) for p in config.paths]
    rows, sources_df = _sources(spark, paths, config)
    timings["discover"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    units = [Source(r[1], r[2], r[3], r[4], r[5], pickle.loads(r[6]) if r[6] else None) for r in rows]
    work, docs = sum(64 if u.unit is not None else 1 for u in units), estimated_documents(units)
    del units
    keep_all_bodies = docs <= ALL_BODIES_UP_TO
    parallelism = max(1, spark.sparkContext.defaultParallelism)
    # Partitions of at most DOCS_PER_PARTITION files: each partition's outcomes travel to
    # the driver as one task result, which stays small (~13 MB) however large the corpus.
    partitions = max(1, min(work // 64 + 1, parallelism * 4), -(-docs // DOCS_PER_PARTITION))
    sources_df = sources_df.repartition(partitions)
    run_id = uuid.uuid4().hex
    # Read twice (blocking keys, then pruning): kept on local disk, not in executor memory,
    # which it would fill (about 1.3 GB of pickles at 100,000 files).
    outcomes_df = sources_df.mapInPandas(_process_partitions(config, keep_all_bodies, run_id), _OUTCOME_SCHEMA).persist(
        StorageLevel.DISK_ONLY
    )
    reduced = _corpus_candidates(spark, outcomes_df, engine)

    # Partition by partition (the next one computed while this one is read), then into
    # source order here: sorting in Spark would shuffle every payload once more. Bodies are
    # capped as the local engine caps them (the first HTML_BODY_CAP in source order), with
    # a heap, so the driver never holds more than that many at once.
    arrived, with_body = [], []
    for row in reduced.toLocalIterator(prefetchPartitions=True):
        place = (row["order"], row["sub"])
        record, doc_findings, ok = pickle.loads(row["payload"])
        if record.get("body") is not None and not keep_all_bodies:
            heapq.heappush(with_body, ((-place[0], -place[1]), record))
            if len(with_body) > HTML_BODY_CAP:
                latest = heapq.heappop(with_body)[1]
                latest["body"], latest["_body_omitted"] = None, True
        arrived.append((place, record, doc_findings, row["states"], ok))  # states unpickled in order below
    del with_body
    arrived.sort(key=lambda a: a[0])
    spooled = len(arrived) >= SPOOL_FROM
    records, findings, states, readable = [], Spool() if spooled else [], CorpusStates(spooled), []
    # Records of one shard read in several units may repeat an id: the later takes its line id.
    renamed = unique_ids(
        DocOutcome(record, doc_findings, doc_states, ok) for _, record, doc_findings, doc_states, ok in arrived
    )
    for outcome in renamed:
        record, doc_findings, doc_states, ok = outcome.record, outcome.findings, outcome.states, outcome.readable
        records.append(record)
        findings.extend(doc_findings)
        states.add(record["doc_id"], pickle.loads(doc_states))
        readable.append(ok)
    del arrived
    outcomes_df.unpersist()
    timings["documents"] = time.perf_counter() - t1
    result = complete(engine, records, findings, states, readable, timings, paths, gate, t0)
    if report_dir is not None:
        t2 = time.perf_counter()
        write_findings(spark, result.findings, Path(report_dir))
        result.timings["partitioned findings"] = time.perf_counter() - t2
    return result
