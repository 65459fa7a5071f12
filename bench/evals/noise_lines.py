"""Noise lines on other sites' pages: seedcheck's `noise-*` rules against two public sets and two peers.

Sets (read-only, under ../shared/benchmarks): the Zyte article-extraction pages (181) and the
Dragnet news and blog pages (1,343, gzipped). Each page's html-text rendering, blank lines
dropped, is one document. A line is *content* when its white-space-normalised text (at least
20 characters) occurs in the human-made article body, *boilerplate* when fewer than 20% of its
word tokens occur in the body, unlabelled otherwise (the Dragnet README's labelling).

Pages are split by a fixed hash of their id into a development half and a held-out half; the
rules are tuned on `dev` only and `held-out` is reported apart (`full` = both).

Systems, on the same lines and labels:
- seedcheck: the real pipeline with only the `noise-*` rules selected (a line is flagged when
  any of them reports it);
- datatrove `C4QualityFilter` in FineWeb's configuration (`filter_no_terminal_punct=False`): a
  line is flagged when the filter drops it, and every line of a page it drops whole; also with
  whole-page drops ignored ("line rules only");
- jusText (defaults, English stop list), one `<p>` per line: flagged when classified boilerplate.
The peers do not change, so their flags are cached per page under bench/work/noise-peers/.

Usage: python bench/evals/noise_lines.py [--set zyte|dragnet] [--quick] [--jobs N] [--examples N]
(needs the `bench` extra for datatrove and jusText; a missing peer is skipped with a note).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
SETS = {"zyte": BENCHMARKS / "zyte-article-extraction", "dragnet": BENCHMARKS / "dragnet"}
WORK = ROOT / "bench" / "work"
WORD = re.compile(r"\w+")
TITLE = "Noise lines on other sites' pages (content / boilerplate lines flagged)"
SEEDCHECK = "seedcheck noise-*"
C4, C4_LINES, JUSTEXT = "datatrove C4 (FineWeb cfg)", "datatrove C4, line rules only", "jusText (defaults)"


def norm(text: str) -> str:
    """White space collapsed."""
    return " ".join(text.split())


def _hash(key: str) -> int:
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16)


def split_of(key: str) -> str:
    """`dev` or `held-out`, fixed by the page id (never by its content)."""
    return "dev" if _hash(key) % 2 == 0 else "held-out"


def _read_json(path: Path):
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    with gzip.open(path.with_name(path.name + ".gz"), "rt", encoding="utf-8") as fh:
        return json.load(fh)


def available(bench: Path) -> bool:
    """Whether the set's files are there (plain or gzipped)."""
    return any((bench / f"html-text.json{ext}").is_file() for ext in ("", ".gz"))


def label_lines(lines: list[str], body: str) -> list[str | None]:
    """content / boilerplate / None per line, against the normalised gold body."""
    body_words = set(WORD.findall(body.lower()))
    labels: list[str | None] = []
    for line in lines:
        n = norm(line)
        words = WORD.findall(n.lower())
        if len(n) >= 20 and n in body:
            labels.append("content")
        elif not words or sum(w in body_words for w in words) / len(words) < 0.2:
            labels.append("boilerplate")
        else:
            labels.append(None)
    return labels


def load_pages(bench: Path, quick: bool = False) -> list[dict]:
    """Pages with their non-blank lines, a label per line and their split. `quick` keeps a
    fixed quarter of the pages (chosen by id hash, independent of the split)."""
    pages_text = _read_json(bench / "html-text.json")["output"]
    truth = _read_json(bench / "ground-truth.json")
    pages = []
    for key in sorted(pages_text):
        if key not in truth or (quick and (_hash(key) >> 1) % 4):
            continue
        body = norm(truth[key].get("articleBody") or "")
        lines = [ln for ln in (pages_text[key].get("articleBody") or "").split("\n") if ln.strip()]
        pages.append(
            {"key": key, "lines": lines, "labels": label_lines(lines, body), "split": split_of(key), "body": body}
        )
    return pages


def run_seedcheck(pages: list[dict], work: Path, jobs: int, name: str = "zyte") -> tuple[list[set[int]], dict]:
    """Flagged line indices per page from the real pipeline, noise rules only."""
    from seedcheck.config import Config, apply
    from seedcheck.pipeline import run

    docs = work / f"noise-{name}-docs"
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
    return [flagged.get(p["key"], set()) for p in pages], {
        "seconds": round(elapsed, 2),
        "findings_by_rule": dict(by_rule),
    }


def _c4_page(filt, page: dict) -> tuple[set[int], set[int]]:
    """(flags with whole-page drops, flags of the line rules only) for one page."""
    from datatrove.data import Document
    from datatrove.pipeline.filters.c4_filters import CITATION_REGEX

    doc = Document(text="\n".join(page["lines"]), id=page["key"])
    keep = filt.filter(doc)
    kept = doc.text.split("\n") if doc.text else []
    # Walk the page in order: a line survived when it is the next kept line.
    dropped, p = set(), 0
    for i, line in enumerate(page["lines"]):
        if p < len(kept) and kept[p] == CITATION_REGEX.sub("", line.strip()):
            p += 1
        else:
            dropped.add(i)
    if keep is True:
        return dropped, dropped
    return set(range(len(page["lines"]))), _c4_line_rules_only(filt, page["lines"])


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


def _justext_page(justext, stoplist, page: dict) -> set[int]:
    markup = "<html><body>" + "".join(f"<p>{html.escape(line)}</p>" for line in page["lines"]) + "</body></html>"
    try:
        paragraphs = justext.justext(markup.encode("utf-8"), stoplist, encoding="utf-8")
    except Exception:  # noqa: BLE001 - lxml and jusText raise many types; an unparsable page is all boilerplate to it
        return set(range(len(page["lines"])))
    # Paragraphs come back in order; match them to lines by normalised text.
    flagged, p = set(), 0
    for i, line in enumerate(page["lines"]):
        if p < len(paragraphs) and norm(paragraphs[p].text) == norm(line):
            if paragraphs[p].is_boilerplate:
                flagged.add(i)
            p += 1
        else:
            flagged.add(i)  # jusText dropped it in preprocessing
    return flagged


def _peer_functions() -> tuple[dict, list[str]]:
    """{peer: (version, page -> {system: flags})} for the importable peers, and notes."""
    from importlib.metadata import version

    peers, notes = {}, []
    try:
        from datatrove.pipeline.filters.c4_filters import C4QualityFilter

        filt = C4QualityFilter(filter_no_terminal_punct=False)
        peers["c4"] = (version("datatrove"), lambda page: dict(zip((C4, C4_LINES), _c4_page(filt, page))))
    except Exception as exc:  # noqa: BLE001 - an optional peer: any failure to load it is reported, not raised
        notes.append(f"datatrove skipped: {type(exc).__name__}: {exc}")
    try:
        import justext

        stoplist = justext.get_stoplist("English")
        peers["justext"] = (version("justext"), lambda page: {JUSTEXT: _justext_page(justext, stoplist, page)})
    except Exception as exc:  # noqa: BLE001 - an optional peer, as above
        notes.append(f"jusText skipped: {type(exc).__name__}: {exc}")
    return peers, notes


def run_peers(pages: list[dict], name: str, work: Path) -> tuple[dict[str, list[set[int]]], list[str]]:
    """Each peer's flags per page, from the on-disk cache when the page text is unchanged."""
    peers, notes = _peer_functions()
    out: dict[str, list[set[int]]] = {}
    for peer, (ver, fn) in peers.items():
        path = work / "noise-peers" / f"{name}-{peer}.json"
        cache = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        if cache.get("version") != ver:
            cache = {"version": ver, "pages": {}}
        dirty = False
        for page in pages:
            digest = hashlib.sha1("\n".join(page["lines"]).encode("utf-8")).hexdigest()
            entry = cache["pages"].get(page["key"])
            if not entry or entry["digest"] != digest:
                entry = {"digest": digest, "flags": {k: sorted(v) for k, v in fn(page).items()}}
                cache["pages"][page["key"]], dirty = entry, True
            for system, flags in entry["flags"].items():
                out.setdefault(system, []).append(set(flags))
        if dirty:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(cache, sort_keys=True), encoding="utf-8")
    return out, notes


def score(pages: list[dict], flagged: list[set[int]], split: str | None = None) -> dict:
    """Content lines flagged and boilerplate lines flagged (counts and %), for one split or all."""
    c = b = cf = bf = 0
    for page, flags in zip(pages, flagged):
        if split and page["split"] != split:
            continue
        for i, label in enumerate(page["labels"]):
            if label == "content":
                c, cf = c + 1, cf + (i in flags)
            elif label == "boilerplate":
                b, bf = b + 1, bf + (i in flags)
    return {
        "content_flagged": cf,
        "content": c,
        "content_flagged_pct": round(100 * cf / c, 2) if c else None,
        "boilerplate_flagged": bf,
        "boilerplate": b,
        "boilerplate_flagged_pct": round(100 * bf / b, 2) if b else None,
    }


COLUMNS = [
    "set",
    "split",
    "system",
    "pages",
    "content lines",
    "content flagged %",
    "boilerplate lines",
    "boilerplate flagged %",
]


def evaluate_set(name: str, quick: bool, jobs: int, work: Path = WORK) -> tuple[list[list], list[str], dict]:
    """Rows of COLUMNS for one set (dev, held-out, full x systems), notes, and the raw parts."""
    pages = load_pages(SETS[name], quick=quick)
    systems: dict[str, list[set[int]]] = {}
    systems[SEEDCHECK], meta = run_seedcheck(pages, work, jobs, name)
    peer_flags, notes = run_peers(pages, name, work)
    systems.update(peer_flags)
    rows = []
    for split in ("dev", "held-out", None):
        n_pages = sum(1 for p in pages if split in (None, p["split"]))
        for system, flags in systems.items():
            s = score(pages, flags, split)
            rows.append(
                [
                    name,
                    split or "full",
                    system,
                    n_pages,
                    s["content"],
                    s["content_flagged_pct"],
                    s["boilerplate"],
                    s["boilerplate_flagged_pct"],
                ]
            )
    notes.append(
        f"{name}: seedcheck {meta['seconds']} s, findings by rule "
        + json.dumps(meta["findings_by_rule"], sort_keys=True)
    )
    return rows, notes, {"pages": pages, "systems": systems}


def evaluate(options) -> dict:
    """The `make eval` section: both sets (those present), each split, seedcheck and the peers."""
    quick, jobs = bool(getattr(options, "quick", False)), int(getattr(options, "jobs", 1) or 1)
    only = getattr(options, "noise_set", None)
    rows, notes = [], []
    for name, bench in SETS.items():
        if only and name != only:
            continue
        if not available(bench):
            notes.append(f"{name} skipped: benchmark not found at {bench}")
            continue
        set_rows, set_notes, _ = evaluate_set(name, quick, jobs)
        rows += set_rows
        notes += set_notes
    notes.insert(
        0,
        "split: page id sha1, even = dev (rules tuned on it), odd = held-out"
        + ("; --quick: a fixed quarter of the pages" if quick else ""),
    )
    return {"columns": COLUMNS, "rows": rows, "notes": notes}


def _print_table(result: dict) -> None:
    print(TITLE)
    print(" | ".join(result["columns"]))
    for row in result["rows"]:
        print(" | ".join("-" if v is None else f"{v:.2f}" if isinstance(v, float) else str(v) for v in row))
    for note in result["notes"]:
        print("note:", note)


def _print_examples(name: str, jobs: int, quick: bool, count: int, split: str) -> None:
    """Lines seedcheck gets wrong on the dev half: flagged content and missed boilerplate."""
    _, _, parts = evaluate_set(name, quick, jobs)
    pages, flags = parts["pages"], parts["systems"][SEEDCHECK]
    for kind, want in (("content flagged", True), ("boilerplate missed", False)):
        shown = 0
        for page, f in zip(pages, flags):
            for i, label in enumerate(page["labels"]):
                wrong = label == ("content" if want else "boilerplate") and (i in f) == want
                if page["split"] == split and wrong and shown < count:
                    print(f"  {kind}: {page['key'][:10]} L{i + 1}: {page['lines'][i][:110]!r}")
                    shown += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=TITLE)
    parser.add_argument("--set", dest="noise_set", choices=sorted(SETS))
    parser.add_argument("--quick", action="store_true", help="a fixed quarter of the pages")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--examples", type=int, default=0, help="print N errors of seedcheck on the dev half (with --set)"
    )
    parser.add_argument("--json", type=Path, help="also write the result to this file")
    args = parser.parse_args(argv)
    if args.examples and args.noise_set:
        _print_examples(args.noise_set, args.jobs, args.quick, args.examples, "dev")
        return 0
    result = evaluate(args)
    _print_table(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
