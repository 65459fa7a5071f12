"""The baseline: findings a project has accepted for now, so the gate fails only on new ones.

Entries are keyed by fingerprint (rule + document id + normalised flagged text, never the
line number), with a count for repeated identical findings, so they survive edits above
them and documents added elsewhere. An entry that matches nothing any more is reported as
`unused-waiver`, so the file shrinks as documents are fixed.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from . import __version__
from .config import ConfigError
from .model import Finding, Hit
from .rules.registry import Registry

BASELINE_VERSION = 1
DEFAULT_BASELINE = "seedcheck-baseline.json"


def render_baseline(findings: list[Finding]) -> str:
    """The baseline file for `findings` (sorted, deterministic, reviewable in git)."""
    counts: Counter = Counter()
    info: dict[str, dict] = {}
    for f in findings:
        if f.rule in ("unused-waiver",):
            continue
        counts[f.fingerprint] += 1
        info.setdefault(f.fingerprint, {"rule": f.rule, "doc_id": f.doc_id, "excerpt": f.excerpt or f.message})
    entries = [{"fingerprint": fp, **info[fp], "count": n} for fp, n in counts.items()]
    entries.sort(key=lambda e: (e["doc_id"], e["rule"], e["fingerprint"]))
    data = {"schema_version": BASELINE_VERSION, "tool": {"name": "seedcheck", "version": __version__}, "entries": entries}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def load_baseline(path: Path) -> list[dict]:
    """Read a baseline file; a missing or malformed one is a configuration error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"baseline not found: {path} (create it with --update-baseline)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read baseline {path}: {exc}") from None
    entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "fingerprint" in e for e in entries):
        raise ConfigError(f"{path}: not a seedcheck baseline (no entries list)")
    return entries


def apply_baseline(registry: Registry, findings: list[Finding], entries: list[dict],
                   paths_by_id: dict[str, str], baseline_path: str, judged=lambda entry: True) -> list[Finding]:
    """Mark findings the baseline accepts; return `unused-waiver` findings for stale entries
    (only those `judged` says this run could have matched)."""
    remaining = Counter()
    for e in entries:
        remaining[e["fingerprint"]] += int(e.get("count", 1))
    for f in findings:
        if remaining[f.fingerprint] > 0:
            f.baselined = True
            remaining[f.fingerprint] -= 1
    stale = []
    if "unused-waiver" not in registry.enabled:
        return stale
    rule = registry.get("unused-waiver")
    for e in entries:
        left = remaining.get(e["fingerprint"], 0)
        if left <= 0 or not judged(e):
            continue
        remaining[e["fingerprint"]] = 0
        doc_id = e.get("doc_id", "")
        hit = Hit(line=None, excerpt=str(e.get("excerpt", ""))[:200], message=(
            f"baseline entry for {e.get('rule', '?')} ({e['fingerprint']}) matched nothing"
            + (f" ({left} of {e.get('count', 1)} unused)" if int(e.get("count", 1)) > 1 else "")
            + f"; remove it from {baseline_path} (seedcheck check --update-baseline)"))
        stale.append(rule.to_finding(None, hit, doc_id=doc_id, path=paths_by_id.get(doc_id, baseline_path)))
    return stale
