"""Body language with py3langid (its model ships inside the PyPI package: no download)."""

from __future__ import annotations

from typing import Any

from ..model import Document

_SAMPLE_CHARS = 4000
_identifier = None


def identify(text: str) -> str | None:
    """ISO 639-1 code of `text`, or None when there is too little text to tell."""
    global _identifier
    if len(text.split()) < 3:
        return None
    if _identifier is None:
        from pathlib import Path

        from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

        _identifier = LanguageIdentifier.from_modelpath(Path(MODEL_DIR) / MODEL_FILE, norm_probs=True)
    lang, _ = _identifier.classify(text[:_SAMPLE_CHARS])
    return lang


def extract(doc: Document, context: Any) -> None:
    """Fill language from the body."""
    doc.record["language"] = identify(doc.record.get("body") or doc.body)
