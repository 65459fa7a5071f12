"""Person-name rules on the real White House releases: counts, an audit sample, and the
false-positive check on allowed forms.

Extracts the corpus tarball from ../shared/corpora/ into bench/work/ (git-ignored), runs
name-variant, name-misspelling and name-inconsistent through the real pipeline, and prints:
- the number of findings of each rule and the run time;
- every finding whose flagged text is a canonical or allowed registry form (must be 0),
  with the corpus counts of "Joe Biden", "Kamala D. Harris" and "Alejandro N. Mayorkas"
  so that a zero is shown to come from forms that were there;
- a deterministic sample of findings to audit by hand (all misspellings, then variants
  and inconsistencies), with the flagged span and its line.
The full list goes to bench/results/names_audit-<corpus>.json.

    .venv/bin/python bench/names_audit.py [--jobs 2] [--sample 30] [TARBALL]
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from seedcheck.config import Config, apply
from seedcheck.context import Context
from seedcheck.names import load_registry
from seedcheck.pipeline import run

sys.path.insert(0, str(ROOT / "bench"))
from corpora import unpack

RULES = ["name-variant", "name-misspelling", "name-inconsistent"]
WATCHED = ["Joe Biden", "Kamala D. Harris", "Alejandro N. Mayorkas"]
DEFAULT_TARBALL = "wh-briefings-2021-2025.tar.gz"


def flagged_text(finding, cache: dict) -> tuple[str, str]:
    """(the flagged span, its whole line) read back from the file."""
    lines = cache.get(finding.path)
    if lines is None:
        lines = cache[finding.path] = Path(finding.path).read_text(encoding="utf-8", errors="replace").splitlines()
    line = lines[finding.line - 1] if finding.line and finding.line <= len(lines) else ""
    if finding.end_line and finding.end_line != finding.line and finding.end_line <= len(lines):
        span = line[(finding.column or 1) - 1 :] + " " + lines[finding.end_line - 1][: (finding.end_column or 1) - 1]
    else:
        span = line[(finding.column or 1) - 1 : (finding.end_column or len(line) + 1) - 1]
    return " ".join(span.split()), line.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tarball", nargs="?", help=f"corpus tarball (default ../shared/corpora/{DEFAULT_TARBALL})")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sample", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args()
    tarball = Path(args.tarball) if args.tarball else ROOT.parent / "shared" / "corpora" / DEFAULT_TARBALL
    if not tarball.exists():
        print(f"missing corpus tarball: {tarball}", file=sys.stderr)
        return 2
    path = unpack(tarball, ROOT / "bench" / "work")
    config = Config(root=ROOT)
    apply(config, {"select": RULES}, where="bench/names_audit.py")
    started = time.perf_counter()
    result = run(config, [str(path)], jobs=args.jobs)
    seconds = time.perf_counter() - started
    by_rule = collections.Counter(f.rule for f in result.findings)
    print(f"== {tarball.name}: {len(result.documents)} documents in {seconds:.1f} s (jobs={args.jobs})")
    for rule in RULES:
        print(f"   {rule:20} {by_rule.get(rule, 0)}")

    registry = load_registry(Context(config))
    accepted = {text for text, form in registry.forms.items() if form.role != "variant"}
    cache: dict = {}
    rows = []
    for f in result.findings:
        span, line = flagged_text(f, cache)
        rows.append(
            {
                "rule": f.rule,
                "doc_id": f.doc_id,
                "line": f.line,
                "column": f.column,
                "span": span,
                "message": f.message,
                "fix": f.fix.replacement if f.fix else None,
                "context": line,
            }
        )
    on_allowed = [r for r in rows if r["span"] in accepted or r["span"].removesuffix("’s") in accepted]
    texts = [
        " ".join(Path(p).read_text(encoding="utf-8", errors="replace").split())
        for p in sorted({str(p) for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")})
    ]
    print(f"   findings on a canonical or allowed form: {len(on_allowed)}")
    for r in on_allowed:
        print(f"     {r['rule']}: {r['doc_id']}:{r['line']}: {r['span']!r}")
    for form in WATCHED:
        pattern = re.compile(r"(?<!\w)" + re.escape(form) + r"(?!\w)")
        occurrences = sum(len(pattern.findall(t)) for t in texts)
        flagged = sum(1 for r in rows if form in r["span"])
        print(f"   {form!r}: {occurrences} occurrences in the corpus, {flagged} findings touching it")

    rng = random.Random(args.seed)
    groups = {rule: [r for r in rows if r["rule"] == rule] for rule in RULES}
    sample = list(groups["name-misspelling"])
    rest = args.sample - len(sample)
    n_variant = min(len(groups["name-variant"]), rest // 3)
    sample += rng.sample(groups["name-variant"], n_variant)
    sample += rng.sample(groups["name-inconsistent"], min(len(groups["name-inconsistent"]), args.sample - len(sample)))
    print(f"\n== audit sample ({len(sample)} findings, seed {args.seed})")
    for i, r in enumerate(sample, 1):
        context = (
            r["context"] if len(r["context"]) <= 220 else "…" + r["context"][max(0, r["column"] - 100) :][:220] + "…"
        )
        print(
            f"{i:2}. {r['rule']}  {r['doc_id']}:{r['line']}\n    flagged {r['span']!r} -> {r['fix']!r}\n"
            f"    {r['message']}\n    | {context}"
        )
    out = ROOT / "bench" / "results" / f"names_audit-{tarball.name.removesuffix('.tar.gz')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "corpus": tarball.name,
                "documents": len(result.documents),
                "seconds": round(seconds, 1),
                "by_rule": dict(by_rule),
                "on_allowed_forms": on_allowed,
                "sample": sample,
                "findings": rows,
            },
            indent=1,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"\nwrote {out.relative_to(ROOT)}")
    return 1 if on_allowed else 0


if __name__ == "__main__":
    sys.exit(main())
