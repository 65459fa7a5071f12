"""Every rule's own examples (checks/rules/**.yaml), run through the real pipeline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from seedcheck.config import Config
from seedcheck.rules.examples import run_example
from seedcheck.rules.registry import load_specs
from seedcheck.rules.spec import RuleFileError, RuleSpec

from .conftest import ROOT

SPECS = load_specs(Config(root=ROOT).checks_path)
CASES = [
    pytest.param(spec, i, ex, id=f"{spec.name}-{i}-{'fail' if 'fail' in ex else 'pass'}")
    for spec in SPECS
    for i, ex in enumerate(spec.examples)
]


@pytest.mark.parametrize("spec,index,example", CASES)
def test_rule_example(spec, index, example, tmp_path):
    outcome = run_example(spec, example, tmp_path, ROOT)
    assert outcome.ok, f"{spec.name} example {index}: {outcome.detail}"


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_every_rule_has_pass_and_fail_examples(spec):
    kinds = {"fail" if "fail" in ex else "pass" for ex in spec.examples}
    assert kinds == {"fail", "pass"}, f"{spec.name} needs at least one fail and one pass example"


@pytest.mark.parametrize("spec", [s for s in SPECS if s.fixable], ids=[s.name for s in SPECS if s.fixable])
def test_every_fixable_rule_asserts_its_fixed_text(spec):
    assert any("fix" in ex for ex in spec.examples), f"{spec.name} is fixable: give a fail example with fix:"


def _write_rule(tmp_path, extra: str, examples: str) -> Path:
    path = tmp_path / "markup-markdown.yaml"
    path.write_text(
        "id: SC502\nname: markup-markdown\nseverity: warning\nkind: detector\n"
        + extra
        + "message: m\ndocs: {what: w, why: y, fix: f}\nexamples:\n"
        + examples,
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "extra,examples,problem",
    [
        ("", '  - fail: "x\\n"\n    fix: "y\\n"\n', "offers no fix"),
        ("fixable: maybe\n", '  - pass: "x\\n"\n', "fixable must be"),
        ("fixable: safe\n", '  - pass: "x\\n"\n    fix: "y\\n"\n', "unknown key(s) fix"),
        ("", '  - fail: "x\\n"\n    pass: "y\\n"\n', "exactly one"),
        ("", '  - fail: "x\\n"\n    message: [a]\n', "message: must be a string"),
    ],
)
def test_malformed_examples_fail_at_load(tmp_path, extra, examples, problem):
    with pytest.raises(RuleFileError, match=re.escape(problem)):
        RuleSpec.load(_write_rule(tmp_path, extra, examples))


@pytest.mark.parametrize(
    "key,value,ok",
    [
        ("fix", "The leaders met today.\n\n###\n", True),
        ("fix", "The leaders met today.\n\n\\###\n", False),  # the text before the fix
        ("message", "escaped end mark", True),
        ("message", "no such words", False),
    ],
)
def test_fix_and_message_assertions_can_fail(tmp_path, key, value, ok):
    """The runner really compares the fixed text and the message (a wrong one fails)."""
    rule = _write_rule(tmp_path, "fixable: safe\n", '  - fail: "The leaders met today.\\n\\n\\\\###\\n"\n')
    spec = RuleSpec.load(rule)
    example = {**spec.examples[0], key: value}
    assert run_example(spec, example, tmp_path / "w", ROOT).ok is ok
