"""Bytes to text: UTF-8 first, then BOM-marked or BOM-less UTF-16, then a legacy fallback.

Returns the text, the encoding used and, when the bytes are not text at all, a reason.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Bytes that never occur in text files (C0 controls other than tab, newlines, form feed, escape).
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass(slots=True)
class Decoded:
    text: str
    encoding: str
    binary_reason: str | None = None

    @property
    def fallback(self) -> bool:
        """True when the text was not UTF-8 (with or without BOM)."""
        return self.encoding not in ("utf-8", "utf-8-sig")


def _utf16_without_bom(data: bytes) -> str | None:
    # UTF-16 text of mostly ASCII has a NUL in every other byte.
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    half = len(data) // 2
    for zeros, codec in ((odd, "utf-16-le"), (even, "utf-16-be")):
        if zeros > 0.4 * half:
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    return None


def decode(data: bytes) -> Decoded:
    """Decode file bytes; `binary_reason` is set when they are not text."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data[len(bom) :].decode(codec.replace("-sig", "")), codec)
            except UnicodeDecodeError:
                break
    if b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is not None and not _BINARY_BYTES.search(text.encode("utf-8", "surrogatepass")):
            return Decoded(text, "utf-16-le" if data[1] == 0 else "utf-16-be")
        return Decoded("", "binary", f"binary data (NUL byte at offset {data.index(0)})")
    controls = len(_BINARY_BYTES.findall(data[:65536]))
    if controls > max(8, len(data[:65536]) // 100):
        return Decoded("", "binary", f"binary data ({controls} control bytes in the first 64 KiB)")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(data.decode("cp1252"), "cp1252")
    except UnicodeDecodeError:
        return Decoded(data.decode("latin-1"), "latin-1")


def decode_jsonl(data: bytes) -> Decoded:
    """Decode a JSONL file, where one bad line must not cost the other lines.

    Without a BOM, valid UTF-8 is taken as it is, NUL and control bytes included: JSON
    cannot hold them raw, so they spoil only their own line (an `unreadable-document` for
    that line). Data that is a fifth NULs or more is more likely BOM-less UTF-16 and goes
    through `decode`.
    """
    if not any(data.startswith(bom) for bom, _ in _BOMS) and data.count(0) * 5 < len(data):
        try:
            return Decoded(data.decode("utf-8"), "utf-8")
        except UnicodeDecodeError:
            pass
    return decode(data)


def split_lines(text: str) -> list[str]:
    """Split on CRLF, CR and LF only (not on form feeds or U+2028), so line numbers match editors."""
    lines = _NEWLINE.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines
