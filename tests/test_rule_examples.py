"""Every rule's own examples (checks/rules/**.yaml), run through the real pipeline."""

from __future__ import annotations

import pytest

from seedcheck.config import Config
from seedcheck.rules.examples import run_example
from seedcheck.rules.registry import load_specs

from .conftest import ROOT

SPECS = load_specs(Config(root=ROOT).checks_path)
CASES = [
    pytest.param(spec, i, ex, id=f"{spec.name}-{i}-{'fail' if 'fail' in ex else 'pass'}")
    for spec in SPECS for i, ex in enumerate(spec.examples)
]


@pytest.mark.parametrize("spec,index,example", CASES)
def test_rule_example(spec, index, example, tmp_path):
    outcome = run_example(spec, example, tmp_path, ROOT)
    assert outcome.ok, f"{spec.name} example {index}: {outcome.detail}"


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_every_rule_has_pass_and_fail_examples(spec):
    kinds = {"fail" if "fail" in ex else "pass" for ex in spec.examples}
    assert kinds == {"fail", "pass"}, f"{spec.name} needs at least one fail and one pass example"
