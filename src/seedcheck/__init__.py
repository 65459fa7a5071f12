"""seedcheck: data quality validation for corpora of press releases and news articles.

`seedcheck.check(data, config=None, **overrides)` checks paths, a pandas DataFrame or an
iterable of dicts from Python (see api.py). Imports stay lazy so the command line starts fast.
"""

__version__ = "0.1.0"
__all__ = ["CheckResult", "__version__", "check"]


def __getattr__(name: str):
    if name in ("check", "CheckResult"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'seedcheck' has no attribute {name!r}")
