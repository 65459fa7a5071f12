"""Rules: YAML rule files (`checks/rules/**`) over a few rule kinds (`rules/kinds/`)."""

from .registry import Registry, load_specs

__all__ = ["Registry", "load_specs"]
