"""The keys of the cache (`cache.py`): the fingerprint of everything besides a file that
its outcome depends on (it names the cache file), each file's entry key, and outcomes
packed as they are stored."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import pickle
import re
import sys
import zlib
from pathlib import Path
from typing import Any

from . import __version__
from .config import PACKAGE_DIR, Config

SCHEMA = 2  # 2: records carry only public fields; the rest is their `RecordTrace`
# Settings that only shape the output or the run, never a document's outcome.
_OUTPUT_ONLY = ("source", "jobs", "report_dir", "fail_on", "baseline", "gx_data_docs", "cache_dir")
# Not direct dependencies, but their arithmetic and parsing land in outcomes (MinHash in numpy).
_ALSO_VERSIONED = ("numpy",)


def _feed_tree(h, root: Path) -> None:
    """Every file under `root` (paths and bytes), in a stable order."""
    if not root.is_dir():
        h.update(b"missing:" + str(root).encode())
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(str(path.relative_to(root)).encode("utf-8", "surrogateescape") + b"\0")
        h.update(path.read_bytes() + b"\0")


def _dependency_versions() -> list[str]:
    from importlib import metadata

    try:
        requires = metadata.requires("seedcheck") or []
    except metadata.PackageNotFoundError:
        requires = []
    out = []
    for requirement in requires:
        if "extra ==" in requirement:
            continue
        name = re.match(r"[A-Za-z0-9_.-]+", requirement)
        if name:
            try:
                out.append(f"{name.group(0)}=={metadata.version(name.group(0))}")
            except metadata.PackageNotFoundError:
                out.append(f"{name.group(0)}==missing")
    for name in _ALSO_VERSIONED:
        try:
            out.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return sorted(set(out))


def fingerprint(config: Config, today: dt.date) -> str:
    """The hash of everything besides the file itself that a document's outcome depends on."""
    h = hashlib.blake2b(digest_size=16)
    settings = {k: v for k, v in dataclasses.asdict(config).items() if k not in _OUTPUT_ONLY}
    for part in (
        f"schema {SCHEMA}",
        __version__,
        sys.version,
        today.isoformat(),
        json.dumps(settings, sort_keys=True, default=str),
        *_dependency_versions(),
    ):
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    _feed_tree(h, PACKAGE_DIR)
    _feed_tree(h, config.checks_path)
    return h.hexdigest()


def pack(outcomes: Any) -> bytes:
    """One file's outcomes as stored (and as the workers send them when caching)."""
    return zlib.compress(pickle.dumps(outcomes, protocol=pickle.HIGHEST_PROTOCOL), 1)


def unpack(blob: bytes) -> Any:
    """Outcomes as `pack` stored them."""
    return pickle.loads(zlib.decompress(blob))


def key_of(source: Any, data: bytes, variant: bytes) -> bytes:
    """The entry key of `source` read as `data`: its bytes, its paths and the run variant."""
    h = hashlib.blake2b(digest_size=20)
    for part in (
        variant,
        os.fsencode(source.fs_path),
        source.path.encode("utf-8", "surrogateescape"),
        source.doc_id.encode("utf-8", "surrogateescape"),
        str(len(data)).encode(),
    ):
        h.update(part + b"\0")
    h.update(data)
    return h.digest()


def read_keyed(source: Any, max_file_size: int, variant: bytes) -> tuple[bytes | None, bytes | None]:
    """The file's bytes, read as the document stage reads them (no blocking open, never
    past the size limit), and their entry key; (None, None) for a file that is not cached:
    flagged by discovery, above the limit, or unreadable now (such files are cheap, and
    must report their problem afresh). The document stage checks exactly these bytes, so
    a file that changes during the run is stored under the key of what was checked."""
    from .ingest.readers import _read_bytes

    if source.problem or source.size > max_file_size:
        return None, None
    data, problem = _read_bytes(source.fs_path, max_file_size)
    if problem:
        return None, None
    return data, key_of(source, data, variant)
