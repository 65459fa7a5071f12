"""`make eval` section: duplicate detection on a labelled pair set and on the real corpora.

- **Pair set** (`bench/dup_pairs/pairs.yaml`): every document of the set is checked in one
  corpus (`--select duplicate-,templated-sibling`); a pair counts as found when one
  document's `duplicate-exact` or `duplicate-near` finding names the other. Recall over
  the `copy` pairs (by kind), precision over the labelled pairs found, and how many of the
  `not-copy` pairs `templated-sibling` reports instead.
- **Judged precision** of `duplicate-near` and `duplicate-exact` on the real corpora
  (`bench/judged/<rule>.jsonl`, the seeded sample of common.md), when the corpus findings
  are at hand (the eval harness's `_corpus.findings`, or `--findings wh21=PATH`).

Runnable alone: ``python bench/evals/duplicates.py [--findings wh21=PATH ...]``.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

TITLE = "Duplicates: labelled pairs and judged precision"
ROOT = Path(__file__).resolve().parents[2]
PAIRS = ROOT / "bench" / "dup_pairs"
JUDGED = ROOT / "bench" / "judged"
RULES = ("duplicate-exact", "duplicate-near")


def _check(corpus: Path, jobs: int, src: Path | None = None) -> dict:
    """findings.json of a cold check of `corpus` with the duplicate rules, as a user runs it
    (`src`: another source tree to measure, e.g. an older checkout)."""
    env_path = str(src or ROOT / "src")
    command = [
        sys.executable,
        "-m",
        "seedcheck.cli",
        "check",
        str(corpus),
        "--no-cache",
        "--no-reports",
        "--fail-on",
        "never",
        "-q",
        "--format",
        "json",
        "--jobs",
        str(jobs),
        "--select",
        "duplicate-" if src else "duplicate-,templated-sibling",
    ]
    with tempfile.TemporaryDirectory() as cwd:  # no project configuration picked up
        proc = subprocess.run(
            command,
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
            env={**__import__("os").environ, "PYTHONPATH": env_path},
        )
    if proc.returncode != 0:
        raise RuntimeError(f"seedcheck failed: {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout)


def pair_set(jobs: int = 2, src: Path | None = None) -> tuple[list[list], list[str]]:
    """Rows (kind of pair, label, found as copy, reported as sibling) and notes."""
    spec = yaml.safe_load((PAIRS / "pairs.yaml").read_text(encoding="utf-8"))["pairs"]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "pairs"
        corpus.mkdir()
        for item in spec:
            for key in ("a", "b"):
                doc = ROOT / item[key] if item[key].startswith("seeds/") else PAIRS / "docs" / item[key]
                shutil.copy(doc, corpus / doc.name)
        data = _check(corpus, jobs, src)
    found, sibling = set(), set()
    for f in data["findings"]:
        for other in f["related"]:
            pair = frozenset((Path(f["doc_id"]).name, Path(other).name))
            (found if f["rule"] in RULES else sibling if f["rule"] == "templated-sibling" else set()).add(pair)
    rows, labelled = [], set()
    for item in spec:
        pair = frozenset((Path(item["a"]).name, Path(item["b"]).name))
        labelled.add(pair)
        rows.append([item["kind"], item["label"], pair in found, pair in sibling])
    copies = [r for r in rows if r[1] == "copy"]
    hits = [r for r in rows if r[2]]
    recall = sum(r[2] for r in copies) / len(copies)
    precision = sum(r[1] == "copy" for r in hits) / len(hits) if hits else None
    extra = sorted(" ~ ".join(sorted(p)) for p in found - labelled)
    notes = [
        (
            f"pair set: recall {recall:.2f} ({sum(r[2] for r in copies)}/{len(copies)} copy pairs found), "
            f"precision {precision if precision is None else round(precision, 2)} over the labelled pairs found "
            f"({len(hits)}); not-copy pairs reported as templated-sibling: "
            f"{sum(r[3] for r in rows if r[1] == 'not-copy')}/{sum(r[1] == 'not-copy' for r in rows)}"
        ),
        f"pairs found that are not labelled: {len(extra)}" + (f" ({'; '.join(extra[:5])})" if extra else ""),
    ]
    return rows, notes


def judged_precision(findings_by_corpus: dict[str, dict]) -> tuple[list[list], list[str]]:
    """Per rule and corpus: findings, sample, judged true/false, unjudged, precision."""
    rows = []
    for rule in RULES:
        path = JUDGED / f"{rule}.jsonl"
        if not path.exists():
            continue
        judged = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                j = json.loads(line)
                judged[(j["corpus"], j["doc_id"], j["line"], tuple(j["related"]))] = j["verdict"]
        for corpus, data in sorted(findings_by_corpus.items()):
            own = [f for f in data["findings"] if f["rule"] == rule]
            sample = random.Random(7).sample(own, min(20, len(own)))
            verdicts = [judged.get((corpus, f["doc_id"], f["line"], tuple(sorted(f["related"])))) for f in sample]
            true, false = verdicts.count("true"), verdicts.count("false")
            rows.append(
                [
                    f"{rule} on {corpus}",
                    len(own),
                    len(sample),
                    true,
                    false,
                    len(sample) - true - false,
                    round(true / (true + false), 2) if true + false else None,
                ]
            )
    return rows, []


def _corpus_findings(options) -> dict[str, dict]:
    paths = getattr(options, "findings", None) or {}
    if paths:
        return {c: json.loads(Path(p).read_text(encoding="utf-8")) for c, p in paths.items()}
    try:
        from evals import _corpus  # the eval harness (branch eval)
    except ImportError:
        return {}
    return {c: _corpus.findings(c, options) for c in ("wh21", "wh25")}


def evaluate(options) -> dict:
    """The section: pair-set rows, then the judged precision rows."""
    rows, notes = pair_set(getattr(options, "jobs", 2), getattr(options, "src", None))
    table = [
        ["pair: " + kind, label, "found" if hit else "not found", "sibling" if sib else ""]
        for kind, label, hit, sib in rows
    ]
    corpora = _corpus_findings(options)
    if corpora:
        prec, _ = judged_precision(corpora)
        table += [
            [
                what,
                f"{n} findings, sample {k}",
                f"true {t} / false {f} / unjudged {u}",
                "" if p is None else f"precision {p:.2f}",
            ]
            for what, n, k, t, f, u, p in prec
        ]
    else:
        notes.append(
            "judged precision on the corpora: not run (no findings given; `make eval` or --findings wh21=PATH)"
        )
    return {"columns": ["what", "label / size", "result", "note"], "rows": table, "notes": notes}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--findings", action="append", default=[], metavar="CORPUS=PATH")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--src", type=Path, help="measure this source tree instead (e.g. an older checkout's src/)")
    args = parser.parse_args()
    opts = argparse.Namespace(jobs=args.jobs, src=args.src, findings=dict(x.split("=", 1) for x in args.findings))
    result = evaluate(opts)
    print("| " + " | ".join(result["columns"]) + " |")
    for row in result["rows"]:
        print("| " + " | ".join(str(v) for v in row) + " |")
    for note in result["notes"]:
        print(f"- {note}")
