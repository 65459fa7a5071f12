"""`documents.parquet`: one row per document, its status and record fields (report/tables.py
has the columns; per-document statistics become float columns). Written in batches;
opt-in (`--reports`)."""

from __future__ import annotations

from .tables import DOCUMENT_COLUMNS, arrow_schema, batches, document_rows, numeric_extras

FORMAT = "documents-parquet"
FILENAME = "documents.parquet"
BINARY = True  # a file only: never printed to stdout


def write_file(result, path) -> None:
    """Write the documents table to `path` (zstd-compressed Parquet)."""
    import pyarrow.parquet as pq

    extras = numeric_extras(result)
    schema = arrow_schema(DOCUMENT_COLUMNS, extras, with_extra=True)
    with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
        for batch in batches(document_rows(result, extras), schema):
            writer.write_batch(batch)


def render(result, **options) -> str:
    raise ValueError(f"{FILENAME} is binary: it is written as a report file, not printed")
