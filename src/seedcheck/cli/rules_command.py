"""`seedcheck rules`: list the rules, or explain one (docs and examples)."""

from __future__ import annotations

import json

import click

from ..config import ConfigError, load_config
from .common import did_you_mean


@click.command()
@click.argument("name", required=False)
@click.option("--config", "config_file", type=click.Path(), help="Configuration file.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(name, config_file, fmt):
    """List the rules, or explain one (docs and examples)."""
    from ..rules.registry import load_specs

    config = load_config(config_file)
    specs = load_specs(config.checks_path)
    if not name:
        _list(specs, config, fmt)
        return
    spec = next((s for s in specs if s.name == name or s.id == name), None)
    if spec is None:
        raise ConfigError(f"unknown rule {name!r}{did_you_mean(name, [s.name for s in specs])} (see `seedcheck rules`)")
    severity = config.severity.get(spec.name, str(spec.severity))
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "id": spec.id,
                    "name": spec.name,
                    "severity": severity,
                    "kind": spec.kind,
                    "category": spec.category,
                    "params": spec.params,
                    "docs": spec.docs,
                    "examples": spec.examples,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    _explain(spec, severity)


def _explain(spec, severity: str) -> None:
    """One rule as text: what, why, fix, its parameters and its examples."""
    click.echo(f"{spec.name} ({spec.id}) — {severity}, kind {spec.kind}, category {spec.category}\n")
    for heading in ("what", "why", "fix"):
        click.echo(f"{heading.capitalize()}:\n  " + spec.docs[heading].replace("\n", "\n  ") + "\n")
    if spec.params:
        click.echo("Parameters (set in [tool.seedcheck.rules." + spec.name + "]):")
        for key, value in spec.params.items():
            click.echo(f"  {key} = {value!r}")
        click.echo("")
    for example in spec.examples:
        verdict = "fails" if "fail" in example else "passes"
        body = example.get("fail", example.get("pass"))
        if isinstance(body, dict) and "documents" in body:
            files = {str(k): str(v) for k, v in body["documents"].items()}
        elif isinstance(body, dict):
            files = {body.get("name", ""): "(binary)" if "base64" in body else str(body.get("text", ""))}
        else:
            files = {"": str(body)}
        click.echo(f"Example that {verdict}:")
        for filename, text in files.items():
            if filename:
                click.echo(f"  {filename}:")
            click.echo("  | " + text.rstrip("\n").replace("\n", "\n  | ") + "\n")


def _list(specs, config, fmt: str) -> None:
    """Every rule: one line each, or a JSON list."""
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "id": s.id,
                        "name": s.name,
                        "severity": config.severity.get(s.name, str(s.severity)),
                        "kind": s.kind,
                        "category": s.category,
                        "summary": s.docs["what"].splitlines()[0],
                    }
                    for s in specs
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    for s in specs:
        sev = config.severity.get(s.name, str(s.severity))
        click.echo(f"{s.id:<6} {s.name:<24} {sev:<8} {s.category:<10} {s.docs['what'].splitlines()[0]}")
