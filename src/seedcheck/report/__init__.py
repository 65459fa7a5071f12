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
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, TextIO

from . import findings_json, github, html, junit, markdown, sarif, text

WRITERS = {module.FORMAT: module for module in (text, findings_json, html, junit, sarif, markdown, github)}


def write_atomic(path: Path, content: str) -> None:
    """Write `content` to `path` via a temporary file and a rename, so a reader never
    sees a half-written report."""
    with atomic_open(path) as fh:
        fh.write(content)


@contextmanager
def atomic_open(path: Path) -> Iterator[TextIO]:
    """An open text file that becomes `path` (by rename) only when the block completes;
    on any error the previous `path` stays and the temporary file goes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = os.stat(path).st_mode & 0o7777  # a rewritten document keeps its permissions
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask  # a new report is as readable as any file the user creates
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
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
    if hasattr(module, "write"):
        module.write(result, fh, **options)
    else:
        fh.write(module.render(result, **options))


def write_reports(result, report_dir: Path) -> list[Path]:
    """Write every file-producing format into `report_dir`; return the paths written."""
    written = []
    for module in WRITERS.values():
        if module.FILENAME:
            target = report_dir / module.FILENAME
            with atomic_open(target) as fh:
                write_to(module, result, fh)
            written.append(target)
    return written
