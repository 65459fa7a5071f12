"""Corpus expectations (schemas/corpus.yaml via great-expectations): suite loading and
overrides, the records table under pandas 3, results and findings on real runs, severity
mapping, laziness of the GX import, Data Docs, and the real corpus (when ../shared is here)."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path

import pytest
import yaml

from seedcheck.config import Config, ConfigError, apply
from seedcheck.expectations import check_config, load_suite, records_table, suite_path
from seedcheck.pipeline import run

from .conftest import ROOT, SEEDS, SHARED, run_cli

SUITE = ROOT / "schemas" / "corpus.yaml"
SMALL_SUITE = "tests/data/expectations/coverage.yaml"
REAL_CORPUS = SHARED / "corpora" / "wh-briefings-2021-2025.tar.gz"


def _config(**settings) -> Config:
    config = Config(root=ROOT)
    return apply(config, settings, where="test")


def _corpus(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return folder


def _doc(title: str, date: str | None, url: str | None, body: str = "The two leaders met today.") -> str:
    head = f"Title: {title}\n" + (f"Date: {date}\n" if date else "") + (f"Source: {url}\n" if url else "")
    return head + body + "\n"


# ------------------------------------------------------------------ suite file, no GX


def test_default_suite_is_readable_and_lines_point_at_entries():
    suite = load_suite(_config())
    assert suite.path == SUITE
    lines = SUITE.read_text(encoding="utf-8").splitlines()
    names = [s.name for s in suite.expectations]
    assert {
        "date-coverage",
        "source-url-coverage",
        "source-urls-unique",
        "doc-ids-unique",
        "date-range",
        "word-count-range",
        "word-count-median",
        "language-share",
        "documents-per-source",
    } <= set(names)
    for spec in suite.expectations:
        assert lines[spec.line - 1].strip() == f"- name: {spec.name}"
        assert spec.excerpt == f"- name: {spec.name}"
    raw = yaml.safe_load(SUITE.read_text(encoding="utf-8"))
    assert names == [e["name"] for e in raw["expectations"]]


def test_tokens_are_filled_from_config_and_today():
    import datetime as dt

    suite = load_suite(_config(**{"corpus-language": "es"}), today=dt.date(2024, 5, 6))
    by_name = {s.name: s for s in suite.expectations}
    assert by_name["language-share"].params["value_set"] == ["es"]
    assert by_name["date-range"].params["max_value"] == "2024-05-06"


def test_overrides_by_name():
    config = _config(
        expectations={
            "date-coverage": {"mostly": 0.5, "severity": "info"},
            "word-count-range": {"min": 10, "max": 900},
            "documents-per-source": {"enabled": False},
        }
    )
    by_name = {s.name: s for s in load_suite(config).expectations}
    assert by_name["date-coverage"].mostly == 0.5 and str(by_name["date-coverage"].severity) == "info"
    assert by_name["word-count-range"].params["min_value"] == 10
    assert by_name["word-count-range"].params["max_value"] == 900
    assert "documents-per-source" not in by_name


def test_rule_wide_severity_applies_unless_overridden_per_expectation():
    config = _config(severity={"expectation-failed": "info"}, expectations={"date-coverage": {"severity": "warning"}})
    by_name = {s.name: s for s in load_suite(config).expectations}
    assert str(by_name["date-coverage"].severity) == "warning"
    assert str(by_name["source-urls-unique"].severity) == "info"


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"date-coverag": {"mostly": 0.5}}, "unknown expectation(s) date-coverag"),
        ({"date-coverage": {"mostlyy": 0.5}}, "unknown key 'mostlyy'"),
        ({"date-coverage": {"mostly": 1.5}}, "mostly must be a number from 0 to 1"),
        ({"date-coverage": {"mostly": "most"}}, "mostly must be a number from 0 to 1"),
        ({"date-coverage": {"severity": "fatal"}}, "unknown severity"),
        ({"date-coverage": {"enabled": "no"}}, "enabled must be true or false"),
        ({"date-coverage": 0.5}, "must be a table"),
        ({"date-range": {"min": "the nineties"}}, "must be an ISO date"),
        ({"date-coverage": {"min": 3}}, "unknown key 'min'"),
    ],
)
def test_bad_overrides_are_config_errors(overrides, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_suite(_config(expectations=overrides))


@pytest.mark.parametrize(
    "text,message",
    [
        ("expectations: [", "invalid corpus expectations"),
        ("name: x\n", "`expectations` list"),
        ("expectations: []\nextra: 1\n", "unknown key(s) extra"),
        (
            (
                "expectations:\n  - {name: a, type: expect_table_row_count_to_be_between, min_value: 1}\n"
                "  - {name: a, type: expect_table_row_count_to_be_between, min_value: 1}\n"
            ),
            ":3: expectation a is defined twice",
        ),
        ("expectations:\n  - {name: Bad_Name, type: expect_x}\n", "kebab-case"),
        ("expectations:\n  - {name: a, type: not_a_type}\n", "great-expectations type"),
        ("expectations:\n  - {name: a, type: expect_table_row_count_to_be_between, mostly: 2}\n", "mostly must be"),
        ("unexpected-limit: -1\nexpectations: []\n", "unexpected-limit"),
        ("expectations:\n  - {name: a, type: expect_column_values_to_not_be_null, column: body}\n", "no column 'body'"),
    ],
)
def test_bad_suite_files_are_config_errors(tmp_path, text, message):
    suite = tmp_path / "suite.yaml"
    suite.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_suite(_config(**{"expectations-suite": str(suite)}))


@pytest.mark.parametrize(
    "entry,message",
    [
        ("{name: a, type: expect_column_values_to_be_betwen, column: word_count, min_value: 1}", "betwen not found"),
        (
            "{name: a, type: expect_column_values_to_be_between, column: word_count, minimum: 1}",
            "minimum: extra fields not permitted",
        ),
    ],
)
def test_gx_level_mistakes_are_config_errors_before_any_document(tmp_path, entry, message):
    suite = tmp_path / "suite.yaml"
    suite.write_text(f"expectations:\n  - {entry}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"suite.yaml:2: expectation a .*{message}"):
        check_config(_config(**{"expectations-suite": str(suite)}))
    check_config(_config(select=["missing-date"], **{"expectations-suite": str(suite)}))  # stage off: not checked


def test_missing_configured_suite_is_a_config_error(tmp_path):
    config = _config(**{"expectations-suite": str(tmp_path / "nope.yaml")})
    with pytest.raises(ConfigError, match="cannot read corpus expectations"):
        load_suite(config)


def test_project_without_corpus_suite_falls_back_to_the_shipped_one(tmp_path):
    config = _config(**{"schemas-dir": "tests/data/schemas-strict"})
    assert suite_path(config) == SUITE


def test_cli_rejects_a_bad_override_before_reading_documents(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(f"""
        [tool.seedcheck]
        paths = ["{SEEDS}"]
        [tool.seedcheck.expectations.no-such-expectation]
        mostly = 0.5
        """),
        encoding="utf-8",
    )
    proc = run_cli("check", "--no-reports", "-q", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]  # one line, no traceback
    assert "unknown expectation(s) no-such-expectation" in proc.stderr


# ------------------------------------------------------------------ records table


def test_records_table_keeps_nulls_under_pandas3():
    frame = records_table(
        [
            {"doc_id": "b.txt", "date": None, "source_url": None, "source_domain": None, "word_count": None},
            {
                "doc_id": "a.txt",
                "date": "2021-01-02",
                "source_url": "https://x.gov/a",
                "source_domain": "x.gov",
                "word_count": 3,
                "language": "en",
            },
            {"doc_id": "c.txt", "date": "2021-02-30", "source_domain": "x.gov", "word_count": 5},
        ]
    )
    assert list(frame["doc_id"]) == ["a.txt", "b.txt", "c.txt"]  # sorted: deterministic samples
    assert frame["source_url"].isna().tolist() == [False, True, True]  # never the text "nan"/"None"
    assert frame["date"].isna().tolist() == [False, True, True]  # an impossible date is null, not a crash
    assert str(frame["date"].dtype).startswith("datetime64")
    assert str(frame["word_count"].dtype) == "Int64"
    assert frame["source_documents"].tolist()[0] == 2 and frame["source_documents"].isna().tolist()[1]
    assert str(frame["doc_id"].dtype) == "string"


# ------------------------------------------------------------------ GX runs


@pytest.fixture(scope="module")
def seeds_run():
    return run(_config(), [str(SEEDS)], jobs=1)


def test_seeds_report_every_expectation(seeds_run):
    suite = load_suite(_config())
    entries = seeds_run.expectations
    assert [e["name"] for e in entries] == [s.name for s in suite.expectations]
    keys = {"name", "expectation_type", "column", "success", "observed_value", "severity", "unexpected_doc_ids"}
    for e in entries:
        assert keys <= set(e)
        json.dumps(e)  # plain JSON values only
    by_name = {e["name"]: e for e in entries}
    assert by_name["date-coverage"]["success"] is False
    assert by_name["date-coverage"]["observed_value"] < 0.95
    assert "004_bc0de272d958dd98.txt" in by_name["date-coverage"]["unexpected_doc_ids"]
    assert by_name["source-url-coverage"]["success"] is False
    assert set(by_name["source-url-coverage"]["unexpected_doc_ids"]) >= {
        "000_f62a7832fdddf652.txt",
        "004_bc0de272d958dd98.txt",
    }
    assert by_name["doc-ids-unique"]["success"] is True
    assert by_name["word-count-median"]["success"] is True and by_name["word-count-median"]["observed_value"] > 100
    assert "expectations" in seeds_run.timings


def test_seed_failures_are_corpus_level_findings(seeds_run):
    failed = {e["name"]: e for e in seeds_run.expectations if not e["success"]}
    findings = [f for f in seeds_run.findings if f.rule == "expectation-failed"]
    assert len(findings) == len(failed)
    lines = SUITE.read_text(encoding="utf-8").splitlines()
    for f in findings:
        assert f.doc_id == "" and f.path == str(SUITE)
        name = lines[f.line - 1].strip().removeprefix("- name: ")
        assert name in failed and f.message.startswith(f"corpus expectation {name} failed")
        assert str(f.severity) == failed[name]["severity"]
        assert f.related == failed[name]["unexpected_doc_ids"]


def test_warning_failure_does_not_fail_an_error_gate(tmp_path):
    # coverage.yaml: date-coverage is a warning, source-urls-unique an error. GX would call
    # this run unsuccessful; seedcheck keeps the warning a warning.
    corpus = _corpus(
        tmp_path,
        {
            "a.txt": _doc("A", "2021-03-01", "https://www.whitehouse.gov/a/"),
            "b.txt": _doc("B", None, "https://www.whitehouse.gov/b/"),
        },
    )
    result = run(_config(select=["expectation-failed"], **{"expectations-suite": SMALL_SUITE}), [str(corpus)], jobs=1)
    findings = [f for f in result.findings if f.rule == "expectation-failed"]
    assert [(str(f.severity), f.related) for f in findings] == [("warning", ["b.txt"])]
    assert result.gating("error") == [] and len(result.gating("warning")) == 1
    assert [e["success"] for e in result.expectations] == [False, True]


def test_unreadable_documents_are_rows_and_thresholds_follow_config(tmp_path):
    corpus = _corpus(
        tmp_path,
        {"a.txt": _doc("A", "2021-03-01", "https://www.whitehouse.gov/a/"), "broken.bin": bytes(range(256)) * 8},
    )
    config = _config(
        select=["expectation-failed"],
        expectations={"date-coverage": {"mostly": 0.5}, "source-url-coverage": {"enabled": False}},
    )
    result = run(config, [str(corpus)], jobs=1)
    by_name = {e["name"]: e for e in result.expectations}
    assert by_name["date-coverage"]["element_count"] == 2  # the unreadable file counts
    assert by_name["date-coverage"]["observed_value"] == 0.5 and by_name["date-coverage"]["success"] is True
    assert "source-url-coverage" not in by_name
    assert "date-coverage" not in {f.message.split()[2] for f in result.findings if f.rule == "expectation-failed"}


def test_empty_corpus_fails_only_meaningfully(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(_config(select=["expectation-failed"]), [str(empty)], jobs=1)
    failed = {e["name"] for e in result.expectations if not e["success"]}
    assert "corpus-not-empty" in failed
    assert not any(e.get("error") for e in result.expectations)


def test_data_docs_are_built_and_nothing_is_written_to_the_working_directory(tmp_path, monkeypatch):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    corpus = _corpus(tmp_path, {"a.txt": _doc("A", "2021-03-01", "https://www.whitehouse.gov/a/")})
    docs = tmp_path / "docs"
    result = run(
        _config(select=["expectation-failed"], **{"expectations-suite": SMALL_SUITE, "gx-data-docs": str(docs)}),
        [str(corpus)],
        jobs=1,
    )
    assert (docs / "index.html").is_file()
    assert list(cwd.iterdir()) == []
    assert [e["success"] for e in result.expectations] == [True, True]


def test_other_rules_do_not_import_great_expectations(tmp_path):
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from seedcheck.config import Config, apply
        from seedcheck.pipeline import run
        config = apply(Config(root=Path({str(ROOT)!r})), {{"select": ["missing-date"]}})
        result = run(config, [{str(SEEDS)!r}], jobs=1)
        assert result.expectations == [] and "expectations" in result.timings, result.timings
        print(sorted(m for m in sys.modules if m.startswith("great_expectations")))
        """)
    # A script file, not `python -c`: under -c an installed pyspark (pulled in by pandera) exits early.
    script = tmp_path / "probe.py"
    script.write_text(code, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], check=False, capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_cli_findings_json_has_expectations(tmp_path):
    out = tmp_path / "out"
    proc = run_cli("check", str(SEEDS), "--report-dir", str(out), "-q", "--fail-on", "never")
    assert proc.returncode == 0, proc.stderr
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert [e["name"] for e in data["expectations"]] == [s.name for s in load_suite(_config()).expectations]
    corpus_level = [f for f in data["findings"] if f["rule"] == "expectation-failed"]
    assert corpus_level and all(f["doc_id"] == "" and f["line"] >= 1 for f in corpus_level)


@pytest.mark.slow
@pytest.mark.skipif(not REAL_CORPUS.is_file(), reason=f"real corpus not present at {REAL_CORPUS} (../shared)")
def test_every_expectation_passes_on_the_real_releases(tmp_path):
    with tarfile.open(REAL_CORPUS) as tar:
        tar.extractall(tmp_path, filter="data")
    result = run(_config(select=["expectation-failed"]), [str(tmp_path)], jobs=2)
    assert len(result.documents) == 6458
    failed = [(e["name"], e["observed_value"]) for e in result.expectations if not e["success"]]
    assert failed == []
    assert [f for f in result.findings if f.rule == "expectation-failed"] == []


# ------------------------------------------------------------------ background worker


def test_cli_reports_a_gx_level_mistake_found_by_the_background_worker(tmp_path):
    # The GX types are only known once GX is imported, which the CLI does in its worker.
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "expectations:\n  - {name: a, type: expect_column_values_to_be_betwen, column: word_count}\n", encoding="utf-8"
    )
    proc = run_cli(
        "check", str(SEEDS), "--config", str(_project(tmp_path, suite)), "--report-dir", str(tmp_path / "r"), "-q"
    )
    assert proc.returncode == 2, proc.stderr
    assert "suite.yaml:2: expectation a" in proc.stderr and "betwen not found" in proc.stderr
    assert not (tmp_path / "r").exists()  # no reports from a misconfigured run


def _project(tmp_path: Path, suite: Path) -> Path:
    project = tmp_path / "pyproject.toml"
    project.write_text(f'[tool.seedcheck]\nexpectations-suite = "{suite}"\n', encoding="utf-8")
    return project


def test_gx_validates_the_columns_the_suite_reads_with_the_whole_tables_outcomes(seeds_run, monkeypatch, tmp_path):
    from seedcheck.expectations import TABLE_COLUMNS, read_columns, run_suite
    from seedcheck.expectations import stage as stage_module

    config = _config()
    suite = load_suite(config)
    records = [d["record"] for d in seeds_run.documents]
    assert read_columns(suite) == ("doc_id", "date", "source_url", "source_domain", "language", "word_count")
    narrow = records_table(records, read_columns(suite))
    assert list(narrow.columns) == [*read_columns(suite), "source_documents"]
    assert run_suite(suite, narrow) == run_suite(suite, records_table(records))
    # What the stage hands GX is that narrow table, and the run's outcomes are unchanged.
    seen = []

    def spy(suite, frame, data_docs_dir):
        seen.append(list(frame.columns))
        return run_suite(suite, frame, data_docs_dir)

    monkeypatch.setattr(stage_module, "run_suite", spy)
    assert run(config, [str(SEEDS)], jobs=1).expectations == seeds_run.expectations
    assert seen == [list(narrow.columns)]
    # A row condition is an expression over any column: the table keeps all of them, and
    # a table without `source_domain` has no derived count.
    conditioned = tmp_path / "conditioned.yaml"
    conditioned.write_text(
        "name: conditioned\nexpectations:\n  - name: dated-english\n"
        "    type: expect_column_values_to_not_be_null\n    column: date\n"
        '    row_condition: language=="en"\n    condition_parser: pandas\n'
    )
    suite = load_suite(_config(**{"expectations-suite": str(conditioned)}))
    assert read_columns(suite) == TABLE_COLUMNS
    assert run_suite(suite, records_table(records, read_columns(suite)))[0].success is False  # a seed has no date
    assert "source_documents" not in records_table(records, ("doc_id", "title"))


def _failing_records(count: int, seed: int = 7) -> list[dict]:
    """Records on which every expectation of the shipped suite but the row count has
    unexpected rows: null and out-of-range dates, shared and missing source URLs, other
    languages, empty and huge documents, domains with one document; ids not in file order."""
    import random

    rng = random.Random(seed)
    records = []
    for k in rng.sample(range(count * 3), count):
        domain = f"site{rng.randrange(count // 4)}.example" if rng.random() < 0.5 else "www.whitehouse.gov"
        records.append(
            {
                "doc_id": f"doc-{k}" if rng.random() > 0.02 else "doc-shared",
                "date": rng.choice(
                    [None, "1980-02-03", "2099-01-01", "not a date", f"2023-0{rng.randint(1, 9)}-1{k % 10}"]
                ),
                "source_url": rng.choice([None, f"https://{domain}/{k}", f"https://{domain}/{k % 7}"]),
                "source_domain": domain,
                "language": rng.choice(["en", "en", "en", "fr", None]),
                "word_count": rng.choice([0, 3, 40, 700, 90_000, None]),
                "title": f"Title {k}",
            }
        )
    return records


def test_the_table_holds_pyarrow_or_python_strings_with_the_same_outcomes(monkeypatch):
    # Pyarrow storage for a table built in the run's process (its buffers go back with it);
    # Python storage for one a forked child builds (GX's metrics turn pyarrow strings into
    # Python objects each time). Same values, NAs and outcomes.
    import pandas as pd

    from seedcheck.expectations import CHILD_STRING_STORAGE, read_columns, run_suite
    from seedcheck.expectations import table as table_module
    from seedcheck.records import RecordStore

    suite = load_suite(_config())
    records = _failing_records(400)
    table = records_table(records, read_columns(suite))
    strings = [c for c in table.columns if str(table[c].dtype) == "string"]
    assert strings == ["doc_id", "source_url", "source_domain", "language"]
    assert {table[c].dtype.storage for c in strings} == {"pyarrow"}
    in_child = records_table(records, read_columns(suite), CHILD_STRING_STORAGE)
    assert {in_child[c].dtype.storage for c in strings} == {"python"}
    pd.testing.assert_frame_equal(in_child.astype({c: "string[pyarrow]" for c in strings}), table)
    assert table["language"].isna().sum() > 0 and not (table["language"] == "nan").any()
    assert in_child["language"].isna().sum() > 0 and not (in_child["language"] == "nan").any()
    # A compact record's strings are new each time it is read: a column of few distinct
    # values holds one object per value, one of many (URLs) one per row.
    store = RecordStore(compact=True)
    for record in records:
        store.append(dict(record))
    compact = records_table(store, read_columns(suite), CHILD_STRING_STORAGE)
    pd.testing.assert_frame_equal(compact, in_child)
    assert len({id(v) for v in compact["language"].dropna()}) == 2  # "en", "fr"
    monkeypatch.setattr(table_module, "SHARED_VALUES_UP_TO", 10)
    urls = records_table(store, ("doc_id", "source_url"), CHILD_STRING_STORAGE)["source_url"].dropna()
    assert urls.nunique() > 100 and len({id(v) for v in urls}) > urls.nunique()  # sharing stopped past 10
    outcomes = run_suite(suite, table)
    assert sum(not o.success for o in outcomes) >= 8 and all(o.error is None for o in outcomes)
    assert sum(len(o.unexpected_doc_ids) == suite.unexpected_limit for o in outcomes) >= 3  # lists cut at the limit
    assert run_suite(suite, in_child) == outcomes


def test_gx_fingerprints_the_batch_only_for_data_docs(monkeypatch, tmp_path):
    # GX hashes every row of a pandas batch under 1 GB for a batch marker nothing here
    # reads (at 300,000 rows, ~260 MB at the validation's peak): off, except for Data Docs.
    from great_expectations.execution_engine import pandas_execution_engine as engine

    from seedcheck.expectations import read_columns, run_suite

    suite = load_suite(_config())
    table = records_table(_failing_records(60), read_columns(suite))
    hashed = []
    real_hash = engine.hash_pandas_dataframe
    monkeypatch.setattr(engine, "hash_pandas_dataframe", lambda df: hashed.append(len(df)) or real_hash(df))
    threshold = engine.HASH_THRESHOLD
    plain_run = run_suite(suite, table)
    assert hashed == [] and engine.HASH_THRESHOLD == threshold
    assert run_suite(suite, table, str(tmp_path / "docs")) == plain_run
    assert hashed == [60] and engine.HASH_THRESHOLD == threshold


def _comparable(outcomes) -> list:
    return [
        [o.spec.name, o.success, o.observed_value, o.unexpected_count, o.unexpected_doc_ids, o.error] for o in outcomes
    ]


def test_a_lightened_gx_import_gives_the_same_outcomes_and_leaves_the_deferred_unimported(tmp_path):
    # The GX worker's process defers scipy.stats and altair and takes pyspark as absent
    # (about half of GX's import); the outcomes of every expectation, failing in every way
    # `_failing_records` makes them fail, must be those of a process with all of GX loaded.
    from seedcheck.expectations import read_columns, run_suite

    code = textwrap.dedent(f"""
        import json, sys
        sys.path.insert(0, {str(ROOT)!r})
        from seedcheck.expectations import lighten_gx_import, load_suite, read_columns, records_table, run_suite
        from seedcheck.expectations.validate import DeferredModule
        from tests.test_expectations import _comparable, _config, _failing_records
        lighten_gx_import()
        suite = load_suite(_config())
        outcomes = run_suite(suite, records_table(_failing_records(400), read_columns(suite)))
        state = {{n: type(sys.modules.get(n)).__name__ for n in ("scipy.stats", "altair", "pyspark")}}
        print(json.dumps({{"outcomes": _comparable(outcomes), "modules": state}}, default=str))
        """)
    script = tmp_path / "lightened.py"
    script.write_text(code, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], check=False, capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    child = json.loads(proc.stdout.strip().splitlines()[-1])
    assert child["modules"] == {"scipy.stats": "DeferredModule", "altair": "DeferredModule", "pyspark": "NoneType"}
    suite = load_suite(_config())
    here = run_suite(suite, records_table(_failing_records(400), read_columns(suite)))
    assert type(sys.modules.get("altair")).__name__ == "module"  # this process has all of GX loaded
    assert child["outcomes"] == json.loads(json.dumps(_comparable(here), default=str))
    assert sum(not o.success for o in here) >= 8


def test_a_deferred_module_is_imported_at_its_first_use(monkeypatch):
    import importlib.util

    from seedcheck.expectations.validate import DeferredModule

    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    stand_in = DeferredModule("colorsys", importlib.util.find_spec("colorsys"))
    monkeypatch.setitem(sys.modules, "colorsys", stand_in)
    import colorsys

    assert colorsys is stand_in and "rgb_to_hsv" not in vars(stand_in)  # nothing imported yet
    assert colorsys.rgb_to_hsv(1.0, 0.0, 0.0) == (0.0, 1.0, 1.0)
    real = sys.modules["colorsys"]
    assert real is not stand_in and not isinstance(real, DeferredModule)
    assert stand_in.hsv_to_rgb is real.hsv_to_rgb and stand_in.__file__ == real.__file__
    with pytest.raises(AttributeError):
        stand_in.no_such_function  # noqa: B018 - the real module's AttributeError


def test_worker_outcomes_equal_in_process_and_survive_a_dead_worker(tmp_path):
    import os

    from seedcheck import gx_worker
    from seedcheck.expectations import run_suite
    from seedcheck.gx_worker import GxRunner

    config = _config()
    suite = load_suite(config)
    records = [d["record"] for d in run(config, [str(SEEDS)], jobs=1).documents]
    here = [(o.spec.name, o.success, o.observed_value) for o in run_suite(suite, records_table(records))]
    with GxRunner(config) as gx:
        worker = gx.worker
        assert worker is not None and worker.process.pid != os.getpid()
        assert [
            (o.spec.name, o.success, o.observed_value) for o in worker.run_suite(suite, records_table(records), None)
        ] == here
        # A small run leaves its priority alone; a long one puts it below the document workers'.
        own = os.getpriority(os.PRIO_PROCESS, 0)
        gx.attach(None, gx_worker.YIELD_FROM - 1)
        assert os.getpriority(os.PRIO_PROCESS, worker.process.pid) == own
        gx.attach(None, gx_worker.YIELD_FROM)
        assert os.getpriority(os.PRIO_PROCESS, worker.process.pid) == min(19, own + gx_worker.GX_NICENESS)
        worker.process.kill()
        worker.process.join()
        assert [(o.spec.name, o.success, o.observed_value) for o in gx.validate(suite, records, None)] == here
        assert gx.worker is None  # stopped once the stage has its outcomes
    assert not worker.process.is_alive()
    with GxRunner(config, start=False) as late:  # a worker started once the run's size is known
        late.attach(None, gx_worker.YIELD_FROM)
        assert os.getpriority(os.PRIO_PROCESS, late.worker.process.pid) == min(19, own + gx_worker.GX_NICENESS)


def test_the_run_owns_the_worker_it_is_stopped_when_the_run_fails(monkeypatch):
    from seedcheck import pipeline
    from seedcheck.gx_worker import GxRunner

    config = _config()
    monkeypatch.setattr(pipeline, "complete", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(RuntimeError, match="boom"), GxRunner(config) as gx:
        worker = gx.worker
        run(config, [str(SEEDS)], jobs=1, gx=gx)
    assert gx.worker is None and not worker.process.is_alive()


def test_a_long_run_suspends_the_worker_and_validates_in_a_child_forked_later(monkeypatch):
    # Runs of SUSPEND_FROM+ files stop the worker once the suite is checked (an idle
    # GX through the document and corpus stages is memory at the run's peak) and fork a child
    # for the expectations stage, before the corpus stage, with the same findings in the same order.
    import multiprocessing
    import os

    from seedcheck import completion, gx_worker

    config = _config()
    in_process = run(config, [str(SEEDS)], jobs=1)  # no worker: in this process, after the corpus stage
    here = in_process.expectations
    forked, validated_in = [], multiprocessing.Value("i", 0)  # shared memory: the child writes its pid
    real_forked, real_once = gx_worker.validate_forked, gx_worker._validate_once
    real_corpus, validated_by_corpus_stage = completion._run_corpus_stage, []

    def corpus(*args):
        validated_by_corpus_stage.append(gx.validated)
        return real_corpus(*args)

    def spy(*args):
        forked.append(gx.worker)  # the early worker is gone by then
        return real_forked(*args)

    def once(*args):
        validated_in.value = os.getpid()
        return real_once(*args)

    monkeypatch.setattr(gx_worker, "SUSPEND_FROM", 1)
    monkeypatch.setattr(gx_worker, "validate_forked", spy)
    monkeypatch.setattr(gx_worker, "_validate_once", once)
    monkeypatch.setattr(completion, "_run_corpus_stage", corpus)
    with gx_worker.GxRunner(config) as gx:
        result = run(config, [str(SEEDS)], jobs=1, gx=gx)
        assert gx.suspended
    assert result.expectations == here
    assert forked == [None] and validated_in.value not in (0, os.getpid())  # validated in a child
    assert gx.worker is None
    assert validated_by_corpus_stage == [True]
    assert any(f.rule == "expectation-failed" for f in result.findings)
    assert [f.to_json() for f in result.findings] == [f.to_json() for f in in_process.findings]


def test_records_in_a_file_are_read_by_the_forked_child_which_builds_the_table(monkeypatch):
    # Records held in memory: the table is built here and inherited (the child reading the
    # records would copy their pages). Records in a file: the child builds it (so the
    # table exists once, of Python strings), with the same outcomes.
    import multiprocessing
    import os

    from seedcheck import gx_worker
    from seedcheck.expectations import read_columns, run_suite
    from seedcheck.records import RecordStore

    config = _config()
    suite = load_suite(config)
    records = _failing_records(300)
    here = run_suite(suite, records_table(records, read_columns(suite)))
    built_in = multiprocessing.Array("i", 4)  # shared memory: each build writes its pid
    python_strings = multiprocessing.Array("i", 4)  # and whether its strings are Python's
    real_table = gx_worker.records_table

    def table(*args):
        frame = real_table(*args)
        build = sum(1 for pid in built_in if pid)
        built_in[build], python_strings[build] = os.getpid(), frame["doc_id"].dtype.storage == "python"
        return frame

    monkeypatch.setattr(gx_worker, "records_table", table)
    for on_disk in (False, True):
        store = RecordStore(compact=True, on_disk=on_disk)
        for record in records:
            store.append(dict(record))
        assert gx_worker.records_in_child(store) is on_disk
        gx = gx_worker.GxRunner(config, start=False)
        gx.suspended = True  # a long run's: validated in a child forked at the stage
        assert gx.validate(suite, store, None) == here
    assert built_in[0] == os.getpid() and built_in[1] not in (0, os.getpid()) and list(built_in[2:]) == [0, 0]
    assert list(python_strings[:2]) == [0, 1]  # pyarrow's here, Python's in the child
    assert not gx_worker.records_in_child(records)


def test_a_forked_validation_that_dies_falls_back_to_this_process(monkeypatch):
    import os

    from seedcheck import gx_worker
    from seedcheck.expectations import run_suite

    config = _config()
    suite = load_suite(config)
    frame = records_table([d["record"] for d in run(config, [str(SEEDS)], jobs=1).documents])
    here = [(o.spec.name, o.success, o.observed_value) for o in run_suite(suite, frame)]
    monkeypatch.setattr(gx_worker, "_validate_once", lambda *a: os._exit(3))
    outcomes = gx_worker.validate_forked(suite, frame, None)
    assert [(o.spec.name, o.success, o.observed_value) for o in outcomes] == here


def test_suspend_raises_a_bad_suite_before_any_document_is_read(tmp_path):
    from seedcheck.gx_worker import GxRunner

    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "expectations:\n  - {name: a, type: expect_column_values_to_be_betwen, column: word_count}\n", encoding="utf-8"
    )
    config = _config(**{"expectations-suite": str(suite)})
    with GxRunner(config) as gx, pytest.raises(ConfigError, match="betwen not found"):
        gx.suspend()


def test_a_long_run_with_a_bad_suite_stops_while_the_documents_are_checked(tmp_path, monkeypatch):
    # From WATCH_VERDICT_FROM files the verdict is polled during the document stage, so the
    # error comes before the corpus stage (here: once GX has imported, well before the end).
    import time

    from seedcheck import gx_worker, pipeline

    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "expectations:\n  - {name: a, type: expect_column_values_to_be_betwen, column: word_count}\n", encoding="utf-8"
    )
    config = _config(**{"expectations-suite": str(suite)})
    monkeypatch.setattr(gx_worker, "WATCH_VERDICT_FROM", 1)
    real_process, seen = pipeline.Engine.process, []

    def slow(self, source, data=None):
        seen.append(source.path)
        time.sleep(0.05)  # a long document stage: the verdict arrives during it
        return real_process(self, source, data)

    monkeypatch.setattr(pipeline.Engine, "process", slow)
    monkeypatch.setattr(pipeline, "complete", lambda *a, **k: pytest.fail("the run went on to the corpus stage"))
    corpus = _corpus(tmp_path, {f"d{i:03}.txt": "Title: T\n\nSome words here for the body.\n" for i in range(400)})
    with gx_worker.GxRunner(config) as gx, pytest.raises(ConfigError, match="betwen not found"):
        run(config, [str(corpus)], jobs=1, gx=gx)
    assert 0 < len(seen) < 400
