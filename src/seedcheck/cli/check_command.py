"""`seedcheck check`: options, the gate's options, the engine run, then the outputs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..config import ConfigError, apply, load_config
from .common import EXIT_FINDINGS, EXIT_OK, FORMATS, csv_list, did_you_mean, forced, server_option
from .outputs import requested_reports, write_baseline, write_outputs


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--config",
    "config_file",
    type=click.Path(),
    help="Configuration file (default: nearest pyproject.toml with [tool.seedcheck]).",
)
@click.option("--report-dir", type=click.Path(), help="Where to write the report files (default: reports/).")
@click.option("--no-reports", is_flag=True, help="Write no report files, only stdout.")
@click.option(
    "--reports",
    "reports",
    metavar="LIST",
    help="Which report files to write: comma-separated formats or file names (json, html, junit, sarif, markdown, "
    "findings-parquet, documents-parquet), or all, default, parquet, none.",
)
@click.option("--format", "fmt", default="text", show_default=True, help=f"What goes to stdout: {', '.join(FORMATS)}.")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    help="Lowest severity that fails the run (default: error).",
)
@click.option("--select", help="Only these rules (comma-separated names or prefixes such as noise-).")
@click.option("--ignore", help="Not these rules (comma-separated names or prefixes).")
@click.option("--jobs", type=int, help="Worker processes (default: all cores).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no report paths on stderr.")
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(),
    help="Accepted findings; only new ones fail the gate (default: the configured baseline).",
)
@click.option(
    "--update-baseline",
    is_flag=True,
    help="Write the current findings to the baseline file and exit 0 (with --changed-since or other paths: "
    "update their documents' entries, keep the rest).",
)
@click.option("--no-baseline", is_flag=True, help="Ignore the configured baseline: every finding is new.")
@click.option(
    "--new-only",
    is_flag=True,
    help="Show only findings the baseline does not accept on stdout (the report files keep all).",
)
@click.option(
    "--changed-since",
    metavar="REF",
    help="Report only documents changed against this git ref (corpus rules still compare with every document).",
)
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Apply paths/include/exclude of the configuration to the files named on the command line too.",
)
@click.option(
    "--engine",
    "engine_name",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="Where to run: this machine, or Apache Spark.",
)
@click.option("--spark-master", default="local[*]", show_default=True, help="Spark master URL (with --engine spark).")
@click.option(
    "--no-cache",
    is_flag=True,
    help="Check every file again: do not read or write the cache of unchanged files' results "
    "(also SEEDCHECK_NO_CACHE=1).",
)
@click.option(
    "--gx-data-docs",
    "gx_data_docs",
    type=click.Path(file_okay=False),
    help="Also build great-expectations Data Docs of the corpus expectations into DIR (they load scripts from CDNs).",
)
@server_option
def check(
    paths,
    config_file,
    report_dir,
    no_reports,
    reports,
    fmt,
    fail_on,
    select,
    ignore,
    jobs,
    quiet,
    baseline_file,
    update_baseline,
    no_baseline,
    changed_since,
    engine_name,
    spark_master,
    no_cache,
    gx_data_docs=None,
    new_only=False,
    force_exclude=False,
):
    """Check documents and write reports."""
    config = load_config(config_file)
    _apply_check_options(config, fail_on, select, ignore, report_dir, jobs, gx_data_docs, baseline_file)
    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt!r}: one of {', '.join(FORMATS)}" + did_you_mean(fmt, FORMATS))
    if no_baseline and (baseline_file or update_baseline):
        raise ConfigError("--no-baseline cannot be combined with --baseline or --update-baseline")
    if engine_name == "spark":
        _require_pyspark()
    formats = requested_reports(config, reports, engine_name)
    no_reports = no_reports or not formats
    named = forced(config, paths, force_exclude)
    if paths and not named:
        click.echo("seedcheck: no file to check (every path given is outside the configured corpus)", err=True)
        sys.exit(EXIT_OK)
    baseline = str(config.resolve(config.baseline)) if config.baseline else None
    gate = _gate_options(config, named, None if update_baseline or no_baseline else baseline, changed_since)
    result = _run_check(
        config,
        named,
        engine_name,
        spark_master,
        gate,
        not no_cache,
        quiet,
        None if no_reports else config.resolve(config.report_dir),
    )
    if update_baseline:
        write_baseline(result, gate, Path(baseline or config.resolve("seedcheck-baseline.json")))
        sys.exit(EXIT_OK)
    write_outputs(config, result, fmt, quiet, None if no_reports else formats, new_only)
    sys.exit(EXIT_FINDINGS if result.failing(config.fail_on) else EXIT_OK)


def _gate_options(config, named: list[str], baseline: str | None, changed_since: str | None):
    """The gate's options: the baseline (None: none) read now, so a missing or bad one stops
    the run before it starts; whether the run is scoped; the files --changed-since names."""
    from ..gate import GateOptions, changed_files

    configured = sorted(os.path.realpath(config.resolve(p)) for p in config.paths)
    scoped = bool(named) and sorted(os.path.realpath(p) for p in named) != configured
    gate = GateOptions(baseline=baseline, scoped=scoped)
    if gate.baseline:
        from ..baseline import load_baseline

        gate.entries = load_baseline(Path(gate.baseline))
    if changed_since:
        targets = named or [str(config.resolve(p)) for p in config.paths]
        gate.changed, gate.changed_since = changed_files(changed_since, targets), changed_since
    return gate


def _apply_check_options(config, fail_on, select, ignore, report_dir, jobs, gx_data_docs, baseline_file) -> None:
    overrides = {}
    if fail_on:
        overrides["fail-on"] = fail_on
    if select:
        overrides["select"] = csv_list(select)
    if ignore:
        overrides["ignore"] = config.ignore + csv_list(ignore)
    if report_dir:
        overrides["report-dir"] = os.path.abspath(report_dir)
    if jobs is not None:
        if jobs < 0:
            raise ConfigError("--jobs must be 0 (all cores) or more")
        overrides["jobs"] = jobs
    if gx_data_docs:
        overrides["gx-data-docs"] = gx_data_docs
    if baseline_file:
        overrides["baseline"] = os.path.abspath(baseline_file)
    apply(config, overrides, where="command line")


def _require_pyspark() -> None:
    import importlib.util

    if importlib.util.find_spec("pyspark") is None:
        raise ConfigError(
            "--engine spark needs pyspark: install seedcheck[spark] (pip install 'seedcheck[spark] @ ...')"
        )


def _run_check(
    config,
    paths: list[str],
    engine_name: str,
    spark_master: str,
    gate,
    cache: bool,
    quiet: bool,
    report_dir: Path | None,
):
    """Run the engine: the local one with great-expectations warming up in a worker (with
    the cache, only once a file has to be checked) or its stored result reused."""
    if engine_name == "spark":
        from ..engines.spark import quiet_jvm, run_spark
        from ..expectations import check_config

        check_config(config)  # a bad corpus suite or [tool.seedcheck.expectations] fails before any document is read
        with quiet_jvm(quiet):
            return run_spark(config, paths or None, master=spark_master, gate=gate, report_dir=report_dir)
    from ..gx_worker import GxRunner
    from ..pipeline import run

    # Without the cache every run needs GX: start its worker (importing GX) now.
    with GxRunner(config, start=not cache) as gx:
        return run(config, paths or None, progress=not quiet and sys.stderr.isatty(), gate=gate, cache=cache, gx=gx)
