"""Property-based tests (hypothesis): whatever a scraper produces, seedcheck yields exactly one
record per file (one per JSONL line), findings and no exception, deterministically.

Every rule is covered by iterating the registry at test time, so rules added later are
fuzzed too. The in-process API is used (no subprocess per example).

Profiles (environment variable SEEDCHECK_HYPOTHESIS_PROFILE): `dev` (default: random
examples, the example database on), `ci` (derandomized, no database: reproducible in CI),
`thorough` (10x the examples). Run with `--hypothesis-show-statistics` to see the counts.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from itertools import count
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seedcheck.config import apply, load_config
from seedcheck.extract import build_record
from seedcheck.ingest import discover, read_source
from seedcheck.pipeline import Engine, run
from seedcheck.report import findings_json

from .conftest import ROOT

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, database=None)
settings.register_profile("thorough", deadline=None)
PROFILE = os.environ.get("SEEDCHECK_HYPOTHESIS_PROFILE", "dev")
settings.load_profile(PROFILE)
FACTOR = 10 if PROFILE == "thorough" else 1
SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]


def examples(n: int) -> int:
    return n * FACTOR


# Fragments scrapers really produce, plus hostile ones; glued together with arbitrary text.
TOKENS = [
    "---",
    "...",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\t",
    "\n\n",
    "title:",
    "date:",
    "source_url:",
    "published_time:",
    "tags:",
    "modified_time:",
    "Title: ",
    "Date: ",
    "Source: ",
    "URL: ",
    " date 2021-06-08 MEXICO CITY",
    "2021-03-01",
    "2022-02-30",
    "2021-13-45",
    "2099-01-01",
    "2021-03-01T18:59:26-05:00",
    "March 1, 2021",
    "https://www.whitehouse.gov/briefing-room/statements-releases/2021/03/01/readout/",
    "http://",
    "https://",
    "?utm_source=x&fbclid=y",
    "Official news published at https://www.whitehouse.gov/x/",
    "&a ",
    "*a",
    "&a [*a]",
    "!!python/object:os.system",
    "!!binary",
    "!!timestamp",
    "[",
    "]",
    "{",
    "}",
    ": ",
    "- ",
    "'",
    '"',
    "###",
    "\\###",
    "-30-",
    "**",
    "<sup>nd</sup>",
    "<script>alert(1)</script>",
    "&amp;",
    "&nbsp;",
    "LÃ³pez",
    "López",
    "Andres Manuel Lopez Obrador",
    "Andrés Manuel López Obrador",
    "Anthony Blinken",
    "Antony Blinken",
    "\x00",
    "\ufeff",
    "\u200b",
    "\u202e",
    "\u2028",
    "\x0c",
    "\x1b[2J",
    "\u00a0",
    "90.5 F",
    "Read more",
    "Latest Articles",
    "Share on Facebook",
    "© 2021 All rights reserved",
    ". and",
    ". .",
    "\u201d",
    "…",
    "The President met the Prime Minister today.",
    "HomeUncategorizedReadout of the call",
    "{{ 7*7 }}",
    "${7*7}",
    "é" * 3,
    "\U0001f600",
]
FRAGMENT = st.one_of(st.sampled_from(TOKENS), st.text(max_size=20))
TEXT_DOCS = st.lists(FRAGMENT, max_size=80).map("".join)
ENCODINGS = st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1"])
SUFFIXES = st.sampled_from([".md", ".txt", ".markdown", ""])

_names = count()


@pytest.fixture(scope="module")
def engine():
    return Engine(load_config(None, start=ROOT))


@pytest.fixture(scope="module")
def workdir():
    # hypothesis re-runs the test body many times per function-scoped fixture: one folder,
    # a fresh sub-folder per example.
    folder = Path(tempfile.mkdtemp(prefix="seedcheck-props-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def new_file(workdir: Path, data: bytes, suffix: str) -> Path:
    folder = workdir / f"ex{next(_names)}"
    folder.mkdir()
    path = folder / f"doc{suffix}"
    path.write_bytes(data)
    return path


def strict(value) -> str:
    """JSON as findings.json writes it, refusing NaN and lone surrogates."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, default=str, sort_keys=True)
    text.encode("utf-8")
    return text


def check_one_file(engine: Engine, path: Path, expect_docs: int | None = 1) -> list:
    """The contract for one file: N documents, every rule runs, findings are sane and stable."""
    [source] = list(discover([str(path)]))
    docs = read_source(source, engine.options)
    if expect_docs is not None:
        assert len(docs) == expect_docs
    for doc in docs:
        assert doc.doc_id.startswith(source.doc_id)
        # Each rule by name, so a failure says which one.
        build_record(doc, engine.context)
        if doc.readable:
            for rule in engine.document_rules:
                try:
                    hits = list(rule.check(doc))
                    findings = [rule.to_finding(doc, hit) for hit in hits]
                except Exception as exc:  # noqa: BLE001 (any exception is a crash)  # pragma: no cover
                    pytest.fail(f"rule {rule.name} raised {type(exc).__name__}: {exc}")
                for f in findings:
                    # len + 1: "the body should start here" after the last header line is allowed.
                    assert f.line is None or 1 <= f.line <= len(doc.lines) + 1, (rule.name, f.line, len(doc.lines))
                    strict(f.to_json())
            for analyzer in engine.analyzers:
                try:
                    analyzer.collect(doc, engine.context)
                except Exception as exc:  # noqa: BLE001 (any exception is a crash)  # pragma: no cover
                    pytest.fail(f"analyzer {analyzer.name} raised {type(exc).__name__}: {exc}")
    first = engine.process(source)
    second = engine.process(source)
    assert len(first) == len(docs)
    for a, b in zip(first, second):
        assert strict([f.to_json() for f in a.findings]) == strict([f.to_json() for f in b.findings])
        assert strict(findings_json.public_record(a.record)) == strict(findings_json.public_record(b.record))
        assert a.record["doc_id"] and a.record["path"]
        known = set(engine.registry.rules)
        assert {f.rule for f in a.findings} <= known
    return first


def test_the_registry_has_rules_to_fuzz(engine):
    assert engine.document_rules, "no document rules in the registry"


@settings(max_examples=examples(300), suppress_health_check=SLOW_OK)
@given(data=st.binary(max_size=4096), suffix=SUFFIXES)
def test_arbitrary_bytes_give_one_record(engine, workdir, data, suffix):
    check_one_file(engine, new_file(workdir, data, suffix), expect_docs=1)


@settings(max_examples=examples(300), suppress_health_check=SLOW_OK)
@given(text=TEXT_DOCS, encoding=ENCODINGS, suffix=SUFFIXES)
def test_arbitrary_text_gives_one_record(engine, workdir, text, encoding, suffix):
    data = text.encode(encoding, errors="replace")
    check_one_file(engine, new_file(workdir, data, suffix), expect_docs=1)


@settings(max_examples=examples(150), suppress_health_check=SLOW_OK)
@given(title=TEXT_DOCS, date=TEXT_DOCS, url=TEXT_DOCS, tags=st.lists(TEXT_DOCS, max_size=4), body=TEXT_DOCS)
def test_arbitrary_frontmatter_values_give_one_record(engine, workdir, title, date, url, tags, body):
    # Well-formed YAML whose values are anything: the record and the rules must cope.
    import yaml

    front = yaml.safe_dump({"title": title, "date": date, "source_url": url, "tags": tags}, allow_unicode=True)
    data = f"---\n{front}---\n{body}\n".encode("utf-8", errors="replace")
    check_one_file(engine, new_file(workdir, data, ".md"), expect_docs=1)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT_DOCS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
JSONL_LINES = st.one_of(
    st.dictionaries(
        st.sampled_from(["id", "text", "title", "date", "url", "metadata", "content"]), JSON_VALUES, max_size=6
    ).map(lambda d: json.dumps(d, ensure_ascii=False)),
    JSON_VALUES.map(lambda v: json.dumps(v, ensure_ascii=False)),
    TEXT_DOCS.map(lambda t: t.replace("\n", " ").replace("\r", " ")),
)


@settings(max_examples=examples(150), suppress_health_check=SLOW_OK)
@given(lines=st.lists(JSONL_LINES, max_size=8))
def test_arbitrary_jsonl_gives_one_record_per_line(engine, workdir, lines):
    from seedcheck.ingest.decode import split_lines

    text = "\n".join(lines)
    data = text.encode("utf-8", errors="replace")
    non_blank = [ln for ln in split_lines(data.decode("utf-8-sig")) if ln.strip()]
    outcomes = check_one_file(engine, new_file(workdir, data, ".jsonl"), expect_docs=None)
    if outcomes[0].record.get("encoding") in ("utf-8", "utf-8-sig"):
        assert len(outcomes) == max(1, len(non_blank))
    else:  # a fifth NULs or more: read as UTF-16 or binary, as a whole
        assert data.count(0) * 5 >= len(data) and outcomes
    assert len({o.record["doc_id"] for o in outcomes}) == len(outcomes), "doc ids must be unique"


@pytest.fixture(scope="module")
def fast_config():
    # The corpus expectations stage (great-expectations) costs seconds per run; it gets
    # its own determinism check in test_reports_identical_for_any_jobs.
    config = load_config(None, start=ROOT)
    apply(config, {"ignore": ["expectation-failed"]})
    return config


@settings(max_examples=examples(12), suppress_health_check=SLOW_OK)
@given(texts=st.lists(TEXT_DOCS, min_size=1, max_size=4), data=st.binary(max_size=256))
def test_reports_are_byte_identical_for_the_same_input(fast_config, workdir, texts, data):
    folder = workdir / f"corpus{next(_names)}"
    folder.mkdir()
    for i, text in enumerate(texts):
        (folder / f"d{i}.md").write_bytes(text.encode("utf-8", errors="replace"))
    (folder / "raw.txt").write_bytes(data)
    first = run(fast_config, [str(folder)], jobs=1)
    second = run(fast_config, [str(folder)], jobs=1)
    assert len(first.documents) == len(texts) + 1
    assert findings_json.render(first) == findings_json.render(second)


@pytest.mark.slow
@settings(max_examples=examples(2), suppress_health_check=SLOW_OK)
@given(texts=st.lists(TEXT_DOCS, min_size=8, max_size=8))
def test_reports_identical_for_any_jobs(workdir, texts):
    """Worker processes only start from 64 files: 72 here, so --jobs 2 really fans out."""
    config = load_config(None, start=ROOT)
    folder = workdir / f"jobs{next(_names)}"
    folder.mkdir()
    for i in range(72):
        # Repeats make duplicates for the corpus rules; the suffix varies the rest.
        text = texts[i % 8] + ("" if i < 16 else f"\nLine {i} of the corpus, for variety.\n")
        (folder / f"doc{i:02d}.md").write_bytes(text.encode("utf-8", errors="replace"))
    serial = findings_json.render(run(config, [str(folder)], jobs=1))
    parallel = findings_json.render(run(config, [str(folder)], jobs=2))
    assert serial == parallel
    assert json.loads(serial)["summary"]["documents"] == 72
