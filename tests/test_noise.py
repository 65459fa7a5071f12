"""The noise-* rules: the seed acceptance, position and shape, the data files, the
corpus-level boilerplate analyzer and the Zyte yardstick (skipped without ../shared)."""

from __future__ import annotations

import re
import sys

import pytest
import yaml

from .conftest import ROOT, SEEDS, SHARED, run_rules
from .conftest import write_doc as write

ZYTE = SHARED / "benchmarks" / "zyte-article-extraction"


def check(paths, select="noise-", **settings):
    return run_rules(paths, select, **settings)


@pytest.fixture(scope="module")
def seed_noise():
    result = check([SEEDS])
    by_doc: dict[str, dict[int, set[str]]] = {}
    for f in result.findings:
        by_doc.setdefault(f.doc_id[:3], {}).setdefault(f.line, set()).add(f.rule)
    return result, by_doc


def test_seed_002_noise_lines_are_flagged(seed_noise):
    _, by_doc = seed_noise
    flagged = by_doc["002"]
    text = (SEEDS / "002_ee5b3ac3389a1290.txt").read_text(encoding="utf-8").splitlines()
    expected = {
        "90.5 F": "noise-weather",
        "HomeUncategorizedReadout": "noise-navigation",
        "- Part of VUGA -digital marketing": "noise-advertising",
        "latest articles": "noise-navigation",
        "gossip news": None,
        "explore more": "noise-navigation",
        "fashion tv watch free": None,
    }
    for start, rule in expected.items():
        number = next(i for i, line in enumerate(text, 1) if line.startswith(start))
        assert number in flagged, f"line {number} ({start!r}) not flagged"
        if rule:
            assert rule in flagged[number]
    # The breadcrumb+title line and the second copy of the title are repeated titles;
    # the first copy (the title line) is not flagged at all.
    title_lines = [i for i, line in enumerate(text, 1) if line.startswith("Readout of President")]
    assert "noise-repeated-title" in flagged[2]
    assert title_lines[0] not in flagged
    assert "noise-repeated-title" in flagged[title_lines[1]]


def test_no_seed_paragraph_is_noise(seed_noise):
    _, by_doc = seed_noise
    for path in sorted(SEEDS.iterdir()):
        lines = path.read_text(encoding="utf-8").splitlines()
        flagged = by_doc.get(path.name[:3], {})
        for number, line in enumerate(lines, 1):
            if len(line.split()) >= 20:
                assert number not in flagged, f"{path.name}:{number} paragraph flagged as {flagged[number]}"
    assert set(by_doc) == {"002"}, f"noise outside 002: {sorted(by_doc)}"


def test_every_noise_finding_has_a_line_and_a_delete_fix(seed_noise):
    result, _ = seed_noise
    for f in result.findings:
        assert f.line and f.fix is not None and f.fix.delete_line, f


def test_heading_between_paragraphs_is_content_but_a_menu_at_the_top_is_not(tmp_path):
    para = "The two presidents reaffirmed the importance of close collaboration on the pandemic response."
    doc = write(
        tmp_path,
        "a.txt",
        f"World\nPolitics\nBusiness\nOpinion\n\n{para}\n\nBilateral Climate Change Cooperation\n\n{para}\n",
    )
    flagged = {f.line for f in check([doc]).findings}
    assert flagged == {1, 2, 3, 4}


def test_official_header_and_signature_blocks_are_not_navigation(tmp_path):
    para = "Thank you all very much for being here today; it is an honor to stand with you in this place."
    doc = write(
        tmp_path,
        "remarks.txt",
        f"South Court Auditorium\nEisenhower Executive Office Building\n\n2:22 P.M. EST\n\n{para}\n\n{para}\n\n"
        "Sincerely,\n\nJane Doe\nCounsel to the President\n",
    )
    assert check([doc]).findings == []


def test_lexicon_phrase_in_a_sentence_is_prose(tmp_path):
    doc = write(
        tmp_path,
        "a.txt",
        "Read more about the plan in the fact sheet released today.\n"
        "The agency updated its privacy policy and asked the public to comment on the draft.\n",
    )
    assert check([doc]).findings == []


def test_wrapped_paragraph_words_are_not_menu_items(tmp_path):
    # "more." ends a hard-wrapped sentence; it is not the menu entry "More".
    wrapped = [
        "The program will lower costs for families across the country and",
        "expand access to care in rural communities, the Secretary said, and",
        "more.",
        "",
        "The Department will publish the guidance next week for comment by the",
        "public and by the states that run their own exchanges this year.",
    ]
    doc = write(tmp_path, "w.md", "---\ntitle: Costs\n---\n" + "\n".join(wrapped) + "\n")
    assert check([doc]).findings == []


# Hard-wrapped pages whose furniture has no blank line between its lines: each junk line is
# labelled (line number: the rule that must report it); every other line is content.
WRAPPED_PAGES = {
    "courier.txt": (
        """72°F Sunny
Home > News > Politics
Sign up for our newsletter
City Council Approves New Budget for Parks and Libraries

The city council voted on Tuesday to approve a budget that adds money for
parks, libraries and road repairs across the city, after a long debate over
the cost of the new library branch in the north of the city.

Council members said the plan would be paid for by savings in other parts
of the budget and by a small increase in the fees charged for permits.

"This is a budget for everyone who lives here," the mayor said after the
vote, adding that work on the first parks would start in the spring.

Share on Facebook
Share on Twitter
Trending Now
Copyright 2024 The Daily Courier. All rights reserved.
We use cookies to improve your experience. Accept all cookies
""",
        {
            1: "noise-weather",
            2: "noise-navigation",
            3: "noise-social",
            16: "noise-social",
            17: "noise-social",
            18: "noise-navigation",
            19: "noise-legal",
            20: "noise-legal",
        },
    ),
    "harbor.txt": (
        """Cloudy, 58 F
Home / Business / Local
Get our free morning newsletter
Port Authority Hires New Director After Year-Long Search

The port authority named a new director on Monday, ending a search that took
more than a year and drew applicants from ports on three continents, and
said she would start work at the beginning of next month.

The new director ran a smaller port in the south for six years and is known
for her work on cutting the time ships wait at anchor before they unload.

Board members said they expected her to finish the expansion of the north
terminal, which is two years behind schedule and well over its budget.
Share this article
Facebook Twitter Email
Trending
© 2024 Harbor Times Media Group
This site uses cookies. Accept
""",
        {
            1: "noise-weather",
            2: "noise-navigation",
            3: "noise-social",
            15: "noise-social",
            16: "noise-social",
            17: "noise-navigation",
            18: "noise-legal",
            19: "noise-legal",
        },
    ),
}


@pytest.mark.parametrize("name", sorted(WRAPPED_PAGES))
def test_junk_run_in_hard_wrapped_text_is_split_into_lines(tmp_path, name):
    text, labels = WRAPPED_PAGES[name]
    doc = write(tmp_path, name, text)
    found = {(f.line, f.rule) for f in check([doc]).findings if f.rule != "noise-boilerplate"}
    assert found == set(labels.items())


def test_a_wrapped_line_that_ends_short_is_still_prose(tmp_path):
    # The break after "Privacy" is the wrap (the next word did not fit), so the line is not
    # a footer link, and the closing short line ends its sentence.
    wrapped = [
        "The agency said the new rules would protect the data of every user of the Privacy",
        "Policy portal and that the changes would take effect across all of its services",
        "next year.",
        "",
        "Officials said a public comment period on the draft would open in the spring and",
        "that the final text would be published after the comments had been reviewed.",
    ]
    doc = write(tmp_path, "w.txt", "\n".join(wrapped) + "\n")
    assert check([doc]).findings == []


@pytest.mark.parametrize("name", ["navigation", "advertising", "social", "legal", "weather"])
def test_noise_lexicons_are_valid(name):
    data = yaml.safe_load((ROOT / "checks" / "data" / "noise" / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict) and data
    for section in ("patterns", "readings", "measures"):
        for pattern in data.get(section) or []:
            re.compile(pattern, re.IGNORECASE)
    for section in ("lines", "phrases", "anywhere", "words"):
        for term in data.get(section) or []:
            assert isinstance(term, str) and term == term.strip().lower(), (name, section, term)


def _site_doc(i: int, domain: str, footer: str | None) -> str:
    body = f"The council met on day {i} and approved item {i} of the agenda after a long debate."
    lines = ["---", f"title: Meeting {i}", f"source_url: https://{domain}/s-{i}", "---", body]
    if footer:
        lines += ["", footer]
    return "\n".join(lines) + "\n"


def test_boilerplate_is_learned_per_domain_with_thresholds(tmp_path):
    for i in range(10):
        write(tmp_path, f"a{i}.md", _site_doc(i, "a.example.com", "Sign up for the A Example daily briefing"))
    for i in range(10):  # another site: the same line in 3 of 10 documents only
        write(
            tmp_path,
            f"b{i}.md",
            _site_doc(i, "b.example.com", "Sign up for the A Example daily briefing" if i < 3 else None),
        )
    result = check([tmp_path], select="noise-boilerplate")
    docs = {f.doc_id for f in result.findings}
    assert docs == {f"a{i}.md" for i in range(10)}
    assert all(f.line == 7 and "10 of its 10" in f.message for f in result.findings)
    # A stricter share keeps a line that only 30% of a site's documents carry.
    strict = check(
        [tmp_path], select="noise-boilerplate", rules={"noise-boilerplate": {"min_share": 0.2, "min_docs": 3}}
    )
    assert {f.doc_id for f in strict.findings} == docs | {"b0.md", "b1.md", "b2.md"}


class _ReadCounted:
    """States that count how often they are read."""

    def __init__(self, items):
        self.items, self.reads = items, 0

    def __iter__(self):
        self.reads += 1
        return iter(self.items)


@pytest.mark.parametrize(
    ("per_pass", "spill_slice", "parts"), [(1, 1, 4), (7, 3, 4), (40, 1_000_000, 256), (10_000, 1_000_000, 256)]
)
def test_boilerplate_counts_every_domains_lines_in_one_read(monkeypatch, per_pass, spill_slice, parts):
    """The common lines, their counts and the domains' sizes are those of a plain count of
    every document's keys, whether the keys fit in memory (10,000) or are spilled to disk
    by residue and counted a group of residues at a time; the states are read once."""
    from collections import Counter

    import numpy as np

    from seedcheck.corpus import boilerplate

    rng = np.random.default_rng(5)
    pool = rng.integers(0, 2**64, 30, dtype=np.uint64)  # few keys: many reach the threshold
    domain_of = ["site0.example", "site1.example", "site2.example", "small.example"]
    states = [
        (f"d{i}", boilerplate.Lines.make(domain_of[i % 3], np.unique(rng.choice(pool, 8)), [], [], []))
        for i in range(60)
    ]
    states += [("s0", boilerplate.Lines.make("small.example", pool[:5], [], [], [])), ("none", None)]
    states += [("s1", boilerplate.Lines.make("small.example", pool[:5], [], [], []))]  # 2 < min_docs
    expected = {}
    for domain in domain_of:
        mine = [state for _, state in states if state and state.domain == domain]
        counts = Counter(int(k) for state in mine for k in state.keys)
        common = {k: n for k, n in counts.items() if n >= max(3, 0.2 * len(mine))}
        if len(mine) >= 3 and common:
            expected[domain] = (common, len(mine))
    monkeypatch.setattr(boilerplate, "KEYS_PER_PASS", per_pass)
    monkeypatch.setattr(boilerplate, "SPILL_SLICE", spill_slice)
    monkeypatch.setattr(boilerplate, "PARTS", parts)
    read = _ReadCounted(states)
    found = boilerplate.common_lines(read, 3, 0.2)
    assert read.reads == 1
    assert set(expected) == {"site0.example", "site1.example", "site2.example"}
    assert found.keys() == expected.keys()
    for domain, (keys, count_of, size) in found.items():
        assert (count_of, size) == expected[domain]
        assert sorted(keys.tolist()) == sorted(count_of)


@pytest.mark.slow
def test_zyte_yardstick():
    if not (ZYTE / "html-text.json").is_file():
        pytest.skip(f"Zyte benchmark not found at {ZYTE} (../shared is not checked out)")
    sys.path.insert(0, str(ROOT / "bench" / "evals"))
    import noise_lines

    pages = noise_lines.load_pages(ZYTE)
    flags, _ = noise_lines.run_seedcheck(pages, ROOT / "bench" / "work", jobs=1)
    score = noise_lines.score(pages, flags)
    assert score["content_flagged_pct"] <= 2.0, score
    assert score["boilerplate_flagged_pct"] >= 80.0, score


def test_line_model_reads_the_features_it_names():
    """A model names its features: it reads those columns, in its order, of the rows the code
    computes; a feature the code does not compute is an error (retrain)."""
    from seedcheck.rules.detectors import noise_model

    rows = [[float(k + 1) for k in range(len(noise_model.FEATURES))]]
    names = ["bias", "log_words", "terminal"]
    model = {"features": names, "mean": [0.0, 2.0, 3.0], "scale": [1.0, 1.0, 1.0], "b2": 0.0}
    model.update(w1=[[0.0], [1.0], [0.0]], b1=[0.0], w2=[1.0])
    # log_words is column 2 (value 3.0), minus its mean 2.0: tanh(1.0) through the output unit.
    expected = 1 / (1 + 2.718281828459045**-0.7615941559557649)
    assert noise_model.probabilities(model, rows)[0] == pytest.approx(expected)
    with pytest.raises(ValueError):
        noise_model.probabilities({**model, "features": ["bias", "no_such_feature", "terminal"]}, rows)


def test_noise_detectors_repeat_no_rule_file_default():
    """A parameter default lives only in the rule file: the detectors register none."""
    from seedcheck.rules.detectors import DETECTORS

    for name in ("noise-advertising", "noise-social", "noise-legal", "noise-navigation", "noise-weather"):
        assert DETECTORS[name][1] == {}, name
    assert DETECTORS["noise-repeated-title"][1] == {}


def test_article_span_ends_where_the_comment_section_starts():
    """The article's span is where running text is densest: a furniture line the lexicons
    name ("Leave a Reply") ends it, so the comments under it lie outside."""
    from seedcheck.model import Document
    from seedcheck.rules.detectors.layout import layout
    from seedcheck.rules.detectors.noise_zone import article_span

    para = "The council voted on Tuesday to extend the program for another three years, officials said."
    comment = "I have lived here for twenty years and this is the best news I have heard in a long time."
    lines = ["Home", "News", "Sports", para, para, para, "Leave a Reply", "Jane says:", comment, "Reply"]
    lay = layout(Document(doc_id="a", path="a", format="text", lines=lines))
    assert article_span(lay, {6}) == (3, 5)
    assert article_span(lay, set()) == (3, 8)  # without the lexicon's line the comment joins the span
    assert article_span(layout(Document(doc_id="b", path="b", format="text", lines=["Home", "News"])), set()) is None


def test_a_lone_separator_between_menu_entries_is_furniture(tmp_path):
    para = "The two presidents reaffirmed the importance of close collaboration on the pandemic response."
    doc = write(tmp_path, "a.txt", f"{para}\n\n{para}\n\nShare this:\n|\nFacebook\n|\nTwitter\n")
    flagged = {f.line for f in check([doc]).findings}
    assert {5, 6, 7, 8, 9} <= flagged


def test_a_label_value_list_inside_the_article_is_not_a_menu():
    """A run of "label: value" lines between paragraphs inside the article's span is its data,
    even where the model would confirm it as a menu; a plain menu run there is still reported,
    and so is the same list outside the span or at the edge of the text."""
    from seedcheck.model import Document
    from seedcheck.rules.detectors import noise
    from seedcheck.rules.detectors.layout import layout

    params = yaml.safe_load((ROOT / "checks/rules/noise/noise-navigation.yaml").read_text())["params"]
    para = "The group stage of qualifying finished on Tuesday, and twenty teams have now booked their places."
    keyed = ["Ukraine (Group B): Third appearance", "Sweden (Group F): Seventh appearance"]
    keyed += ["Poland (Group G): Fourth appearance", "Turkey (Group H): Fifth appearance"]
    keyed += ["Belgium (Group I): Sixth appearance"]
    menu = ["World", "Politics", "Business", "Sports", "Opinion"]
    lines = [para, para, *keyed, para, *menu, para, para]
    lay = layout(Document(doc_id="a", path="a", format="text", lines=lines))
    runs = noise.shape_runs(lay, {**params, "max_words": params["shape_max_words"]})
    listed, menu_lines = set(range(2, 7)), set(range(8, 13))
    assert listed | menu_lines <= set(runs)
    scores = {i: 0.99 for i in runs}  # the model confirms every run line
    inside: dict = {}
    noise._add_runs(lay, params, runs, inside, set(), scores, lambda i: False)
    assert set(inside) == menu_lines
    outside: dict = {}
    noise._add_runs(lay, params, runs, outside, set(), scores, lambda i: True)
    assert set(outside) == listed | menu_lines
