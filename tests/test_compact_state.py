"""What the main process keeps per document after the document stage: records of public
fields and their small traces (not the rules' working data), and no corpus states once the
corpus stage is done."""

from __future__ import annotations

import pytest

from seedcheck.config import load_config
from seedcheck.ingest import discover
from seedcheck.pipeline import Engine, complete, document_stage
from seedcheck.spool import CorpusStates

from .conftest import ROOT, SEEDS, write_doc


def _outcomes(engine, folder):
    sources = list(discover([str(SEEDS), str(folder)], engine.config.include, engine.config.exclude))
    return list(document_stage(engine, sources, 1, lambda n: None))


def test_records_leave_the_document_stage_with_public_fields_only(tmp_path, monkeypatch):
    """A record is its public fields (docs/SPEC.md section 4); what later stages need of its
    document travels in its `RecordTrace`, and the rules' working data stays in the worker."""
    import pickle

    from seedcheck import document_stage as stage
    from seedcheck.extract import PUBLIC_FIELDS
    from seedcheck.model import RecordTrace

    config = load_config(str(ROOT / "pyproject.toml"))
    engine = Engine(config)
    folder = tmp_path / "docs"
    folder.mkdir()
    # A waiver (read by the gate) and several stated dates (the rules' working data).
    text = (
        "Title: A statement\nDate: 2021-03-01\n"
        "Source: https://www.whitehouse.gov/briefing-room/statements-releases/2021/03/01/{}/\n\n{}"
        "Share this article on Facebook\n"
        "The president spoke on March 1, 2021 and again on March 2, 2021 about trade with partners.\n"
    )
    write_doc(folder, "waived.txt", text.format("a", "<!-- seedcheck: ignore noise-social -- kept on purpose -->\n"))
    write_doc(folder, "plain.txt", text.format("b", ""))
    write_doc(folder, "undated.txt", "Title: An undated statement\n\nMarch 3, 2021\n\nThe president spoke today.\n")
    write_doc(folder, "records.jsonl", '{"id": "r1", "text": "A record that names no title, date or URL."}\n')
    outcomes = _outcomes(engine, folder)
    assert not {k for o in outcomes for k in o.record} - PUBLIC_FIELDS
    traces = {o.record["doc_id"]: o.trace for o in outcomes}
    assert all(t.fs_path for t in traces.values())
    assert traces["waived.txt"].waivers and not traces["plain.txt"].waivers
    assert traces["plain.txt"].line_of("date") == 2 and traces["plain.txt"].line_of("source_url") == 3
    assert traces["plain.txt"].body_line == 4  # the body opens with the blank line after the headers
    assert traces["undated.txt"].date_proposal["date"] == "2021-03-03"
    assert set(traces["records.jsonl#r1"].unmapped) == {"title", "date", "source_url"}
    # Pickled (workers, the cache, Spark), a trace keeps its set values only.
    trace = traces["plain.txt"]
    assert pickle.loads(pickle.dumps(trace)) == trace and set(trace.__getstate__()) <= {
        "fs_path",
        "field_lines",
        "body_line",
    }
    assert pickle.loads(pickle.dumps(RecordTrace())) == RecordTrace()

    states = CorpusStates()
    for o in outcomes:
        states.add(o.record["doc_id"], o.states)
    result = complete(
        engine,
        [o.record for o in outcomes],
        [f for o in outcomes for f in o.findings],
        states,
        [o.readable for o in outcomes],
        [o.trace for o in outcomes],
        {},
        [str(SEEDS), str(folder)],
        None,
        0.0,
    )
    assert states.take("names") == []  # the corpus states are let go once the corpus stage is done
    rules = {doc: {f.rule for f in result.findings if f.doc_id == doc} for doc in ("waived.txt", "plain.txt")}
    assert "noise-social" in rules["plain.txt"]
    assert not rules["waived.txt"] & {"noise-social", "unused-waiver", "invalid-waiver"}
    fixes = {(f.doc_id, f.rule): f.fix for f in result.findings if f.fix}
    assert fixes["undated.txt", "missing-date"].replacement.startswith("Date: 2021-03-03")
    assert "[tool.seedcheck.jsonl]" in fixes["records.jsonl#r1", "missing-source-url"].description
    assert result.traces["plain.txt"] is traces["plain.txt"]

    # Large runs drop bodies: the trace says so, the record does not grow.
    monkeypatch.setattr(stage, "ALL_BODIES_UP_TO", 0)
    monkeypatch.setattr(stage, "HTML_BODY_CAP", 1)
    outcomes = _outcomes(engine, folder)
    assert all(set(o.record) <= PUBLIC_FIELDS for o in outcomes)
    omitted = [o for o in outcomes if o.trace.body_omitted]
    assert omitted and all(o.record["body"] is None for o in omitted)


def test_spool_returns_every_item_in_order_until_closed():
    from seedcheck import spool

    s = spool.Spool()
    items = [(i, "x" * (i % 7), {"n": i}) for i in range(spool.BATCH * 2 + 5)]  # two full batches and a tail
    s.extend(items[:10])
    for item in items[10:]:
        s.append(item)
    assert len(s) == len(items)
    assert list(s) == items
    assert list(s) == items  # a second pass (boilerplate counts, then flags) reads it again
    assert s.drain() == items
    with pytest.raises(RuntimeError):
        list(s)  # drained: the file is gone, and reading again must not look like "no findings"


def test_spooled_run_equals_in_memory_run(tmp_path, monkeypatch):
    """Large runs spool findings and corpus states to disk: same findings, documents and
    expectations as when everything stays in memory (the generated corpus fires every
    corpus rule)."""
    from seedcheck import pipeline
    from seedcheck.config import Config

    from .corpus_factory import write_corpus
    from .test_spark import CORPUS_RULES, write_extras

    target = tmp_path / "corpus"
    write_corpus(target, n=150)
    write_extras(target)
    spooled_kinds = []
    real_spool = pipeline.Spool

    class Spy(real_spool):
        def __init__(self):
            spooled_kinds.append("findings")
            super().__init__()

    def run():
        result = pipeline.run(Config(root=tmp_path), [str(target)], jobs=1)
        return ([f.to_json() for f in result.findings], result.documents, result.expectations)

    in_memory = run()
    assert spooled_kinds == []
    monkeypatch.setattr(pipeline, "SPOOL_FROM", 1)
    monkeypatch.setattr(pipeline, "Spool", Spy)
    spooled = run()
    assert spooled_kinds == ["findings"]
    assert {f["rule"] for f in in_memory[0]} >= CORPUS_RULES
    assert spooled == in_memory


def test_unpickled_findings_share_one_string_per_id_and_path():
    # Duplicate findings name the same copies in `related` again and again; unpickled (from
    # a worker or the spool) each would otherwise be a string of its own.
    import pickle

    from seedcheck.model import Finding, Fix, Severity

    ids = ["".join(["0001/a-long-document-id-", str(i), ".md"]) for i in range(3)]
    one = Finding(
        "duplicate-near",
        Severity.WARNING,
        ids[0],
        "corpus/" + ids[0],
        "near duplicate",
        line=2,
        column=1,
        excerpt="The first line.",
        fix=Fix("remove", None, safe=False),
        related=ids[1:],
    )
    two = Finding(
        "duplicate-near",
        Severity.WARNING,
        ids[1],
        "corpus/" + ids[1],
        "near duplicate",
        excerpt="The first line.",
        fix=Fix("remove", None, safe=False),
        related=[ids[0], ids[2]],
    )
    reason = "the descriptive URL"
    one.cluster = {"id": "c-1", "keeper": ids[1], "reason": reason, "similarity": dict.fromkeys(ids[1:], 0.9)}
    two.cluster = {"id": "c-1", "keeper": ids[1], "reason": reason, "similarity": {ids[2]: 0.8, ids[0]: 0.9}}
    first = pickle.loads(pickle.dumps([one]))[0]  # separate pickles: nothing shared by the memo
    second = pickle.loads(pickle.dumps([two]))[0]
    assert first == one and second == two and first.to_json() == one.to_json()
    assert first.related[0] is second.doc_id and first.doc_id is second.related[0]
    assert first.related[1] is second.related[1]
    assert list(second.cluster["similarity"]) == [ids[2], ids[0]]  # order kept
    assert first.cluster["keeper"] is second.doc_id and first.cluster["reason"] is second.cluster["reason"]
    assert next(iter(second.cluster["similarity"])) is first.related[1]
    # A rule's messages, excerpts and fix descriptions repeat across documents: one string each.
    assert first.message is second.message  # separate pickles: equal strings, interned on arrival
    assert first.excerpt is second.excerpt and first.fix.description is second.fix.description


def test_records_arrive_with_one_string_per_repeated_value():
    """Records unpickled from a worker share their repeated text values (domain, date,
    language, tags, names, and the id and path the findings carry); the body is left alone."""
    import pickle
    import sys

    from seedcheck.model import intern_record

    def record(i):
        return {
            "doc_id": "".join(["a/doc-", str(i), ".md"]),
            "source_domain": "whitehouse.gov",
            "date": "2021-03-01",
            "people": ["Joseph R. Biden Jr."],
            "word_count": 300,
            "body": "The same body.",
        }

    first, second = (intern_record(pickle.loads(pickle.dumps(record(i)))) for i in (1, 2))
    assert first == record(1) and second == record(2)
    assert first["source_domain"] is second["source_domain"] and first["date"] is second["date"]
    assert first["people"][0] is second["people"][0]
    assert first["body"] is not second["body"]  # bodies are not kept once per distinct value
    assert first["doc_id"] is sys.intern("a/doc-1.md")  # the string the findings' doc_id is


def test_traces_arrive_sharing_one_map_per_field_layout():
    """Front matters repeat a few layouts: traces unpickled apart share one field-line map
    per distinct map (same fields, lines and order), and keep their own otherwise."""
    import pickle

    from seedcheck.model import RecordTrace

    def arrived(lines):
        return pickle.loads(pickle.dumps(RecordTrace(fs_path="a.md", field_lines=dict(lines))))

    one, two = arrived({"title": 2, "date": 3}), arrived({"title": 2, "date": 3})
    reordered, other = arrived({"date": 3, "title": 2}), arrived({"title": 2, "date": 4})
    assert one.field_lines is two.field_lines and one.line_of("date") == 3
    assert reordered.field_lines is not one.field_lines and list(reordered.field_lines) == ["date", "title"]
    assert other.field_lines is not one.field_lines and other.line_of("date") == 4
    assert arrived({}).field_lines is None


def test_after_fork_runs_once_in_this_process_after_the_workers_exist(tmp_path):
    """What a large run changes in the main process for the outcomes' arrival (glibc's
    mapped blocks) must not reach the workers: it happens once they were forked, and a run
    checked in this process does not make it at all."""
    import os

    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(80):
        write_doc(folder, f"d{i:02d}.md", f"Document {i}.")
    engine = Engine(load_config(str(ROOT / "pyproject.toml")))
    sources = list(discover([str(folder)], engine.config.include, engine.config.exclude))
    calls = []

    def after_fork():
        import multiprocessing

        calls.append((os.getpid(), len(multiprocessing.active_children())))

    outcomes = list(document_stage(engine, sources, 2, lambda n: None, after_fork=after_fork))
    assert len(outcomes) == 80 and len(calls) == 1
    pid, children = calls[0]
    assert pid == os.getpid() and children == 2  # here, with both workers already forked
    list(document_stage(engine, sources, 1, lambda n: None, after_fork=after_fork))
    assert len(calls) == 1
