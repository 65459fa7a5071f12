"""Quiet Spark under -q: the JVM that pyspark starts logs errors only, and the lines the JVM
prints on its own at start-up are dropped; every other line of its stderr still shows."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

_QUIET_LOG4J = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
# pyspark's gateway sets the shell's level (WARN, announced in two lines) unless its own
# logger is configured: configured at the root's level, Spark neither changes nor announces it.
logger.gateway.name = org.apache.spark.api.python.PythonGatewayServer
logger.gateway.level = error
logger.repl.name = org.apache.spark.repl.Main
logger.repl.level = error
"""
# Lines the JVM itself prints at start-up, before and outside log4j, dropped under -q.
_JVM_NOTICES = (b"WARNING: Using incubator modules:",)


@contextlib.contextmanager
def quiet_jvm(quiet: bool):
    """With -q, the JVM that pyspark starts logs errors only: a log4j2 configuration passed
    through PYSPARK_SUBMIT_ARGS (unless that is set already), and its stderr filtered of the
    JVM's own start-up notices (`_filtered_stderr`); errors still reach the terminal."""
    if not quiet or "PYSPARK_SUBMIT_ARGS" in os.environ or "PYSPARK_GATEWAY_PORT" in os.environ:
        yield
        return
    import tempfile

    fd, name = tempfile.mkstemp(prefix="seedcheck-log4j2-", suffix=".properties")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(_QUIET_LOG4J)
    os.environ["PYSPARK_SUBMIT_ARGS"] = (
        f'--driver-java-options "-Dlog4j2.configurationFile={Path(name).as_uri()}" pyspark-shell'
    )
    try:
        with _filtered_stderr():
            yield
    finally:
        os.environ.pop("PYSPARK_SUBMIT_ARGS", None)
        os.unlink(name)


@contextlib.contextmanager
def _filtered_stderr():
    """Inside the block, file descriptor 2 is a pipe that a thread forwards to the real
    stderr line by line, without `_JVM_NOTICES`. The JVM pyspark starts in the block inherits
    it (no JVM option silences those notices), so its later errors pass through the same
    thread; it ends when the JVM closes the pipe. Everything written in the block reaches the
    terminal before anything written after it: the block ends by sending a marker through the
    pipe and waiting (at most `_DRAIN_SECONDS`) until the thread has forwarded it."""
    import threading
    import uuid

    sys.stderr.flush()
    try:
        terminal = os.dup(2)
    except OSError:  # no stderr at all: nothing to keep quiet
        yield
        return
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)
    marker, drained = f"\0seedcheck-drained-{uuid.uuid4().hex}\n".encode(), threading.Event()
    forward = threading.Thread(
        target=_forward, args=(read_end, terminal, marker, drained), name="seedcheck-jvm-stderr", daemon=True
    )
    forward.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        with contextlib.suppress(OSError):
            os.write(2, marker)  # shorter than PIPE_BUF, so never split by another writer
            drained.wait(_DRAIN_SECONDS)
        os.dup2(terminal, 2, inheritable=True)


_DRAIN_SECONDS = 5.0


def _forward(read_end: int, terminal: int, marker: bytes, drained) -> None:
    """Copy lines from `read_end` to `terminal`, dropping `_JVM_NOTICES` and `marker` (setting
    `drained` when it passes); keep reading after the terminal is gone, so the writer never
    blocks on a full pipe."""
    with os.fdopen(read_end, "rb") as lines, os.fdopen(terminal, "wb", buffering=0) as out:
        for line in lines:
            if marker in line:  # behind a writer's unfinished line, the marker ends up inside it
                line = line.replace(marker, b"")
                drained.set()
            if not line or line.startswith(_JVM_NOTICES):
                continue
            try:
                out.write(line)
            except OSError:
                pass
