"""The person registry (`checks/data/names.yaml`): forms, the one-pass matcher and the
near-miss search (rapidfuzz Levenshtein distance, blocked on the first or last word)."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from rapidfuzz.distance import Levenshtein

from ..config import ConfigError
from .fold import diacritic_count, fold
from .forms import Form, NameMatch, trie_regex
from .runs import PARTICLES, candidate_runs

REGISTRY_FILE = "names.yaml"


class Registry:
    """The loaded person registry: forms, matcher, fuzzy index and the title words."""

    def __init__(self, data: Any, source: str = REGISTRY_FILE, run_examples: bool = True):
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: expected a mapping with `people`")
        self.source = source
        self.titles: frozenset[str] = frozenset(str(t) for t in data.get("titles") or ())
        self.not_names: frozenset[str] = frozenset(str(t) for t in data.get("not_names") or ())
        self.forms: dict[str, Form] = {}
        self.by_fold: dict[str, list[Form]] = {}
        self.distinct: dict[str, set[str]] = {}
        self.examples: list[tuple[str, str, str]] = []
        self.people: list[str] = []
        entries = data.get("people") or []
        if not isinstance(entries, list):
            raise ConfigError(f"{source}: `people` must be a list")
        for number, entry in enumerate(entries, 1):
            self._add_person(entry, number)
        self._index()
        if run_examples:
            failures = self.self_test()
            if failures:
                raise ConfigError(f"{source}: registry self-test failed: " + "; ".join(failures[:5]))

    # -- loading -------------------------------------------------------------------
    def _add_person(self, entry: Any, number: int) -> None:
        where = f"{self.source}: people[{number}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("canonical"), str):
            raise ConfigError(f"{where}: each person needs a `canonical` name")
        unknown = set(entry) - {"canonical", "allowed", "aliases", "variants", "distinct", "examples", "note"}
        if unknown:
            raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
        canonical = _clean(entry["canonical"])
        self.people.append(canonical)
        self._register(Form(canonical, canonical, "canonical", canonical), where)
        for key in ("allowed", "aliases"):
            for alias in _strings(entry.get(key), f"{where}.{key}"):
                self._register(Form(alias, canonical, "allowed", alias), where)
        for variant in entry.get("variants") or []:
            if isinstance(variant, dict):
                text, fix = _clean(str(variant.get("form", ""))), _clean(str(variant.get("fix") or canonical))
            else:
                text, fix = _clean(str(variant)), canonical
            if not text:
                raise ConfigError(f"{where}: empty variant")
            self._register(Form(text, canonical, "variant", fix), where)
        self.distinct[canonical] = {fold(_clean(d)).lower() for d in _strings(entry.get("distinct"), where)}
        for ex in entry.get("examples") or []:
            if not isinstance(ex, dict) or "from" not in ex:
                raise ConfigError(f"{where}: an example needs `from` (and `to` if the text changes)")
            self.examples.append((canonical, str(ex["from"]), str(ex.get("to", ex["from"]))))

    def _register(self, form: Form, where: str) -> None:
        for f in (form, Form(form.text.upper(), form.person, form.role, form.target.upper())):
            old = self.forms.get(f.text)
            if old is not None:
                if old.person != f.person:
                    raise ConfigError(f"{where}: {f.text!r} is registered for both {old.person!r} and {f.person!r}")
                if old.role != f.role and f.text == form.text:
                    raise ConfigError(f"{where}: {f.text!r} is listed twice with different roles")
                continue
            self.forms[f.text] = f

    def _index(self) -> None:
        # Accepted forms by folded key: a surface with the same fold is a diacritic variant.
        for f in self.forms.values():
            if f.role != "variant":
                self.by_fold.setdefault(fold(f.text), []).append(f)
        self.variant_by_fold = {
            fold(f.text): f for f in sorted(self.forms.values(), key=lambda f: f.text) if f.role == "variant"
        }
        self.accepted: dict[str, list[Form]] = {}
        for f in self.forms.values():
            if f.role != "variant":
                self.accepted.setdefault(f.person, []).append(f)
        for forms in self.by_fold.values():
            forms.sort(key=lambda f: (f.role != "canonical", -diacritic_count(f.text), f.text))
        sequences = {tuple(fold(f.text).split()) for f in self.forms.values()}
        body = trie_regex(sorted(sequences)) if sequences else r"(?!x)x"
        # No look-behind at the front: sre then scans for the first letters quickly; the
        # word boundary before a match is checked in `match`.
        self.pattern = re.compile(r"(?:" + body + r")(?!\w)")
        # Fuzzy index: accepted name-only forms of two or more words, blocked by the first
        # and by the last word (a misspelling rarely touches both).
        self.fuzzy: dict[tuple[int, int, str], list[tuple[str, Form]]] = {}
        for f in self.forms.values():
            if f.role == "variant" or f.text.isupper():
                continue
            words = f.text.split()
            if len(words) < 2 or any(w in self.titles for w in words):
                continue
            key = fold(f.text).lower()
            toks = key.split()
            for side, tok in ((0, toks[0]), (1, toks[-1])):
                self.fuzzy.setdefault((len(toks), side, tok), []).append((key, f))
        self.fuzzy_sizes = sorted({k[0] for k in self.fuzzy})

    # -- matching ------------------------------------------------------------------
    def match(self, text: str) -> list[NameMatch]:
        """Registered forms in `text` (NFC), longest first, left to right, no overlaps."""
        out = []
        folded = fold(text)
        for m in self.pattern.finditer(folded):
            if m.start() > 0 and (folded[m.start() - 1].isalnum() or folded[m.start() - 1] == "_"):
                continue
            surface = " ".join(text[m.start() : m.end()].split())
            form = self.forms.get(surface)
            if form is not None:
                if form.role == "variant":
                    out.append(
                        NameMatch(
                            m.start(),
                            m.end(),
                            surface,
                            form.person,
                            "variant",
                            self.safe_target(surface, form),
                            "a discouraged variant",
                        )
                    )
                else:
                    out.append(NameMatch(m.start(), m.end(), surface, form.person, "ok"))
                continue
            accepted = self.by_fold.get(fold(surface))
            if accepted:
                best = accepted[0]
                out.append(
                    NameMatch(m.start(), m.end(), surface, best.person, "variant", best.text, "diacritics differ")
                )
            else:
                # A listed variant written with other diacritics is still that variant.
                alt = self.variant_by_fold.get(fold(surface))
                if alt is not None:
                    out.append(
                        NameMatch(
                            m.start(),
                            m.end(),
                            surface,
                            alt.person,
                            "variant",
                            self.safe_target(surface, alt),
                            "a discouraged variant",
                        )
                    )
        return out

    def _is_title(self, word: str) -> bool:
        return word in self.titles or (word.isupper() and word.capitalize() in self.titles)

    def safe_target(self, surface: str, form: Form) -> str:
        """What to write for the variant `surface`, changing as little as the reader sees:
        an explicit `fix` of the registry if it keeps the surface's leading titles, else the
        closest accepted form of the person with the same leading titles ("President
        Zelensky" -> "President Zelenskyy", not "Volodymyr Zelenskyy"); the target itself
        when no accepted form keeps them."""
        words = surface.split()
        lead = words[: next((i for i, w in enumerate(words) if not self._is_title(w)), len(words))]
        upper = surface.isupper()

        def keeps(text: str) -> bool:
            toks = text.split()
            return toks[: len(lead)] == lead and (len(toks) == len(lead) or not self._is_title(toks[len(lead)]))

        if form.target != form.person and keeps(form.target):
            return form.target  # the registry names this variant's fix
        options = [f.text for f in self.accepted.get(form.person, ()) if f.text.isupper() == upper and keeps(f.text)]
        if not options:
            return form.target
        key = fold(surface).lower()
        return min(options, key=lambda t: (Levenshtein.distance(key, fold(t).lower()), t))

    def misspellings(
        self,
        text: str,
        runs: list[list[tuple[int, int, str]]],
        taken: list[tuple[int, int]],
        max_distance: int = 2,
        long_name: int = 16,
    ) -> list[NameMatch]:
        """Windows of capitalised runs within a small edit distance of a registered name.

        `taken` are spans already matched by the registry (never re-reported). A name
        shorter than `long_name` characters allows one edit, a longer one `max_distance`.
        """
        found: list[NameMatch] = []
        starts = [s for s, _ in taken]
        for run in runs:
            # Stretches of words a name can consist of (no titles, no capitals-only words).
            stretch: list[tuple[int, int, str, str]] = []
            for tok in run + [None]:
                if tok is not None:
                    w = tok[2]
                    if w in PARTICLES or (w not in self.titles and not (len(w) > 1 and w.isupper())):
                        stretch.append((tok[0], tok[1], w, fold(w).lower()))
                        continue
                if len(stretch) >= 2:
                    found.extend(self._near_misses(text, stretch, taken, starts, max_distance, long_name))
                stretch = []
        # Overlapping windows: keep the longest, then the closest, deterministically.
        found.sort(key=lambda m: (-(m.end - m.start), m.distance, m.start))
        kept: list[NameMatch] = []
        for m in found:
            if all(m.end <= k.start or m.start >= k.end for k in kept):
                kept.append(m)
        return sorted(kept, key=lambda m: m.start)

    def _near_misses(self, text, stretch, taken, starts, max_distance, long_name) -> Iterable[NameMatch]:
        """Windows of one stretch of name words that are near misses of registered names."""
        for n in self.fuzzy_sizes:
            for i in range(len(stretch) - n + 1):
                window = stretch[i : i + n]
                first, last = window[0][3], window[-1][3]
                blocks = self.fuzzy.get((n, 0, first), ()), self.fuzzy.get((n, 1, last), ())
                if not (blocks[0] or blocks[1]) or window[0][2] in PARTICLES or window[-1][2] in PARTICLES:
                    continue
                start, end = window[0][0], window[-1][1]
                if overlaps_taken(taken, starts, start, end):
                    continue
                toks = [t[3] for t in window]
                key = " ".join(toks)
                best = None
                for block in blocks:
                    for form_key, form in block:
                        limit = max_distance if len(form_key) >= long_name else 1
                        d = Levenshtein.distance(key, form_key, score_cutoff=limit)
                        if d == 0 or d > limit or key in self.distinct.get(form.person, ()):
                            continue
                        # Typos keep initials; "John Berry" is not "John Kerry".
                        if any(a[0] != b[0] for a, b in zip(toks, form_key.split())):
                            continue
                        rank = (d, form.role != "canonical", form.text)
                        if best is None or rank < best[0]:
                            best = (rank, form)
                if best is not None:
                    (d, _, _), form = best
                    yield NameMatch(
                        start,
                        end,
                        " ".join(text[start:end].split()),
                        form.person,
                        "misspelling",
                        form.text,
                        f"{d} edit{'s' if d > 1 else ''} from a registered name",
                        d,
                    )

    def fix_text(self, text: str, max_distance: int = 2, long_name: int = 16) -> str:
        """`text` with every variant and misspelling replaced by its fix (for self-tests)."""
        text = unicodedata.normalize("NFC", text)
        matches = self.match(text)
        taken = [(m.start, m.end) for m in matches]
        wrong = [m for m in matches if m.kind == "variant"]
        wrong += self.misspellings(text, candidate_runs(text), taken, max_distance, long_name)
        for m in sorted(wrong, key=lambda m: m.start, reverse=True):
            text = text[: m.start] + (m.fix or m.text) + text[m.end :]
        return text

    def self_test(self) -> list[str]:
        """Run every entry's examples; return the failures (empty when all pass)."""
        failures = []
        for person, src, want in self.examples:
            got = self.fix_text(src)
            if got != unicodedata.normalize("NFC", want):
                failures.append(f"{person}: {src!r} gave {got!r}, expected {want!r}")
        return failures


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).split())


def _strings(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: expected a list of names")
    return [_clean(v) for v in value]


def overlaps_taken(taken: list[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of the sorted, disjoint `taken` spans (`starts`: their starts)."""
    i = bisect.bisect_left(starts, end)
    # Spans are sorted and disjoint: only the one just before `end` can overlap.
    return i > 0 and taken[i - 1][1] > start


def load_registry(context: Any) -> Registry:
    """The registry of `checks/data/names.yaml`, built once per process."""
    cache = getattr(context, "_cache", None)
    if cache is not None and "names:registry" in cache:
        return cache["names:registry"]
    try:
        data = context.yaml(REGISTRY_FILE)
    except ConfigError:
        if not context.data_path(REGISTRY_FILE).exists():
            data = {}  # no registry: name-inconsistent still works
        else:
            raise
    registry = Registry(data, source=str(context.data_path(REGISTRY_FILE)))
    if cache is not None:
        cache["names:registry"] = registry
    return registry
