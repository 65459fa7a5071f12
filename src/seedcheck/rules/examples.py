"""Run a rule's own pass/fail examples (the `examples:` list of its YAML file).

An example is `fail:` or `pass:` with either a text (one document, `example.txt`), a
mapping `{name, text}` or `{name, base64}`, or `{documents: {name: text, ...}}` for
corpus rules; optional `lines:` (the lines a fail must flag) and `config:` (settings for
this example). Used by the test suite; each example runs the real pipeline.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from ..config import Config, apply
from .spec import RuleSpec


@dataclass
class ExampleOutcome:
    ok: bool
    detail: str


def _files(body) -> dict[str, bytes]:
    if isinstance(body, str):
        return {"example.txt": body.encode("utf-8")}
    if "documents" in body:
        return {name: str(text).encode("utf-8") for name, text in body["documents"].items()}
    name = body.get("name", "example.txt")
    if "base64" in body:
        return {name: base64.b64decode(body["base64"])}
    return {name: str(body.get("text", "")).encode("utf-8")}


def run_example(spec: RuleSpec, example: dict, workdir: Path, root: Path) -> ExampleOutcome:
    """Write the example's documents under `workdir`, check them with only this rule
    selected, and compare with what the example expects."""
    from ..pipeline import run

    expect_fail = "fail" in example
    body = example["fail"] if expect_fail else example["pass"]
    corpus = workdir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for name, data in _files(body).items():
        (corpus / name).write_bytes(data)
    config = Config(root=root)
    settings = {"select": [spec.name], **(body.get("config", {}) if isinstance(body, dict) else {}),
                **example.get("config", {})}
    apply(config, settings, where=f"example of {spec.name}")
    result = run(config, [str(corpus)], jobs=1)
    hits = [f for f in result.findings if f.rule == spec.name]
    if not expect_fail:
        return ExampleOutcome(not hits, "unexpected: " + "; ".join(f"{f.doc_id}:{f.line} {f.message}" for f in hits))
    if not hits:
        return ExampleOutcome(False, "expected a finding, got none")
    want = example.get("lines")
    if want is not None:
        got = sorted({f.line for f in hits})
        if not set(want) <= set(got):
            return ExampleOutcome(False, f"expected lines {want}, got {got}")
    return ExampleOutcome(True, "")
