"""Corpus expectations: `schemas/corpus.yaml` as a great-expectations suite over the records table.

- `suite.py`: the suite file and the per-corpus overrides (`[tool.seedcheck.expectations.<name>]`), no GX;
- `table.py`: the records table GX validates, and the part of it a suite reads;
- `validate.py`: the only great_expectations import, made only when the stage runs;
- `stage.py`: outcomes as findings and findings.json entries; the stage itself.

The package knows no worker process: the stage takes a `validate` callable, which the
run's `gx_worker.GxRunner` (or the Spark engine) provides.
"""

from __future__ import annotations

from .stage import check_config, detail, entry, expectations_stage, to_finding, wanted
from .suite import (
    DATE_COLUMNS,
    DERIVED_COLUMNS,
    INT_COLUMNS,
    RULE,
    SUITE_FILE,
    TABLE_COLUMNS,
    ExpectationSpec,
    Suite,
    load_suite,
    suite_path,
)
from .table import CHILD_STRING_STORAGE, read_columns, records_table, spark_records_table, table_parts
from .validate import Outcome, build_expectations, lighten_gx_import, run_suite

__all__ = [
    "CHILD_STRING_STORAGE",
    "DATE_COLUMNS",
    "DERIVED_COLUMNS",
    "INT_COLUMNS",
    "RULE",
    "SUITE_FILE",
    "TABLE_COLUMNS",
    "ExpectationSpec",
    "Outcome",
    "Suite",
    "build_expectations",
    "check_config",
    "detail",
    "entry",
    "expectations_stage",
    "lighten_gx_import",
    "load_suite",
    "read_columns",
    "records_table",
    "run_suite",
    "spark_records_table",
    "suite_path",
    "table_parts",
    "to_finding",
    "wanted",
]
