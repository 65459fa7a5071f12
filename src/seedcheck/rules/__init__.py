"""Rules: YAML rule files (`checks/rules/**`) over a few engine kinds (`rules/kinds/`)."""

from .registry import Registry, load_specs

__all__ = ["Registry", "load_specs"]
