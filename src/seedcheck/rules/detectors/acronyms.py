"""`acronym-mismatch`: an acronym in parentheses that does not abbreviate the name before it.

Only the construct "Capitalised Name Of Several Words (ACRONYM)" is considered. The name
is read backwards from the parenthesis across a line wrap, through connectors ("of",
"and", "with", "for", "to", "&", commas: "Individuals with Disabilities Education Act",
"Asian & Pacific Islander American Health Forum", "Science, Technology and Economic
Policy"). The check is the Schwartz–Hearst alignment used for abbreviation extraction:
every letter of the short form must be found, right to left, in some stretch of words
ending at the parenthesis, its first letter at the start of a word. It is permissive by
design (USMCA, ASEAN, NATO pass), so what fails really does not match.

What fails is one of two things:
- **a near miss** (reported by default): the acronym is one letter away from the
  initials of the name's last words, so a word is missing or misspelt ("State Small
  Business Initiative (SSBCI)", "Restaurant Revitalization Fund (RFF)"), or the
  parenthesis sits inside the name ("Department of Health and Human (HHS) Services");
- **another language's acronym** ("High Level Economic Dialogue (DEAN)", the Spanish
  Diálogo Económico de Alto Nivel): reported only with `foreign: true`. In English
  originals these are almost always the official acronyms of foreign bodies (BAKAMLA,
  MINUSMA, CONIDA), so they are worth reading only in translated corpora.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz.distance import Levenshtein

from ...facts import facts_of
from ...model import Document, Fix, Hit
from . import detector

_SHORT = re.compile(r"\(([A-Z]{3,8})\)")
_TOKEN = re.compile(r"[\w'’.&-]+|,")
_CONNECTORS = frozenset(
    {
        "of",
        "and",
        "for",
        "on",
        "the",
        "to",
        "in",
        "de",
        "del",
        "la",
        "y",
        "with",
        "a",
        "an",
        "at",
        "&",
        ",",
        "des",
        "du",
        "et",
        "le",
        "les",
    }
)
_MAX_WORDS = 14
_ARTICLE = re.compile(r"\b(?:a|an|A|An)\s*$")
# Words a writer leaves after the parenthesis although the acronym covers them.
_KIND_WORDS = frozenset(
    {
        "program",
        "programs",
        "programme",
        "act",
        "agency",
        "initiative",
        "fund",
        "project",
        "network",
        "plan",
        "system",
        "council",
        "committee",
        "center",
        "centre",
        "office",
        "grant",
        "grants",
        "award",
        "awards",
        "partnership",
        "facility",
        "strategy",
    }
)


def aligns(short: str, long: str) -> bool:
    """Schwartz & Hearst (2003): can `short` be read right to left inside `long`, with its
    first character at the start of a word?"""
    s = [c.lower() for c in short if c.isalnum()]
    text = long.lower()
    si, li = len(s) - 1, len(text) - 1
    while si >= 0:
        c = s[si]
        while li >= 0 and (text[li] != c or (si == 0 and li > 0 and text[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return False
        si -= 1
        li -= 1
    return True


def name_words(before: str) -> list[str]:
    """The capitalised name right before `(`, as words (connectors kept), read backwards
    until a word that cannot be part of a name."""
    tokens = _TOKEN.findall(before)
    words: list[str] = []
    for tok in reversed(tokens):
        if len(words) >= _MAX_WORDS:
            break
        core = tok.strip("'’.-")
        if not core:
            break
        if core[0].isupper() or core.isdigit() and words or tok.lower() in _CONNECTORS:
            words.append(core if tok != "," else ",")
            continue
        break
    words.reverse()
    while words and words[0].lower() in _CONNECTORS and not words[0][:1].isupper():
        words.pop(0)  # a name starts with a capitalised word ("The American Border Story")
    return words


def _last_name(words: list[str]) -> list[str]:
    """The words after the last comma or "and the" (where one name ends and another starts)."""
    start = 0
    for i, w in enumerate(words):
        if w == "," or (
            w.lower() in ("and", "or") and i + 1 < len(words) and words[i + 1].lower() in ("the", "a", "an")
        ):
            start = i + 1
    return words[start:]


def _initials(words: list[str]) -> str:
    return "".join(w[0].upper() for w in words if w.lower() not in _CONNECTORS)


def classify(short: str, words: list[str], after: str, article: bool = False) -> str | None:
    """None when `short` abbreviates a stretch of `words`; else "near" (one letter from
    the initials of the name's last words, or the parenthesis inside the name) or
    "foreign" (no relation)."""
    content = [w for w in words if w.lower() not in _CONNECTORS]
    if len(content) < 2:
        return None
    for start in range(len(words)):
        if words[start][:1].isupper() and aligns(short, " ".join(words[start:])):
            return None  # ("The American Border Story (TABS)": a capitalised "The" may belong to it)
    first = re.match(r"\s*([\w’'-]+)", after)  # the word right after the parenthesis, no comma between
    nxt = first.group(1) if first else ""
    if nxt[:1].upper() == short[-1] and aligns(short[:-1], " ".join(words)):
        # "Health and Human (HHS) Services": the parenthesis splits the name; "Rural Energy
        # for America (REAP) program": the lower-case word is part of what it abbreviates.
        if nxt[:1].isupper():
            return "near"
        if nxt.lower() in _KIND_WORDS:
            return None
    # One letter from the initials of three or more of the name's last words (of one name:
    # "the Governor of Hawaiʻi and the Pacific Community" names two bodies).
    initials = _initials(_last_name(words))
    if sorted(short) == sorted(initials[-len(short) :]):
        return "foreign"  # the same initials in another order: a translated name (FDLR, GPA)
    if article and initials.endswith(short[:-1]):
        return None  # "a Historically Black College (HBCU)": the acronym of the class, used as a noun
    for k in range(max(3, len(short) - 1), min(len(initials), len(short) + 1) + 1):
        # Another first letter names something else: "the Secretary of Homeland Security (DHS)".
        if initials[-k] == short[0] and Levenshtein.distance(short, initials[-k:], score_cutoff=1) <= 1:
            return "near"
    # Another language's acronym: only when the name has about as many words as it has letters.
    return "foreign" if len(content) >= 3 and abs(len(content) - len(short)) <= 1 else None


def _shown(words: list[str], letters: int) -> str:
    """The name as shown in the message: its last `letters` + 1 content words."""
    count, start = 0, len(words)
    while start > 0 and count < letters + 1 and words[start - 1] != ",":
        start -= 1
        count += words[start].lower() not in _CONNECTORS
    while start < len(words) and words[start].lower() in _CONNECTORS:
        start += 1
    return " ".join(words[start:]).replace(" ,", ",")


_WHY = {
    "near": "a word missing or misspelt, or the acronym inside the name?",
    "foreign": "a translated or foreign-language acronym?",
}


@detector("acronym-mismatch")
def acronym_mismatch(doc: Document, params: dict, context) -> Iterable[Hit]:
    """Flag `(ACRONYM)` after a multi-word name whose letters it cannot be aligned with."""
    language = doc.record.get("language")
    if language and language != (getattr(context, "corpus_language", None) or "en").lower():
        return  # another language's names are not English initials
    previous: list[str] = []  # the paragraph's two lines before this one (a name may wrap twice)
    lines = facts_of(doc).body_lines
    for i, (number, text) in enumerate(lines):
        if "(" in text:
            for m in _SHORT.finditer(text):
                short = m.group(1)
                before = " ".join(previous + [text[: m.start()]])
                words = name_words(before)
                article = bool(words) and _ARTICLE.search(before[: before.rfind(words[0])]) is not None
                after = text[m.end() :]
                if not after.strip() and i + 1 < len(lines):
                    after = " " + lines[i + 1][1]  # the name may go on after a line wrap
                kind = classify(short, words, after, article)
                if kind is None or (kind == "foreign" and not params["foreign"]):
                    continue
                long = _shown(words, len(short))
                yield Hit(
                    line=number,
                    column=m.start() + 1,
                    end_column=m.end() + 1,
                    values={"short": short, "long": long, "why": _WHY[kind]},
                    fix=Fix(
                        "use the acronym of the name as written, or name what the acronym abbreviates", None, safe=False
                    ),
                )
        previous = (previous + [text])[-2:] if text.strip() else []
