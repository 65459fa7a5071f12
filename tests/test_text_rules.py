"""Text hygiene rules: markup, mojibake, broken and truncated sentences, language, the
body-size rules, and the document statistics columns."""

from __future__ import annotations


import pytest

from seedcheck.extract.stats import statistics

from .conftest import SEEDS, run_rules
from .conftest import write_doc as write

TEXT_RULES = ("markup-html,markup-markdown,mojibake,control-characters,broken-sentence,truncated-text,"
              "empty-body,short-body,language-mismatch")


def check(paths, select=TEXT_RULES, **settings):
    return run_rules(paths, select, **settings)


@pytest.fixture(scope="module")
def seed_findings():
    return check([SEEDS], select=TEXT_RULES + ",noise-").findings


def test_seed_001_gets_exactly_its_markup_findings(seed_findings):
    own = [(f.rule, f.line, str(f.severity)) for f in seed_findings if f.doc_id.startswith("001")]
    assert sorted(own) == [("markup-html", 60, "warning"), ("markup-markdown", 63, "warning")]
    html = next(f for f in seed_findings if f.doc_id.startswith("001") and f.rule == "markup-html")
    assert html.fix.replacement == "nd"


@pytest.mark.parametrize("prefix,line", [("000", 9), ("000", 13), ("003", 5), ("003", 11), ("003", 23)])
def test_seed_broken_sentences(seed_findings, prefix, line):
    assert any(f.rule == "broken-sentence" and f.doc_id.startswith(prefix) and f.line == line for f in seed_findings)


def test_seed_end_mark_is_info(seed_findings):
    marks = [f for f in seed_findings if f.doc_id.startswith("000") and f.rule == "markup-markdown"]
    assert [(f.line, str(f.severity)) for f in marks] == [(19, "info")]


def test_seeds_004_and_002_paragraphs_are_clean(seed_findings):
    text_rules = set(TEXT_RULES.split(","))
    assert not [f for f in seed_findings if f.doc_id.startswith("004") and f.rule in text_rules]
    assert not [f for f in seed_findings if f.doc_id.startswith("002") and f.rule in text_rules]


def test_mojibake_fix_is_the_repaired_line(tmp_path):
    doc = write(tmp_path, "m.txt", "President AndrÃ©s Manuel LÃ³pez Obrador spoke.\nClean line with López and ’ quotes.\n")
    found = check([doc], select="mojibake").findings
    assert [(f.line, f.fix.replacement) for f in found] == [(1, "President Andrés Manuel López Obrador spoke.")]


def test_markdown_is_legitimate_in_markdown_documents_but_not_in_text(tmp_path):
    body = "**Bilateral Climate Change Cooperation**\n\nThe leaders met [today](https://example.gov/a) in the capital.\n"
    md = write(tmp_path, "a.md", "---\ntitle: A\n---\n" + body)
    txt = write(tmp_path, "b.txt", body)
    found = check([md, txt], select="markup-markdown").findings
    assert {(f.doc_id, f.line) for f in found} == {("b.txt", 1), ("b.txt", 3)}


def test_html_table_in_markdown_is_one_info_finding(tmp_path):
    table = "<table>\n<tbody>\n<tr>\n<td>Goal</td>\n<td>$3.1 billion</td>\n</tr>\n</tbody>\n</table>\n"
    md = write(tmp_path, "t.md", "---\ntitle: T\n---\nThe commitments are listed below for the record.\n\n" + table)
    found = check([md], select="markup-html").findings
    assert [(f.line, str(f.severity)) for f in found] == [(6, "info")]


def test_multi_paragraph_quotation_is_not_unbalanced(tmp_path):
    doc = write(tmp_path, "q.txt", "“We will keep working together on migration and trade,” she said. “This is a new era.\n\n"
                "“And we will meet again next year to review the progress we have made.”\n")
    assert check([doc], select="broken-sentence").findings == []


def test_abbreviations_do_not_split_sentences(tmp_path):
    doc = write(tmp_path, "a.txt", "The meeting ended at 5 p.m. and the U.S. and Mexican teams left, etc. and more.\n")
    assert check([doc], select="broken-sentence").findings == []


def test_truncated_text_judges_the_last_paragraph_of_wrapped_text(tmp_path):
    good = ["The two leaders met in the capital today to discuss trade and migration.", "",
            "The leaders met in the capital. They discussed the importance of ensuring",
            "that our region's investment climate bolsters efforts to deepen economic",
            "integration and secure supply chains across the whole of North America.", "", "###"]
    bad = good[:4] + ["integration and secure supply chains across North America, and to"]
    write(tmp_path, "good.md", "---\ntitle: G\n---\n" + "\n".join(good) + "\n")
    write(tmp_path, "bad.md", "---\ntitle: B\n---\n" + "\n".join(bad) + "\n")
    found = check([tmp_path], select="truncated-text").findings
    assert [(f.doc_id, f.line) for f in found] == [("bad.md", 8)]


def test_language_mismatch_follows_the_corpus_language(tmp_path):
    en = ("The two leaders met today in the capital to discuss migration, trade, security and climate "
          "cooperation, and agreed to meet again before the end of the year to review progress.\n")
    doc = write(tmp_path, "en.txt", en)
    assert check([doc], select="language-mismatch").findings == []
    found = check([doc], select="language-mismatch", **{"corpus-language": "es"}).findings
    assert [(f.line, "'en'" in f.message) for f in found] == [(1, True)]


def test_short_and_empty_bodies(tmp_path):
    write(tmp_path, "short.txt", "The meeting was held today.\n")
    write(tmp_path, "empty.md", "---\ntitle: Nothing\n---\n")
    found = {(f.doc_id, f.rule) for f in check([tmp_path], select="short-body,empty-body").findings}
    assert found == {("short.txt", "short-body"), ("empty.md", "empty-body"), ("empty.md", "short-body")}


def test_statistics_columns():
    stats = statistics(["A sentence.", "Home", "Home", "", "Another sentence that ends here!", "# heading ..."])
    assert stats["terminal_punct_ratio"] == 0.4
    assert stats["short_line_ratio"] == 0.8
    assert stats["duplicate_line_ratio"] == 0.2
    assert stats["symbol_word_ratio"] == round(2 / 12, 4)
    assert statistics([])["terminal_punct_ratio"] is None


def test_statistics_are_record_columns_in_findings_json(tmp_path):
    result = check([SEEDS], select="empty-body")
    record = next(d["record"] for d in result.documents if d["doc_id"].startswith("002"))
    assert 0 < record["short_line_ratio"] < 1 and record["duplicate_line_ratio"] > 0
