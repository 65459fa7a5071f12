"""Execution engines: `local` (processes on one machine, pipeline.run) and `spark`.

Both run the same ingest, extraction, rule and analyzer code; an engine only decides where
the document stage runs and how corpus candidates are grouped.
"""

ENGINES = ("local", "spark")
