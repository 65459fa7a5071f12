"""A deterministic synthetic corpus with every kind of defect, built from the seeds.

Used by tests that compare engines or need more than five documents; it needs nothing
outside the repository.
"""

from __future__ import annotations

import random
from pathlib import Path

from .conftest import SEEDS

NOISE = [
    "72 °F",
    "Home > News > Politics",
    "Share this article on Facebook",
    "Subscribe to our newsletter",
    "latest articles",
    "Read more",
    "© 2023 Example Media. All rights reserved.",
    "We use cookies to improve your experience.",
    "Sponsored: You won't believe these deals",
]
DEFECTS = [
    "clean",
    "noise-top",
    "noise-bottom",
    "no-date",
    "no-url",
    "http",
    "utm",
    "mojibake",
    "control",
    "broken",
    "misspelled",
    "unaccented",
    "html",
    "exact-copy",
    "near-copy",
    "same-url",
    "short",
    "empty",
    "future",
    "bad-date",
    "spanish",
    "binary",
    "latin1",
    "bad-frontmatter",
    "truncated",
]

SPANISH = (
    "El presidente de México se reunió hoy con la vicepresidenta de los Estados Unidos para hablar de "
    "migración, comercio y seguridad en la región, y acordaron trabajar juntos en los próximos meses."
)


def _paragraphs(rng: random.Random, seeds: list[str]) -> list[str]:
    text = rng.choice(seeds)
    paras = [p for p in text.split("\n\n") if len(p.split()) > 12]
    rng.shuffle(paras)
    return paras[: rng.randint(2, 4)]


def write_corpus(target: Path, n: int = 300, seed: int = 7) -> list[str]:
    """Write `n` documents under `target`; return the defect name of each."""
    rng = random.Random(seed)
    seeds = [p.read_text(encoding="utf-8").split("---\n", 2)[-1] for p in sorted(SEEDS.iterdir())]
    target.mkdir(parents=True, exist_ok=True)
    kinds, made = [], []
    for i in range(n):
        kind = DEFECTS[i % len(DEFECTS)]
        kinds.append(kind)
        day = 1 + i % 28
        slug = f"release-{i:04d}"
        url = f"https://www.whitehouse.gov/briefing-room/statements-releases/2022/03/{day:02d}/{slug}/"
        date = f"2022-03-{day:02d}"
        paras = _paragraphs(rng, seeds)
        title = f"Statement number {i} on cooperation"
        if kind == "http":
            url = url.replace("https://", "http://")
        if kind == "utm":
            url += "?utm_source=newsletter&utm_medium=email"
        if kind == "same-url" and made:
            url = made[-1][1]
        if kind == "future":
            date = "2999-01-01"
        if kind == "bad-date":
            date = "2022-02-30"
        body = "\n\n".join(paras)
        if kind == "noise-top":
            body = f"{rng.choice(NOISE[:3])}\n\n{body}"
        if kind == "noise-bottom":
            body = f"{body}\n\n" + "\n\n".join(rng.sample(NOISE[3:], 3))
        if kind == "mojibake":
            body = body.replace("the", "thÃ©", 2) + "\n\nPresident LÃ³pez Obrador spoke."
        if kind == "control":
            body = body.replace(" ", "\u200b ", 3)
        if kind == "broken":
            body = body.replace(", ", ". and ", 1) + " . ."
        if kind == "misspelled":
            body += "\n\nSecretary of State Anthony Blinken also attended the meeting."
        if kind == "unaccented":
            body += "\n\nPresident Andres Manuel Lopez Obrador welcomed the delegation."
        if kind == "html":
            body += "\n\nThe summit on April 22<sup>nd</sup> &amp; beyond <b>matters</b>."
        if kind == "exact-copy" and made:
            body = made[-1][2]
        if kind == "near-copy" and made:
            words = made[-1][2].split(" ")
            body = " ".join(w for j, w in enumerate(words) if j % 17 != 3)
        if kind == "short":
            body = "The President signed the bill today."
        if kind == "empty":
            body = ""
        if kind == "spanish":
            body = "\n\n".join([SPANISH] * 3)
        if kind == "truncated":
            body = body.rstrip(".") + " and the leaders agreed that the"
        name = target / f"{i:04d}_{kind}.md"
        if kind == "binary":
            name.write_bytes(bytes(range(256)) * 8)
        elif kind == "latin1":
            name.write_bytes(
                f"Title: {title}\nDate: {date}\nSource: {url}\n\n{body}\nLópez\n".encode("latin-1", "replace")
            )
        elif kind == "bad-frontmatter":
            name.write_text(f"---\ntitle: [{title}\ndate: '{date}'\n---\n{body}\n", encoding="utf-8")
        elif kind == "no-date":
            undated = url.replace("/2022/03/", "/").replace(f"{day:02d}/", "")
            name.write_text(f"---\ntitle: {title}\nsource_url: {undated}\n---\n{body}\n", encoding="utf-8")
        elif kind == "no-url":
            name.write_text(f"Title: {title}\nDate: {date}\n\n{body}\n", encoding="utf-8")
        else:
            name.write_text(f"---\ntitle: {title}\ndate: '{date}'\nsource_url: {url}\n---\n{body}\n", encoding="utf-8")
        made.append((name, url, body))
    return kinds
