"""YAML of seedcheck's own files (rule files, data files, the corpus suite), parsed by libyaml.

PyYAML's pure-Python parser took most of `seedcheck rules` and of a small run's start-up
(the rule files alone); libyaml's `CSafeLoader` builds the same objects about 7 times
faster. A file that does not parse is parsed again by the pure-Python `SafeLoader`, so
errors read as before. Document frontmatter has its own loader (ingest/frontmatter.py).
"""

from __future__ import annotations

from typing import Any

import yaml

_FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # PyYAML built without libyaml: the same, slower


def safe_load(text: str) -> Any:
    """`yaml.safe_load(text)`, by libyaml when it is available."""
    try:
        return yaml.load(text, Loader=_FAST)
    except yaml.YAMLError:
        return yaml.safe_load(text)  # raises the pure-Python parser's error (or agrees)
