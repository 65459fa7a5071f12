"""The checker (`Engine`): one process's configuration, registry and context, which runs
the document stage (ingest, extract, document rules, analyzers' `collect`) on one file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .config import Config
from .context import Context
from .extract import build_record
from .facts import Facts
from .ingest import Source
from .ingest.readers import IngestOptions, iter_documents
from .model import Document, Finding, Hit, RecordTrace
from .rules.registry import Registry


@dataclass(slots=True)
class DocOutcome:
    """What the document stage returns for one document (small enough to pickle): its
    record (public fields only), findings, analyzer states, and the record's trace.

    The document rules' working data (`Facts`: every date stated in the text, the
    attribution line, ...) stays in the worker: the main process would otherwise hold it
    for every document of the run."""

    record: dict[str, Any]
    findings: list[Finding]
    states: dict[str, Any]
    readable: bool
    trace: RecordTrace


class Engine:
    """Document-stage machinery of one process: context, registry, options."""

    def __init__(self, config: Config, today: dt.date | None = None):
        self.config = config
        self.context = Context(config, today)
        self.registry = Registry.load(config, self.context)
        self.options = IngestOptions(max_file_size=config.max_file_size, **_jsonl_options(config))
        self.document_rules = self.registry.stage("document")
        self.analyzers = _analyzers(self.registry)
        self.keep_all_bodies = True  # document_stage turns it off for large runs
        # analyzer name -> what its `plan` decided from totals the Spark engine aggregated;
        # `finish` then gets it instead of recomputing it from (pruned) states.
        self.corpus_plans: dict[str, Any] = {}

    def finding(self, doc: Document, name: str, hit: Hit) -> Finding | None:
        if name not in self.registry.enabled:
            return None
        return self.registry.get(name).to_finding(doc, hit)

    def process(self, source: Source, data: bytes | None = None) -> list[DocOutcome]:
        """Ingest one file (or its bytes `data`, already read) and run the document stage
        on each of its documents."""
        outcomes = []
        for doc in iter_documents(source, self.options, data):
            facts = doc.facts = Facts(doc, self.context)
            record, trace = build_record(doc, self.context), doc.trace
            trace.fs_path = source.fs_path
            if source.unit is not None:  # a part of a shard: its record's id if another part has its id
                trace.alt_id = source.doc_id + (
                    f"#L{record['jsonl_line']}" if "jsonl_line" in record else f"#row{record.get('row')}"
                )
            if record.get("body"):
                trace.body_line = doc.body_start + doc.line_offset + 1  # what `body_lines()` numbers it
            findings = [f for name, hit in doc.hits if (f := self.finding(doc, name, hit))]
            if doc.readable:
                for rule in self.document_rules:
                    findings.extend(rule.to_finding(doc, hit) for hit in rule.check(doc))
            # Corpus analyzers may ignore lines the document rules flagged as noise.
            facts.noise_lines = frozenset(f.line for f in findings if f.rule.startswith("noise-") and f.line)
            states = {a.name: a.collect(doc, self.context) for a in self.analyzers} if doc.readable else {}
            if not self.keep_all_bodies and not findings:
                record["body"], trace.body_omitted = None, True
            doc.facts = None  # the facts refer to the document: free both now, not at a GC pass
            outcomes.append(DocOutcome(record, findings, states, doc.readable, trace))
        return outcomes


def _jsonl_options(config: Config) -> dict[str, tuple[str, ...]]:
    out = {}
    for key, value in config.jsonl.items():
        names = (value,) if isinstance(value, str) else tuple(value)
        out[f"jsonl_{key.replace('-', '_').removesuffix('_field')}"] = names
    return out


def _analyzers(registry: Registry) -> list:
    seen = {}
    for rule in registry.stage("corpus"):
        seen.setdefault(rule.analyzer.name, rule.analyzer)
    return list(seen.values())
