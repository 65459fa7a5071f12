"""Shared, lazily loaded data for rules and extractors: lexicons, registries, settings.

One `Context` per process; whatever it loads is cached, so a data file is read once.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from .config import Config, ConfigError
from .yamlio import safe_load


class Context:
    """What rules may consult besides the document: configuration and data files."""

    def __init__(self, config: Config, today: dt.date | None = None):
        self.config = config
        self.checks_dir: Path = config.checks_path
        self.today = today or dt.date.today()
        self._cache: dict[str, Any] = {}

    def data_path(self, relative: str) -> Path:
        return self.checks_dir / "data" / relative

    def lexicon(self, relative: str) -> list[str]:
        """Lines of a word list under `checks/data/` (blank lines and `#` comments skipped)."""
        key = "lexicon:" + relative
        if key not in self._cache:
            path = self.data_path(relative)
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"cannot read lexicon {path}: {exc}") from None
            self._cache[key] = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
        return self._cache[key]

    def yaml(self, relative: str) -> Any:
        """A YAML data file under `checks/data/`, parsed once."""
        key = "yaml:" + relative
        if key not in self._cache:
            path = self.data_path(relative)
            try:
                self._cache[key] = safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise ConfigError(f"cannot load {path}: {first}") from None
        return self._cache[key]

    @cached_property
    def corpus_language(self) -> str:
        return self.config.corpus_language
