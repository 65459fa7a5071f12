"""Compressed and columnar shards: what a file is (by suffix and by magic bytes) and how
to open it as a stream of bytes, locally or through fsspec for URLs.

A shard is never read whole: the readers in `shards.py` take lines or row batches from
the stream these functions return.
"""

from __future__ import annotations

import io
import os
import stat
from typing import BinaryIO

# Magic bytes first: a `.jsonl` that is really gzip is read as gzip.
MAGIC = ((b"\x1f\x8b", "gzip"), (b"\x28\xb5\x2f\xfd", "zstd"), (b"BZh", "bz2"), (b"\xfd7zXZ\x00", "xz"))
SUFFIXES = {".gz": "gzip", ".gzip": "gzip", ".zst": "zstd", ".zstd": "zstd", ".bz2": "bz2", ".xz": "xz"}
PARQUET_MAGIC = b"PAR1"
PARQUET_SUFFIXES = (".parquet", ".pq")
JSONL_SUFFIXES = (".jsonl", ".ndjson")


def split_suffix(name: str) -> tuple[str, str | None]:
    """(`name` without its compression suffix, the compression that suffix names or None)."""
    lower = name.lower()
    for suffix, kind in SUFFIXES.items():
        if lower.endswith(suffix):
            return name[: -len(suffix)], kind
    return name, None


def sniff(head: bytes) -> str | None:
    """The format the first bytes of a file announce: a compression, "parquet" or None."""
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    return None


def is_url(fs_path: str) -> bool:
    """True for an fsspec URL (`memory://x`, `s3://bucket/key`, `file:///a`)."""
    return "://" in fs_path


def open_binary(fs_path: str) -> BinaryIO:
    """Open a file for reading bytes: a local path without blocking (a FIFO or device put
    in place after discovery is refused), a URL through fsspec. Raises OSError."""
    if is_url(fs_path):
        import fsspec

        try:
            return fsspec.open(fs_path, "rb").open()
        except (ImportError, ValueError) as exc:  # no filesystem package for the protocol
            raise OSError(str(exc)) from None
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(fs_path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("not a regular file any more when opened")
        return os.fdopen(fd, "rb", buffering=1 << 20)
    except BaseException:
        os.close(fd)
        raise


def head_of(fs_path: str, size: int = 8) -> bytes:
    """The first `size` bytes of a file (b"" when it cannot be read: the reader reports why)."""
    try:
        with open_binary(fs_path) as fh:
            return fh.read(size)
    except OSError:
        return b""


def decompressing(raw: BinaryIO, kind: str | None) -> BinaryIO:
    """A buffered stream of the decompressed bytes of `raw` (raw itself when `kind` is None)."""
    if kind is None:
        return raw
    if kind == "gzip":
        import gzip

        return gzip.GzipFile(fileobj=raw, mode="rb")
    if kind == "bz2":
        import bz2

        return bz2.BZ2File(raw, mode="rb")
    if kind == "xz":
        import lzma

        return lzma.LZMAFile(raw, mode="rb")
    if kind == "zstd":
        return io.BufferedReader(_Zstd(raw), buffer_size=1 << 20)
    raise ValueError(f"unknown compression {kind!r}")


class _Zstd(io.RawIOBase):
    """Zstandard frames one after another, decompressed. zstandard's own stream reader
    ends quietly at a cut-off frame; this one raises EOFError, so damage is reported."""

    def __init__(self, raw: BinaryIO):
        import zstandard

        self._raw, self._dctx = raw, zstandard.ZstdDecompressor()
        self._obj = self._dctx.decompressobj()
        self._out, self._at, self._inside = b"", 0, False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self._at >= len(self._out):
            chunk = self._raw.read(1 << 18)
            if not chunk:
                if self._inside:
                    raise EOFError("zstd data ends in the middle of a frame")
                return 0
            self._out, self._at = self._feed(chunk), 0
        n = min(len(buffer), len(self._out) - self._at)
        buffer[:n] = self._out[self._at : self._at + n]
        self._at += n
        return n

    def _feed(self, chunk: bytes) -> bytes:
        out = []
        while chunk:
            self._inside = True
            out.append(self._obj.decompress(chunk))
            if not self._obj.eof:
                break
            chunk = self._obj.unused_data
            self._obj, self._inside = self._dctx.decompressobj(), False
        return b"".join(out)

    def close(self) -> None:
        self._raw.close()
        super().close()


def stream_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a damaged compressed stream raises while it is read."""
    import lzma
    import zlib

    errors: list[type[BaseException]] = [EOFError, OSError, zlib.error, lzma.LZMAError, ValueError]
    try:
        import zstandard

        errors.append(zstandard.ZstdError)
    except ImportError:
        pass
    return tuple(errors)
