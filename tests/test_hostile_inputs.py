"""Hostile inputs: every bad file becomes a finding on exactly one record; nothing crashes,
hangs, blows up memory or goes missing.

Static cases live in `tests/bad_inputs/` with their expectations in `expected.yaml`; big,
special and odd-named files are made here, at test time, in `tmp_path`.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import shutil
import signal
import socket
import stat
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml

from seedcheck.config import apply, load_config
from seedcheck.ingest import discover, read_source
from seedcheck.ingest.readers import IngestOptions
from seedcheck.pipeline import Engine, run
from seedcheck.report import findings_json

from .conftest import ROOT

BAD = ROOT / "tests" / "bad_inputs"
EXPECTED = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture(scope="module")
def config():
    return load_config(None, start=ROOT)


@pytest.fixture(scope="module")
def engine(config):
    return Engine(config)


@contextlib.contextmanager
def time_limit(seconds: int):
    """Fail instead of hanging (an open() on a FIFO blocks forever): SIGALRM interrupts it."""

    def expired(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def rules_by_doc(result) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {d["doc_id"]: set() for d in result.documents}
    for f in result.findings:
        out.setdefault(f.doc_id, set()).add(f.rule)
    return out


def messages(result, doc_id: str, rule: str) -> list[str]:
    return [f.message for f in result.findings if f.doc_id == doc_id and f.rule == rule]


def strict_json(result) -> dict:
    """findings.json as bytes must be valid UTF-8 and strict JSON (no NaN, no lone surrogates)."""
    text = findings_json.render(result)
    data = text.encode("utf-8")  # raises on surrogate-escaped file names
    return json.loads(data, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c} in findings.json"))


# --------------------------------------------------------------------------- static corpus


@pytest.fixture(scope="module")
def static_result(config, tmp_path_factory):
    corpus = tmp_path_factory.mktemp("bad") / "bad_inputs"
    shutil.copytree(BAD, corpus, ignore=shutil.ignore_patterns("expected.yaml"))
    return run(config, [str(corpus)], jobs=1)


def test_static_corpus_loses_nothing(static_result):
    files = sorted(p.name for p in BAD.iterdir() if p.is_file() and p.name != "expected.yaml")
    assert sorted(EXPECTED) == files, "every static bad input needs an expectation (and vice versa)"
    expected_docs = sum(spec.get("documents", 1) for spec in EXPECTED.values())
    assert len(static_result.documents) == expected_docs
    strict_json(static_result)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_static_bad_input(static_result, name):
    spec = EXPECTED[name]
    docs = [d for d in static_result.documents if d["doc_id"] == name or d["doc_id"].startswith(name + "#")]
    assert len(docs) == spec.get("documents", 1), [d["doc_id"] for d in docs]
    found = set().union(*(rules_by_doc(static_result).get(d["doc_id"], set()) for d in docs))
    missing = set(spec.get("rules", [])) - found
    unwanted = set(spec.get("not", [])) & found
    assert not missing, f"{name}: expected {sorted(missing)}, got {sorted(found)}"
    assert not unwanted, f"{name}: unexpected {sorted(unwanted)}"
    if "encoding" in spec:
        assert {d["record"]["encoding"] for d in docs} == {spec["encoding"]}


def test_static_details(static_result):
    docs = {d["doc_id"]: d["record"] for d in static_result.documents}
    # BOMs are stripped before the frontmatter fence is looked for; CRLF and CR split lines.
    for name in ("utf8-bom.md", "utf16-le-bom.md", "utf16-be-bom.md", "utf16-le-no-bom.md", "crlf.md"):
        assert docs[name]["title"] == "Readout of the Meeting", name
        assert docs[name]["date"] == "2021-03-01", name
    assert docs["mixed-newlines.txt"]["title"] == "Mixed newlines"
    assert docs["mixed-newlines.txt"]["date"] == "2021-03-01"
    # Frontmatter values that are not strings reach the record as plain JSON values.
    assert docs["yaml-odd-values.md"]["title"] == "aGVsbG8="
    assert (docs["yaml-bad-timestamp.md"]["title"], docs["yaml-bad-timestamp.md"]["date"]) == (
        "Readout of the Meeting",
        "2021-03-01",
    )
    assert any("alias expansion bomb" in m for m in messages(static_result, "yaml-bomb.md", "invalid-frontmatter"))
    assert any("aliases" in m for m in messages(static_result, "yaml-alias-flood.md", "invalid-frontmatter"))
    assert any("python/object" in m for m in messages(static_result, "yaml-python-tag.md", "invalid-frontmatter"))
    assert any("not a mapping" in m for m in messages(static_result, "yaml-non-mapping.md", "invalid-frontmatter"))
    assert any("closing" in m for m in messages(static_result, "yaml-unclosed.md", "invalid-frontmatter"))
    jsonl = rules_by_doc(static_result)
    assert "unreadable-document" not in jsonl["bad-lines.jsonl#ok"]
    for line in (2, 3, 4, 5):
        assert "unreadable-document" in jsonl[f"bad-lines.jsonl#L{line}"], line
    assert "unreadable-document" not in jsonl["bad-lines.jsonl#L6"]  # NaN/Infinity values: read, as text


def test_frontmatter_bomb_is_fast():
    from seedcheck.ingest.frontmatter import parse_frontmatter

    lines = (BAD / "yaml-bomb.md").read_text(encoding="utf-8").splitlines()
    start = time.perf_counter()
    fm = parse_frontmatter(lines)
    assert fm.error and time.perf_counter() - start < 10  # a hang guard: an expanded bomb takes minutes and gigabytes


# --------------------------------------------------------------------------- big files


@pytest.mark.slow
def test_ten_megabyte_single_line(engine, tmp_path):
    path = tmp_path / "one-line.txt"
    path.write_text("The leaders met and talked about trade. " * 250_000, encoding="utf-8")  # 10 MB, no newline
    [source] = discover([str(path)])
    tracemalloc.start()
    try:
        docs = read_source(source)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(docs) == 1 and len(docs[0].lines) == 1 and docs[0].readable
    assert peak < 8 * source.size, peak
    with time_limit(900):  # a hang guard, not a speed test
        [outcome] = engine.process(source)
    assert outcome.readable and not [f for f in outcome.findings if f.rule == "unreadable-document"]
    assert all(len(f.excerpt) <= 200 for f in outcome.findings)  # excerpts stay short


@pytest.mark.slow
def test_million_line_file(engine, tmp_path):
    path = tmp_path / "million.txt"
    path.write_text("Word.\n" * 1_000_000, encoding="utf-8")
    [source] = discover([str(path)])
    [doc] = read_source(source)
    assert len(doc.lines) == 1_000_000
    with time_limit(900):  # a hang guard, not a speed test
        [outcome] = engine.process(source)
    assert outcome.readable and outcome.record["line_count"] == 1_000_000


def test_file_above_the_size_limit_is_not_read(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:  # sparse: 60 MB on paper, nothing on disk
        fh.truncate(60 * 1024 * 1024)
    [source] = discover([str(path)])
    tracemalloc.start()
    try:
        [doc] = read_source(source)  # default limit: 50 MiB
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024, f"read {peak:,} bytes into memory"
    assert [name for name, _ in doc.hits] == ["unreadable-document"]
    assert "above the 52,428,800-byte limit" in doc.hits[0][1].message and not doc.readable


def test_size_limit_is_configurable(config, tmp_path):
    (tmp_path / "big.txt").write_text("word " * 1000, encoding="utf-8")
    [source] = discover([str(tmp_path)])
    [doc] = read_source(source, IngestOptions(max_file_size=1000))
    assert [name for name, _ in doc.hits] == ["unreadable-document"] and "5,000 bytes" in doc.hits[0][1].message
    small = load_config(None, start=ROOT)
    apply(small, {"max-file-size": 1000})
    result = run(small, [str(tmp_path)], jobs=1)
    assert rules_by_doc(result)["big.txt"] >= {"unreadable-document"}


def test_file_that_grows_after_discovery_is_not_read_past_the_limit(tmp_path):
    path = tmp_path / "grows.txt"
    path.write_text("small\n", encoding="utf-8")
    [source] = discover([str(path)])
    path.write_text("x" * 5000, encoding="utf-8")
    [doc] = read_source(source, IngestOptions(max_file_size=1000))
    assert [name for name, _ in doc.hits] == ["unreadable-document"] and "limit" in doc.hits[0][1].message


# --------------------------------------------------------------------------- names


def test_odd_file_names_are_reported_as_valid_utf8(config, tmp_path):
    corpus = tmp_path / "names"
    corpus.mkdir()
    names = ["with spaces.md", "new\nline.md", "tab\there.md", "<svg onload=alert(1)>.md", "ünïcödé.md"]
    for name in names:
        (corpus / name).write_text("Title: Odd name\n\nThe leaders met today.\n", encoding="utf-8")
    raw = os.path.join(os.fsencode(corpus), b"caf\xe9 latin1.md")  # not UTF-8
    with open(raw, "wb") as fh:
        fh.write(b"Title: Latin-1 name\n\nThe leaders met today.\n")
    result = run(config, [str(corpus)], jobs=1)
    data = strict_json(result)
    ids = sorted(d["doc_id"] for d in data["documents"])
    assert ids == sorted(names + ["caf\\xe9 latin1.md"])
    for doc in data["documents"]:
        assert "unreadable-document" not in rules_by_doc(result)[doc["doc_id"]], doc["doc_id"]
        doc["path"].encode("utf-8")


# --------------------------------------------------------------------------- special files


def _make_specials(folder: Path) -> dict[str, str]:
    """Create links and special files; return {name: text expected in the finding}."""
    expect = {}
    target = folder / "regular.md"
    target.write_text("Title: Regular\n\nThe leaders met today.\n", encoding="utf-8")
    os.symlink(folder / "missing-target.md", folder / "broken-link.md")
    expect["broken-link.md"] = "broken symbolic link"
    os.symlink(folder / "self-loop.md", folder / "self-loop.md")
    expect["self-loop.md"] = "symbolic link loop"
    os.symlink(folder / "loop-b.md", folder / "loop-a.md")
    os.symlink(folder / "loop-a.md", folder / "loop-b.md")
    expect["loop-a.md"] = expect["loop-b.md"] = "symbolic link loop"
    os.symlink(target, folder / "good-link.md")  # a link to a regular file is read
    os.mkdir(folder / "subdir")
    os.symlink(folder / "subdir", folder / "dir-link")  # never followed: no recursion, no cycles
    expect["dir-link"] = "directory"
    os.mkfifo(folder / "pipe.md")
    expect["pipe.md"] = "FIFO"
    os.symlink("/dev/zero", folder / "zero-link.md")  # endless: must never be read
    expect["zero-link.md"] = "device"
    if IS_ROOT:
        os.mknod(folder / "null-device.md", stat.S_IFCHR | 0o600, os.makedev(1, 3))
        expect["null-device.md"] = "device"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock_path = folder / "sock.md"
    if len(os.fsencode(sock_path)) < 100:  # AF_UNIX path length limit
        sock.bind(str(sock_path))
        expect["sock.md"] = "socket"
    sock.close()
    return expect


def test_links_fifos_devices_and_sockets_are_skipped_and_reported(config, tmp_path):
    corpus = tmp_path / "sp"
    corpus.mkdir()
    expect = _make_specials(corpus)
    with time_limit(60):
        result = run(config, [str(corpus)], jobs=1)
    by_doc = rules_by_doc(result)
    ids = sorted(d["doc_id"] for d in result.documents)
    assert ids == sorted([*expect, "regular.md", "good-link.md"])  # the empty subdir has no files
    for name, reason in expect.items():
        found = messages(result, name, "unreadable-document")
        assert found and reason in found[0], (name, found)
    for name in ("regular.md", "good-link.md"):
        assert "unreadable-document" not in by_doc[name]
    strict_json(result)


def test_special_file_given_directly_on_the_command_line(config, tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    with time_limit(30):
        [source] = discover([str(tmp_path / "pipe.txt")])
        [doc] = read_source(source)
    assert "FIFO" in doc.hits[0][1].message


def test_regular_file_swapped_for_a_fifo_after_discovery_does_not_hang(tmp_path):
    path = tmp_path / "swapped.txt"
    path.write_text("hello\n", encoding="utf-8")
    [source] = discover([str(path)])
    path.unlink()
    os.mkfifo(path)
    with time_limit(30):
        [doc] = read_source(source)
    assert [name for name, _ in doc.hits] == ["unreadable-document"]
    assert "not a regular file" in doc.hits[0][1].message


def test_unreadable_permissions(config, tmp_path, monkeypatch):
    """chmod 000 does not stop root, so as root the refusal is simulated at `os.open`."""
    path = tmp_path / "secret.md"
    path.write_text("Title: Secret\n\nText.\n", encoding="utf-8")
    os.chmod(path, 0)
    if IS_ROOT:
        real_open = os.open

        def refusing_open(file, flags, *args, **kwargs):
            if os.fspath(file) == str(path):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(file, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", refusing_open)
    try:
        result = run(config, [str(tmp_path)], jobs=1)
    finally:
        monkeypatch.undo()
        os.chmod(path, 0o644)
    found = messages(result, "secret.md", "unreadable-document")
    assert found and "Permission denied" in found[0]
    assert len(result.documents) == 1


def test_directory_that_cannot_be_listed_is_reported(config, tmp_path, monkeypatch):
    corpus = tmp_path / "c"
    (corpus / "locked").mkdir(parents=True)
    (corpus / "locked" / "inside.md").write_text("Title: Hidden\n\nText.\n", encoding="utf-8")
    (corpus / "visible.md").write_text("Title: Visible\n\nThe leaders met today.\n", encoding="utf-8")
    locked = str(corpus / "locked")
    os.chmod(locked, 0)
    if IS_ROOT:
        real_scandir = os.scandir

        def refusing_scandir(path="."):
            if isinstance(path, (str, bytes, os.PathLike)) and os.fspath(path) == locked:
                raise PermissionError(13, "Permission denied", locked)
            return real_scandir(path)

        monkeypatch.setattr(os, "scandir", refusing_scandir)
    try:
        result = run(config, [str(corpus)], jobs=1)
    finally:
        monkeypatch.undo()
        os.chmod(locked, 0o755)
    found = messages(result, "locked", "unreadable-document")
    assert found and "cannot list directory" in found[0], rules_by_doc(result)
    assert "visible.md" in rules_by_doc(result)


def test_nothing_is_lost_in_a_mixed_corpus(config, tmp_path):
    """Everything at once, through the whole pipeline: one document per file (per JSONL line)."""
    corpus = tmp_path / "mixed"
    shutil.copytree(BAD, corpus)
    (corpus / "expected.yaml").unlink()
    specials = corpus / "specials"
    specials.mkdir()
    expect = _make_specials(specials)
    with time_limit(120):
        result = run(config, [str(corpus)], jobs=1)
    expected = sum(spec.get("documents", 1) for spec in EXPECTED.values()) + len(expect) + 2
    assert len(result.documents) == expected
    strict_json(result)


# --------------------------------------------------------------------------- faults while writing


class _FailingFile:
    """Writes the first half of what it is given, then fails like a full disk or a ^C."""

    def __init__(self, real, exc: BaseException):
        self.real, self.exc = real, exc

    def write(self, text: str) -> int:
        self.real.write(text[: len(text) // 2])
        self.real.flush()
        raise self.exc

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.real.close()
        return False


@pytest.mark.parametrize(
    "exc", [OSError(28, "No space left on device"), KeyboardInterrupt()], ids=["disk-full", "interrupt"]
)
def test_a_failure_mid_write_keeps_the_previous_report(tmp_path, monkeypatch, exc):
    from seedcheck import report

    target = tmp_path / "findings.json"
    report.write_atomic(target, '{"previous": true}\n')

    # The report module opens its temporary file with the builtin open; shadowing it in
    # the module fails the write half-way, as a full disk or a Ctrl-C would.
    def failing_open(*a, **k):
        return _FailingFile(builtins.open(*a, **k), exc)  # the report writer closes it

    monkeypatch.setattr(report, "open", failing_open, raising=False)
    with pytest.raises(type(exc)):
        report.write_atomic(target, '{"new": "' + "x" * 100_000 + '"}\n')
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == '{"previous": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["findings.json"], "a temporary file was left behind"


def test_unencodable_report_text_keeps_the_previous_report(tmp_path):
    from seedcheck import report

    target = tmp_path / "findings.json"
    report.write_atomic(target, "old\n")
    with pytest.raises(UnicodeEncodeError):
        report.write_atomic(target, "new " * 10_000 + "\udcff")  # fails half-way through encoding
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["findings.json"]


@pytest.mark.slow
def test_a_killed_run_never_leaves_a_half_written_findings_json(config, tmp_path):
    """SIGKILL at random moments of a run: findings.json is either the old one or a whole new one."""
    import subprocess
    import sys

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(40):
        (corpus / f"d{i}.md").write_text(
            f"Title: Doc {i}\n\n" + "The leaders met today. " * 400 + "\n", encoding="utf-8"
        )
    out = tmp_path / "reports"
    out.mkdir()
    (out / "findings.json").write_text('{"previous": true}\n', encoding="utf-8")
    import psutil

    from .test_processes import _alive

    workers: set = set()
    try:
        for delay in (0.5, 2.0, 4.0, 6.0, 9.0):
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "seedcheck.cli",
                    "check",
                    str(corpus),
                    "--report-dir",
                    str(out),
                    "-q",
                    "--fail-on",
                    "never",
                    "--jobs",
                    "1",
                ],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                proc.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                try:
                    workers |= set(psutil.Process(proc.pid).children(recursive=True))
                except psutil.NoSuchProcess:
                    pass
                proc.kill()
                proc.wait()
            data = json.loads((out / "findings.json").read_text(encoding="utf-8"))  # never half-written
            if data.get("previous") is None:
                assert data["summary"]["documents"] == 40
        assert _alive(workers) == []  # no worker (the GX process) outlives its killed run
    finally:
        for p in workers:  # the suite itself never leaks a process
            try:
                p.kill()
            except psutil.Error:
                pass
    # Temporary files of killed writers may remain (nothing runs after SIGKILL), but they are
    # hidden dot-files and never the report itself.
    for leftover in out.iterdir():
        assert leftover.name.startswith(".") or not leftover.name.endswith(".tmp")
