"""What `seedcheck check` writes: stdout in one format, the report files, the baseline."""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from pathlib import Path

import click

from ..config import ConfigError
from .common import csv_list


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


def write_baseline(result, gate, target: Path) -> None:
    """`--update-baseline`: the whole file, or, for a partial run (--changed-since, other
    paths), the entries of its documents merged into the existing file."""
    from ..baseline import baseline_entries, load_baseline, merge_entries, render_entries
    from ..report import write_atomic

    entries = baseline_entries(result.findings, result.expectations)
    note = ""
    if gate.focus is not None and target.exists():
        entries, kept = merge_entries(
            load_baseline(target), entries, gate.focus, corpus_checked=gate.changed is not None
        )
        note = f"; kept {kept} entr{'y' if kept == 1 else 'ies'} of documents this run did not report on"
    write_atomic(target, render_entries(entries))
    click.echo(f"baseline: wrote {len(entries)} entr{'y' if len(entries) == 1 else 'ies'} to {target}{note}", err=True)


def requested_reports(config, reports: str | None, engine_name: str) -> list[str]:
    """The report files to write (`--reports`, else the configured `reports`)."""
    from ..report import report_formats

    try:
        formats = report_formats(csv_list(reports) or config.reports)
    except ValueError as exc:
        raise ConfigError(f"{'--reports' if reports else 'reports'}: {exc}") from None
    if engine_name == "spark":  # the engine writes its own partitioned findings.parquet dataset there
        formats = [f for f in formats if f != "findings-parquet"]
    return formats


def write_outputs(config, result, fmt: str, quiet: bool, formats: list[str] | None, new_only: bool) -> None:
    """stdout in `fmt` (only new findings with `new_only`), then the report files (`formats`; None: none)."""
    from ..report import WRITERS, write_reports, write_to

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
