"""The corpus expectations stage: the suite's outcomes on the records table as
`expectation-failed` findings and findings.json `expectations` entries.

GX's own `success` is False as soon as any expectation fails, whatever its severity; here
each expectation keeps its own severity, and each failure becomes one `expectation-failed`
finding with that severity, so a warning-level failure never fails an error-level gate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..config import Config
from ..model import Finding, Hit
from .suite import RULE, ExpectationSpec, Suite, load_suite
from .table import read_columns, records_table
from .validate import Outcome, build_expectations, plain, run_suite


def check_config(config: Config) -> None:
    """Validate the suite, its overrides and its GX types and parameters up front when the
    stage would run, so a bad configuration fails at start-up, not after the documents were read."""
    from ..rules.registry import matches

    selected = matches(RULE, config.select) if config.select else True
    if (selected and not matches(RULE, config.ignore)) or config.gx_data_docs:
        # Building the GX objects checks types and parameters too; the stage imports GX anyway.
        build_expectations(load_suite(config))


def wanted(config: Config, enabled: set[str]) -> bool:
    """Whether the stage runs: the rule is enabled, or Data Docs were asked for."""
    return RULE in enabled or bool(config.gx_data_docs)


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
        "parameters": plain(spec.params),
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
    engine, records: Sequence[dict[str, Any]], validate=None
) -> tuple[list[Finding], list[dict[str, Any]]]:
    """Run the corpus suite on the records table: (findings, findings.json `expectations` entries).

    `validate(suite, records, data_docs_dir)` returns the outcomes: the run's validator
    (a background process, a stored result, a Spark DataFrame); without it GX validates
    a pandas table here. Skipped (GX not even imported) when `expectation-failed` is not
    enabled and no Data Docs were asked for.
    """
    config = engine.config
    if not wanted(config, engine.registry.enabled):
        return [], []
    suite = load_suite(config, engine.context.today)
    if not suite.expectations:
        return [], []
    docs_dir = config.gx_data_docs or None
    if validate is not None:
        outcomes = validate(suite, records, docs_dir)
    else:
        outcomes = run_suite(suite, records_table(records, read_columns(suite)), docs_dir)
    entries = [entry(o) for o in outcomes]
    if RULE not in engine.registry.enabled:
        return [], entries
    rule = engine.registry.get(RULE)
    return [to_finding(rule, suite, o) for o in outcomes if not o.success], entries
