"""Where the article sits on a scraped page: the span of lines that holds most of its running
text, so `noise-navigation` can ask less of its line model outside it.

A news or blog page is menus, then the article, then what follows it (share rows, related
headlines, archive lists, a comment section, the footer). Reader comments are running text
too, so "after the last prose line" is not where the article ends. The article is the span
where text is densest: the contiguous run of lines with the highest sum of line values, where
a line of running text is worth its words and any other line costs a few, a one- or two-word
line more (menu entries and comment heads; an article's headings are longer): the line-level
form of body-text extraction by maximum subarray (Finn, Kushmerick and Smyth 2001). A line a noise
lexicon names ("Leave a Reply", "Share this") costs more: the article does not run through it.
"""

from __future__ import annotations

from .layout import Layout

_SHORT_COST = 3  # a line that is not running text: a heading, a caption, a date line
_TINY_COST = 10  # a line of one or two words: a menu entry, a commenter's name, a Reply button
_FURNITURE_COST = 15  # a line a noise lexicon claims


def article_span(lay: Layout, claimed: set[int]) -> tuple[int, int] | None:
    """(first, last) layout indices of the densest span of running text, or None when the
    page has no running text."""
    best, best_span = 0.0, None
    total, start = 0.0, 0
    for k in range(len(lay.norm)):
        if lay.prose[k] and k not in claimed:
            value = float(lay.words[k])
        else:
            value = -float(_FURNITURE_COST if k in claimed else _TINY_COST if lay.words[k] <= 2 else _SHORT_COST)
        if total <= 0:
            total, start = 0.0, k
        total += value
        if total > best:
            best, best_span = total, (start, k)
    return best_span
