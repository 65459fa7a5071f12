"""`name-inconsistent`: one person spelled two ways across the corpus or inside a document.

Works without a registry. In each document (`collect`, in the worker processes) the
capitalised word runs are cut into person-name candidates of two to four words: runs are
split at title words and at words that are never names (`titles` and `not_names` in
`checks/data/names.yaml`), all-capital headings are skipped, and spans the registry
already resolved (registered forms, `name-variant`, `name-misspelling`) are left out, so
a span is never reported twice. The state is small: spelling -> (count, first line,
first column, end line, end column).

`finish` groups the spellings of the whole corpus three ways:
- **diacritics / case / hyphens**: spellings with the same folded key ("Zoë Quintanilla",
  "Zoe Quintanilla"); the suggestion is the spelling with the most diacritics, then the
  most frequent; a case or hyphen difference counts only inside the surname and only
  when one spelling is more frequent;
- **typo**: same number of words, one word different by a small edit distance
  (rapidfuzz's optimal string alignment: two neighbouring letters swapped are one edit),
  same initials, the majority spelling at least `min_ratio` times as
  frequent as the minority one (two real people with similar names are usually both
  frequent), and the minority word found in no other name of the corpus ("Mike Johnston"
  is not a typo of "Mike Johnson" when "Johnston" is someone else's surname too); a
  document that writes the minority spelling twice or more and never the majority one
  names another person ("Bishop Kevin Rhoades" is not OMB's "Dr. Kevin Rhodes") and gets
  no finding;
- **middle name**: "First Middle Last" next to "First Last" (a full middle name; middle
  initials only with `middle_initials: true`, since "Merrick B. Garland" next to "Merrick
  Garland" is house style, not a slip), with the same frequency condition.
Each document that uses a minority spelling gets one finding at its first occurrence.

The groups depend only on the corpus-wide use count of every spelling. The Spark engine
therefore sums `weights` with a `groupBy` and calls `plan` on those totals at the
driver. It then keeps (`prune`) only the entries of the spellings the plan names, and
gives the plan to `finish`. The local engine computes the same totals from the states.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, ClassVar

from rapidfuzz.distance import OSA

from ..model import Fix, Hit
from ..names import PARTICLES, analyse, diacritic_count, fold, load_registry, overlaps_taken
from . import Analyzer, analyzer

# Maximal runs of lower-case ASCII letters: whole lower-case words, plus harmless tails of
# capitalised words ("ater" of "Later"), which no capitalised word lowers to.
_LOWER_RUN = re.compile(r"[a-z]+")


def _key(surface: str) -> str:
    return fold(surface).lower().replace("-", " ")


def _same_but_last(a: str, b: str) -> bool:
    """True when `a` and `b` first differ inside their last word (hyphens split words)."""
    p = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    start = a.rfind(" ", 0, p) + 1
    return start > 0 and start >= min(a.rfind(" "), b.rfind(" ")) + 1


def _inflection(a: str, b: str) -> bool:
    """True when one word is the other plus a plural, demonym or past-tense ending."""
    short, long_ = sorted((a, b), key=len)
    return long_.startswith(short) and long_[len(short) :] in ("s", "n", "d", "es", "an", "ed")


def _is_initial(word: str) -> bool:
    return len(word) <= 2 and word.endswith(".") or len(word) == 1


@analyzer
class PersonNames(Analyzer):
    name = "names"
    # name-inconsistent's rule file gives no parameters but the analyzer's name.
    DEFAULTS: ClassVar[dict[str, dict[str, Any]]] = {
        "name-inconsistent": {
            "min_ratio": 3,
            "max_distance": 1,
            "min_word_length": 5,
            "middle_names": False,
            "middle_initials": False,
            "max_related": 5,
        }
    }

    @classmethod
    def collect(cls, doc, context) -> Any:
        registry = load_registry(context)
        analysis = analyse(doc, context)
        taken = sorted(analysis.taken() + [(m.start, m.end) for m in analysis.misspellings(registry)])
        stop = registry.titles | registry.not_names
        # A capitalised word the document also uses in lower case ("Later", "Rescue") is an
        # ordinary word at a sentence start or in a title, not part of a person's name.
        lower_words = set(_LOWER_RUN.findall(analysis.text))
        starts = [s for s, _ in taken]
        seen: dict[str, list[int]] = {}
        for run in analysis.runs:
            segment: list[tuple[int, int, str]] = []
            for tok in run + [None]:
                if (
                    tok is not None
                    and tok[2] not in stop
                    and not overlaps_taken(taken, starts, tok[0], tok[1])
                    and tok[2].lower() not in lower_words
                ):
                    segment.append(tok)
                    continue
                cls._candidate(segment, analysis, seen)
                segment = []
        if not seen:
            return None
        return tuple((s, *v) for s, v in sorted(seen.items()))

    @staticmethod
    def _candidate(segment, analysis, seen) -> None:
        while segment and segment[0][2] in PARTICLES:
            segment = segment[1:]
        while segment and segment[-1][2] in PARTICLES:
            segment = segment[:-1]
        words = [w for _, _, w in segment]
        names = [w for w in words if w not in PARTICLES]
        if not 2 <= len(names) <= 4 or _is_initial(words[-1]) or _is_initial(words[0]):
            return
        if any(len(w) > 1 and w.replace(".", "").isupper() and not _is_initial(w) for w in names):
            return  # headings in capitals are style, not spelling
        surface = " ".join(words).replace("'", "’")
        entry = seen.get(surface)
        if entry is None:
            line, col, end_line, end_col = analysis.span(segment[0][0], segment[-1][1])
            seen[surface] = [1, line, col, end_line, end_col]
        else:
            entry[0] += 1

    @classmethod
    def weights(cls, state, params: dict[str, dict]) -> Iterable[tuple[str, int]]:
        """Spark engine: (spelling, uses in this document), summed over the corpus for `plan`."""
        return ((surface, count) for surface, count, *_ in state or ())

    @classmethod
    def plan(cls, totals: dict[str, int], params: dict[str, dict]) -> dict[str, tuple[str, str]]:
        """From the corpus-wide use count of every spelling: minority spelling ->
        (suggested spelling, reason). Empty when the rule is off."""
        if "name-inconsistent" not in params:
            return {}
        return cls._pairs(totals, {**cls.DEFAULTS["name-inconsistent"], **params["name-inconsistent"]})

    @classmethod
    def live(cls, plan: dict[str, tuple[str, str]]) -> set[str]:
        """The spellings `finish` reads after `plan`: both sides of every pair."""
        return set(plan) | {major for major, _ in plan.values()}

    @classmethod
    def prune(cls, state, live: set[str], params: dict[str, dict]):
        """The entries of the spellings in `live` (every document's, so their totals stay exact)."""
        kept = tuple(entry for entry in state or () if entry[0] in live)
        return kept or None

    @classmethod
    def finish(cls, states, rules, context, plan=None) -> Iterable[tuple[str, str, Hit]]:
        """The findings; with `plan` (Spark: from totals aggregated over the whole corpus),
        `states` need only hold the spellings the plan names."""
        rule = rules.get("name-inconsistent")
        params = {**cls.DEFAULTS["name-inconsistent"], **(rule.params if rule is not None else {})}
        # Two passes: the totals of every spelling, then the places of the paired ones only
        # (every spelling's places were about 3 KB per document of a corpus).
        total: dict[str, int] = defaultdict(int)
        for _, state in states:
            for surface, count, *_ in state or ():
                total[surface] += count
        pairs = plan if plan is not None else cls._pairs(total, params)
        paired = set(pairs) | {major for major, _ in pairs.values()}
        where: dict[str, dict[str, tuple[int, int, int, int, int]]] = defaultdict(dict)
        for doc_id, state in states if paired else ():
            for surface, count, line, col, end_line, end_col in state or ():
                if surface in paired:
                    where[surface][doc_id] = (count, line, col, end_line, end_col)
        for minor, (major, reason) in sorted(pairs.items()):
            major_docs = sorted(where[major])
            for doc_id, (count, line, col, end_line, end_col) in sorted(where[minor].items()):
                others = [d for d in major_docs if d != doc_id]
                same = doc_id in where[major]
                if reason == "spelling" and count >= 2 and not same:
                    continue  # used consistently in its document: another person ("Bishop Kevin Rhoades")
                shown = others[: params["max_related"]]
                place = ", ".join(shown) + (f" and {len(others) - len(shown)} more" if len(others) > len(shown) else "")
                text = ("in this document" + (f" and in {place}" if place else "")) if same else f"in {place}"
                yield (
                    "name-inconsistent",
                    doc_id,
                    Hit(
                        line=line,
                        column=col,
                        end_line=end_line,
                        end_column=end_col,
                        values={
                            "found": minor,
                            "suggestion": major,
                            "where": text,
                            "reason": reason,
                            "count": total[major],
                            "found_count": total[minor],
                        },
                        fix=Fix(f"write {major!r} as elsewhere", major if end_line == line else None, safe=False),
                        related=shown,
                    ),
                )

    @staticmethod
    def _pairs(total: dict[str, int], params: dict) -> dict[str, tuple[str, str]]:
        """minority spelling -> (suggested spelling, reason)."""
        out: dict[str, tuple[str, str]] = {}
        key_of = {s: _key(s) for s in total}  # computed once per spelling, used many times
        words_of = {s: k.split() for s, k in key_of.items()}
        _folded_pairs(total, key_of, out)
        _edited_pairs(total, words_of, params, out)
        if params["middle_names"] or params["middle_initials"]:
            _middle_name_pairs(total, words_of, params, out)
        return _followed(out)


def _folded_pairs(total: dict[str, int], key_of: dict[str, str], out: dict[str, tuple[str, str]]) -> None:
    """Spellings with the same letters once diacritics, case and hyphens are folded."""
    groups: dict[str, list[str]] = defaultdict(list)
    for s in total:
        groups[key_of[s]].append(s)
    for members in groups.values():
        if len(members) < 2:
            continue
        best = max(members, key=lambda s: (diacritic_count(s), total[s], s))
        for s in members:
            if s == best:
                continue
            if fold(s) == fold(best):
                out[s] = (best, "diacritics")
            elif _same_but_last(fold(s), fold(best)) and total[best] > total[s]:
                # (With no majority either spelling may be the right one: no finding.)
                # Case or hyphens in the surname ("Jackson Lee" / "Jackson-Lee"); before
                # it they are compound-word style ("Low-Income Home"), not a person.
                out[s] = (best, "case or hyphen")


def _edited_pairs(
    total: dict[str, int], words_of: dict[str, list[str]], params: dict, out: dict[str, tuple[str, str]]
) -> None:
    """Spellings one of whose words differs by a small edit distance (blocked on the other words)."""
    ratio = float(params["min_ratio"])
    blocks: dict[tuple, set[str]] = defaultdict(set)
    for s in total:
        words = words_of[s]
        for i in range(len(words)):
            blocks[(len(words), i, tuple(words[:i] + words[i + 1 :]))].add(s)
    limit, min_len = int(params["max_distance"]), int(params["min_word_length"])
    # Where each word occurs: a minority word that is part of another name in the corpus
    # is a real name of its own ("Johnston", "Kelley", "Phillip"), not a typo.
    used_in: dict[str, set[str]] = defaultdict(set)
    for s in total:
        for w in words_of[s]:
            if len(used_in[w]) < 3:
                used_in[w].add(s)
    for (_, i, _), members in blocks.items():
        if len(members) < 2:
            continue
        ordered = sorted(members, key=lambda s: (-total[s], s))
        for a_index, a in enumerate(ordered):
            wa = words_of[a][i]
            for b in ordered[a_index + 1 :]:
                wb = words_of[b][i]
                if wa == wb or wa[0] != wb[0] or min(len(wa), len(wb)) < min_len:
                    continue
                if _inflection(wa, wb):
                    continue  # "Obamas", "Arabian", "Advanced": inflections, not typos
                if OSA.distance(wa, wb, score_cutoff=limit) > limit:
                    continue
                if used_in[wb] - {b} or total[a] < ratio * total[b] or b in out:
                    continue
                out[b] = (a, "spelling")


def _middle_name_pairs(
    total: dict[str, int], words_of: dict[str, list[str]], params: dict, out: dict[str, tuple[str, str]]
) -> None:
    """A middle name (or initial) present in one spelling and missing in the other."""
    ratio = float(params["min_ratio"])
    short = {tuple(words_of[s]): s for s in total if len(s.split()) == 2}
    for s, count in total.items():
        words = s.split()
        if len(words) != 3 or words[1] in PARTICLES:
            continue
        initial = _is_initial(words[1])
        if (initial and not params["middle_initials"]) or (not initial and not params["middle_names"]):
            continue
        two = short.get((_key(words[0]), _key(words[2])))
        if two is None:
            continue
        major, minor = (s, two) if count >= total[two] else (two, s)
        if total[major] >= ratio * total[minor] and minor not in out:
            out[minor] = (major, "middle name")


def _followed(out: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Never point a spelling at one that is itself flagged: follow to the end."""
    for s, (target, reason) in list(out.items()):
        seen = {s}
        while target in out and target not in seen:
            seen.add(target)
            target = out[target][0]
        out[s] = (target, reason) if target != s else out[s]
    return {s: v for s, v in out.items() if v[0] != s}
