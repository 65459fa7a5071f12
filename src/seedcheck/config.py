"""Configuration: `[tool.seedcheck]` in pyproject.toml, then command-line options on top.

Every key is declared here and validated at start-up; a bad key or value raises
`ConfigError`, which the CLI reports in one line with exit code 2.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from .model import Severity

PACKAGE_DIR = Path(__file__).resolve().parent

# The file formats read as documents when seedcheck walks the project directory itself
# (the default `paths = ["."]`) and `include` is not configured: a repository's LICENSE,
# pyproject.toml or CI files are not documents. A reader for a new format adds its globs here.
DOCUMENT_GLOBS = ["*.md", "*.markdown", "*.mdown", "*.txt", "*.text", "*.jsonl", "*.ndjson", "*.parquet", "*.pq"] + [
    f"*.{kind}.{codec}" for kind in ("jsonl", "ndjson") for codec in ("gz", "zst", "zstd", "bz2", "xz")
]
# A repository's own files in those formats, which are not corpus documents.
DEFAULT_EXCLUDE = [
    ".*",
    "__pycache__",
    "*.pyc",
    "README",
    "README.*",
    "CHANGELOG*",
    "CHANGES*",
    "CONTRIBUTING*",
    "CODE_OF_CONDUCT*",
    "SECURITY*",
    "LICENSE*",
    "COPYING*",
    "requirements*.txt",
]


class ConfigError(ValueError):
    """A configuration problem: exit code 2 with this message."""


@dataclass
class Config:
    """Settings of one run. Field names are the pyproject keys with `-` for `_`."""

    root: Path = field(default_factory=Path.cwd)
    source: str = "defaults"
    paths: list[str] = field(default_factory=lambda: ["."])
    include: list[str] = field(default_factory=lambda: ["*"])
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    fail_on: str = "error"
    report_dir: str = "reports"
    reports: list[str] = field(default_factory=lambda: ["default"])  # which report files (report.report_formats)
    jobs: int = 0
    corpus_language: str = "en"
    checks_dir: str = ""
    schemas_dir: str = ""
    max_file_size: int = 50 * 1024 * 1024  # per file; per record in a shard (JSONL line, Parquet row)
    split_size: int = 8 * 1024 * 1024  # a shard larger than this is checked in parts, in parallel
    baseline: str = ""
    jsonl: dict[str, Any] = field(default_factory=dict)
    expectations: dict[str, Any] = field(default_factory=dict)
    expectations_suite: str = ""  # corpus expectations file (default: <schemas>/corpus.yaml)
    gx_data_docs: str = ""  # also build great-expectations Data Docs into this directory
    cache_dir: str = ".seedcheck_cache"  # unchanged files' results between runs (cache.py)

    def resolve(self, path: str) -> Path:
        """A configured path, relative to the directory of the configuration file."""
        p = Path(path)
        return p if p.is_absolute() else self.root / p

    def configured(self, key: str) -> bool:
        """Whether `key` was set by the configuration file or the command line."""
        return key in self.__dict__.get("_configured", ())

    def include_for(self, folder: str) -> list[str]:
        """The include globs for walking `folder`: `DOCUMENT_GLOBS` when it is the project
        directory and `include` is not configured, else `include`."""
        if not self.configured("include") and os.path.realpath(folder) == os.path.realpath(self.root):
            return list(DOCUMENT_GLOBS)
        return self.include

    def own_files(self) -> list[str]:
        """Real paths of what seedcheck itself reads or writes next to a corpus (reports,
        cache, baseline, configuration): never documents."""
        own = [
            self.resolve(self.report_dir),
            Path(os.environ.get("SEEDCHECK_CACHE_DIR") or self.resolve(self.cache_dir)),
            self.root / "pyproject.toml",
        ]
        own.append(self.resolve(self.baseline or "seedcheck-baseline.json"))
        if self.source != "defaults":
            own.append(Path(self.source))
        return [os.path.realpath(p) for p in own]

    def is_own_file(self, path: str, own: list[str] | None = None) -> bool:
        """Whether `path` is (or lies under) one of `own_files()`."""
        real = os.path.realpath(path)
        return any(real == o or real.startswith(o.rstrip(os.sep) + os.sep) for o in own or self.own_files())

    def selects(self, path: str) -> bool:
        """`--force-exclude`: whether a path named on the command line is part of the
        configured corpus (under `paths`, not excluded, included), as a walk would find it."""
        if self.is_own_file(path):
            return False
        real = os.path.realpath(path)
        for configured in self.paths:
            base = os.path.realpath(self.resolve(configured))
            if real != base and not real.startswith(base.rstrip(os.sep) + os.sep):
                continue
            rel = os.path.relpath(real, base).replace(os.sep, "/")
            if rel == ".":
                return True
            parts = rel.split("/")
            prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
            if any(_glob_match(p, self.exclude) for p in prefixes):
                continue
            if os.path.isdir(real) or _glob_match(rel, self.include_for(base)):
                return True
        return False

    @property
    def checks_path(self) -> Path:
        return _data_dir(self, self.checks_dir, "checks")

    @property
    def schemas_path(self) -> Path:
        return _data_dir(self, self.schemas_dir, "schemas")

    @property
    def jobs_count(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)


@lru_cache(maxsize=64)
def _repository_of(folder: str) -> str:
    for candidate in (folder, *map(str, Path(folder).parents)):
        if os.path.exists(os.path.join(candidate, ".git")):
            return candidate
    return folder


def source_root(config: Config) -> Path:
    """Where report paths start: the git repository holding the configuration (GitHub's
    workspace, also for a corpus in a subfolder of a monorepo), else the configuration's folder."""
    return Path(source_root_text(str(config.root)))


@lru_cache(maxsize=64)
def source_root_text(root: str) -> str:
    """`source_root` of the configuration folder `root`, as text. Writers ask once per
    finding: resolving the folder every time was a quarter of their time."""
    return _repository_of(os.path.realpath(root))


def _data_dir(config: Config, configured: str, name: str) -> Path:
    # Configured path, else the project's own directory, else the copy shipped with seedcheck.
    if configured:
        return config.resolve(configured)
    local = config.root / name
    if (
        (local / ".seedcheck").exists()
        or (name == "checks" and (local / "rules").is_dir())
        or (name == "schemas" and (local / "record.yaml").is_file())
    ):
        return local
    bundled = PACKAGE_DIR / "_data" / name
    if bundled.is_dir():
        return bundled
    return PACKAGE_DIR.parent.parent / name  # source checkout


def _glob_match(relpath: str, patterns: list[str]) -> bool:
    # As discovery matches: the path relative to the walked folder, or the file name.
    name = relpath.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(relpath, p) or fnmatch.fnmatch(name, p) for p in patterns)


_KEYS = {f.name.replace("_", "-"): f for f in fields(Config) if f.name not in ("root", "source")}
_FAIL_ON = ("error", "warning", "info", "never")


# `[tool.seedcheck.jsonl]`: the record fields a shard record's text, id, title, date, URL
# and own text format are read from (ingest.readers.IngestOptions holds the defaults;
# `text-field` is also taken), and `text-format`, how its text is read.
JSONL_KEYS = ("text", "id", "title", "date", "url", "format", "text-format")
# ingest.textformat.TEXT_FORMATS (config imports no ingest module; a test keeps them equal).
TEXT_FORMATS = ("auto", "markdown", "plain")
_TEXT_FORMAT_HINTS = {
    "text": ' (did you mean "plain"?)',
    "txt": ' (did you mean "plain"?)',
    "md": ' (did you mean "markdown"?)',
    "html": ' (seedcheck reads HTML as plain text, as a .html file, and markup-html reports its tags: use "plain")',
}


def _text_format(value: Any, where: str) -> str:
    if isinstance(value, str) and value in TEXT_FORMATS:
        return value
    word = str(value).strip().lower()
    hint = _TEXT_FORMAT_HINTS.get(word) or _did_you_mean(word, TEXT_FORMATS)
    raise ConfigError(
        f"{where}: jsonl.text-format must be one of {', '.join(map(repr, TEXT_FORMATS))}, not {value!r}{hint}"
    )


def _jsonl_table(table: dict[str, Any], where: str) -> dict[str, Any]:
    """`[tool.seedcheck.jsonl]` validated: known keys, each a field name or a list of them
    (dotted for nested fields), as `{key: [names]}`; `text-format` one of `TEXT_FORMATS`."""
    out = {}
    for key, value in table.items():
        name = str(key).replace("_", "-").removesuffix("-field")
        if name not in JSONL_KEYS:
            raise ConfigError(
                f"{where}: unknown key {key!r} in [tool.seedcheck.jsonl]{_did_you_mean(name, JSONL_KEYS)} "
                f"(expected one of {', '.join(JSONL_KEYS)})"
            )
        if name == "text-format":
            out[name] = _text_format(value, where)
            continue
        names = [value] if isinstance(value, str) else value
        if name == "format" and names == []:
            out[name] = []  # records' own format fields are not read
            continue
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
            raise ConfigError(
                f'{where}: jsonl.{key} must be a field name or a list of field names, e.g. {name} = ["content"]'
            )
        out[name] = [n.strip() for n in names]
    return out


def _did_you_mean(key: str, known) -> str:
    """` (did you mean 'fail-on'?)` for a misspelt key (`fail_on`, `fial-on`), else ""."""
    import difflib

    close = difflib.get_close_matches(str(key).replace("_", "-"), list(known), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml with a [tool.seedcheck] table, from `start` upwards."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                continue
            except tomllib.TOMLDecodeError as exc:
                # Whether it holds [tool.seedcheck] cannot be known: running on defaults
                # instead would check the whole directory with no baseline (as ruff, stop).
                raise ConfigError(f"{candidate}: invalid TOML: {exc}") from None
            if "seedcheck" in data.get("tool", {}):
                return candidate
    return None


def load_config(path: str | None = None, start: Path | None = None) -> Config:
    """Load `[tool.seedcheck]` from `path`, or from the nearest pyproject.toml that has it."""
    if path:
        file = Path(path)
        if not file.is_file():
            raise ConfigError(f"configuration file not found: {path}")
    else:
        file = find_pyproject(start or Path.cwd())
        if file is None:
            return Config(root=(start or Path.cwd()).resolve())
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {file}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: invalid TOML: {exc}") from None
    table = data.get("tool", {}).get("seedcheck")
    if table is None:
        if file.name == "pyproject.toml":
            raise ConfigError(f"{file}: no [tool.seedcheck] table")
        table = data  # a seedcheck.toml holds the keys at top level
    config = Config(root=file.resolve().parent, source=str(file))
    apply(config, table, where=str(file))
    return config


def apply(config: Config, table: dict[str, Any], where: str = "options") -> Config:
    """Set configuration keys from `table`, validating names and types."""
    for key, value in table.items():
        f = _KEYS.get(key)
        if f is None:
            raise ConfigError(f"{where}: unknown key {key!r} in [tool.seedcheck]{_did_you_mean(key, _KEYS)}")
        default = getattr(Config(), f.name)
        if isinstance(default, list):
            if isinstance(value, str):
                value = [v.strip() for v in value.split(",") if v.strip()]
            if not isinstance(value, list):
                raise ConfigError(f"{where}: {key} must be a list")
            value = [str(v) for v in value]
        elif isinstance(default, dict) and not isinstance(value, dict):
            raise ConfigError(f"{where}: {key} must be a table")
        elif isinstance(default, int) and not isinstance(default, bool):
            if not isinstance(value, int) or isinstance(value, bool):
                raise ConfigError(f"{where}: {key} must be an integer")
        elif isinstance(default, str) and not isinstance(value, str):
            raise ConfigError(f"{where}: {key} must be a string")
        setattr(config, f.name, value)
        config.__dict__.setdefault("_configured", set()).add(f.name)
    if "jsonl" in table:
        config.jsonl = _jsonl_table(config.jsonl, where)
    if config.fail_on not in _FAIL_ON:
        raise ConfigError(f"{where}: fail-on must be one of {', '.join(_FAIL_ON)}")
    for rule, sev in config.severity.items():
        try:
            Severity.parse(sev)
        except ValueError as exc:
            raise ConfigError(f"{where}: severity of {rule}: {exc}") from None
    return config
