"""Run a rule's own pass/fail examples (the `examples:` list of its YAML file).

An example is `fail:` or `pass:` with either a text (one document, `example.txt`), a
mapping `{name, text}` or `{name, base64}`, or `{documents: {name: text, ...}}` for
corpus rules; optional `lines:` (the lines a fail must flag), `config:` (settings for
this example), `message:` (a substring of one finding's message) and `fix:` (each
document's text after `seedcheck fix` with only this rule selected; with `fixable: unsafe`
the unsafe fixes are applied too). Used by the test suite; each example runs the real
pipeline and, for `fix:`, the real fixer.
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
    settings = {
        "select": [spec.name],
        **(body.get("config", {}) if isinstance(body, dict) else {}),
        **example.get("config", {}),
    }
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
    message = example.get("message")
    if message is not None and not any(message in f.message for f in hits):
        return ExampleOutcome(False, f"no message contains {message!r}: " + "; ".join(f.message for f in hits))
    if "fix" in example:
        return _check_fix(spec, example["fix"], config, corpus)
    return ExampleOutcome(True, "")


def _check_fix(spec: RuleSpec, expected, config: Config, corpus: Path) -> ExampleOutcome:
    """Apply the rule's fixes to the example's documents and compare with `expected`."""
    from ..fixer import fix_paths

    fix_paths(config, [str(corpus)], unsafe=spec.fixable == "unsafe", write=True, jobs=1)
    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    if isinstance(expected, str):
        if len(files) != 1:
            return ExampleOutcome(False, "fix: as a string needs a one-document example; give {name: text}")
        expected = {files[0].relative_to(corpus).as_posix(): expected}
    for name, want in expected.items():
        path = corpus / name
        got = path.read_bytes().decode("utf-8", errors="replace") if path.is_file() else None
        if got != want:
            return ExampleOutcome(False, f"fixed text of {name}: expected {want!r}, got {got!r}")
    return ExampleOutcome(True, "")
