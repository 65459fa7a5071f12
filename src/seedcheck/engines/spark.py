"""The Spark engine: the same checks, distributed over a Spark cluster.

- Document stage: the input files become a Spark DataFrame of sources (local paths found
  on the driver, or files read by Spark's `binaryFile` source from any Hadoop-compatible
  URI), processed with `mapInPandas` by the very `Engine.process` the local engine uses,
  one `Engine` per Python worker.
- Corpus stage: each analyzer's per-document states stay in Spark; documents are grouped by
  the analyzer's blocking keys (same normalised URL, same body hash, same LSH band, same
  line hash per domain, same folded name) with a Spark `groupBy`, and only documents that
  share a key with another one reach the analyzer's `finish` on the driver. `finish` is the
  local code, so findings are identical to the local engine's.
- Schema, expectations, gate and writers then run as in the local engine on the records
  table, which holds compact records only (bodies are dropped unless a report needs them).

pyspark is an optional extra: `pip install seedcheck[spark]`.
"""

from __future__ import annotations

import os
import pickle
import sys
import time
from typing import Any, Iterator

from ..config import Config, ConfigError
from ..ingest import Source, discover

_SOURCE_SCHEMA = "order long, fs_path string, path string, doc_id string, size long, problem string"
_OUTCOME_SCHEMA = "order long, sub long, doc_id string, payload binary"
_KEY_SCHEMA = "analyzer string, key string, doc_id string"


def _session(master: str):
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError("--engine spark needs pyspark: pip install 'seedcheck[spark]'") from None
    # Workers must run the same interpreter (and so the same seedcheck) as the driver.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master).appName("seedcheck")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.driver.memory", os.environ.get("SEEDCHECK_SPARK_DRIVER_MEMORY", "2g"))
    )
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # no Java, bad master URL, ...
        raise ConfigError(f"cannot start Spark ({master}): {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _process_partitions(config: Config):
    """The mapInPandas function: one Engine per worker process, the local document stage."""

    def process(batches: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        from ..pipeline import Engine

        engine = _worker_engine(config, Engine)
        for frame in batches:
            rows = []
            for row in frame.itertuples(index=False):
                problem = row.problem if isinstance(row.problem, str) and row.problem else None
                source = Source(row.fs_path, row.path, row.doc_id, int(row.size), problem)
                for sub, outcome in enumerate(engine.process(source)):
                    rows.append((int(row.order), sub, outcome.record["doc_id"], pickle.dumps(outcome, protocol=5)))
            yield pd.DataFrame(rows, columns=["order", "sub", "doc_id", "payload"])

    return process


_WORKER: dict[int, Any] = {}


def _worker_engine(config: Config, engine_class):
    # One Engine per Python worker (registry, lexicons and models loaded once).
    key = id(config)
    if key not in _WORKER:
        _WORKER.clear()
        _WORKER[key] = engine_class(config)
    return _WORKER[key]


def _blocking_keys(outcomes_df, analyzers):
    """(analyzer, key, doc_id) rows for every analyzer that declares blocking keys."""

    def explode(batches):
        import pandas as pd

        for frame in batches:
            rows = []
            for doc_id, payload in zip(frame["doc_id"], frame["payload"]):
                outcome = pickle.loads(payload)
                for analyzer in analyzers:
                    state = outcome.states.get(analyzer.name)
                    if state is None:
                        continue
                    for key in analyzer.blocking_keys(state) or ():
                        rows.append((analyzer.name, str(key), doc_id))
            yield pd.DataFrame(rows, columns=["analyzer", "key", "doc_id"])

    return outcomes_df.select("doc_id", "payload").mapInPandas(explode, _KEY_SCHEMA)


def run_spark(config: Config, paths: list[str] | None = None, master: str = "local[*]", gate=None, progress: bool = False):
    """Check the documents under `paths` on Spark and return the same `Result` as `pipeline.run`."""
    from ..pipeline import Engine, complete

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    spark = _session(master)
    engine = Engine(config)
    paths = paths or [str(config.resolve(p)) for p in config.paths]
    local = [p for p in paths if "://" not in p]
    remote = [p for p in paths if "://" in p]
    if remote:
        raise ConfigError("--engine spark: Hadoop-compatible URIs are not supported yet; copy the files to a local or mounted path")
    sources = list(discover(local, config.include, config.exclude))
    rows = [(i, s.fs_path, s.path, s.doc_id, s.size, s.problem) for i, s in enumerate(sources)]
    timings["discover"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    parallelism = max(1, spark.sparkContext.defaultParallelism)
    partitions = max(1, min(len(rows) // 64 + 1, parallelism * 4))
    sources_df = spark.createDataFrame(rows, _SOURCE_SCHEMA).repartition(partitions)
    outcomes_df = sources_df.mapInPandas(_process_partitions(config), _OUTCOME_SCHEMA).cache()

    # Corpus candidates: a Spark groupBy per analyzer on its blocking keys.
    blocked = [a for a in engine.analyzers if hasattr(a, "blocking_keys")]
    blocked_names = {a.name for a in blocked}
    candidates: dict[str, set[str]] = {}
    if blocked:
        from pyspark.sql import functions as F

        keys = _blocking_keys(outcomes_df, blocked)
        groups = (keys.groupBy("analyzer", "key").agg(F.countDistinct("doc_id").alias("n"), F.collect_set("doc_id").alias("docs"))
                  .where(F.col("n") >= 2).select("analyzer", F.explode("docs").alias("doc_id")).distinct())
        for row in groups.collect():
            candidates.setdefault(row["analyzer"], set()).add(row["doc_id"])

    collected = sorted(outcomes_df.collect(), key=lambda r: (r["order"], r["sub"]))
    outcomes_df.unpersist()
    timings["documents"] = time.perf_counter() - t1
    records, findings, states, readable = [], [], [], []
    for row in collected:
        outcome = pickle.loads(row["payload"])
        records.append(outcome.record)
        findings.extend(outcome.findings)
        # A blocked analyzer only needs the documents that share a key with another one.
        kept = {name: state for name, state in outcome.states.items()
                if name not in blocked_names or row["doc_id"] in candidates.get(name, ())}
        states.append((outcome.record["doc_id"], kept))
        readable.append(outcome.readable)
    return complete(engine, records, findings, states, readable, timings, paths, gate, t0)
