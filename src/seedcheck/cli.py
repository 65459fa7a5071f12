"""Command line: `seedcheck check`, `seedcheck rules` (SPEC section 6).

Exit codes: 0 nothing at or above --fail-on outside the baseline; 1 there is; 2 usage,
configuration or internal error, with a one-line reason (a traceback only with --debug).
"""

from __future__ import annotations

import os
import sys
import time
import traceback
import warnings
from pathlib import Path

import click

from . import __version__
from .config import ConfigError, apply, load_config

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class SeedcheckGroup(click.Group):
    """Turns every unexpected exception into exit code 2 and one line on stderr."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except (ConfigError, FileNotFoundError) as exc:
            _fail(ctx, f"seedcheck: {exc}")
        except KeyboardInterrupt:
            _fail(ctx, "seedcheck: interrupted")
        except Exception as exc:  # an internal error: still one line unless --debug
            _fail(ctx, f"seedcheck: internal error: {type(exc).__name__}: {exc}")


def _fail(ctx: click.Context, message: str) -> None:
    if (ctx.obj or {}).get("debug"):
        traceback.print_exc()
    click.echo(message.splitlines()[0] if message else "seedcheck: error", err=True)
    sys.exit(EXIT_ERROR)


@click.group(cls=SeedcheckGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="seedcheck")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """seedcheck: data quality validation for corpora of text documents."""
    ctx.ensure_object(dict)["debug"] = debug
    if not debug:
        # pandera and great-expectations import pyspark when it is installed (the spark
        # extra); its pandas-3 notice is not about the user's corpus, so keep stderr clean.
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support", category=FutureWarning)


def _dump_timings(timings: dict[str, float]) -> None:
    """Write per-stage seconds to $SEEDCHECK_TIMINGS when set (used by bench/run.py; not a contract)."""
    target = os.environ.get("SEEDCHECK_TIMINGS")
    if target:
        import json

        Path(target).write_text(json.dumps({k: round(v, 4) for k, v in timings.items()}) + "\n", encoding="utf-8")


class _Echo:
    """A writable file over `click.echo` (its encoding fallbacks), for streaming writers."""

    def write(self, text: str) -> None:
        click.echo(text, nl=False)


def _csv(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--config", "config_file", type=click.Path(), help="Configuration file (default: nearest pyproject.toml with [tool.seedcheck]).")
@click.option("--report-dir", type=click.Path(), help="Where to write the report files (default: reports/).")
@click.option("--no-reports", is_flag=True, help="Write no report files, only stdout.")
@click.option("--reports", "reports", metavar="LIST", help="Which report files to write: comma-separated formats or file names (json, html, junit, sarif, markdown, findings-parquet, documents-parquet), or all, default, parquet, none.")
@click.option("--format", "fmt", default="text", show_default=True, help="What goes to stdout: text, json (more with more writers).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), help="Lowest severity that fails the run (default: error).")
@click.option("--select", help="Only these rules (comma-separated names or prefixes such as noise-).")
@click.option("--ignore", help="Not these rules (comma-separated names or prefixes).")
@click.option("--jobs", type=int, help="Worker processes (default: all cores).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no report paths on stderr.")
@click.option("--baseline", "baseline_file", type=click.Path(), help="Accepted findings; only new ones fail the gate (default: the configured baseline).")
@click.option("--update-baseline", is_flag=True, help="Write the current findings to the baseline file and exit 0.")
@click.option("--no-baseline", is_flag=True, help="Ignore the configured baseline: every finding is new.")
@click.option("--changed-since", metavar="REF", help="Report only documents changed against this git ref (corpus rules still compare with every document).")
@click.option("--engine", "engine_name", type=click.Choice(["local", "spark"]), default="local", show_default=True, help="Where to run: this machine, or Apache Spark.")
@click.option("--spark-master", default="local[*]", show_default=True, help="Spark master URL (with --engine spark).")
@click.option("--no-cache", is_flag=True, help="Check every file again: do not read or write the cache of unchanged files' results (also SEEDCHECK_NO_CACHE=1).")
@click.option("--gx-data-docs", "gx_data_docs", type=click.Path(file_okay=False), help="Also build great-expectations Data Docs of the corpus expectations into DIR (they load scripts from CDNs).")
def check(paths, config_file, report_dir, no_reports, reports, fmt, fail_on, select, ignore, jobs, quiet,
          baseline_file, update_baseline, no_baseline, changed_since, engine_name, spark_master, no_cache,
          gx_data_docs=None):
    """Check documents and write reports."""
    from .baseline import DEFAULT_BASELINE, render_baseline
    from .gate import GateOptions, changed_files
    from .pipeline import run
    from .report import WRITERS, report_formats, write_atomic, write_reports, write_to

    config = load_config(config_file)
    overrides = {}
    if fail_on:
        overrides["fail-on"] = fail_on
    if select:
        overrides["select"] = _csv(select)
    if ignore:
        overrides["ignore"] = config.ignore + _csv(ignore)
    if report_dir:
        overrides["report-dir"] = report_dir
    if jobs is not None:
        if jobs < 0:
            raise ConfigError("--jobs must be 0 (all cores) or more")
        overrides["jobs"] = jobs
    apply(config, overrides, where="command line")
    if gx_data_docs:
        apply(config, {"gx-data-docs": gx_data_docs}, where="command line")
    from . import gx_worker

    if engine_name == "spark":
        from .expectations import check_config

        check_config(config)  # a bad corpus suite or [tool.seedcheck.expectations] fails before any document is read
    else:
        gx_worker.start(config)  # checks the suite (and imports GX) in the background
    printable = sorted(f for f, m in WRITERS.items() if not getattr(m, "BINARY", False))
    if fmt not in printable:
        raise ConfigError(f"--format {fmt!r}: one of {', '.join(printable)}")
    try:
        formats = report_formats(_csv(reports) or config.reports)
    except ValueError as exc:
        raise ConfigError(f"{'--reports' if reports else 'reports'}: {exc}") from None
    if engine_name == "spark":  # the engine writes its own partitioned findings.parquet dataset there
        formats = [f for f in formats if f != "findings-parquet"]
    no_reports = no_reports or not formats
    progress = not quiet and sys.stderr.isatty()
    baseline = baseline_file or (str(config.resolve(config.baseline)) if config.baseline else None)
    if no_baseline and (baseline_file or update_baseline):
        raise ConfigError("--no-baseline cannot be combined with --baseline or --update-baseline")
    configured = sorted(os.path.realpath(config.resolve(p)) for p in config.paths)
    scoped = bool(paths) and sorted(os.path.realpath(p) for p in paths) != configured
    gate = GateOptions(baseline=None if update_baseline or no_baseline else baseline, scoped=scoped)
    if changed_since:
        targets = list(paths) or [str(config.resolve(p)) for p in config.paths]
        gate.changed, gate.changed_since = changed_files(changed_since, targets), changed_since
    if engine_name == "spark":
        from .engines.spark import run_spark

        result = run_spark(config, list(paths) or None, master=spark_master, gate=gate,
                           report_dir=None if no_reports else Path(report_dir) if report_dir else config.resolve(config.report_dir))
    else:
        try:
            result = run(config, list(paths) or None, progress=progress, gate=gate, cache=not no_cache)
        finally:
            gx_worker.stop(config)
    if update_baseline:
        target = Path(baseline or config.resolve(DEFAULT_BASELINE))
        write_atomic(target, render_baseline(result.findings))
        click.echo(f"baseline: wrote {len(result.findings)} finding(s) to {target}", err=True)
        sys.exit(EXIT_OK)
    color = fmt == "text" and sys.stdout.isatty()
    started = time.perf_counter()
    write_to(WRITERS[fmt], result, _Echo(), color=color)  # streamed, never one big string
    if not no_reports:
        target = Path(report_dir) if report_dir else config.resolve(config.report_dir)
        written = write_reports(result, target, formats)
        if not quiet:
            click.echo(f"reports: {', '.join(str(p) for p in written)}", err=True)
    result.timings["writers"] = time.perf_counter() - started
    _dump_timings(result.timings)
    sys.exit(EXIT_FINDINGS if result.gating(config.fail_on) else EXIT_OK)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--config", "config_file", type=click.Path(), help="Configuration file.")
@click.option("--diff", "show_diff", is_flag=True, help="Show the fixes as a unified diff; write nothing.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that change meaning (name normalisation).")
@click.option("--select", help="Only fix findings of these rules.")
@click.option("--ignore", help="Do not fix findings of these rules.")
def fix(paths, config_file, show_diff, unsafe_fixes, select, ignore):
    """Apply safe fixes (delete noise lines, strip markup, repair mojibake, ...)."""
    from .fixer import fix_paths

    config = load_config(config_file)
    overrides = {}
    if select:
        overrides["select"] = _csv(select)
    if ignore:
        overrides["ignore"] = config.ignore + _csv(ignore)
    apply(config, overrides, where="command line")
    targets = list(paths) or [str(config.resolve(p)) for p in config.paths]
    report = fix_paths(config, targets, unsafe=unsafe_fixes, write=not show_diff)
    if show_diff:
        click.echo("".join(report.diffs), nl=False)
    total = sum(report.changed.values())
    rules = ", ".join(f"{rule} {n}" for rule, n in sorted(report.by_rule.items()))
    verb = "would apply" if show_diff else "applied"
    click.echo(f"fix: {verb} {total} fix(es) in {len(report.changed)} file(s)" + (f" ({rules})" if rules else ""), err=True)
    sys.exit(EXIT_OK)


@main.command()
@click.argument("name", required=False)
@click.option("--config", "config_file", type=click.Path(), help="Configuration file.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(name, config_file, fmt):
    """List the rules, or explain one (docs and examples)."""
    import json

    from .rules.registry import load_specs

    config = load_config(config_file)
    specs = load_specs(config.checks_path)
    if name:
        spec = next((s for s in specs if s.name == name or s.id == name), None)
        if spec is None:
            raise ConfigError(f"unknown rule {name!r} (see `seedcheck rules`)")
        severity = config.severity.get(spec.name, str(spec.severity))
        if fmt == "json":
            click.echo(json.dumps({"id": spec.id, "name": spec.name, "severity": severity, "kind": spec.kind,
                                   "category": spec.category, "params": spec.params, "docs": spec.docs,
                                   "examples": spec.examples}, indent=2, ensure_ascii=False))
            return
        click.echo(f"{spec.name} ({spec.id}) — {severity}, kind {spec.kind}, category {spec.category}\n")
        for heading in ("what", "why", "fix"):
            click.echo(f"{heading.capitalize()}:\n  " + spec.docs[heading].replace("\n", "\n  ") + "\n")
        if spec.params:
            click.echo("Parameters (set in [tool.seedcheck.rules." + spec.name + "]):")
            for key, value in spec.params.items():
                click.echo(f"  {key} = {value!r}")
            click.echo("")
        for example in spec.examples:
            verdict = "fails" if "fail" in example else "passes"
            body = example.get("fail", example.get("pass"))
            if isinstance(body, dict) and "documents" in body:
                files = {str(k): str(v) for k, v in body["documents"].items()}
            elif isinstance(body, dict):
                files = {body.get("name", ""): "(binary)" if "base64" in body else str(body.get("text", ""))}
            else:
                files = {"": str(body)}
            click.echo(f"Example that {verdict}:")
            for filename, text in files.items():
                if filename:
                    click.echo(f"  {filename}:")
                click.echo("  | " + text.rstrip("\n").replace("\n", "\n  | ") + "\n")
        return
    if fmt == "json":
        click.echo(json.dumps([{"id": s.id, "name": s.name, "severity": config.severity.get(s.name, str(s.severity)),
                                "kind": s.kind, "category": s.category, "summary": s.docs["what"].splitlines()[0]}
                               for s in specs], indent=2, ensure_ascii=False))
        return
    for s in specs:
        sev = config.severity.get(s.name, str(s.severity))
        click.echo(f"{s.id:<6} {s.name:<24} {sev:<8} {s.category:<10} {s.docs['what'].splitlines()[0]}")


if __name__ == "__main__":
    main()
