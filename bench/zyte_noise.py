"""Noise rules against a public yardstick: the Zyte article-extraction benchmark.

Each page's non-blank `html-text.json` lines are one document. A line is *content* when it
has at least 20 characters and occurs (white space normalised) in the human-made article
body (`ground-truth.json`); *boilerplate* when fewer than 20% of its word tokens occur in
the body; anything else is unlabelled. For each system we count the content lines it
flags (lower is better; target for seedcheck <= 2%) and the boilerplate lines it flags
(higher is better; target >= 80%), on the same lines and labels:

- seedcheck: the real pipeline with only the `noise-*` rules selected (a line is flagged
  when any noise rule reports it);
- datatrove `C4QualityFilter` in FineWeb's configuration (`filter_no_terminal_punct=False`):
  a line is flagged when the filter drops it, and every line of a page it drops whole;
  also shown with whole-page drops ignored ("line rules only");
- jusText (defaults, English stop list), fed the same lines as one `<p>` each: a line is
  flagged when its paragraph is classified boilerplate.

Usage: .venv/bin/python bench/zyte_noise.py [--benchmark DIR] [--work DIR] [--jobs N]
(needs `pip install -e '.[bench]'` for datatrove and jusText; a missing peer is skipped
with a note, never replaced by an imitation).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BENCH = ROOT.parent / "shared" / "benchmarks" / "zyte-article-extraction"
WORD = re.compile(r"\w+")


def norm(text: str) -> str:
    return " ".join(text.split())


def load_pages(bench: Path) -> list[dict]:
    """Pages with their non-blank lines and a label per line (content/boilerplate/None)."""
    pages_text = json.loads((bench / "html-text.json").read_text(encoding="utf-8"))["output"]
    truth = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(pages_text):
        if key not in truth:
            continue
        body = norm(truth[key].get("articleBody") or "")
        body_words = set(WORD.findall(body.lower()))
        lines = [ln for ln in (pages_text[key].get("articleBody") or "").split("\n") if ln.strip()]
        labels = []
        for line in lines:
            n = norm(line)
            words = WORD.findall(n.lower())
            if len(n) >= 20 and n in body:
                labels.append("content")
            elif not words or sum(w in body_words for w in words) / len(words) < 0.2:
                labels.append("boilerplate")
            else:
                labels.append(None)
        pages.append({"key": key, "url": truth[key].get("url", ""), "lines": lines, "labels": labels})
    return pages


def run_seedcheck(pages: list[dict], work: Path, jobs: int) -> tuple[list[set[int]], dict]:
    """Flagged line indices per page from the real pipeline, noise rules only."""
    from seedcheck.config import Config, apply
    from seedcheck.pipeline import run

    docs = work / "zyte-docs"
    docs.mkdir(parents=True, exist_ok=True)
    for old in docs.glob("*.txt"):
        old.unlink()
    for page in pages:
        (docs / f"{page['key']}.txt").write_text("\n".join(page["lines"]) + "\n", encoding="utf-8")
    config = Config(root=ROOT)
    apply(config, {"select": ["noise-"]}, where="bench")
    t0 = time.perf_counter()
    result = run(config, [str(docs)], jobs=jobs)
    elapsed = time.perf_counter() - t0
    flagged: dict[str, set[int]] = {}
    by_rule: Counter = Counter()
    for f in result.findings:
        if f.rule.startswith("noise-") and f.line:
            flagged.setdefault(Path(f.doc_id).stem, set()).add(f.line - 1)
            by_rule[f.rule] += 1
    return [flagged.get(p["key"], set()) for p in pages], {"seconds": round(elapsed, 2), "findings_by_rule": dict(by_rule)}


def run_c4(pages: list[dict]) -> tuple[list[set[int]], list[set[int]]] | str:
    """datatrove's C4 quality filter as FineWeb configured it."""
    try:
        from datatrove.data import Document
        from datatrove.pipeline.filters.c4_filters import CITATION_REGEX, C4QualityFilter
    except Exception as exc:  # an optional peer: report why it is missing
        return f"datatrove not importable: {type(exc).__name__}: {exc}"
    filt = C4QualityFilter(filter_no_terminal_punct=False)
    with_drops, lines_only = [], []
    for page in pages:
        doc = Document(text="\n".join(page["lines"]), id=page["key"])
        keep = filt.filter(doc)
        kept = doc.text.split("\n") if doc.text else []
        # Walk the page in order: a line survived when it is the next kept line.
        dropped, p = set(), 0
        for i, line in enumerate(page["lines"]):
            candidate = CITATION_REGEX.sub("", line.strip())
            if p < len(kept) and kept[p] == candidate:
                p += 1
            else:
                dropped.add(i)
        if keep is True:
            with_drops.append(dropped)
            lines_only.append(dropped)
        else:
            with_drops.append(set(range(len(page["lines"]))))
            lines_only.append(_c4_line_rules_only(filt, page["lines"]))
    return with_drops, lines_only


def _c4_line_rules_only(filt, lines: list[str]) -> set[int]:
    """For a page C4 dropped whole: which lines its line rules alone would drop."""
    from datatrove.data import Document

    out = set()
    saved = filt.min_num_sentences, filt.filter_curly_bracket, filt.filter_lorem_ipsum
    filt.min_num_sentences, filt.filter_curly_bracket, filt.filter_lorem_ipsum = -1, False, False
    try:
        for i, line in enumerate(lines):
            doc = Document(text=line, id=str(i))
            filt.filter(doc)
            if not doc.text.strip():
                out.add(i)
    finally:
        filt.min_num_sentences, filt.filter_curly_bracket, filt.filter_lorem_ipsum = saved
    return out


def run_justext(pages: list[dict]) -> list[set[int]] | str:
    """jusText with its defaults, one <p> per line."""
    try:
        import justext
    except Exception as exc:
        return f"jusText not importable: {type(exc).__name__}: {exc}"
    stoplist = justext.get_stoplist("English")
    out = []
    for page in pages:
        markup = "<html><body>" + "".join(f"<p>{html.escape(line)}</p>" for line in page["lines"]) + "</body></html>"
        try:
            paragraphs = justext.justext(markup.encode("utf-8"), stoplist, encoding="utf-8")
        except Exception:
            out.append(set(range(len(page["lines"]))))
            continue
        # Paragraphs come back in order; match them to lines by normalised text.
        flagged, p = set(), 0
        for i, line in enumerate(page["lines"]):
            target = norm(line)
            if p < len(paragraphs) and norm(paragraphs[p].text) == target:
                if paragraphs[p].is_boilerplate:
                    flagged.add(i)
                p += 1
            else:
                flagged.add(i)  # jusText dropped it in preprocessing
        out.append(flagged)
    return out


def score(pages: list[dict], flagged: list[set[int]]) -> dict:
    """Content lines flagged and boilerplate lines flagged, as counts and percentages."""
    c = b = cf = bf = 0
    for page, flags in zip(pages, flagged):
        for i, label in enumerate(page["labels"]):
            if label == "content":
                c += 1
                cf += i in flags
            elif label == "boilerplate":
                b += 1
                bf += i in flags
    return {"content_flagged": cf, "content": c, "content_flagged_pct": round(100 * cf / c, 2) if c else None,
            "boilerplate_flagged": bf, "boilerplate": b, "boilerplate_flagged_pct": round(100 * bf / b, 2) if b else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--benchmark", type=Path, default=DEFAULT_BENCH)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--examples", type=int, default=0, help="print N flagged content lines of seedcheck")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if not (args.benchmark / "html-text.json").is_file():
        print(f"benchmark not found: {args.benchmark}", file=sys.stderr)
        return 2
    pages = load_pages(args.benchmark)
    labels = Counter(l for p in pages for l in p["labels"])
    print(f"{len(pages)} pages, {sum(len(p['lines']) for p in pages)} non-blank lines: "
          f"{labels['content']} content, {labels['boilerplate']} boilerplate, {labels[None]} unlabelled")
    results: dict[str, dict] = {}
    sc_flags, sc_meta = run_seedcheck(pages, args.work, args.jobs)
    results["seedcheck noise-*"] = {**score(pages, sc_flags), **sc_meta}
    c4 = run_c4(pages)
    if isinstance(c4, str):
        results["datatrove C4 (FineWeb cfg)"] = {"skipped": c4}
    else:
        results["datatrove C4 (FineWeb cfg)"] = score(pages, c4[0])
        results["datatrove C4 (FineWeb cfg), line rules only"] = score(pages, c4[1])
    jt = run_justext(pages)
    results["jusText (defaults)"] = {"skipped": jt} if isinstance(jt, str) else score(pages, jt)

    print(f"{'system':45} {'content flagged':>22} {'boilerplate flagged':>24}")
    for name, r in results.items():
        if "skipped" in r:
            print(f"{name:45} skipped: {r['skipped']}")
            continue
        print(f"{name:45} {r['content_flagged']:>6}/{r['content']:<6} {r['content_flagged_pct']:>6.2f}%"
              f"   {r['boilerplate_flagged']:>6}/{r['boilerplate']:<6} {r['boilerplate_flagged_pct']:>6.2f}%")
    print("seedcheck findings by rule:", json.dumps(sc_meta["findings_by_rule"], sort_keys=True))
    if args.examples:
        shown = 0
        for page, flags in zip(pages, sc_flags):
            for i in sorted(flags):
                if page["labels"][i] == "content" and shown < args.examples:
                    print(f"  content flagged: {page['key'][:10]} L{i + 1}: {page['lines'][i][:110]!r}")
                    shown += 1
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
