"""Readers: one function per input format, each turning a `Source` into `Document`s.

Plain text and markdown yield one document per file (with YAML frontmatter or header
lines when present); JSONL yields one document per line; shards (compressed JSONL,
Parquet, large JSONL) are streamed by `shards.py`. Whatever goes wrong becomes a
hit on the document (`unreadable-document`, `encoding-not-utf8`, `invalid-frontmatter`),
never an exception and never a lost file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from ..model import Document, Hit
from .compression import JSONL_SUFFIXES, PARQUET_SUFFIXES, is_url, open_binary, sniff, split_suffix
from .decode import decode, decode_jsonl, split_lines
from .discover import Source
from .frontmatter import parse_frontmatter
from .records import bad_record, object_document
from .shards import iter_unit
from .textformat import name_format

# Plain-text header lines at the top of a document (docs/SPEC.md section 4).
_HEADER = re.compile(r"^\s*(title|date|source|url)\s*:\s*(\S.*?)\s*$", re.IGNORECASE)
_DATE_HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{1,2}-\d{1,2})\b\s*(.*?)\s*$", re.IGNORECASE)
_HEADER_KEYS = {"title": "title", "date": "date", "source": "source", "url": "source"}


@dataclass(slots=True)
class IngestOptions:
    """Reader settings from `[tool.seedcheck]` (`max-file-size`, `[tool.seedcheck.jsonl]`)."""

    max_file_size: int = 50 * 1024 * 1024
    jsonl_id: tuple[str, ...] = ("id", "doc_id", "metadata.id")
    jsonl_text: tuple[str, ...] = ("text", "content", "body")
    jsonl_title: tuple[str, ...] = ("title", "metadata.title")
    jsonl_date: tuple[str, ...] = ("date", "published_time", "metadata.date", "created", "added")
    jsonl_url: tuple[str, ...] = ("url", "source_url", "metadata.url", "metadata.source_url")
    # A record's own text format (textformat.record_format), then the setting for the rest.
    jsonl_format: tuple[str, ...] = (
        "format",
        "mime_type",
        "mimetype",
        "content_type",
        "metadata.format",
        "metadata.mime_type",
        "metadata.content_type",
    )
    jsonl_text_format: str = "auto"
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        # The pipeline passes every [tool.seedcheck.jsonl] value as a tuple of names.
        if isinstance(self.jsonl_text_format, (tuple, list)):
            self.jsonl_text_format = self.jsonl_text_format[0] if self.jsonl_text_format else "auto"


def _unreadable(source: Source, fmt: str, reason: str, encoding: str = "") -> Document:
    doc = Document(doc_id=source.doc_id, path=source.path, format=fmt, lines=[], readable=False)
    doc.record.update(encoding=encoding or None, sha256=None)
    doc.hits.append(("unreadable-document", Hit(line=1, column=1, message=f"{source.path}: {reason}")))
    return doc


def read_source(source: Source, options: IngestOptions | None = None, data: bytes | None = None) -> list[Document]:
    """Read one input file (or one work unit of a shard) into its documents (never raises
    for a bad file). `data`, when given, is the file's content already read (by Spark
    from a Hadoop-compatible URI, or by the cache)."""
    return list(iter_documents(source, options, data))


def iter_documents(
    source: Source, options: IngestOptions | None = None, data: bytes | None = None
) -> Iterator[Document]:
    """The documents of `source`, one at a time: a shard's unit is streamed, never read whole."""
    options = options or IngestOptions()
    lower = split_suffix(source.path)[0].lower()
    fmt = (
        "parquet"
        if lower.endswith(PARQUET_SUFFIXES)
        else "jsonl"
        if lower.endswith(JSONL_SUFFIXES)
        else name_format(lower)
    )
    if source.problem:
        yield _unreadable(source, fmt, source.problem)
        return
    if source.unit is not None:
        yield from iter_unit(source, options, data)
        return
    if source.size > options.max_file_size:
        yield _unreadable(
            source,
            fmt,
            f"file is {source.size:,} bytes, above the {options.max_file_size:,}-byte limit (max-file-size); not read",
        )
        return
    if data is None:
        data, problem = _read_bytes(source.fs_path, options.max_file_size)
    else:
        problem = (
            f"file grew above the {options.max_file_size:,}-byte limit while read"
            if len(data) > options.max_file_size
            else None
        )
    if problem:
        yield _unreadable(source, fmt, problem)
        return
    packed = sniff(data[:8])
    if packed == "parquet" or (packed and fmt == "jsonl"):
        yield from iter_unit(replace(source, unit=("stream", None)), options, data)
        return
    if packed:
        yield _unreadable(
            source,
            fmt,
            f"{packed}-compressed data: seedcheck reads compressed JSONL "
            "(.jsonl.gz, .jsonl.zst, .jsonl.bz2, .jsonl.xz) and Parquet; decompress other files",
            "binary",
        )
        return
    yield from _read_whole(source, fmt, data, options)


def _read_whole(source: Source, fmt: str, data: bytes, options: IngestOptions) -> list[Document]:
    decoded = decode_jsonl(data) if fmt == "jsonl" else decode(data)
    if decoded.binary_reason:
        return [_unreadable(source, fmt, decoded.binary_reason, "binary")]
    if fmt == "jsonl":
        docs = _read_jsonl(source, decoded.text, options)
    else:
        docs = [_read_text(source, fmt, split_lines(decoded.text))]
    sha = hashlib.sha256(data).hexdigest()
    for doc in docs:
        doc.record.setdefault("sha256", sha)
        doc.record["encoding"] = decoded.encoding
        if decoded.fallback:
            doc.hits.append(
                (
                    "encoding-not-utf8",
                    Hit(
                        line=1,
                        column=1,
                        message=f"file is not UTF-8; decoded as {decoded.encoding}",
                        values={"encoding": decoded.encoding},
                    ),
                )
            )
    return docs


def _read_bytes(fs_path: str, limit: int) -> tuple[bytes, str | None]:
    """At most `limit` bytes of a regular file, or a reason why not.

    The file may have changed since discovery (replaced by a FIFO, a device or a bigger
    file): it is opened without blocking, checked with fstat on the open descriptor, and
    never read past `limit` + 1 bytes.
    """
    if is_url(fs_path):
        try:
            with open_binary(fs_path) as fh:
                data = fh.read(limit + 1)
        except OSError as exc:
            return b"", f"cannot read: {exc.strerror or exc}"
        return (
            (b"", f"file is above the {limit:,}-byte limit (max-file-size); not read")
            if len(data) > limit
            else (data, None)
        )
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(fs_path, flags)
    except OSError as exc:
        return b"", f"cannot read: {exc.strerror or exc}"
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return b"", "not a regular file any more when opened; skipped"
        if st.st_size > limit:
            return b"", f"file is {st.st_size:,} bytes, above the {limit:,}-byte limit (max-file-size); not read"
        with os.fdopen(fd, "rb", closefd=False) as fh:
            # Sized by fstat: `read(limit + 1)` first allocates the whole limit (50 MB by
            # default) for every small file. A file that grew since is read on to the limit.
            want = st.st_size + 1
            data = fh.read(want)
            if len(data) == want:
                data += fh.read(limit + 1 - want)
    except OSError as exc:
        return b"", f"cannot read: {exc.strerror or exc}"
    finally:
        os.close(fd)
    if len(data) > limit:
        return b"", f"file grew above the {limit:,}-byte limit while read"
    return data, None


def _read_text(source: Source, fmt: str, lines: list[str]) -> Document:
    doc = Document(doc_id=source.doc_id, path=source.path, format=fmt, lines=lines)
    fm = parse_frontmatter(lines)
    if fm.error:
        doc.hits.append(("invalid-frontmatter", Hit(line=fm.error_line, column=1, message=fm.error)))
    if fm.end:
        doc.format = "markdown"
        doc.body_start = fm.end
        doc.frontmatter = fm.data
        doc.frontmatter_lines = fm.key_lines
    elif not fm.error:
        doc.body_start = _read_headers(doc)
    return doc


def _read_headers(doc: Document) -> int:
    """Collect `Title:`/`Date:`/`Source:` and ` date YYYY-MM-DD PLACE` lines at the top."""
    i = 0
    while i < len(doc.lines) and not doc.lines[i].strip():
        i += 1
    start = i
    while i < len(doc.lines):
        line = doc.lines[i]
        m = _HEADER.match(line)
        if m:
            doc.headers.setdefault(_HEADER_KEYS[m.group(1).lower()], (m.group(2), i + 1))
        else:
            m = _DATE_HEADER.match(line)
            if not m:
                break
            doc.headers.setdefault("date", (m.group(1), i + 1))
            if m.group(2):
                doc.headers.setdefault("place", (m.group(2), i + 1))
        i += 1
    return i if i > start else 0


def _read_jsonl(source: Source, text: str, options: IngestOptions) -> list[Document]:
    docs: list[Document] = []
    seen: set[str] = set()
    for number, raw in enumerate(split_lines(text), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError) as exc:  # ValueError: also ints past the digit limit
            docs.append(
                bad_record(
                    source, "jsonl", "line", number, f"is not valid JSON: {exc}", raw.encode("utf-8", "surrogatepass")
                )
            )
            continue
        sha = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
        docs.append(object_document(source, "jsonl", "line", number, obj, options, seen, sha))
    if not docs:
        doc = Document(doc_id=source.doc_id, path=source.path, format="jsonl", lines=[])
        doc.record["empty_file"] = True
        docs.append(doc)
    return docs
