"""Indented JSON written piece by piece, for reports too large to hold as one string.

`dump(obj, fh)` writes exactly what `json.dump(obj, fh, indent=2, ensure_ascii=False,
default=str)` writes, with two differences that matter at a million findings: an
iterator anywhere in `obj` (a generator, say) is written as a JSON array one item at a
time, so the report is never built whole in memory; and the scalars go through the
json module's C string encoder, because with `indent` the json module falls back to its
pure-Python encoder, which was most of the writers' time.

`dump_compact(obj, fh)` writes what `json.dump(obj, fh, ensure_ascii=False,
separators=(",", ":"), default=str)` writes, streaming iterators the same way, each item
encoded by the json module's C encoder (no indentation: for files only machines read).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from json.encoder import encode_basestring  # the C implementation when available
from typing import Any, TextIO

INDENT = "  "
FLUSH_EVERY = 512  # items of a streamed array between writes to the file


def _float(value: float) -> str:
    # As json.dumps (allow_nan=True): repr, except the three non-finite values.
    if math.isnan(value):
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == float("-inf"):
        return "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    """`key` encoded as a JSON object key, with the `: ` after it (remembered: reports
    repeat the same few keys millions of times)."""
    known = _KEYS.get(key) if type(key) is str else None
    if known is not None:
        return known
    if isinstance(key, str):
        out = encode_basestring(key) + ": "
        if len(_KEYS) < 4096:
            _KEYS[key] = out
        return out
    if isinstance(key, float):
        return encode_basestring(_float(key)) + ": "
    if key is True or key is False or key is None:
        return encode_basestring({True: "true", False: "false", None: "null"}[key]) + ": "
    if isinstance(key, int):
        return encode_basestring(int.__repr__(key)) + ": "
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


_KEYS: dict[str, str] = {}
_CONSTANTS = {None: "null", True: "true", False: "false"}


def encode(value: Any, level: int = 0, default: Callable[[Any], Any] = str) -> str:
    """`value` as indented JSON, as if it sat `level` levels deep in a document (its
    first line is not indented; the lines after it are). Iterators are not allowed here."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = "\n" + INDENT * (level + 1)
        parts = []
        known = _KEYS.get
        for k, v in value.items():
            # The common cases inline: this loop is the writers' innermost one.
            key = known(k) or _key(k)
            vk = type(v)
            if vk is str:
                parts.append(key + encode_basestring(v))
            elif v is None or vk is bool:
                parts.append(key + _CONSTANTS[v])
            elif vk is int:
                parts.append(key + int.__repr__(v))
            else:
                parts.append(key + encode(v, level + 1, default))
        return "{" + inner + ("," + inner).join(parts) + "\n" + INDENT * level + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = "\n" + INDENT * (level + 1)
        return (
            "["
            + inner
            + ("," + inner).join([encode(v, level + 1, default) for v in value])
            + "\n"
            + INDENT * level
            + "]"
        )
    if value is None or kind is bool:
        return _CONSTANTS[value]
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, (list, tuple)):
        return encode(list(value), level, default)
    if isinstance(value, dict):
        return encode(dict(value), level, default)
    if isinstance(value, Iterator):
        raise TypeError("an iterator can only be streamed by dump(), not encoded inside a value")
    return encode(default(value), level, default)


class _Buffered:
    """Collects pieces and writes them to `fh` in large chunks (one `write` per many items)."""

    def __init__(self, fh: TextIO):
        self.fh, self.parts = fh, []

    def __call__(self, text: str) -> None:
        self.parts.append(text)

    def flush(self) -> None:
        if self.parts:
            self.fh.write("".join(self.parts))
            self.parts.clear()


def _stream(value: Any, level: int, out: _Buffered, default: Callable[[Any], Any]) -> None:
    if isinstance(value, dict) and value:
        inner = "\n" + INDENT * (level + 1)
        out("{")
        for i, (k, v) in enumerate(value.items()):
            out(("" if i == 0 else ",") + inner + _key(k))
            _stream(v, level + 1, out, default)
        out("\n" + INDENT * level + "}")
    elif (
        isinstance(value, (list, tuple)) and value and any(isinstance(v, (dict, list, tuple, Iterator)) for v in value)
    ):
        _stream_items(iter(value), level, out, default, nested=True)
    elif isinstance(value, Iterator):
        _stream_items(value, level, out, default, nested=False)
    else:
        out(encode(value, level, default))


def _stream_items(items: Iterator, level: int, out: _Buffered, default, nested: bool) -> None:
    inner = "\n" + INDENT * (level + 1)
    first = True
    for n, item in enumerate(items, 1):
        out(("[" if first else ",") + inner)
        first = False
        if nested:  # a materialised list may hold iterators further down
            _stream(item, level + 1, out, default)
        else:
            out(encode(item, level + 1, default))
        if n % FLUSH_EVERY == 0:
            out.flush()
    out("[]" if first else "\n" + INDENT * level + "]")


def dump(value: Any, fh: TextIO, default: Callable[[Any], Any] = str) -> None:
    """Write `value` to `fh` as `json.dump(value, fh, indent=2, ensure_ascii=False,
    default=default)` would, streaming every iterator in it as an array."""
    out = _Buffered(fh)
    _stream(value, 0, out, default)
    out.flush()


def dump_compact(value: Any, fh: TextIO, default: Callable[[Any], Any] = str) -> None:
    """Write `value` to `fh` as `json.dump(value, fh, ensure_ascii=False, separators=(",", ":"),
    default=default)` would, streaming every iterator in it as an array."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=default).encode
    out = _Buffered(fh)

    def walk(item: Any) -> None:
        if isinstance(item, dict):
            out("{")
            for i, (k, v) in enumerate(item.items()):
                out(("," if i else "") + encode({k: 0})[1:-3] + ":")  # the key as json writes keys
                walk(v)
            out("}")
        elif isinstance(item, (list, tuple)) and any(isinstance(v, (dict, list, tuple, Iterator)) for v in item):
            out("[")
            for i, v in enumerate(item):
                out("," if i else "")
                walk(v)
            out("]")
        elif isinstance(item, Iterator):
            out("[")
            for n, v in enumerate(item):
                out(("," if n else "") + encode(v))
                if n % FLUSH_EVERY == FLUSH_EVERY - 1:
                    out.flush()
            out("]")
        else:
            out(encode(item))

    walk(value)
    out.flush()
