"""Markdown documents as JSONL records: do they get the findings of the same `.md` files?

    python bench/md_records.py CORPUS [N] [WORKDIR]

Takes the first N (default 40) `.md` files of CORPUS in seedcheck's discovery order,
copies them to WORKDIR/docs and writes WORKDIR/records.jsonl (and the same rows as
WORKDIR/records.parquet), one record per document the
way datatrove/Dolma dumps keep markdown pages: `id` (the file's relative path), `text` (its
body as seedcheck reads it, frontmatter removed), `title`, `date`, `source_url`. Then
checks them with the default configuration except `text-format` (plain, then auto) and
prints the `markup-markdown` counts and every difference between the records' findings
and the files' findings once a record's lines are shifted by its file's frontmatter lines.
Exit code 1 when an auto run differs from the files other than by a line and its excerpt
(a finding on the file's frontmatter line is on line 1 of the record, which has none). Run it from a directory without a
pyproject.toml (e.g. /tmp).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

import seedcheck
from seedcheck.ingest.discover import discover
from seedcheck.ingest.readers import read_source

FIELDS = ("title", "date", "source_url")


def build(corpus: Path, n: int, work: Path) -> dict[str, int]:
    """Write WORKDIR/docs and WORKDIR/records.jsonl; the body's first file line per doc id."""
    docs = work / "docs"
    shutil.rmtree(docs, ignore_errors=True)
    offsets, rows = {}, []
    with open(work / "records.jsonl", "w", encoding="utf-8") as out:
        sources = [s for s in discover([str(corpus)], include=["*.md"], exclude=[]) if s.path.endswith(".md")]
        for source in sources[:n]:
            target = docs / source.doc_id
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source.fs_path, target)
            (doc,) = read_source(source)
            record = {"id": source.doc_id, "text": "\n".join(doc.lines[doc.body_start :])}
            record.update({k: str(doc.frontmatter[k]) for k in FIELDS if doc.frontmatter.get(k) is not None})
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            rows.append(record)
            offsets[source.doc_id] = doc.body_start
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), work / "records.parquet")
    return offsets


def keyed(findings: list, offsets: dict[str, int] | None) -> Counter:
    """Findings as comparable tuples: a record's doc id and lines mapped to its file's."""
    out = Counter()
    for f in findings:
        doc_id, line, end = f["doc_id"], f["line"], f["end_line"]
        message, fix = f["message"], json.dumps(f.get("fix"), sort_keys=True)
        if offsets is not None and "#" in doc_id:
            shard, doc_id = doc_id.split("#", 1)
            message, fix = message.replace(shard + "#", ""), fix.replace(shard + "#", "")  # other records' ids
            shift = offsets.get(doc_id, 0)
            line = None if line is None else line + shift
            end = None if end is None else end + shift
        related = tuple(sorted(r.split("#", 1)[-1] for r in f.get("related") or []))
        out[(f["rule"], f["severity"], doc_id, line, f["column"], end, message, f["excerpt"], related, fix)] += 1
    return out


def findings(path: Path, text_format: str | None) -> list[dict]:
    """The findings of one check, as findings.json has them."""
    overrides = {"jsonl": {"text-format": text_format}} if text_format else {}
    result = seedcheck.check(str(path), jobs=1, **overrides)
    return [f.to_json() for f in result.finding_objects]


def main() -> int:
    """Build, check, compare; print the figures."""
    corpus = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    work = Path(sys.argv[3]) if len(sys.argv) > 3 else Path(tempfile.mkdtemp(prefix="md-records-"))
    work.mkdir(parents=True, exist_ok=True)
    offsets = build(corpus, n, work)
    files = findings(work / "docs", None)
    base = keyed(files, None)
    print(f"{len(offsets)} documents; .md files: {len(files)} findings, markup-markdown {_count(files)}")
    status = 0
    for shard, setting in (("records.jsonl", "plain"), ("records.jsonl", "auto"), ("records.parquet", "auto")):
        got = findings(work / shard, setting)
        diff = keyed(got, offsets)
        missing, extra = base - diff, diff - base
        moved = sum((_unlined(missing) & _unlined(extra)).values())
        print(
            f"{shard}, text-format = {setting!r}: {len(got)} findings, markup-markdown {_count(got)}; "
            f"differences from the files: {sum(missing.values())} missing, {sum(extra.values())} extra, "
            f"of which {moved} only on another line (and its excerpt)"
        )
        for label, items in (("  missing", missing), ("  extra", extra)):
            for key, count in sorted(items.items(), key=str)[:10]:
                print(label, count, key[:4], key[6][:100])
        if setting != "plain" and _unlined(missing) != _unlined(extra):
            status = 1
    return status


def _unlined(items: Counter) -> Counter:
    # A metadata finding is on its frontmatter line in the file (whose text is the excerpt)
    # and on line 1 of the record.
    return Counter({key[:3] + key[6:7] + key[8:]: n for key, n in items.items()})  # no line, column, excerpt


def _count(rows: list[dict]) -> int:
    return sum(r["rule"] == "markup-markdown" for r in rows)


if __name__ == "__main__":
    sys.exit(main())
