"""Person names: the registry (`checks/data/names.yaml`), its matcher, and name candidates.

- **Registry**: per person a canonical spelling, allowed forms and discouraged variants.
  Every form is also registered in upper case (headings); any form that differs from a
  canonical or allowed form only by diacritics is a variant of that form without being
  listed. Self-test examples (textlint-prh `specs`) run when the registry is built.
- **Matcher**: one compiled regex (a token trie, longest alternative first, so the
  longest registered form wins at each position and overlaps resolve the same way every
  run) over the document body after NFC normalisation and a length-preserving fold that
  drops diacritics. The surface text found is then looked up exactly: a canonical or
  allowed form is fine, a listed variant or a diacritic difference is a `name-variant`.
- **Candidates**: capitalised word runs ("Anthony Blinken", "Juan S. Gonzalez"), used
  for `name-misspelling` (a near miss of a registered name, by rapidfuzz Levenshtein
  distance with blocking on the first or last word) and by the `name-inconsistent`
  corpus analyzer.

The analysis of a document is computed once and shared by the `people` extractor, the
two detectors and the corpus analyzer (see `analyse`).
"""

from .analysis import Analysis, analyse
from .fold import diacritic_count, fold, nfc_with_map
from .forms import Form, NameMatch
from .registry import REGISTRY_FILE, Registry, load_registry, overlaps_taken
from .runs import ABBREVIATIONS, PARTICLES, candidate_runs

__all__ = [
    "ABBREVIATIONS",
    "PARTICLES",
    "REGISTRY_FILE",
    "Analysis",
    "Form",
    "NameMatch",
    "Registry",
    "analyse",
    "candidate_runs",
    "diacritic_count",
    "fold",
    "load_registry",
    "nfc_with_map",
    "overlaps_taken",
]
