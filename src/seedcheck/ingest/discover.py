"""Find the input files under the given paths, deterministically and without following traps.

Special files (FIFOs, devices, sockets), broken links and link loops are not opened; they
come back as a `Source` with `problem` set so the pipeline reports them as
`unreadable-document` instead of losing them.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Source:
    """One input file: where to read it and how to name it in reports."""

    fs_path: str  # the path to open (may hold surrogate-escaped bytes)
    path: str  # the path as shown in reports (always valid UTF-8)
    doc_id: str  # path relative to the scanned root
    size: int = 0
    problem: str | None = None  # set when the file must not or cannot be read
    # Set for a work unit of a shard (see units.py): which part of the file to read.
    unit: tuple | None = None


def display(name: str) -> str:
    """A file name as valid UTF-8 text: undecodable bytes become `\\xNN`."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


@functools.lru_cache(maxsize=64)
def _glob_regex(patterns: tuple[str, ...]) -> re.Pattern:
    # fnmatch.fnmatch per pattern and per file was 60% of discovering 10,000 files; one
    # regex of the translated patterns says the same (fnmatch's os.path.normcase is the
    # identity on POSIX, and is kept for other systems).
    return re.compile("|".join(fnmatch.translate(os.path.normcase(p)) for p in patterns) or "(?!)")


def _matches(relpath: str, patterns: Iterable[str]) -> bool:
    """Does `relpath` or its file name match one of the glob `patterns`, as `fnmatch` says?"""
    regex = _glob_regex(tuple(patterns))
    name = relpath.rsplit("/", 1)[-1]
    return regex.match(os.path.normcase(relpath)) is not None or regex.match(os.path.normcase(name)) is not None


def _source(fs_path: str, shown: str, doc_id: str) -> Source:
    # Interned, and one string for the path shown and the path read when they are equal:
    # the run interns each record's id and path as it arrives (pipeline.py), so the
    # record, its trace and its findings then hold these strings instead of copies.
    fs_path, doc_id = sys.intern(fs_path), sys.intern(doc_id)
    shown = fs_path if shown == fs_path else sys.intern(shown)
    try:
        st = os.stat(fs_path)  # follows links: a link to a regular file is read
    except OSError as exc:
        if os.path.islink(fs_path):
            reason = "symbolic link loop" if exc.errno == 40 else "broken symbolic link"
        else:
            reason = exc.strerror or str(exc)
        return Source(fs_path, shown, doc_id, problem=f"cannot read: {reason}")
    if not stat.S_ISREG(st.st_mode):
        kind = (
            "FIFO"
            if stat.S_ISFIFO(st.st_mode)
            else "socket"
            if stat.S_ISSOCK(st.st_mode)
            else "device"
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
            else "directory"
            if stat.S_ISDIR(st.st_mode)
            else "special file"
        )
        return Source(fs_path, shown, doc_id, problem=f"not a regular file ({kind}); skipped")
    return Source(fs_path, shown, doc_id, size=st.st_size)


def discover(
    paths: Iterable[str],
    include: Iterable[str] = ("*",),
    exclude: Iterable[str] = (".*",),
) -> Iterator[Source]:
    """Yield a `Source` for every file under `paths`, sorted within each path.

    A path that does not exist raises `FileNotFoundError` (a usage error, exit 2);
    everything found below an existing path is yielded, problems included.
    """
    include, exclude = tuple(include), tuple(exclude)
    for given in paths:
        given_shown = display(given)
        if not os.path.lexists(given):
            raise FileNotFoundError(f"path not found: {given_shown}")
        if not os.path.isdir(given):
            yield _source(given, given_shown, display(os.path.basename(given)))
            continue
        # A directory that cannot be listed must not vanish silently (os.walk's default):
        # it becomes one unreadable entry.
        unlisted: list[OSError] = []
        for dirpath, dirnames, filenames in os.walk(given, onerror=unlisted.append, followlinks=False):
            rel_dir = os.path.relpath(dirpath, given)
            rel_dir = "" if rel_dir == "." else rel_dir
            # Prune excluded directories; links to directories are listed as files by
            # os.walk(followlinks=False) only when broken, so they never recurse.
            # A tagged cache directory (seedcheck's own, or any other) holds no documents.
            dirnames[:] = sorted(
                d
                for d in dirnames
                if not _matches(display(os.path.join(rel_dir, d)).replace(os.sep, "/"), exclude)
                and not os.path.isfile(os.path.join(dirpath, d, "CACHEDIR.TAG"))
            )
            linked_dirs = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
            for d in linked_dirs:
                dirnames.remove(d)
            for name in sorted(filenames + linked_dirs):
                rel = display(os.path.join(rel_dir, name)).replace(os.sep, "/")
                if exclude and _matches(rel, exclude):
                    continue
                if not _matches(rel, include):
                    continue
                fs_path = os.path.join(dirpath, name)
                yield _source(fs_path, display(os.path.join(given, rel)), rel)
        for exc in sorted(unlisted, key=lambda e: str(e.filename)):
            where = str(exc.filename) if exc.filename is not None else given
            rel = os.path.relpath(where, given)
            rel = display(os.path.basename(os.path.normpath(given)) if rel == "." else rel).replace(os.sep, "/")
            shown = display(where)
            yield Source(where, shown, rel, problem=f"cannot list directory: {exc.strerror or exc}")
