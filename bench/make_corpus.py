"""Deterministic benchmark corpora built from the real White House releases.

`python bench/make_corpus.py N OUTDIR [--seed S]` writes N markdown documents into OUTDIR.
The releases come from `../shared/corpora/wh-briefings-2021-2025.tar.gz` (relative to the
repository root), extracted once into `bench/work/releases/` (git-ignored).

The first pass over the releases copies them unchanged (so a 1,000-document corpus is
mostly real text); every later copy is a replica with perturbations, so that larger
corpora are not just exact duplicates:

- words dropped or re-cased, slug and source URL changed (replicas);
- frontmatter removed (some documents);
- scraping noise lines injected: weather readings, breadcrumbs, "latest articles",
  share lines, cookie banners, newsletter prompts;
- mojibake (UTF-8 read as cp1252) in a paragraph;
- `http://` or `utm_` tracking source URLs;
- exact copies and near copies (a few words changed) of earlier documents.

Every replica of a release is a near copy of the release and of each other: at N documents
each release has about N / 6,458 of them, so the near-duplicate pairs grow with the square
of N (57,000 at 30,000 documents, about 77 million at 1,000,000). `--family-size F` bounds
that for scale benchmarks: from the F-th replica of a release on, a replica's prose is
recombined from sentences drawn from every release (`recombined`, same paragraph shapes and
markup lines), so it is a document of its own; the explicit exact and near copies stay.

Everything is drawn from one seeded `random.Random`, so the same (N, seed) gives the same
bytes. Files go into sub-directories of 1,000 to keep directories small. `OUTDIR.manifest.json`
(next to OUTDIR, so no tool reads it as a document) records N, seed and the counts of each
perturbation; when it matches, the corpus is reused.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import tarfile
from collections import Counter, deque
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARBALL = REPO.parent / "shared" / "corpora" / "wh-briefings-2021-2025.tar.gz"
WORK = REPO / "bench" / "work"
GENERATOR_VERSION = 2  # bump when the output of the generator changes

# Rates of each perturbation (per document).
RATES = {
    "exact_copy": 0.02,
    "near_copy": 0.03,
    "no_frontmatter": 0.03,
    "noise": 0.12,
    "mojibake": 0.03,
    "http_url": 0.03,
    "utm_url": 0.03,
}

NOISE_TOP = [
    "Home > Briefing Room > Statements and Releases",
    "Home » Briefing Room » Press Briefings",
    "Washington, DC 72°F Partly Cloudy",
    "Washington, D.C. | 48°F Mostly Sunny | Humidity 61%",
    "Skip to content",
    "This site uses cookies. By continuing to browse you agree to our use of cookies. Accept",
    "Menu Search",
]
NOISE_BOTTOM = [
    "Share this: Facebook Twitter Email Print",
    "Share on Facebook | Share on X | Copy link",
    "Latest Articles",
    "Related Articles",
    "Read more: The Latest From the Briefing Room",
    "Sign up for our newsletter to get the latest updates",
    "Subscribe to our newsletter",
    "Click here to read more",
    "Tags: statements-releases, briefing-room",
    "© 2024 All rights reserved. Privacy Policy | Terms of Use",
]

_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")


def extract_releases(tarball: Path = TARBALL, work: Path = WORK) -> list[Path]:
    """Extract the releases tarball once into `work/releases/`; return the sorted .md paths."""
    target = work / "releases"
    stamp = target / ".extracted"
    if not stamp.exists():
        if not tarball.exists():
            raise FileNotFoundError(f"{tarball} is missing: the benchmark needs ../shared/corpora/")
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        with tarfile.open(tarball) as tar:
            members = [
                m
                for m in tar.getmembers()
                if m.isfile()
                and m.name.endswith(".md")
                and not m.name.startswith(("/", ".."))
                and ".." not in Path(m.name).parts
            ]
            tar.extractall(target, members=members, filter="data")
        stamp.write_text(tarball.name + "\n")
    return sorted(p for p in target.rglob("*.md"))


def split_frontmatter(text: str) -> tuple[str, str]:
    """(frontmatter block including its fences, body); frontmatter is '' when absent."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[: end + 5], text[end + 5 :]
    return "", text


def _perturb_words(rng: random.Random, body: str, drop: float, recase: float) -> str:
    """Drop or re-case a fraction of the words of the body (markup is left alone)."""

    def one(match: re.Match) -> str:
        r = rng.random()
        if r < drop:
            return ""
        if r < drop + recase:
            w = match.group(0)
            return w.upper() if rng.random() < 0.5 else w.lower() if w[0].isupper() else w.capitalize()
        return match.group(0)

    return _WORD.sub(one, body)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"])")
_MARKUP = ("#", "-", "*", "|", ">", "<", "!", "[", "`")


def sentence_pool(releases: list[Path]) -> list[str]:
    """Every prose sentence of the releases' bodies (markup lines left out)."""
    pool = []
    for path in releases:
        _, body = split_frontmatter(path.read_text(encoding="utf-8", errors="replace"))
        for para in body.split("\n\n"):
            text = " ".join(para.split())
            if text and not text.startswith(_MARKUP):
                pool.extend(s for s in _SENTENCE_END.split(text) if len(s) > 20)
    return pool


def recombined(rng: random.Random, body: str, pool: list[str]) -> str:
    """The body with each prose sentence replaced by one drawn from `pool`: the same
    paragraphs and markup lines, other text."""
    out = []
    for para in body.split("\n\n"):
        text = " ".join(para.split())
        if not text or text.startswith(_MARKUP):
            out.append(para)
            continue
        out.append(" ".join(rng.choice(pool) for _ in _SENTENCE_END.split(text)))
    return "\n\n".join(out)


def _change_slug(rng: random.Random, front: str, k: int, unique: bool = False) -> str:
    """Give a replica its own slug: the source URL's last path segment gets a suffix (with
    `unique`, one no other document has: a recombined replica is not a re-post)."""
    suffix = f"-{k}" if unique else rng.choice(["-2", "-update", "-revised", f"-{k}", "-fact-sheet"])
    return re.sub(r"(source_url: \S*?)/?(\n)", lambda m: f"{m.group(1)}{suffix}/{m.group(2)}", front, count=1)


def _mojibake(rng: random.Random, body: str) -> str:
    """Re-decode one paragraph's UTF-8 bytes as cp1252, as a careless scraper would."""
    paras = body.split("\n\n")
    candidates = [i for i, p in enumerate(paras) if any(ord(c) > 127 for c in p)] or [
        i for i, p in enumerate(paras) if len(p) > 40
    ]
    if not candidates:
        return body
    i = rng.choice(candidates)
    para = paras[i] if any(ord(c) > 127 for c in paras[i]) else paras[i].replace("'", "’", 2)
    paras[i] = para.encode("utf-8").decode("cp1252", errors="replace")
    return "\n\n".join(paras)


def _noise(rng: random.Random, body: str) -> str:
    top = rng.sample(NOISE_TOP, rng.randint(0, 2))
    bottom = rng.sample(NOISE_BOTTOM, rng.randint(1, 3))
    parts = ([("\n\n".join(top) + "\n\n")] if top else []) + [body.rstrip("\n"), "\n\n" + "\n\n".join(bottom) + "\n"]
    return "".join(parts)


def _url(rng: random.Random, front: str, kind: str) -> str:
    if kind == "http_url":
        return front.replace("source_url: https://", "source_url: http://", 1)
    tag = rng.choice(["?utm_source=twitter&utm_medium=social", "?utm_source=newsletter&utm_campaign=weekly"])
    return re.sub(r"(source_url: \S+?)(\n)", lambda m: m.group(1) + tag + m.group(2), front, count=1)


def manifest_file(outdir: str | Path) -> Path:
    """Where the manifest of the corpus in `outdir` lives: beside it, not inside it."""
    outdir = Path(outdir)
    return outdir.parent / f"{outdir.name}.manifest.json"


def make_corpus(
    n: int, outdir: str | Path, seed: int = 2021, releases: list[Path] | None = None, family_size: int | None = None
) -> dict:
    """Write `n` documents into `outdir` (replaced) and return the manifest (counts per perturbation).
    With `family_size`, replicas from that generation on are recombined (see the module's docs).

    Reuses an existing corpus when `OUTDIR.manifest.json` has the same n, seed, family size
    and generator version.
    """
    outdir = Path(outdir)
    manifest_path = manifest_file(outdir)
    if manifest_path.exists():
        try:
            old = json.loads(manifest_path.read_text())
            same = (old.get("n"), old.get("seed"), old.get("version"), old.get("family_size"))
            if same == (n, seed, GENERATOR_VERSION, family_size) and outdir.is_dir():
                return old
        except ValueError:
            pass
    releases = releases or extract_releases()
    if not releases:
        raise FileNotFoundError("no releases found to build a corpus from")
    if outdir.exists():
        shutil.rmtree(outdir)
    manifest_path.unlink(missing_ok=True)
    outdir.mkdir(parents=True)
    pool = sentence_pool(releases) if family_size is not None and n > family_size * len(releases) else []
    rng = random.Random(seed)
    order = list(range(len(releases)))
    rng.shuffle(order)
    recent: deque[tuple[str, str]] = deque(maxlen=256)  # bounded: (name, text) for copies
    counts: Counter = Counter()
    total_bytes = 0
    for k in range(n):
        src = releases[order[k % len(releases)]]
        name = src.stem
        replica = k >= len(releases)
        if recent and rng.random() < RATES["exact_copy"]:
            name, text = rng.choice(recent)
            name = f"{name}-copy"
            counts["exact_copy"] += 1
        elif recent and rng.random() < RATES["near_copy"]:
            name, text = rng.choice(recent)
            front, body = split_frontmatter(text)
            text = front + _perturb_words(rng, body, drop=0.01, recase=0.0)
            name = f"{name}-near"
            counts["near_copy"] += 1
        else:
            try:
                text = src.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = src.read_bytes().decode("utf-8", errors="replace")
            front, body = split_frontmatter(text)
            if replica and pool and k // len(releases) >= family_size:
                body = recombined(rng, body, pool)
                front = _change_slug(rng, front, k, unique=True)
                name = f"{name}-m{k // len(releases)}"
                counts["recombined"] += 1
            elif replica:
                body = _perturb_words(rng, body, drop=0.02, recase=0.01)
                front = _change_slug(rng, front, k)
                name = f"{name}-r{k // len(releases)}"
                counts["replica"] += 1
            for kind in ("http_url", "utm_url"):
                if front and rng.random() < RATES[kind]:
                    front = _url(rng, front, kind)
                    counts[kind] += 1
            if rng.random() < RATES["noise"]:
                body = _noise(rng, body)
                counts["noise"] += 1
            if rng.random() < RATES["mojibake"]:
                body = _mojibake(rng, body)
                counts["mojibake"] += 1
            if front and rng.random() < RATES["no_frontmatter"]:
                front = ""
                counts["no_frontmatter"] += 1
            text = front + body
            recent.append((name, text))
        path = outdir / f"{k // 1000:04d}" / f"{k:07d}-{name[:80]}.md"
        path.parent.mkdir(exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total_bytes += len(data)
    manifest = {
        "n": n,
        "seed": seed,
        "version": GENERATOR_VERSION,
        "family_size": family_size,
        "releases": len(releases),
        "bytes": total_bytes,
        "counts": dict(sorted(counts.items())),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of documents")
    parser.add_argument("outdir", help="output directory (replaced)")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument(
        "--family-size", type=int, default=None, help="replicas of a release before they are recombined (default: all)"
    )
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    if args.family_size is not None and args.family_size < 1:
        parser.error("--family-size must be at least 1")
    try:
        manifest = make_corpus(args.n, args.outdir, seed=args.seed, family_size=args.family_size)
    except FileNotFoundError as exc:
        print(f"make_corpus: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(manifest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
