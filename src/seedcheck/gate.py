"""The gate stage: waivers, changed-files focus and the baseline, applied to all findings.

Runs after every other stage, so it sees document, corpus, schema and expectation
findings alike.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .baseline import apply_baseline, expectation_name, load_baseline
from .config import PACKAGE_DIR, Config, ConfigError
from .model import Finding, RecordTrace
from .records import RecordStore
from .rules.registry import Registry
from .waivers import apply_waivers


@dataclass
class GateOptions:
    """How this run gates: the baseline file to honour and the files to focus on."""

    baseline: str | None = None
    changed: set[str] | None = None  # real paths of changed files; None = every file
    changed_since: str | None = None
    scoped: bool = False  # paths other than the configured ones were given
    notes: list[str] = field(default_factory=list)
    entries: list[dict] | None = None  # the baseline, when read before the run (the CLI does)
    focus: set[str] | None = None  # set by apply_gate: doc ids this partial run reports on


def changed_files(ref: str, paths: list[str]) -> set[str]:
    """Real paths of files changed against git `ref` (committed, staged, unstaged or untracked)."""
    out: set[str] = set()
    tops = set()
    for p in paths:
        folder = p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p))
        try:
            top = subprocess.run(
                ["git", "-C", folder, "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            raise ConfigError(f"--changed-since: {p} is not inside a git repository") from None
        tops.add(top)
    for top in sorted(tops):
        for args in (["diff", "--name-only", "-z", ref, "--"], ["ls-files", "--others", "--exclude-standard", "-z"]):
            proc = subprocess.run(["git", "-C", top, *args], capture_output=True, check=False)
            if proc.returncode != 0:
                reason = proc.stderr.decode("utf-8", "replace").strip().splitlines()
                raise ConfigError(f"--changed-since {ref}: git failed: {reason[0] if reason else proc.returncode}")
            for name in proc.stdout.split(b"\0"):
                if name:
                    out.add(os.path.realpath(os.path.join(top, os.fsdecode(name))))
    return out


def apply_gate(
    config: Config,
    registry: Registry,
    records: RecordStore,
    traces: list[RecordTrace],
    findings: Iterable[Finding],
    options: GateOptions,
    expectations: list[dict] | None = None,
) -> Iterator[Finding]:
    """Apply waivers, then the changed-files focus, then the baseline (`traces`: the
    records' traces, in the same order; `expectations`: the run's expectation results, so
    a baselined expectation that got worse is new). `findings` is read once, as it comes,
    and so are the findings returned: a large run's stay on disk (`spool.Spool`).
    `options.focus` is set at once."""
    gated = apply_waivers(registry, records, traces, findings)
    if options.changed is not None:
        changed_ids = changed_documents(records, traces, options.changed)
        gated = (f for f in gated if f.doc_id in changed_ids or (not f.doc_id and f.rule == "expectation-failed"))
    # The documents this run reports on, when it is not the whole configured corpus
    # (changed files; or the paths given, when they are not the configured ones).
    focus = changed_ids if options.changed is not None else set(records.ids) if options.scoped else None
    options.focus = focus
    if options.baseline:
        path = Path(options.baseline)
        entries = options.entries if options.entries is not None else load_baseline(path)

        def judged(entry: dict) -> bool:
            # An entry is stale only if this run could have matched it: its rule ran and
            # its document was in focus.
            return entry.get("rule") in registry.enabled and (focus is None or entry.get("doc_id") in focus)

        paths_by_id = dict(zip(records.ids, records.paths))
        gated = apply_baseline(registry, gated, entries, paths_by_id, str(options.baseline), judged, expectations)
    return locate_expectations(config, gated)


_SHIPPED_SUITES = {
    os.path.realpath(p)
    for p in (PACKAGE_DIR / "_data" / "schemas" / "corpus.yaml", PACKAGE_DIR.parent.parent / "schemas" / "corpus.yaml")
}


def locate_expectations(config: Config, findings: Iterable[Finding]) -> Iterator[Finding]:
    """`findings`, with failed expectations of the suite shipped with seedcheck pointed at
    the project's configuration, where their thresholds are set
    (`[tool.seedcheck.expectations.NAME]`), not at a file in site-packages. A project's own
    suite file stays their location."""
    own_checkout = os.path.realpath(config.root) == os.path.realpath(PACKAGE_DIR.parent.parent)
    lines: list[str] | None = None
    for f in findings:
        if own_checkout or f.rule != "expectation-failed" or os.path.realpath(f.path) not in _SHIPPED_SUITES:
            yield f
            continue
        if config.source == "defaults":
            f.path, f.line, f.column, f.end_line, f.end_column = "", None, None, None, None
            yield f
            continue
        if lines is None:
            try:
                lines = Path(config.source).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                lines = []
        name = re.escape(expectation_name(f) or "")
        table = re.compile(rf"^\s*\[\s*(?:tool\.seedcheck\.)?expectations\.[\"']?{name}[\"']?\s*\]")
        line = next((i for i, t in enumerate(lines, 1) if table.match(t)), None)
        line = line or next((i for i, t in enumerate(lines, 1) if _TOOL_TABLE.match(t)), None) or 1
        f.path, f.line, f.column, f.end_line, f.end_column = config.source, line, 1, line, None
        yield f


_TOOL_TABLE = re.compile(r"^\s*\[\s*tool\.seedcheck\s*\]")


def changed_documents(records: RecordStore, traces: list[RecordTrace], changed: set[str]) -> set[str]:
    """The ids of the records read from the `changed` files (real paths)."""
    return {
        doc_id
        for doc_id, path, t in zip(records.ids, records.paths, traces)
        if os.path.realpath(t.fs_path or path) in changed
    }
