"""Per-rule precision on the real corpora, from the judged samples in bench/judged/.

For each rule with findings (or judgements) on wh21 / wh25: the seeded sample of up to 20
findings (see _judged.py), how many a reader judged true or false, the precision over the
judged ones with its 95% Wilson interval, and how many sampled findings have no judgement
yet (never counted either way: judge them with `bench/judge.py RULE`). "gone T/F" counts
judgements whose finding this tree no longer reports (a fixed false positive, or a lost
true one). `--quick` skips wh21 unless its findings are already cached for this tree.
"""

from __future__ import annotations

from evals import Options, _corpus, _judged

TITLE = "Rule precision on the real corpora (judged samples)"
COLUMNS = ["rule", "corpus", "findings", "sampled", "true", "false", "unjudged", "precision", "95% CI", "gone T/F"]


def evaluate(options: Options) -> dict:
    """One row per (rule, corpus) with findings or judgements."""
    corpora = [
        c for c in ("wh21", "wh25") if not options.quick or c == "wh25" or _corpus.findings_file(c, options).exists()
    ]
    found = {c: _corpus.findings(c, options)["findings"] for c in corpora}
    rules = sorted({f["rule"] for fs in found.values() for f in fs} | set(_judged.judged_rules()))
    rows, unjudged = [], 0
    for rule in rules:
        judgements = _judged.load(rule)
        for corpus in corpora:
            t = _judged.tally(corpus, rule, found[corpus], judgements)
            if not t["findings"] and not (t["gone_true"] or t["gone_false"]):
                continue
            ci = t["ci"]
            rows.append(
                [
                    rule,
                    corpus,
                    t["findings"],
                    t["sampled"],
                    t["true"],
                    t["false"],
                    t["unjudged"],
                    t["precision"],
                    f"{ci[0]:.2f}–{ci[1]:.2f}" if ci else None,
                    f"{t['gone_true']}/{t['gone_false']}",
                ]
            )
            unjudged += t["unjudged"]
    notes = [
        (
            f"source tree {_corpus.source_hash(options.root)}; sample: findings.json order, "
            f"random.Random({_judged.SEED}).sample(k=min({_judged.SAMPLE_SIZE}, n)); precision = true / (true + false)"
        ),
        f"{unjudged} sampled findings have no judgement: `python bench/judge.py RULE` prints them with context",
    ]
    if len(corpora) < 2:
        notes.append("quick: wh21 skipped (its findings are not cached for this source tree)")
    return {"columns": COLUMNS, "rows": rows, "notes": notes}
