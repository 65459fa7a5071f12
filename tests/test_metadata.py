"""Metadata extraction and rules: dates, source URLs, titles, attribution lines.

The detectors are called directly on extracted documents with their rule files' parameters,
so each rule's pass and fail cases are checked in isolation; the rule YAML examples run them
end to end.
"""

from __future__ import annotations

import datetime as dt
import functools

import pytest

from seedcheck.config import Config
from seedcheck.context import Context
from seedcheck.extract import build_record
from seedcheck.extract.dates import DateProblem, DateValue, distance_days, find_dateline, parse_date, url_date
from seedcheck.extract.urls import domain_of, is_trusted, strip_tracking, tracking_params, url_problem
from seedcheck.ingest.discover import discover
from seedcheck.ingest.readers import read_source
from seedcheck.rules import Registry

from .conftest import ROOT, SEEDS, run_rules
from .conftest import write_doc as write

TODAY = dt.date(2026, 11, 22)


def context(today: dt.date = TODAY) -> Context:
    return Context(Config(root=ROOT), today=today)


def load(tmp_path, text: str, name: str = "doc.txt"):
    """Read and extract one document written to `tmp_path/name`."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    source = next(s for s in discover([str(tmp_path)], ["*"], []) if s.doc_id == name)
    doc = read_source(source)[0]
    build_record(doc, context())
    return doc


@functools.cache
def registry() -> Registry:
    return Registry.load(Config(root=ROOT), context())


def hits(rule: str, doc, today: dt.date = TODAY, **params):
    """The hits of `rule`'s detector in `doc`, with its rule file's parameters (`params` over them)."""
    checker = registry().get(rule)
    return list(checker.function(doc, {**checker.params, **params}, context(today)))


def builtin(doc, rule: str):
    return [h for name, h in doc.hits if name == rule]


# --- dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2021-03-01", (2021, 3, 1)),
        ("'2021-03-01'", (2021, 3, 1)),
        ("2021-6-8", (2021, 6, 8)),  # single-digit month and day
        ("2021/06/08", (2021, 6, 8)),
        ("2021-03-01 18:59:26-05:00", (2021, 3, 1)),
        ("2021-03-01T23:30:00-05:00", (2021, 3, 1)),  # 04:30 UTC on 2 March: still 1 March here
        ("2021-03-01T23:30:00-0500", (2021, 3, 1)),  # offset without colon
        ("2021-03-01T00:15:00Z", (2021, 3, 1)),
        ("October 6, 2023", (2023, 10, 6)),
        ("Oct. 6, 2023", (2023, 10, 6)),
        ("Sept. 14, 2022", (2022, 9, 14)),
        ("6 October 2023", (2023, 10, 6)),
        ("8 de junio de 2021", (2021, 6, 8)),
        ("June 8", (None, 6, 8)),  # dateline without a year
        ("6/8/2021", (2021, 6, 8)),
        ("06/08/21", (2021, 6, 8)),  # two-digit year
        ("2025-07", (2025, 7, None)),
    ],
)
def test_parse_date_forms(text, expected):
    value = parse_date(text)
    assert (value.year, value.month, value.day) == expected


def test_parse_date_keeps_offset():
    assert parse_date("2021-03-01 18:59:26-05:00").offset == "-05:00"
    assert parse_date("2021-03-01T18:59:26-0500").offset == "-05:00"
    assert parse_date("2021-03-01T18:59:26Z").offset == "+00:00"


@pytest.mark.parametrize(
    "text,needle",
    [
        ("2022-02-30", "February has no day 30"),
        ("2021-02-29", "no day 29 in 2021"),
        ("2021-13-01", "month 13"),
        ("2021-04-31", "April has no day 31"),
        ("February 30, 2022", "February has no day 30"),
        ("2021-03-01 25:10:00-05:00", "impossible time"),
        ("2021-03-01 10:10:00+15:00", "impossible UTC offset"),
        ("13/45/2021", "month 13"),
        ("yesterday", "not a date"),
        ("", "not a date"),
    ],
)
def test_parse_date_rejects(text, needle):
    with pytest.raises(DateProblem, match=needle):
        parse_date(text)


def test_leap_day_is_valid():
    assert parse_date("2024-02-29").as_date() == dt.date(2024, 2, 29)


@pytest.mark.parametrize(
    "line,date",
    [
        ("WASHINGTON, Oct. 6, 2023 — The President", "Oct. 6, 2023"),
        ("MEXICO CITY, June 8 (AP) - The", "June 8"),
        ("**WASHINGTON, D.C., March 1, 2021** – Today", "March 1, 2021"),
        ("CIUDAD DE MÉXICO, 8 de junio de 2021.- El presidente", "8 de junio de 2021"),
    ],
)
def test_dateline_found(line, date):
    assert find_dateline(line)[0] == date


@pytest.mark.parametrize(
    "line",
    [
        "The President, June 8 was a good day.",  # place not in capitals
        "WASHINGTON – Today the President announced",  # no date
        "On March 1, 2021, the two leaders met.",
    ],
)
def test_dateline_not_found(line):
    assert find_dateline(line) is None


def test_url_date_day_month_and_invalid():
    assert url_date("/briefing-room/statements-releases/2023/11/17/readout/")[1] == DateValue(2023, 11, 17)
    assert url_date("/research/2025/07/measuring/")[1] == DateValue(2025, 7, None)
    assert url_date("/briefing-room/readout/")[1] is None
    with pytest.raises(DateProblem):
        url_date("/briefing-room/2022/02/30/x/")


def test_distance_granularity():
    day = DateValue(2025, 7, 31)
    assert distance_days(day, DateValue(2025, 7, None)) == 0  # inside the month
    assert distance_days(DateValue(2025, 8, 1), DateValue(2025, 7, None)) == 1
    assert distance_days(DateValue(2025, 9, 15), DateValue(2025, 7, None)) == 46
    assert distance_days(DateValue(2022, 1, 1), DateValue(None, 12, 31)) == 1  # nearest year
    assert distance_days(DateValue(2021, 6, 8), DateValue(None, 6, 18)) == 10
    assert distance_days(DateValue(None, 6, 8), DateValue(2025, 7, None)) is None


# --- URLs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.whitehouse.gov/briefing-room/statements-releases/2021/03/01/u-s-mexico-joint-declaration/",
        "http://www.gob.mx/presidencia/prensa/a?id=4&idiom=es",
        "https://example.com:8443/a%20b",
        "https://127.0.0.1/x",
        "https://[2001:db8::1]/x",
    ],
)
def test_valid_urls(url):
    assert url_problem(url) is None


@pytest.mark.parametrize(
    "url,needle",
    [
        ("www.whitehouse.gov/briefing-room/", "no scheme"),
        ("ftp://www.whitehouse.gov/x", "scheme 'ftp'"),
        ("https://", "no host"),
        ("https:///path", "no host"),
        ("https://www.white house.gov/x", "percent-encoded"),
        ("https://www.whitehouse.gov/año", "percent-encoded"),
        ("https://www.whitehouse.gov/x%2", "'%'"),
        ("https://www.whitehouse.gov:99999/x", "does not parse"),
        ("https://whitehouse/x", "no domain suffix"),
        ("https://white_house.gov/x", "invalid label"),
        ("https://-whitehouse.gov/x", "invalid label"),
        ("https://300.1.1.1/x", "not a valid IP"),
        (" https://www.whitehouse.gov/x", "spaces"),
        ("https://www.whitehouse.gov/x\u200b", "U+200B"),
    ],
)
def test_malformed_urls(url, needle):
    problem = url_problem(url)
    assert problem and needle in problem


def test_tracking_helpers_still_work():
    assert tracking_params("utm_source=x&id=4&fbclid=y&gclid=z") == ["utm_source", "fbclid", "gclid"]
    assert strip_tracking("utm_source=x&id=4&fbclid=y") == "id=4"
    assert domain_of("https://WWW.WhiteHouse.gov/x") == "whitehouse.gov"


@pytest.mark.parametrize(
    "domain,trusted",
    [
        ("whitehouse.gov", True),
        ("state.gov", True),
        ("gob.mx", True),
        ("presidente.gob.mx", True),
        ("evilgob.mx", False),
        ("gov.example.com", False),
        ("example.com", False),
        (None, False),
    ],
)
def test_is_trusted_default_list(domain, trusted):
    assert is_trusted(domain, [".gov", "gob.mx"]) is trusted


# --- titles ----------------------------------------------------------------------------


def seed(name_prefix: str):
    source = next(s for s in discover([str(SEEDS)], ["*"], []) if s.doc_id.startswith(name_prefix))
    doc = read_source(source)[0]
    build_record(doc, context())
    return doc


def test_title_skips_widget_and_glued_breadcrumb():
    doc = seed("002_")
    assert doc.record["title"] == (
        "Readout of President Joe Biden’s Meeting with President Andrés Manuel López Obrador of Mexico"
    )
    assert doc.trace.field_lines["title"] == 4  # the first of the two repeated title lines


def test_title_first_line_and_after_blank_lines():
    assert seed("004_").record["title"].startswith("Presidents of Mexico and the United States reaffirm")
    assert seed("004_").trace.field_lines["title"] == 1
    doc = seed("000_")
    assert doc.trace.field_lines["title"] == 5 and doc.record["title"].startswith("President Joe Biden hosted")


def test_frontmatter_title_nbsp(tmp_path):
    doc = load(
        tmp_path, "---\ntitle: \"Statement\u00a0on Tim\u00a0Johnson\"\ndate: '2024-10-10'\n---\n \nBody.\n", "a.md"
    )
    assert doc.record["title"] == "Statement on Tim Johnson"
    assert doc.trace.field_lines["title"] == 2


# --- seeds: the acceptance figures -------------------------------------------------------


def test_seed_records():
    r = {p: seed(p).record for p in ("000_", "001_", "002_", "003_", "004_")}
    assert r["000_"]["date"] is None and r["000_"]["source_url"] is None
    assert r["004_"]["date"] is None and r["004_"]["source_url"] is None
    assert (r["003_"]["date"], r["003_"]["date_source"], r["003_"]["source_url"]) == ("2021-06-08", "header", None)
    assert (r["002_"]["date"], r["002_"]["date_source"]) == ("2023-11-17", "canonical_url")
    assert r["002_"]["canonical_url"].startswith(
        "https://www.whitehouse.gov/briefing-room/statements-releases/2023/11/17/"
    )
    assert (r["001_"]["date"], r["001_"]["date_source"]) == ("2021-03-01", "frontmatter.date")
    assert r["001_"]["published_time"] == "2021-03-01T18:59:26-05:00"
    assert r["001_"]["source_domain"] == "whitehouse.gov"


def test_seed_001_has_no_metadata_finding():
    doc = seed("001_")
    assert not [n for n, _ in doc.hits]
    for rule in (
        "future-date",
        "date-mismatch",
        "invalid-source-url",
        "insecure-source-url",
        "tracking-parameters",
        "untrusted-source-domain",
        "syndicated-copy",
    ):
        assert hits(rule, doc) == [], rule


def test_seed_002_syndicated_copy():
    found = hits("syndicated-copy", seed("002_"))
    assert len(found) == 1 and found[0].line == 21
    assert found[0].values["url"].startswith("https://www.whitehouse.gov/")


# --- rules: pass and fail ----------------------------------------------------------------

FM = "---\ntitle: A statement\ndate: '{date}'\n{extra}---\nBody text.\n"


def test_invalid_date_hit_and_line(tmp_path):
    doc = load(tmp_path, FM.format(date="2022-02-30", extra=""), "a.md")
    found = builtin(doc, "invalid-date")
    assert len(found) == 1 and found[0].line == 3 and "February has no day 30" in found[0].values["problem"]
    assert doc.record["date"] is None
    assert not builtin(load(tmp_path, FM.format(date="2024-02-29", extra=""), "b.md"), "invalid-date")


def test_invalid_date_in_header_and_url(tmp_path):
    doc = load(tmp_path, "Date: 30 February 2022\nBody.\n")
    assert [h.line for h in builtin(doc, "invalid-date")] == [1]
    doc = load(tmp_path, "Source: https://www.whitehouse.gov/briefing-room/2022/02/30/x/\nBody.\n", "u.txt")
    assert [h.line for h in builtin(doc, "invalid-date")] == [1]


def test_future_date(tmp_path):
    doc = load(tmp_path, FM.format(date="2021-03-02", extra=""), "a.md")
    assert [h.line for h in hits("future-date", doc, today=dt.date(2021, 3, 1))] == [3]
    assert hits("future-date", doc, today=dt.date(2021, 3, 2)) == []


def test_future_date_time_zone(tmp_path):
    # 23:30 in New York on 1 March is 2 March in UTC; the document's own day is 1 March.
    doc = load(tmp_path, FM.format(date="2021-03-01", extra="published_time: 2021-03-01 23:30:00-05:00\n"), "a.md")
    assert hits("future-date", doc, today=dt.date(2021, 3, 1)) == []


def test_date_mismatch_time_zone_and_tolerance(tmp_path):
    tz = FM.format(date="2021-03-01", extra="published_time: 2021-03-01 23:30:00-05:00\n")
    assert hits("date-mismatch", load(tmp_path, tz, "a.md"), tolerance_days=0) == []
    url = "source_url: https://www.whitehouse.gov/briefing-room/statements-releases/2021/03/04/x/\n"
    doc = load(tmp_path, FM.format(date="2021-03-01", extra=url), "b.md")
    found = hits("date-mismatch", doc)
    assert [h.line for h in found] == [4] and found[0].values["days"] == 3
    assert found[0].column and doc.line_text(4)[found[0].column - 1 : found[0].end_column - 1] == "/2021/03/04/"
    assert hits("date-mismatch", doc, tolerance_days=3) == []


def test_date_mismatch_month_only_url(tmp_path):
    url = (
        "source_url: https://www.whitehouse.gov/research/2025/07/measuring/\nmodified_time: 2025-10-01 10:00:00-04:00\n"
    )
    assert hits("date-mismatch", load(tmp_path, FM.format(date="2025-07-31", extra=url), "a.md")) == []
    assert [
        h.values["days"] for h in hits("date-mismatch", load(tmp_path, FM.format(date="2025-09-01", extra=url), "b.md"))
    ] == [32]


def test_date_mismatch_dateline_without_year(tmp_path):
    ok = FM.format(date="2022-01-01", extra="").replace("Body text.", "WASHINGTON, Dec. 31 — The President spoke.")
    assert hits("date-mismatch", load(tmp_path, ok, "a.md")) == []
    bad = FM.format(date="2021-06-08", extra="").replace("Body text.", "MEXICO CITY, June 18 — The leaders met.")
    assert [h.line for h in hits("date-mismatch", load(tmp_path, bad, "b.md"))] == [5]


def test_url_rules(tmp_path):
    doc = load(tmp_path, "Source: www.whitehouse.gov/x\nBody.\n", "a.txt")
    assert [h.line for h in hits("invalid-source-url", doc)] == [1]
    assert doc.record["source_domain"] is None
    assert hits("untrusted-source-domain", doc) == []  # reported as invalid, not also untrusted

    doc = load(tmp_path, "Source: http://www.whitehouse.gov/x/?utm_source=tw&id=4&fbclid=abc\nBody.\n", "b.txt")
    assert hits("invalid-source-url", doc) == []
    insecure = hits("insecure-source-url", doc)
    assert len(insecure) == 1 and insecure[0].fix.replacement.startswith("https://www.whitehouse.gov/")
    tracking = hits("tracking-parameters", doc)
    assert tracking[0].values["params"] == "utm_source, fbclid"
    assert tracking[0].fix.replacement == "http://www.whitehouse.gov/x/?id=4"
    assert doc.line_text(1)[tracking[0].column - 1 : tracking[0].end_column - 1] == doc.record["source_url"]

    doc = load(tmp_path, "Source: https://www.gob.mx/presidencia/prensa/a?id=4\nBody.\n", "c.txt")
    for rule in ("invalid-source-url", "insecure-source-url", "tracking-parameters", "untrusted-source-domain"):
        assert hits(rule, doc) == [], rule


def test_untrusted_domain_and_configured_list(tmp_path):
    doc = load(tmp_path, "Source: https://vuga.example.com/2023/11/17/readout/\nBody.\n")
    found = hits("untrusted-source-domain", doc)
    assert len(found) == 1 and found[0].values["domain"] == "vuga.example.com"
    assert hits("untrusted-source-domain", doc, trusted=["example.com"]) == []


def test_syndicated_copy_variants(tmp_path):
    doc = load(tmp_path, "The leaders met.\n\nOriginally published at https://www.gob.mx/presidencia/prensa/a.\n")
    assert [h.line for h in hits("syndicated-copy", doc)] == [3]
    assert doc.record["canonical_url"] == "https://www.gob.mx/presidencia/prensa/a"
    doc = load(tmp_path, "The leaders met.\nWith information from the Presidency\n", "b.txt")
    assert hits("syndicated-copy", doc) == [] and doc.record["canonical_url"] is None
    assert [h.line for h in hits("syndicated-copy", doc, require_url=False)] == [2]
    doc = load(tmp_path, "The leaders met to improve information sharing.\n", "c.txt")
    assert hits("syndicated-copy", doc, require_url=False) == []


def test_bad_input_never_crashes(tmp_path):
    weird = "---\ntitle: [a, b]\ndate: {x: 1}\npublished_time: '9999-99-99'\nsource_url: 12\n---\n\n"
    doc = load(tmp_path, weird, "a.md")
    assert doc.record["date"] is None and doc.record["title"] is None
    for rule in (
        "future-date",
        "date-mismatch",
        "invalid-source-url",
        "insecure-source-url",
        "tracking-parameters",
        "untrusted-source-domain",
        "syndicated-copy",
    ):
        hits(rule, doc)


def test_title_ignores_short_repeated_menu_lines(tmp_path):
    text = "Share on Facebook\nLeaders meet in the capital to sign accord\nShare on Facebook\nBody text.\n"
    doc = load(tmp_path, text)
    assert doc.record["title"] == "Leaders meet in the capital to sign accord" and doc.trace.field_lines["title"] == 2


@pytest.mark.parametrize(
    "line,date",
    [
        ("HomeNewsWASHINGTON, Oct. 6, 2023 — The President", "Oct. 6, 2023"),
        ("72°F Clear WASHINGTON, Oct. 6, 2023 – The President", "Oct. 6, 2023"),
        ("Subscribe now MEXICO CITY, June 8 (AP) - The", "June 8"),
    ],
)
def test_dateline_after_junk_on_its_line(line, date):
    assert find_dateline(line) is None
    assert find_dateline(line, after_junk=True)[0] == date


def test_a_place_and_date_inside_a_sentence_is_no_dateline():
    assert find_dateline("He spoke in WASHINGTON, Oct. 6, 2023 and left.", after_junk=True) is None


def test_dates_found_below_junk_lines(tmp_path):
    junk = "72°F Clear\nHomeBriefing RoomStatements and Releases\nSign up for our newsletter\n"
    write(
        tmp_path,
        "a.txt",
        junk + "Date: 2023-10-06\nSource: https://www.whitehouse.gov/briefing-room/a/\n"
        "The two presidents met today in the capital.\n",
    )
    write(tmp_path, "b.txt", junk + "Menu\nSearch\nWASHINGTON, Oct. 7, 2023 — The two presidents met today.\n")
    write(tmp_path, "c.txt", "A title line\nDate: TBD\nThe two presidents met today in the capital.\n")
    result = run_rules([tmp_path], "missing-date,invalid-date")
    records = {d["doc_id"]: d["record"] for d in result.documents}
    assert (records["a.txt"]["date"], records["a.txt"]["date_source"]) == ("2023-10-06", "header")
    assert records["a.txt"]["source_url"] == "https://www.whitehouse.gov/briefing-room/a/"
    assert (records["b.txt"]["date"], records["b.txt"]["date_source"]) == ("2023-10-07", "dateline")
    assert [(f.doc_id, f.rule) for f in result.findings] == [("c.txt", "missing-date")]


def test_missing_date_proposes_the_stated_date_as_an_unsafe_fix(tmp_path):
    write(tmp_path, "a.txt", "Readout\nThe leaders met.\n\nIssued on: March 3, 2024\n")
    write(tmp_path, "b.txt", "Readout\nThe leaders met on a day no one wrote down.\n")
    write(tmp_path, "c.txt", "Readout\nThe leaders will meet on March 3, 2099.\n")
    found = {f.doc_id: f for f in run_rules([tmp_path], "missing-date").findings}
    assert found["a.txt"].fix.replacement == "Date: 2024-03-03\nReadout" and not found["a.txt"].fix.safe
    assert "line 4 (March 3, 2024)" in found["a.txt"].fix.description
    assert found["b.txt"].fix.replacement is None and found["c.txt"].fix.replacement is None
