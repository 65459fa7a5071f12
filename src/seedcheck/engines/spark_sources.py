"""The Spark engine's sources: one row per file in the local engine's order, local paths
found by `pipeline.discover_sources` on the driver, files under a Hadoop-compatible URI
listed (and later read) by Spark's `binaryFile` source with the same include/exclude
patterns."""

from __future__ import annotations

import pickle
from typing import Any

from ..config import Config, ConfigError
from ..ingest.units import plan

# `unit`: a shard's work unit (ingest/units.py), pickled; null for a whole file.
SOURCE_SCHEMA = "order long, fs_path string, path string, doc_id string, size long, problem string, unit binary"
_GLOB_SPECIAL = set("{}\\,")


def _walk_key(rel: str) -> tuple:
    """Sort key giving `discover`'s order: a directory's files (by name), then its subdirectories."""
    *dirs, name = rel.split("/")
    return (*((1, d) for d in dirs), (0, name))


def _uri_path(uri: str) -> str:
    """The path part of a Hadoop URI as Spark lists it (`file:/a/b`, `s3a://bucket/a/b`):
    names are not percent-encoded, so `#` or `?` in a file name is part of the path."""
    rest = uri.split(":", 1)[1]
    if rest.startswith("//"):
        rest = rest[2:]
        rest = rest[rest.find("/") :] if "/" in rest else "/"
    return rest


def _name_glob(include: list[str]) -> str | None:
    """A Hadoop `pathGlobFilter` that pre-selects file names by the include patterns, when
    they are plain name globs (the exact include/exclude test runs afterwards anyway)."""
    if not include or "*" in include or any("/" in p or _GLOB_SPECIAL & set(p) for p in include):
        return None
    return include[0] if len(include) == 1 else "{" + ",".join(include) + "}"


def _uri_sources(spark, uri: str, config: Config) -> tuple[list[tuple], Any]:
    """Files under a Hadoop-compatible URI: (fs_path, shown path, doc_id, size) rows in
    `discover`'s order with include/exclude applied, and a DataFrame (path, content) of
    those within max-file-size (read by the workers, never by the driver)."""
    from pyspark.sql import functions as F
    from pyspark.sql.utils import AnalysisException

    from ..ingest.discover import _matches

    reader = spark.read.format("binaryFile").option("recursiveFileLookup", "true")
    glob = _name_glob(config.include)
    if glob:
        reader = reader.option("pathGlobFilter", glob)
    try:
        files = reader.load(uri)
        listing = files.select("path", "length").collect()  # no content read for the listing
    except AnalysisException as exc:
        if "PATH_NOT_FOUND" in str(exc) or "does not exist" in str(exc):
            raise FileNotFoundError(f"path not found: {uri}") from None
        raise ConfigError(f"cannot list {uri}: {str(exc).splitlines()[0]}") from None
    root = _uri_path(uri).rstrip("/")
    rows = []
    for entry in listing:
        full = _uri_path(entry["path"])
        rel = full[len(root) + 1 :] if full.startswith(root + "/") else full.rsplit("/", 1)[-1]
        parts = rel.split("/")
        # Excluded directories are pruned like `discover` does: any ancestor that matches
        # (a file given by name is read whatever the patterns).
        if full != root and (
            any(_matches("/".join(parts[:i]), config.exclude) for i in range(1, len(parts) + 1))
            or not _matches(rel, config.include)
        ):
            continue
        shown = uri if full == root else uri.rstrip("/") + "/" + rel
        rows.append((entry["path"], shown, rel, int(entry["length"])))
    rows.sort(key=lambda r: _walk_key(r[2]))
    content = files.where(F.col("length") <= config.max_file_size).select("path", "content")
    return rows, content


def spark_sources(spark, paths: list[str], config: Config):
    """(rows, DataFrame) of the sources: local paths found by `discover` on the driver, URIs listed by
    Spark; one row per file in the local engine's order, with `content` for URI files."""
    from pyspark.sql import functions as F

    from ..pipeline import discover_sources

    rows, contents = [], []
    for given in paths:
        if "://" in given:
            found, content = _uri_sources(spark, given, config)
            rows.extend(
                (len(rows) + i, fs, shown, rel, size, None, None) for i, (fs, shown, rel, size) in enumerate(found)
            )
            contents.append(content)
        else:
            # The local engine's discovery (its include globs, never seedcheck's own files); a
            # local shard is split into work units here, on the driver (by split-size).
            for s in plan(discover_sources(config, [given]), config.split_size, config.max_file_size):
                rows.append(
                    (
                        len(rows),
                        s.fs_path,
                        s.path,
                        s.doc_id,
                        s.size,
                        s.problem,
                        pickle.dumps(s.unit) if s.unit is not None else None,
                    )
                )
    frame = spark.createDataFrame(rows, SOURCE_SCHEMA)
    if not contents:
        return rows, frame.withColumn("content", F.lit(None).cast("binary"))
    content = contents[0]
    for more in contents[1:]:
        content = content.unionByName(more)
    content = content.dropDuplicates(["path"]).withColumnRenamed("path", "fs_path")
    return rows, frame.join(content, on="fs_path", how="left")
