"""The Spark engine yields exactly the local engine's findings (pyspark + Java required),
and its blocking keys find exactly the candidates the local analyzers would."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest

from .conftest import SEEDS, run_cli
from .corpus_factory import write_corpus

try:
    import pyspark
except ImportError:  # pragma: no cover - the CI installs it
    pyspark = None

needs_spark = pytest.mark.skipif(
    pyspark is None or shutil.which("java") is None,
    reason="needs pyspark (pip install 'seedcheck[spark]') and a Java runtime "
    "(apt-get install openjdk-17-jre-headless)",
)

CORPUS_RULES = {"duplicate-url", "duplicate-exact", "duplicate-near", "noise-boilerplate", "name-inconsistent"}


def write_extras(target: Path) -> None:
    """Documents the generated corpus lacks: a second domain with a recurring line (and a
    line that recurs too rarely), one person spelled two ways, a one-letter typo."""
    rng = random.Random(11)
    paragraphs = [
        p
        for path in sorted(SEEDS.iterdir())
        for p in path.read_text(encoding="utf-8").split("---\n", 2)[-1].split("\n\n")
        if len(p.split()) > 15
    ]
    for i in range(10):
        lines = [f"Update {i} from the regional office on the {rng.choice(['water', 'roads', 'schools'])} programme."]
        lines += rng.sample(paragraphs, 2)
        if i < 6:
            lines.append("Press contact: the newsroom of the regional office")
        if i < 2:
            lines.append("Office hours change in winter")
        if i < 3:
            lines.append("Governor Renée Dubrovnik thanked the volunteers.")
        if i == 3:
            lines.append("Governor Renee Dubrovnik thanked the volunteers.")
        if i < 8:
            lines.append(f"Director Marguerite Okonkwo presented report {i}.")
        if i == 8:
            lines.append("Director Marguerite Okonkwa presented the report.")
        body = "\n\n".join(lines)
        (target / f"extra-{i:02d}.md").write_text(
            f"---\ntitle: Regional update {i}\ndate: '2022-04-{i + 1:02d}'\nsource_url: https://example.org/news/{i}\n---\n{body}\n",
            encoding="utf-8",
        )


def findings(out: Path) -> tuple[list[tuple], dict]:
    data = json.loads((out / "findings.json").read_text())
    rows = sorted(
        (
            f["doc_id"],
            f["rule"],
            f["line"] or 0,
            f["column"] or 0,
            f["message"],
            tuple(f["related"]),
            json.dumps(f["fix"], sort_keys=True),
        )
        for f in data["findings"]
    )
    return rows, data


@needs_spark
@pytest.mark.slow
@pytest.mark.parametrize("corpus", ["seeds", "generated"])
def test_spark_matches_local(corpus, tmp_path):
    if corpus == "seeds":
        target = SEEDS
    else:
        target = tmp_path / "corpus"
        write_corpus(target, n=300)
        write_extras(target)
    local_out, spark_out = tmp_path / "local", tmp_path / "spark"
    local = run_cli("check", str(target), "--report-dir", str(local_out), "-q", "--jobs", "2")
    spark = run_cli(
        "check", str(target), "--report-dir", str(spark_out), "-q", "--engine", "spark", "--spark-master", "local[2]"
    )
    assert spark.returncode == local.returncode, spark.stderr
    local_rows, local_data = findings(local_out)
    spark_rows, spark_data = findings(spark_out)
    if corpus == "generated":
        assert CORPUS_RULES <= set(local_data["summary"]["by_rule"]), "the corpus must exercise every corpus rule"
    assert spark_rows == local_rows
    assert spark_data["summary"] == local_data["summary"]
    assert spark_data["expectations"] == local_data["expectations"]
    assert spark_data["documents"] == local_data["documents"]
    # the partitioned outputs hold the findings of findings.json
    import pyarrow.dataset as ds

    table = ds.dataset(spark_out / "findings.parquet", format="parquet", partitioning="hive").to_table().to_pylist()
    assert sorted((r["doc_id"], r["rule"], r["line"] or 0, r["message"]) for r in table) == sorted(
        (f["doc_id"], f["rule"], f["line"] or 0, f["message"]) for f in spark_data["findings"]
    )
    lines = [
        json.loads(line)
        for part in sorted((spark_out / "findings.jsonl").rglob("part-*"))
        for line in part.read_text(encoding="utf-8").splitlines()
    ]
    key = lambda f: json.dumps(f, sort_keys=True)
    assert sorted(lines, key=key) == sorted(spark_data["findings"], key=key)
    assert not (local_out / "findings.parquet").exists()


def test_names_plan_from_aggregated_totals_equals_local_finish(tmp_path, monkeypatch):
    """What the Spark engine does for names, without Spark: sum `weights` over the corpus,
    `plan` at the driver, `prune` every state to the planned spellings, `finish` with the
    plan. The findings equal `finish` over every whole state, with and without middle names."""
    from collections import Counter

    from seedcheck import pipeline
    from seedcheck.config import Config
    from seedcheck.corpus.names import PersonNames

    target = tmp_path / "corpus"
    write_corpus(target, n=120)
    write_extras(target)
    (target / "extra-middle.md").write_text(
        "---\ntitle: Middle\ndate: '2022-05-01'\nsource_url: https://example.org/news/m\n---\n"
        "Director Marguerite Ann Okonkwo spoke.\n",
        encoding="utf-8",
    )
    captured = []

    def complete(engine, records, findings, states, *rest):
        captured.append([(d, s) for d, s in states.take("names") if s is not None])
        return pipeline.Result(engine.config, engine.registry, [], [])

    monkeypatch.setattr(pipeline, "complete", complete)
    pipeline.run(Config(root=tmp_path), [str(target)], jobs=1)
    states = captured[0]
    for params in ({}, {"middle_names": True}):
        rules = {
            "name-inconsistent": type("Rule", (), {"params": {**PersonNames.DEFAULTS["name-inconsistent"], **params}})()
        }
        whole = sorted(map(repr, PersonNames.finish(states, rules, None)))
        totals = Counter()
        for _, state in states:
            for key, weight in PersonNames.weights(state, {}):
                totals[key] += weight
        plan = PersonNames.plan(dict(totals), {"name-inconsistent": params})
        live = PersonNames.live(plan)
        pruned = [(d, kept) for d, s in states if (kept := PersonNames.prune(s, live, {})) is not None]
        assert 0 < len(pruned) < len(states) // 4
        assert sorted(map(repr, PersonNames.finish(pruned, rules, None, plan=plan))) == whole
        found = {h.split("'found': ")[1].split(",")[0] for h in whole}
        assert {"'Renee Dubrovnik'", "'Marguerite Okonkwa'"} <= found
        assert ("'Marguerite Ann Okonkwo'" in found) == bool(params)
    assert PersonNames.plan(dict(totals), {}) == {}  # rule off: nothing ships


def _signatures(n_bases: int = 6, per_base: int = 12, seed: int = 3) -> np.ndarray:
    """Word signatures of sets that overlap with their base at every level from 0.2 to 1."""
    from seedcheck.corpus.duplicates import minhash

    rng = np.random.default_rng(seed)
    sigs = []
    for _ in range(n_bases):
        base = rng.integers(0, 2**32, 200, dtype=np.uint64).astype(np.uint32)
        for k in range(per_base):
            keep = int(len(base) * (1 - k / (per_base + 3)))
            fresh = rng.integers(0, 2**32, len(base) - keep, dtype=np.uint64).astype(np.uint32)
            sigs.append(minhash(np.concatenate([rng.permutation(base)[:keep], fresh])))
    return np.stack(sigs)


@pytest.mark.parametrize("threshold", [0.3, 0.45, 0.7])  # the defaults of the two passes, and a strict one
def test_band_keys_reproduce_datasketch_candidates(threshold):
    from datasketch import LeanMinHash, MinHashLSH

    from seedcheck.corpus.duplicates import SEED, band_keys

    sigs = _signatures()
    lsh = MinHashLSH(threshold=threshold, num_perm=sigs.shape[1])
    lean = [LeanMinHash(seed=SEED, hashvalues=row, scheme="affine32") for row in sigs]
    for i, m in enumerate(lean):
        lsh.insert(i, m)
    expected = {(i, j) for i, m in enumerate(lean) for j in lsh.query(m) if j > i}
    keys = [set(band_keys(row, threshold)) for row in sigs]
    found = {(i, j) for i in range(len(sigs)) for j in range(i + 1, len(sigs)) if keys[i] & keys[j]}
    assert 10 <= len(expected) <= len(sigs) * (len(sigs) - 1) // 8  # real candidates, and real non-candidates
    assert found == expected


@needs_spark
@pytest.mark.slow
def test_spark_ships_only_what_finish_needs(tmp_path, monkeypatch):
    """Blocked analyzers' states reach the driver only for documents that share a key."""
    from seedcheck import pipeline
    from seedcheck.config import Config
    from seedcheck.engines.spark import run_spark

    target = tmp_path / "corpus"
    write_corpus(target, n=120)
    write_extras(target)
    seen = []

    def complete(engine, records, findings, states, *rest):
        seen.append(
            {
                name: {d for d, s in states.take(name) if s is not None}
                for name in ("urls", "duplicates", "boilerplate", "names")
            }
        )
        return pipeline.Result(engine.config, engine.registry, [], [])

    monkeypatch.setattr(pipeline, "complete", complete)
    pipeline.run(Config(root=tmp_path), [str(target)], jobs=1)
    run_spark(Config(root=tmp_path), [str(target)], master="local[2]")
    local, spark = seen
    # names: only documents that use a spelling of a planned pair (the extras' two people)
    assert 0 < len(spark["names"]) < 15 < len(local["names"]) and spark["names"] < local["names"]
    assert 0 < len(spark["urls"]) < 30 < len(local["urls"]) and spark["urls"] < local["urls"]
    # (most of this corpus are copies or LSH candidates: it reuses the seeds' paragraphs)
    assert 0 < len(spark["duplicates"]) < len(local["duplicates"]) and spark["duplicates"] < local["duplicates"]
    # every document of a domain with enough documents (both domains here)
    assert spark["boilerplate"] == local["boilerplate"]


@needs_spark
@pytest.mark.slow
def test_spark_with_compact_records_reports_the_local_documents(tmp_path, monkeypatch):
    """A large Spark run keeps its records compact at the driver (records.RecordStore), as
    the local engine does: the same documents and findings as a local run of dicts."""
    from seedcheck import pipeline
    from seedcheck.config import Config
    from seedcheck.engines import spark as spark_engine
    from seedcheck.records import DocumentEntries

    target = tmp_path / "corpus"
    write_corpus(target, n=80)
    write_extras(target)
    local = pipeline.run(Config(root=tmp_path), [str(target)], jobs=1)
    monkeypatch.setattr(spark_engine, "COMPACT_FROM", 0)
    monkeypatch.setattr(spark_engine, "RECORDS_ON_DISK_FROM", 0)  # and in a temporary file
    spark = spark_engine.run_spark(Config(root=tmp_path), [str(target)], master="local[2]")
    assert isinstance(spark.documents, DocumentEntries) and isinstance(local.documents, list)
    assert list(spark.documents) == local.documents
    assert any(d["record"].get("duplicate_of") for d in spark.documents)
    rows = lambda result: sorted(json.dumps(f.to_json(), sort_keys=True) for f in result.findings)
    assert rows(spark) == rows(local)


@needs_spark
@pytest.mark.slow
def test_spark_reads_hadoop_uris_like_local_paths(tmp_path):
    """A file:// URI (read by Spark's binaryFile source) gives the findings of the local path."""
    target = tmp_path / "corpus"
    write_corpus(target, n=80)
    (target / "regional notes").mkdir()
    write_extras(target / "regional notes")
    (target / "regional notes" / "extra-00.md").rename(target / "regional notes" / "extra #00.md")
    (target / "README.md").write_text("# not a document (excluded by default)\n", encoding="utf-8")
    (target / ".hidden.md").write_text("hidden\n", encoding="utf-8")
    local_out, spark_out = tmp_path / "local", tmp_path / "spark"
    local = run_cli("check", str(target), "--report-dir", str(local_out), "-q", "--jobs", "1")
    spark = run_cli(
        "check",
        target.as_uri(),
        "--report-dir",
        str(spark_out),
        "-q",
        "--engine",
        "spark",
        "--spark-master",
        "local[2]",
    )
    assert spark.returncode == local.returncode, spark.stderr
    local_data = json.loads((local_out / "findings.json").read_text())
    spark_data = json.loads((spark_out / "findings.json").read_text())

    def rows(data):  # paths differ (file:/... vs the local path); everything else must not
        return sorted(
            (
                f["doc_id"],
                f["rule"],
                f["line"] or 0,
                f["column"] or 0,
                tuple(f["related"]),
                f["message"].replace(target.as_uri(), str(target)),
            )
            for f in data["findings"]
            if f["rule"] != "unreadable-document"
        ) + sorted((f["doc_id"], f["line"]) for f in data["findings"] if f["rule"] == "unreadable-document")

    assert [d["doc_id"] for d in spark_data["documents"]] == [d["doc_id"] for d in local_data["documents"]]
    assert "regional notes/extra #00.md" in [d["doc_id"] for d in spark_data["documents"]]
    assert rows(spark_data) == rows(local_data)
    assert spark_data["summary"] == local_data["summary"]
    missing = run_cli(
        "check",
        (tmp_path / "nowhere").as_uri(),
        "-q",
        "--no-reports",
        "--engine",
        "spark",
        "--spark-master",
        "local[1]",
    )
    assert missing.returncode == 2 and "path not found" in missing.stderr


@needs_spark
@pytest.mark.slow
@pytest.mark.parametrize("corpus", ["seeds", "generated"])
def test_spark_expectations_match_pandas(corpus, tmp_path, monkeypatch):
    """The corpus suite on a Spark DataFrame (GX's Spark data source) gives the pandas outcomes."""
    from pyspark.sql import DataFrame

    from seedcheck import pipeline
    from seedcheck.config import Config
    from seedcheck.engines.spark import _session
    from seedcheck.expectations import (
        entry,
        load_suite,
        records_table,
        run_suite,
        spark_records_table,
    )

    target = SEEDS
    if corpus == "generated":
        target = tmp_path / "corpus"
        write_corpus(target, n=300)  # enough failures to cut the doc id lists at unexpected-limit
        monkeypatch.setattr(pipeline, "COMPACT_FROM", 0)  # and the records kept compact (records.py)
    seen = {}
    monkeypatch.setattr(
        pipeline, "complete", lambda engine, records, *rest: seen.update(engine=engine, records=records)
    )
    config = Config(root=tmp_path)
    pipeline.run(config, [str(target)], jobs=1)
    suite = load_suite(config, seen["engine"].context.today)
    table = spark_records_table(_session("local[2]"), seen["records"])
    assert isinstance(table, DataFrame)
    pandas_entries = [entry(o) for o in run_suite(suite, records_table(seen["records"]))]
    spark_entries = [entry(o) for o in run_suite(suite, table)]
    assert spark_entries == pandas_entries
    if corpus == "generated":
        assert sum(not e["success"] for e in spark_entries) >= 3
        assert any(len(e["unexpected_doc_ids"]) == suite.unexpected_limit for e in spark_entries)


@needs_spark
@pytest.mark.slow
def test_partitioned_findings_written_in_chunks_hold_every_finding(tmp_path, monkeypatch):
    """write_findings hands Spark a chunk of findings at a time: with a chunk far smaller
    than the run, the Parquet and JSONL outputs still hold each finding exactly once."""
    import pyarrow.dataset as ds

    from seedcheck import pipeline
    from seedcheck.config import Config
    from seedcheck.engines import spark as engine

    result = pipeline.run(Config(root=tmp_path), [str(SEEDS)], jobs=1)
    assert len(result.findings) > 20
    monkeypatch.setattr(engine, "WRITE_CHUNK", 7)
    session = engine._session("local[2]")
    engine.write_findings(session, result.findings, tmp_path / "out")
    expected = sorted(json.dumps(f.to_json(), sort_keys=True) for f in result.findings)
    lines = [
        line
        for part in sorted((tmp_path / "out" / "findings.jsonl").rglob("part-*"))
        for line in part.read_text(encoding="utf-8").splitlines()
    ]
    assert sorted(json.dumps(json.loads(line), sort_keys=True) for line in lines) == expected
    table = ds.dataset(tmp_path / "out" / "findings.parquet", format="parquet", partitioning="hive").to_table()
    rows = table.to_pylist()
    assert sorted((r["doc_id"], r["rule"], r["line"] or 0, r["message"], r["fingerprint"]) for r in rows) == sorted(
        (f.doc_id, f.rule, f.line or 0, f.message, f.fingerprint) for f in result.findings
    )


def test_filtered_stderr_drops_only_the_jvm_notices(tmp_path):
    """Under -q the JVM's stderr passes through a filter (no Spark needed to test it): a child
    started inside the block, as pyspark starts the JVM, loses its start-up notice but not
    its errors, and what it writes after the block still shows. What the driver writes in the
    block reaches the terminal before what it writes after, even when the forwarding thread
    is slow (delayed here: CI once printed "after the blockdriver note")."""
    import subprocess
    import sys

    script = tmp_path / "child.py"
    script.write_text(
        "import subprocess, sys, time\n"
        "from seedcheck.engines import spark_quiet\n"
        "forward = spark_quiet._forward\n"
        "spark_quiet._forward = lambda *args: (time.sleep(0.5), forward(*args))\n"
        "with spark_quiet._filtered_stderr():\n"
        "    child = subprocess.Popen(['sh', '-c', "
        '\'echo "WARNING: Using incubator modules: jdk.incubator.vector" >&2; '
        'echo "ERROR SparkContext: a real error" >&2; read x; echo "ERROR Executor: later error" >&2\'],'
        " stdin=subprocess.PIPE)\n"
        "    print('driver note', file=sys.stderr)\n"
        "print('after the block', file=sys.stderr, flush=True)\n"
        "child.communicate(b'go\\n')\n"
        # The child's exit closes the pipe's last write end: the thread forwards what is
        # left and ends. Joined, not slept on: under load a sleep lost the later error.
        "import threading\n"
        "[t.join(60) for t in threading.enumerate() if t.name == 'seedcheck-jvm-stderr']\n",
        encoding="utf-8",
    )
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert "WARNING: Using incubator modules: jdk.incubator.vector" not in lines
    assert {"ERROR SparkContext: a real error", "driver note", "after the block", "ERROR Executor: later error"} <= set(
        lines
    )
    assert lines.index("driver note") < lines.index("after the block") < lines.index("ERROR Executor: later error")


@needs_spark
@pytest.mark.slow
def test_spark_discovers_the_local_engines_documents_quietly(tmp_path):
    """With the default `paths = ["."]` the Spark engine reads what the local engine reads
    (document formats only, never seedcheck's reports, baseline or configuration, nor the
    repository's LICENSE/CONTRIBUTING), and under -q the JVM prints nothing."""
    project = tmp_path / "repo"
    write_corpus(project / "releases", n=12)
    (project / "notes.md").write_text(
        SEEDS.joinpath(min(p.name for p in SEEDS.iterdir())).read_text(encoding="utf-8"), encoding="utf-8"
    )
    for name, text in [
        ("LICENSE", "MIT License\n"),
        ("CONTRIBUTING.md", "# Contributing\n"),
        ("data.csv", "a,b\n1,2\n"),
        ("requirements.txt", "seedcheck\n"),
        ("baseline.md", "not a document: the baseline file\n"),
    ]:
        (project / name).write_text(text, encoding="utf-8")
    (project / "pyproject.toml").write_text(
        '[tool.seedcheck]\nbaseline = "baseline.md"\nfail-on = "never"\n', encoding="utf-8"
    )
    expected = sorted(["notes.md"] + [f"releases/{p.name}" for p in (project / "releases").iterdir()])
    local = run_cli("check", "--no-baseline", "-q", "--jobs", "1", "--format", "json", "--no-cache", cwd=project)
    assert local.returncode == 0, local.stderr
    assert (project / "reports" / "summary.md").is_file()  # seedcheck's own, now in the folder walked
    spark = run_cli(
        "check",
        "--no-baseline",
        "-q",
        "--format",
        "json",
        "--engine",
        "spark",
        "--spark-master",
        "local[1]",
        "--reports",
        "markdown",
        cwd=project,
    )
    assert spark.returncode == 0, spark.stderr
    assert spark.stderr == ""  # no JVM notice, no log4j WARN line, no "Setting default log level"
    local_docs = [d["doc_id"] for d in json.loads(local.stdout)["documents"]]
    spark_docs = [d["doc_id"] for d in json.loads(spark.stdout)["documents"]]
    assert sorted(local_docs) == expected
    assert spark_docs == local_docs
