"""Small text-hygiene detectors that need a little code beyond a pattern."""

from __future__ import annotations

import re
from collections.abc import Iterable

import regex

from ...facts import facts_of
from ...model import Document, Fix, Hit
from . import detector

# C0/C1 controls (tab excepted), zero-width characters, soft hyphen, BOM and
# bidirectional overrides: invisible in a report, harmful in a corpus.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2060\ufeff\u202a-\u202e\u2066-\u2069]")
# Joiners that belong to a grapheme cluster and must stay: the ZWJ of an emoji sequence
# (🧑‍🔧: a pictograph, its modifiers or variation selector, ZWJ, a pictograph) and ZWJ/ZWNJ
# between letters of the scripts that write with them (Persian, Devanagari, ...).
_EMOJI_TAIL = "[\ufe0e\ufe0f\u20e3\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]*"
JOINER = regex.compile(
    f"(?<=\\p{{Extended_Pictographic}}{_EMOJI_TAIL})\u200d(?=\\p{{Extended_Pictographic}})"
    "|(?<=(?!\\p{Latin})\\p{L}\\p{M}*)[\u200c\u200d](?=(?!\\p{Latin})[\\p{L}\\p{M}])"
)


def invisible_positions(text: str) -> list[int]:
    """Offsets of the control and invisible characters in `text` that are defects (the
    joiners inside an emoji sequence or a word of a joining script are not)."""
    bad = [m.start() for m in CONTROL.finditer(text)]
    if bad and ("\u200c" in text or "\u200d" in text):
        keep = {m.start() for m in JOINER.finditer(text)}
        bad = [i for i in bad if i not in keep]
    return bad


def remove_at(text: str, positions: list[int]) -> str:
    """`text` without the characters at `positions`."""
    drop = set(positions)
    return "".join(c for i, c in enumerate(text) if i not in drop)


@detector("control-characters")
def control_characters(doc: Document, params: dict, context) -> Iterable[Hit]:
    """Control, zero-width and bidi-override characters inside text lines; the fix removes
    them and nothing else (emoji sequences and joining scripts keep their joiners)."""
    # CONTROL cannot match a line break: a body without a match has no line with one.
    if not CONTROL.search(facts_of(doc).body):
        return
    for number, text in facts_of(doc).body_lines:
        if not CONTROL.search(text):
            continue
        bad = invisible_positions(text)
        if not bad:
            continue
        names = sorted({f"U+{ord(text[i]):04X}" for i in bad})
        start, end = bad[0], bad[-1] + 1
        yield Hit(
            line=number,
            column=start + 1,
            end_column=end + 1,
            values={"chars": ", ".join(names), "count": len(bad)},
            fix=Fix("remove the invisible characters", remove_at(text[start:end], [i - start for i in bad])),
        )


# --- mojibake ------------------------------------------------------------------------

# Cheap pre-filter: the second byte of a UTF-8 sequence read as Latin-1/cp1252 after
# Ã, Â, â, Å, Ä, Ð, Ñ, Î, Ï ("LÃ³pez", "â€™"), and the replacement character.
SUSPECT = re.compile("[ÃÂâÅÄÐÑÎÏÆØÙ][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]|\ufffd")


@detector("mojibake")
def mojibake(doc: Document, params: dict, context) -> Iterable[Hit]:
    """Encoding damage, judged by ftfy (`badness.is_bad`) on lines the pre-filter suspects;
    the fix is ftfy's repair of the line's encoding (`fix_encoding` only: `fix_text` would
    also straighten quotes, decode entities and fold widths). A U+FFFD replacement character
    is data already lost: reported without a fix."""
    # SUSPECT cannot match a line break: a body without a match has no suspect line.
    if not SUSPECT.search(facts_of(doc).body):
        return
    from ftfy import fix_encoding
    from ftfy.badness import is_bad

    for number, text in facts_of(doc).body_lines:
        m = SUSPECT.search(text)
        if not m:
            continue
        if "\ufffd" in text:
            at = text.index("\ufffd")
            yield Hit(
                line=number,
                column=at + 1,
                end_column=at + 2,
                values={"sample": text[max(0, at - 10) : at + 10].strip()},
                variant="lost-characters",
                fix=Fix("restore the lost characters from the source", None, safe=False),
            )
            continue
        if not is_bad(text):
            continue
        fixed = fix_encoding(text)
        if fixed == text:
            continue
        # No end column: the fix (ftfy's repair) replaces the whole line.
        yield Hit(
            line=number,
            column=m.start() + 1,
            values={"sample": text[max(0, m.start() - 10) : m.end() + 10].strip()},
            fix=Fix("repair the encoding (ftfy)", fixed),
        )


# --- language ------------------------------------------------------------------------


@detector("language-mismatch")
def language_mismatch(doc: Document, params: dict, context) -> Iterable[Hit]:
    """The body's language (record `language`, identified offline) differs from the corpus
    language. Bodies under `min_words` words or identified with less than
    `min_confidence` are not judged: short texts are where identifiers guess."""
    expected = (getattr(context, "corpus_language", None) or "en").lower()
    language = doc.record.get("language")
    confidence = facts_of(doc).language_confidence
    if not language or language == expected:
        return
    if (doc.record.get("word_count") or 0) < params["min_words"]:
        return
    if confidence is not None and confidence < params["min_confidence"]:
        return
    first = next((n for n, _ in facts_of(doc).content_lines), None)
    yield Hit(
        line=first,
        values={
            "language": language,
            "expected": expected,
            "confidence": round(confidence, 2) if confidence is not None else "n/a",
        },
    )
