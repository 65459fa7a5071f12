"""Running great-expectations: the suite as GX objects, a validation, outcomes in seedcheck terms.

The only module that imports great_expectations, and only when called. GX runs in an
ephemeral context (nothing is written to the working directory) with its progress bars off.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import math
import os
import re
import sys
import types
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import ConfigError
from ..model import Severity
from .suite import DATE_COLUMNS, ExpectationSpec, Suite, fail

_GX_SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "warning", Severity.INFO: "info"}


@dataclass
class Outcome:
    """The result of one expectation, in seedcheck terms."""

    spec: ExpectationSpec
    success: bool
    observed_value: Any = None
    unexpected_count: int | None = None
    element_count: int | None = None
    missing_count: int | None = None
    unexpected_doc_ids: list[str] = field(default_factory=list)
    error: str | None = None


def _gx_kwargs(spec: ExpectationSpec) -> dict[str, Any]:
    kwargs = dict(spec.params)
    if spec.column is not None:
        kwargs["column"] = spec.column
    if spec.mostly is not None:
        kwargs["mostly"] = spec.mostly
    if spec.column in DATE_COLUMNS:
        for key in ("min_value", "max_value"):
            value = kwargs.get(key)
            if isinstance(value, (str, dt.date)):
                try:
                    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
                except ValueError:
                    raise ConfigError(f"expectation {spec.name}: {key} must be an ISO date, not {value!r}") from None
                kwargs[key] = dt.datetime(day.year, day.month, day.day)
    return kwargs


def _gx_error(exc: Exception) -> str:
    """A pydantic/GX error in one line: `field: problem; ...` without pydantic's type tags."""
    lines = [ln for ln in str(exc).splitlines() if ln.strip()]
    if len(lines) < 2:
        return lines[0] if lines else type(exc).__name__
    parts, field_name = [], None
    for ln in lines[1:]:
        if not ln.startswith(" "):
            field_name = ln.strip()
            continue
        problem = re.sub(r"\s*\(type=[^)]*\)", "", ln.strip())
        part = problem if field_name in (None, "__root__") else f"{field_name}: {problem}"
        if part not in parts:
            parts.append(part)
    return "; ".join(parts) or lines[0]


def _no_analytics() -> None:
    # No usage analytics whatever the GX version (1.24 sends none; earlier 1.x did).
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


@contextmanager
def _importing_gx():
    """Around code that may import great_expectations: no analytics, its import warnings
    (pandas and pydantic versions, not the curator's concern) silenced, and pyspark kept
    from ending the process.

    GX imports `pyspark.sql.connect` when pyspark is installed, and without grpc that
    module calls `sys.exit(0)` when `__main__` has neither `__file__` nor `__spec__`,
    taking the process for a doctest run: `python -c`, a notebook kernel or a program
    embedding Python ended silently with status 0, a gate that passed without checking.
    `sys.ps1`, which an interactive interpreter has and pyspark also accepts, is set
    while GX is imported."""
    _no_analytics()
    main = sys.modules.get("__main__")
    pose = (
        "great_expectations" not in sys.modules
        and not hasattr(sys, "ps1")
        and getattr(main, "__spec__", None) is None
        and not hasattr(main, "__file__")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if pose:
            sys.ps1 = ">>> "
        try:
            yield
        finally:
            if pose:
                del sys.ps1


# What GX imports at its own import for features a pandas validation of the shipped suite
# never uses: scipy.stats and altair for one expectation (KL divergence) and its charts, and
# pyspark for Spark data sources; together about half of GX's import (bench/README.md).
DEFERRED_MODULES = ("scipy.stats", "altair")
SPARK_MODULE = "pyspark"


class DeferredModule(types.ModuleType):
    """Stands in `sys.modules` for a module not yet imported; the first use of any of its
    attributes imports the real module (which then replaces it in `sys.modules`) and
    every use after that reads the real module's attributes."""

    def __init__(self, name: str, spec) -> None:
        super().__init__(name)
        self.__spec__ = spec

    def __getattr__(self, attr: str) -> Any:
        real = self.__dict__.get("_deferred_real")
        if real is None:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            real = importlib.import_module(self.__name__)
            self.__dict__["_deferred_real"] = real
        return getattr(real, attr)


def lighten_gx_import() -> None:
    """For a process that only validates pandas tables (the GX worker and the forked
    validation): GX's import leaves `DEFERRED_MODULES` unimported until they are used,
    and takes pyspark as not installed, as in an installation without it; GX then keeps
    to its pandas engine. Modules this process already imported are left as they are.
    Not for a process that may validate a Spark frame or runs the caller's own code."""
    if "great_expectations" in sys.modules:
        return
    if SPARK_MODULE not in sys.modules:
        sys.modules[SPARK_MODULE] = None  # `import pyspark` raises ImportError
    for name in DEFERRED_MODULES:
        if name in sys.modules:
            continue
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is not None:
            sys.modules[name] = DeferredModule(name, spec)


def import_gx() -> None:
    """Import great_expectations now, all of it (a server loading it for the checks it forks)."""
    with _importing_gx():
        import great_expectations  # noqa: F401


def build_expectations(suite: Suite) -> list:
    """The suite's expectations as GX objects; a bad type or parameter is a `ConfigError`
    naming the suite file and line. Imports great_expectations."""
    with _importing_gx():
        from great_expectations.exceptions import GreatExpectationsError
        from great_expectations.expectations.expectation_configuration import (
            ExpectationConfiguration,
        )

    built = []
    for spec in suite.expectations:
        try:
            built.append(
                ExpectationConfiguration(
                    type=spec.type,
                    kwargs=_gx_kwargs(spec),
                    meta={"name": spec.name},
                    severity=_GX_SEVERITY[spec.severity],
                ).to_domain_obj()
            )
        except ConfigError:
            raise
        # pydantic's ValidationError is a ValueError; an unknown type is ExpectationNotFoundError.
        except (ValueError, TypeError, GreatExpectationsError) as exc:
            raise fail(suite.path, spec.line, f"expectation {spec.name} ({spec.type}): {_gx_error(exc)}") from None
    return built


def plain(value: Any) -> Any:
    """A JSON-friendly Python value (numpy scalars, timestamps, NaN)."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, dt.datetime):
        return (
            value.date().isoformat() if value == dt.datetime(value.year, value.month, value.day) else value.isoformat()
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def _add_data_docs(context, data_docs_dir: str) -> list:
    """A Data Docs site in `data_docs_dir` and the checkpoint action that builds it."""
    import great_expectations as gx

    context.add_data_docs_site(
        site_name="seedcheck",
        site_config={
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(Path(data_docs_dir).resolve()),
            },
        },
    )
    return [gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=["seedcheck"])]


@contextmanager
def _no_batch_fingerprint():
    """GX's pandas engine fingerprints every batch under 1 GB (`HASH_THRESHOLD`) with
    `pd.util.hash_pandas_object` over all its rows, which makes Python objects of every
    string: at 300,000 rows it raised the validation's peak by about 260 MB, more than
    the rest of the suite (bench/README.md). The fingerprint is only a batch marker, which
    nothing in seedcheck reads; Data Docs, which show it, keep it."""
    from great_expectations.execution_engine import pandas_execution_engine as engine

    saved = getattr(engine, "HASH_THRESHOLD", None)
    if saved is None:  # a GX without the threshold: leave it as it is
        yield
        return
    engine.HASH_THRESHOLD = 0
    try:
        yield
    finally:
        engine.HASH_THRESHOLD = saved


def _validate(suite: Suite, frame, data_docs_dir: str | None):
    """GX's validation result of `frame` (in an ephemeral context, progress bars off)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    spark = type(frame).__module__.startswith("pyspark")  # a Spark DataFrame: GX's Spark data source
    source = (
        context.data_sources.add_spark(name="seedcheck") if spark else context.data_sources.add_pandas(name="seedcheck")
    )
    batch = source.add_dataframe_asset(name="records").add_batch_definition_whole_dataframe("all_records")
    gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name, expectations=build_expectations(suite)))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{suite.name}_records", data=batch, suite=gx_suite)
    )
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=f"{suite.name}_checkpoint",
            validation_definitions=[definition],
            actions=_add_data_docs(context, data_docs_dir) if data_docs_dir else [],
            # Spark returns unexpected rows in no set order: take them all (COMPLETE) and keep
            # the first doc ids, as the pandas path's partial list of the sorted table does.
            result_format={
                "result_format": "COMPLETE" if spark else "SUMMARY",
                "partial_unexpected_count": max(suite.unexpected_limit, 1),
                "unexpected_index_column_names": ["doc_id"],
            },
        )
    )
    if spark or data_docs_dir:
        result = checkpoint.run(batch_parameters={"dataframe": frame})
    else:
        with _no_batch_fingerprint():
            result = checkpoint.run(batch_parameters={"dataframe": frame})
    return next(iter(result.run_results.values()))


def run_suite(suite: Suite, frame, data_docs_dir: str | None = None) -> list[Outcome]:
    """Validate `frame` against `suite` with GX; optionally build Data Docs into `data_docs_dir`."""
    with _importing_gx():
        validation = _validate(suite, frame, data_docs_dir)
    by_name = {spec.name: spec for spec in suite.expectations}
    outcomes = {}
    for res in validation.results:
        spec = by_name.get((res.expectation_config.meta or {}).get("name"))
        if spec is not None:
            outcomes[spec.name] = _outcome(spec, res, suite.unexpected_limit)
    # Keep file order; an expectation GX returned no result for is reported, not dropped.
    return [
        outcomes.get(s.name) or Outcome(s, False, error="no result from great-expectations") for s in suite.expectations
    ]


def _exception(res) -> str | None:
    """GX's exception message for a result, if evaluating it raised."""
    info = res.exception_info or {}
    if "raised_exception" in info:
        return (info.get("exception_message") or "exception") if info.get("raised_exception") else None
    # A failed metric comes keyed by its metric id: {id: {exception_message, ...}}.
    for value in info.values():
        if isinstance(value, dict) and (value.get("raised_exception") or value.get("exception_message")):
            return value.get("exception_message") or "exception"
    return None


def _outcome(spec: ExpectationSpec, res, limit: int) -> Outcome:
    error = _exception(res)
    if error:
        lines = [ln for ln in str(error).strip().splitlines() if ln.strip()]
        return Outcome(spec, False, error=lines[0] if lines else "exception")
    data = res.result or {}
    outcome = Outcome(spec, bool(res.success))
    if "unexpected_count" in data:
        outcome.unexpected_count = int(data.get("unexpected_count") or 0)
        outcome.element_count = int(data.get("element_count") or 0)
        outcome.missing_count = int(data.get("missing_count") or 0)
        percent = data.get("unexpected_percent")
        outcome.observed_value = None if percent is None else round(1 - float(percent) / 100, 4)
        rows = data.get("unexpected_index_list") or data.get("partial_unexpected_index_list") or []
        ids = sorted(
            {str(row.get("doc_id")) for row in rows if isinstance(row, dict) and row.get("doc_id") is not None}
        )
        outcome.unexpected_doc_ids = ids[:limit]
    else:
        outcome.observed_value = plain(data.get("observed_value"))
    return outcome
