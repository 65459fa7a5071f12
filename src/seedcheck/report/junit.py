"""`junit.xml`: one test case per document, one `<failure>` per gating finding.

CI systems (GitLab, Jenkins, Azure) read JUnit XML to show which "tests" failed. Each
document is a test case; each new finding at or above `--fail-on` (errors by default)
is a `<failure>`; other findings are listed in `<system-out>` so nothing is hidden.
Corpus-level findings form a `(corpus)` test case and each corpus expectation is a test
case of its own suite. No timings are written, so the file is deterministic.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterator
from itertools import groupby
from typing import TextIO

from ..model import Finding, Severity
from .findings_json import summary
from .github import display_path
from .locations import in_text, label, record_location

FORMAT = "junit"
FILENAME = "junit.xml"

# Characters XML 1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/F).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text) -> str:
    """`text` made safe for XML 1.0: invalid characters shown as visible `\\xNN` escapes."""
    return _INVALID_XML.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}", str(text)
    )


def _where(f) -> str:
    return f"{f.line}:{f.column or 1}" if f.line else "-"


def _failure_text(result, f, record: dict | None = None) -> str:
    path = display_path(result, f.path) or "(corpus)"
    where = f"{label(path, record)} ({in_text(f) or 'record'})" if record else f"{path}:{_where(f)}"
    lines = [f"{where} {f.rule} ({f.severity}): {f.message}"]
    if f.excerpt:
        lines.append(f"  | {f.excerpt}")
    if f.fix and f.fix.description:
        lines.append(f"  fix: {f.fix.description}")
    if f.related:
        more = f" and {len(f.related) - 20} more" if len(f.related) > 20 else ""
        lines.append(f"  related: {', '.join(f.related[:20])}{more}")
    return xml_text("\n".join(lines))


def _testcase(parent, result, name: str, classname: str, file: str, findings: list, record, threshold) -> int:
    """Add one test case to `parent`; return its number of failures."""
    case = ET.SubElement(parent, "testcase", name=xml_text(name), classname=xml_text(classname))
    if file:
        case.set("file", xml_text(file))
    failing = [f for f in findings if _fails(f, threshold)]
    failing_ids = {id(f) for f in failing}
    others = [f for f in findings if id(f) not in failing_ids]
    for f in failing:
        failure = ET.SubElement(case, "failure", type=f.rule, message=xml_text(f"{f.rule}: {f.message}"))
        failure.text = _failure_text(result, f, record)
    if others:
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(_failure_text(result, f, record) + (" [baselined]" if f.baselined else "") for f in others)
    return len(failing)


def _fails(f, threshold) -> bool:
    return threshold is not None and f.severity >= threshold and not f.baselined


# The document test cases are streamed: the page around them is rendered with this empty
# element in their place, then they are written in batches between the two halves.
_SLOT = "seedcheck-testcases"
_BATCH = 256
_CASE_INDENT = "\n    "  # a test case sits two levels deep


def _document_cases(result) -> Iterator[tuple[str, str, str, list, dict | None]]:
    """(name, classname, file, findings, record location) of each document's test case,
    then of `(corpus)`. Findings come in report order, so each document's are one run of
    them, in the documents' order: the findings are read twice (a large run's are on disk)
    and only the few that are not where their document is (corpus-level, an unknown id, or
    a path other than the document's) are held."""
    path_of = {d["doc_id"]: d["path"] for d in result.documents}
    astray: dict[str, list] = defaultdict(list)
    for f in result.findings:
        if path_of.get(f.doc_id) != f.path:
            astray[f.doc_id].append(f)
    if any(doc_id in path_of for doc_id in astray):  # its other findings join it (rare)
        for f in result.findings:
            if f.doc_id in astray and path_of.get(f.doc_id) == f.path:
                astray[f.doc_id].append(f)
    for own in astray.values():  # each document's in report order again
        own.sort(key=Finding.sort_key)
    in_place = groupby((f for f in result.findings if f.doc_id not in astray), key=lambda f: f.doc_id)
    pending = next(in_place, None)
    for doc in result.documents:
        doc_id = doc["doc_id"]
        if doc_id in astray:
            own = astray[doc_id]
        elif pending is not None and pending[0] == doc_id:
            own, pending = list(pending[1]), next(in_place, None)
        else:
            own = []
        yield (doc_id, "seedcheck.documents", display_path(result, doc["path"]), own, record_location(doc["record"]))
    # Findings whose document is not in the list (corpus-level, or an unknown id) still count.
    orphans = [f for doc_id, fs in sorted(astray.items()) if doc_id not in path_of for f in fs]
    if orphans:
        yield "(corpus)", "seedcheck.corpus", "", orphans, None


def write(result, fh: TextIO, **options) -> None:
    """Write junit.xml to `fh`, the document test cases in batches."""
    fail_on = result.config.fail_on
    threshold = None if fail_on == "never" else Severity.parse(fail_on)
    root = ET.Element("testsuites", name="seedcheck")
    total_tests, total_failures = _documents_suite(root, result, threshold)
    if result.expectations:
        tests, failures = _expectations_suite(root, result.expectations)
        total_tests += tests
        total_failures += failures

    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    ET.indent(root)
    head, tail = ET.tostring(root, encoding="unicode").split(f"{_CASE_INDENT}<{_SLOT} />")
    fh.write('<?xml version="1.0" encoding="UTF-8"?>\n' + head)
    # A batch element indented one level deep puts "\n    " before each of its cases,
    # exactly as the whole tree indented at once would.
    batch = ET.Element("batch")
    for case in _document_cases(result):
        _testcase(batch, result, *case, threshold)
        if len(batch) == _BATCH:
            _write_batch(batch, fh)
            batch = ET.Element("batch")
    if len(batch):
        _write_batch(batch, fh)
    fh.write(tail + "\n")


def _documents_suite(root: ET.Element, result, threshold) -> tuple[int, int]:
    """The documents' test suite, its properties and the slot its test cases are streamed
    into; returns (tests, failures)."""
    s = summary(result)
    has_orphans = result.tally.orphans > 0
    tests = len(result.documents) + has_orphans
    failures = result.failing(result.config.fail_on)
    docs_suite = ET.SubElement(root, "testsuite", name="seedcheck.documents")
    props = ET.SubElement(docs_suite, "properties")
    for key in ("documents", "findings", "new", "baselined", "fail_on", "passed"):
        ET.SubElement(props, "property", name=key, value=str(s[key]).lower() if key == "passed" else str(s[key]))
    ET.SubElement(docs_suite, _SLOT)
    docs_suite.set("tests", str(tests))
    docs_suite.set("failures", str(failures))
    docs_suite.set("errors", "0")
    return tests, failures


def _expectations_suite(root: ET.Element, expectations: list[dict]) -> tuple[int, int]:
    """One test case per corpus expectation; returns (tests, failures)."""
    exp_suite = ET.SubElement(root, "testsuite", name="seedcheck.expectations")
    exp_failures = 0
    for exp in expectations:
        case = ET.SubElement(
            exp_suite,
            "testcase",
            name=xml_text(exp.get("name") or exp.get("expectation_type") or "expectation"),
            classname="seedcheck.expectations",
        )
        if not exp.get("success", False):
            exp_failures += 1
            unexpected = ", ".join(map(str, exp.get("unexpected_doc_ids") or [])) or "-"
            detail = (
                f"{exp.get('expectation_type', '')} on {exp.get('column') or '(table)'}: observed "
                f"{exp.get('observed_value')!r}; unexpected documents: {unexpected}"
            )
            failure = ET.SubElement(
                case,
                "failure",
                type="expectation-failed",
                message=xml_text(f"expectation {exp.get('name')} does not hold ({exp.get('severity', 'error')})"),
            )
            failure.text = xml_text(detail)
    exp_suite.set("tests", str(len(expectations)))
    exp_suite.set("failures", str(exp_failures))
    exp_suite.set("errors", "0")
    return len(expectations), exp_failures


def _write_batch(batch: ET.Element, fh: TextIO) -> None:
    ET.indent(batch, level=1)
    text = ET.tostring(batch, encoding="unicode")
    fh.write(text[len("<batch>") : -len("\n  </batch>")])


def render(result, **options) -> str:
    """The whole junit.xml document."""
    out = io.StringIO()
    write(result, out)
    return out.getvalue()
