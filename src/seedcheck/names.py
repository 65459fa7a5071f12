"""Person names: the registry (`checks/data/names.yaml`), its matcher, and name candidates.

- **Registry**: per person a canonical spelling, allowed forms and discouraged variants.
  Every form is also registered in upper case (headings); any form that differs from a
  canonical or allowed form only by diacritics is a variant of that form without being
  listed. Self-test examples (textlint-prh `specs`) run when the registry is built.
- **Matcher**: one compiled regex (a token trie, longest alternative first, so the
  longest registered form wins at each position and overlaps resolve the same way every
  run) over the document body after NFC normalisation and a length-preserving fold that
  drops diacritics. The surface text found is then looked up exactly: a canonical or
  allowed form is fine, a listed variant or a diacritic difference is a `name-variant`.
- **Candidates**: capitalised word runs ("Anthony Blinken", "Juan S. Gonzalez"), used
  for `name-misspelling` (a near miss of a registered name, by rapidfuzz Levenshtein
  distance with blocking on the first or last word) and by the `name-inconsistent`
  corpus analyzer.

The analysis of a document is computed once and shared by the `people` extractor, the
two detectors and the corpus analyzer (see `analyse`).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz.distance import Levenshtein

from .config import ConfigError
from .facts import Facts, facts_of

REGISTRY_FILE = "names.yaml"

# ---------------------------------------------------------------------------------------
# Unicode: NFC with an offset map, and a fold that keeps string length (1 char -> 1 char)
# so offsets in the folded text are offsets in the NFC text.

_FOLD_CACHE: dict[str, str] = {}
# Letters NFD does not decompose but that readers see as "the same letter, no accent".
_FOLD_EXTRA = {
    "ł": "l",
    "Ł": "L",
    "ø": "o",
    "Ø": "O",
    "đ": "d",
    "Đ": "D",
    "ı": "i",
    "ħ": "h",
    "’": "'",
    "‘": "'",
    "ʼ": "'",
    "\u00a0": " ",
    "‐": "-",
    "‑": "-",
}


def _fold_char(ch: str) -> str:
    out = _FOLD_CACHE.get(ch)
    if out is None:
        if ch in _FOLD_EXTRA:
            out = _FOLD_EXTRA[ch]
        elif ord(ch) < 0xC0:
            out = ch
        else:
            base = unicodedata.normalize("NFD", ch)
            stripped = "".join(c for c in base if not unicodedata.combining(c))
            out = stripped if len(stripped) == 1 else ch
        _FOLD_CACHE[ch] = out
    return out


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_match(m: re.Match) -> str:
    return _fold_char(m.group())


def fold(text: str) -> str:
    """Drop diacritics (and unify apostrophes), one character for one character."""
    if text.isascii():
        return text
    return _NON_ASCII.sub(_fold_match, text)


def diacritic_count(text: str) -> int:
    """How many characters of `text` carry a diacritic (fold changes them)."""
    return sum(1 for c in text if ord(c) >= 0xC0 and _fold_char(c) != c and c not in "’‘ʼ\u00a0‐‑")


def nfc_with_map(text: str) -> tuple[str, list[int] | None]:
    """`text` in NFC, and for each NFC index the index in `text` (None when unchanged)."""
    norm = unicodedata.normalize("NFC", text)
    if norm == text:
        return text, None
    # Compose segment by segment (a starter and its combining marks), recording offsets.
    out: list[str] = []
    index: list[int] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or unicodedata.combining(text[i]) == 0:
            piece = unicodedata.normalize("NFC", text[start:i])
            out.append(piece)
            index.extend([start] * len(piece))
            start = i
    index.append(len(text))
    return "".join(out), index


# ---------------------------------------------------------------------------------------
# Registry


@dataclass(frozen=True, slots=True)
class Form:
    """A registered spelling: its role and, for variants, the spelling that replaces it."""

    text: str
    person: str  # the canonical name
    role: str  # canonical | allowed | variant
    target: str  # what to write instead (itself for canonical/allowed forms)


@dataclass(slots=True)
class NameMatch:
    """A name found in a document: offsets in the NFC body text, and what it means."""

    start: int
    end: int
    text: str
    person: str
    kind: str  # ok | variant | misspelling
    fix: str | None = None
    reason: str = ""
    distance: int = 0


def _tokens_of(form: str) -> list[str]:
    return form.split()


def _trie_regex(sequences: Iterable[tuple[str, ...]]) -> str:
    """A regex matching any of the token sequences, longer continuations tried first."""
    trie: dict = {}
    for seq in sequences:
        node = trie
        for tok in seq:
            node = node.setdefault(tok, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = []
        for tok in sorted((t for t in node if t), key=lambda t: (-len(t), t)):
            child = node[tok]
            rest = {k: v for k, v in child.items() if k}
            piece = re.escape(tok)
            # Word characters at the edge of a token need a boundary; punctuation does not.
            if rest:
                # Greedy: the longer form is tried first, the shorter one is the fallback.
                tail = r"\s+(?:" + build(child) + ")"
                piece += f"(?:{tail})" + ("?" if "" in child else "")
            alts.append(piece)
        return "|".join(alts)

    return build(trie)


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
        body = _trie_regex(sorted(sequences)) if sequences else r"(?!x)x"
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
                if _overlaps(taken, starts, start, end):
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


def _overlaps(taken: list[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
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


# ---------------------------------------------------------------------------------------
# Capitalised word runs

_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*\.?")
_GAP = re.compile(r"[ \t\u00a0]+(?:\n[ \t\u00a0]*)?|\n[ \t\u00a0]*")
_URL = re.compile(r"\w+://\S+|www\.\S+|\S+@\S+\.\w+")
PARTICLES = frozenset(
    {
        "de",
        "del",
        "la",
        "las",
        "los",
        "da",
        "das",
        "do",
        "dos",
        "van",
        "von",
        "der",
        "den",
        "bin",
        "ibn",
        "al",
        "el",
        "y",
        "di",
        "du",
        "le",
        "ter",
        "zu",
    }
)
ABBREVIATIONS = frozenset(
    {
        "Jr.",
        "Sr.",
        "Dr.",
        "Mr.",
        "Mrs.",
        "Ms.",
        "St.",
        "Sen.",
        "Rep.",
        "Gov.",
        "Gen.",
        "Adm.",
        "Col.",
        "Lt.",
        "Sgt.",
        "Capt.",
        "Prof.",
        "Rev.",
    }
)


_UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u024f\u0386-\u03ab\u0400-\u042f\u1e00-\u1eff"
# A loose word (single-character repeats only, so a failing match backtracks in linear
# time); `_runs_in` re-tokenises each span with the strict `_TOKEN`.
_CAP_TOKEN = rf"[{_UPPER}][\w'’\-]*\.?"
# A superset of every run of two or more capitalised words (Latin Extended and Vietnamese
# ranges mix cases: `candidate_runs` checks each word's case again).
_GAP_RE = r"(?:[ \t\u00a0]+(?:\n[ \t\u00a0]*)?|\n[ \t\u00a0]*)"
_RUN_SPAN = re.compile(
    # Only at a word start: inside a long word every position would otherwise re-scan it.
    # The capital comes first and the word start is checked behind it, so `re` scans for
    # a capital rather than trying the look-behind at every position.
    rf"[{_UPPER}](?<!(?:[^\W\d_]|['’\-])[{_UPPER}])[\w'’\-]*\.?"
    + "(?:"
    + _GAP_RE
    + "(?:(?:"
    + "|".join(
        sorted(
            {
                "de",
                "del",
                "la",
                "las",
                "los",
                "da",
                "das",
                "do",
                "dos",
                "van",
                "von",
                "der",
                "den",
                "bin",
                "ibn",
                "al",
                "el",
                "y",
                "di",
                "du",
                "le",
                "ter",
                "zu",
            },
            key=lambda w: (-len(w), w),
        )
    )
    + ")"
    + _GAP_RE
    + ")*"
    + _CAP_TOKEN
    + ")+"
)


def candidate_runs(text: str) -> list[list[tuple[int, int, str]]]:
    """Runs of capitalised words (with initials and name particles) as (start, end, word).

    A run breaks at punctuation, a blank line, a lower-case word that is not a particle,
    a sentence end and a possessive ("Biden’s" ends a run after "Biden"). URLs are skipped.
    Only spans that look like two or more capitalised words are tokenised (fast path).
    """
    runs: list[list[tuple[int, int, str]]] = []
    done = 0
    for span in _RUN_SPAN.finditer(text):
        start = span.start()
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_'’-/.@"):
            # Inside a word, a URL or a path: tokenise from the word's start instead.
            while start > done and not text[start - 1].isspace():
                start -= 1
        end = span.end()
        while end < len(text) and not text[end].isspace():
            end += 1  # to the end of the word: an e-mail address or URL is seen whole
        runs.extend(_runs_in(text, start, end))
        done = end
    return runs


def _runs_in(text: str, lo: int, hi: int) -> list[list[tuple[int, int, str]]]:
    """The capitalised word runs of text[lo:hi] (see `candidate_runs`)."""
    region = text[lo:hi]
    skip = (
        [(m.start() + lo, m.end() + lo) for m in _URL.finditer(region)]
        if ("://" in region or "www." in region or "@" in region)
        else []
    )
    runs: list[list[tuple[int, int, str]]] = []
    run: list[tuple[int, int, str]] = []
    pending: list[tuple[int, int, str]] = []  # particles waiting for a capitalised word
    last_end = -1
    for m in _TOKEN.finditer(text, lo, hi):
        start, end, word = m.start(), m.end(), m.group()
        if skip and any(s <= start < e for s, e in skip):
            continue
        connected = last_end >= 0 and _GAP.fullmatch(text, last_end, start) is not None
        if not connected:
            if run:
                runs.append(run)
            run, pending = [], []
        brk = False
        if word.endswith("."):
            core = word[:-1]
            if len(core) > 1 and word not in ABBREVIATIONS:
                word, end, brk = core, end - 1, True  # a sentence end, not an initial
        for suffix in ("’s", "'s"):
            if word.endswith(suffix) and len(word) > 2:
                word, end, brk = word[:-2], end - 2, True
        if word[:1].isupper():
            run.extend(pending)
            pending = []
            run.append((start, end, word))
        elif run and word in PARTICLES and not brk:
            pending.append((start, end, word))
        else:
            if run:
                runs.append(run)
            run, pending = [], []
        last_end = end
        if brk:
            if run:
                runs.append(run)
            run, pending, last_end = [], [], -1
    if run:
        runs.append(run)
    return runs


# ---------------------------------------------------------------------------------------
# Per-document analysis, shared by the extractor, the detectors and the corpus analyzer


@dataclass(slots=True)
class Analysis:
    """A document's body as one NFC string, its line map, registry matches and runs."""

    text: str
    line_starts: list[int]
    line_numbers: list[int]
    line_maps: list[list[int] | None]
    matches: list[NameMatch]
    runs: list[list[tuple[int, int, str]]]
    _misspellings: dict[tuple[int, int], list[NameMatch]] = field(default_factory=dict)

    def position(self, offset: int) -> tuple[int, int]:
        """(file line number, 1-based column in the line as read) of a text offset."""
        i = bisect.bisect_right(self.line_starts, offset) - 1
        col = offset - self.line_starts[i]
        mapping = self.line_maps[i]
        if mapping is not None:
            col = mapping[min(col, len(mapping) - 1)]
        return self.line_numbers[i], col + 1

    def span(self, start: int, end: int) -> tuple[int, int, int, int]:
        """(line, column, end line, end column) of [start, end)."""
        line, col = self.position(start)
        end_line, end_col = self.position(max(start, end - 1))
        return line, col, end_line, end_col + 1

    def taken(self) -> list[tuple[int, int]]:
        return [(m.start, m.end) for m in self.matches]

    def misspellings(self, registry: Registry, max_distance: int = 2, long_name: int = 16) -> list[NameMatch]:
        key = (max_distance, long_name)
        if key not in self._misspellings:
            self._misspellings[key] = registry.misspellings(self.text, self.runs, self.taken(), max_distance, long_name)
        return self._misspellings[key]


def analyse(doc: Any, context: Any) -> Analysis:
    """The name analysis of `doc`, computed once per document (see `seedcheck.facts`)."""
    return facts_of(doc, context).fact(_analysis_of)


def _analysis_of(facts: Facts) -> Analysis:
    doc = facts.doc
    registry = load_registry(facts.context)
    pieces, starts, numbers, maps = [], [], [], []
    offset = 0
    for number, line in facts.body_lines:
        norm, mapping = nfc_with_map(line)
        starts.append(offset)
        numbers.append(number)
        maps.append(mapping)
        pieces.append(norm)
        offset += len(norm) + 1
    text = "\n".join(pieces)
    if not starts:
        starts, numbers, maps = [0], [doc.body_start + doc.line_offset + 1], [None]
    return Analysis(text, starts, numbers, maps, registry.match(text), candidate_runs(text))
