"""Everything after the document stage, shared by the local and the Spark engine: the
corpus stage (analyzers' `finish`), the record schema, the corpus expectations, per-file
ignores and the gate, and the `Result` the writers render."""

from __future__ import annotations

import contextlib
import fnmatch
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .checker import Engine
from .config import Config
from .extract import RECORD_FIELDS
from .gate import GateOptions, apply_gate, changed_documents
from .model import Finding, Hit, RecordTrace, Severity
from .records import DocumentEntries, RecordStore
from .rules.registry import Registry, matches
from .spool import (
    FINDINGS_ON_DISK_FROM,
    CodedSpool,
    CorpusStates,
    Spool,
    cyclic_gc_paused,
    give_back_memory,
    large_allocations_reused,
    sorted_spool,
)

STATUS_ORDER = {"ok": 0, "warning": 1, "error": 2}


@dataclass
class Result:
    """Everything a run produced; writers render it.

    `documents`: findings.json's entries (doc_id, path, status, public record), sorted by
    path and id; `findings`: in report order (`Finding.sort_key`), to be iterated (as often
    as needed) and counted, never indexed, since a large run's stay on disk; `traces`:
    each document's `RecordTrace` by doc id (its file, field lines, body line);
    `unreported`: the ids of documents outside a `--changed-since` run's focus."""

    config: Config
    registry: Registry
    documents: list[dict[str, Any]] | DocumentEntries
    findings: list[Finding] | Spool  # in report order; a Spool (on disk) in large runs
    expectations: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)
    traces: dict[str, RecordTrace] = field(default_factory=dict)
    unreported: set[str] = field(default_factory=set)

    _tally: tuple | None = field(default=None, repr=False, compare=False)  # (findings, documents, Tally)

    @property
    def tally(self) -> Tally:
        """The findings counted, once for given `findings` and `documents` objects (a large
        run's findings are on disk: each pass reads them all); a Result given other findings
        or documents counts again."""
        if self._tally is None or self._tally[0] is not self.findings or self._tally[1] is not self.documents:
            tally = Tally.of(self.findings, {d["doc_id"] for d in self.documents})
            self._tally = (self.findings, self.documents, tally)
        return self._tally[2]

    def counts(self) -> dict[str, int]:
        """Findings by severity (`error`, `warning`, `info`)."""
        return {level: self.tally.by_severity[level] for level in ("error", "warning", "info")}

    def failing(self, fail_on: str) -> int:
        """How many findings fail the gate: at or above `fail_on` and not baselined."""
        if fail_on == "never":
            return 0
        threshold = Severity.parse(fail_on)
        return sum(n for level, n in self.tally.new_by_severity.items() if Severity.parse(level) >= threshold)

    def gating(self, fail_on: str) -> list[Finding]:
        """The findings that fail the gate (see `failing`)."""
        if fail_on == "never":
            return []
        threshold = Severity.parse(fail_on)
        return [f for f in self.findings if f.severity >= threshold and not f.baselined]


@dataclass
class Tally:
    """A run's findings counted in one pass: what the writers' summaries show."""

    by_severity: Counter = field(default_factory=Counter)  # "error" -> count
    new_by_severity: Counter = field(default_factory=Counter)  # not baselined
    baselined_by_severity: Counter = field(default_factory=Counter)
    by_rule: Counter = field(default_factory=Counter)
    new_by_rule: Counter = field(default_factory=Counter)
    worst_by_rule: dict[str, Severity] = field(default_factory=dict)
    corpus: list[Finding] = field(default_factory=list)  # about no document
    orphans: int = 0  # about a document that is not among the run's documents

    @property
    def baselined(self) -> int:
        return sum(self.baselined_by_severity.values())

    @classmethod
    def of(cls, findings: Iterable[Finding], doc_ids: set[str]) -> Tally:
        """Count `findings` (one pass); `doc_ids`: the run's documents."""
        tally = cls()
        worst = tally.worst_by_rule
        for f in findings:
            level = str(f.severity)
            tally.by_severity[level] += 1
            tally.by_rule[f.rule] += 1
            if f.baselined:
                tally.baselined_by_severity[level] += 1
            else:
                tally.new_by_severity[level] += 1
                tally.new_by_rule[f.rule] += 1
            if f.rule not in worst or f.severity > worst[f.rule]:
                worst[f.rule] = f.severity
            if not f.doc_id:
                tally.corpus.append(f)
            if f.doc_id not in doc_ids:
                tally.orphans += 1
        return tally


def complete(
    engine: Engine,
    records: list[dict],
    findings: list[Finding] | Spool,
    states: CorpusStates,
    readable: list[bool],
    traces: list[RecordTrace],
    timings: dict[str, float],
    paths: list[str],
    gate: GateOptions | None,
    t0: float,
    gx=None,
    results=None,
) -> Result:
    """Everything after the document stage (corpus, schema, expectations, gate), shared by
    the local and the Spark engine. `readable` and `traces` follow `records`. `gx`: the
    run's validator of the corpus expectations (`validate(suite, records, data_docs_dir)`
    and `done()`: `gx_worker.GxRunner`, the Spark engine's), else GX validates here.
    `findings` may be a spool: it is read back once the corpus stage has released every
    state and the expectations (whose worker process holds its own copy of the records
    table) are done.

    A run whose validator forks a child at the stage (`gx.forks_at_stage`: a long run)
    validates first: the child's table then sits beside this process as the document
    stage left it, not as the corpus stage leaves it (160 MB larger at 300,000 documents).
    The table reads no field the corpus stage sets (`duplicate_of`, `cluster`), and the
    findings are put in report order after every stage, so they come out the same."""
    records = RecordStore.of(records)
    validate_first = bool(getattr(gx, "forks_at_stage", False))
    if validate_first:
        expectation_results = _run_expectations(engine, records, findings, states, gx, timings)
    t2 = time.perf_counter()
    _run_corpus_stage(engine, records, traces, findings, states, gate)
    timings["corpus"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    ok = [i for i, good in enumerate(readable) if good]
    findings.extend(schema_stage(engine, records.select(ok), [traces[i] for i in ok], results))
    if states.spooled:
        give_back_memory()  # the schema's tables, before the gate and the writers
    timings["schema"] = time.perf_counter() - t3

    if not validate_first:
        expectation_results = _run_expectations(engine, records, findings, states, gx, timings)
    findings, documents = _gated_in_report_order(engine, records, traces, findings, gate, expectation_results)
    if results is not None:
        timings["reused_results"] = len(results.reused)
    timings["total"] = time.perf_counter() - t0
    return Result(
        config=engine.config,
        registry=engine.registry,
        documents=documents,
        findings=findings,
        timings=timings,
        paths=paths,
        expectations=expectation_results,
        traces=dict(zip(records.ids, traces)),
        unreported=_unreported(documents, gate),
    )


def _gated_in_report_order(
    engine: Engine,
    records: RecordStore,
    traces: list[RecordTrace],
    findings: list[Finding] | Spool,
    gate: GateOptions | None,
    expectation_results: list[dict[str, Any]],
) -> tuple[list[Finding] | Spool, list[dict[str, Any]] | DocumentEntries]:
    """Every stage's findings through per-file ignores and the gate, in report order, and
    the documents' entries: a large run's findings stay on disk, others come back to a list."""
    arrived = findings
    if isinstance(arrived, Spool) and len(arrived) < FINDINGS_ON_DISK_FROM:
        arrived = arrived.drain()
    gated = apply_gate(
        engine.config,
        engine.registry,
        records,
        traces,
        apply_per_file_ignores(engine.config, arrived),
        gate or GateOptions(),
        expectation_results,
    )
    with cyclic_gc_paused():  # the gate is lazy: it runs as the findings are ordered
        if isinstance(arrived, Spool):  # a large run: its findings stay on disk to the end
            ordered = sorted_spool(gated, key=Finding.sort_key, into=_findings_spool)
            arrived.close()
        else:
            ordered = in_report_order(list(gated))
        return ordered, summarise_documents(records, ordered)


def _findings_spool() -> CodedSpool:
    """A spool of findings as plain values: the writers read it several times, and a
    `Finding`'s own unpickling (which interns its strings) costs four times as much."""
    return CodedSpool(Finding.flat, Finding.from_flat)


def _unreported(documents: list[dict[str, Any]], gate: GateOptions | None) -> set[str]:
    """Documents outside --changed-since's focus: not reported on, so not "ok" either."""
    if gate is None or gate.changed is None or gate.focus is None:
        return set()
    return {d["doc_id"] for d in documents if d["doc_id"] not in gate.focus}


def _run_corpus_stage(
    engine: Engine,
    records: RecordStore,
    traces: list[RecordTrace],
    findings,
    states: CorpusStates,
    gate: GateOptions | None,
) -> None:
    """The corpus stage's findings into `findings`; every analyzer state is released after it."""
    paths_by_id = dict(zip(records.ids, records.paths))
    # --changed-since: the duplicate rules keep the committed copy and drop the one the change adds.
    engine.context.changed_ids = (
        changed_documents(records, traces, gate.changed) if gate is not None and gate.changed is not None else None
    )
    patches: dict[str, dict] = {}
    with large_allocations_reused() if states.spooled else contextlib.nullcontext():
        findings.extend(corpus_stage(engine, states, paths_by_id, patches))
    del paths_by_id
    records.apply(patches)
    states.clear()  # the largest per-document data of a run; nothing after this stage reads it
    if states.spooled:
        give_back_memory()


def _run_expectations(
    engine: Engine, records: list[dict], findings, states: CorpusStates, gx, timings: dict[str, float]
) -> list[dict[str, Any]]:
    """The expectations stage's findings into `findings` (its time into `timings`); returns
    findings.json's `expectations` entries."""
    from .expectations import expectations_stage  # imports great_expectations only if the stage runs

    started = time.perf_counter()
    expectation_findings, expectation_results = expectations_stage(engine, records, gx.validate if gx else None)
    if gx is not None:
        gx.done()
    findings.extend(expectation_findings)
    if states.spooled:
        give_back_memory()  # the table built for GX: before every finding comes back
    timings["expectations"] = time.perf_counter() - started
    return expectation_results


def corpus_stage(
    engine: Engine, states: CorpusStates, paths_by_id: dict[str, str], patches: dict[str, dict] | None = None
) -> Iterator[Finding]:
    """Run every corpus analyzer once over the collected per-document states; yield the
    findings as they come, so a large run spools them at once (duplicate findings name
    every copy: held until the end of the stage, they were most of its peak).

    `finish` yields `(rule, doc_id, hit)`, or `(rule, doc_id, hit, patch)` where `patch`
    holds record fields to set on that document (e.g. `duplicate_of`) when the rule reports:
    they are gathered by doc id into `patches` (`RecordStore.apply` sets them).
    Each analyzer takes its own states out of `states` (from disk when they were spooled)
    and drops them once it has finished, so the next analyzer's working memory can reuse theirs.
    """
    corpus_rules = {r.name: r for r in engine.registry.stage("corpus")}
    for analyzer in engine.analyzers:
        own = states.take(analyzer.name)
        rules = {n: r for n, r in corpus_rules.items() if r.analyzer is analyzer}
        planned = {"plan": engine.corpus_plans[analyzer.name]} if analyzer.name in engine.corpus_plans else {}
        for name, doc_id, hit, *patch in analyzer.finish(own, rules, engine.context, **planned):
            if name in rules:
                if patch and patch[0] and patches is not None and doc_id in paths_by_id:
                    patches.setdefault(doc_id, {}).update(patch[0])
                yield rules[name].to_finding(None, hit, doc_id=doc_id, path=paths_by_id.get(doc_id, doc_id))
        if hasattr(own, "close"):
            own.close()  # a spool: its file goes now
        del own


def schema_stage(engine: Engine, records: RecordStore, traces: list[RecordTrace], results=None) -> list[Finding]:
    """Validate the records table against the record schema (a stored result of the same
    table from `results`, when given); name each failure, at the line its field was read
    from (the records' `traces`, in the same order)."""
    from .schema import check_records

    schema_path = engine.config.schemas_path / "record.yaml"
    if not records:
        return []
    failures = check_records(records, [f for f in RECORD_FIELDS if f != "body"], str(schema_path), results)
    schema_rules = [r for r in engine.registry.rules.values() if r.stage == "schema"]
    named = [r for r in schema_rules if not r.params.get("fallback")]
    fallback = next((r for r in schema_rules if r.params.get("fallback")), None)
    findings = []
    for failure in failures:
        # A failure claimed by a named rule belongs to it, even when that rule is disabled.
        rule = next((r for r in named if r.claims(failure.column, failure.check)), fallback)
        if rule is None or rule.name not in engine.registry.enabled:
            continue
        rows = [failure.index] if failure.index is not None else range(len(records))
        for index in rows:
            trace = traces[index]
            line = trace.line_of(failure.column) or 1
            hit = Hit(
                line=line,
                column=1,
                excerpt="",
                values={
                    "column": failure.column or "(table)",
                    "check": failure.check,
                    "value": failure.failure_case,
                },
                fix=rule.fix_for(trace),
            )
            findings.append(rule.to_finding(None, hit, doc_id=records.ids[index], path=records.paths[index]))
    return findings


def apply_per_file_ignores(config: Config, findings: Iterable[Finding]) -> Iterable[Finding]:
    """Drop findings matched by `[tool.seedcheck.per-file-ignores]` (glob on doc_id or path),
    as they come."""
    if not config.per_file_ignores:
        return findings
    table = [(glob, rules if isinstance(rules, list) else [rules]) for glob, rules in config.per_file_ignores.items()]
    return (
        f
        for f in findings
        if not any(
            (fnmatch.fnmatch(f.doc_id, g) or fnmatch.fnmatch(f.path, g)) and matches(f.rule, rules)
            for g, rules in table
        )
    )


def in_report_order(findings: list[Finding]) -> list[Finding]:
    """`findings` in `Finding.sort_key` order, exactly as one stable sort gives it, without a
    key tuple for every finding at once (a large run has several per document): grouped by
    document in arrival order, each group sorted on its own."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.path, f.doc_id), []).append(f)
    findings.clear()
    for key in sorted(groups):
        group = groups.pop(key)
        group.sort(key=Finding.sort_key)
        findings.extend(group)
    return findings


def summarise_documents(records: RecordStore, findings: Iterable[Finding]) -> list[dict[str, Any]] | DocumentEntries:
    """One entry per document: id, path, status (worst new or baselined finding) and record,
    sorted by path and doc id (made as they are read when the records are compact)."""
    worst: dict[str, str] = {}
    for f in findings:
        status = "error" if f.severity == Severity.ERROR else "warning" if f.severity == Severity.WARNING else "ok"
        if STATUS_ORDER[status] > STATUS_ORDER[worst.get(f.doc_id, "ok")]:
            worst[f.doc_id] = status
    if records.compact:
        return DocumentEntries(records, worst)
    docs = []
    for rec in sorted(records, key=lambda r: (r["path"], r["doc_id"])):
        docs.append(
            {"doc_id": rec["doc_id"], "path": rec["path"], "status": worst.get(rec["doc_id"], "ok"), "record": rec}
        )
    return docs
