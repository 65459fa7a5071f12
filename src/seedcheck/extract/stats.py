"""Document-level text statistics (FineWeb / Gopher style) as record columns.

They describe a document's shape for the report (histograms, outliers) and are not
findings: web-scale thresholds either keep all of this corpus's noise or throw away whole
releases (research/anchors-text.md §7). Computed over the non-blank body lines:

- `terminal_punct_ratio`: share of lines ending in terminal punctuation (FineWeb drops
  a page under 0.12);
- `short_line_ratio`: share of lines of at most 30 characters (FineWeb: over 0.67);
- `duplicate_line_ratio`: share of lines that repeat an earlier line (Gopher: over 0.30);
- `duplicate_char_ratio`: characters in repeated lines / all characters (FineWeb: over 0.01);
- `symbol_word_ratio`: (`#` + ellipses) per word (Gopher: over 0.1);
- `mean_word_length`: characters per word (Gopher keeps 3 to 10).
"""

from __future__ import annotations

from typing import Any

from ..facts import facts_of
from ..model import Document

TERMINAL = (".", "!", "?", '"', "'", "”", "’", ")", ":", ";")
STAT_FIELDS = (
    "terminal_punct_ratio",
    "short_line_ratio",
    "duplicate_line_ratio",
    "duplicate_char_ratio",
    "symbol_word_ratio",
    "mean_word_length",
)


def statistics(lines: list[str]) -> dict[str, float | None]:
    """The statistics of a list of lines (blank lines ignored); None when there is no text."""
    lines = [ln.strip() for ln in lines if ln.strip()]
    if not lines:
        return {name: None for name in STAT_FIELDS}
    total_chars = sum(len(ln) for ln in lines)
    seen: set[str] = set()
    dup_lines = dup_chars = 0
    for ln in lines:
        if ln in seen:
            dup_lines += 1
            dup_chars += len(ln)
        else:
            seen.add(ln)
    split = [ln.split() for ln in lines]
    n_words = sum(map(len, split)) or 1
    symbols = sum(ln.count("#") + ln.count("...") + ln.count("…") for ln in lines)
    terminal = sum(1 for ln in lines if ln.rstrip("*_ ").endswith(TERMINAL) and not ln.endswith("..."))
    return {
        "terminal_punct_ratio": round(terminal / len(lines), 4),
        "short_line_ratio": round(sum(len(ln) <= 30 for ln in lines) / len(lines), 4),
        "duplicate_line_ratio": round(dup_lines / len(lines), 4),
        "duplicate_char_ratio": round(dup_chars / total_chars, 4) if total_chars else 0.0,
        "symbol_word_ratio": round(symbols / n_words, 4),
        "mean_word_length": round(sum(len("".join(words)) for words in split) / n_words, 2),
    }


def extract(doc: Document, context: Any) -> None:
    """Fill the statistics columns from the body lines."""
    doc.record.update(statistics([text for _, text in facts_of(doc, context).content_lines]))
