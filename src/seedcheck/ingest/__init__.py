"""Ingest: find input files and turn each into `Document`s (one per file, one per JSONL line)."""

from .discover import Source, discover
from .readers import read_source

__all__ = ["Source", "discover", "read_source"]
