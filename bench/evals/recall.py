"""Per-rule recall on the labelled defect documents of bench/defects/.

seedcheck checks bench/defects/docs/ cold with its default configuration (from a directory
with no pyproject.toml). A label (bench/defects/labels.yaml) is found when a finding of the
same rule sits on the same document and line (a `line: null` label is document-level: any
line counts; rule `noise-*` accepts any noise rule). "in doc" also counts a finding of the
rule elsewhere in the document (a misplaced line), "extra" counts findings on these
documents that no label explains (a precision hint, not a verdict). Misses and extras are
listed in the JSON copy.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

import yaml

from evals import Options, _corpus

TITLE = "Rule recall on the labelled defect documents (bench/defects)"
COLUMNS = ["rule", "labelled", "found", "recall", "in doc", "extra"]
ANY_NOISE = "noise-*"


def defects_dir(options: Options) -> Path:
    """bench/defects of this tree."""
    return options.root / "bench" / "defects"


def load_labels(base: Path) -> list[dict]:
    """The labels, each checked against its document: a `text` not on its line is reported."""
    labels = yaml.safe_load((base / "labels.yaml").read_text(encoding="utf-8"))["labels"]
    for label in labels:
        label["stale"] = label.get("text") is not None and not _line(base / "docs", label).startswith(label["text"])
    return labels


def _line(docs: Path, label: dict) -> str:
    file, _, record = label["file"].partition("#")
    if record:
        for raw in (docs / file).read_text(encoding="utf-8").splitlines():
            obj = json.loads(raw)
            if obj.get("id") == record:
                lines = (obj.get("text") or "").split("\n")
                break
        else:
            return ""
    else:
        lines = (docs / file).read_bytes().decode("utf-8", errors="replace").split("\n")
    number = label["line"]
    return lines[number - 1] if number and number <= len(lines) else ""


def rule_fits(label_rule: str, rule: str) -> bool:
    """A finding's rule answers a label's rule (`noise-*` takes any noise rule)."""
    return rule == label_rule or (label_rule == ANY_NOISE and rule.startswith("noise-"))


def score(labels: list[dict], found: list[dict]) -> dict:
    """Per rule: labelled, found on the line, found in the document, extra; plus misses and extras."""
    by_doc = defaultdict(list)
    for f in found:
        by_doc[f["doc_id"]].append(f)
    stats = defaultdict(lambda: {"labelled": 0, "found": 0, "in_doc": 0, "extra": 0})
    missed = []
    for label in labels:
        for rule in [label["rule"]] + (["noise-* (any noise rule)"] if label["rule"].startswith("noise-") else []):
            fits = ANY_NOISE if rule.endswith("(any noise rule)") else label["rule"]
            same = [f for f in by_doc[label["file"]] if rule_fits(fits, f["rule"])]
            hit = any(label["line"] is None or f.get("line") == label["line"] for f in same)
            s = stats[rule]
            s["labelled"] += 1
            s["found"] += hit
            s["in_doc"] += bool(same)
            if not hit and rule == label["rule"]:
                missed.append({k: label.get(k) for k in ("file", "rule", "line", "text")})
    extras = []
    for f in found:
        explained = any(
            label["file"] == f["doc_id"]
            and rule_fits(label["rule"], f["rule"])
            and (label["line"] is None or label["line"] == f.get("line"))
            for label in labels
        )
        if not explained:
            stats[f["rule"]]["extra"] += 1
            extras.append({k: f.get(k) for k in ("doc_id", "rule", "line", "message")})
    return {"stats": dict(stats), "missed": missed, "extras": extras}


def evaluate(options: Options) -> dict:
    """Run seedcheck on bench/defects/docs and score it against the labels."""
    base = defects_dir(options)
    labels = load_labels(base)
    docs_hash = hashlib.sha256(b"".join(p.read_bytes() for p in sorted((base / "docs").rglob("*")) if p.is_file()))
    out = (
        options.work
        / "eval"
        / f"findings-defects-{_corpus.source_hash(options.root)}-{docs_hash.hexdigest()[:12]}.json"
    )
    if out.exists() and not options.fresh:
        result = json.loads(out.read_text(encoding="utf-8"))
    else:
        result = _corpus.run_check([base / "docs"], options, out)
    scored = score(labels, result["findings"])
    rows = []
    for rule, s in sorted(scored["stats"].items()):
        recall = s["found"] / s["labelled"] if s["labelled"] else None
        rows.append([rule, s["labelled"], s["found"], recall, s["in_doc"], s["extra"]])
    total = sum(s["labelled"] for r, s in scored["stats"].items() if not r.endswith(")"))
    hits = sum(s["found"] for r, s in scored["stats"].items() if not r.endswith(")"))
    stale = [f"{x['file']}:{x['line']}" for x in labels if x["stale"]]
    notes = [
        (
            f"{len(result['documents'])} documents, {total} labels, {hits} found on their line "
            f"({hits / total:.1%}); {len(scored['extras'])} unlabelled findings (extra)"
        ),
        "misses and extras are listed in the JSON copy (sections.recall.missed / .extras)",
    ]
    if stale:
        notes.append(f"labels whose text is not on their line (fix labels.yaml): {', '.join(stale)}")
    return {"columns": COLUMNS, "rows": rows, "notes": notes, "missed": scored["missed"], "extras": scored["extras"]}
