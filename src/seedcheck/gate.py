"""The gate stage: waivers, changed-files focus and the baseline, applied to all findings.

Runs after every other stage, so it sees document, corpus, schema and expectation
findings alike.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .baseline import apply_baseline, load_baseline
from .config import Config, ConfigError
from .model import Finding
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


def changed_files(ref: str, paths: list[str]) -> set[str]:
    """Real paths of files changed against git `ref` (committed, staged, unstaged or untracked)."""
    out: set[str] = set()
    tops = set()
    for p in paths:
        folder = p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p))
        try:
            top = subprocess.run(["git", "-C", folder, "rev-parse", "--show-toplevel"], capture_output=True,
                                 text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            raise ConfigError(f"--changed-since: {p} is not inside a git repository") from None
        tops.add(top)
    for top in sorted(tops):
        for args in (["diff", "--name-only", "-z", ref, "--"], ["ls-files", "--others", "--exclude-standard", "-z"]):
            proc = subprocess.run(["git", "-C", top, *args], capture_output=True)
            if proc.returncode != 0:
                reason = proc.stderr.decode("utf-8", "replace").strip().splitlines()
                raise ConfigError(f"--changed-since {ref}: git failed: {reason[0] if reason else proc.returncode}")
            for name in proc.stdout.split(b"\0"):
                if name:
                    out.add(os.path.realpath(os.path.join(top, os.fsdecode(name))))
    return out


def apply_gate(config: Config, registry: Registry, records: list[dict], findings: list[Finding],
               options: GateOptions) -> list[Finding]:
    """Apply waivers, then the changed-files focus, then the baseline."""
    findings = apply_waivers(registry, records, findings)
    if options.changed is not None:
        changed_ids = {r["doc_id"] for r in records if _real(r) in options.changed}
        findings = [f for f in findings if f.doc_id in changed_ids or (not f.doc_id and f.rule == "expectation-failed")]
    if options.baseline:
        path = Path(options.baseline)
        entries = load_baseline(path)
        # An entry can only be judged stale if this run could have matched it: its rule ran,
        # and its document was in focus (changed files; or the paths given, when they are not
        # the configured corpus the baseline was written for).
        focus = changed_ids if options.changed is not None else {r["doc_id"] for r in records} if options.scoped else None

        def judged(entry: dict) -> bool:
            return entry.get("rule") in registry.enabled and (focus is None or entry.get("doc_id") in focus)

        paths_by_id = {r["doc_id"]: r["path"] for r in records}
        findings = findings + apply_baseline(registry, findings, entries, paths_by_id, str(options.baseline), judged)
    return findings


def _real(record: dict) -> str:
    return os.path.realpath(record.get("_fs_path") or record["path"])
