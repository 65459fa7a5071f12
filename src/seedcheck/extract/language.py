"""Body language with py3langid (its model ships inside the PyPI package: no download).

Chosen over lingua-language-detector after measuring both on this corpus's short texts
(see the README section "Noise and text rules"): similar accuracy on titles and
paragraphs, py3langid one to two orders of magnitude faster and a few MB instead of
hundreds. The text is cleaned first (markup, URLs, end marks), since `<sup>`, link
targets and `###` are not language.
"""

from __future__ import annotations

import re
from typing import Any

from ..facts import facts_of
from ..model import Document

_SAMPLE_CHARS = 4000
_identifier = None
_NOISE = re.compile(r"https?://\S+|www\.\S+|<[^<>]{0,200}>|&[a-zA-Z#0-9]{2,8};|[\\#*_>|\[\](){}]+")


def clean(text: str) -> str:
    """Text without URLs, tags, entities and markdown punctuation."""
    return " ".join(_NOISE.sub(" ", text).split())


def identify_with_confidence(text: str) -> tuple[str | None, float | None]:
    """ISO 639-1 code of `text` and the identifier's probability, or (None, None) when
    there are fewer than 3 words."""
    global _identifier
    text = clean(text[: _SAMPLE_CHARS * 2])[:_SAMPLE_CHARS]
    if len(text.split()) < 3:
        return None, None
    if _identifier is None:
        _identifier = _load()
    lang, prob = _identifier.classify(text)
    return lang, float(prob)


def _load():
    """py3langid's identifier with the windowed walk (`language_walk`), or py3langid's own
    when the installed model or version does not give the same counts on `_SELF_CHECK`."""
    from pathlib import Path

    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    from . import language_walk

    path = Path(MODEL_DIR) / MODEL_FILE
    try:
        fast = language_walk.WindowedIdentifier.from_modelpath(path, norm_probs=True)
        if fast.agrees_with_the_walk(_SELF_CHECK):
            return fast
    except (AttributeError, TypeError, ValueError):  # another py3langid's internals
        pass
    return LanguageIdentifier.from_modelpath(path, norm_probs=True)


# Texts in several scripts, checked at load: the windowed counts must equal py3langid's walk.
_SELF_CHECK = (
    "The President signed the bill into law on Tuesday, July 4, 2023.",
    "Le président a signé la loi mardi; «c’est historique», a-t-il dit.",
    "Der Präsident unterzeichnete das Gesetz am Dienstag in Washington.",
    "Президент подписал закон во вторник. 大统领于周二签署了该法案。",
    "مرحبا بالعالم — नमस्ते दुनिया — こんにちは世界 🧑‍🔧 x",
)


def identify(text: str) -> str | None:
    """ISO 639-1 code of `text`, or None when there is too little text to tell."""
    return identify_with_confidence(text)[0]


def extract(doc: Document, context: Any) -> None:
    """Fill language from the body (and the identifier's confidence, `Facts.language_confidence`)."""
    lang, prob = identify_with_confidence(doc.record.get("body") or doc.body)
    doc.record["language"] = lang
    facts_of(doc, context).language_confidence = prob
