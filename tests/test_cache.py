"""The cache of unchanged files' document-stage results (cache.py): a warm run equals a
cold one; a changed file, setting, rule file or day is checked again; a damaged cache
never fails a run; --no-cache and SEEDCHECK_NO_CACHE leave no trace."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3

import pytest

from seedcheck import document_stage, pipeline
from seedcheck.cache import Cache, fingerprint
from seedcheck.config import Config, apply

from .conftest import ROOT, SEEDS, run_cli


@pytest.fixture(autouse=True)
def cache_on(monkeypatch):
    monkeypatch.delenv("SEEDCHECK_NO_CACHE", raising=False)
    monkeypatch.delenv("SEEDCHECK_CACHE_DIR", raising=False)


def _config(tmp_path, **settings) -> Config:
    return apply(Config(root=tmp_path), {"cache-dir": str(tmp_path / "cache"), **settings}, where="test")


def _corpus(tmp_path, n: int = 80):
    from .corpus_factory import write_corpus
    from .test_spark import write_extras

    target = tmp_path / "corpus"
    write_corpus(target, n=n)
    write_extras(target)
    shutil.copytree(SEEDS, target / "seeds")
    return target


def _run(config, target, jobs=1, cache=True):
    result = pipeline.run(config, [str(target)], jobs=jobs, cache=cache)
    view = ([f.to_json() for f in result.findings], result.documents, result.expectations)
    return view, result.timings.get("cached_files")


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_warm_run_equals_a_cold_run_and_reads_every_file_from_the_cache(tmp_path, jobs):
    from .test_spark import CORPUS_RULES

    target = _corpus(tmp_path)
    config = _config(tmp_path)
    fresh, none = _run(config, target, jobs, cache=False)
    cold, cold_hits = _run(config, target, jobs)
    warm, warm_hits = _run(config, target, jobs)
    files = len([p for p in target.rglob("*") if p.is_file()])
    unreadable = {f["path"] for f in fresh[0] if f["rule"] == "unreadable-document"}  # never stored
    assert none is None and cold_hits == 0 and unreadable
    assert warm_hits == files - len(unreadable) > 64  # 64+: the worker pool ran
    assert {f["rule"] for f in fresh[0]} >= CORPUS_RULES  # the corpus rules run on cached states too
    assert cold == fresh and warm == fresh


def test_a_changed_file_is_checked_again_and_the_others_come_from_the_cache(tmp_path):
    target = tmp_path / "docs"
    shutil.copytree(SEEDS, target)
    config = _config(tmp_path)
    first, _ = _run(config, target)
    changed = min(target.glob("*.txt"))
    changed.write_text(changed.read_text(encoding="utf-8") + "\nShare this article on Facebook\n", encoding="utf-8")
    second, hits = _run(config, target)
    assert hits == len(list(target.iterdir())) - 1
    uncached, _ = _run(config, target, cache=False)
    assert second == uncached != first
    assert any(f["rule"] == "noise-social" and f["path"].endswith(changed.name) for f in second[0])


def test_settings_rule_files_and_the_date_are_part_of_the_fingerprint(tmp_path):
    checks = tmp_path / "checks"
    shutil.copytree(ROOT / "checks", checks)
    config = _config(tmp_path, **{"checks-dir": str(checks)})
    today = dt.date(2026, 11, 22)
    base = fingerprint(config, today)
    assert fingerprint(config, today) == base
    assert fingerprint(config, dt.date(2026, 11, 23)) != base
    assert (
        fingerprint(
            apply(_config(tmp_path, **{"checks-dir": str(checks)}), {"ignore": ["short-body"]}, where="t"), today
        )
        != base
    )
    assert (
        fingerprint(apply(_config(tmp_path, **{"checks-dir": str(checks)}), {"jobs": 1}, where="t"), today) == base
    )  # how a run is executed does not change a document's outcome
    rule = next(checks.rglob("short-body.yaml"))
    rule.write_text(rule.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert fingerprint(config, today) != base


def test_another_setting_starts_a_new_cache(tmp_path):
    target = tmp_path / "docs"
    shutil.copytree(SEEDS, target)
    _run(_config(tmp_path), target)
    _, hits = _run(_config(tmp_path, ignore=["short-body"]), target)
    assert hits == 0
    _, hits = _run(_config(tmp_path), target)
    assert hits == len(list(target.iterdir()))


def test_a_damaged_cache_file_is_dropped_and_the_run_goes_on(tmp_path, capsys):
    target = tmp_path / "docs"
    shutil.copytree(SEEDS, target)
    config = _config(tmp_path)
    expected, _ = _run(config, target, cache=False)
    _run(config, target)
    (db,) = (tmp_path / "cache").glob("v*.sqlite")
    db.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (tmp_path / "cache" / (db.name + suffix)).unlink(missing_ok=True)
    result, hits = _run(config, target)
    assert result == expected and hits == 0
    assert "is damaged and was deleted" in (err := capsys.readouterr().err) and "a new one replaces it" in err
    _, hits = _run(config, target)  # the new cache file was filled by the run before
    assert hits == len(list(target.iterdir()))


def test_a_damaged_entry_is_a_miss(tmp_path):
    target = tmp_path / "docs"
    shutil.copytree(SEEDS, target)
    config = _config(tmp_path)
    expected, _ = _run(config, target)
    (db,) = (tmp_path / "cache").glob("v*.sqlite")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE outcomes SET blob = ?", (b"garbage",))
    result, hits = _run(config, target)
    assert result == expected and hits == 0
    _, hits = _run(config, target)  # the entries were written again
    assert hits == len(list(target.iterdir()))


def test_cache_key_covers_the_bytes_and_the_name(tmp_path):
    from seedcheck.ingest import discover

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text("Same text.\n", encoding="utf-8")
    (folder / "b.md").write_text("Same text.\n", encoding="utf-8")
    cache = Cache(tmp_path / "cache", "f" * 32)
    a, b = sorted(discover([str(folder)], ["*"], []), key=lambda s: s.path)
    limit = 1_000
    assert cache.key(a, limit) != cache.key(b, limit)  # same bytes, other document
    key = cache.key(a, limit)
    (folder / "a.md").write_text("Same text!\n", encoding="utf-8")
    assert cache.key(a, limit) != key
    cache.variant = b"other"
    assert cache.key(b, limit) != cache.key(a, limit) and cache.key(b, limit) is not None
    (folder / "big.md").write_text("x" * (limit + 1), encoding="utf-8")
    (big,) = [s for s in discover([str(folder)], ["big.md"], []) if s.path.endswith("big.md")]
    assert cache.key(big, limit) is None  # above max-file-size: never read for a key
    cache.close()


def test_no_cache_flag_and_environment_leave_no_cache(tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.seedcheck]\npaths = ["docs"]\n', encoding="utf-8")
    shutil.copytree(SEEDS, project / "docs")
    proc = run_cli("check", "--no-cache", "-q", "--no-reports", "--fail-on", "never", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert not (project / ".seedcheck_cache").exists()
    monkeypatch.setenv("SEEDCHECK_NO_CACHE", "1")
    proc = run_cli("check", "-q", "--no-reports", "--fail-on", "never", cwd=project)
    assert proc.returncode == 0 and not (project / ".seedcheck_cache").exists()
    monkeypatch.delenv("SEEDCHECK_NO_CACHE")
    first = run_cli("check", "-q", "--format", "json", "--no-reports", "--fail-on", "never", cwd=project)
    second = run_cli("check", "-q", "--format", "json", "--no-reports", "--fail-on", "never", cwd=project)
    assert first.returncode == second.returncode == 0
    assert (project / ".seedcheck_cache" / ".gitignore").read_text(encoding="utf-8").strip().endswith("*")
    assert json.loads(first.stdout)["findings"] == json.loads(second.stdout)["findings"]


def test_the_cache_directory_is_never_read_as_documents(tmp_path):
    # Tagged with CACHEDIR.TAG: skipped by discovery even when `exclude` no longer has ".*".
    target = tmp_path / "docs"
    shutil.copytree(SEEDS, target)
    config = _config(tmp_path, exclude=[])
    apply(config, {"cache-dir": str(target / ".seedcheck_cache")}, where="test")
    _run(config, target)
    assert (
        (target / ".seedcheck_cache" / "CACHEDIR.TAG")
        .read_text(encoding="utf-8")
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )
    result = pipeline.run(config, [str(target)], jobs=1, cache=True)
    assert sorted(d["doc_id"] for d in result.documents) == sorted(p.name for p in SEEDS.iterdir())
    assert result.timings["cached_files"] == len(result.documents)


def test_a_file_changed_while_checked_is_stored_under_the_bytes_checked(tmp_path, monkeypatch):
    # The lookup reads the file once; the check reads it again. Whatever the check saw is what
    # the cache stores, keyed by those bytes: an outcome is never stored under other bytes.
    target = tmp_path / "docs"
    shutil.copytree(SEEDS, target)
    victim = min(target.iterdir())
    edited = victim.read_bytes() + b"\nAn edited closing line of the statement.\n"
    config = _config(tmp_path)
    _run(config, target)  # a filled cache: the next run looks files up before checking them
    victim.write_bytes(edited)
    real = document_stage.read_keyed

    def changing(source, limit, variant):  # the check's read, after the lookup's
        if source.fs_path == str(victim):
            victim.write_bytes(edited + b"\nShare this article on Facebook\n")
        return real(source, limit, variant)

    monkeypatch.setattr(document_stage, "read_keyed", changing)
    _run(config, target)
    monkeypatch.setattr(document_stage, "read_keyed", real)
    victim.write_bytes(edited)
    second, hits = _run(config, target)
    uncached, _ = _run(config, target, cache=False)
    assert second == uncached  # the unchanged bytes were not served the changed file's outcome
    assert hits == len(list(target.iterdir())) - 1


def test_unreadable_files_are_not_stored(tmp_path):
    target = tmp_path / "docs"
    shutil.copytree(SEEDS, target)
    (target / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    config = _config(tmp_path)
    _run(config, target)
    _, hits = _run(config, target)
    assert hits == len(list(SEEDS.iterdir()))  # every seed, not the unreadable file


def test_a_concurrent_run_writing_never_deletes_the_cache(tmp_path, monkeypatch, capsys):
    # A locked database is busy, not damaged: the waiting run stops storing, keeps reading,
    # and the cache file stays.
    from seedcheck import cache as cache_module

    monkeypatch.setattr(cache_module, "BUSY_TIMEOUT", 0.1)
    first = Cache(tmp_path / "cache", "a" * 32)
    for i in range(70):
        first.store(b"k%03d" % i, b"blob")  # 64 written in one transaction, 6 pending
    second = Cache(tmp_path / "cache", "a" * 32)
    assert len(second.present([b"k%03d" % i for i in range(70)])) == 64
    first.db.execute("BEGIN IMMEDIATE")  # the first run is writing now
    for i in range(70, 140):
        second.store(b"k%03d" % i, b"blob")
    assert second.active and not second.writable
    assert "not storing this run's results" in capsys.readouterr().err
    assert len(second.present([b"k%03d" % i for i in range(70)])) == 64  # still reads
    first.db.execute("COMMIT")
    first.close()
    second.close()
    third = Cache(tmp_path / "cache", "a" * 32)
    assert len(third.present([b"k%03d" % i for i in range(140)])) == 70
    third.close()
