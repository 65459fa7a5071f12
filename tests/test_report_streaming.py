"""Writers for large runs: the report files are written piece by piece (never built as
one string), with exactly the bytes the whole-document serialisers give, and report.html
embeds a bounded part of a huge run and says so."""

from __future__ import annotations

import copy
import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seedcheck.config import load_config
from seedcheck.model import Severity
from seedcheck.pipeline import run
from seedcheck.report import WRITERS, findings_json, html, jsonstream, junit, sarif, write_reports

from .conftest import ROOT, SEEDS

# ---------------------------------------------------------------- jsonstream == json.dumps


class Opaque:
    """Not JSON: serialised through `default=str`."""

    def __str__(self) -> str:
        return "opaque </script>\u2028"


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.just(Severity.ERROR),
    st.builds(Opaque),
)
keys = st.one_of(st.text(max_size=8), st.integers(-5, 5), st.floats(allow_nan=False), st.booleans(), st.none())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.lists(inner, max_size=3).map(tuple), st.dictionaries(keys, inner, max_size=4)
    ),
    max_leaves=25,
)


def reference(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


@settings(max_examples=400, deadline=None)
@given(values)
def test_encode_and_dump_write_what_json_dumps_writes(value):
    assert jsonstream.encode(value) == reference(value)
    out = io.StringIO()
    jsonstream.dump(value, out)
    assert out.getvalue() == reference(value)


@settings(max_examples=200, deadline=None)
@given(st.lists(values, max_size=6), st.dictionaries(st.text(max_size=5), values, max_size=3))
def test_iterators_are_written_as_arrays(items, extra):
    # As the writers use it: some arrays are generators, possibly empty, possibly nested in a list.
    document = {"head": extra, "items": iter(items), "empty": iter(()), "runs": [{"results": (x for x in items)}]}
    out = io.StringIO()
    jsonstream.dump(document, out)
    assert out.getvalue() == reference({"head": extra, "items": items, "empty": [], "runs": [{"results": items}]})


def test_an_iterator_inside_a_streamed_item_is_refused():
    with pytest.raises(TypeError, match="iterator"):
        jsonstream.dump(iter([{"inner": iter([1])}]), io.StringIO())


# ---------------------------------------------------------------- whole-run writers


def bigger(result, copies: int):
    """`result` with its documents and findings repeated under new ids (a larger run)."""
    out = copy.copy(result)
    out.documents, out.findings = [], []
    for i in range(copies):
        out.documents += [{**d, "doc_id": f"{i}/{d['doc_id']}"} for d in result.documents]
        out.findings += [dataclasses.replace(f, doc_id=f"{i}/{f.doc_id}" if f.doc_id else "") for f in result.findings]
    return out


class Recorder(io.StringIO):
    """A text file that remembers the size of every write."""

    def __init__(self):
        super().__init__()
        self.sizes = []

    def write(self, text: str) -> int:
        self.sizes.append(len(text))
        return super().write(text)


@pytest.fixture(scope="module")
def seeds():
    return run(load_config(str(ROOT / "pyproject.toml")), [str(SEEDS)], jobs=1)


@pytest.fixture(scope="module")
def large(seeds):
    return bigger(seeds, 300)


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "html", "text"])
def test_writers_stream_in_pieces_and_render_the_same_text(large, fmt):
    module = WRITERS[fmt]
    fh = Recorder()
    module.write(large, fh)
    text = fh.getvalue()
    assert text == module.render(large)
    # Many writes, none of them a large share of the file: the text was never whole in memory.
    assert len(fh.sizes) > 5 and max(fh.sizes) < len(text) / 4, (len(fh.sizes), max(fh.sizes), len(text))


def test_json_reports_are_exactly_the_dump_of_their_content(seeds):
    text = findings_json.render(seeds)  # indented: people read it too
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    text = sarif.render(seeds)  # compact: only machines read it
    assert text == json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False) + "\n"


def test_compact_dump_streams_iterators_like_json_dumps_of_lists():
    value = {
        "a": [1, {"b": iter([{"x": "é\u2028<>&"}, 2.5, None, float("nan")])}],
        1: True,
        None: "n",
        2.5: (1, 2),
        "empty": iter([]),
        "deep": {"m": iter([[1, 2], {"q": float("inf")}])},
    }
    expected = {
        "a": [1, {"b": [{"x": "é\u2028<>&"}, 2.5, None, float("nan")]}],
        1: True,
        None: "n",
        2.5: (1, 2),
        "empty": [],
        "deep": {"m": [[1, 2], {"q": float("inf")}]},
    }
    fh = io.StringIO()
    jsonstream.dump_compact(value, fh)
    assert fh.getvalue() == json.dumps(expected, separators=(",", ":"), ensure_ascii=False)


def test_findings_json_keeps_its_contract(seeds):
    data = json.loads(findings_json.render(seeds))
    assert list(data) == ["schema_version", "tool", "summary", "documents", "findings", "expectations"]
    assert data["findings"] == [f.to_json() for f in seeds.findings]
    assert [d["doc_id"] for d in data["documents"]] == [d["doc_id"] for d in seeds.documents]
    assert not any(k.startswith("_") or k == "body" for d in data["documents"] for k in d["record"])


def test_junit_is_the_whole_tree_indented(large):
    text = junit.render(large)
    head, body = text.split("\n", 1)
    assert head == '<?xml version="1.0" encoding="UTF-8"?>'
    root = ET.fromstring(body)
    for el in root.iter():  # drop the layout, then lay the tree out in one go
        if el.text is not None and not el.text.strip():
            el.text = None
        el.tail = None
    ET.indent(root)
    assert body == ET.tostring(root, encoding="unicode") + "\n"
    suite = root.find("testsuite[@name='seedcheck.documents']")
    assert int(suite.get("tests")) == len(suite.findall("testcase")) >= len(large.documents)
    assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))


def test_empty_run_writes_valid_reports(seeds, tmp_path):
    empty = copy.copy(seeds)
    empty.documents, empty.findings, empty.expectations = [], [], []
    written = {p.name: p.read_text(encoding="utf-8") for p in write_reports(empty, tmp_path)}
    assert json.loads(written["findings.json"])["findings"] == []
    assert json.loads(written["findings.sarif"])["runs"][0]["results"] == []
    assert ET.fromstring(written["junit.xml"].split("\n", 1)[1]).get("tests") == "0"


# ---------------------------------------------------------------- report.html caps


def embedded_data(page: str) -> dict:
    return json.loads(
        re.search(r'<script type="application/json" id="seedcheck-data">(.*?)</script>', page, re.DOTALL).group(1)
    )


def test_html_embeds_everything_of_a_small_run(seeds):
    page = html.render(seeds)
    data = embedded_data(page)
    assert len(data["docs"]) == len(seeds.documents) and len(data["findings"]) == len(seeds.findings)
    assert "capped" not in data and 'id="capped"' not in page
    assert embedded_data(page) == json.loads(json.dumps(html.payload(seeds)))


def test_html_caps_the_documents_of_a_large_run_errors_first(large, monkeypatch):
    monkeypatch.setattr(html, "MAX_DOCUMENTS", 40)
    page = html.render(large)
    data = embedded_data(page)
    docs = data["docs"]
    assert len(docs) == 40
    # Errors first: no document is embedded while a worse one was left out.
    embedded = {d["id"] for d in docs}
    worst_left_out = max(html.STATUS_RANK[d["status"]] for d in large.documents if d["doc_id"] not in embedded)
    assert all(html.STATUS_RANK[d["status"]] >= worst_left_out for d in docs)
    # The documents keep the run's (path) order.
    assert [d["doc_id"] for d in large.documents if d["doc_id"] in embedded] == [d["id"] for d in docs]
    # The page says so, with the totals; the overview still counts every finding.
    assert data["capped"] == {
        "documents": 40,
        "documentsTotal": len(large.documents),
        "findings": len(data["findings"]),
        "findingsTotal": len(large.findings),
    }
    assert page.count('id="capped"') == 1
    notice = re.sub(r"\s+", " ", re.search(r'<p class="capped" id="capped"[^>]*>(.*?)</p>', page, re.DOTALL).group(1))
    assert f"40 of {len(large.documents):,} documents" in notice and "findings.json" in notice
    assert f"· {len(large.findings)} findings" in page


def test_html_caps_the_findings_and_keeps_each_document_whole(large, monkeypatch):
    monkeypatch.setattr(html, "MAX_FINDINGS", 100)
    data = embedded_data(html.render(large))
    docs = data["docs"]
    assert 0 < len(data["findings"]) <= 100 and data["capped"]["findingsTotal"] == len(large.findings)
    per_doc, counted = {}, {}
    for f in large.findings:
        per_doc[f.doc_id] = per_doc.get(f.doc_id, 0) + 1
    for f in data["findings"]:
        if f["doc"] >= 0:
            counted[docs[f["doc"]]["id"]] = counted.get(docs[f["doc"]]["id"], 0) + 1
    assert all(counted.get(d["id"], 0) == per_doc.get(d["id"], 0) for d in docs)
