"""Why seedcheck's `noise-*` rules miss boilerplate lines and flag content lines, on the DEV
half of the Zyte and Dragnet page sets only (the held-out half is never looked at here).

Flags come from the real pipeline (noise rules only, as `bench/evals/noise_lines.py` runs it);
the causes are read from `noise-navigation`'s own steps on the same page:

- missed boilerplate: not a model candidate (too long, list item, structure, wrapped, title,
  markup), page gated (fewer than `model_min_evidence` furniture lines), a menu-run line the
  model did not confirm, or a candidate the model scored under the threshold (by score band);
  each also by where it sits (before the first prose line, between, after the last; outside
  the article's span, `noise_zone.article_span`);
- flagged content: by rule and reason.

Usage: PYTHONPATH=src python bench/noise_causes.py [--set zyte|dragnet] [--examples N] [--cause TEXT]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench" / "evals")]

import noise_lines

from seedcheck.config import Config, apply
from seedcheck.context import Context
from seedcheck.model import Document
from seedcheck.pipeline import run
from seedcheck.rules.detectors import noise, noise_model, noise_zone
from seedcheck.rules.detectors.layout import layout

_REASON_KIND = re.compile(r"\(p=[\d.]+\)|run of \d+ short lines|\(.*\)$")


def navigation_params() -> dict:
    """`noise-navigation`'s parameters from its rule file."""
    path = ROOT / "checks" / "rules" / "noise" / "noise-navigation.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["params"]


def pipeline_flags(pages: list[dict]) -> list[dict[int, str]]:
    """{line index: "rule: reason kind"} per page, from the real pipeline (noise rules only)."""
    with tempfile.TemporaryDirectory() as tmp:
        for page in pages:
            (Path(tmp) / f"{page['key']}.txt").write_text("\n".join(page["lines"]) + "\n", encoding="utf-8")
        config = Config(root=ROOT)
        apply(config, {"select": ["noise-"]}, where="bench")
        result = run(config, [tmp], jobs=1)
    out: dict[str, dict[int, str]] = defaultdict(dict)
    for f in result.findings:
        if f.rule.startswith("noise-") and f.line:
            reason = _REASON_KIND.sub(lambda m: "run" if m.group(0).startswith("run") else "", f.message)
            out[Path(f.doc_id).stem].setdefault(f.line - 1, f"{f.rule}: {reason.split(':', 1)[-1].strip()[:60]}")
    return [out.get(p["key"], {}) for p in pages]


def _where(lay, i: int, span: tuple[int, int] | None) -> str:
    where = "head" if lay.in_head(i) else "tail" if lay.in_tail(i) else "middle"
    return where + ("" if span and span[0] <= i <= span[1] else " outside the article")


def _not_candidate(lay, i: int) -> str:
    if lay.structure[i]:
        return "structure"
    if lay.words[i] > noise_model.MAX_WORDS:
        return f"long line ({'9-14' if lay.words[i] <= 14 else '15+'} words)"
    if lay.listitem[i]:
        return "list item"
    if lay.numbers[i] == lay.title_line:
        return "title line"
    if noise_model._MARKUP.search(lay.raw[i]):
        return "markup"
    return "wrapped / in a paragraph block"


def page_causes(page: dict, flags: dict[int, str], context: Context, params: dict, model: dict) -> list[tuple]:
    """(kind, cause, where, line text, score) for each wrong line of one page."""
    doc = Document(doc_id=page["key"], path=page["key"], format="text", lines=page["lines"])
    lay = layout(doc)
    hits = noise.lexicon_hits(doc, params, context)
    claimed = noise.lexicon_claims(doc, params["claims"], context)
    runs = noise.shape_runs(lay, {**params, "max_words": params["shape_max_words"]})
    evidence = len(set(hits) | claimed | set(runs))
    span = noise_zone.article_span(lay, claimed)
    cands = noise_model.candidates(lay)
    scores = dict(
        zip(cands, noise_model.probabilities(model, noise_model.line_features(lay, cands, claimed, set(runs))))
    )
    out = []
    for i in range(len(lay.norm)):
        label = page["labels"][lay.numbers[i] - 1]
        line = lay.numbers[i] - 1
        if label == "content" and line in flags:
            out.append(("content flagged", flags[line], _where(lay, i, span), lay.raw[i], scores.get(i)))
        elif label == "boilerplate" and line not in flags:
            p = scores.get(i)
            if i not in scores:
                cause = "not a candidate: " + _not_candidate(lay, i)
            elif evidence < params["model_min_evidence"]:
                cause = "page gated (evidence < min)"
            elif i in runs:
                cause = "run line not confirmed"
            else:
                band = next(b for b in (0.9, 0.8, 0.5, 0.0) if p >= b)
                cause = f"model score >= {band:.1f} (below threshold)"
            out.append(("boilerplate missed", cause, _where(lay, i, span), lay.raw[i], p))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="noise_set", choices=sorted(noise_lines.SETS))
    parser.add_argument("--examples", type=int, default=0, help="print N example lines per cause")
    parser.add_argument("--cause", default="", help="only examples of causes containing this text")
    args = parser.parse_args(argv)
    context = Context(Config(root=ROOT))
    params = navigation_params()
    model = context.yaml(params["model"])
    for name, bench in noise_lines.SETS.items():
        if args.noise_set and name != args.noise_set:
            continue
        pages = [p for p in noise_lines.load_pages(bench) if p["split"] == "dev"]
        flags = pipeline_flags(pages)
        totals = noise_lines.score(pages, [set(f) for f in flags])
        print(
            f"\n== {name} dev: {len(pages)} pages; content flagged {totals['content_flagged']}/{totals['content']}"
            f" ({totals['content_flagged_pct']}%), boilerplate flagged {totals['boilerplate_flagged']}/"
            f"{totals['boilerplate']} ({totals['boilerplate_flagged_pct']}%)"
        )
        rows = [r for page, f in zip(pages, flags) for r in page_causes(page, f, context, params, model)]
        for kind in ("content flagged", "boilerplate missed"):
            mine = [r for r in rows if r[0] == kind]
            print(f"-- {kind}: {len(mine)}")
            by_cause = Counter(r[1] for r in mine)
            for cause, count in by_cause.most_common():
                where = Counter(r[2] for r in mine if r[1] == cause)
                print(f"{count:6d}  {cause}  [" + ", ".join(f"{w} {c}" for w, c in where.most_common()) + "]")
                if args.examples and args.cause in cause:
                    for r in [r for r in mine if r[1] == cause][: args.examples]:
                        p = "" if r[4] is None else f" p={r[4]:.2f}"
                        print(f"          {r[2]:6s}{p} {r[3].strip()[:100]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
