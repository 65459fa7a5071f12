"""`python -m seedcheck.server IDLE_TIMEOUT`: the server process, as `seedcheck server start` runs it."""

import sys

from .process import serve
from .wire import IDLE_TIMEOUT, ServerError

try:
    serve(float(sys.argv[1]) if len(sys.argv) > 1 else IDLE_TIMEOUT)
except ServerError as exc:
    sys.exit(f"seedcheck server: {exc}")
