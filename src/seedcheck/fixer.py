"""`seedcheck fix`: apply the safe fixes that findings carry, until nothing more changes.

A fix acts on its finding's place in the file as read:
- `delete_line`: the whole line goes;
- `replacement` with a span (`column`..`end_column` on `line`): that span is replaced;
- `replacement` without a span: the whole line is replaced.
Fixes that overlap on a line are applied one per pass; the checker then runs again
(at most `MAX_PASSES`), so the result is what `check` would accept. Only fixes marked
safe are applied unless `unsafe` is set (name normalisation, for instance). Writes are
atomic and only touch files under the given paths; JSONL files are never rewritten.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .ingest.decode import decode
from .model import Finding
from .report import write_atomic

MAX_PASSES = 5
_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass
class FixReport:
    """What a fix run changed: files, the number of fixes by rule, and unified diffs."""

    changed: dict[str, int] = field(default_factory=dict)  # path -> fixes applied
    by_rule: dict[str, int] = field(default_factory=dict)
    diffs: list[str] = field(default_factory=list)
    passes: int = 0
    skipped_jsonl: int = 0  # JSONL files with fixable findings, never rewritten


def fixable(finding: Finding, unsafe: bool) -> bool:
    fix = finding.fix
    return bool(fix and finding.line and (fix.delete_line or fix.replacement is not None) and (fix.safe or unsafe))


def apply_to_lines(lines: list[str], findings: list[Finding], line_offset: int = 0) -> tuple[list[str], list[Finding]]:
    """Apply non-overlapping fixes to `lines`; return the new lines and the fixes applied."""
    by_line: dict[int, list[Finding]] = {}
    for f in findings:
        by_line.setdefault(f.line - line_offset, []).append(f)
    applied: list[Finding] = []
    out = list(lines)
    deleted: set[int] = set()
    for number in sorted(by_line):
        index = number - 1
        if not 0 <= index < len(out):
            continue
        group = by_line[number]
        deletion = next((f for f in group if f.fix.delete_line), None)
        if deletion:
            deleted.add(index)
            applied.append(deletion)
            continue
        whole = next((f for f in group if not (f.column and f.end_column)), None)
        if whole:
            out[index] = whole.fix.replacement
            applied.append(whole)
            continue
        text, taken_until = out[index], None
        for f in sorted(group, key=lambda f: (f.column, f.end_column), reverse=True):
            start, end = f.column - 1, f.end_column - 1
            if taken_until is not None and end > taken_until:
                continue  # overlaps a fix already applied on this line; next pass
            text = text[:start] + f.fix.replacement + text[end:]
            taken_until = start
            applied.append(f)
        out[index] = text
    return _without_blank_runs(out, deleted), applied


def _without_blank_runs(lines: list[str], deleted: set[int]) -> list[str]:
    """`lines` without the `deleted` ones; where a deletion leaves two blank lines
    together (a noise line between paragraphs), one of them goes too."""
    kept: list[str] = []
    gap = False
    for i, line in enumerate(lines):
        if i in deleted:
            gap = True
            continue
        if gap and not line.strip() and (not kept or not kept[-1].strip()):
            continue  # the blank line after the deleted ones repeats the one before (or opens the file)
        gap = False if line.strip() else gap
        kept.append(line)
    if gap:
        while kept and not kept[-1].strip():
            kept.pop()  # deleted lines at the end leave no trailing blank lines
    return kept


def _rewrite(fs_path: str, findings: list[Finding]) -> tuple[str, str, list[Finding]] | None:
    raw = Path(fs_path).read_bytes()
    decoded = decode(raw)
    if decoded.binary_reason:
        return None
    text = decoded.text
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = _NEWLINE.split(text)
    trailing = bool(lines) and lines[-1] == ""
    if trailing:
        lines.pop()
    new_lines, applied = apply_to_lines(lines, findings)
    if not applied:
        return None
    new_text = newline.join(new_lines) + (newline if trailing and new_lines else "")
    return text, new_text, applied


def fix_paths(
    config: Config, paths: list[str], unsafe: bool = False, write: bool = True, jobs: int | None = 1
) -> FixReport:
    """Fix the documents under `paths` in place (`write`), or in a scratch copy to diff them."""
    if not write:
        return _diff_only(config, paths, unsafe, jobs)
    from .pipeline import run

    report = FixReport()
    roots = [os.path.realpath(p) for p in paths]
    for _ in range(MAX_PASSES):
        result = run(config, paths, jobs=jobs)
        report.passes += 1
        fs_by_id = {doc_id: trace.fs_path for doc_id, trace in result.traces.items()}
        # Shard records (JSONL, Parquet) and in-memory records are not rewritten in place.
        jsonl = {
            fs_by_id.get(d["doc_id"])
            for d in result.documents
            if d["record"].get("format") in ("jsonl", "parquet", "records")
        }
        todo: dict[str, list[Finding]] = {}
        for f in result.findings:
            fs = fs_by_id.get(f.doc_id)
            if fs and fixable(f, unsafe) and _inside(fs, roots):
                todo.setdefault(fs, []).append(f)
        if report.passes == 1:
            report.skipped_jsonl = len(jsonl & set(todo))
        changed = False
        for fs_path in sorted(set(todo) - jsonl):
            outcome = _rewrite(fs_path, todo[fs_path])
            if outcome is None:
                continue
            _, new_text, applied = outcome
            write_atomic(Path(fs_path), new_text)
            changed = True
            report.changed[fs_path] = report.changed.get(fs_path, 0) + len(applied)
            for f in applied:
                report.by_rule[f.rule] = report.by_rule.get(f.rule, 0) + 1
        if not changed:
            break
    return report


def _diff_only(config: Config, paths: list[str], unsafe: bool, jobs: int | None) -> FixReport:
    """Fix a scratch copy of the documents under `paths` (only what a check would read:
    the same include, exclude and own files) and diff it against the originals."""
    from .pipeline import discover_sources

    report = FixReport()
    with tempfile.TemporaryDirectory(prefix="seedcheck-fix-") as scratch:
        copies = []
        for i, p in enumerate(paths):
            target = os.path.join(scratch, str(i), os.path.basename(os.path.normpath(p)) or "root")
            for source in discover_sources(config, [p]):
                if source.problem:
                    continue
                copy = os.path.join(target, os.path.relpath(source.fs_path, p)) if os.path.isdir(p) else target
                os.makedirs(os.path.dirname(copy), exist_ok=True)
                shutil.copy2(source.fs_path, copy)
            copies.append((p, target))
        inner = fix_paths(config, [t for _, t in copies if os.path.exists(t)], unsafe=unsafe, write=True, jobs=jobs)
        for original, copy in copies:
            _diff_trees(original, copy, report)
        report.by_rule, report.passes, report.skipped_jsonl = inner.by_rule, inner.passes, inner.skipped_jsonl
        report.changed = {_map_back(k, copies): v for k, v in inner.changed.items()}
    return report


def _inside(path: str, roots: list[str]) -> bool:
    real = os.path.realpath(path)
    return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _map_back(path: str, copies: list[tuple[str, str]]) -> str:
    for original, copy in copies:
        if path.startswith(copy):
            return original + path[len(copy) :]
    return path


def _diff_trees(original: str, copy: str, report: FixReport) -> None:
    pairs = []
    if os.path.isdir(copy):
        for folder, _, files in os.walk(copy):
            for name in sorted(files):
                c = os.path.join(folder, name)
                pairs.append((os.path.join(original, os.path.relpath(c, copy)), c))
    else:
        pairs.append((original, copy))
    for orig, new in sorted(pairs):
        try:
            before, after = Path(orig).read_bytes(), Path(new).read_bytes()
        except OSError:
            continue
        if before == after:
            continue
        a = decode(before).text.splitlines(keepends=True)
        b = decode(after).text.splitlines(keepends=True)
        name = _patch_name(orig)
        lines = []
        for line in difflib.unified_diff(a, b, fromfile=f"a/{name}", tofile=f"b/{name}"):
            lines.append(line)
            if not line.endswith(("\n", "\r")):
                lines.append("\n\\ No newline at end of file\n")  # what git apply and patch expect
        report.diffs.append("".join(lines))


def _patch_name(path: str) -> str:
    """A path as a patch names it (after `a/`, `b/`): relative to the working directory
    when inside it (as ruff and git do), forward slashes."""
    rel = os.path.relpath(os.path.abspath(path))
    shown = path if rel.startswith("..") else rel
    return shown.replace(os.sep, "/").lstrip("/")
