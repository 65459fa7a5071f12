"""A shard record's text is read as markdown or plain text the way the same document would be
read as a file (`[tool.seedcheck.jsonl] text-format`, the record's own format field)."""

from __future__ import annotations

import json
import tarfile
from collections import Counter

import pandas as pd
import pytest

import seedcheck
from seedcheck import config as config_module
from seedcheck.config import Config, ConfigError, load_config
from seedcheck.ingest import Source
from seedcheck.ingest.readers import read_source
from seedcheck.ingest.textformat import TEXT_FORMATS, declared_format, record_format

from .conftest import SHARED

WH25 = SHARED / "corpora" / "wh-briefings-2025-2026-sample.tar.gz"

# Markdown a converter writes: a heading, emphasis, a link, a list, a hard break, an
# escaped end mark and a pandoc list separator; every line of it is a finding in plain text.
MARKDOWN = """## Statement on the Summit

The President met **twelve governors** on Monday at the [White House](https://www.whitehouse.gov/).

-   Governor Smith of Ohio
-   Governor Jones of Iowa

<!-- -->

-   Further reading on the [summit page](https://www.whitehouse.gov/summit/).

The Press Office  
Washington, D.C.

\\###
"""

# The same without the escaped end mark, which markup-markdown reports in markdown too.
SYNTAX = MARKDOWN.replace("\\###\n", "")


def file_docs(tmp_path, texts: dict[str, str]) -> tuple:
    """Write `texts` as files under tmp_path/docs; the records of the same documents (id =
    the file's relative path, text = its body, frontmatter fields as record fields) and
    each document's first body line."""
    records, offsets = [], {}
    for name, text in texts.items():
        path = tmp_path / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        (doc,) = read_source(Source(str(path), str(path), name, path.stat().st_size))
        record = {"id": name, "text": "\n".join(doc.lines[doc.body_start :])}
        for key in ("title", "date", "source_url"):
            if (doc.frontmatter or {}).get(key) is not None:
                record[key] = str(doc.frontmatter[key])
        records.append(record)
        offsets[name] = doc.body_start
    return records, offsets


def write_jsonl(path, records) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def keyed(result, offsets: dict[str, int] | None = None) -> Counter:
    """Findings as comparable tuples; a record's doc id and lines mapped to its file's (and
    the other records' ids its messages name, for duplicates)."""
    out = Counter()
    for f in result.finding_objects:
        doc_id, line, end = f.doc_id, f.line, f.end_line
        message, fix = f.message, json.dumps(f.to_json().get("fix"), sort_keys=True)
        if offsets is not None and "#" in doc_id:
            shard, doc_id = doc_id.split("#", 1)
            message, fix = message.replace(shard + "#", ""), fix.replace(shard + "#", "")  # other records' ids
            shift = offsets[doc_id]
            line, end = (None if n is None else n + shift for n in (line, end))
        related = tuple(sorted(r.split("#", 1)[-1] for r in f.related))
        out[(f.rule, str(f.severity), doc_id, line, f.column, end, message, f.excerpt, related, fix)] += 1
    return out


def rules(result) -> Counter:
    return Counter(f.rule for f in result.finding_objects)


def check(data, tmp_path, **overrides):
    return seedcheck.check(data, Config(root=tmp_path), **overrides)


def test_markdown_records_get_the_findings_of_the_same_md_files(tmp_path):
    head = "---\ntitle: Summit {}\ndate: '2025-03-0{}'\nsource_url: https://www.whitehouse.gov/s/{}/\n---\n"
    texts = {
        "a.md": head.format(1, 4, 1) + MARKDOWN,
        "sub/b.md": head.format(2, 5, 2) + MARKDOWN.replace("twelve", "9"),
    }
    records, offsets = file_docs(tmp_path, texts)
    write_jsonl(tmp_path / "records.jsonl", records)
    files = check(str(tmp_path / "docs"), tmp_path)
    assert keyed(check(str(tmp_path / "records.jsonl"), tmp_path), offsets) == keyed(files)
    # The same text read as plain: its markdown is reported (in .md, the escaped end mark only).
    plain = check(str(tmp_path / "records.jsonl"), tmp_path, jsonl={"text-format": "plain"})
    assert rules(plain)["markup-markdown"] > 2 * rules(files)["markup-markdown"] == 4


@pytest.mark.skipif(not WH25.exists(), reason=f"{WH25} absent")
def test_real_releases_as_jsonl_parquet_and_a_dataframe_match_their_md_files(tmp_path):
    with tarfile.open(WH25) as tar:
        members = sorted((m for m in tar.getmembers() if m.name.endswith(".md")), key=lambda m: m.name)[:4]
        texts = {m.name.removeprefix("./"): tar.extractfile(m).read().decode("utf-8") for m in members}
    records, offsets = file_docs(tmp_path, texts)
    write_jsonl(tmp_path / "records.jsonl", records)
    pd.DataFrame(records).to_parquet(tmp_path / "records.parquet")
    expected = keyed(check(str(tmp_path / "docs"), tmp_path))
    for data in (str(tmp_path / "records.jsonl"), str(tmp_path / "records.parquet"), pd.DataFrame(records)):
        assert keyed(check(data, tmp_path), offsets) == expected
    # Read as plain text, the same records are full of "markdown in plain text".
    assert rules(check(str(tmp_path / "records.jsonl"), tmp_path, jsonl={"text-format": "plain"}))["markup-markdown"]


def test_a_plain_text_record_is_not_read_as_markdown(tmp_path):
    rows = [
        {"id": "r1", "text": SYNTAX},  # no suffix, no format field: plain under "auto"
        {"id": "r2.txt", "text": SYNTAX, "format": "markdown"},  # the record's own field wins
        {"id": "r3.md", "text": SYNTAX, "mime_type": "text/plain; charset=utf-8"},
        {"id": "r4.md", "text": SYNTAX},
        {"id": "r5.html", "text": SYNTAX},  # read as a .html file is: plain text
    ]
    write_jsonl(tmp_path / "r.jsonl", rows)
    pd.DataFrame(rows).to_parquet(tmp_path / "r.parquet")
    for shard in ("r.jsonl", "r.parquet"):
        result = check(str(tmp_path / shard), tmp_path, select=["markup-markdown"])
        assert {f.doc_id.split("#")[1] for f in result.finding_objects} == {"r1", "r3.md", "r5.html"}, shard
    # "markdown" reads records without a format field as markdown; a declared plain one stays plain.
    found = check(str(tmp_path / "r.jsonl"), tmp_path, select=["markup-markdown"], jsonl={"text-format": "markdown"})
    assert {f.doc_id.split("#")[1] for f in found.finding_objects} == {"r3.md"}
    # format = [] : records' own format fields are not read.
    found = check(
        str(tmp_path / "r.jsonl"), tmp_path, select=["markup-markdown"], jsonl={"text-format": "markdown", "format": []}
    )
    assert found.finding_objects == []


def test_record_format_decisions():
    assert declared_format("text/markdown; charset=utf-8") == "markdown"
    assert declared_format(".MD") == "markdown" and declared_format("page.markdown") == "markdown"
    assert declared_format("text/html") == "text" and declared_format("TXT") == "text"
    assert declared_format("article") is None and declared_format(3) is None and declared_format(None) is None
    assert record_format(None, "x/y.md", "auto") == "markdown"
    assert record_format(None, "x/y.json", "auto") == "text" and record_format(None, 17, "auto") == "text"
    assert record_format("article", "a", "markdown") == "markdown"
    assert record_format("text/plain", "a.md", "markdown") == "text"
    assert TEXT_FORMATS == config_module.TEXT_FORMATS


def test_a_mdown_file_is_markdown(tmp_path):
    path = tmp_path / "a.mdown"
    path.write_text(MARKDOWN, encoding="utf-8")
    (doc,) = read_source(Source(str(path), str(path), "a.mdown", path.stat().st_size))
    assert doc.text_format == "markdown"


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("markdwon", "did you mean 'markdown'"),
        ("text", 'did you mean "plain"'),
        ("html", "reads HTML as plain text"),
        (["markdown"], "must be one of 'auto', 'markdown', 'plain'"),
    ],
)
def test_a_bad_text_format_is_a_config_error(tmp_path, value, hint):
    (tmp_path / "pyproject.toml").write_text(
        f"[tool.seedcheck.jsonl]\ntext-format = {json.dumps(value)}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="jsonl.text-format must be one of") as err:
        load_config(str(tmp_path / "pyproject.toml"))
    assert hint in str(err.value)
    with pytest.raises(ConfigError, match="text-format"):
        check([{"text": "x"}], tmp_path, jsonl={"text-format": value})


def test_the_setting_and_field_names_reach_the_reader(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.seedcheck.jsonl]\ntext-format = "markdown"\nformat-field = ["kind"]\n', encoding="utf-8"
    )
    config = load_config(str(tmp_path / "pyproject.toml"))
    assert config.jsonl == {"text-format": "markdown", "format": ["kind"]}
    rows = [{"id": "a", "text": SYNTAX, "kind": "text/plain"}, {"id": "b", "text": SYNTAX, "format": "plain"}]
    found = seedcheck.check(rows, config, select=["markup-markdown"])
    assert {f.doc_id for f in found.finding_objects} == {"records#a"}
