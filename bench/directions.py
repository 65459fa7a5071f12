r"""Issue 21's suggested native replacements, measured against what they would change.

    cd /tmp && PYTHONPATH=$WT/src python $WT/bench/directions.py CORPUS [CORPUS ...] [--limit N]

Needs resiliparse, rensa and hyperscan (the `bench` extra). Each document goes through
`Engine.process` once (untimed) for its record's body, then each step is timed on those
bodies, ours and the replacement, in this process (CPU time):

- language: `extract.language.identify_with_confidence` (py3langid, windowed walk) against
  resiliparse's `detect_fast` on the same cleaned 4,000-character sample; how many
  documents it would give another language (confidences are on another scale entirely,
  and `language-mismatch` reads them).
- MinHash: our word hashing and the two 128-permutation signatures (words, word 3-grams;
  datasketch's values, which the duplicate thresholds were judged on) against rensa's
  `RMinHash` over the same words and 3-grams (another hash function: every signature, so
  every near-duplicate score, changes).
- pattern scan: `placeholder-text`'s regular expressions line by line (what the `pattern`
  kind does) against one Hyperscan scan of the body (prefilter mode: Hyperscan cannot run
  the look-ahead, so a hit must still be confirmed by `re`), and the documents `re`
  matches that the prefilter misses. That count is a measurement, not a proof: Hyperscan's
  `\s` and case folding are not Python's (U+001C-U+001F, `İ`), so it can miss.

It prints ms per document for each and the disagreements. The figures back the decision
recorded in bench/README.md (issue 21, 5 December 2026, late).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import yaml

from seedcheck.config import load_config
from seedcheck.corpus import dup_signatures as sig
from seedcheck.extract import language
from seedcheck.ingest.units import plan
from seedcheck.pipeline import Engine, discover_sources

ROOT = Path(__file__).resolve().parent.parent


def bodies(corpora: list[str], limit: int) -> list[str]:
    config = load_config(start=Path.cwd())
    engine = Engine(config)
    sources = list(plan(discover_sources(config, corpora), config.split_size, config.max_file_size))[:limit]
    out = []
    for source in sources:
        for outcome in engine.process(source):
            out.append(outcome.record.get("body") or "")
    return out


def timed(fn, items) -> tuple[float, list]:
    started = time.process_time()
    results = [fn(item) for item in items]
    return (time.process_time() - started) / max(1, len(items)) * 1000, results


def language_step(texts: list[str]) -> dict:
    from resiliparse.parse.lang import detect_fast

    language.identify_with_confidence("load the model before timing it")
    ours_ms, ours = timed(language.identify_with_confidence, texts)
    samples = [language.clean(t[: language._SAMPLE_CHARS * 2])[: language._SAMPLE_CHARS] for t in texts]
    theirs_ms, theirs = timed(detect_fast, samples)
    judged = [(o[0], r[0]) for o, r in zip(ours, theirs) if o[0] is not None]
    return {
        "ours ms": ours_ms,
        "resiliparse ms": theirs_ms,
        "documents with a language": len(judged),
        "another language": sum(a != b for a, b in judged),
    }


def minhash_step(texts: list[str]) -> dict:
    from rensa import RMinHash

    words = [sig.fold(t, numbers=False).split() for t in texts]

    def ours(ws: list[str]):
        hashes = sig._word_hashes(ws)
        return sig.minhash_sized(hashes), sig.minhash_sized(sig._ngram_hashes(hashes, 3))

    def rensa(ws: list[str]):
        a, b = RMinHash(num_perm=sig.NUM_PERM, seed=sig.SEED), RMinHash(num_perm=sig.NUM_PERM, seed=sig.SEED)
        a.update(ws)
        b.update([" ".join(ws[i : i + 3]) for i in range(max(0, len(ws) - 2))])
        return a.digest(), b.digest()

    nonempty = [w for w in words if w]
    ours_ms, _ = timed(ours, nonempty)
    theirs_ms, _ = timed(rensa, nonempty)
    return {"ours ms": ours_ms, "rensa ms": theirs_ms, "documents": len(nonempty)}


def pattern_step(texts: list[str]) -> dict:
    import re

    import hyperscan

    rule = yaml.safe_load((ROOT / "checks/rules/text/placeholder-text.yaml").read_text(encoding="utf-8"))
    patterns = rule["params"]["patterns"]
    regex = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    flags = hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP
    flags |= hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_MULTILINE
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(
        expressions=[p.encode() for p in patterns],
        ids=list(range(len(patterns))),
        elements=len(patterns),
        flags=[flags] * len(patterns),
    )

    def ours(text: str) -> bool:
        return any(regex.search(line) for line in text.splitlines())

    def prefilter(data: bytes) -> bool:
        hits: list[int] = []
        database.scan(data, match_event_handler=lambda *args: hits.append(args[0]))
        return bool(hits)

    encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
    ours_ms, found = timed(ours, texts)
    theirs_ms, maybe = timed(prefilter, encoded)
    return {
        "ours ms": ours_ms,
        "hyperscan ms": theirs_ms,
        "documents re matches": sum(found),
        "prefilter hits": sum(maybe),
        "missed by the prefilter": sum(f and not m for f, m in zip(found, maybe)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="+")
    parser.add_argument("--limit", type=int, default=100_000)
    options = parser.parse_args()
    texts = bodies(options.corpora, options.limit)
    print(f"{len(texts)} documents")
    for name, step in (("language", language_step), ("minhash", minhash_step), ("pattern", pattern_step)):
        figures = step(texts)
        shown = (f"{k}: {v:.3f}" if isinstance(v, float) else f"{k}: {v}" for k, v in figures.items())
        print(f"{name:9s}", "  ".join(shown))


if __name__ == "__main__":
    main()
