"""Text hygiene rules: markup, mojibake, broken and truncated sentences, language, the
body-size rules, and the document statistics columns."""

from __future__ import annotations

import pytest

from seedcheck.extract.stats import statistics

from .conftest import SEEDS, run_rules
from .conftest import write_doc as write

TEXT_RULES = (
    "markup-html,markup-markdown,mojibake,control-characters,broken-sentence,truncated-text,"
    "empty-body,short-body,language-mismatch"
)


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
    doc = write(
        tmp_path, "m.txt", "President AndrÃ©s Manuel LÃ³pez Obrador spoke.\nClean line with López and ’ quotes.\n"
    )
    found = check([doc], select="mojibake").findings
    assert [(f.line, f.fix.replacement) for f in found] == [(1, "President Andrés Manuel López Obrador spoke.")]


def test_markdown_is_legitimate_in_markdown_documents_but_not_in_text(tmp_path):
    body = (
        "**Bilateral Climate Change Cooperation**\n\nThe leaders met [today](https://example.gov/a) in the capital.\n"
    )
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
    doc = write(
        tmp_path,
        "q.txt",
        "“We will keep working together on migration and trade,” she said. “This is a new era.\n\n"
        "“And we will meet again next year to review the progress we have made.”\n",
    )
    assert check([doc], select="broken-sentence").findings == []


def test_abbreviations_do_not_split_sentences(tmp_path):
    doc = write(tmp_path, "a.txt", "The meeting ended at 5 p.m. and the U.S. and Mexican teams left, etc. and more.\n")
    assert check([doc], select="broken-sentence").findings == []


def test_truncated_text_judges_the_last_paragraph_of_wrapped_text(tmp_path):
    good = [
        "The two leaders met in the capital today to discuss trade and migration.",
        "",
        "The leaders met in the capital. They discussed the importance of ensuring",
        "that our region's investment climate bolsters efforts to deepen economic",
        "integration and secure supply chains across the whole of North America.",
        "",
        "###",
    ]
    bad = good[:4] + ["integration and secure supply chains across North America, and to"]
    write(tmp_path, "good.md", "---\ntitle: G\n---\n" + "\n".join(good) + "\n")
    write(tmp_path, "bad.md", "---\ntitle: B\n---\n" + "\n".join(bad) + "\n")
    found = check([tmp_path], select="truncated-text").findings
    assert [(f.doc_id, f.line) for f in found] == [("bad.md", 8)]


def test_language_mismatch_follows_the_corpus_language(tmp_path):
    en = (
        "The two leaders met today in the capital to discuss migration, trade, security and climate "
        "cooperation, and agreed to meet again before the end of the year to review progress.\n"
    )
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


# --- precision on the real releases (patterns from the judged samples) -------------------


def _broken(tmp_path, text, name="q.md"):
    doc = write(tmp_path, name, "---\ntitle: T\n---\n" + text)
    return [(f.line, f.message) for f in check([doc], select="broken-sentence").findings]


def test_quotations_across_paragraphs_list_items_and_italics_pair_up(tmp_path):
    italic = (
        "Read the op-ed:\n\n*“When the deal was signed on Sunday, the experts were\nsurprised once again.*\n\n"
        "*They had predicted doom, and it did not come.*\n\n*Most of them will not admit it.”*\n"
    )
    listed = (
        "Highlights:\n\n-   “Hold on to your traditions, because that is what\n    makes a team great.”\n"
        "    *[Watch](https://example.com/1)*\n-   “You chose honor and you chose\n    service.”\n"
    )
    inner = (
        "“The report shows that firms have received a lower share, as\nits “category management” section says.\n\n"
        "The guidance will change that next year for every agency.”\n"
    )
    first_line = (
        " \n“As we have said from the beginning, access is a privilege and not a\n"
        "right. This is the most open team in history.”\n"
    )
    for i, text in enumerate((italic, listed, inner, first_line)):
        assert _broken(tmp_path, text, f"{i}.md") == [], text


def test_unpaired_quotes_are_still_reported(tmp_path):
    never_closed = (
        "He said: “Our commitment to the region is deep and lasting. We will keep\nspeaking out.\n\n"
        "The fact sheet lists the actions below for the record.\n\n“Next year,” she said.\n"
    )
    assert _broken(tmp_path, never_closed, "a.md") == [(4, "opening quote “ that is never closed")]
    assert _broken(tmp_path, "She starred in “The Adam Project “for Netflix and in “Yes Day.”\n", "b.md") == [
        (4, "opening quote “ that is never closed")
    ]
    reversed_ = _broken(tmp_path, "Fees such as the nearly $30 billion in ”junk fees” that families pay.\n", "c.md")
    assert reversed_ == [(4, "closing quote ” where a quotation opens (“ expected)")]
    prime = _broken(tmp_path, "“We are focused on lowering prices,″ the Secretary said.\n", "d.md")
    assert prime == [(4, "a double prime ″ closes the quotation instead of ”")]


def test_abbreviations_and_tweet_idioms_are_not_broken_sentences(tmp_path):
    text = (
        "Jane Roe, Esq. currently works as an attorney. We thank you for the exec. order today.\n\n"
        "They had NO PLAN.\u00a0.\u00a0.\u00a0. Which is the point. Promises kept. .@HouseGOP agrees.\n"
    )
    assert _broken(tmp_path, text) == []


def test_truncated_text_trusts_an_end_mark_and_a_closing_quote(tmp_path):
    body = (
        "The leaders met in the capital today to discuss trade and migration.\n\n"
        "They spoke for an hour. The President reaffirmed the ironclad\n"
        "commitment of the United States to the security of its partners in\n"
        "the region and beyond"
    )
    write(tmp_path, "ended.md", "---\ntitle: E\n---\n" + body + "\n\n\\###\n")
    write(tmp_path, "cut.md", "---\ntitle: C\n---\n" + body + "\n")
    write(
        tmp_path,
        "quoted.md",
        "---\ntitle: Q\n---\n" + body + ". Rep. Roe: “It is well past time our allies\n"
        "pay their fair share. The President is making sure of it. America First”\n",
    )
    found = check([tmp_path], select="truncated-text").findings
    assert [f.doc_id for f in found] == ["cut.md"]


def test_short_body_reports_placeholders_not_short_statements(tmp_path):
    write(
        tmp_path,
        "nomination.md",
        "---\ntitle: N\n---\nNOMINATION SENT TO THE SENATE:\n\n"
        "Julie A. Su, of California, to be Secretary of Labor, vice Martin Joseph\nWalsh.\n\n\\# \\# \\#\n",
    )
    write(
        tmp_path,
        "pointer.md",
        "---\ntitle: P\n---\nTo view the letter from the Physician to the President,\n"
        "visit: <https://example.gov/uploads/Letter-7.21.pdf>\n\n\\###\n",
    )
    write(
        tmp_path,
        "image.md",
        '---\ntitle: I\n---\n<figure>\n<img\nsrc="https://example.gov/memo.png"\n'
        'decoding="async" width="1162" height="1200" />\n</figure>\n',
    )
    write(
        tmp_path,
        "download.md",
        '---\ntitle: D\n---\n<a\nhref="https://example.gov/report.pdf"\nid="wp-block-file">Saving\n'
        'America’s Story</a><a\nhref="https://example.gov/report.pdf"\ndownload="">Download</a>\n',
    )
    found = sorted(f.doc_id for f in check([tmp_path], select="short-body").findings)
    assert found == ["download.md", "image.md", "pointer.md"]


def test_acronym_near_misses_by_default_foreign_acronyms_on_request(tmp_path):
    doc = write(
        tmp_path,
        "a.txt",
        "Treasury runs the State Small Business Initiative (SSBCI) this year.\n"
        "They revived the High Level Economic Dialogue (DEAN) in September.\n"
        "Students are served under the Individuals with Disabilities Education Act (IDEA) now.\n"
        "A deal between the United States and the Indonesian Maritime Security Agency (BAKAMLA) was signed.\n",
    )

    def shorts(findings):
        return [(f.line, f.message.split(")")[0].lstrip("(")) for f in findings]

    assert shorts(check([doc], select="acronym-mismatch").findings) == [(1, "SSBCI")]
    foreign = check([doc], select="acronym-mismatch", rules={"acronym-mismatch": {"foreign": True}}).findings
    assert shorts(foreign) == [(1, "SSBCI"), (2, "DEAN"), (4, "BAKAMLA")]
