"""The record schema: `schemas/record.yaml` as a pandera DataFrameSchema, validated lazily.

This is the only module that imports pandera, and only when a table is validated: a run
given a `cache.Results` store takes the failures of an unchanged table (the same values in
the same rows, the same schema file, the same pandera) from it, importing neither pandera
nor pandas. Failures come back as one table (pandera's `failure_cases`), turned here into
`SchemaFailure`s for the pipeline to name.

pandera validates a whole frame, and at a million records the frame of every record field
is about a gigabyte. Two things bound it without changing a failure (`validate_records`):
- a schema that is not strict, has no table-wide checks and no regex column names looks
  only at its own columns, so the others are never built (`read_columns`);
- when every column check judges one value at a time (`ROW_CHECKS`), a slice of rows fails
  where the whole table would, so a large table is validated `CHUNK_ROWS` rows at a time
  (`row_wise`). A `unique` column is checked over the whole of that one column. A dtype is
  the whole column's: when the slices infer different dtypes, the whole table is validated.
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
CHUNK_ROWS = 100_000
# pandera's built-in checks that judge each value on its own.
ROW_CHECKS = frozenset(
    {
        *("equal_to", "not_equal_to", "in_range", "isin", "notin", "str_length"),
        *("greater_than", "greater_than_or_equal_to", "less_than", "less_than_or_equal_to"),
        *("str_matches", "str_contains", "str_startswith", "str_endswith"),
    }
)
UNIQUE_CHECK = "field_uniqueness"  # pandera's name for a `unique` column's failures


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


def records_frame(records: RecordStore | list[dict], columns: list[str], rows: range | None = None):
    """The records table: one row per document, strings backed by pyarrow (only the
    records at `rows`, indexed by their positions, when given)."""
    import pandas as pd

    if isinstance(records, RecordStore) and records.compact:
        frame = _compact_frame(records, columns, rows)
    else:
        chosen = records if rows is None else [records[i] for i in rows]
        frame = pd.DataFrame.from_records(list(chosen), columns=columns)
    if rows is not None:
        frame.index = pd.RangeIndex(rows.start, rows.stop)
    for column in columns:
        if frame[column].dtype == object:
            sample = frame[column].dropna()
            if sample.empty or sample.map(lambda v: isinstance(v, str)).all():
                frame[column] = frame[column].astype(STRING_DTYPE)
    return frame


def _compact_frame(records: RecordStore, columns: list[str], rows: range | None):
    """The frame `from_records` makes of the records' dicts, built one column at a time
    (pandas infers each column on its own, a missing field is NaN): a compact store's
    decoded values are never all held at once."""
    import numpy as np
    import pandas as pd

    parts = []
    for column in columns:
        values = records.column(column, order=rows, missing=np.nan)
        parts.append(pd.DataFrame.from_records([(v,) for v in values], columns=[column]))
        del values
    return pd.concat(parts, axis=1)


def validate(frame, schema) -> list[SchemaFailure]:
    """Validate a records table lazily against a loaded schema; every failure of every
    check is returned."""
    import pandas as pd
    import pandera.pandas as pa

    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        failures = []
        for row in exc.failure_cases.itertuples(index=False):
            index = None if pd.isna(row.index) else int(row.index)
            column = None if pd.isna(row.column) else str(row.column)
            case = row.failure_case  # a value of any type: a list has no single truth value
            case = "" if pd.api.types.is_scalar(case) and pd.isna(case) else str(case)
            failures.append(SchemaFailure(index, column, str(row.check), case))
        return failures
    return []


def validate_records(records: RecordStore | list[dict], columns: list[str], schema_path: str) -> list[SchemaFailure]:
    """The failures, in some order, that validating the table of `records` over `columns`
    against the schema at `schema_path` gives, with a bounded frame (see the module's docs)."""
    schema = load_schema(schema_path)
    read = read_columns(schema, columns)
    if len(records) > CHUNK_ROWS and row_wise(schema):
        chunked = _in_chunks(records, read, schema)
        if chunked is not None:
            return chunked
    return validate(records_frame(records, read), schema)


def read_columns(schema, columns: list[str]) -> list[str]:
    """The columns of `columns` that validating against `schema` looks at: its own, unless
    it can look at others (strict, ordered, table-wide checks or parsers, regex names)."""
    reads_others = (
        schema.strict
        or schema.ordered
        or schema.checks
        or getattr(schema, "parsers", None)
        or schema.unique
        or schema.index is not None
        or any(column.regex for column in schema.columns.values())
    )
    return list(columns) if reads_others else [c for c in columns if c in schema.columns]


def row_wise(schema) -> bool:
    """Whether every failure against `schema` is a row's own, a `unique` column's or a
    column's dtype, so that slices of rows can be validated apart."""
    if schema.strict or schema.ordered or schema.checks or schema.unique or schema.index is not None:
        return False
    if schema.coerce or schema.add_missing_columns or schema.drop_invalid_rows or getattr(schema, "parsers", None):
        return False
    return all(
        not column.regex
        and not column.coerce
        and not getattr(column, "parsers", None)
        and not getattr(column, "drop_invalid_rows", False)
        and all(check.name in ROW_CHECKS and check.groupby is None for check in column.checks)
        for column in schema.columns.values()
    )


def _in_chunks(records, columns: list[str], schema) -> list[SchemaFailure] | None:
    """`CHUNK_ROWS` rows at a time, then each `unique` column whole; None when the slices
    infer different dtypes for a column."""
    unique = [name for name, column in schema.columns.items() if column.unique and name in columns]
    per_slice = schema.update_columns({name: {"unique": False} for name in unique}) if unique else schema
    failures: list[SchemaFailure] = []
    of_columns: set[SchemaFailure] = set()
    dtypes = None
    for start in range(0, len(records), CHUNK_ROWS):
        frame = records_frame(records, columns, range(start, min(start + CHUNK_ROWS, len(records))))
        if dtypes is None:
            dtypes = _dtypes(frame)
        elif _dtypes(frame) != dtypes:
            return None
        for failure in validate(frame, per_slice):
            if failure.index is None:  # a column's (its dtype, its absence): once, as from the whole
                if failure in of_columns:
                    continue
                of_columns.add(failure)
            failures.append(failure)
        del frame
    for name in unique:
        column = validate(records_frame(records, [name]), schema.select_columns([name]))
        failures.extend(f for f in column if f.check == UNIQUE_CHECK)
    return failures


def _dtypes(frame) -> dict[str, str]:
    """The frame's dtypes as pandera tells them apart: pandas' own string dtype (NaN for a
    missing value) and a slice's all-string object column made `STRING_DTYPE` (NA) are one."""
    import pandas as pd

    return {name: "string" if isinstance(d, pd.StringDtype) else str(d) for name, d in frame.dtypes.items()}


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
    failures = validate_records(records, columns, schema_path)
    if key is not None:
        results.put(key, failures)
    return failures
