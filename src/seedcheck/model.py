"""The value types every stage shares: severities, findings and documents.

A `Document` is what ingest produces and rules read; a `Finding` is what rules produce
and writers render; a `RecordTrace` is what the stages after the document stage need to
know about a record's document besides its fields. All are plain dataclasses so they
cross process boundaries cheaply.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Iterator
from dataclasses import MISSING, dataclass, field, fields
from typing import Any


class Severity(enum.IntEnum):
    """Finding severities, ordered so that `>=` means "at least as bad"."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls[str(value).upper()]
        except KeyError:
            raise ValueError(f"unknown severity {value!r} (expected error, warning or info)") from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(slots=True)
class Fix:
    """A suggested fix: what to do, and the text that replaces the flagged place.

    The contract `seedcheck fix` applies (see fixer.py): with `delete_line` the finding's
    line goes; else `replacement` replaces the finding's span (`column`..`end_column`), or
    its whole line when the finding has no span. `replacement=None` means a human must act
    (only a description is given). `safe=False` fixes change meaning (names) and need
    `--unsafe-fixes`.
    """

    description: str
    replacement: str | None = None
    delete_line: bool = False
    safe: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"description": self.description, "replacement": self.replacement, "safe": self.safe}


def _intern(value: Any) -> Any:
    return sys.intern(value) if type(value) is str else value


def intern_record(record: dict[str, Any]) -> dict[str, Any]:
    """`record` (a record dict just unpickled in the main process) with its text values and
    the text items of its list values interned, `body` excepted: ids and paths are then one
    string with the findings' and traces' (interned too), and domains, dates, languages,
    tags and names one string per distinct value instead of one per document."""
    for key, value in record.items():
        if type(value) is str:
            if key != "body":
                record[key] = sys.intern(value)
        elif type(value) is list:
            record[key] = [_intern(item) for item in value]
    return record


def _interned_ids(value: Any) -> Any:
    """A cluster entry with its strings interned: a document id, a reason, or a
    `{doc id: similarity}` map (same order)."""
    if type(value) is dict:
        return {_intern(k): v for k, v in value.items()}
    return _intern(value)


@dataclass(slots=True)
class Finding:
    """One problem in one document (or in the corpus, with `doc_id` empty)."""

    rule: str
    severity: Severity
    doc_id: str
    path: str
    message: str
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    excerpt: str = ""
    fix: Fix | None = None
    related: list[str] = field(default_factory=list)
    fingerprint: str = ""
    baselined: bool = False
    # Duplicate rules: {"id", "keeper", "reason", "similarity": {other doc: value}}.
    cluster: dict[str, Any] | None = None

    def sort_key(self) -> tuple:
        return (self.path, self.doc_id, self.line or 0, self.column or 0, self.rule, self.message)

    # Findings are pickled from the workers and through the spool. Unpickled, every id and
    # path would be a new string: a large run's duplicate findings name the same copies in
    # `related` and in their cluster's `similarity` again and again. Interned on arrival,
    # the main process holds one string per id.
    def __getstate__(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setstate__(self, state: tuple) -> None:
        for name, value in zip(self.__slots__, state):
            setattr(self, name, value)
        self.doc_id, self.path = _intern(self.doc_id), _intern(self.path)
        # Messages, excerpts and fix texts repeat across documents (a rule's fix description
        # is one of a few; replicas share messages): one string each saved a third of the
        # findings' memory at 10,000 generated documents.
        self.message, self.excerpt = _intern(self.message), _intern(self.excerpt)
        self.fingerprint = _intern(self.fingerprint)
        if self.fix is not None:
            self.fix.description, self.fix.replacement = _intern(self.fix.description), _intern(self.fix.replacement)
        self.related = [_intern(r) for r in self.related]
        if self.cluster:
            self.cluster = {key: _interned_ids(value) for key, value in self.cluster.items()}

    def flat(self) -> tuple:
        """The finding as plain values (severity an int, the fix a tuple), which unpickle
        without Python code, for a spool read many times over (`from_flat`)."""
        state = list(self.__getstate__())
        state[_SEVERITY_AT] = int(self.severity)
        if self.fix is not None:
            state[_FIX_AT] = tuple(getattr(self.fix, name) for name in Fix.__slots__)
        return tuple(state)

    @classmethod
    def from_flat(cls, flat: tuple) -> Finding:
        """The finding `flat` holds. Its strings are not interned (see `__setstate__`):
        for findings that are read and let go, such as the writers' passes."""
        finding = cls(*flat)
        finding.severity = _SEVERITIES[finding.severity]
        if finding.fix is not None:
            finding.fix = Fix(*finding.fix)
        return finding

    def to_json(self) -> dict[str, Any]:
        """The `findings[]` entry of findings.json (docs/SPEC.md section 7)."""
        return {
            "rule": self.rule,
            "severity": str(self.severity),
            "doc_id": self.doc_id,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "excerpt": self.excerpt,
            "fix": self.fix.to_json() if self.fix else None,
            "related": list(self.related),
            "fingerprint": self.fingerprint,
            "baselined": self.baselined,
            **({"cluster": self.cluster} if self.cluster is not None else {}),
        }


_SEVERITY_AT, _FIX_AT = Finding.__slots__.index("severity"), Finding.__slots__.index("fix")
_SEVERITIES = {int(s): s for s in Severity}


@dataclass(slots=True)
class Hit:
    """What a rule reports; the rule base class turns it into a `Finding`.

    `line` is 1-based in the file as read; `column`/`end_column` are 1-based and
    end-exclusive character offsets within that line.
    """

    line: int | None = None
    column: int | None = None
    end_column: int | None = None
    end_line: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    excerpt: str | None = None
    fix: Fix | None = None
    related: list[str] = field(default_factory=list)
    message: str | None = None
    severity: Severity | None = None
    cluster: dict[str, Any] | None = None  # duplicate rules: see Finding.cluster
    variant: str | None = None  # which of the rule file's `messages:` words this hit


@dataclass(slots=True)
class RecordTrace:
    """What the stages after the document stage need to know about a record's document
    besides its public fields (the record holds only those, docs/SPEC.md section 4).

    Made with the `Document` and filled by ingest, extraction and the checker; it then
    travels with the record in `checker.DocOutcome` (pickled by workers, the cache and
    Spark) and ends in `Result.traces`. Only set values are pickled: at 100,000
    documents every byte per record counts.
    """

    fs_path: str | None = None  # the file read (the gate's --changed-since, `seedcheck fix`)
    alt_id: str | None = None  # a shard part's record: its id if an earlier part has its id (record_ids.py)
    field_lines: dict[str, int] | None = None  # record field -> the file line it was read from
    body_line: int | None = None  # the file line of the body's first line (the HTML report)
    body_omitted: bool = False  # the body was dropped to bound memory (document_stage.HTML_BODY_CAP)
    waivers: list[dict[str, Any]] | None = None  # the document's inline waivers (waivers.py), for the gate
    date_proposal: dict[str, Any] | None = None  # an undated body's stated date: missing-date's fix
    unmapped: dict[str, str] | None = None  # a shard record lacking a mapped field: record column -> advice

    def line_of(self, name: str) -> int | None:
        """The file line record field `name` was read from, when known."""
        return self.field_lines.get(name) if self.field_lines else None

    def __getstate__(self) -> dict[str, Any]:
        return {name: value for name in self.__slots__ if (value := getattr(self, name))}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for f in fields(self):
            setattr(self, f.name, state.get(f.name, None if f.default is MISSING else f.default))
        self.fs_path = _intern(self.fs_path)  # mostly the record's path: one string for both
        self.field_lines = _shared_field_lines(self.field_lines)


# Field-line maps as they arrive, one dict per distinct map: a corpus's front matters repeat a
# few layouts, so most traces share one (read only after the document stage). Bounded, as
# the Python API may run many checks in one process.
_FIELD_LINES: dict[tuple, dict[str, int]] = {}
_FIELD_LINES_MAX = 65_536


def _shared_field_lines(lines: dict[str, int] | None) -> dict[str, int] | None:
    if not lines:
        return lines
    key = tuple(lines.items())  # the order too: a shared map iterates as this one did
    shared = _FIELD_LINES.get(key)
    if shared is None:
        if len(_FIELD_LINES) >= _FIELD_LINES_MAX:
            return lines
        shared = _FIELD_LINES[key] = lines
    return shared


@dataclass(slots=True)
class Document:
    """A parsed input document: its text split into file lines, plus its record fields.

    `lines` are the lines of the document as read (frontmatter included), without
    line terminators; `body_start` is the 0-based index of the first body line, so
    body line i has file line number `body_start + i + 1` (plus `line_offset` for
    documents that start inside a larger file).
    """

    doc_id: str
    path: str
    format: str
    lines: list[str]
    body_start: int = 0
    body_end: int | None = None
    line_offset: int = 0
    frontmatter: dict[str, Any] | None = None
    frontmatter_lines: dict[str, int] = field(default_factory=dict)
    headers: dict[str, tuple[str, int]] = field(default_factory=dict)
    record: dict[str, Any] = field(default_factory=dict)
    # Problems found while reading (unreadable-document, invalid-frontmatter, ...), as
    # (rule name, hit); the pipeline turns them into findings like any rule's hits.
    hits: list[tuple[str, Hit]] = field(default_factory=list)
    readable: bool = True
    # How a shard record's text is read ("markdown" or "text", ingest/textformat.py); None
    # for a file, whose `format` says it.
    read_as: str | None = None
    # What travels with its record past the document stage (filled by ingest, extraction, the checker).
    trace: RecordTrace = field(default_factory=RecordTrace)
    # Its shared per-document facts (`seedcheck.facts.Facts`), made on first use.
    facts: Any = field(default=None, repr=False, compare=False)

    def body_lines(self) -> Iterator[tuple[int, str]]:
        """Yield `(file line number, text)` for every body line."""
        end = len(self.lines) if self.body_end is None else self.body_end
        base = self.line_offset + 1
        for index in range(self.body_start, end):
            yield index + base, self.lines[index]

    @property
    def text_format(self) -> str:
        """How the text is read, `markdown` or `text` (what the markup rules go by)."""
        return self.read_as or ("markdown" if self.format == "markdown" else "text")

    @property
    def body(self) -> str:
        end = len(self.lines) if self.body_end is None else self.body_end
        return "\n".join(self.lines[self.body_start : end])

    def line_text(self, number: int) -> str:
        """The text of file line `number` (1-based), or "" when out of range."""
        index = number - self.line_offset - 1
        return self.lines[index] if 0 <= index < len(self.lines) else ""
