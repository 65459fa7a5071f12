"""The baseline: findings a project has accepted for now, so the gate fails only on new ones.

Entries are keyed by fingerprint (rule + document id + normalised flagged text, never the
line number), with a count for repeated identical findings, so they survive edits above
them and documents added elsewhere. An entry that matches nothing any more is reported as
`unused-waiver`, so the file shrinks as documents are fixed. A failed corpus expectation
also keeps what was observed: the baseline accepts it at that level, not at any level, so
a corpus that gets worse fails the gate again.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from . import __version__
from .config import ConfigError
from .model import Finding, Hit
from .rules.registry import Registry

BASELINE_VERSION = 1
DEFAULT_BASELINE = "seedcheck-baseline.json"
EXPECTATION_RULE = "expectation-failed"
_EXPECTATION_NAME = re.compile(r"corpus expectation (\S+) failed")


def expectation_name(finding: Finding) -> str | None:
    """The expectation an `expectation-failed` finding is about (from its message)."""
    m = _EXPECTATION_NAME.match(finding.message) if finding.rule == EXPECTATION_RULE else None
    return m.group(1) if m else None


def shortfall(result: dict[str, Any]) -> float | None:
    """How far an expectation result (a findings.json `expectations` entry) is from passing,
    greater when worse: the share of documents that miss a row-level expectation, or the
    distance of an aggregate (median, row count, ...) outside its bounds; None when the
    observed value is not a number."""
    value = result.get("observed_value")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    if result.get("unexpected_count") is not None:
        return round(1 - float(value), 6)
    params = result.get("parameters") or {}
    lo, hi = params.get("min_value"), params.get("max_value")
    below = lo - value if isinstance(lo, (int, float)) and value < lo else 0
    above = value - hi if isinstance(hi, (int, float)) and value > hi else 0
    return round(float(max(below, above)), 6)


def observed(findings: Iterable[Finding], expectations: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """fingerprint -> {observed_value, shortfall} of each failed expectation among `findings`."""
    by_name = {e.get("name"): e for e in expectations or []}
    return {f.fingerprint: level for f in findings if (level := _level(f, by_name)) is not None}


def _level(finding: Finding, by_name: dict[Any, dict[str, Any]]) -> dict[str, Any] | None:
    """What a failed expectation's finding observes now (None for other findings)."""
    result = by_name.get(expectation_name(finding))
    if result is None:
        return None
    return {"observed_value": result.get("observed_value"), "shortfall": shortfall(result)}


def baseline_entries(findings: list[Finding], expectations: list[dict[str, Any]] | None = None) -> list[dict]:
    """The baseline entries that accept `findings` (with what failed expectations observed)."""
    counts: Counter = Counter()
    info: dict[str, dict] = {}
    levels = observed(findings, expectations or [])
    for f in findings:
        if f.rule in ("unused-waiver",):
            continue
        counts[f.fingerprint] += 1
        info.setdefault(
            f.fingerprint,
            {
                "rule": f.rule,
                "doc_id": f.doc_id,
                "excerpt": f.excerpt or f.message,
                **levels.get(f.fingerprint, {}),
                **({"related": sorted(f.related)} if f.related else {}),
            },
        )
    return [{"fingerprint": fp, **info[fp], "count": n} for fp, n in counts.items()]


def render_entries(entries: list[dict]) -> str:
    """The baseline file holding `entries` (sorted, deterministic, reviewable in git)."""
    entries = sorted(entries, key=lambda e: (e.get("doc_id", ""), e.get("rule", ""), e["fingerprint"]))
    data = {
        "schema_version": BASELINE_VERSION,
        "tool": {"name": "seedcheck", "version": __version__},
        "entries": entries,
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render_baseline(findings: list[Finding], expectations: list[dict[str, Any]] | None = None) -> str:
    """The baseline file for `findings`."""
    return render_entries(baseline_entries(findings, expectations))


def merge_entries(old: list[dict], new: list[dict], focus: set[str], corpus_checked: bool) -> tuple[list[dict], int]:
    """A partial run's baseline (`--changed-since`, or paths other than the configured
    ones): the old entries of documents outside `focus` stay, the focused documents' are
    replaced by `new`; corpus-level entries are replaced only when the whole corpus was
    checked (`corpus_checked`). Returns the entries and how many old ones were kept."""
    kept = [e for e in old if (e.get("doc_id") or "") not in focus and (e.get("doc_id") or not corpus_checked)]
    fresh = [e for e in new if e.get("doc_id") or corpus_checked]
    return kept + fresh, len(kept)


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


def _worse(entry: dict, now: dict[str, Any] | None) -> bool:
    """Whether a failed expectation is worse now than when `entry` accepted it."""
    if now is None or "observed_value" not in entry:
        return False  # not an expectation, or a baseline written before levels were kept
    before, after = entry.get("shortfall"), now.get("shortfall")
    if isinstance(before, (int, float)) and isinstance(after, (int, float)):
        return after > before + 1e-9
    return now.get("observed_value") != entry.get("observed_value")


def _shown(value: Any) -> str:
    return f"{value:.1%}" if isinstance(value, float) and 0 <= value <= 1 else str(value)


def apply_baseline(
    registry: Registry,
    findings: Iterable[Finding],
    entries: list[dict],
    paths_by_id: dict[str, str],
    baseline_path: str,
    judged: Callable[[dict], bool] = lambda entry: True,
    expectations: list[dict[str, Any]] | None = None,
) -> Iterator[Finding]:
    """`findings` (read once, as they come) with those the baseline accepts marked, then
    `unused-waiver` findings for stale entries (only those `judged` says this run could have
    matched). `expectations`: the run's results; a failed expectation worse than its entry
    (see `observed`) is not accepted.

    Duplicate findings of a group the baseline accepted (an entry with `related`, same rule,
    same set of documents) are accepted too: which copies are reported, and with which keep
    advice, depends on the run (`--changed-since` reports only the copy the change adds, a
    full run each copy its keep rule names), not on the corpus. A third copy makes a new group."""
    by_name = {e.get("name"): e for e in expectations or []}
    remaining = Counter()
    by_fingerprint: dict[str, dict] = {}
    groups: dict[tuple[str, frozenset], str] = {}
    for e in entries:
        remaining[e["fingerprint"]] += int(e.get("count", 1))
        by_fingerprint.setdefault(e["fingerprint"], e)
        if e.get("related"):
            groups.setdefault((e.get("rule", ""), frozenset([e.get("doc_id", ""), *e["related"]])), e["fingerprint"])
    copies = Counter()  # entries that accepted other copies: taken from `remaining` at the end
    for f in findings:
        if remaining[f.fingerprint] > 0:
            entry = by_fingerprint[f.fingerprint]
            remaining[f.fingerprint] -= 1
            if _worse(entry, _level(f, by_name)):
                f.message += f" (worse than the baselined {_shown(entry.get('observed_value'))})"
            else:
                f.baselined = True
        elif f.related and groups:
            fp = groups.get((f.rule, frozenset([f.doc_id, *f.related])))
            if fp is not None:
                f.baselined = True
                copies[fp] += 1
        yield f
    for fp, n in copies.items():
        remaining[fp] = max(0, remaining[fp] - n)
    yield from _stale(registry, entries, remaining, paths_by_id, baseline_path, judged)


def _stale(
    registry: Registry,
    entries: list[dict],
    remaining: Counter,
    paths_by_id: dict[str, str],
    baseline_path: str,
    judged: Callable[[dict], bool],
) -> list[Finding]:
    """`unused-waiver` findings for the entries with matches left over."""
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
        hit = Hit(
            line=None,
            excerpt=str(e.get("excerpt", ""))[:200],
            message=(
                f"baseline entry for {e.get('rule', '?')} ({e['fingerprint']}) matched nothing"
                + (f" ({left} of {e.get('count', 1)} unused)" if int(e.get("count", 1)) > 1 else "")
                + f"; remove it from {baseline_path} (seedcheck check --update-baseline)"
            ),
        )
        stale.append(rule.to_finding(None, hit, doc_id=doc_id, path=paths_by_id.get(doc_id, baseline_path)))
    return stale
