"""The Spark engine: the same checks, distributed over a Spark cluster.

- Document stage: the input files become a Spark DataFrame of sources (local paths found
  on the driver by the local engine's `pipeline.discover_sources`; files under a
  Hadoop-compatible URI listed and read by Spark's `binaryFile` source, in the same
  order and with the same include/exclude patterns), processed with `mapInPandas` by the
  very `Engine.process` the local engine uses, one `Engine` per Python worker.
- Corpus stage: an analyzer with `blocking_keys(state, params)` has its keys counted over
  the corpus by a Spark `groupBy` (same normalised URL; same body hash or same LSH band of
  datasketch's banding; same domain and line), and its states are pruned in Spark to what
  `finish` needs: by default the documents that share a key with another one; with
  `live_keys`/`prune` the analyzer decides (boilerplate keeps the lines that reach the
  corpus-wide threshold). An `aggregated` analyzer (its own `weights`: names) is summed
  instead: its (key, weight) pairs are summed per key by a `groupBy`; the driver turns
  the totals into a plan (`plan`: which spellings are minority spellings of which),
  states keep only the keys the plan names (`live`, `prune`), and `finish` gets the plan.
  `finish` is the local code, so findings are identical to the local engine's.
- Schema, expectations (on a Spark DataFrame: `SparkExpectations`), gate and writers then
  run as in the local engine on the records table, which holds compact records only
  (bodies are dropped as the local engine does).
- Caveat: Hadoop's file listing skips names that start with `_` or `.` under a URI
  (`.` is excluded by default anyway); local paths are listed by `discover` as usual.

The document stage is in `spark_documents.py`, the sources in `spark_sources.py`, the
reduction of the analyzer states in `spark_corpus.py`. pyspark is an optional extra:
`pip install seedcheck[spark]`.
"""

from __future__ import annotations

import heapq
import json
import os
import pickle
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from itertools import count, islice
from pathlib import Path
from typing import Any

from ..config import Config, ConfigError
from ..ingest import Source
from ..ingest.units import estimated_documents
from ..records import COMPACT_FROM, RECORDS_ON_DISK_FROM, RecordStore
from ..spool import SPOOL_FROM, CorpusStates, Spool
from .spark_corpus import corpus_candidates
from .spark_documents import OUTCOME_SCHEMA, process_partitions
from .spark_quiet import quiet_jvm  # noqa: F401 - the CLI's entry point, with run_spark
from .spark_sources import spark_sources

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


def write_findings(spark, findings: Iterable, report_dir: Path) -> list[Path]:
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
    chunks = iter(findings)  # a list, or a large run's spool (read once)
    for start in count(0, WRITE_CHUNK):
        entries = [f.to_json() for f in islice(chunks, WRITE_CHUNK)]
        if start and not entries:
            break
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


class SparkExpectations:
    """The corpus expectations on a Spark DataFrame (GX's Spark data source): the Spark
    run's validator for `pipeline.complete` (the CLI checked the suite before the run)."""

    def __init__(self, spark):
        self.spark = spark

    def validate(self, suite: Any, records: Sequence[dict], data_docs_dir: str | None) -> list:
        """The outcomes of `suite` on the records table, validated by GX on Spark."""
        from ..expectations import read_columns, run_suite, spark_records_table

        return run_suite(suite, spark_records_table(self.spark, records, read_columns(suite)), data_docs_dir)

    def done(self) -> None:
        """Nothing to stop: GX ran in this process."""


def _partitions(spark, rows: list[tuple]) -> tuple[int, int]:
    """(documents, partitions) for the sources `rows`: partitions of at most
    DOCS_PER_PARTITION files, whose outcomes travel to the driver as one task result each,
    which stays small (~13 MB) however large the corpus."""
    units = [Source(r[1], r[2], r[3], r[4], r[5], pickle.loads(r[6]) if r[6] else None) for r in rows]
    work, docs = sum(64 if u.unit is not None else 1 for u in units), estimated_documents(units)
    parallelism = max(1, spark.sparkContext.defaultParallelism)
    return docs, max(1, min(work // 64 + 1, parallelism * 4), -(-docs // DOCS_PER_PARTITION))


def _gathered(reduced, keep_all_bodies: bool):
    """The outcomes at the driver, in source order: (records, findings, states, readable, traces);
    the records in a `RecordStore`, compact from `COMPACT_FROM` documents and on disk from
    `RECORDS_ON_DISK_FROM`, as in the local engine.

    Partition by partition (the next one computed while this one is read), then into
    source order here: sorting in Spark would shuffle every payload once more. Bodies are
    capped as the local engine caps them (the first HTML_BODY_CAP in source order), with
    a heap, so the driver never holds more than that many at once."""
    from ..model import intern_record
    from ..pipeline import HTML_BODY_CAP, DocOutcome
    from ..record_ids import unique_ids

    arrived, with_body = [], []
    for row in reduced.toLocalIterator(prefetchPartitions=True):
        place = (row["order"], row["sub"])
        record, doc_findings, ok, trace = pickle.loads(row["payload"])
        intern_record(record)  # as the local engine does: one string per repeated value
        outcome = DocOutcome(record, doc_findings, row["states"], ok, trace)  # states unpickled in order below
        if outcome.record.get("body") is not None and not keep_all_bodies:
            heapq.heappush(with_body, ((-place[0], -place[1]), outcome))
            if len(with_body) > HTML_BODY_CAP:
                latest = heapq.heappop(with_body)[1]
                latest.record["body"], latest.trace.body_omitted = None, True
        arrived.append((place, outcome))
    del with_body
    arrived.sort(key=lambda a: a[0])
    spooled = len(arrived) >= SPOOL_FROM
    records = RecordStore(compact=len(arrived) >= COMPACT_FROM, on_disk=len(arrived) >= RECORDS_ON_DISK_FROM)
    findings, states, readable, traces = Spool() if spooled else [], CorpusStates(spooled), [], []
    # Records of one shard read in several units may repeat an id: the later takes its line id.
    for outcome in unique_ids(outcome for _, outcome in arrived):
        records.append(outcome.record)
        findings.extend(outcome.findings)
        states.add(outcome.record["doc_id"], pickle.loads(outcome.states))
        readable.append(outcome.readable)
        traces.append(outcome.trace)
    return records, findings, states, readable, traces


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

    from ..pipeline import ALL_BODIES_UP_TO, Engine, complete

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    spark = _session(master)
    engine = Engine(config)
    paths = paths or [str(config.resolve(p)) for p in config.paths]
    rows, sources_df = spark_sources(spark, paths, config)
    timings["discover"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    docs, partitions = _partitions(spark, rows)
    keep_all_bodies = docs <= ALL_BODIES_UP_TO
    sources_df = sources_df.repartition(partitions)
    # Read twice (blocking keys, then pruning): kept on local disk, not in executor memory,
    # which it would fill (about 1.3 GB of pickles at 100,000 files).
    outcomes_df = sources_df.mapInPandas(
        process_partitions(config, keep_all_bodies, uuid.uuid4().hex), OUTCOME_SCHEMA
    ).persist(StorageLevel.DISK_ONLY)
    records, findings, states, readable, traces = _gathered(
        corpus_candidates(spark, outcomes_df, engine), keep_all_bodies
    )
    outcomes_df.unpersist()
    timings["documents"] = time.perf_counter() - t1
    validator = SparkExpectations(spark)  # passed as the local engine passes its GxRunner: positionally
    result = complete(engine, records, findings, states, readable, traces, timings, paths, gate, t0, validator)
    if report_dir is not None:
        t2 = time.perf_counter()
        write_findings(spark, result.findings, Path(report_dir))
        result.timings["partitioned findings"] = time.perf_counter() - t2
    return result
