"""`--format github`: GitHub Actions workflow commands, one annotation per new finding.

`::error file=seeds/a.txt,line=3,col=1,endColumn=9,title=missing-date::message` lines
make GitHub show each finding on the pull request's diff. Baselined findings are not
annotated (they are known debt, not news); a last plain line gives the counts.
"""

from __future__ import annotations

import os
import stat
from functools import lru_cache

from ..config import source_root_text
from ..model import Severity
from .findings_json import summary
from .locations import file_line, in_text, label, record_id, record_locations

FORMAT = "github"
FILENAME = None

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def display_path(result, path: str) -> str:
    """`path` relative to the repository root (GitHub's workspace; see `source_root`) when
    it lies inside it, with forward slashes; otherwise unchanged."""
    if not path:
        return ""
    root = getattr(result.config, "root", None)
    if root is not None and os.path.isabs(path):
        return _relative(source_root_text(str(root)), path)
    return path.replace(os.sep, "/")


# Every writer shows every document's path, and resolving each one in full (a system
# call per path component) was a large share of the writers' time: directories are
# resolved once, and a file only needs one call to know it is not a link itself.
@lru_cache(maxsize=4096)
def _real_dir(path: str) -> str:
    return os.path.realpath(path)


def _realpath(path: str) -> str:
    """`os.path.realpath(path)`, resolving the directory part from a cache."""
    head, tail = os.path.split(path)
    if tail in ("", ".", ".."):
        return os.path.realpath(path)
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            return os.path.realpath(path)
    except (OSError, ValueError):
        pass
    return os.path.join(_real_dir(head), tail)


@lru_cache(maxsize=16384)
def _relative(root: str, path: str) -> str:
    try:
        real, base = _realpath(path), _real_dir(root)
    except (ValueError, OSError):
        return path
    if real == base:
        return "."
    prefix = base if base.endswith(os.sep) else base + os.sep
    return real[len(prefix) :].replace(os.sep, "/") if real.startswith(prefix) else path


def escape_data(text: str) -> str:
    """Escape a workflow command's message (the toolkit's `escapeData`)."""
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (the toolkit's `escapeProperty`)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(result, finding, record: dict | None = None) -> str:
    """One `::error …::message` line for `finding`; `record`, its record's location when
    it is a record of a shard: the annotation then points at the record's line of the file."""
    props = []
    path = display_path(result, finding.path)
    message = finding.message
    if record is not None:
        where = ", ".join(filter(None, [label(path, record), f"record {record_id(finding.doc_id)}", in_text(finding)]))
        message = f"{where}: {message}"
    if path and record is not None:
        props.append(f"file={escape_property(path)}")
        if file_line(record):
            props.append(f"line={file_line(record)}")
    elif path:
        props.append(f"file={escape_property(path)}")
        if finding.line:
            props.append(f"line={finding.line}")
            if finding.end_line and finding.end_line != finding.line:
                props.append(f"endLine={finding.end_line}")
            if finding.column:
                props.append(f"col={finding.column}")
                if finding.end_column and (not finding.end_line or finding.end_line == finding.line):
                    props.append(f"endColumn={finding.end_column}")
    props.append(f"title={escape_property(f'{finding.rule} ({finding.severity})')}")
    if finding.fix and finding.fix.description:
        message += f"\nfix: {finding.fix.description}"
    return f"::{_COMMAND[finding.severity]} {','.join(props)}::{escape_data(message)}"


def render(result, **options) -> str:
    """Annotations for every new finding, errors first, then a one-line summary."""
    new = [f for f in result.findings if not f.baselined]
    # GitHub shows only the first annotations of each kind per step: errors matter most.
    new.sort(key=lambda f: -int(f.severity))
    locations = record_locations(result)
    lines = [annotation(result, f, locations.get(f.doc_id)) for f in new]
    s = summary(result)
    sev = s["by_severity"]
    lines.append(
        f"seedcheck: {s['documents']} documents, {s['findings']} findings "
        f"({sev['error']} errors, {sev['warning']} warnings, {sev['info']} info; {s['baselined']} baselined); "
        f"gate {'passed' if s['passed'] else 'FAILED'} (fail-on {s['fail_on']})"
    )
    return "\n".join(lines) + "\n"
