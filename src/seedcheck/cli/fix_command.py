"""`seedcheck fix`: apply the fixes findings carry."""

from __future__ import annotations

import sys

import click

from ..config import apply, load_config
from .common import EXIT_FINDINGS, EXIT_OK, csv_list, forced, server_option


@click.command()
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
@server_option
def fix(paths, config_file, show_diff, unsafe_fixes, select, ignore, force_exclude=False):
    """Apply safe fixes (delete noise lines, strip markup, repair mojibake, ...)."""
    from ..fixer import fix_paths

    config = load_config(config_file)
    overrides = {}
    if select:
        overrides["select"] = csv_list(select)
    if ignore:
        overrides["ignore"] = config.ignore + csv_list(ignore)
    apply(config, overrides, where="command line")
    named = forced(config, paths, force_exclude)
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
