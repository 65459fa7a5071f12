"""The rule kinds: every rule file names one of these in its `kind:` key.

Adding a kind means adding one module here and one line to `KINDS`.
"""

from .builtin import BuiltinRule, SchemaRule
from .corpus import CorpusRule
from .detector import DetectorRule
from .lexicon import LexiconRule
from .pattern import PatternRule
from .record import RecordRule

KINDS = {
    cls.kind: cls for cls in (BuiltinRule, SchemaRule, RecordRule, PatternRule, LexiconRule, DetectorRule, CorpusRule)
}

__all__ = ["KINDS"]
