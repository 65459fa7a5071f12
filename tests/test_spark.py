"""The Spark engine yields exactly the local engine's findings (pyspark + Java required)."""

from __future__ import annotations

import json
import shutil

import pytest

from .conftest import SEEDS, run_cli
from .corpus_factory import write_corpus

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'seedcheck[spark]')")
if shutil.which("java") is None:
    pytest.skip("no Java runtime for Spark (apt-get install openjdk-17-jre-headless)", allow_module_level=True)

pytestmark = pytest.mark.slow


def triples(out):
    data = json.loads((out / "findings.json").read_text())
    return sorted((f["doc_id"], f["rule"], f["line"] or 0) for f in data["findings"]), data


@pytest.mark.parametrize("corpus", ["seeds", "generated"])
def test_spark_matches_local(corpus, tmp_path):
    if corpus == "seeds":
        target = SEEDS
    else:
        target = tmp_path / "corpus"
        write_corpus(target, n=300)
    local_out, spark_out = tmp_path / "local", tmp_path / "spark"
    local = run_cli("check", str(target), "--report-dir", str(local_out), "-q", "--jobs", "2")
    spark = run_cli("check", str(target), "--report-dir", str(spark_out), "-q", "--engine", "spark", "--spark-master", "local[2]")
    assert spark.returncode == local.returncode, spark.stderr
    local_triples, local_data = triples(local_out)
    spark_triples, spark_data = triples(spark_out)
    assert spark_triples == local_triples
    assert spark_data["summary"] == local_data["summary"]
    assert len(spark_data["documents"]) == len(local_data["documents"])
