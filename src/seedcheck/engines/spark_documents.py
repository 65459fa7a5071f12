"""The Spark engine's document stage: the `mapInPandas` function that runs the local
checker (`Engine.process`) on each partition's sources, one `Engine` per Python worker."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

from ..config import Config
from ..ingest import Source

OUTCOME_SCHEMA = "order long, sub long, doc_id string, payload binary, states binary"


def process_partitions(config: Config, keep_all_bodies: bool, run_id: str):
    """The mapInPandas function: one Engine per worker process, the local document stage.
    Each outcome is two pickles: (record, findings, readable, trace), and the analyzer states."""

    def process(batches: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        from ..checker import Engine

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
                            pickle.dumps(
                                (outcome.record, outcome.findings, outcome.readable, outcome.trace), protocol=5
                            ),
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
