"""Writers: one module per output format, each rendering the same `Result`.

A writer module defines `FORMAT` (its --format name), `FILENAME` (the file it writes
under --report-dir, or None for stdout-only formats) and `render(result, **options) -> str`;
a writer whose output grows with the corpus also defines `write(result, fh, **options)`,
which writes the same text to an open file piece by piece (render is then `write` into a
string). Adding a format means one module and one line in `WRITERS`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from ..spool import cyclic_gc_paused
from . import documents_parquet, findings_json, findings_parquet, github, html, junit, markdown, sarif, text

WRITERS = {
    module.FORMAT: module
    for module in (text, findings_json, html, junit, sarif, markdown, github, findings_parquet, documents_parquet)
}
# The report files written by default (docs/SPEC.md section 6); the Parquet tables are opt-in.
DEFAULT_REPORTS = ("json", "html", "junit", "sarif", "markdown")
# Names `--reports` also takes: a group, or a file name for its format.
REPORT_GROUPS = {
    "all": tuple(f for f, m in WRITERS.items() if m.FILENAME),
    "none": (),
    "default": DEFAULT_REPORTS,
    "parquet": ("findings-parquet", "documents-parquet"),
}


def report_formats(names) -> list[str]:
    """The formats that `--reports`/`reports` names select (format names such as `json`,
    file names such as `findings.json`, or `all`, `none`, `default`, `parquet`), in
    WRITERS order. Raises ValueError naming what is not a report."""
    by_file = {m.FILENAME: f for f, m in WRITERS.items() if m.FILENAME}
    chosen = set()
    for name in names:
        name = name.strip()
        if name in REPORT_GROUPS:
            chosen.update(REPORT_GROUPS[name])
        elif name in by_file or (name in WRITERS and WRITERS[name].FILENAME):
            chosen.add(by_file.get(name, name))
        else:
            known = sorted(REPORT_GROUPS) + sorted(f for f, m in WRITERS.items() if m.FILENAME)
            raise ValueError(f"unknown report {name!r}: one of {', '.join(known)}")
    return [f for f in WRITERS if f in chosen]


def write_atomic(path: Path, content: str) -> None:
    """Write `content` to `path` via a temporary file and a rename, so a reader never
    sees a half-written report."""
    with atomic_open(path) as fh:
        fh.write(content)


@contextmanager
def atomic_open(path: Path) -> Iterator[TextIO]:
    """An open text file that becomes `path` (by rename) only when the block completes;
    on any error the previous `path` stays and the temporary file goes."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        yield fh


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path next to `path`, renamed to `path` when the block completes,
    removed on any error. A rewritten file keeps its permissions; a new one gets what the
    user's umask gives any file they create."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_to(module, result, fh: TextIO, **options) -> None:
    """Write `module`'s output for `result` to `fh`: streamed when the writer can."""
    with cyclic_gc_paused():
        if hasattr(module, "write"):
            module.write(result, fh, **options)
        else:
            fh.write(module.render(result, **options))


def write_reports(result, report_dir: Path, formats=None) -> list[Path]:
    """Write the report files of `formats` (default: DEFAULT_REPORTS) into `report_dir`;
    return the paths written."""
    written = []
    for name in formats if formats is not None else DEFAULT_REPORTS:
        module = WRITERS[name]
        target = report_dir / module.FILENAME
        if getattr(module, "BINARY", False):
            with atomic_path(target) as tmp, cyclic_gc_paused():
                module.write_file(result, tmp)
        else:
            with atomic_open(target) as fh:
                write_to(module, result, fh)
        written.append(target)
    return written
