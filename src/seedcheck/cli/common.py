"""What the commands share: exit codes, the stdout formats, option parsing helpers."""

from __future__ import annotations

import difflib

import click

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED, EXIT_BROKEN_PIPE = 130, 143, 141  # 128 + SIGINT / SIGTERM / SIGPIPE
# The stdout formats (report.WRITERS, which imports every writer: too slow to import for --help).
FORMATS = ("github", "html", "json", "junit", "markdown", "sarif", "text")


def did_you_mean(word: str, choices) -> str:
    """` (did you mean 'x'?)` for the closest of `choices`, or nothing."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def csv_list(value: str | None) -> list[str] | None:
    """A comma-separated option as a list (None when not given)."""
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def forced(config, paths: tuple[str, ...], force_exclude: bool) -> list[str]:
    """`--force-exclude`: the named paths that are part of the configured corpus (under
    `paths`, not excluded; pre-commit names every staged file)."""
    return [p for p in paths if config.selects(p)] if force_exclude else list(paths)


def server_option(command):
    """`--server` on a command: start a `seedcheck server` for the runs after this one
    (when none runs; this run is not held up: the server starts once it has ended)."""

    def remember(ctx, param, value):
        if value:
            from ..server import start_in_background

            ctx.call_on_close(start_in_background)
        return value

    return click.option(
        "--server",
        "start_server",
        is_flag=True,
        expose_value=False,
        callback=remember,
        help="Also start a seedcheck server (if none runs) so the next checks start at once.",
    )(command)
