"""Peer: great-expectations alone validating the records table of a seedcheck run.

`python bench/peers/gx_records.py FINDINGS_JSON` prints one JSON line. The records table is
read from the `documents[].record` of the findings.json that `seedcheck check` wrote for
the same corpus (loading it is not timed); the suite mirrors `schemas/record.yaml`
(not null, unique doc_id, format in set, date and language patterns, counts >= 0) plus a
row count and a unique source_url, in an ephemeral context that writes nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from common import emit

COLUMNS = ["doc_id", "path", "format", "title", "date", "source_url", "language", "word_count", "line_count"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("findings")
    args = parser.parse_args()
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import pandas as pd

    with open(args.findings, encoding="utf-8") as fh:
        documents = json.load(fh)["documents"]
    frame = pd.DataFrame.from_records([d["record"] for d in documents], columns=COLUMNS)
    del documents
    started = time.perf_counter()
    import great_expectations as gx
    import great_expectations.expectations as gxe

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    batch = (
        context.data_sources.add_pandas(name="corpus")
        .add_dataframe_asset(name="records")
        .add_batch_definition_whole_dataframe("all")
    )
    suite = gx.ExpectationSuite(name="records")
    for column in ("doc_id", "path", "format", "title", "date", "source_url", "word_count", "line_count"):
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=column))
    for e in (
        gxe.ExpectColumnValuesToBeUnique(column="doc_id"),
        gxe.ExpectColumnValuesToBeInSet(column="format", value_set=["text", "markdown", "jsonl"]),
        gxe.ExpectColumnValuesToMatchRegex(column="date", regex=r"^\d{4}-\d{2}-\d{2}$"),
        gxe.ExpectColumnValuesToMatchRegex(column="language", regex=r"^[a-z]{2,3}$"),
        gxe.ExpectColumnValuesToBeBetween(column="word_count", min_value=0),
        gxe.ExpectColumnValuesToBeBetween(column="line_count", min_value=0),
        gxe.ExpectColumnValuesToBeUnique(column="source_url"),
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
    ):
        suite.add_expectation(e)
    suite = context.suites.add(suite)
    validation = context.validation_definitions.add(gx.ValidationDefinition(name="records", data=batch, suite=suite))
    result = validation.run(batch_parameters={"dataframe": frame}, result_format="SUMMARY")
    failed = [r.expectation_config.type for r in result.results if not r.success]
    emit({"docs": len(frame), "expectations": len(result.results), "failed": failed}, started)


if __name__ == "__main__":
    main()
