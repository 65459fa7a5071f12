"""No rule can be stalled by a pathological line (catastrophic regex backtracking).

Every document-stage rule in the registry at test time (pattern, lexicon, detector, record,
...), every corpus analyzer's `collect` and the record extractors run over lines built to
make backtracking engines explode: long runs of spaces, repeated punctuation, unclosed
brackets and tags, URL-ish and date-ish runs, and one big line (1 MB; 10 MB with
SEEDCHECK_REGEX_FULL=1). Python's `re` cannot be interrupted, so each rule runs in a forked
child that reports its time per input through a pipe; a child that does not report within
the bound is killed and the rule fails the test with its name and the input that stalled it.

Run with `-s` to see the slowest (rule, input) pairs.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time

import pytest

from seedcheck.config import load_config
from seedcheck.extract import build_record
from seedcheck.model import Document
from seedcheck.pipeline import Engine

from .conftest import ROOT

# Lines of about 100k characters: a linear-time pass takes milliseconds; a backtracking
# blow-up takes minutes. The bounds leave room for a loaded 2-core CI machine.
N = 100_000
PATHOLOGICAL = {
    "100k spaces": " " * N,
    "100k spaces then x": " " * N + "x",
    "100k tabs and spaces": " \t" * (N // 2) + "!",
    "50k '.'": "." * 50_000,
    "'. ' x 50k": ". " * 50_000,
    "'!-' x 50k": "!-" * 50_000,
    "')(' x 50k": ")(" * 50_000,
    "'((' x 50k": "(" * N,
    "'a' x 100k": "a" * N,
    "'A' x 100k": "A" * N,
    "'a ' x 50k": "a " * 50_000,
    "'Abc ' x 25k": "Abc " * 25_000,
    "'A. ' x 33k": "A. " * 33_000,
    "'-' x 100k": "-" * N,
    "'*' x 100k": "*" * N,
    "'#' x 100k": "#" * N,
    "'<' x 100k": "<" * N,
    "'<a ' x 33k": "<a " * 33_000,
    "'&#' x 50k": "&#" * 50_000,
    "'\"' x 100k": '"' * N,
    "curly quotes x 100k": "\u201c\u201d" * 50_000,
    "'1' x 100k": "1" * N,
    "'2021-' x 20k": "2021-" * 20_000,
    "'1/' x 50k": "1/" * 50_000,
    "url 'a.' x 50k": "https://" + "a." * 50_000,
    "url path '/a' x 50k": "https://www.whitehouse.gov" + "/a" * 50_000 + "?",
    "'utm_' x 20k": "?utm_" * 20_000,
    "'e\\u0301' x 50k": "e\u0301" * 50_000,
    "zero-width x 100k": "\u200b" * N,
    "'Ã' x 100k": "\u00c3\u00b3" * 50_000,
    "'Read more ' x 10k": "Read more " * 10_000,
    "'. and ' x 20k": ". and " * 20_000,
    "'share ' x 20k": "share follow " * 10_000,
}
# One big line of ordinary-looking text: 1 MB by default (every rule on 10 MB takes minutes
# on 2 cores; tests/test_hostile_inputs.py runs the whole engine on a 10 MB line), 10 MB with
# SEEDCHECK_REGEX_FULL=1.
BIG_NAME = "10 MB line" if os.environ.get("SEEDCHECK_REGEX_FULL") else "1 MB line"
BIG_SIZE = 10_000_000 if BIG_NAME.startswith("10") else 1_000_000
PATHOLOGICAL[BIG_NAME] = ("Word, word. (Read more) <b>x</b> https://a.gov/ 90.5 F " * (BIG_SIZE // 50))[:BIG_SIZE]
# Hang guards, not speed targets: a linear pass over these lines takes well under a second,
# a quadratic one minutes and a backtracking one hours, so the bounds leave room for a
# loaded CI machine and still catch both (timing belongs to benchmarks).
BOUND = 30.0  # seconds per (rule, ~100k-character line)
BIG_BOUND = max(30.0, 20.0 * BIG_SIZE / 1_000_000)  # seconds per (rule, big line)

_FORK = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None


def _bound(name: str) -> float:
    return BIG_BOUND if name == BIG_NAME else BOUND


def _document(name: str, line: str) -> Document:
    # The line is the whole body, so it is also the first line (title scope), the last
    # line (bottom scope) and a frontmatter-free plain-text document.
    return Document(doc_id=name, path=name, format="text", lines=[line])


def _build_records(conn, engine: Engine, names: list[str]) -> None:
    """Child: extract the record of each named pathological document, timing each."""
    build_record(_document("warm-up", "Warm up the language model, once."), engine.context)  # lazy loads
    for name in names:
        conn.send(("start", name))
        doc = _document(name, PATHOLOGICAL[name])
        start = time.perf_counter()
        build_record(doc, engine.context)
        conn.send(("time", name, time.perf_counter() - start))
        conn.send(("doc", name, doc))
    conn.close()


def _run_rule(conn, engine: Engine, names: list[str], docs: dict, rule_name: str) -> None:
    """Child: run one rule (or analyzer) over each named document, timing each."""
    analyzers = {a.name: a for a in engine.analyzers}
    for name in names:
        doc = docs[name]
        conn.send(("start", name))
        start = time.perf_counter()
        if rule_name.startswith("collect:"):
            analyzers[rule_name[len("collect:") :]].collect(doc, engine.context)
        else:
            for _ in engine.registry.get(rule_name).check(doc):
                pass
        conn.send(("time", name, time.perf_counter() - start))
    conn.close()


def _supervise(
    target, args, names: list[str], label: str, timings: dict, failures: list, extra_wait: float = 0.0
) -> dict:
    """Run `target(conn, *args[:1], names, *args[1:])` in forked children over `names`.

    Collects the timings (and any documents sent back). A child that does not report within
    an input's bound is killed, the input is recorded as a failure, and a new child goes on
    with the inputs after it, so one stall does not hide the other measurements.
    """
    payload: dict = {}
    remaining = list(names)
    while remaining:
        parent, child = _FORK.Pipe(duplex=False)
        proc = _FORK.Process(target=target, args=(child, args[0], remaining, *args[1:]), daemon=True)
        proc.start()
        child.close()
        current, stalled = remaining[0], None
        try:
            while True:
                wait = _bound(current) + extra_wait + 5.0
                if not parent.poll(wait):
                    failures.append(f"{label}: no answer within {wait:.0f} s on input {current!r}")
                    stalled = current
                    break
                try:
                    message = parent.recv()
                except EOFError:
                    proc.join(5)
                    if proc.exitcode not in (0, None):
                        failures.append(f"{label}: child died (exit {proc.exitcode}) on input {current!r}")
                        stalled = current
                    break
                if message[0] == "start":
                    current = message[1]
                elif message[0] == "time":
                    _, name, seconds = message
                    timings[(label, name)] = seconds
                    if seconds > _bound(name):
                        failures.append(f"{label}: {seconds:.2f} s on input {name!r} (bound {_bound(name):.0f} s)")
                elif message[0] == "doc":
                    payload[message[1]] = message[2]
        finally:
            if proc.is_alive():
                proc.kill()
            proc.join(5)
            parent.close()
        remaining = remaining[remaining.index(stalled) + 1 :] if stalled else []
    return payload


@pytest.mark.slow
@pytest.mark.skipif(_FORK is None, reason="needs the fork start method to bound a non-interruptible regex")
def test_no_rule_backtracks_catastrophically():
    engine = Engine(load_config(None, start=ROOT))
    timings: dict[tuple[str, str], float] = {}
    failures: list[str] = []
    # The big line is pickled back through the pipe: allow for that.
    docs = _supervise(
        _build_records, (engine,), list(PATHOLOGICAL), "extract (build_record)", timings, failures, extra_wait=10.0
    )
    assert docs, failures
    labels = [name for name, rule in sorted(engine.registry.rules.items()) if rule.stage == "document"]
    labels += [f"collect:{a.name}" for a in engine.analyzers]
    assert labels, "the registry has no document rules to test"
    for label in labels:
        # Inputs whose extraction stalled are already failures; the rules run on the rest.
        _supervise(_run_rule, (engine, docs, label), list(docs), label, timings, failures)
    slowest = sorted(timings.items(), key=lambda kv: -kv[1])
    kinds = {name: rule.kind for name, rule in engine.registry.rules.items()}
    print(f"\nregex safety: {len(labels)} rules/analyzers + extraction x {len(PATHOLOGICAL)} inputs", file=sys.stderr)
    for (label, name), seconds in slowest[:10]:
        print(f"  {seconds:8.3f} s  {label} ({kinds.get(label, 'analyzer/extract')})  on {name}", file=sys.stderr)
    small = [kv for kv in slowest if kv[0][1] != BIG_NAME]
    if small:
        (label, name), seconds = small[0]
        print(f"  slowest on a ~100k-character line: {label} on {name}: {seconds:.3f} s", file=sys.stderr)
    if os.environ.get("SEEDCHECK_REGEX_TIMINGS"):
        import json

        with open(os.environ["SEEDCHECK_REGEX_TIMINGS"], "w", encoding="utf-8") as fh:
            json.dump(
                [{"rule": label, "input": name, "seconds": round(seconds, 4)} for (label, name), seconds in slowest],
                fh,
                indent=1,
            )
    assert not failures, "\n".join(failures)


def test_pathological_inputs_are_what_they_claim():
    # Guards the table above: a typo that shrinks an input would make the test pass vacuously.
    for name, line in PATHOLOGICAL.items():
        assert len(line) >= (BIG_SIZE if name == BIG_NAME else 50_000), name
        assert "\n" not in line and "\r" not in line, name


@pytest.mark.skipif(_FORK is None, reason="needs the fork start method")
def test_the_time_bound_catches_catastrophic_backtracking():
    """The supervisor must fail a rule that backtracks exponentially (or the test above proves nothing)."""
    from seedcheck.model import Severity
    from seedcheck.rules.kinds.pattern import PatternRule
    from seedcheck.rules.spec import RuleSpec

    engine = Engine(load_config(None, start=ROOT))
    spec = RuleSpec(
        id="SC000",
        name="probe-catastrophic",
        severity=Severity.WARNING,
        kind="pattern",
        message="x",
        docs={"what": "x", "why": "y", "fix": "z"},
        params={"patterns": ["^(a|a)*b"]},
    )
    engine.registry.rules[spec.name] = PatternRule(spec, {}, engine.context)
    name = "'a' x 100k"
    docs = {name: _document(name, PATHOLOGICAL[name][:40])}  # 2^40 paths: hours
    timings: dict = {}
    failures: list[str] = []
    start = time.perf_counter()
    _supervise(_run_rule, (engine, docs, spec.name), list(docs), spec.name, timings, failures)
    assert failures and "probe-catastrophic" in failures[0] and name in failures[0], failures
    assert time.perf_counter() - start < BOUND + 15
