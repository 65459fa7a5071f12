"""The Python API: `seedcheck.check(...)` from a notebook or a pipeline.

    import seedcheck
    result = seedcheck.check(df, select=["missing-date", "duplicate-"])
    result.findings      # pandas DataFrame, one row per finding
    result.records       # pandas DataFrame, one row per document

Input: a path or URL (or a list of them), a pandas DataFrame, or an iterable of dicts.
In-memory records are checked where they are: nothing is written to disk.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any

from .config import Config, apply, load_config

CHUNK = 256  # in-memory records per work unit (units are spread over the workers)


class CheckResult:
    """What `check` returns: findings and records as DataFrames, plus the run's objects
    (`result`: the pipeline Result the report writers render)."""

    def __init__(self, result):
        self.result = result
        self._findings = self._records = None

    @property
    def findings(self):
        """One row per finding (the columns of findings.parquet, see the README)."""
        if self._findings is None:
            from .report.tables import FINDING_COLUMNS, finding_rows

            self._findings = _frame(finding_rows(self.result), [name for name, _ in FINDING_COLUMNS])
        return self._findings

    @property
    def records(self):
        """One row per document: doc_id, path, status and its record fields."""
        if self._records is None:
            from .report.tables import DOCUMENT_COLUMNS, document_rows, numeric_extras

            extras = numeric_extras(self.result)
            self._records = _frame(
                document_rows(self.result, extras), [n for n, _ in DOCUMENT_COLUMNS] + extras + ["extra"]
            )
        return self._records

    @property
    def finding_objects(self) -> list:
        """The `Finding` objects in report order, as the writers see them (a list, also
        when a large run kept them on disk)."""
        findings = self.result.findings
        return findings if isinstance(findings, list) else list(findings)

    @property
    def documents(self) -> list[dict[str, Any]]:
        """findings.json's `documents` entries (doc_id, path, status, record), as a list
        also when a large run made them as they are read."""
        documents = self.result.documents
        return documents if isinstance(documents, list) else list(documents)

    @property
    def passed(self) -> bool:
        """True when no new finding is at or above `fail-on`."""
        return not self.result.failing(self.result.config.fail_on)

    def counts(self) -> dict[str, int]:
        """Findings by severity."""
        return self.result.counts()

    def write_reports(self, report_dir: str | os.PathLike, formats: Iterable[str] = ("default",)) -> list:
        """Write report files (as `--reports` names them) into `report_dir`."""
        from pathlib import Path

        from .report import report_formats, write_reports

        return write_reports(self.result, Path(report_dir), report_formats(list(formats)))

    def __repr__(self) -> str:
        c = self.counts()
        return (
            f"<seedcheck result: {len(self.result.documents)} documents, {len(self.result.findings)} findings "
            f"({c['error']} errors, {c['warning']} warnings, {c['info']} info); "
            f"{'passed' if self.passed else 'failed'}>"
        )


def _frame(rows, columns: list[str]):
    import pandas as pd

    return pd.DataFrame(list(rows), columns=columns)


def check(
    data: Any,
    config: Config | str | os.PathLike | None = None,
    *,
    name: str = "records",
    jobs: int | None = 1,
    **overrides: Any,
) -> CheckResult:
    """Check documents and return a `CheckResult`.

    `data`: a path or fsspec URL, a list of them, a pandas DataFrame, or an iterable of
    dicts (each record read with the configured JSONL field names: `text`, `id`, `date`,
    `url`, `title` ...). `config`: a `Config`, a configuration file, or None for the
    nearest pyproject.toml's `[tool.seedcheck]` (defaults when there is none).
    `overrides`: configuration keys with `_` for `-` (`select=["missing-date"]`,
    `fail_on="warning"`, `jsonl={"text-field": "content"}`). In-memory records get ids
    `<name>#<id>` (or `<name>#row<n>`); `jobs`: worker processes (1: this process).
    """
    import warnings

    if not isinstance(config, Config):
        config = load_config(os.fspath(config) if config is not None else None)
    if overrides:
        apply(config, {key.replace("_", "-"): value for key, value in overrides.items()}, where="check()")
    if isinstance(data, (str, os.PathLike)):
        paths, sources = [os.fspath(data)], None
    elif isinstance(data, (list, tuple)) and data and all(isinstance(p, (str, os.PathLike)) for p in data):
        paths, sources = [os.fspath(p) for p in data], None
    else:
        paths, sources = [], in_memory_sources(data, name)
    from .pipeline import run

    with warnings.catch_warnings():
        # pandera and GX import pyspark when it is installed; its pandas notice is not about the data.
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support", category=FutureWarning)
        return CheckResult(run(config, paths, jobs=jobs, sources=sources))


def in_memory_sources(data: Any, name: str) -> list:
    """In-memory records as work units that carry their records (JSON texts) with them,
    so workers need no file and nothing is written."""
    from .ingest import Source

    lines = _json_lines(data)
    return [
        Source(
            fs_path="",
            path=name,
            doc_id=name,
            size=sum(map(len, lines[i : i + CHUNK])),
            unit=("inline", i, tuple(lines[i : i + CHUNK])),
        )
        for i in range(0, len(lines), CHUNK)
    ] or [Source(fs_path="", path=name, doc_id=name, unit=("inline", 0, ()))]


def _json_lines(data: Any) -> list[str]:
    if hasattr(data, "to_json") and hasattr(data, "columns"):  # a pandas DataFrame
        text = data.to_json(orient="records", lines=True, date_format="iso", force_ascii=False, default_handler=str)
        return [line for line in text.split("\n") if line]
    if isinstance(data, dict):
        raise TypeError("check() takes an iterable of dicts (records), not one dict")
    return [json.dumps(record, ensure_ascii=False, default=str) for record in data]
