"""Inputs named by fsspec URLs: `file://`, `memory://`, and `s3://`, `gs://`, `hf://` ...
when the filesystem's package (s3fs, gcsfs, huggingface_hub) is installed.

A URL names a file, a directory (walked like a local one, partition folders such as
`year=2024/` included) or a glob (`s3://bucket/shards/*.jsonl.gz`). Files are listed in
`discover`'s order with the same include/exclude patterns; readers open them through
fsspec (ingest.compression.open_binary).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .discover import Source, _matches, discover

_GLOB = set("*?[")


def _walk_key(rel: str) -> tuple:
    """`discover`'s order: a directory's files (by name), then its subdirectories."""
    *dirs, name = rel.split("/")
    return (*((1, d) for d in dirs), (0, name))


def _filesystem(url: str):
    import fsspec

    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:  # an unknown protocol, or its package missing
        raise FileNotFoundError(f"cannot open {url}: {str(exc).splitlines()[0]}") from None


def discover_url(url: str, include: Iterable[str] = ("*",), exclude: Iterable[str] = (".*",)) -> Iterator[Source]:
    """A `Source` per file under the fsspec `url`; FileNotFoundError when nothing is there."""
    include, exclude = tuple(include), tuple(exclude)
    fs, root = _filesystem(url)
    protocol = url.split("://", 1)[0]
    if _GLOB & set(root):
        base = root[: min(root.find(c) for c in _GLOB if c in root)].rsplit("/", 1)[0]
        listing = {p: fs.info(p) for p in fs.glob(root)}
        shown_base = None  # each file shows as its own URL
    else:
        try:
            info = fs.info(root)
        except (FileNotFoundError, OSError):
            raise FileNotFoundError(f"path not found: {url}") from None
        if info.get("type") != "directory":
            name = root.rstrip("/").rsplit("/", 1)[-1]
            yield Source(_full(fs, protocol, root), url, name, size=int(info.get("size") or 0))
            return
        base, shown_base = root.rstrip("/"), url.rstrip("/")
        listing = fs.find(root, withdirs=False, detail=True)
    rows = []
    for path, info in listing.items():
        if info.get("type") == "directory":
            continue
        rel = path[len(base) + 1 :] if path.startswith(base + "/") else path.rsplit("/", 1)[-1]
        parts = rel.split("/")
        if any(_matches("/".join(parts[:i]), exclude) for i in range(1, len(parts) + 1)) or not _matches(rel, include):
            continue
        rows.append((rel, path, int(info.get("size") or 0)))
    for rel, path, size in sorted(rows, key=lambda r: _walk_key(r[0])):
        full = _full(fs, protocol, path)
        yield Source(full, f"{shown_base}/{rel}" if shown_base else full, rel, size=size)


def _full(fs, protocol: str, path: str) -> str:
    """A URL workers can open again (`memory://x`, `s3://bucket/key`)."""
    full = fs.unstrip_protocol(path)
    return full if "://" in full else f"{protocol}://{path}"


def discover_all(paths: list[str], include, exclude) -> Iterator[Source]:
    """`discover` for local paths; fsspec URLs (`memory://`, `s3://...`) through ingest.remote."""
    for given in paths:
        if "://" in given:
            yield from discover_url(given, include, exclude)
        else:
            yield from discover([given], include, exclude)
