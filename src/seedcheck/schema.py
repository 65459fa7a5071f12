"""The record schema: `schemas/record.yaml` as a pandera DataFrameSchema, validated lazily.

This is the only module that imports pandera, and only when a table is validated: a run
given a `cache.Results` store takes the failures of an unchanged table (the same values in
the same rows, the same schema file, the same pandera) from it, importing neither pandera
nor pandas. Failures come back as one table (pandera's `failure_cases`), turned here into
`SchemaFailure`s for the pipeline to name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .config import ConfigError
from .records import RecordStore

STRING_DTYPE = "string[pyarrow]"


@dataclass(frozen=True, slots=True)
class SchemaFailure:
    """One failing cell or row: which row (`index` into the table), column and check."""

    index: int | None
    column: str | None
    check: str
    failure_case: str


@lru_cache(maxsize=4)
def load_schema(path: str):
    """Load a pandera schema from YAML (cached per path)."""
    import pandera.pandas as pa

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read record schema {path}: {exc.strerror}") from None
    try:
        return pa.DataFrameSchema.from_yaml(text)
    except Exception as exc:  # noqa: BLE001 (pandera raises many kinds on a bad schema file)
        raise ConfigError(
            f"invalid record schema {path}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        ) from None


def records_frame(records: RecordStore | list[dict], columns: list[str]):
    """The records table: one row per document, strings backed by pyarrow."""
    import pandas as pd

    if isinstance(records, RecordStore) and records.compact:
        frame = _compact_frame(records, columns)
    else:
        frame = pd.DataFrame.from_records(list(records), columns=columns)
    for column in columns:
        if frame[column].dtype == object:
            sample = frame[column].dropna()
            if sample.empty or sample.map(lambda v: isinstance(v, str)).all():
                frame[column] = frame[column].astype(STRING_DTYPE)
    return frame


def _compact_frame(records: RecordStore, columns: list[str]):
    """The frame `from_records` makes of the records' dicts, built one column at a time
    (pandas infers each column on its own, a missing field is NaN): a compact store's
    decoded values are never all held at once."""
    import numpy as np
    import pandas as pd

    parts = []
    for column in columns:
        values = records.column(column, missing=np.nan)
        parts.append(pd.DataFrame.from_records([(v,) for v in values], columns=[column]))
        del values
    return pd.concat(parts, axis=1)


def validate(frame, schema_path: str) -> list[SchemaFailure]:
    """Validate the records table lazily; every failure of every check is returned."""
    import pandas as pd
    import pandera.pandas as pa

    schema = load_schema(schema_path)
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        failures = []
        for row in exc.failure_cases.itertuples(index=False):
            index = None if pd.isna(row.index) else int(row.index)
            column = None if pd.isna(row.column) else str(row.column)
            case = "" if pd.isna(row.failure_case) else str(row.failure_case)
            failures.append(SchemaFailure(index, column, str(row.check), case))
        return failures
    return []


def _input_parts(records: Iterable[dict], columns: list[str], schema_path: str):
    from importlib import metadata

    yield Path(schema_path).read_bytes()
    yield metadata.version("pandera")
    yield tuple(columns)
    for record in records:
        yield tuple(record.get(c) for c in columns)


def check_records(
    records: RecordStore | list[dict], columns: list[str], schema_path: str, results: Any = None
) -> list[SchemaFailure]:
    """The schema failures of the records table built from `records` (see `validate`);
    with `results` (a `cache.Results`), the stored failures when the table is unchanged."""
    key = None
    if results is not None:
        try:
            key = results.key("schema", _input_parts(records, columns, schema_path))
        except Exception:  # noqa: BLE001 - an unreadable schema file or no pandera: validate() says so
            key = None
        stored = results.get("schema", key) if key is not None else None
        if stored is not None:
            return stored
    failures = validate(records_frame(records, columns), schema_path)
    if key is not None:
        results.put(key, failures)
    return failures
