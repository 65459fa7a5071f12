"""Work units: a large shard split into parts that workers check independently.

A plain JSONL file larger than `split-size` becomes byte ranges aligned to line starts
(each knowing its first line number); a Parquet file becomes row ranges of about
`split-size` uncompressed bytes (row groups, or slices of a large one). A compressed
stream cannot be entered in the middle: a large compressed JSONL is decompressed once
here to find line-aligned ranges of its text, and each unit decompresses again from the
start and skips to its range (decompressing runs hundreds of times faster than checking).
The split depends on the file and `split-size` only, never on `--jobs`, so findings are
the same for any number of workers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from .compression import (
    JSONL_SUFFIXES,
    PARQUET_SUFFIXES,
    decompressing,
    head_of,
    open_binary,
    sniff,
    split_suffix,
    stream_errors,
)
from .discover import Source

DEFAULT_SPLIT_SIZE = 8 * 1024 * 1024
# A unit is as much work as this many small files (for batching and for deciding when
# worker processes pay off).
UNIT_WEIGHT = 64
_CHUNK = 1 << 20
# Compressed text is rarely more than this many times smaller: a compressed shard smaller
# than split-size / this holds one unit's worth and is not decompressed to be planned.
_RATIO = 8


def shard_kind(source: Source) -> str | None:
    """ "jsonl" (plain, streamed when large), "compressed", "parquet" or None (a document file)."""
    inner, named = split_suffix(source.path)
    lower = inner.lower()
    if lower.endswith(PARQUET_SUFFIXES) and not named:
        return "parquet"
    if named:
        return "compressed" if lower.endswith(JSONL_SUFFIXES) else None
    if lower.endswith(JSONL_SUFFIXES):
        found = sniff(head_of(source.fs_path))
        return "parquet" if found == "parquet" else "compressed" if found else "jsonl"
    return None


def plan(sources: Iterable[Source], split_size: int, max_file_size: int) -> Iterator[Source]:
    """Every source, shards replaced by their work units (in file order)."""
    for source in sources:
        if source.problem or source.unit is not None:
            yield source
            continue
        kind = shard_kind(source)
        if kind == "compressed":
            yield from _compressed_units(source, split_size)
        elif kind == "parquet":
            yield from _parquet_units(source, split_size)
        elif kind == "jsonl" and (source.size > split_size or source.size > max_file_size):
            yield from _line_units(source, split_size)
        else:
            yield source


def weight(source: Source) -> int:
    """How much work a source is, in small files."""
    return UNIT_WEIGHT if source.unit is not None else 1


def estimated_documents(sources: list[Source]) -> int:
    """How many documents the sources hold (exact for split JSONL and Parquet, a guess
    for compressed shards): the run sizes its memory policies on it."""
    total = 0
    for s in sources:
        unit = s.unit
        if unit is None:
            total += 1
        elif unit[0] in ("lines", "zlines"):
            total += unit[4]
        elif unit[0] == "rows":
            total += unit[2] - unit[1]
        elif unit[0] == "inline":
            total += len(unit[2])
        else:
            total += max(1, s.size // 500)  # compressed text: ~5x, ~2.5 KB a document
    return total


def _line_units(source: Source, split: int) -> Iterator[Source]:
    """Byte ranges of about `split` bytes that start at line starts, with line numbers."""
    try:
        fh = open_binary(source.fs_path)
    except OSError:
        yield replace(source, unit=("stream", None))  # the reader reports why it cannot read it
        return
    with fh:
        for start, end, first, count in _ranges(fh, split):
            yield replace(source, unit=("lines", start, end, first, count))


def _compressed_units(source: Source, split: int) -> Iterator[Source]:
    """Line-aligned ranges of the decompressed text of a large compressed JSONL; one
    `stream` unit when it is small, or when it cannot be planned (damaged: the reader
    then reports where)."""
    whole = [replace(source, unit=("stream", None))]
    if source.size * _RATIO <= split:
        yield from whole
        return
    try:
        with open_binary(source.fs_path) as raw:
            kind = sniff(raw.read(8))
            raw.seek(0)
            ranges = list(_ranges(decompressing(raw, kind), split)) if kind else []
    except stream_errors():
        ranges = []
    if len(ranges) < 2:
        yield from whole
        return
    for start, end, first, count in ranges:
        yield replace(source, unit=("zlines", start, end, first, count))


def _ranges(fh, split: int) -> Iterator[tuple[int, int, int, int]]:
    """(start, end, first line, lines) of byte ranges of about `split` bytes of `fh`, each
    starting at a line start."""
    start, start_line, pos, lines, target = 0, 1, 0, 0, split
    while True:
        chunk = fh.read(_CHUNK)
        if not chunk:
            break
        base, searched = pos, 0
        pos += len(chunk)
        while target < pos:
            at = chunk.find(b"\n", max(searched, target - 1 - base))
            if at < 0:
                break
            lines += chunk.count(b"\n", searched, at + 1)
            searched = at + 1
            end = base + at + 1
            yield start, end, start_line, lines - start_line + 1
            start, start_line, target = end, lines + 1, end + split
        lines += chunk.count(b"\n", searched)
    if start < pos or pos == 0:
        yield start, pos, start_line, max(1, lines - start_line + 1)


def _parquet_units(source: Source, split: int) -> Iterator[Source]:
    """Row ranges of about `split` uncompressed bytes: whole row groups, or slices of one."""
    import pyarrow.parquet as pq

    try:
        with open_binary(source.fs_path) as fh:
            meta = pq.ParquetFile(fh).metadata
    except Exception:  # noqa: BLE001 - the reader reports an unreadable file
        yield replace(source, unit=("rows", 0, None))
        return
    row = 0
    for group in range(meta.num_row_groups):
        info = meta.row_group(group)
        rows, size = info.num_rows, max(1, info.total_byte_size)
        step = rows if size <= split else max(1, rows * split // size)
        for start in range(row, row + rows, step):
            yield replace(source, unit=("rows", start, min(start + step, row + rows)))
        row += rows
    if meta.num_rows == 0:
        yield replace(source, unit=("rows", 0, 0))
