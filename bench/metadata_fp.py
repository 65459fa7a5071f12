"""False-positive count of the metadata rules on real, official releases.

The White House corpora in ../shared/corpora/ are clean, correct documents: every
metadata finding on them is a false positive unless shown to be a true defect. This script
extracts the tarballs into bench/work/ (git-ignored), runs the metadata rules through the
real pipeline, prints the findings per rule, and prints what the extractor saw (how many
documents state each kind of date, the largest gap between date sources) so that a zero
is shown to come from comparisons that ran, not from rules that never looked.

    .venv/bin/python bench/metadata_fp.py [--jobs 2] [TARBALL ...]
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from seedcheck.config import Config, apply
from seedcheck.context import Context
from seedcheck.extract import build_record
from seedcheck.extract.dates import distance_days
from seedcheck.facts import facts_of
from seedcheck.ingest.discover import discover
from seedcheck.ingest.readers import read_source
from seedcheck.pipeline import run

sys.path.insert(0, str(ROOT / "bench"))
from corpora import unpack

RULES = [
    "missing-title",
    "missing-date",
    "invalid-date",
    "future-date",
    "date-mismatch",
    "missing-source-url",
    "invalid-source-url",
    "insecure-source-url",
    "tracking-parameters",
    "untrusted-source-domain",
    "syndicated-copy",
]
DEFAULT_TARBALLS = ["wh-briefings-2021-2025.tar.gz", "wh-briefings-2025-2026-sample.tar.gz"]


def coverage(path: Path, config: Config) -> dict:
    """What the extractor found in every document: date sources and the widest gaps between them."""
    context = Context(config)
    sources = collections.Counter()
    granularity = collections.Counter()
    widest: dict[str, tuple[int, str]] = {}
    docs = 0
    for source in discover([str(path)], config.include, config.exclude):
        for doc in read_source(source):
            docs += 1
            build_record(doc, context)
            dates = facts_of(doc, context).dates
            primary = next((d for d in dates if d["value"].as_date() is not None), None)
            for item in dates:
                sources[item["source"]] += 1
                granularity[f"{item['source']}:{item['value'].granularity}"] += 1
                if primary is not None and item is not primary:
                    gap = distance_days(primary["value"], item["value"])
                    if gap is not None and gap > widest.get(item["source"], (-1, ""))[0]:
                        widest[item["source"]] = (gap, doc.doc_id)
    return {
        "documents": docs,
        "date sources": dict(sources),
        "granularity": dict(granularity),
        "widest gap to the first full date (days, doc)": widest,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "tarballs", nargs="*", help="tarballs (default: the two White House corpora in ../shared/corpora)"
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-coverage", action="store_true", help="skip the extractor coverage pass")
    args = parser.parse_args()
    shared = ROOT.parent / "shared" / "corpora"
    tarballs = [Path(t) for t in args.tarballs] or [shared / name for name in DEFAULT_TARBALLS]
    missing = [str(t) for t in tarballs if not t.exists()]
    if missing:
        print(f"missing corpus tarball(s): {', '.join(missing)}", file=sys.stderr)
        return 2
    total = 0
    for tarball in tarballs:
        path = unpack(tarball, ROOT / "bench" / "work")
        config = Config(root=ROOT)
        apply(config, {"select": RULES}, where="bench/metadata_fp.py")
        result = run(config, [str(path)], jobs=args.jobs)
        by_rule = collections.Counter(f.rule for f in result.findings)
        total += len(result.findings)
        print(f"== {tarball.name}: {len(result.documents)} documents, {len(result.findings)} metadata findings")
        for rule in RULES:
            print(f"   {rule:26} {by_rule.get(rule, 0)}")
        for f in result.findings:
            print(f"   {f.rule}: {f.doc_id}:{f.line}: {f.message}")
        if not args.no_coverage:
            for key, value in coverage(path, config).items():
                print(f"   {key}: {value}")
    print(f"total metadata findings: {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
