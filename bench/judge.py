"""Print the not-yet-judged sampled findings of a rule with their context; record verdicts.

    python bench/judge.py RULE [--corpus wh21|wh25] [--context N] [--all] [--findings FILE]
    python bench/judge.py RULE --corpus wh25 --add 7 false "the quotation closes at line 43"

The sample is the one `make eval` scores (bench/evals/_judged.py): findings.json order,
random.Random(7), at most 20 per rule and corpus, from this tree's cold run of each corpus
(cached under bench/work/eval/; the first call runs seedcheck, 1-3 minutes for wh21), or
from `--findings FILE` (a findings.json of that corpus with the same doc ids). Each finding
is shown with its whole paragraph plus N lines each side (`>` marks the reported lines).
`--add INDEX VERDICT REASON` appends the judgement of sample item #INDEX to
bench/judged/RULE.jsonl; to change a verdict, edit that file (one JSON object per line).
Judge by reading the context (both documents for duplicate rules), never from the message.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from evals import Options, _corpus, _judged

PARAGRAPH_CAP = 40  # lines of a paragraph shown on each side of the finding at most
WIDTH = 400  # characters of a line shown at most


def read_lines(path: str) -> list[str]:
    """The document's lines as read (undecodable bytes replaced, so context always prints)."""
    try:
        return Path(path).read_bytes().decode("utf-8", errors="replace").splitlines()
    except OSError as exc:
        return [f"<cannot read: {exc}>"]


def context(lines: list[str], first: int | None, last: int | None, extra: int) -> list[str]:
    """Numbered lines: the paragraph around lines first..last (1-based) plus `extra` each side."""
    if first is None:
        start, end = 1, min(len(lines), 2 * extra + 20)
    else:
        last = max(first, last or first)
        start, end = first, last
        while start > 1 and lines[start - 2].strip() and first - start < PARAGRAPH_CAP:
            start -= 1
        while end < len(lines) and lines[end].strip() and end - last < PARAGRAPH_CAP:
            end += 1
        start, end = max(1, start - extra), min(len(lines), end + extra)
    marked = range(first, (last or first) + 1) if first else range(0)
    return [f"{'>' if n in marked else ' '}{n:5d}  {lines[n - 1][:WIDTH]}" for n in range(start, end + 1)]


def entry(corpus: str, finding: dict, verdict: str = "?", reason: str = "") -> dict:
    """A judgement line for `finding` in the shared format."""
    return {
        "corpus": corpus,
        "doc_id": finding["doc_id"],
        "line": finding.get("line"),
        "related": sorted(finding.get("related") or []),
        "verdict": verdict,
        "reason": reason,
    }


def show(corpus: str, index: int, finding: dict, verdict: dict | None, extra: int) -> None:
    """Print one sampled finding with its context and a ready-to-fill judgement line."""
    where = f"{finding['doc_id']}:{finding.get('line') or '-'}"
    print(f"=== [{corpus} #{index}] {finding['rule']} {where}")
    print(f"    {finding['message']}")
    if verdict:
        print(f"    judged {verdict['verdict']}: {verdict['reason']}")
    print("\n".join(context(read_lines(finding["path"]), finding.get("line"), finding.get("end_line"), extra)))
    parts = len(Path(finding["doc_id"]).parts)
    root = Path(finding["path"]).parents[parts - 1] if parts and finding.get("path") else None
    for other in finding.get("related") or []:
        print(f"    related: {root / other if root else other}")
    print("    " + json.dumps(entry(corpus, finding), ensure_ascii=False) + "\n")


def add(rule: str, corpus: str, drawn: list[dict], index: int, verdict: str, reason: str) -> None:
    """Append the judgement of sample item #index, unless it is already judged."""
    if not 1 <= index <= len(drawn):
        sys.exit(f"no sample item #{index} (the sample has {len(drawn)})")
    finding = drawn[index - 1]
    if _judged.key(corpus, finding) in _judged.load(rule):
        sys.exit(f"#{index} is already judged; edit bench/judged/{rule}.jsonl to change it")
    _judged.JUDGED.mkdir(exist_ok=True)
    with (_judged.JUDGED / f"{rule}.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry(corpus, finding, verdict, reason), ensure_ascii=False) + "\n")
    print(f"added {corpus} #{index} {verdict}: {finding['doc_id']}:{finding.get('line')}")


def main(argv: list[str] | None = None) -> int:
    """List the unjudged sample of a rule, or add one verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rule")
    parser.add_argument("--corpus", choices=sorted(_corpus.CORPORA), action="append")
    parser.add_argument("--context", type=int, default=3, metavar="N", help="lines beyond the paragraph")
    parser.add_argument("--all", action="store_true", help="show judged sample items too")
    parser.add_argument("--findings", type=Path, help="use this findings.json (needs one --corpus)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--add", nargs=3, metavar=("INDEX", "VERDICT", "REASON"))
    args = parser.parse_args(argv)
    corpora = args.corpus or sorted(_corpus.CORPORA)
    if (args.findings or args.add) and len(corpora) != 1:
        parser.error("--findings and --add need exactly one --corpus")
    if args.add and args.add[1] not in _judged.VERDICTS:
        parser.error("VERDICT is true or false")
    judgements = _judged.load(args.rule)
    for corpus in corpora:
        if args.findings:
            found = json.loads(args.findings.read_text(encoding="utf-8"))["findings"]
        else:
            found = _corpus.findings(corpus, Options(jobs=args.jobs))["findings"]
        drawn = _judged.sample(found, args.rule)
        if args.add:
            add(args.rule, corpus, drawn, int(args.add[0]), args.add[1], args.add[2])
            continue
        todo = [(i, f) for i, f in enumerate(drawn, 1) if args.all or _judged.key(corpus, f) not in judgements]
        print(f"# {args.rule} on {corpus}: {len(drawn)} sampled, {len(todo)} shown\n")
        for index, finding in todo:
            show(corpus, index, finding, judgements.get(_judged.key(corpus, finding)), args.context)
    return 0


if __name__ == "__main__":
    sys.exit(main())
