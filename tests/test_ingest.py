"""Ingest: every format, every kind of bad file, exactly one record per file."""

from __future__ import annotations

import codecs

from hypothesis import given, settings
from hypothesis import strategies as st

from seedcheck.ingest import discover, read_source
from seedcheck.ingest.decode import decode, split_lines
from seedcheck.ingest.frontmatter import parse_frontmatter


def read_one(tmp_path, name: str, data: bytes):
    (tmp_path / name).write_bytes(data)
    [source] = [s for s in discover([str(tmp_path)]) if s.doc_id == name]
    return read_source(source)


def rules_of(doc):
    return [name for name, _ in doc.hits]


def test_frontmatter_markdown(tmp_path):
    [doc] = read_one(tmp_path, "a.txt", b"---\ntitle: T\ndate: '2021-03-01'\n---\nBody line.\n")
    assert doc.format == "markdown"
    assert doc.frontmatter == {"title": "T", "date": "2021-03-01"}
    assert list(doc.body_lines()) == [(5, "Body line.")]
    assert doc.frontmatter_lines == {"title": 2, "date": 3}


def test_frontmatter_dates_stay_strings_even_when_impossible():
    fm = parse_frontmatter(["---", "date: 2022-02-30", "published_time: 2021-03-01 18:59:26-05:00", "---"])
    assert fm.data == {"date": "2022-02-30", "published_time": "2021-03-01 18:59:26-05:00"}


def test_plain_text_header_lines(tmp_path):
    [doc] = read_one(tmp_path, "b.txt", b" date 2021-06-08 MEXICO CITY\n\nThe president met.\n")
    assert doc.headers["date"] == ("2021-06-08", 1)
    assert doc.headers["place"] == ("MEXICO CITY", 1)
    assert [t for _, t in doc.body_lines()] == ["", "The president met."]


def test_title_date_source_headers(tmp_path):
    [doc] = read_one(tmp_path, "c.txt", b"Title: A title\nDate: 2021-01-02\nURL: https://x.gov/a\nBody.\n")
    assert doc.headers["title"][0] == "A title"
    assert doc.headers["source"] == ("https://x.gov/a", 3)
    assert [t for _, t in doc.body_lines()] == ["Body."]


def test_jsonl_one_document_per_line(tmp_path):
    data = (
        b'{"id": "x1", "text": "First doc.", "metadata": {"url": "https://a.gov/1", "date": "2021-01-01"}}\n'
        b'\n{"text": "Second doc."}\nnot json\n[1, 2]\n'
    )
    docs = read_one(tmp_path, "c.jsonl", data)
    assert [d.doc_id for d in docs] == ["c.jsonl#x1", "c.jsonl#L3", "c.jsonl#L4", "c.jsonl#L5"]
    assert docs[0].frontmatter == {"date": "2021-01-01", "source_url": "https://a.gov/1"}
    assert docs[1].body == "Second doc."
    assert rules_of(docs[2]) == ["unreadable-document"] and rules_of(docs[3]) == ["unreadable-document"]


def test_jsonl_field_names_are_configurable(tmp_path):
    from seedcheck.ingest.readers import IngestOptions

    (tmp_path / "d.jsonl").write_text('{"content": "Dolma text.", "source": "https://a.gov/"}\n')
    [source] = discover([str(tmp_path)])
    [doc] = read_source(source, IngestOptions(jsonl_text=("content",), jsonl_url=("source",)))
    assert doc.body == "Dolma text." and doc.frontmatter["source_url"] == "https://a.gov/"


def test_binary_and_empty_and_latin1(tmp_path):
    [binary] = read_one(tmp_path, "img.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert not binary.readable and rules_of(binary) == ["unreadable-document"]
    [empty] = read_one(tmp_path, "empty.txt", b"")
    assert empty.readable and empty.lines == [] and rules_of(empty) == []
    [latin] = read_one(tmp_path, "latin.txt", "López Obrador".encode("latin-1"))
    assert rules_of(latin) == ["encoding-not-utf8"] and latin.lines == ["López Obrador"]


def test_utf16_with_and_without_bom():
    text = "Andrés Manuel López Obrador\n"
    assert decode(codecs.BOM_UTF16_LE + text.encode("utf-16-le")).text == text
    assert decode(text.encode("utf-16-le")).text == text
    assert decode(codecs.BOM_UTF8 + text.encode()).encoding == "utf-8-sig"


def test_invalid_frontmatter_keeps_the_document(tmp_path):
    [doc] = read_one(tmp_path, "bad.md", b"---\ntitle: [x\n---\nBody.\n")
    assert rules_of(doc) == ["invalid-frontmatter"] and doc.readable
    assert doc.body == "Body."


def test_yaml_alias_bomb_and_python_tags_are_refused():
    bomb = (
        ["---", "a: &a [x, x, x, x, x, x, x, x, x]"]
        + [f"b{i}: &b{i} [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]" for i in range(12)]
        + ["---"]
    )
    assert "aliases" in parse_frontmatter(bomb).error
    tagged = parse_frontmatter(["---", "x: !!python/object/apply:os.system ['echo hi']", "---"])
    assert tagged.error and tagged.data is None


def test_newlines_crlf_cr_lf_count_as_editors_do():
    assert split_lines("a\r\nb\rc\nd\x0ce\u2028f\n") == ["a", "b", "c", "d\x0ce\u2028f"]


def test_special_files_and_broken_links_are_reported_not_opened(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.txt")
    os.symlink(tmp_path / "missing", tmp_path / "dangling.txt")
    os.symlink(tmp_path / "loop.txt", tmp_path / "loop.txt")
    sources = {s.doc_id: s for s in discover([str(tmp_path)])}
    assert "FIFO" in sources["pipe.txt"].problem
    assert "broken" in sources["dangling.txt"].problem
    assert "loop" in sources["loop.txt"].problem
    for source in sources.values():
        [doc] = read_source(source)
        assert rules_of(doc) == ["unreadable-document"]


def test_oversized_file_is_not_read(tmp_path):
    from seedcheck.ingest.readers import IngestOptions

    (tmp_path / "big.txt").write_bytes(b"x" * 2048)
    [source] = discover([str(tmp_path)])
    [doc] = read_source(source, IngestOptions(max_file_size=1024))
    assert rules_of(doc) == ["unreadable-document"] and "limit" in doc.hits[0][1].message


def test_include_exclude_globs(tmp_path):
    for name in ("a.txt", "b.md", "c.log", ".hidden.txt"):
        (tmp_path / name).write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.txt").write_text("x")
    ids = [s.doc_id for s in discover([str(tmp_path)], include=["*.txt", "*.md"], exclude=[".*", "sub"])]
    assert ids == ["a.txt", "b.md"]


_GLOB_ALPHABET = "ab.*?[]!/-_ "


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(_GLOB_ALPHABET, max_size=8), max_size=4),
    st.text(_GLOB_ALPHABET.replace("*", "").replace("?", ""), min_size=1, max_size=10),
)
def test_glob_matching_is_fnmatchs(patterns, relpath):
    # Discovery matches every file against the include/exclude globs with one compiled
    # regex; it must say what `fnmatch` says of the path or of its file name.
    import fnmatch

    from seedcheck.ingest.discover import _matches

    name = relpath.rsplit("/", 1)[-1]
    expected = any(fnmatch.fnmatch(relpath, p) or fnmatch.fnmatch(name, p) for p in patterns)
    assert _matches(relpath, patterns) == expected


def test_libyaml_and_python_loaders_read_frontmatter_alike(monkeypatch):
    # The fast libyaml path must not change what a frontmatter means or how an error reads.
    from seedcheck.ingest import frontmatter

    # The PyYAML wheels the project installs include libyaml; losing it would silently
    # lose the fast path, so it is an error here rather than a skip.
    assert frontmatter._CLoader is not None, "PyYAML without libyaml: frontmatter falls back to the slow loader"
    cases = [
        "date: 2022-02-30\npublished_time: 2024-10-10 17:11:51-04:00\ntitle: 'A: b'\n",
        "tags: [a, b, {c: 1}]\nn: 1e400\nx: .nan\nb: !!binary aGVsbG8=\ns: !!set {a, b}\nt: !!timestamp 2001-12-14\n",
        'title: "Kamala\\_Harris on the\\\n  \\ Passing"\nempty:\n',
        "a: [unclosed\n",
        "a: b: c\n",
        "- just\n- a list\n",
        "key: value\n  bad indent: x\n",
    ]
    for case in cases:
        assert frontmatter._c_safe(case)
        lines = ["---", *case.rstrip("\n").split("\n"), "---", "body"]
        fast = parse_frontmatter(lines)
        monkeypatch.setattr(frontmatter, "_CLoader", None)
        slow = parse_frontmatter(lines)
        monkeypatch.undo()
        assert (fast.data, fast.error, fast.error_line) == (slow.data, slow.error, slow.error_line), case
    assert not frontmatter._c_safe("a: &x [1]\nb: *x\n")
    assert not frontmatter._c_safe("a: " + "[" * 40 + "]" * 40 + "\n")


def test_a_run_shares_each_files_path_and_id_with_its_record_and_lets_go_of_the_sources(tmp_path, monkeypatch):
    # Discovery interns a file's path and id (one string for the path read and the path
    # shown), and the run interns each record's as it arrives from a worker: one string
    # each, not three copies. The sources are gone before the corpus stage.
    import gc

    from seedcheck import pipeline
    from seedcheck.config import Config
    from seedcheck.ingest import Source

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for k in range(80):  # enough files for worker processes, whose records come pickled
        (corpus / f"doc{k:02}.md").write_text(f"Title: Doc {k}\nDate: 2024-01-02\n\nThe leaders met on day {k}.\n")
    found = pipeline.discover_sources(Config(), [str(corpus)])
    assert all(s.path is s.fs_path for s in found) and len(found) == 80
    del found
    strings, left = [], []
    real_stage, real_complete = pipeline.document_stage, pipeline.complete

    def stage(engine, sources, *args):
        strings.extend((id(s.doc_id), id(s.path)) for s in sources)
        return real_stage(engine, sources, *args)

    def complete(engine, records, *args):
        gc.collect()
        left.extend(o for o in gc.get_objects() if isinstance(o, Source) and o.fs_path.startswith(str(corpus)))
        assert [(id(i), id(p)) for i, p in zip(records.ids, records.paths)] == strings
        return real_complete(engine, records, *args)

    monkeypatch.setattr(pipeline, "document_stage", stage)
    monkeypatch.setattr(pipeline, "complete", complete)
    result = pipeline.run(Config(), [str(corpus)], jobs=2)
    assert len(result.documents) == 80 and len(strings) == 80 and left == []
