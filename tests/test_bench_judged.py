"""The eval harness's sampler and judgement matching (bench/evals/_judged.py), offline."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from evals import _judged


def finding(rule: str, doc: str, line: int | None, related: list[str] | None = None) -> dict:
    return {"rule": rule, "doc_id": doc, "line": line, "related": related or []}


def test_sample_is_the_seeded_draw_of_the_rules_findings_in_file_order():
    found = [finding("a" if i % 3 else "b", f"d{i}", i) for i in range(90)]
    mine = [f for f in found if f["rule"] == "a"]
    assert _judged.sample(found, "a") == random.Random(7).sample(mine, 20)
    assert _judged.sample(found[:6], "a") == random.Random(7).sample(mine[:4], 4)
    assert _judged.sample(found, "zzz") == []


def test_tally_matches_by_doc_line_and_sorted_related_and_counts_unjudged(tmp_path: Path):
    found = [finding("dup", "x", 3, ["z", "y"]), finding("dup", "x", 4), finding("dup", "w", None)]
    lines = [
        {"corpus": "wh21", "doc_id": "x", "line": 3, "related": ["y", "z"], "verdict": "true", "reason": "r"},
        {"corpus": "wh21", "doc_id": "w", "line": 1, "related": [], "verdict": "false", "reason": "line differs"},
        {"corpus": "wh25", "doc_id": "x", "line": 4, "related": [], "verdict": "false", "reason": "other corpus"},
        {"corpus": "wh21", "doc_id": "gone", "line": 9, "related": [], "verdict": "false", "reason": "fixed"},
    ]
    (tmp_path / "dup.jsonl").write_text("".join(json.dumps(e) + "\n" for e in lines), encoding="utf-8")
    t = _judged.tally("wh21", "dup", found, _judged.load("dup", tmp_path))
    assert (t["findings"], t["sampled"], t["true"], t["false"], t["unjudged"]) == (3, 3, 1, 0, 2)
    assert t["precision"] == 1.0
    assert (t["gone_true"], t["gone_false"]) == (0, 2)  # w:1 and gone:9 are no longer reported


def test_load_rejects_a_verdict_that_is_not_true_or_false(tmp_path: Path):
    (tmp_path / "r.jsonl").write_text('{"corpus": "wh21", "doc_id": "x", "line": 1, "verdict": "maybe"}\n')
    with pytest.raises(ValueError, match="r.jsonl:1"):
        _judged.load("r", tmp_path)


def test_wilson_interval_matches_known_values():
    low, high = _judged.wilson(12, 20)
    assert round(low, 2) == 0.39 and round(high, 2) == 0.78  # precision-audit.md, broken-sentence wh21
    assert _judged.wilson(0, 0) is None
    assert _judged.wilson(10, 10)[1] == 1.0
