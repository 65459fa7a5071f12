"""A large run keeps its findings on disk from the document stage to the writers: the gate
(per-file ignores, waivers, the baseline) reads them as they come, report order is an
external sort, and every writer reads them from the spool; its records are kept compact
(`records.RecordStore`). Everything it reports is what the same run reports with its
findings and records in memory."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys

import pytest

from seedcheck import spool
from seedcheck.model import Finding, Severity
from seedcheck.records import DocumentEntries


def _findings(n: int, seed: int = 3) -> list[Finding]:
    rng = random.Random(seed)
    return [
        Finding(
            rng.choice(["rule-a", "rule-b"]),
            Severity.WARNING,
            doc,
            rng.choice(["a/x.md", "b/y.md"]) if doc else "",
            rng.choice(["m1", "m2"]),
            line=rng.choice([None, 1, 2, 30]),
            column=rng.choice([None, 1, 4]),
            excerpt=str(i),  # tells apart findings whose keys are equal
        )
        for i, doc in enumerate(rng.choice(["", "d1", "d2", "d3"]) for _ in range(n))
    ]


def test_report_order_is_one_stable_sort():
    """Findings grouped by document and sorted group by group (findings in memory) come out
    exactly as one stable sort by `Finding.sort_key` puts them, ties in arrival order."""
    from seedcheck.completion import in_report_order

    findings = _findings(400)
    expected = [f.excerpt for f in sorted(findings, key=Finding.sort_key)]
    assert [f.excerpt for f in in_report_order(list(findings))] == expected


@pytest.mark.parametrize("run", [7, 100, 1_000])  # many runs, a few, and one (no merge)
def test_sorted_spool_is_one_stable_sort(run):
    findings = _findings(400)
    expected = [f.excerpt for f in sorted(findings, key=Finding.sort_key)]
    out = spool.sorted_spool(iter(findings), key=Finding.sort_key, run=run)
    assert len(out) == len(findings)
    assert [f.excerpt for f in out] == expected
    assert [f.excerpt for f in out] == expected  # read again
    out.close()


def test_a_spool_has_readers_at_their_own_places():
    """Two passes over one spool at once (a writer's groups and its counts) each read every
    item in order; items appended after a partial read go to the end."""
    s = spool.Spool()
    items = list(range(spool.BATCH * 3 + 10))
    s.extend(items)
    first, second = iter(s), iter(s)
    pairs = list(zip(first, second))
    assert pairs == [(i, i) for i in items]
    partial = iter(s)
    assert [next(partial) for _ in range(spool.BATCH + 5)] == items[: spool.BATCH + 5]
    s.extend(["tail"] * (spool.BATCH + 1))
    assert list(s) == items + ["tail"] * (spool.BATCH + 1)
    assert list(partial) == items[spool.BATCH + 5 :] + ["tail"] * (spool.BATCH + 1)
    s.close()


def _reports(result) -> dict[str, str]:
    from seedcheck.report import WRITERS, write_to

    out = {}
    for name, module in WRITERS.items():
        if getattr(module, "BINARY", False):
            continue
        fh = io.StringIO()
        write_to(module, result, fh)
        out[name] = fh.getvalue()
    return out


def _write_waivers(target) -> None:
    (target / "waived.md").write_text(
        "---\ntitle: A waived page\ndate: 2024-05-01\n"
        "seedcheck: {ignore: [short-body], reason: official one-line statement}\n---\n\nToo short.\n"
    )
    (target / "unused.md").write_text(
        "---\ntitle: A page\ndate: 2024-05-02\n---\n\n<!-- seedcheck: ignore mojibake -- quoted on purpose -->\n"
        "A plain sentence that is fine.\n"
    )
    (target / "invalid.md").write_text(
        "---\ntitle: Another page\ndate: 2024-05-03\n---\n\n<!-- seedcheck: ignore short-body -->\nShort.\n"
    )


def test_findings_on_disk_report_what_findings_in_memory_report(tmp_path, monkeypatch):
    from seedcheck import completion, pipeline
    from seedcheck.baseline import baseline_entries
    from seedcheck.config import Config
    from seedcheck.corpus import dup_table
    from seedcheck.gate import GateOptions
    from seedcheck.report import html

    from .corpus_factory import write_corpus
    from .test_spark import CORPUS_RULES, write_extras

    target = tmp_path / "corpus"
    write_corpus(target, n=150)
    write_extras(target)
    _write_waivers(target)
    config = Config(root=tmp_path, per_file_ignores={"*/001*": ["noise-", "duplicate-"], "*.txt": ["short-body"]})
    monkeypatch.setattr(html, "MAX_FINDINGS", 60)  # the HTML report's capped selection too
    monkeypatch.setattr(spool, "SORT_RUN", 50)  # report order merged from many sorted runs

    def run(gate=None):
        return pipeline.run(config, [str(target)], jobs=1, gate=gate)

    first = run()
    assert isinstance(first.findings, list)
    every = list(first.findings)
    assert {f.rule for f in every} >= CORPUS_RULES | {"unused-waiver", "invalid-waiver", "expectation-failed"}
    # A baseline that accepts every other finding, another copy of a duplicate group (its
    # entry's fingerprint matches nothing) and a failed expectation at a better level than
    # now, and holds an entry that matches nothing.
    entries = baseline_entries(every[::2], first.expectations)
    grouped = next(e for e in entries if e.get("related"))
    grouped["fingerprint"] = "0" * 16
    failed = next(e for e in baseline_entries([f for f in every if f.rule == "expectation-failed"], first.expectations))
    failed.update(shortfall=0.0, observed_value="better")
    entries = [e for e in entries if e["fingerprint"] != failed["fingerprint"]]
    entries += [failed, {"fingerprint": "f" * 16, "rule": "short-body", "doc_id": "gone.md", "excerpt": "x"}]
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"schema_version": 1, "entries": entries}))

    def gated_run():
        return run(GateOptions(baseline=str(baseline), entries=entries))

    in_memory = gated_run()
    monkeypatch.setattr(pipeline, "SPOOL_FROM", 1)
    monkeypatch.setattr(completion, "FINDINGS_ON_DISK_FROM", 0)
    monkeypatch.setattr(dup_table, "ON_DISK_FROM", 0)  # signatures, excerpts and titles too
    monkeypatch.setattr(dup_table, "BLOCK_BYTES", 4096)  # bands gathered over many blocks
    on_disk = gated_run()
    assert isinstance(on_disk.findings, spool.Spool) and isinstance(in_memory.findings, list)
    assert len(on_disk.findings) == len(in_memory.findings)
    assert [f.to_json() for f in on_disk.findings] == [f.to_json() for f in in_memory.findings]
    marked = [f for f in in_memory.findings if f.baselined]
    assert 0 < len(marked) < len(in_memory.findings)
    assert any("worse than the baselined" in f.message for f in in_memory.findings)
    assert any(f.rule == "unused-waiver" and f.doc_id == "gone.md" for f in in_memory.findings)
    assert on_disk.documents == in_memory.documents
    disk_reports, memory_reports = _reports(on_disk), _reports(in_memory)
    assert html.Embedded(in_memory).capped and html.Embedded(on_disk).capped
    for name, text in memory_reports.items():
        assert disk_reports[name] == text, name

    # Compact records too (records.RecordStore), with the corpus stage's patches applied,
    # in memory and in a temporary file.
    monkeypatch.setattr(pipeline, "COMPACT_FROM", 0)
    for records_on_disk in (False, True):
        monkeypatch.setattr(pipeline, "RECORDS_ON_DISK_FROM", 0 if records_on_disk else 10**9)
        compact = gated_run()
        assert isinstance(compact.documents, DocumentEntries)
        assert isinstance(compact.documents.store._items, spool.Blobs) == records_on_disk
        assert list(compact.documents) == in_memory.documents
        assert any(d["record"].get("duplicate_of") for d in compact.documents)
        assert [f.to_json() for f in compact.findings] == [f.to_json() for f in in_memory.findings]
        assert _reports(compact) == memory_reports
        assert _rows(compact) == _rows(in_memory)


def _rows(result) -> list:
    """findings.parquet's and documents.parquet's rows (the binary writers' input)."""
    from seedcheck.report.tables import document_rows, finding_rows, numeric_extras

    return [list(finding_rows(result)), list(document_rows(result, numeric_extras(result)))]


def test_junit_lists_a_finding_under_its_document_wherever_its_path_points(tmp_path):
    """JUnit groups findings by document id: one whose path is a later document's (so report
    order puts it among that document's) still belongs to its own document's test case, and
    the documents after it keep theirs."""
    import xml.etree.ElementTree as ET

    from seedcheck import pipeline
    from seedcheck.config import Config
    from seedcheck.report import junit

    from .conftest import write_doc

    for name in ("a.md", "b.md", "c.md"):
        write_doc(tmp_path, name, "---\ntitle: A page\n---\n\nToo short.\n")
    result = pipeline.run(Config(root=tmp_path), [str(tmp_path)], jobs=1)
    findings = list(result.findings)
    docs = {d["doc_id"]: d["path"] for d in result.documents}
    a, _, c = sorted(docs)
    moved = next(f for f in findings if f.doc_id == a)
    moved.path, moved.message = docs[c], "moved to c's path"
    result.findings = sorted(findings, key=Finding.sort_key)
    assert sum(f.doc_id == a for f in findings) >= 2, findings  # the moved one and others
    fh = io.StringIO()
    junit.write(result, fh)
    cases = {c.get("name"): ET.tostring(c, encoding="unicode") for c in ET.fromstring(fh.getvalue()).iter("testcase")}
    assert "moved to c's path" in cases[a] and "moved to c's path" not in cases[c]
    listed = sum(c.count(f" ({level}): ") for c in cases.values() for level in ("error", "warning", "info"))
    assert listed == len(findings)  # each once


def test_blobs_read_back_what_was_written_last_and_views_what_they_chose():
    blobs = spool.Blobs()
    for data in (b"first", b"", b"\x00third\xff"):
        blobs.append(data)
    assert [blobs[i] for i in range(len(blobs))] == [b"first", b"", b"\x00third\xff"]
    chosen = blobs.view([2, 0])
    blobs[0] = b"replaced, longer than before"
    blobs.append(b"fourth")
    assert [blobs[i] for i in range(4)] == [b"replaced, longer than before", b"", b"\x00third\xff", b"fourth"]
    assert [chosen[0], chosen[1]] == [b"\x00third\xff", b"first"] and len(chosen) == 2
    with pytest.raises(TypeError):
        chosen.append(b"x")
    blobs.close()


def test_blobs_read_in_a_forked_child_leave_the_parents_file_whole(monkeypatch):
    # The expectations stage of a long run forks a child that reads the records from their
    # file: its reads write out the buffer it inherited, and the file's position is shared.
    import os

    monkeypatch.setattr(spool, "BLOBS_BUFFER", 64)  # some items written, some buffered
    blobs = spool.Blobs()
    items = [bytes([k]) * (5 + k % 40) for k in range(60)]
    for data in items[:50]:
        blobs.append(data)
    pid = os.fork()
    if pid == 0:  # the child reads every item, then leaves without running any cleanup
        os._exit(0 if [blobs[i] for i in range(50)] == items[:50] else 1)
    assert os.waitpid(pid, 0)[1] == 0
    for data in items[50:]:
        blobs.append(data)
    blobs[3] = b"replaced after the fork"
    assert [blobs[i] for i in range(60)] == [*items[:3], b"replaced after the fork", *items[4:]]
    blobs.close()


def test_a_finding_in_plain_values_comes_back_equal():
    from seedcheck.model import Fix

    finding = Finding(
        "duplicate-near",
        Severity.ERROR,
        "a.md",
        "corpus/a.md",
        "near duplicate of b.md",
        line=3,
        column=2,
        excerpt="The first line.",
        fix=Fix("remove", None, safe=False),
        related=["b.md"],
        fingerprint="abc",
        baselined=True,
        cluster={"id": "c-1", "keeper": "b.md", "reason": "r", "similarity": {"b.md": 0.9}},
    )
    back = Finding.from_flat(finding.flat())
    assert back == finding and back.severity is Severity.ERROR and isinstance(back.fix, Fix)
    plain = Finding("short-body", Severity.INFO, "", "", "m")
    assert Finding.from_flat(plain.flat()) == plain
    coded = spool.CodedSpool(Finding.flat, Finding.from_flat)
    coded.extend([finding, plain])
    assert list(coded) == [finding, plain]
    coded.close()


def test_the_collector_pause_restores_what_it_found():
    import gc

    was = gc.isenabled()
    try:
        for before in (True, False):
            gc.enable() if before else gc.disable()
            with spool.cyclic_gc_paused():
                assert not gc.isenabled()
            assert gc.isenabled() is before
        gc.enable()
        with pytest.raises(ValueError), spool.cyclic_gc_paused():
            raise ValueError("a writer failed")
        assert gc.isenabled()
    finally:
        gc.enable() if was else gc.disable()


_FREED_TABLE = """
import gc
import pandas as pd
from seedcheck.spool import give_back_memory

def rss_mb():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) // 1024 for line in fh if line.startswith("VmRSS"))

frame = pd.DataFrame({"text": [f"document {i} " * 8 for i in range(1_000_000)]})
frame["upper"] = frame["text"].str.upper()  # string columns live in pyarrow's pool
del frame
gc.collect()
freed = rss_mb()
give_back_memory()
print(freed, rss_mb())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_memory_a_stage_freed_goes_back_to_the_system():
    """A large run's stages end with `give_back_memory`: the memory of pandas' string
    columns, freed but kept by pyarrow's pool (some 300 MB here), leaves the process."""
    done = subprocess.run([sys.executable, "-c", _FREED_TABLE], capture_output=True, text=True, check=True)
    freed, after = map(int, done.stdout.split())
    assert freed - after > 200, (freed, after)


def test_blobs_read_an_item_into_a_buffer_of_its_size(monkeypatch):
    import numpy as np

    monkeypatch.setattr(spool, "BLOBS_BUFFER", 64)  # the last items still buffered when read
    blobs = spool.Blobs()
    arrays = [np.arange(k, k + 30, dtype=np.int32) for k in range(5)]
    for array in arrays:
        blobs.append(array.tobytes())
    out = np.empty(30, np.int32)
    for k in (4, 0, 2):
        blobs.read_into(k, memoryview(out))
        assert out.tolist() == arrays[k].tolist()
    with pytest.raises(ValueError):
        blobs.read_into(1, memoryview(np.empty(29, np.int32)))
    blobs.close()


_FAULTS = """
import ctypes, ctypes.util, resource
import numpy as np
from seedcheck.spool import large_allocations_reused

ctypes.CDLL(ctypes.util.find_library("c")).mallopt(-3, 128 * 1024)  # as the document stage leaves it

def faults():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(100):
        np.ones(1 << 20, np.float32)  # 4 MB made and dropped, as the corpus stage's chunks are
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

outside = faults()
with large_allocations_reused():
    inside = faults()
print(outside, inside, faults())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_the_corpus_stage_reuses_its_large_temporary_arrays():
    """A large run's corpus stage (`large_allocations_reused`) serves its temporary arrays from
    the heap: 100 arrays of 4 MB fault their pages in once, not 100 times (at 100,000
    documents the mapped ones cost 2 million page faults); afterwards glibc's 128 KB
    threshold maps them again."""
    done = subprocess.run([sys.executable, "-c", _FAULTS], capture_output=True, text=True, check=True)
    outside, inside, after = map(int, done.stdout.split())
    # At least a quarter of each array's 1,024 pages faulted outside (numpy asks for huge pages)
    assert outside > 25_000 and after > 25_000 and 20 * inside < outside, (outside, inside, after)
