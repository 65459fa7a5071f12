"""`seedcheck server start|stop|status`: the optional server that keeps a check's imports
loaded (`seedcheck/server/`), so `seedcheck check` of a few files starts at once."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import time

import click

from ..config import ConfigError

START_WAIT = 60.0  # seconds for a new server to load and listen
STOP_WAIT = 10.0  # seconds for a stopped server to exit


@click.group()
def server():
    """Keep a check's imports loaded in a background process (opt-in)."""


@server.command()
@click.option(
    "--idle-timeout",
    type=click.FloatRange(min=0),
    default=3600,
    show_default=True,
    help="Stop after this many seconds without a check (0: never).",
)
def start(idle_timeout):
    """Start this installation's server; check and fix then run in it."""
    from .. import server as srv

    if not (hasattr(os, "fork") and hasattr(socket, "send_fds")):
        raise ConfigError("server: needs fork and Unix sockets that pass descriptors (Linux, macOS)")
    try:
        srv.address(create=True)  # a private folder for the socket, or a clear error
    except srv.ServerError as exc:
        raise ConfigError(f"server: {exc}") from None
    running = srv.request("status")
    if running is not None:
        click.echo(f"seedcheck server: already running (pid {running['pid']})", err=True)
        return
    process = srv.spawn(idle_timeout, stderr=subprocess.PIPE)
    deadline = time.monotonic() + START_WAIT
    while time.monotonic() < deadline:
        status = srv.request("status")
        if status is not None:
            process.stderr.close()
            click.echo(f"seedcheck server: running (pid {status['pid']}); {_stops(idle_timeout)}", err=True)
            return
        if process.returncode is None and process.poll() is not None:
            reason = process.stderr.read().decode("utf-8", "replace").strip().splitlines()
            if not (reason and srv.LOCKED in reason[-1]):  # else another start's server is loading: wait for it
                raise ConfigError(f"server: did not start: {reason[-1] if reason else f'exit {process.returncode}'}")
        time.sleep(0.1)
    if process.poll() is None:
        process.kill()
        raise ConfigError(f"server: not listening after {START_WAIT:.0f} s; stopped it")
    raise ConfigError(f"server: none listening after {START_WAIT:.0f} s")


def _stops(idle_timeout: float) -> str:
    return "stops when stopped" if not idle_timeout else f"stops after {idle_timeout:g} s without a check"


@server.command()
def stop():
    """Stop this installation's server."""
    from .. import server as srv

    answer = srv.request("stop")
    if answer is None:
        click.echo("seedcheck server: not running", err=True)
        return
    pid = int(answer["stopped"])
    deadline = time.monotonic() + STOP_WAIT
    while time.monotonic() < deadline:  # gone when this returns, as a script stopping it expects
        try:
            os.kill(pid, 0)
        except OSError:
            click.echo(f"seedcheck server: stopped (pid {pid})", err=True)
            return
        time.sleep(0.05)
    click.echo(f"seedcheck server: asked to stop (pid {pid}), still running after {STOP_WAIT:.0f} s", err=True)


@server.command()
def status():
    """Say whether a server runs, since when, and how many checks it ran."""
    from .. import server as srv

    answer = srv.request("status")
    if answer is None:
        click.echo("seedcheck server: not running")
        return
    started = dt.datetime.fromtimestamp(answer["started"]).isoformat(timespec="seconds")
    click.echo(
        f"seedcheck server: running (pid {answer['pid']}) since {started}, {answer['served']} check(s), "
        f"{_stops(answer['idle_timeout'])}"
    )
    if answer.get("refused"):
        # A caller whose process differs from the server's in what a check inherits (see
        # `wire.process_traits`) runs its check itself; say why, or the user never learns.
        click.echo(
            f"  {answer['refused']} check(s) ran in their caller instead, whose process differs from the "
            f"server's in: {', '.join(answer.get('refused_for') or [])} (restart the server from that environment)"
        )
