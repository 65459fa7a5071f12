"""seedcheck: data quality validation for corpora of press releases and news articles."""

__version__ = "0.1.0"
