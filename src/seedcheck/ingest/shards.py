"""Streaming readers for shards: JSONL (plain, a byte range of it, or compressed with
gzip, zstd, bz2 or xz), Parquet (by row groups) and in-memory records.

Records are yielded one by one; a file is never read whole, so memory follows the
record, not the shard. The size limit (`max-file-size`) applies to each record. A bad
record is an `unreadable-document` on that record; a stream that breaks after N good
records keeps them and adds one `unreadable-document` saying where it broke.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from typing import BinaryIO

from ..model import Document, Hit
from .compression import decompressing, open_binary, sniff, split_suffix, stream_errors
from .records import bad_record, first, object_document, unmapped_advice

BATCH_ROWS = 256  # Parquet rows decoded at a time: small, so a batch of long texts stays small


def iter_unit(source, options, data: bytes | None = None) -> Iterator[Document]:
    """The documents of one work unit `source.unit` (or of a whole shard when `data`,
    its bytes, is given by an engine that read them)."""
    unit = source.unit or ("stream", None)
    kind = unit[0]
    if kind == "inline":
        yield from _inline(source, unit, options)
        return
    try:
        raw = io.BytesIO(data) if data is not None else open_binary(source.fs_path)
    except OSError as exc:
        yield _whole_file_problem(source, "jsonl", f"cannot read: {exc.strerror or exc}")
        return
    with raw:
        if kind == "rows":
            yield from _parquet(source, raw, unit[1], unit[2], options)
        elif kind == "lines":
            raw.seek(unit[1])
            yield from _jsonl(source, raw, options, unit[3], unit[2] - unit[1], None)
        elif kind == "zlines":
            yield from _compressed_range(source, raw, unit, options)
        else:
            yield from _compressed(source, raw, options)


def _whole_file_problem(source, fmt: str, reason: str) -> Document:
    doc = Document(doc_id=source.doc_id, path=source.path, format=fmt, lines=[], readable=False)
    doc.record.update(encoding=None, sha256=None)
    doc.hits.append(("unreadable-document", Hit(line=1, column=1, message=f"{source.path}: {reason}")))
    return doc


def _compressed(source, raw: BinaryIO, options) -> Iterator[Document]:
    head = raw.read(8)
    raw.seek(0)
    found = sniff(head)
    if found == "parquet":
        yield from _parquet(source, raw, 0, None, options)
        return
    named = split_suffix(source.path)[1]
    if named and found != named:
        shown = found or "uncompressed data"
        yield _whole_file_problem(source, "jsonl", f"named as {named} but the bytes are {shown}; not read")
        return
    stream = decompressing(raw, found)
    yield from _jsonl(source, stream, options, 1, None, found)


def _compressed_range(source, raw: BinaryIO, unit: tuple, options) -> Iterator[Document]:
    """Lines `unit[1]`..`unit[2]` (bytes of the decompressed text) of a compressed JSONL:
    decompressed from the start, the bytes before the range skipped."""
    kind = sniff(raw.read(8))
    raw.seek(0)
    stream = decompressing(raw, kind)
    left = unit[1]
    try:
        while left > 0:
            skipped = len(stream.read(min(left, 1 << 20)))
            if not skipped:
                raise EOFError("the data ends before this part of the file")
            left -= skipped
    except stream_errors() as exc:
        yield bad_record(source, "jsonl", "line", unit[3], f"{kind} stream damaged ({type(exc).__name__}: {exc})")
        return
    yield from _jsonl(source, stream, options, unit[3], unit[2] - unit[1], kind)


def _lines(stream: BinaryIO, limit: int, budget: int | None) -> Iterator[tuple[bytes | None, int]]:
    """(line bytes, 0) per line, or (None, size) for a line longer than `limit` (skipped
    without holding it); stops after `budget` bytes when given (a byte range)."""
    used = 0
    while budget is None or used < budget:
        line = stream.readline(limit + 1)
        if not line:
            return
        used += len(line)
        if len(line) > limit and not line.endswith(b"\n"):
            size = len(line)
            while True:
                more = stream.readline(1 << 20)
                used += len(more)
                size += len(more)
                if not more or more.endswith(b"\n"):
                    break
            yield None, size
        else:
            yield line, 0


def _jsonl(
    source, stream: BinaryIO, options, number: int, budget: int | None, compression: str | None
) -> Iterator[Document]:
    seen: set[str] = set()
    limit = options.max_file_size
    lines = _lines(stream, limit, budget)
    errors = stream_errors()
    while True:
        try:
            line, oversize = next(lines)
        except StopIteration:
            return
        except errors as exc:
            damage = f"{compression or 'file'} stream damaged ({type(exc).__name__}: {exc})"
            reason = f"{damage}; the {number - 1} line(s) before it were read"
            yield bad_record(source, "jsonl", "line", number, reason)
            return
        if oversize:
            yield bad_record(
                source,
                "jsonl",
                "line",
                number,
                f"is {oversize:,} bytes, above the {limit:,}-byte limit per record (max-file-size); not read",
            )
        elif line.strip():
            yield _line_document(source, line, number, options, seen)
        number += 1


def _line_document(source, line: bytes, number: int, options, seen: set[str]) -> Document:
    line = line.rstrip(b"\r\n")
    try:
        text, encoding = line.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = line.decode("cp1252", "replace"), "cp1252"
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:
        doc = bad_record(source, "jsonl", "line", number, f"is not valid JSON: {exc}", line)
    else:
        doc = object_document(source, "jsonl", "line", number, obj, options, seen, hashlib.sha256(line).hexdigest())
    doc.record["encoding"] = encoding
    if encoding != "utf-8" and doc.readable:
        doc.hits.append(
            (
                "encoding-not-utf8",
                Hit(
                    line=1,
                    column=1,
                    message=f"record is not UTF-8; decoded as {encoding}",
                    values={"encoding": encoding},
                ),
            )
        )
    return doc


def parquet_columns(schema_names: list[str], options) -> list[str]:
    """The top-level columns the configured field names need (`metadata.url` needs `metadata`)."""
    wanted = []
    mapped = (options.jsonl_id, options.jsonl_text, options.jsonl_title, options.jsonl_date, options.jsonl_url)
    for names in (*mapped, options.jsonl_format):
        for name in names:
            top = name.split(".", 1)[0]
            if top in schema_names and top not in wanted:
                wanted.append(top)
    return wanted


def _parquet(source, raw: BinaryIO, start: int, end: int | None, options) -> Iterator[Document]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(raw)
        meta = pf.metadata
        columns = parquet_columns(pf.schema_arrow.names, options)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds for a bad file
        yield _whole_file_problem(source, "parquet", f"not a readable Parquet file: {type(exc).__name__}: {exc}")
        return
    end = meta.num_rows if end is None else end
    unmapped = _parquet_unmapped(pf, columns, options)
    seen: set[str] = set()
    first_row = 0
    for group in range(meta.num_row_groups):
        rows = meta.row_group(group).num_rows
        if first_row + rows <= start or first_row >= end:
            first_row += rows
            continue
        index = first_row
        try:
            for batch in pf.iter_batches(batch_size=BATCH_ROWS, row_groups=[group], columns=columns):
                if index + batch.num_rows <= start:
                    index += batch.num_rows
                    continue
                for obj in batch.to_pylist():
                    if start <= index < end:
                        yield _row_document(source, index, obj, options, seen, unmapped)
                    index += 1
                if index >= end:
                    return
        except Exception as exc:  # noqa: BLE001 - a damaged page or column chunk
            yield bad_record(
                source,
                "parquet",
                "row",
                max(index, start),
                f"cannot be read (row group {group} damaged: {type(exc).__name__}: {exc});"
                " the rest of the group is lost",
            )
        first_row += rows


def _parquet_unmapped(pf, columns: list[str], options) -> dict[str, str] | None:
    """`unmapped_advice` for a Parquet file whose columns lack a mapped field, from its first
    row with every column (the records hold the mapped columns only; the schema is the same
    for every row). None when each field has a column read: each record then tells."""
    kinds = (options.jsonl_text, options.jsonl_title, options.jsonl_date, options.jsonl_url)
    if pf.metadata.num_rows == 0 or all(any(n.split(".", 1)[0] in columns for n in names) for names in kinds):
        return None
    try:
        sample = next(pf.iter_batches(batch_size=1, row_groups=[0])).to_pylist()[0]
    except Exception:  # noqa: BLE001 - a damaged first page: the rows report it
        sample = {name: None for name in pf.schema_arrow.names}
    return unmapped_advice(sample, options)


def _row_document(
    source, index: int, obj: dict, options, seen: set[str], unmapped: dict[str, str] | None = None
) -> Document:
    body = first(obj, options.jsonl_text)
    if isinstance(body, (str, bytes)) and len(body) > options.max_file_size:
        return bad_record(
            source,
            "parquet",
            "row",
            index,
            f"has a {len(body):,}-character text, above the {options.max_file_size:,} limit per record"
            " (max-file-size); not read",
        )
    doc = object_document(source, "parquet", "row", index, obj, options, seen, unmapped=unmapped)
    doc.record["encoding"] = "utf-8"
    return doc


def _inline(source, unit: tuple, options) -> Iterator[Document]:
    """In-memory records (the Python API): each a JSON object text, row numbers from unit[1]."""
    seen: set[str] = set()
    for index, text in enumerate(unit[2], start=unit[1]):
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError) as exc:
            yield bad_record(source, "records", "row", index, f"is not a JSON-compatible record: {exc}")
            continue
        doc = object_document(source, "records", "row", index, obj, options, seen)
        doc.record["encoding"] = "utf-8"
        yield doc
