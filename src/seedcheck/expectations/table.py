"""The records table GX validates (pandas, or Spark for the Spark engine), and what of it a
suite reads (the input of a stored validation result)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..records import RecordStore
from .suite import DATE_COLUMNS, DERIVED_COLUMNS, INT_COLUMNS, TABLE_COLUMNS, Suite

# pandas' string storage. Pyarrow's for a table built in the run's own process: its
# buffers go back when the table goes, where a table of Python strings left that process
# 75 MB larger through the writers stage at 100,000 documents. Python's for a table a
# forked child builds and validates (`gx_worker.records_in_child`): GX's metrics go through
# numpy, and pandas turns a pyarrow string column into Python objects for each one (its
# `duplicated` took 97 MB for 300,000 URLs against 8), and the child's heap goes with it.
# Same values, same NA, same outcomes.
STRING_STORAGE = "pyarrow"
CHILD_STRING_STORAGE = "python"
# A string column shares one object per distinct value up to this many distinct values
# (languages, domains); past it, as for URLs and ids, each row keeps its own.
SHARED_VALUES_UP_TO = 65_536


def records_table(
    records: RecordStore | list[dict[str, Any]],
    columns: Sequence[str] = TABLE_COLUMNS,
    storage: str = STRING_STORAGE,
):
    """The table GX validates: one row per record, sorted by doc_id (so "first N unexpected"
    is deterministic), strings as pandas strings (`storage`: "pyarrow" or "python", see
    `STRING_STORAGE`), `date` as datetime, counts as Int64, plus `source_documents` when
    `source_domain` is among `columns` (by default all of `TABLE_COLUMNS`; the stage
    passes `read_columns(suite)`)."""
    import pandas as pd

    # Sorted positions first, then one column at a time: no per-row dicts (at 100,000
    # documents those cost several times the finished table).
    store = RecordStore.of(records)
    order = store.by_id_order()
    table = {}
    columns = [c for c in TABLE_COLUMNS if c in columns]
    for column in columns:
        values = store.column(column, order)
        if column in DATE_COLUMNS:
            # Contract says ISO or null; anything else becomes null rather than a crash.
            table[column] = pd.to_datetime(pd.Series(values, dtype=object), format="%Y-%m-%d", errors="coerce")
        elif column in INT_COLUMNS:
            table[column] = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype("Int64")
        else:
            table[column] = pd.Series(_texts(values), dtype=pd.StringDtype(storage))
        del values
    frame = pd.DataFrame(table, columns=columns)
    if "source_domain" in frame:
        counts = frame["source_domain"].value_counts(dropna=True)
        frame["source_documents"] = frame["source_domain"].map(counts).astype("Int64")
    return frame


def spark_records_table(spark, records: RecordStore | list[dict[str, Any]], columns: Sequence[str] = TABLE_COLUMNS):
    """The records table as a Spark DataFrame for GX's Spark data source (the Spark
    engine): the columns and types of `records_table` (`date` a timestamp without time
    zone, counts longs)."""
    frame = records_table(records, columns)
    fields = ", ".join(
        f"{c} {'timestamp_ntz' if c in DATE_COLUMNS else 'long' if c in INT_COLUMNS else 'string'}"
        for c in frame.columns
    )
    return spark.createDataFrame(frame, fields)


def _texts(values: list[Any]) -> list[str | None]:
    """A string column's values: None where missing (pandas 3 reads missing strings as NaN:
    they stay null, never the text "nan"), else text, one object per distinct value while
    there are at most `SHARED_VALUES_UP_TO` (a compact record's values are new strings each
    time it is read: a table of Python strings holds them)."""
    shared: dict[str, str] | None = {}
    texts: list[str | None] = []
    for value in values:
        if _missing(value):
            texts.append(None)
            continue
        text = str(value)
        if shared is not None:
            text = shared.setdefault(text, text)
            if len(shared) > SHARED_VALUES_UP_TO:
                shared = None
        texts.append(text)
    return texts


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or type(value).__name__ == "NAType"


def read_columns(suite: Suite) -> tuple[str, ...]:
    """The record fields the suite's expectations read (`doc_id` always: it orders the
    table and names the unexpected rows). A table-level expectation other than a row count,
    or a `row_condition` (an expression over any column), may read any column: then all of
    them. The table GX validates holds these columns only: GX copies the rows of the
    whole table for each metric it computes (at 300,000 documents the validation grew by
    418 MB over all columns, 242 MB over these: `bench/table_memory.py --stage expectations`)."""
    columns = {"doc_id"}
    for spec in suite.expectations:
        if "row_condition" in spec.params:
            return TABLE_COLUMNS
        named = [spec.column, *(v for k, v in spec.params.items() if k.startswith("column"))]
        if spec.column is None and not spec.type.startswith("expect_table_row_count"):
            return TABLE_COLUMNS
        for name in named:
            if isinstance(name, str):
                columns.add("source_domain" if name in DERIVED_COLUMNS else name)
            elif isinstance(name, list):
                return TABLE_COLUMNS
    return tuple(c for c in TABLE_COLUMNS if c in columns)


def table_parts(suite: Suite, records: RecordStore | list[dict[str, Any]]):
    """What a validation's result depends on besides GX's version: the suite (thresholds
    and today's date substituted) and the columns it reads, row by row in table order."""
    columns = read_columns(suite)
    yield suite
    yield columns
    store = RecordStore.of(records)
    for i in store.by_id_order():
        record = store[i]
        yield tuple(record.get(c) for c in columns)
