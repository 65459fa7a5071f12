"""Shards: compressed JSONL (by suffix and by magic bytes), Parquet by row groups, large
JSONL split into line-aligned byte ranges; bad records and damaged streams."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
from dataclasses import replace

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from seedcheck.config import Config, apply
from seedcheck.ingest import discover, read_source
from seedcheck.ingest.readers import IngestOptions
from seedcheck.ingest.units import plan

ROWS = [
    {
        "id": f"d{i}",
        "text": f"Record {i} says something.\nSecond line {i}.",
        "date": "2021-03-01",
        "url": f"https://www.state.gov/r/{i}",
    }
    for i in range(30)
]
JSONL = ("\n".join(json.dumps(r) for r in ROWS) + "\n").encode()
COMPRESS = {"gz": gzip.compress, "zst": zstandard.ZstdCompressor().compress, "bz2": bz2.compress, "xz": lzma.compress}


def documents(path, options=None, split_size=1 << 30):
    options = options or IngestOptions()
    sources = plan(discover([str(path)]), split_size, options.max_file_size)
    return [doc for source in sources for doc in read_source(source, options)]


def summary(docs):
    return [
        (d.doc_id, d.body, d.frontmatter, d.record.get("jsonl_line"), d.record.get("row"), d.readable) for d in docs
    ]


@pytest.mark.parametrize("suffix", sorted(COMPRESS))
def test_compressed_jsonl_reads_like_plain(tmp_path, suffix):
    (tmp_path / "plain.jsonl").write_bytes(JSONL)
    (tmp_path / f"packed.jsonl.{suffix}").write_bytes(COMPRESS[suffix](JSONL))
    plain, packed = documents(tmp_path / "plain.jsonl"), documents(tmp_path / f"packed.jsonl.{suffix}")
    assert len(packed) == 30 and all(d.readable and not d.hits for d in packed)
    strip = [(i.split("#")[1], *rest) for i, *rest in summary(plain)]
    assert [(i.split("#")[1], *rest) for i, *rest in summary(packed)] == strip
    assert packed[0].doc_id == f"packed.jsonl.{suffix}#d0" and packed[3].record["jsonl_line"] == 4


def test_magic_bytes_win_over_the_name(tmp_path):
    (tmp_path / "gzipped.jsonl").write_bytes(gzip.compress(JSONL))
    docs = documents(tmp_path / "gzipped.jsonl")
    assert len(docs) == 30 and docs[0].body.startswith("Record 0")
    (tmp_path / "liar.jsonl.gz").write_bytes(JSONL)
    [doc] = documents(tmp_path / "liar.jsonl.gz")
    assert not doc.readable and "named as gzip but the bytes are uncompressed" in doc.hits[0][1].message


def test_other_compressed_files_say_what_is_read(tmp_path):
    (tmp_path / "notes.txt.gz").write_bytes(gzip.compress(b"Hello.\n"))
    [doc] = documents(tmp_path / "notes.txt.gz")
    assert not doc.readable and "gzip-compressed data: seedcheck reads compressed JSONL" in doc.hits[0][1].message


@pytest.mark.parametrize("suffix", sorted(COMPRESS))
def test_a_damaged_stream_keeps_the_records_before_it(tmp_path, suffix):
    # bz2 decompresses whole blocks (100 KB at level 1): enough records for several.
    many = ("\n".join(json.dumps({**ROWS[i % 30], "id": f"d{i}"}) for i in range(3000)) + "\n").encode()
    data = bz2.compress(many, 1) if suffix == "bz2" else COMPRESS[suffix](many)
    (tmp_path / f"cut.jsonl.{suffix}").write_bytes(data[: len(data) * 2 // 3])
    docs = documents(tmp_path / f"cut.jsonl.{suffix}")
    good, last = docs[:-1], docs[-1]
    assert (
        good
        and all(d.readable for d in good)
        and [d.doc_id.split("#")[1] for d in good] == [f"d{i}" for i in range(len(good))]
    )
    assert not last.readable and "stream damaged" in last.hits[0][1].message
    assert last.record["jsonl_line"] == len(good) + 1


def test_bad_records_are_findings_on_their_line(tmp_path):
    data = b'{"id": "a", "text": "One."}\nnot json\n[1]\n\n{"id": "a", "text": "Two."}\n'
    (tmp_path / "bad.jsonl.gz").write_bytes(gzip.compress(data))
    docs = documents(tmp_path / "bad.jsonl.gz")
    assert [d.doc_id for d in docs] == ["bad.jsonl.gz#a", "bad.jsonl.gz#L2", "bad.jsonl.gz#L3", "bad.jsonl.gz#L5"]
    assert [d.readable for d in docs] == [True, False, False, True]
    assert "line 2 is not valid JSON" in docs[1].hits[0][1].message


def test_the_size_limit_applies_to_each_record(tmp_path):
    long = json.dumps({"id": "long", "text": "x" * 5000})
    data = "\n".join([json.dumps(ROWS[0]), long, json.dumps(ROWS[1])]) + "\n"
    (tmp_path / "big.jsonl").write_text(data)
    docs = documents(tmp_path / "big.jsonl", IngestOptions(max_file_size=1000))
    assert [d.readable for d in docs] == [True, False, True]
    assert "above the 1,000-byte limit per record" in docs[1].hits[0][1].message and docs[2].record["jsonl_line"] == 3


def test_line_ranges_start_at_lines_and_number_them(tmp_path):
    lines = JSONL.split(b"\n")
    data = b"\n".join(lines[:10] + [b"", b"not json"] + lines[10:])
    (tmp_path / "s.jsonl").write_bytes(data)
    units = list(plan(discover([str(tmp_path / "s.jsonl")]), 300, 1 << 20))
    assert len(units) > 5
    starts = [u.unit[1] for u in units]
    assert starts[0] == 0 and all(data[s - 1 : s] == b"\n" for s in starts[1:])
    assert [u.unit[2] for u in units[:-1]] == starts[1:] and units[-1].unit[2] == len(data)
    assert all(data[: u.unit[1]].count(b"\n") + 1 == u.unit[3] for u in units)
    assert summary(documents(tmp_path / "s.jsonl", split_size=300)) == summary(documents(tmp_path / "s.jsonl"))


def test_parquet_by_row_groups_with_configured_fields(tmp_path):
    table = pa.table(
        {
            "uid": [f"u{i}" for i in range(30)],
            "content": [r["text"] for r in ROWS],
            "meta": [{"link": r["url"], "published": r["date"]} for r in ROWS],
        }
    )
    pq.write_table(table, tmp_path / "t.parquet", row_group_size=7)
    options = IngestOptions(
        jsonl_id=("uid",), jsonl_text=("content",), jsonl_url=("meta.link",), jsonl_date=("meta.published",)
    )
    units = list(plan(discover([str(tmp_path / "t.parquet")]), 1 << 20, 1 << 20))
    assert [u.unit for u in units] == [
        ("rows", 0, 7),
        ("rows", 7, 14),
        ("rows", 14, 21),
        ("rows", 21, 28),
        ("rows", 28, 30),
    ]
    docs = [d for u in units for d in read_source(u, options)]
    assert [d.doc_id for d in docs] == [f"t.parquet#u{i}" for i in range(30)]
    assert docs[9].record["row"] == 9 and docs[9].frontmatter == {"date": "2021-03-01", "source_url": ROWS[9]["url"]}
    assert docs[9].body == ROWS[9]["text"] and docs[9].format == "parquet"
    sliced = [d for u in plan(discover([str(tmp_path / "t.parquet")]), 200, 1 << 20) for d in read_source(u, options)]
    assert summary(sliced) == summary(docs)


def test_a_broken_parquet_file_is_one_finding(tmp_path):
    (tmp_path / "x.parquet").write_bytes(b"PAR1 not really")
    [doc] = documents(tmp_path / "x.parquet")
    assert not doc.readable and "not a readable Parquet file" in doc.hits[0][1].message


@pytest.mark.parametrize("name", ["shard.jsonl", "shard.jsonl.gz"])
def test_findings_are_identical_for_any_jobs_and_split(tmp_path, name):
    from seedcheck.pipeline import run
    from seedcheck.report import findings_json

    lines = [
        json.dumps(
            {
                "id": f"d{i % 40}",
                "text": f"WASHINGTON -- Officials met on Monday about item {i}. " * (1 + i % 5),
                "date": "2021-03-01",
                "url": f"https://www.state.gov/r/{i}",
            }
        )
        for i in range(60)
    ]
    lines[7] = "not json"
    (tmp_path / "c").mkdir()
    data = ("\n".join(lines) + "\n").encode()
    (tmp_path / "c" / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    outputs = []
    for jobs, split in ((1, 1 << 30), (1, 1000), (2, 1000)):
        config = apply(
            Config(root=tmp_path), {"split-size": split, "select": ["unreadable-document", "duplicate-", "short-body"]}
        )
        result = run(config, [str(tmp_path / "c")], jobs=jobs)
        outputs.append(findings_json.render(result))
    units = list(plan(discover([str(tmp_path / "c")]), 1000, 1 << 20))
    assert len(units) > 4 and units[1].unit[0] == ("zlines" if name.endswith(".gz") else "lines")
    assert outputs[0] == outputs[1] == outputs[2]
    ids = [d["doc_id"] for d in json.loads(outputs[0])["documents"]]
    assert len(ids) == len(set(ids)) == 60 and f"{name}#L41" in ids  # d0 again on line 41


def test_units_never_depend_on_jobs(tmp_path):
    (tmp_path / "s.jsonl").write_bytes(JSONL)
    [source] = discover([str(tmp_path / "s.jsonl")])
    assert list(plan([source], 500, 1 << 20)) == list(plan([replace(source)], 500, 1 << 20))


def test_fsspec_urls_list_like_local_directories(tmp_path):
    import fsspec

    from seedcheck.ingest.remote import discover_url

    fs = fsspec.filesystem("memory")
    fs.pipe("/shards-test/year=2021/b.jsonl.gz", gzip.compress(JSONL))
    fs.pipe("/shards-test/year=2021/a.md", b"Body.\n")
    fs.pipe("/shards-test/.hidden/x.md", b"x")
    fs.pipe("/shards-test/top.txt", b"Top.\n")
    try:
        found = list(discover_url("memory://shards-test", exclude=(".*",)))
        assert [s.doc_id for s in found] == ["top.txt", "year=2021/a.md", "year=2021/b.jsonl.gz"]
        assert found[2].path == "memory://shards-test/year=2021/b.jsonl.gz"
        docs = [d for u in plan(found, 1 << 20, 1 << 20) for d in read_source(u)]
        assert len(docs) == 32 and docs[2].doc_id == "year=2021/b.jsonl.gz#d0"
        globbed = list(discover_url("memory://shards-test/year=*/*.gz"))
        assert [s.doc_id for s in globbed] == ["year=2021/b.jsonl.gz"]
        with pytest.raises(FileNotFoundError):
            list(discover_url("memory://shards-test-none"))
        (tmp_path / "l").mkdir()
        (tmp_path / "l" / "s.jsonl.xz").write_bytes(lzma.compress(JSONL))
        [local] = discover_url((tmp_path / "l").as_uri())
        assert local.fs_path.startswith("file://") and len(read_source(next(plan([local], 1 << 20, 1 << 20)))) == 30
    finally:
        fs.rm("/shards-test", recursive=True)


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_records_with_unknown_field_names_say_what_was_tried_and_how_to_map(tmp_path, fmt):
    """A shard whose field names seedcheck does not know: each missing-field finding names
    the names tried, the record's own fields and the [tool.seedcheck.jsonl] key; the mapping
    it proposes then reads the record (while a record with an empty text gets no such advice)."""
    from seedcheck.pipeline import run

    rows = [
        {"uid": f"u{i}", "article": ROWS[i]["text"] * 8, "meta": {"link": ROWS[i]["url"]}, "published": "2021-03-01"}
        for i in range(3)
    ]
    (tmp_path / "c").mkdir()
    if fmt == "jsonl":
        rows.append({"id": "empty", "text": "", "date": "2021-03-01", "url": "https://www.state.gov/r/e"})
        (tmp_path / "c" / "s.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    else:
        pq.write_table(pa.Table.from_pylist(rows), tmp_path / "c" / "s.parquet")
    name = f"s.{fmt}"

    def fixes(config):
        result = run(config, [str(tmp_path / "c")])
        return {(f.doc_id, f.rule): f.fix.description if f.fix else "" for f in result.findings}

    found = fixes(Config(root=tmp_path))
    first = f"{name}#L1" if fmt == "jsonl" else f"{name}#row0"
    text = found[(first, "empty-body")]
    assert "tried text, content, body" in text and "[tool.seedcheck.jsonl]" in text
    assert "its fields: uid, article, meta.link, published" in text and 'text = ["article"]' in text
    assert 'id = ["uid"]' in text and "tried id, doc_id, metadata.id" in text
    assert 'url = ["meta.link"]' in found[(first, "missing-source-url")]
    assert (
        "tried date, published_time" in found[(first, "missing-date")]
        and 'date = ["published"]' in found[(first, "missing-date")]
    )
    if fmt == "jsonl":  # a text field that is there but empty: a real empty document, the usual advice
        assert "[tool.seedcheck.jsonl]" not in found[(f"{name}#empty", "empty-body")]
    mapped = apply(
        Config(root=tmp_path),
        {"jsonl": {"text": "article", "id": ["uid"], "url": ["meta.link"], "date-field": "published"}},
    )
    assert mapped.jsonl == {"text": ["article"], "id": ["uid"], "url": ["meta.link"], "date": ["published"]}
    after = fixes(mapped)
    rules = {"empty-body", "missing-date", "missing-source-url", "short-body"}
    assert not [key for key in after if key[0].startswith(f"{name}#u") and key[1] in rules]
    assert not [
        (key, fix) for key, fix in after.items() if key[0].startswith(f"{name}#u") and "[tool.seedcheck.jsonl]" in fix
    ]


def test_a_record_finds_what_its_file_finds(tmp_path):
    # A shard record's `date` field was read from no line of its text: its first line (here
    # a weather widget over the page) is text, not metadata. When the date was placed on it,
    # the widget became "structure", the title-cased copy below it passed for the page's
    # own heading, and noise-repeated-title missed it in the record but not in the file.
    from seedcheck.pipeline import run

    body = (
        "Washington, DC 72°F Partly Cloudy\n\nNOMINATIONS SENT TO THE SENATE:\n\n"
        "Richard Roe, of Maryland, to be a Commissioner of the Consumer Product Safety "
        "Commission for a term of seven years, vice Robert Doe.\n"
    )
    front = "---\ntitle: \"Nominations Sent to the Senate\"\ndate: '2021-07-15'\n---\n"
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "n.md").write_text(front + body, encoding="utf-8")
    record = {"id": "n.md", "text": body, "title": "Nominations Sent to the Senate", "date": "2021-07-15"}
    (tmp_path / "shard.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")

    def found(path, shift):
        # The text's rules (findings about missing fields sit on line 1 of either).
        result = run(apply(Config(root=tmp_path), {"select": ["noise-", "broken-", "markup-"]}), [str(path)], jobs=1)
        return sorted((f.rule, f.line + shift) for f in result.findings if f.doc_id)

    in_file = found(tmp_path / "files", 0)
    assert ("noise-repeated-title", 7) in in_file and ("noise-weather", 5) in in_file
    assert found(tmp_path / "shard.jsonl", 4) == in_file
