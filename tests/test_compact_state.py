"""What the main process keeps per document after the document stage: records without the
rules' private working data, and no corpus states once the corpus stage is done."""

from __future__ import annotations

from seedcheck.config import load_config
from seedcheck.pipeline import KEPT_PRIVATE_FIELDS, Engine, complete, document_stage
from seedcheck.ingest import discover

from .conftest import ROOT, SEEDS, write_doc


def test_records_keep_only_the_private_fields_read_after_the_document_stage(tmp_path):
    config = load_config(str(ROOT / "pyproject.toml"))
    engine = Engine(config)
    folder = tmp_path / "docs"
    folder.mkdir()
    # A waiver (read by the gate) and several stated dates (the rules' working data).
    text = ("Title: A statement\nDate: 2021-03-01\n"
            "Source: https://www.whitehouse.gov/briefing-room/statements-releases/2021/03/01/{}/\n\n{}"
            "Share this article on Facebook\n"
            "The president spoke on March 1, 2021 and again on March 2, 2021 about trade with partners.\n")
    write_doc(folder, "waived.txt", text.format("a", "<!-- seedcheck: ignore noise-social -- kept on purpose -->\n"))
    write_doc(folder, "plain.txt", text.format("b", ""))
    sources = list(discover([str(SEEDS), str(folder)], config.include, config.exclude))
    outcomes = list(document_stage(engine, sources, 1, lambda n: None))
    private = {k for o in outcomes for k in o.record if k.startswith("_")}
    assert private <= KEPT_PRIVATE_FIELDS
    assert {"_fs_path", "_lines", "_waivers"} <= private  # the gate, the schema and the report read these
    states = [(o.record["doc_id"], o.states) for o in outcomes]
    assert any(s for _, s in states)
    result = complete(engine, [o.record for o in outcomes], [f for o in outcomes for f in o.findings], states,
                      [o.readable for o in outcomes], {}, [str(SEEDS), str(folder)], None, 0.0)
    assert states == []  # the corpus states are let go once the corpus stage is done
    rules = {doc: {f.rule for f in result.findings if f.doc_id == doc} for doc in ("waived.txt", "plain.txt")}
    assert "noise-social" in rules["plain.txt"]
    assert not rules["waived.txt"] & {"noise-social", "unused-waiver", "invalid-waiver"}
