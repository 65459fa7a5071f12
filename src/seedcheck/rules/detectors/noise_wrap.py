"""Which lines of a hard-wrapped text really continue a paragraph, for the noise rules.

`layout.Layout.wrapped` marks every line of a blank-line block that holds prose: right for a
paragraph, wrong for a run of page furniture with no blank line between its lines (a weather
reading, a breadcrumb and a newsletter prompt over the headline; share links, a copyright line
and a cookie banner under the text). Each of those lines ends on purpose, and the text shows
it: a wrapping tool (pandoc, `fmt`, an editor) fills a line greedily, so a line is followed by
another line of the same paragraph only when the next word did not fit. When the next word
would have fitted, the line break is the author's (or the page's), and the line stands alone.
"""

from __future__ import annotations

from itertools import pairwise

from .layout import Layout

_MIN_SAMPLES = 3  # wrapped lines needed to estimate the wrap width
_PERCENTILE = 0.75  # a low estimate of the width only finds fewer breaks


def wrap_width(lay: Layout) -> int | None:
    """The column the text is wrapped at, estimated from the lines that wrap (those with a
    next line in their block), or None when the text is not hard-wrapped."""
    lengths = sorted(
        len(lay.raw[a].rstrip())
        for block in lay.paragraphs
        if len(block) > 1
        for a in block[:-1]
        if lay.wrapped[a] and not lay.structure[a]
    )
    if len(lengths) < _MIN_SAMPLES:
        return None
    return lengths[int(_PERCENTILE * (len(lengths) - 1))]


def _break_after(lay: Layout, a: int, b: int, width: int) -> bool:
    """Whether the line break between adjacent lines a and b is deliberate: b's first word
    would have fitted at the end of a. Not when the text says the sentence goes on: b starts
    in lower case, a leaves a bracket or an emphasis open, or b overflows the width (a link
    the wrapper could not break moves whole to the next line)."""
    text_a, text_b = lay.raw[a].rstrip(), lay.raw[b].strip()
    first = text_b.split(maxsplit=1)
    if not first or text_b[:1].islower() or len(text_b) > width:
        return False
    if text_a.count("[") > text_a.count("]") or text_a.count("(") > text_a.count(")") or text_a.count("*") % 2:
        return False
    return len(text_a) + 1 + len(first[0]) <= width


def wrapped(lay: Layout) -> list[bool]:
    """Per layout line: inside a wrapped paragraph (as `Layout.wrapped`), except the lines
    that a deliberate break on each side makes a line of their own."""
    key = ("noise-wrapped",)
    if key in lay.memo:
        return lay.memo[key]
    out = list(lay.wrapped)
    width = wrap_width(lay) if any(out) else None
    if width:
        for block in lay.paragraphs:
            if len(block) < 2 or not any(out[k] for k in block):
                continue
            # Split the block at deliberate breaks; a one-line piece stands alone.
            piece = [block[0]]
            for a, b in pairwise(block):
                if _break_after(lay, a, b, width):
                    _settle(lay, out, piece)
                    piece = []
                piece.append(b)
            _settle(lay, out, piece)
    lay.memo[key] = out
    return out


def _settle(lay: Layout, out: list[bool], piece: list[int]) -> None:
    """Mark the lines of a piece (lines joined by wrapping) that stand alone: a one-line
    piece, and an unfinished last line after a finished sentence ("… over its budget." /
    "Share this article"): a paragraph does not end without its full stop."""
    if len(piece) >= 2 and lay.terminal[piece[-2]] and not lay.terminal[piece[-1]] and not lay.structure[piece[-1]]:
        out[piece[-1]] = False
        piece = piece[:-1]
    # Table rows and other structure keep the layout's reading.
    if len(piece) == 1 and not lay.structure[piece[0]]:
        out[piece[0]] = False
