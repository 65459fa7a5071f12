"""Command line: `seedcheck check`, `seedcheck fix`, `seedcheck rules` (docs/SPEC.md section 6).

Exit codes: 0 nothing at or above --fail-on outside the baseline; 1 there is; 2 usage,
configuration or internal error, with a one-line reason (a traceback only with --debug).
This module holds the command group and its error handling; each command is a module:
`check_command.py` (with `outputs.py`: stdout, report files, baseline), `fix_command.py`,
`rules_command.py`, `server_command.py`.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
import warnings

import click

from .. import __version__
from ..config import ConfigError
from .check_command import check
from .common import (
    EXIT_BROKEN_PIPE,
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    FORMATS,
    did_you_mean,
)
from .fix_command import fix
from .rules_command import rules
from .server_command import server

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_ERROR",
    "EXIT_FINDINGS",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_TERMINATED",
    "FORMATS",
    "did_you_mean",
    "main",
]


class Terminated(BaseException):
    """SIGTERM arrived (CI cancellation, `timeout`): unwind, stopping the worker processes."""


def _terminate(signum, frame) -> None:
    raise Terminated()


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
        served = _in_server(sys.argv[1:] if args is None else list(args))
        if served is not None:
            sys.exit(served)
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
        except Exception as exc:  # noqa: BLE001 - an internal error: still one line unless --debug
            _fail(ctx, f"seedcheck: internal error: {type(exc).__name__}: {exc}")


def _in_server(args: list[str]) -> int | None:
    """A `check` or `fix` run by a `seedcheck server` if one listens (its exit status), else None."""
    command = next((a for a in args if not a.startswith("-")), None)
    if command not in ("check", "fix") or {"--help", "-h", "--engine=spark"} & set(args) or "spark" in args:
        return None  # help is quick anyway; a Spark run starts its own JVM here
    from ..server import run_in_server

    return run_in_server(args)


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


main.add_command(check)
main.add_command(fix)
main.add_command(rules)
main.add_command(server)
