"""Corpus expectations: `schemas/corpus.yaml` as a great-expectations suite over the records table.

This is the only module that imports great_expectations, and only when the stage runs
(`build_expectations`, `run_suite`): loading the suite file and the per-corpus overrides
(`[tool.seedcheck.expectations.<name>]`) needs no GX, so commands and rule selections that
do not run the stage stay fast. GX runs in an ephemeral context (nothing is written to the
working directory) with its progress bars off.

GX's own `success` is False as soon as any expectation fails, whatever its severity; here
each expectation keeps its own severity, and each failure becomes one `expectation-failed`
finding with that severity, so a warning-level failure never fails an error-level gate.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .config import PACKAGE_DIR, Config, ConfigError
from .model import Finding, Hit, Severity
from .yamlio import safe_load

RULE = "expectation-failed"
SUITE_FILE = "corpus.yaml"
# Record fields that become columns of the table GX validates (lists and the body stay out).
TABLE_COLUMNS = (
    "doc_id",
    "path",
    "format",
    "sha256",
    "encoding",
    "title",
    "date",
    "date_source",
    "published_time",
    "source_url",
    "source_domain",
    "canonical_url",
    "language",
    "word_count",
    "line_count",
)
DERIVED_COLUMNS = ("source_documents",)  # documents sharing this row's source_domain
DATE_COLUMNS = ("date",)
INT_COLUMNS = ("word_count", "line_count", "source_documents")
STRING_DTYPE = "string[pyarrow]"
_GX_SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "warning", Severity.INFO: "info"}
_ENTRY_KEYS = ("name", "type", "column", "mostly", "severity", "description")
_SUITE_KEYS = ("name", "unexpected-limit", "expectations")
_OVERRIDE_ALIASES = {"min": "min_value", "max": "max_value"}
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation as written in the suite file, with the per-corpus overrides applied."""

    name: str
    type: str
    column: str | None
    params: dict[str, Any]
    mostly: float | None
    severity: Severity
    description: str
    line: int
    excerpt: str


@dataclass(frozen=True)
class Suite:
    """The corpus suite: where it came from and its enabled expectations, in file order."""

    name: str
    path: Path
    expectations: tuple[ExpectationSpec, ...]
    unexpected_limit: int = 20


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


# ---------------------------------------------------------------- the suite file (no GX)


def suite_path(config: Config) -> Path:
    """The suite file: `expectations-suite` if configured, else `corpus.yaml` in the schemas
    dir, else the one shipped with seedcheck (a project may bring only its record schema)."""
    if config.expectations_suite:
        return config.resolve(config.expectations_suite)
    local = config.schemas_path / SUITE_FILE
    if local.is_file():
        return local
    for shipped in (PACKAGE_DIR / "_data" / "schemas" / SUITE_FILE, PACKAGE_DIR.parent.parent / "schemas" / SUITE_FILE):
        if shipped.is_file():
            return shipped
    return local


def _fail(path: Path, line: int | None, message: str) -> ConfigError:
    where = f"{path}:{line}" if line else str(path)
    return ConfigError(f"{where}: {message}")


def _entry_lines(text: str) -> list[int]:
    """1-based line of each item of the top-level `expectations` list."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "expectations" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _substitute(value: Any, tokens: dict[str, str]) -> Any:
    if isinstance(value, str):
        return tokens.get(value, value)
    if isinstance(value, list):
        return [_substitute(v, tokens) for v in value]
    return value


def _mostly(value: Any, path: Path, line: int, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise _fail(path, line, f"expectation {name}: mostly must be a number from 0 to 1, not {value!r}")
    return float(value)


def _iso_date(value: Any) -> bool:
    if isinstance(value, dt.date):
        return True
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def load_suite(config: Config, today: dt.date | None = None) -> Suite:
    """Read and validate the suite file and apply `[tool.seedcheck.expectations]`.

    Raises `ConfigError` on a missing or malformed file, an unknown expectation name or
    override key, or a bad `mostly`/`severity`. Type and parameter checks that need GX
    happen when the suite is built (`run_suite`).
    """
    path = suite_path(config)
    try:
        text = path.read_text(encoding="utf-8")
        data = safe_load(text)
        lines = _entry_lines(text)
    except OSError as exc:
        raise ConfigError(f"cannot read corpus expectations {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"{path}: invalid corpus expectations: {first}") from None
    if not isinstance(data, dict) or not isinstance(data.get("expectations"), list):
        raise _fail(path, None, "a corpus suite is a mapping with an `expectations` list")
    unknown = sorted(set(data) - set(_SUITE_KEYS))
    if unknown:
        raise _fail(path, None, f"unknown key(s) {', '.join(unknown)}")
    limit = data.get("unexpected-limit", 20)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise _fail(path, None, "unexpected-limit must be a whole number >= 0")
    source_lines = text.splitlines()
    tokens = {"{today}": (today or dt.date.today()).isoformat(), "{corpus-language}": config.corpus_language}
    overrides = config.expectations or {}
    rule_severity = config.severity.get(RULE)
    specs, seen = [], set()
    for index, entry in enumerate(data["expectations"]):
        line = lines[index] if index < len(lines) else 1
        if not isinstance(entry, dict):
            raise _fail(path, line, "each expectation is a mapping")
        name = str(entry.get("name", ""))
        if not _NAME.match(name):
            raise _fail(path, line, f"expectation name {name!r} must be kebab-case")
        if name in seen:
            raise _fail(path, line, f"expectation {name} is defined twice")
        seen.add(name)
        if not isinstance(entry.get("type"), str) or not entry["type"].startswith("expect_"):
            raise _fail(path, line, f"expectation {name}: type must be a great-expectations type (expect_...)")
        column = entry.get("column")
        if column is not None and column not in (*TABLE_COLUMNS, *DERIVED_COLUMNS):
            raise _fail(
                path,
                line,
                f"expectation {name}: no column {column!r} in the records table "
                f"(one of {', '.join((*TABLE_COLUMNS, *DERIVED_COLUMNS))})",
            )
        params = {k: v for k, v in entry.items() if k not in _ENTRY_KEYS}
        severity_text = entry.get("severity", "error")
        override = overrides.get(name, {})
        if not isinstance(override, dict):
            raise ConfigError(f"expectations.{name} must be a table (mostly, min, max, severity, enabled, ...)")
        if override.get("enabled", True) is False:
            continue
        mostly = entry.get("mostly")
        if rule_severity:
            severity_text = rule_severity
        for key, value in override.items():
            target = _OVERRIDE_ALIASES.get(key, key)
            if key == "enabled":
                if not isinstance(value, bool):
                    raise ConfigError(f"expectations.{name}.enabled must be true or false")
            elif key == "mostly":
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                    raise ConfigError(f"expectations.{name}.mostly must be a number from 0 to 1, not {value!r}")
                mostly = value
            elif key == "severity":
                try:
                    Severity.parse(value)
                except ValueError as exc:
                    raise ConfigError(f"expectations.{name}.severity: {exc}") from None
                severity_text = value
            elif target in params:
                params[target] = value
            else:
                allowed = ", ".join(
                    sorted(
                        {
                            "mostly",
                            "severity",
                            "enabled",
                            *params,
                            *(a for a, t in _OVERRIDE_ALIASES.items() if t in params),
                        }
                    )
                )
                raise ConfigError(f"expectations.{name}: unknown key {key!r} (one of {allowed})")
        try:
            severity = Severity.parse(severity_text)
        except ValueError as exc:
            raise _fail(path, line, f"expectation {name}: {exc}") from None
        params = {k: _substitute(v, tokens) for k, v in params.items()}
        if entry.get("column") in DATE_COLUMNS:
            for key in ("min_value", "max_value"):
                if params.get(key) is not None and not _iso_date(params[key]):
                    raise _fail(
                        path, line, f"expectation {name}: {key} must be an ISO date (YYYY-MM-DD), not {params[key]!r}"
                    )
        specs.append(
            ExpectationSpec(
                name=name,
                type=entry["type"],
                column=entry.get("column"),
                params=params,
                mostly=_mostly(mostly, path, line, name),
                severity=severity,
                description=str(entry.get("description") or entry["type"].replace("_", " ")),
                line=line,
                excerpt=source_lines[line - 1].strip() if 0 < line <= len(source_lines) else "",
            )
        )
    unknown_names = sorted(set(overrides) - seen)
    if unknown_names:
        raise ConfigError(
            f"expectations: unknown expectation(s) {', '.join(unknown_names)} "
            f"(defined in {path}: {', '.join(sorted(seen))})"
        )
    return Suite(name=str(data.get("name") or path.stem), path=path, expectations=tuple(specs), unexpected_limit=limit)


def check_config(config: Config) -> None:
    """Validate the suite, its overrides and its GX types and parameters up front when the
    stage would run, so a bad configuration fails at start-up, not after the documents were read."""
    from .rules.registry import matches

    selected = matches(RULE, config.select) if config.select else True
    if (selected and not matches(RULE, config.ignore)) or config.gx_data_docs:
        # Building the GX objects checks types and parameters too; the stage imports GX anyway.
        build_expectations(load_suite(config))


def wanted(config: Config, enabled: set[str]) -> bool:
    """Whether the stage runs: the rule is enabled, or Data Docs were asked for."""
    return RULE in enabled or bool(config.gx_data_docs)


# ---------------------------------------------------------------- the records table


def records_table(records: list[dict[str, Any]]):
    """The table GX validates: one row per record, sorted by doc_id (so "first N unexpected"
    is deterministic), strings as `string[pyarrow]`, `date` as datetime, counts as Int64,
    plus `source_documents`."""
    import pandas as pd

    # Sorted positions first, then one column at a time: no per-row dicts (at 100,000
    # documents those cost several times the finished table).
    order = sorted(range(len(records)), key=lambda i: str(records[i].get("doc_id")))
    columns = {}
    for column in TABLE_COLUMNS:
        values = [records[i].get(column) for i in order]
        if column in DATE_COLUMNS:
            # Contract says ISO or null; anything else becomes null rather than a crash.
            columns[column] = pd.to_datetime(pd.Series(values, dtype=object), format="%Y-%m-%d", errors="coerce")
        elif column in INT_COLUMNS:
            columns[column] = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype("Int64")
        else:
            # pandas 3 reads missing strings as NaN: keep them null, never the text "nan".
            columns[column] = pd.Series([None if _missing(v) else str(v) for v in values], dtype=STRING_DTYPE)
        del values
    frame = pd.DataFrame(columns, columns=list(TABLE_COLUMNS))
    counts = frame["source_domain"].value_counts(dropna=True)
    frame["source_documents"] = frame["source_domain"].map(counts).astype("Int64")
    return frame


def spark_records_table(spark, records: list[dict[str, Any]]):
    """The records table as a Spark DataFrame for GX's Spark data source (the Spark
    engine): the columns and types of `records_table` (`date` a timestamp without time
    zone, counts longs)."""
    frame = records_table(records)
    fields = ", ".join(
        f"{c} {'timestamp_ntz' if c in DATE_COLUMNS else 'long' if c in INT_COLUMNS else 'string'}"
        for c in frame.columns
    )
    return spark.createDataFrame(frame, fields)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or type(value).__name__ == "NAType"


# ---------------------------------------------------------------- running GX


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


def build_expectations(suite: Suite) -> list:
    """The suite's expectations as GX objects; a bad type or parameter is a `ConfigError`
    naming the suite file and line. Imports great_expectations."""
    _no_analytics()
    with warnings.catch_warnings():
        # GX and its dependencies warn about pandas/pydantic versions on import: not the curator's concern.
        warnings.simplefilter("ignore")
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
            raise _fail(suite.path, spec.line, f"expectation {spec.name} ({spec.type}): {_gx_error(exc)}") from None
    return built


def _plain(value: Any) -> Any:
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
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def run_suite(suite: Suite, frame, data_docs_dir: str | None = None) -> list[Outcome]:
    """Validate `frame` against `suite` with GX; optionally build Data Docs into `data_docs_dir`."""
    _no_analytics()
    with warnings.catch_warnings():
        # GX and its dependencies warn about pandas/pydantic versions on import: not the curator's concern.
        warnings.simplefilter("ignore")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        spark = type(frame).__module__.startswith("pyspark")  # a Spark DataFrame: GX's Spark data source
        source = (
            context.data_sources.add_spark(name="seedcheck")
            if spark
            else context.data_sources.add_pandas(name="seedcheck")
        )
        batch = source.add_dataframe_asset(name="records").add_batch_definition_whole_dataframe("all_records")
        gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name, expectations=build_expectations(suite)))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{suite.name}_records", data=batch, suite=gx_suite)
        )
        actions = []
        if data_docs_dir:
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
            actions.append(gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=["seedcheck"]))
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=f"{suite.name}_checkpoint",
                validation_definitions=[definition],
                actions=actions,
                # Spark returns unexpected rows in no set order: take them all (COMPLETE) and keep
                # the first doc ids, as the pandas path's partial list of the sorted table does.
                result_format={
                    "result_format": "COMPLETE" if spark else "SUMMARY",
                    "partial_unexpected_count": max(suite.unexpected_limit, 1),
                    "unexpected_index_column_names": ["doc_id"],
                },
            )
        )
        result = checkpoint.run(batch_parameters={"dataframe": frame})
    validation = next(iter(result.run_results.values()))
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
        outcome.observed_value = _plain(data.get("observed_value"))
    return outcome


# ---------------------------------------------------------------- findings and report entries


def _bounds(spec: ExpectationSpec) -> str:
    lo, hi = spec.params.get("min_value"), spec.params.get("max_value")
    if lo is not None and hi is not None:
        return f"between {lo} and {hi}"
    if lo is not None:
        return f"at least {lo}"
    if hi is not None:
        return f"at most {hi}"
    if "value_set" in spec.params:
        return "one of " + ", ".join(map(str, spec.params["value_set"]))
    return ""


def detail(outcome: Outcome) -> str:
    """One sentence: what was observed against what was expected."""
    spec = outcome.spec
    if outcome.error:
        return f"could not be evaluated ({outcome.error})"
    bounds = _bounds(spec)
    if outcome.unexpected_count is None:
        return f"{spec.description}: observed {outcome.observed_value}" + (f", expected {bounds}" if bounds else "")
    # GX ignores null cells except in the not-null expectation: say so when it matters.
    missing = 0 if spec.type == "expect_column_values_to_not_be_null" else (outcome.missing_count or 0)
    evaluated = (outcome.element_count or 0) - missing
    share = "n/a" if outcome.observed_value is None else f"{outcome.observed_value:.1%}"
    required = f"{spec.mostly:.0%}" if spec.mostly is not None else "100%"
    scope = f" with a value in {spec.column}" if missing and spec.column else ""
    text = (
        f"{spec.description}: {outcome.unexpected_count} of {evaluated} documents{scope} do not "
        f"({share} do, {required} required)"
    )
    return text + (f"; expected {bounds}" if bounds else "")


def entry(outcome: Outcome) -> dict[str, Any]:
    """The `expectations[]` entry of findings.json for one expectation."""
    spec = outcome.spec
    out = {
        "name": spec.name,
        "expectation_type": spec.type,
        "column": spec.column,
        "success": outcome.success,
        "observed_value": outcome.observed_value,
        "severity": str(spec.severity),
        "unexpected_doc_ids": list(outcome.unexpected_doc_ids),
        "unexpected_count": outcome.unexpected_count,
        "element_count": outcome.element_count,
        "missing_count": outcome.missing_count,
        "mostly": spec.mostly,
        "parameters": _plain(spec.params),
        "description": spec.description,
        "line": spec.line,
    }
    if outcome.error:
        out["error"] = outcome.error
    return out


def to_finding(rule, suite: Suite, outcome: Outcome) -> Finding:
    """A failed expectation as a corpus-level finding: no doc_id, located at its line in the suite."""
    spec = outcome.spec
    hit = Hit(
        line=spec.line,
        column=1,
        excerpt=spec.excerpt,
        severity=spec.severity,
        related=list(outcome.unexpected_doc_ids),
        values={
            "expectation": spec.name,
            "detail": detail(outcome),
            "type": spec.type,
            "column": spec.column or "(table)",
        },
    )
    return rule.to_finding(None, hit, doc_id="", path=str(suite.path))


def expectations_stage(
    engine, records: list[dict[str, Any]], validate=None
) -> tuple[list[Finding], list[dict[str, Any]]]:
    """Run the corpus suite on the records table: (findings, findings.json `expectations` entries).

    `validate(suite, records, data_docs_dir)` returns the outcomes (the run's
    `gx_worker.GxRunner`: a background process, a stored result); without it GX validates
    here. Skipped (GX not even imported) when `expectation-failed` is not enabled and no
    Data Docs were asked for.
    """
    config = engine.config
    if not wanted(config, engine.registry.enabled):
        return [], []
    suite = load_suite(config, engine.context.today)
    if not suite.expectations:
        return [], []
    docs_dir = config.gx_data_docs or None
    # The Spark engine sets `engine.spark` (its session): GX validates a Spark DataFrame there.
    spark = getattr(engine, "spark", None)
    if spark is not None:
        outcomes = run_suite(suite, spark_records_table(spark, records), docs_dir)
    elif validate is not None:
        outcomes = validate(suite, records, docs_dir)
    else:
        outcomes = run_suite(suite, records_table(records), docs_dir)
    entries = [entry(o) for o in outcomes]
    if RULE not in engine.registry.enabled:
        return [], entries
    rule = engine.registry.get(RULE)
    return [to_finding(rule, suite, o) for o in outcomes if not o.success], entries


def read_columns(suite: Suite) -> tuple[str, ...]:
    """The record fields the suite's expectations read (`doc_id` always: it orders the
    table and names the unexpected rows). A table-level expectation other than a row count
    may read any column: then all of them."""
    columns = {"doc_id"}
    for spec in suite.expectations:
        named = [spec.column, *(v for k, v in spec.params.items() if k.startswith("column"))]
        if spec.column is None and not spec.type.startswith("expect_table_row_count"):
            return TABLE_COLUMNS
        for name in named:
            if isinstance(name, str):
                columns.add("source_domain" if name in DERIVED_COLUMNS else name)
            elif isinstance(name, list):
                return TABLE_COLUMNS
    return tuple(c for c in TABLE_COLUMNS if c in columns)


def table_parts(suite: Suite, records: list[dict[str, Any]]):
    """What a validation's result depends on besides GX's version: the suite (thresholds
    and today's date substituted) and the columns it reads, row by row in table order."""
    columns = read_columns(suite)
    yield suite
    yield columns
    for i in sorted(range(len(records)), key=lambda i: str(records[i].get("doc_id"))):
        yield tuple(records[i].get(c) for c in columns)
