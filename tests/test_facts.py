"""`seedcheck.facts`: each shared fact is computed once per document, and per document."""

from __future__ import annotations

from seedcheck.facts import Facts, facts_of
from seedcheck.model import Document
from seedcheck.rules.detectors.layout import layout


def _doc(text: str) -> Document:
    return Document(doc_id="d", path="d.txt", format="text", lines=text.split("\n"))


def test_a_fact_is_built_once_per_document():
    calls = []

    def build(facts: Facts) -> int:
        calls.append(facts.doc.doc_id)
        return len(facts.content_lines)

    doc = _doc("one\n\ntwo")
    assert facts_of(doc).fact(build) == 2 and facts_of(doc).fact(build) == 2
    assert calls == ["d"]
    other = _doc("one")
    assert facts_of(other).fact(build) == 1 and calls == ["d", "d"]


def test_layout_is_shared_within_a_document_and_not_across():
    first, second = _doc("A line of running text that ends here."), _doc("A line of running text that ends here.")
    assert layout(first) is layout(first)
    assert layout(second) is not layout(first)
    assert facts_of(first).body_lines == [(1, "A line of running text that ends here.")]


def test_facts_of_keeps_the_context_it_is_given_later():
    doc = _doc("x")
    facts = facts_of(doc)
    assert facts.context is None
    assert facts_of(doc, "ctx") is facts and facts.context == "ctx"
