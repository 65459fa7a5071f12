"""Templated siblings: two documents cut from one template about different events.

The text and specifics checks of `duplicate-near` (and the hash of `duplicate-exact`)
cannot tell a copy from a yearly notice whose only change is the year, a statement on
another missile launch in the same words, or a fact sheet with one firm's name swapped
for another's. What tells them apart is around the text:

- **dates far apart**: copies of one release appear within days of each other; the same
  wording weeks or years apart is another notice (`max_days_apart`), unless the later one
  has the same title and holds the earlier one and more (a running list kept up to date);
- **a title that differs in a slot**: the titles agree except for a few words replaced
  (``Nomination``/``Withdrawal``, ``Sweden``/``Finland``, one firm for another);
- **one publisher, loose wording**: a publisher re-posts its own release nearly word for
  word; two of its releases that only share phrasing are two releases
  (`same_source_gram_jaccard`, `same_source_containment`). Paraphrases and translations
  come from another source, where the looser thresholds of the rule apply.

`sibling_reason` returns why a verified pair is not a copy, or None when it is one.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools

# A title slot: at most this many words replaced on each side, with this many kept.
SLOT_WORDS = 4
MIN_SHARED_TITLE_WORDS = 3
# A later version under the same title: most of the earlier text kept, and this much longer
# (share and characters of folded text: a longer link alone does not make a new version).
GROWN_CONTAINMENT = 0.8
GROWN_LENGTH_RATIO = 1.15
GROWN_MIN_CHARS = 300
# Replacing only these ("Statement by …" / "Statement from …", "UPDATED FACT SHEET: …")
# does not name another event.
_FUNCTION_WORDS = frozenset(
    ["a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "the", "to", "with"]
    + ["updated", "update", "revised", "corrected", "new"]
)


@functools.lru_cache(maxsize=1 << 14)
def parse_date(text: str) -> dt.date | None:
    """The date of a record's `date` field (its first 10 characters), or None."""
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


def days_apart(a: str, b: str) -> int | None:
    """Days between two record dates; None when either is missing or unreadable."""
    da, db = parse_date(a), parse_date(b)
    return abs((da - db).days) if da and db else None


def title_slot(a: str, b: str) -> tuple[str, str] | None:
    """The words that differ when two folded titles agree except for a few replaced
    words (``("nomination", "withdrawal")``) or one added name ("Approves Florida …" /
    "Approves the Seminole Tribe of Florida …"); None when the titles are equal,
    unrelated, or differ in several places with words added or removed, or only in
    function and version words ("UPDATED FACT SHEET: …" is a new version)."""
    wa, wb = a.split(), b.split()
    if not wa or not wb or wa == wb or len(set(wa) ^ set(wb)) > 2 * SLOT_WORDS:
        return None  # equal, or too different to differ in one slot (no alignment needed)
    ops = difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes()
    changed = [op for op in ops if op[0] != "equal"]
    shared = sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal")
    if shared < MIN_SHARED_TITLE_WORDS or (len(changed) > 1 and any(tag != "replace" for tag, *_ in changed)):
        return None
    if any(i2 - i1 > SLOT_WORDS or j2 - j1 > SLOT_WORDS for _, i1, i2, j1, j2 in changed):
        return None
    content = [w for _, i1, i2, j1, j2 in changed for w in wa[i1:i2] + wb[j1:j2] if w not in _FUNCTION_WORDS]
    # A lone added word ("President Joe Biden") is a wording; an added name of two words is another subject.
    if not content or (changed[0][0] != "replace" and len(content) < 2):
        return None
    return (
        " … ".join(" ".join(wa[i1:i2]) for _, i1, i2, _, _ in changed),
        " … ".join(" ".join(wb[j1:j2]) for _, _, _, j1, j2 in changed),
    )


def grown_version(keep_a, keep_b, title_a: str, title_b: str, contained: float) -> bool:
    """A page kept up to date under one title (a running list): the later document holds
    most of the earlier one and is clearly longer. A newer version, not another event."""
    if title_a != title_b or contained < GROWN_CONTAINMENT:
        return False
    early, late = sorted((keep_a, keep_b), key=lambda k: k.date)
    return late.length >= GROWN_LENGTH_RATIO * early.length and late.length - early.length >= GROWN_MIN_CHARS


def sibling_reason(
    keep_a, keep_b, title_a: str, title_b: str, grams: float, contained: float, by_words: bool, params: dict
) -> str | None:
    """Why a pair that passed the text checks is a templated sibling rather than a copy
    (None: a copy). `keep_*` are the documents' `KeepInfo` (date, domain)."""
    limit = params.get("max_days_apart") or 0
    gap = days_apart(keep_a.date, keep_b.date)
    if limit and gap is not None and gap > limit and not grown_version(keep_a, keep_b, title_a, title_b, contained):
        return f"published {gap} days apart"
    slot = title_slot(title_a, title_b)
    if slot:
        return f"titles differ in '{slot[0]}' / '{slot[1]}'"
    if keep_a.domain and keep_a.domain == keep_b.domain:
        strict_grams = params["same_source_gram_jaccard"]
        strict_contained = params["same_source_containment"]
        if not ((by_words and grams >= strict_grams) or contained >= strict_contained):
            return f"same publisher, wording differs (word 3-gram Jaccard {grams:.2f}, containment {contained:.2f})"
    return None
