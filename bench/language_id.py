"""Offline language identifiers on short texts: py3langid vs lingua-language-detector.

Reference labels: documents of the real corpus whose whole body both identifiers label
the same (so neither is favoured). Test texts: each document's title, its first 10
words and its first sentence-sized paragraph (at most 25 words). Reports accuracy and
time per text. Usage: .venv/bin/python bench/language_id.py [CORPUS_DIR] [--limit N]
(needs lingua-language-detector from the `bench` extra).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from seedcheck.extract.language import clean


def load(corpus: Path, limit: int) -> list[dict]:
    docs = []
    for path in sorted(corpus.rglob("*.md"))[:limit]:
        text = path.read_text(encoding="utf-8", errors="replace")
        parts = text.split("\n---", 1)
        meta = yaml.safe_load(parts[0].lstrip("-\n")) if len(parts) == 2 else {}
        body = parts[1].split("\n", 1)[1] if len(parts) == 2 and "\n" in parts[1] else text
        paras = [clean(p) for p in re.split(r"\n\s*\n", body) if len(clean(p).split()) >= 5]
        if not paras:
            continue
        docs.append(
            {
                "title": clean(str((meta or {}).get("title") or "")),
                "body": clean(body)[:4000],
                "words10": " ".join(paras[0].split()[:10]),
                "para25": " ".join(paras[0].split()[:25]),
            }
        )
    return docs


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default="/tmp/corpora/wh2021")
    ap.add_argument("--limit", type=int, default=100000)
    args = ap.parse_args()
    from lingua import LanguageDetectorBuilder
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    langid = LanguageIdentifier.from_modelpath(Path(MODEL_DIR) / MODEL_FILE, norm_probs=True)
    t = time.perf_counter()
    lingua = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()
    lingua_load = time.perf_counter() - t

    def py3(text):
        return langid.classify(text)[0]

    def lin(text):
        lang = lingua.detect_language_of(text)
        return lang.iso_code_639_1.name.lower() if lang else None

    docs = load(Path(args.corpus), args.limit)
    reference = []
    for d in docs:
        a, b = py3(d["body"]), lin(d["body"])
        if a == b:
            reference.append((d, a))
    langs = {}
    for _, lang in reference:
        langs[lang] = langs.get(lang, 0) + 1
    print(
        f"{len(docs)} documents, {len(reference)} with agreeing whole-body labels {langs}; "
        f"lingua load {lingua_load:.1f}s"
    )
    for field in ("title", "words10", "para25"):
        for name, fn in (("py3langid", py3), ("lingua", lin)):
            items = [(d[field], lang) for d, lang in reference if d[field]]
            t = time.perf_counter()
            got = [fn(text) for text, _ in items]
            elapsed = time.perf_counter() - t
            ok = sum(g == lang for g, (_, lang) in zip(got, items))
            non_en = [(g, lang) for g, (_, lang) in zip(got, items) if lang != "en"]
            ok_non_en = sum(g == lang for g, lang in non_en)
            print(
                f"{field:8} {name:10} accuracy {ok}/{len(items)} = {100 * ok / len(items):.2f}%  "
                f"non-English {ok_non_en}/{len(non_en)}  {1e6 * elapsed / len(items):.0f} µs/text"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
