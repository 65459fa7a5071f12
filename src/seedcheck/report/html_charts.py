"""The overview charts of `report.html`: inline SVG (no script, no request) built from
escaped `Markup`, and the series they show."""

from __future__ import annotations

import re
from collections import Counter

from markupsafe import Markup


def bar_chart(items: list[tuple[str, int, str]], label: str, width: int = 560) -> Markup | None:
    """A horizontal bar chart as inline SVG: one row per (label, value, css class)."""
    if not items:
        return None
    row, left, right = 22, 190, 60
    top = max(v for _, v, _ in items) or 1
    height = row * len(items) + 4
    parts = [
        Markup('<svg class="chart" role="img" viewBox="0 0 %d %d" width="%d" height="%d"><title>%s</title>')
        % (width, height, width, height, label)
    ]
    for i, (name, value, cls) in enumerate(items):
        y = i * row + 2
        w = max(1, round((width - left - right) * value / top))
        short = name if len(name) <= 28 else name[:27] + "…"
        parts.append(
            Markup(
                '<g><title>%s: %d</title><text x="%d" y="%d" class="lbl" text-anchor="end">%s</text>'
                '<rect x="%d" y="%d" width="%d" height="%d" class="%s"></rect>'
                '<text x="%d" y="%d" class="val">%d</text></g>'
            )
            % (name, value, left - 6, y + 14, short, left, y + 3, w, row - 8, cls, left + w + 4, y + 14, value)
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def column_chart(items: list[tuple[str, int]], label: str, width: int = 560, height: int = 150) -> Markup | None:
    """A vertical bar chart (histogram or time series) as inline SVG, first/last labels shown."""
    if not items:
        return None
    bottom, top_pad = 22, 14
    top = max(v for _, v in items) or 1
    pad = 24  # room for the first and last labels
    step = (width - 2 * pad) / len(items)
    parts = [
        Markup('<svg class="chart" role="img" viewBox="0 0 %d %d" width="%d" height="%d"><title>%s</title>')
        % (width, height, width, height, label)
    ]
    plot = height - bottom - top_pad
    show_every = max(1, len(items) // 8)
    for i, (name, value) in enumerate(items):
        h = round(plot * value / top) if value else 0
        x = pad + i * step
        parts.append(
            Markup('<g><title>%s: %d</title><rect x="%.1f" y="%d" width="%.1f" height="%d" class="bar"></rect>')
            % (name, value, x + 1, top_pad + plot - h, max(1.0, step - 2), h)
        )
        if len(items) <= 12:
            parts.append(
                Markup('<text x="%.1f" y="%d" class="val" text-anchor="middle">%d</text>')
                % (x + step / 2, top_pad + plot - h - 3, value)
            )
        if i % show_every == 0 or i == len(items) - 1:
            parts.append(
                Markup('<text x="%.1f" y="%d" class="lbl" text-anchor="middle">%s</text>')
                % (x + step / 2, height - 6, name)
            )
        parts.append(Markup("</g>"))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def dates_series(result) -> list[tuple[str, int]]:
    months = Counter()
    for d in result.documents:
        date = d["record"].get("date")
        if isinstance(date, str) and re.match(r"^\d{4}-\d{2}", date):
            months[date[:7]] += 1
    if not months:
        return []
    first, last = min(months), max(months)
    span = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7]) + 1
    if span > 48:  # too many months to read: one bar per year
        years = Counter()
        for m, n in months.items():
            years[m[:4]] += n
        return [(str(y), years.get(str(y), 0)) for y in range(int(first[:4]), int(last[:4]) + 1)]
    out, y, m = [], int(first[:4]), int(first[5:7])
    for _ in range(span):
        key = f"{y:04d}-{m:02d}"
        out.append((key, months.get(key, 0)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


WORD_BUCKETS = (
    (0, 0, "0"),
    (1, 29, "1–29"),
    (30, 99, "30–99"),
    (100, 299, "100–299"),
    (300, 999, "300–999"),
    (1000, 2999, "1k–3k"),
    (3000, 9999, "3k–10k"),
    (10000, None, "10k+"),
)


def word_series(result) -> list[tuple[str, int]]:
    counts = Counter()
    for d in result.documents:
        wc = d["record"].get("word_count")
        if not isinstance(wc, int):
            continue
        for low, high, name in WORD_BUCKETS:
            if wc >= low and (high is None or wc <= high):
                counts[name] += 1
                break
    return [(name, counts.get(name, 0)) for _, _, name in WORD_BUCKETS] if counts else []
