"""Command line: `seedcheck check`, `seedcheck rules` (docs/SPEC.md section 6).

Exit codes: 0 nothing at or above --fail-on outside the baseline; 1 there is; 2 usage,
configuration or internal error, with a one-line reason (a traceback only with --debug).
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import signal
import sys
import time
import traceback
import warnings
from pathlib import Path

import click

from . import __version__
from .config import ConfigError, apply, load_config

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_BROKEN_PIPE = 130, 143, 141  # 128 + SIGINT / SIGTERM / SIGPIPE
# The stdout formats (report.WRITERS, which imports every writer: too slow to import for --help).
FORMATS = ("github", "html", "json", "junit", "markdown", "sarif", "text")


class Terminated(BaseException):
    """SIGTERM arrived (CI cancellation, `timeout`): unwind, stopping the worker processes."""


def _terminate(signum, frame) -> None:
    raise Terminated()


def did_you_mean(word: str, choices) -> str:
    """` (did you mean 'x'?)` for the closest of `choices`, or nothing."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _usage_line(exc: click.ClickException) -> str:
    """A click error as one line, with a suggestion for a mistyped choice (click already
    suggests options and commands)."""
    message = " ".join(exc.format_message().split())
    if isinstance(exc, click.BadParameter) and isinstance(getattr(exc.param, "type", None), click.Choice):
        value = message.split("'")[3] if message.count("'") >= 4 else ""
        message += did_you_mean(value, exc.param.type.choices)
    return f"seedcheck: {message}"


def _quiet_stdout() -> None:
    # The reader went away (`seedcheck rules | head -1`): say nothing more, like other tools.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


class SeedcheckGroup(click.Group):
    """Turns every unexpected exception into exit code 2 and one line on stderr; usage
    errors into one line too; Ctrl-C into 130, SIGTERM into 143 and a closed stdout into 141."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            click.echo(_usage_line(exc), err=True)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("seedcheck: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        sys.exit(code if isinstance(code, int) else EXIT_OK)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:
            _quiet_stdout()
            sys.exit(EXIT_BROKEN_PIPE)
        except (ConfigError, FileNotFoundError) as exc:
            _fail(ctx, f"seedcheck: {exc}")
        except KeyboardInterrupt:
            _fail(ctx, "seedcheck: interrupted", EXIT_INTERRUPTED)
        except Terminated:
            _fail(ctx, "seedcheck: terminated", EXIT_TERMINATED)
        except Exception as exc:  # an internal error: still one line unless --debug
            _fail(ctx, f"seedcheck: internal error: {type(exc).__name__}: {exc}")


def _unwind_on_sigterm(ctx: click.Context) -> None:
    """SIGTERM (CI cancellation, `timeout`) unwinds like Ctrl-C, so the worker processes are
    stopped and no report is left half-written; the previous handler is back afterwards."""
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: leave signals alone
        return
    ctx.call_on_close(lambda: signal.signal(signal.SIGTERM, previous))


def _fail(ctx: click.Context, message: str, code: int = EXIT_ERROR) -> None:
    if (ctx.obj or {}).get("debug"):
        traceback.print_exc()
    click.echo(message.splitlines()[0] if message else "seedcheck: error", err=True)
    sys.exit(code)


@click.group(cls=SeedcheckGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="seedcheck")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """seedcheck: data quality validation for corpora of text documents."""
    ctx.ensure_object(dict)["debug"] = debug
    _unwind_on_sigterm(ctx)
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


def _forced(config, paths: tuple[str, ...], force_exclude: bool) -> list[str]:
    """`--force-exclude`: the named paths that are part of the configured corpus (under
    `paths`, not excluded; pre-commit names every staged file)."""
    return [p for p in paths if config.selects(p)] if force_exclude else list(paths)


@main.command()
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
    help="Which report files to write: comma-separated formats or file names (json, html, junit, sarif, markdown, findings-parquet, documents-parquet), or all, default, parquet, none.",
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
    help="Write the current findings to the baseline file and exit 0 (with --changed-since or other paths: update their documents' entries, keep the rest).",
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
    help="Check every file again: do not read or write the cache of unchanged files' results (also SEEDCHECK_NO_CACHE=1).",
)
@click.option(
    "--gx-data-docs",
    "gx_data_docs",
    type=click.Path(file_okay=False),
    help="Also build great-expectations Data Docs of the corpus expectations into DIR (they load scripts from CDNs).",
)
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
    from .gate import GateOptions, changed_files

    config = load_config(config_file)
    _apply_check_options(config, fail_on, select, ignore, report_dir, jobs, gx_data_docs, baseline_file)
    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt!r}: one of {', '.join(FORMATS)}" + did_you_mean(fmt, FORMATS))
    if no_baseline and (baseline_file or update_baseline):
        raise ConfigError("--no-baseline cannot be combined with --baseline or --update-baseline")
    if engine_name == "spark":
        _require_pyspark()
    formats = _report_formats(config, reports, engine_name)
    no_reports = no_reports or not formats
    named = _forced(config, paths, force_exclude)
    if paths and not named:
        click.echo("seedcheck: no file to check (every path given is outside the configured corpus)", err=True)
        sys.exit(EXIT_OK)
    baseline = str(config.resolve(config.baseline)) if config.baseline else None
    configured = sorted(os.path.realpath(config.resolve(p)) for p in config.paths)
    scoped = bool(named) and sorted(os.path.realpath(p) for p in named) != configured
    gate = GateOptions(baseline=None if update_baseline or no_baseline else baseline, scoped=scoped)
    if gate.baseline:
        from .baseline import load_baseline

        gate.entries = load_baseline(Path(gate.baseline))  # a missing or bad baseline stops the run before it starts
    if changed_since:
        targets = named or [str(config.resolve(p)) for p in config.paths]
        gate.changed, gate.changed_since = changed_files(changed_since, targets), changed_since
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
        _write_baseline(result, gate, Path(baseline or config.resolve("seedcheck-baseline.json")))
        sys.exit(EXIT_OK)
    _write_outputs(config, result, fmt, quiet, None if no_reports else formats, new_only)
    sys.exit(EXIT_FINDINGS if result.gating(config.fail_on) else EXIT_OK)


def _apply_check_options(config, fail_on, select, ignore, report_dir, jobs, gx_data_docs, baseline_file) -> None:
    overrides = {}
    if fail_on:
        overrides["fail-on"] = fail_on
    if select:
        overrides["select"] = _csv(select)
    if ignore:
        overrides["ignore"] = config.ignore + _csv(ignore)
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
        from .engines.spark import quiet_jvm, run_spark
        from .expectations import check_config

        check_config(config)  # a bad corpus suite or [tool.seedcheck.expectations] fails before any document is read
        with quiet_jvm(quiet):
            return run_spark(config, paths or None, master=spark_master, gate=gate, report_dir=report_dir)
    from .gx_worker import GxRunner
    from .pipeline import run

    # Without the cache every run needs GX: start its worker (importing GX) now.
    with GxRunner(config, start=not cache) as gx:
        return run(config, paths or None, progress=not quiet and sys.stderr.isatty(), gate=gate, cache=cache, gx=gx)


def _write_baseline(result, gate, target: Path) -> None:
    """`--update-baseline`: the whole file, or, for a partial run (--changed-since, other
    paths), the entries of its documents merged into the existing file."""
    from .baseline import baseline_entries, load_baseline, merge_entries, render_entries
    from .report import write_atomic

    entries = baseline_entries(result.findings, result.expectations)
    note = ""
    if gate.focus is not None and target.exists():
        entries, kept = merge_entries(
            load_baseline(target), entries, gate.focus, corpus_checked=gate.changed is not None
        )
        note = f"; kept {kept} entr{'y' if kept == 1 else 'ies'} of documents this run did not report on"
    write_atomic(target, render_entries(entries))
    click.echo(f"baseline: wrote {len(entries)} entr{'y' if len(entries) == 1 else 'ies'} to {target}{note}", err=True)


def _report_formats(config, reports: str | None, engine_name: str) -> list[str]:
    """The report files to write (`--reports`, else the configured `reports`)."""
    from .report import report_formats

    try:
        formats = report_formats(_csv(reports) or config.reports)
    except ValueError as exc:
        raise ConfigError(f"{'--reports' if reports else 'reports'}: {exc}") from None
    if engine_name == "spark":  # the engine writes its own partitioned findings.parquet dataset there
        formats = [f for f in formats if f != "findings-parquet"]
    return formats


def _write_outputs(config, result, fmt: str, quiet: bool, formats: list[str] | None, new_only: bool) -> None:
    """stdout in `fmt` (only new findings with `new_only`), then the report files (`formats`; None: none)."""
    from .report import WRITERS, write_reports, write_to

    started = time.perf_counter()
    shown = result
    if new_only:
        shown = dataclasses.replace(result, findings=[f for f in result.findings if not f.baselined])
    write_to(WRITERS[fmt], shown, _Echo(), color=fmt == "text" and sys.stdout.isatty())  # streamed
    if new_only and len(shown.findings) < len(result.findings):
        click.echo(
            f"seedcheck: {len(result.findings) - len(shown.findings)} baselined finding(s) not shown (--new-only)",
            err=True,
        )
    if formats:
        target = config.resolve(config.report_dir)
        fresh = not target.exists()
        written = write_reports(result, target, formats)
        if fresh:  # like the cache directory: generated files stay out of git
            (target / ".gitignore").write_text(
                "# Written by seedcheck: its reports are not committed.\n*\n", encoding="utf-8"
            )
        if not quiet:
            click.echo(f"reports: {', '.join(str(p) for p in written)}", err=True)
    result.timings["writers"] = time.perf_counter() - started
    _dump_timings(result.timings)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--config", "config_file", type=click.Path(), help="Configuration file.")
@click.option(
    "--diff",
    "show_diff",
    is_flag=True,
    help="Show the fixes as a unified diff; write nothing (exit 1 if there are any).",
)
@click.option(
    "--unsafe-fixes", is_flag=True, help="Also apply the fixes that are guesses (misspelt or inconsistent names, ...)."
)
@click.option("--select", help="Only fix findings of these rules.")
@click.option("--ignore", help="Do not fix findings of these rules.")
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Apply paths/include/exclude of the configuration to the files named on the command line too.",
)
def fix(paths, config_file, show_diff, unsafe_fixes, select, ignore, force_exclude=False):
    """Apply safe fixes (delete noise lines, strip markup, repair mojibake, ...)."""
    from .fixer import fix_paths

    config = load_config(config_file)
    overrides = {}
    if select:
        overrides["select"] = _csv(select)
    if ignore:
        overrides["ignore"] = config.ignore + _csv(ignore)
    apply(config, overrides, where="command line")
    named = _forced(config, paths, force_exclude)
    if paths and not named:
        sys.exit(EXIT_OK)  # pre-commit named only files outside the corpus: nothing to fix
    targets = named or [str(config.resolve(p)) for p in config.paths]
    report = fix_paths(config, targets, unsafe=unsafe_fixes, write=not show_diff)
    if show_diff:
        click.echo("".join(report.diffs), nl=False)
    total = sum(report.changed.values())
    rules = ", ".join(f"{rule} {n}" for rule, n in sorted(report.by_rule.items()))
    verb = "would apply" if show_diff else "applied"
    click.echo(
        f"fix: {verb} {total} fix(es) in {len(report.changed)} file(s)" + (f" ({rules})" if rules else ""), err=True
    )
    if report.skipped_jsonl:
        click.echo(
            f"fix: {report.skipped_jsonl} JSONL file(s) not rewritten (fix their records where they are produced)",
            err=True,
        )
    sys.exit(EXIT_FINDINGS if show_diff and report.changed else EXIT_OK)


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
            raise ConfigError(
                f"unknown rule {name!r}{did_you_mean(name, [s.name for s in specs])} (see `seedcheck rules`)"
            )
        severity = config.severity.get(spec.name, str(spec.severity))
        if fmt == "json":
            click.echo(
                json.dumps(
                    {
                        "id": spec.id,
                        "name": spec.name,
                        "severity": severity,
                        "kind": spec.kind,
                        "category": spec.category,
                        "params": spec.params,
                        "docs": spec.docs,
                        "examples": spec.examples,
                    },
                    indent=2,
                    ensure_ascii=False,
                )
            )
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
        click.echo(
            json.dumps(
                [
                    {
                        "id": s.id,
                        "name": s.name,
                        "severity": config.severity.get(s.name, str(s.severity)),
                        "kind": s.kind,
                        "category": s.category,
                        "summary": s.docs["what"].splitlines()[0],
                    }
                    for s in specs
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    for s in specs:
        sev = config.severity.get(s.name, str(s.severity))
        click.echo(f"{s.id:<6} {s.name:<24} {sev:<8} {s.category:<10} {s.docs['what'].splitlines()[0]}")


if __name__ == "__main__":
    main()
