"""`findings.parquet`: one row per finding (report/tables.py has the columns), for joins
in pandas, Spark or DuckDB. Written in batches, never held whole; opt-in (`--reports`)."""

from __future__ import annotations

from .tables import FINDING_COLUMNS, arrow_schema, batches, finding_rows

FORMAT = "findings-parquet"
FILENAME = "findings.parquet"
BINARY = True  # a file only: never printed to stdout


def write_file(result, path) -> None:
    """Write the findings table to `path` (zstd-compressed Parquet)."""
    import pyarrow.parquet as pq

    schema = arrow_schema(FINDING_COLUMNS)
    with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
        for batch in batches(finding_rows(result), schema):
            writer.write_batch(batch)


def render(result, **options) -> str:
    raise ValueError(f"{FILENAME} is binary: it is written as a report file, not printed")
