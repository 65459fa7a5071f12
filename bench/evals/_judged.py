"""Judged findings (bench/judged/<rule>.jsonl): the seeded sample, matching, Wilson intervals.

One JSON object per line: {"corpus", "doc_id", "line", "related", "verdict", "reason"}.
A finding matches a judgement by (corpus, rule, doc_id, line, sorted related); the rule is
the file's name. The sample of a rule on a corpus: its findings in findings.json order, then
`random.Random(7).sample(findings, min(20, len(findings)))`.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

from evals import ROOT

JUDGED = ROOT / "bench" / "judged"
SAMPLE_SIZE = 20
SEED = 7
VERDICTS = ("true", "false")


def key(corpus: str, item: dict) -> tuple:
    """The matching key of a finding or a judgement (without the rule: one file per rule)."""
    return (corpus, item["doc_id"], item.get("line"), tuple(sorted(item.get("related") or [])))


def sample(findings: list[dict], rule: str) -> list[dict]:
    """The seeded sample of `rule`'s findings (findings.json order, Random(7), at most 20)."""
    mine = [f for f in findings if f["rule"] == rule]
    return random.Random(SEED).sample(mine, min(SAMPLE_SIZE, len(mine)))


def load(rule: str, judged: Path = JUDGED) -> dict[tuple, dict]:
    """The judgements of `rule` by key; a malformed line or verdict raises with its line number."""
    path = judged / f"{rule}.jsonl"
    out: dict[tuple, dict] = {}
    if not path.exists():
        return out
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not text.strip():
            continue
        entry = json.loads(text)
        if entry.get("verdict") not in VERDICTS or entry.get("corpus") not in ("wh21", "wh25"):
            raise ValueError(f"{path}:{number}: verdict must be true/false and corpus wh21/wh25")
        out[key(entry["corpus"], entry)] = entry
    return out


def judged_rules(judged: Path = JUDGED) -> list[str]:
    """Rules that have a judgements file."""
    return sorted(p.stem for p in judged.glob("*.jsonl"))


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float] | None:
    """The 95% Wilson score interval of a proportion (None when n is 0)."""
    if n == 0:
        return None
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def tally(corpus: str, rule: str, findings: list[dict], judgements: dict[tuple, dict]) -> dict:
    """Counts of one (rule, corpus): findings, sampled, true, false, unjudged, gone, precision, CI."""
    drawn = sample(findings, rule)
    verdicts = [judgements.get(key(corpus, f), {}).get("verdict") for f in drawn]
    true, false = verdicts.count("true"), verdicts.count("false")
    reported = {key(corpus, f) for f in findings if f["rule"] == rule}
    gone = [j for k, j in judgements.items() if k[0] == corpus and k not in reported]
    return {
        "findings": sum(f["rule"] == rule for f in findings),
        "sampled": len(drawn),
        "true": true,
        "false": false,
        "unjudged": verdicts.count(None),
        "precision": true / (true + false) if true + false else None,
        "ci": wilson(true, true + false),
        "gone_true": sum(j["verdict"] == "true" for j in gone),
        "gone_false": sum(j["verdict"] == "false" for j in gone),
    }
