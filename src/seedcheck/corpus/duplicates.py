"""Duplicate documents across the corpus: `duplicate-exact`, `duplicate-near`, and the
`templated-sibling` notes for pairs that share a template but not an event.

The modules behind it: `dup_signatures` (per-document state computed in the workers),
`dup_lsh` (candidates and verification over the corpus), `siblings` (is a verified pair
a copy or a templated sibling?) and `keep` (which copy to keep).

Every copy in a group gets one finding that names the others and whether to keep or
drop it (the dropped copies also get `duplicate_of` in their record). Copies connected
by exact or near findings form a *cluster*: each finding and record carries its id
(`cluster`), and each finding the similarity to each copy it names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, ClassVar

import numpy as np

from ..model import Fix, Hit
from . import Analyzer, analyzer, rule_params
from .dup_lsh import (  # noqa: F401 (re-exported: tests, the Spark engine and bench use them here)
    _KNOWN_BANDS,
    VALUES_CHUNK,
    NearPairs,
    Partners,
    band_keys,
    band_ranges,
    candidate_codes,
    lsh_passes,
    near_pairs,
)
from .dup_signatures import (  # noqa: F401
    NUM_PERM,
    SEED,
    DupState,
    PairScore,
    features,
    fold,
    is_near,
    jaccard,
    minhash,
    score,
)
from .dup_table import StateTable
from .keep import KeepInfo, is_official, keep_info, keep_key, keep_reason  # noqa: F401
from .siblings import days_apart, sibling_reason, title_slot

SIBLING = "templated-sibling"


@analyzer
class Duplicates(Analyzer):
    """`duplicate-exact`, `duplicate-near` and `templated-sibling` over the whole corpus."""

    name = "duplicates"
    READS: ClassVar[dict[str, frozenset[str]]] = {
        "duplicate-exact": frozenset({"min_words", "fold_numbers", "max_days_apart", "official_domains"}),
        "duplicate-near": frozenset(
            {"min_words", "lsh_threshold", "word_jaccard", "gram_jaccard", "containment", "containment_lsh_threshold"}
            | {"numbers", "names", "max_days_apart", "same_source_gram_jaccard", "same_source_containment"}
            | {"official_domains"}
        ),
    }

    @classmethod
    def collect(cls, doc, context) -> Any:
        return features(doc, context)

    @classmethod
    def blocking_keys(cls, state, params: dict[str, dict]) -> list[str]:
        """Spark engine: the documents `finish` can pair with this one share a key with it:
        its exact-body hash, or one LSH band of a near pass (`band_keys`)."""
        if state is None:
            return []
        keys = []
        exact = params.get("duplicate-exact")
        if exact is not None:
            key = state.exact_num if exact["fold_numbers"] else state.exact
            if key is not None and state.words >= exact["min_words"]:
                keys.append(f"x{key}")
        near = params.get("duplicate-near")
        if near is not None and state.words >= near["min_words"] and len(state.sigs):
            for number, (part, threshold) in enumerate(lsh_passes(near, len(state.sigs) // 2)):
                keys.extend(f"{number}.{key}" for key in band_keys(state.sigs[part], threshold))
        return keys

    @classmethod
    def finish(cls, states, rules, context) -> Iterable[tuple]:
        table = StateTable(states)
        try:
            yield from _findings(table, rules, context)
        finally:
            table.close()


def _findings(table: StateTable, rules, context) -> Iterable[tuple]:
    """The duplicate findings and record patches of the corpus in `table`."""
    changed = frozenset(getattr(context, "changed_ids", None) or ())
    groups: list[tuple[str, list[str], dict]] = []  # (rule, ids, values) of exact groups
    siblings: dict[str, dict[str, str]] = defaultdict(dict)  # doc -> {sibling: reason}
    exact_of: dict[str, int] = {}

    # `templated-sibling` reports what the duplicate checks set aside: they run for it
    # too (with their configured or rule-file parameters) even when not selected.
    def wanted(rule: str) -> bool:
        return rule in rules or SIBLING in rules

    params = {r: rule_params(rules, r) for r in ("duplicate-exact", "duplicate-near")}
    if wanted("duplicate-exact"):
        found, split = _exact_groups(table, params["duplicate-exact"])
        for ids in found:
            exact_of.update((d, len(groups)) for d in ids)
            groups.append(("duplicate-exact", ids, {"similarity": 1.0, "measure": "identical normalised body"}))
        for a, b, reason in split:
            siblings[a][b] = siblings[b][a] = reason
    copies = _near_copies(table, params["duplicate-near"], exact_of, siblings) if wanted("duplicate-near") else None
    clusters = _clusters([ids for _, ids, _ in groups], copies)
    for rule, ids, values in groups:
        if rule in rules:
            yield from _group_hits(rule, ids, table, params[rule]["official_domains"], values, clusters, changed)
    if "duplicate-near" in rules:
        yield from _near_hits(table, params["duplicate-near"], copies, clusters, changed)
    if SIBLING in rules:
        yield from _sibling_hits(table, siblings)


def _exact_groups(table: StateTable, params: dict) -> tuple[list[list[str]], list[tuple[str, str, str]]]:
    """The groups of identical bodies, split where the same body was issued again for
    another event (`exact_sibling`): (sorted ids of each group of 2+ copies, [(a, b,
    reason)] of the pairs set apart)."""
    by_hash: dict[int, list[str]] = defaultdict(list)
    hashes, present = (
        (table.exact_num, table.has_exact_num) if params["fold_numbers"] else (table.exact, table.has_exact)
    )
    rows = np.flatnonzero(present & (table.words >= params["min_words"]))
    keys = hashes[rows]
    # Only the bodies held twice or more get a list (one per document cost 220 B each).
    distinct, counts = np.unique(keys, return_counts=True)
    held = np.isin(keys, distinct[counts > 1])
    for row, key in zip(rows[held].tolist(), keys[held].tolist()):
        by_hash[key].append(table.ids[row])
    groups, split = [], []
    for _, ids in sorted(by_hash.items(), key=lambda kv: min(kv[1])):
        if len(ids) < 2:
            continue
        if len(ids) > MAX_SPLIT:  # boilerplate pasted everywhere: one group, not a pair check each
            groups.append(sorted(ids))
            continue
        parts = {d: d for d in ids}
        apart = []
        for n, a in enumerate(ids):
            for b in ids[n + 1 :]:
                reason = exact_sibling(table, a, b, params)
                if reason:
                    apart.append((a, b, reason))
                else:
                    _merge(parts, a, b)
        members: dict[str, list[str]] = defaultdict(list)
        for d in ids:
            members[_find(parts, d)].append(d)
        groups.extend(sorted(m) for m in members.values() if len(m) > 1)
        split.extend((a, b, r) for a, b, r in apart if _find(parts, a) != _find(parts, b))
    return groups, split


MAX_SPLIT = 50


def exact_sibling(table: StateTable, a: str, b: str, params: dict) -> str | None:
    """Why two identical bodies are the same words issued again for another event: their
    dates lie more than `max_days_apart` apart and their titles say the same kind of
    release (equal, or differing in a slot). An identical body under an unrelated title is
    a copy pasted where it does not belong, and stays a duplicate."""
    limit = params.get("max_days_apart") or 0
    gap = days_apart(table.keep_of(a).date, table.keep_of(b).date)
    if not limit or gap is None or gap <= limit:
        return None
    ta, tb = table.title[table.row[a]], table.title[table.row[b]]
    if ta != tb and not title_slot(ta, tb):
        return None
    return f"same body, published {gap} days apart"


def _find(parts: dict[str, str], d: str) -> str:
    while parts[d] != d:
        parts[d] = parts[parts[d]]
        d = parts[d]
    return d


def _merge(parts: dict[str, str], a: str, b: str) -> None:
    ra, rb = _find(parts, a), _find(parts, b)
    if ra != rb:
        parts[max(ra, rb)] = min(ra, rb)


def _near_copies(
    table: StateTable, params: dict, exact_of: dict[str, int], siblings: dict[str, dict[str, str]]
) -> Partners:
    """The verified near pairs that are copies, by document; the others go to `siblings`
    with the reason (`siblings.sibling_reason`)."""
    found = near_pairs(table, params, exact_of)
    copy = np.ones(len(found.a), bool)
    # As Python values a chunk at a time: at a million documents, millions of pairs.
    for lo in range(0, len(found.a), VALUES_CHUNK):
        hi = lo + VALUES_CHUNK
        pairs = zip(found.a[lo:hi].tolist(), found.b[lo:hi].tolist(), found.scores[lo:hi].tolist())
        for n, (a, b, values) in enumerate(pairs, lo):
            da, db = found.ids[a], found.ids[b]
            reason = _sibling_reason(table, da, db, PairScore(*values), params)
            if reason:
                siblings[da][db] = siblings[db][da] = reason
                copy[n] = False
    return Partners(found.kept(copy))


def _sibling_reason(table: StateTable, da: str, db: str, sc: PairScore, params: dict) -> str | None:
    """Why the verified near pair (da, db) is a templated sibling, not a copy (or None)."""
    ra, rb = table.row[da], table.row[db]
    by_words = sc.words >= params["word_jaccard"] and sc.grams >= params["gram_jaccard"]
    keep, title = table.keep, table.title
    return sibling_reason(keep[ra], keep[rb], title[ra], title[rb], sc.grams, sc.contained, by_words, params)


def _clusters(groups: list[list[str]], copies: Partners | None) -> dict[str, str]:
    """Cluster id of every copy: connected components of the exact groups and near pairs,
    numbered in the order of their smallest document id (``dup-1``, ``dup-2``, …)."""
    parts: dict[str, str] = {}
    for ids in groups:
        parts.update((d, parts.get(d, d)) for d in ids)
        for d in ids[1:]:
            _merge(parts, ids[0], d)
    for a, b in copies.id_pairs() if copies is not None else ():
        parts.setdefault(a, a)
        parts.setdefault(b, b)
        _merge(parts, a, b)
    roots = sorted({_find(parts, d) for d in parts})
    number = {r: f"dup-{n}" for n, r in enumerate(roots, 1)}
    return {d: number[_find(parts, d)] for d in parts}


def _near_hits(table: StateTable, params: dict, copies: Partners, clusters: dict[str, str], changed) -> Iterable[tuple]:
    official = params["official_domains"]
    keys: dict[str, tuple] = {}  # a document is a partner of many: its keep key once

    def key_of(d: str) -> tuple:
        if d not in keys:
            keys[d] = keep_key(d, table.keep_of(d), official, changed)
        return keys[d]

    for doc in copies.in_id_order():
        doc_id, score_of = copies.ids[doc], copies.scores_of(doc)
        # The keeper is chosen among the document and its own partners (a chain A~B~C
        # does not make A and C copies of each other).
        keeper = min([doc_id, *score_of], key=key_of)
        nearest = keeper if keeper != doc_id else max(score_of, key=lambda d: (score_of[d].grams, d))
        sc = score_of[nearest]
        values = {
            **_measure(sc, params),
            "word_jaccard": round(sc.words, 2),
            "gram_jaccard": round(sc.grams, 2),
            "containment": round(sc.contained, 2),
            "numbers": round(sc.numbers, 2),
            "names": round(sc.names, 2),
            "nearest": nearest,
        }
        similarity = {o: _measure(s, params)["similarity"] for o, s in sorted(score_of.items())}
        yield from _hit(
            "duplicate-near", doc_id, sorted(score_of), keeper, table, official, values, clusters, changed, similarity
        )


def _measure(sc: PairScore, params: dict) -> dict:
    by_words = sc.words >= params["word_jaccard"] and sc.grams >= params["gram_jaccard"]
    return {
        "similarity": round(sc.words if by_words else sc.contained, 2),
        "measure": "word-set Jaccard" if by_words else "word 3-gram containment",
    }


def _group_hits(
    rule: str, ids: list[str], table: StateTable, official, values: dict, clusters: dict[str, str], changed
) -> Iterable[tuple]:
    """The hits of one group of copies of each other: one per document."""
    keeper = min(ids, key=lambda d: keep_key(d, table.keep_of(d), official, changed))
    for doc_id in ids:
        others = [d for d in ids if d != doc_id]
        yield from _hit(
            rule, doc_id, others, keeper, table, official, dict(values), clusters, changed, dict.fromkeys(others, 1.0)
        )


def _hit(
    rule: str,
    doc_id: str,
    others: list[str],
    keeper: str,
    table: StateTable,
    official,
    values: dict,
    clusters: dict[str, str],
    changed,
    similarity: dict[str, float],
) -> Iterable[tuple]:
    """One finding for `doc_id`: the copies it has, and whether to keep or drop it. Its
    record gets the cluster id, and a dropped copy `{"duplicate_of": keeper}` too."""
    row = table.row[doc_id]
    line, excerpt, keep = table.line[row], table.excerpt[row], table.keep[row]
    values.update(others=", ".join(others), count=len(others), keeper=keeper)
    cluster_id = clusters.get(doc_id)
    if doc_id == keeper:
        reason = keep_reason(keep, table.keep_of(others[0]), official, (doc_id in changed, others[0] in changed))
        values["decision"] = f"keep this copy ({reason})"
        fix = Fix(f"keep this copy ({reason}); remove {', '.join(others)}", None, safe=False)
        patch = {"cluster": cluster_id}
    else:
        reason = keep_reason(table.keep_of(keeper), keep, official, (keeper in changed, doc_id in changed))
        values["decision"] = f"drop this copy, keep {keeper} ({reason})"
        fix = Fix(f"remove this document: {keeper} is the copy to keep ({reason})", None, safe=False)
        patch = {"duplicate_of": keeper, "cluster": cluster_id}
    cluster = {"id": cluster_id, "keeper": keeper, "reason": reason, "similarity": similarity}
    yield rule, doc_id, Hit(line=line, values=values, fix=fix, related=others, excerpt=excerpt, cluster=cluster), patch


def _sibling_hits(table: StateTable, siblings: dict[str, dict[str, str]]) -> Iterable[tuple]:
    """One info finding per document with templated siblings (no fix: both are wanted)."""
    for doc_id in sorted(siblings):
        if doc_id not in table.row:
            continue
        others = sorted(siblings[doc_id])
        row = table.row[doc_id]
        values = {
            "others": ", ".join(others),
            "count": len(others),
            "reason": siblings[doc_id][others[0]],
            "nearest": others[0],
        }
        yield SIBLING, doc_id, Hit(line=table.line[row], values=values, related=others, excerpt=table.excerpt[row])
