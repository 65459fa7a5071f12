"""duplicate-exact, duplicate-near and duplicate-url: normalisation, signatures, keep policy,
the seeds, and record patches (`duplicate_of`)."""

from __future__ import annotations

import pickle
import re
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seedcheck.config import Config, apply
from seedcheck.corpus.duplicates import (
    NUM_PERM,
    DupState,
    KeepInfo,
    NearPairs,
    PairScore,
    Partners,
    candidate_codes,
    fold,
    is_near,
    keep_key,
    minhash,
    near_pairs,
)
from seedcheck.corpus.urls import normalise_url
from seedcheck.pipeline import run

from .conftest import ROOT, SEEDS

OFFICIAL = [".gov"]

PARAPHRASE_A = (
    "President Joe Biden hosted Mexican President Andres Manuel Lopez Obrador on March 1 for a virtual "
    "bilateral meeting to review cooperation on migration and to advance joint efforts to promote "
    "development in Southern Mexico and Central America. Building on their positive January 22 "
    "conversation, the two Presidents reaffirmed the enduring partnership between both countries, "
    "based on mutual respect and the extraordinary bond of family and friendship.\n"
)
PARAPHRASE_B = (
    "President Joe Biden hosted Mexican President Andres Manuel Lopez Obrador on March 1 for a virtual "
    "bilateral meeting to review the cooperation on migration and advance joint efforts to promote the "
    "development of Southern Mexico and Central America. Armed with their positive conversation on "
    "January 22, the two Presidents reaffirmed the lasting partnership between the two countries, "
    "based on mutual respect and the extraordinary bond of family and friendship.\n"
)


def check(tmp_path, files: dict[str, str], select: str = "duplicate-"):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    config = Config(root=ROOT)
    apply(config, {"select": select.split(",")}, where="test")
    return run(config, [str(corpus)], jobs=1)


def by_rule(result, rule: str) -> dict[str, object]:
    return {f.doc_id: f for f in result.findings if f.rule == rule}


# --- normalisation --------------------------------------------------------------------


def test_fold_case_diacritics_punctuation_digits_whitespace():
    assert fold("Andrés Manuel  López Obrador, 2023!") == "andres manuel lopez obrador 0"
    assert fold("**Bilateral** and\tMULTILATERAL  cooperation.") == "bilateral and multilateral cooperation"
    assert fold("Año 2021", numbers=False) == "ano 2021"


def _reference_fold(text: str, numbers: bool) -> str:
    """`fold` as one regex per step (what the fast paths must equal)."""
    text = re.sub(
        r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]", "", unicodedata.normalize("NFKD", text)
    )
    text = text.casefold()
    if numbers:
        text = re.sub(r"\d+", "0", text)
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


@settings(max_examples=500, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("aZ_9 \t\n.,-'’—éſß\u0301\u00a0\u0660\u200b\ud800İ\u212aǅ٣x")) | st.text(),
    numbers=st.booleans(),
)
def test_fold_equals_one_regex_per_step(text, numbers):
    assert fold(text, numbers) == _reference_fold(text, numbers)


@pytest.mark.parametrize(
    "a,b",
    [
        ("https://www.whitehouse.gov/briefing-room/x/", "http://WhiteHouse.gov/briefing-room/x"),
        ("https://example.com/a?utm_source=feed&id=3#top", "https://example.com/a?id=3"),
        ("https://example.com:443/a/index.html", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("www.example.com/%7Euser", "https://example.com/~user"),
    ],
)
def test_normalise_url_same_page(a, b):
    assert normalise_url(a) == normalise_url(b)


@pytest.mark.parametrize(
    "a,b",
    [
        ("https://example.com/story?id=1", "https://example.com/story?id=2"),
        ("https://example.com/A", "https://example.com/a"),
        ("https://example.com:8080/a", "https://example.com/a"),
        ("https://other.com/a", "https://example.com/a"),
    ],
)
def test_normalise_url_different_pages(a, b):
    assert normalise_url(a) != normalise_url(b)


def test_normalise_url_never_raises_on_garbage():
    for bad in ("http://[::1", "", "   ", "://", "http://exa mple.com/\x00"):
        assert isinstance(normalise_url(bad), str)


# --- signatures -----------------------------------------------------------------------


def test_minhash_matches_datasketch_and_is_compact():
    from datasketch import MinHash

    hashes = np.array([5, 17, 2**32 - 1, 17, 99], dtype=np.uint32)
    reference = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int)
    reference.update_batch([int(h) for h in hashes])
    ours = minhash(hashes)
    assert ours.dtype == np.uint32 and ours.shape == (NUM_PERM,)
    assert np.array_equal(ours, reference.hashvalues.astype(np.uint32))
    many = np.random.default_rng(7).integers(0, 2**32, size=5000, dtype=np.uint64).astype(np.uint32)
    reference = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int)
    reference.update_batch([int(h) for h in many])
    assert np.array_equal(minhash(many), reference.hashvalues.astype(np.uint32))
    empty = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int).hashvalues.astype(np.uint32)
    assert np.array_equal(minhash(np.zeros(0, dtype=np.uint32)), empty)


def test_state_is_small_even_for_a_huge_document(tmp_path):
    from seedcheck.context import Context
    from seedcheck.corpus.duplicates import features
    from seedcheck.ingest import discover, read_source
    from seedcheck.ingest.readers import IngestOptions

    words = " ".join(f"word{i} Name{i} {i}" for i in range(20000))
    (tmp_path / "big.txt").write_text(words + "\n", encoding="utf-8")
    config = Config(root=ROOT)
    [source] = list(discover([str(tmp_path)], config.include, config.exclude))
    [doc] = list(read_source(source, IngestOptions()))
    state = features(doc, Context(config))
    assert state.sigs.dtype == np.uint32 and len(state.sigs) == 2 * NUM_PERM
    assert len(state.names) <= 512 and len(state.numbers) <= 512
    # 60,000 words, yet the pickled state stays a few KB (no Python object per shingle).
    assert len(pickle.dumps(state)) < 6000


# --- keep policy and verification -----------------------------------------------------


def test_keep_policy_order():
    gov = KeepInfo("whitehouse.gov", False, "2021-03-05", 10)
    canonical = KeepInfo("example.com", True, "2021-03-09", 10)
    early = KeepInfo("example.com", False, "2021-03-01", 10)
    long_ = KeepInfo("example.com", False, "2021-03-01", 99)
    order = sorted(
        [("d", long_), ("c", early), ("b", canonical), ("a", gov)], key=lambda x: keep_key(x[0], x[1], OFFICIAL)
    )
    assert [d for d, _ in order] == ["a", "b", "d", "c"]
    # ties fall back to the document id, so the decision is deterministic
    same = KeepInfo("example.com", False, "2021-03-01", 10)
    assert min(["z", "y"], key=lambda d: keep_key(d, same, OFFICIAL)) == "y"


def test_is_near_needs_text_and_specifics():
    params = {"word_jaccard": 0.5, "gram_jaccard": 0.2, "containment": 0.8, "numbers": 0.95, "names": 0.85}
    assert is_near(PairScore(0.71, 0.48, 0.66, 1.0, 0.89), params)  # seeds 000/001
    assert not is_near(PairScore(0.91, 0.93, 0.97, 0.86, 0.91), params)  # Texas/Louisiana template
    assert not is_near(PairScore(0.21, 0.01, 0.02, 1.0, 1.0), params)  # same topic, other text
    assert is_near(PairScore(0.25, 0.2, 0.95, 1.0, 1.0), params)  # short copy in a long page


# --- end to end -----------------------------------------------------------------------


def test_seeds_only_000_and_001_are_duplicates(tmp_path):
    config = Config(root=ROOT)
    apply(config, {"select": ["duplicate-"]}, where="test")
    result = run(config, [str(SEEDS)], jobs=1)
    pairs = {(f.rule, f.doc_id, tuple(f.related)) for f in result.findings}
    a, b = "000_f62a7832fdddf652.txt", "001_734a040c977d42aa.txt"
    assert pairs == {("duplicate-near", a, (b,)), ("duplicate-near", b, (a,))}
    # 001 is on the official domain: 000 is the copy to drop.
    records = {d["doc_id"]: d["record"] for d in result.documents}
    assert records[a]["duplicate_of"] == b and records[b]["duplicate_of"] is None
    message = next(f.message for f in result.findings if f.doc_id == a)
    assert "word-set Jaccard 0.7" in message and f"keep {b}" in message


def test_exact_copy_with_other_markup_and_noise_lines(tmp_path):
    result = check(
        tmp_path,
        {
            "a.md": "---\ntitle: T\nsource_url: https://www.whitehouse.gov/x/\ndate: '2021-06-01'\n---\n"
            "The President welcomed the leaders to the summit.\nThey agreed to meet again next year.\n",
            "b.txt": "Source: https://aggregator.example.com/x\n"
            "THE PRESIDENT WELCOMED THE LEADERS TO THE SUMMIT!\n\nThey agreed to meet again, next year.\n"
            "gossip news\nfashion tv watch free\n",
            "c.txt": "The President welcomed the ministers to the summit.\n",
        },
        select="duplicate-exact,noise-",
    )
    exact = by_rule(result, "duplicate-exact")
    assert set(exact) == {"a.md", "b.txt"}
    assert exact["b.txt"].related == ["a.md"] and "official domain" in exact["b.txt"].message
    assert exact["b.txt"].fix is not None and "a.md" in exact["b.txt"].fix.description
    records = {d["doc_id"]: d["record"] for d in result.documents}
    assert records["b.txt"]["duplicate_of"] == "a.md"


def test_numbers_are_not_folded_by_default(tmp_path):
    files = {
        "a.txt": "Notice on the continuation of the national emergency, 2021.\n",
        "b.txt": "Notice on the continuation of the national emergency, 2022.\n",
    }
    assert not by_rule(check(tmp_path, files), "duplicate-exact")


def test_paraphrase_is_near_and_template_is_not(tmp_path):
    texas = (
        "Today, President Joseph R. Biden, Jr. declared that an emergency exists in the State of Texas and "
        "ordered Federal assistance to supplement State and local response efforts due to the emergency "
        "conditions resulting from Hurricane Beryl beginning on July 5, 2024, and continuing.\n"
    )
    result = check(
        tmp_path,
        {
            "a.txt": PARAPHRASE_A,
            "b.txt": PARAPHRASE_B,
            "tx.txt": texas,
            "la.txt": texas.replace("Texas", "Louisiana").replace("Beryl", "Francine").replace("July 5", "September 9"),
        },
    )
    near = by_rule(result, "duplicate-near")
    assert set(near) == {"a.txt", "b.txt"}
    assert not by_rule(result, "duplicate-exact")


def test_short_copy_inside_long_page_is_near(tmp_path):
    filler = " ".join(
        f"Paragraph {i} of the page talks about the regional economy, the harbour works "
        f"and the schools of district {i}."
        for i in range(8)
    )
    result = check(
        tmp_path,
        {
            "short.txt": PARAPHRASE_A,
            "long.txt": filler + "\n\n" + PARAPHRASE_A + "\n" + filler.replace("Paragraph", "Section") + "\n",
        },
    )
    near = by_rule(result, "duplicate-near")
    assert set(near) == {"short.txt", "long.txt"}
    assert "containment" in near["short.txt"].message


def test_duplicate_url_names_the_keeper(tmp_path):
    result = check(
        tmp_path,
        {
            "a.txt": "Source: https://www.whitehouse.gov/briefing-room/x/\nDate: 2021-03-02\nFirst copy of the text.\n",
            "b.txt": (
                "Source: http://whitehouse.gov/briefing-room/x?utm_source=feed#top\nDate: 2021-03-01\nSecond copy.\n"
            ),
        },
        select="duplicate-url",
    )
    found = by_rule(result, "duplicate-url")
    assert set(found) == {"a.txt", "b.txt"}
    assert "keep b.txt (earlier date)" in found["a.txt"].message
    records = {d["doc_id"]: d["record"] for d in result.documents}
    assert records["a.txt"]["duplicate_of"] == "b.txt" and records["b.txt"]["duplicate_of"] is None


def test_empty_and_unreadable_documents_do_not_crash(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_text("", encoding="utf-8")
    (corpus / "blank.txt").write_text("\n\n   \n", encoding="utf-8")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 50)
    (corpus / "ok.txt").write_text("One line.\n", encoding="utf-8")
    config = Config(root=ROOT)
    apply(config, {"select": ["duplicate-"]}, where="test")
    result = run(config, [str(corpus)], jobs=1)
    assert not [f for f in result.findings if f.rule.startswith("duplicate-")]


NEAR_PARAMS = {
    "min_words": 25,
    "lsh_threshold": 0.45,
    "word_jaccard": 0.5,
    "gram_jaccard": 0.2,
    "containment": 0.8,
    "containment_lsh_threshold": 0.3,
    "numbers": 0.95,
    "names": 0.85,
}


def test_near_pairs_skips_exact_twins():
    sig = np.arange(2 * NUM_PERM, dtype=np.uint32)
    empty = np.zeros(0, dtype=np.uint32)
    info = KeepInfo("", False, "", 10)
    state = DupState(1, 1, 100, (80, 98), sig, empty, empty, 1, info, "")
    params = NEAR_PARAMS
    assert near_pairs([("a", state), ("b", state)], params, {"a": 1, "b": 1}).as_dict() == {}
    assert set(near_pairs([("a", state), ("b", state)], params, {}).as_dict()) == {"a", "b"}


def test_lsh_candidate_pairs_are_what_datasketch_returns():
    from datasketch import LeanMinHash, MinHashLSH

    from seedcheck.corpus.duplicates import candidate_codes

    rng = np.random.default_rng(3)
    base = rng.integers(0, 2**32, size=(40, NUM_PERM), dtype=np.uint64).astype(np.uint32)
    rows = [base]
    for share in (0.9, 0.6, 0.4, 0.2):  # copies of the first rows that keep `share` of the values
        copy = base[:10].copy()
        mask = rng.random(copy.shape) > share
        copy[mask] = rng.integers(0, 2**32, size=int(mask.sum()), dtype=np.uint64).astype(np.uint32)
        rows.append(copy)
    sigs = np.concatenate(rows)
    for threshold in (0.3, 0.45, 0.8):
        lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        lean = [LeanMinHash(seed=1, hashvalues=row, scheme="affine32") for row in sigs]
        for i, m in enumerate(lean):
            lsh.insert(i, m)
        expected = {(i, j) for i, m in enumerate(lean) for j in lsh.query(m) if j > i}
        found = {divmod(int(code), len(sigs)) for code in candidate_codes(sigs, threshold)}
        assert found == expected and expected  # the planted copies make some candidates
    assert not len(candidate_codes(base[:5], 0.8)) and not len(candidate_codes(base[:0], 0.45))  # nothing shared


def test_known_band_parameters_are_datasketchs():
    from datasketch import MinHashLSH

    from seedcheck.corpus.duplicates import _KNOWN_BANDS, band_ranges

    for (threshold, num_perm), (b, r) in _KNOWN_BANDS.items():
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        assert (lsh.b, lsh.r) == (b, r)
        assert band_ranges(threshold, num_perm) == list(lsh.hashranges)
    assert band_ranges(0.6, 64) == list(MinHashLSH(threshold=0.6, num_perm=64).hashranges)  # not in the table


def test_state_table_grows_for_input_of_unknown_length():
    # The Spark engine hands `finish` pruned states as an iterator (no len): the table grows,
    # also when many signature-less states (empty bodies) come first.
    from seedcheck.corpus.duplicates import StateTable

    info = KeepInfo("whitehouse.gov", True, "2024-01-01", 10)
    empty = np.zeros(0, dtype=np.uint32)
    blank = DupState(None, None, 0, (0, 0), empty, empty, empty, 1, info, "")
    full = [DupState(i, i, 30, (30, 28), np.full(8, i + 1, np.uint32), empty, empty, 1, info, "x") for i in range(3000)]
    states = [(f"e{i}", blank) for i in range(1500)] + [(f"d{i}", s) for i, s in enumerate(full)]
    table = StateTable(iter(states))
    assert len(table) == 4500 and table.sigs.shape == (4500, 8)
    assert not table.has_sigs[:1500].any() and table.has_sigs[1500:].all()
    every = table.sigs.columns(0, 8)
    assert (every[1500:, 0] == np.arange(1, 3001)).all() and not every[:1500].any()
    listed = StateTable(states)
    assert (listed.sigs.columns(0, 8) == every).all() and listed.ids == table.ids


def test_state_table_on_disk_reads_what_it_holds_in_memory(monkeypatch):
    """A large corpus's signatures, excerpts and titles go to temporary files: every read
    (a band of chosen rows over many blocks, rows in any order, texts with a lone
    surrogate) gives what the table in memory gives, and the near pairs are the same."""
    from seedcheck.corpus import dup_table
    from seedcheck.corpus.duplicates import StateTable

    monkeypatch.setattr(dup_table, "BLOCK_BYTES", 3 * 2 * NUM_PERM * 4)  # three rows per block
    rng = np.random.default_rng(5)
    info = KeepInfo("example.org", False, "2024-01-01", 10)
    empty = np.zeros(0, dtype=np.uint32)
    base = rng.integers(0, 2**32, size=(30, 2 * NUM_PERM), dtype=np.uint64).astype(np.uint32)
    base[10:20] = base[:10]  # copies, so there are pairs
    base[10:20, ::7] += 1
    states = [("blank", DupState(None, None, 0, (0, 0), empty, empty, empty, 1, info, "", ""))]
    for n, sig in enumerate(base):
        text = f"line {n} \ud800 é"
        numbers = np.unique(rng.integers(0, 12, size=int(rng.integers(0, 6)))).astype(np.uint32)
        names = np.unique(rng.integers(0, 2**32 - 1, size=n % 4, dtype=np.uint64)).astype(np.uint32)
        state = DupState(n, n + 1, 60, (50, 55), sig, numbers, names, n + 2, info, text, text[::-1])
        states.append((f"d{n:02}", state))
    memory, disk = StateTable(states, on_disk=False), StateTable(states, on_disk=True)
    a, b = np.triu_indices(31, k=1)
    for kind in ("numbers", "names"):
        assert (disk.containments(kind, a, b) == memory.containments(kind, a, b)).all()
    assert all(
        (disk.numbers(i) == s.numbers).all() and (disk.names(i) == s.names).all() for i, (_, s) in enumerate(states)
    )
    rows = np.array([2, 3, 5, 17, 30])
    assert (disk.sigs.columns(5, 11, rows) == memory.sigs.columns(5, 11, rows)).all()
    assert (disk.sigs.columns(0, 2 * NUM_PERM) == memory.sigs.columns(0, 2 * NUM_PERM)).all()
    shuffled = np.array([30, 1, 1, 0, 12])
    assert (disk.sigs.take(shuffled) == memory.sigs.take(shuffled)).all() and disk.sigs.take(shuffled)[3].sum() == 0
    assert [disk.excerpt[i] for i in range(31)] == [memory.excerpt[i] for i in range(31)]
    assert [disk.title[i] for i in range(31)] == [memory.title[i] for i in range(31)] and disk.title[7] == states[7][
        1
    ].title
    assert (disk.exact == memory.exact).all() and list(disk.has_exact) == [False] + [True] * 30
    assert list(disk.line) == list(memory.line) == [1] + list(range(2, 32))
    params = dict(NEAR_PARAMS, names=0.0, numbers=0.0)
    pairs = near_pairs(disk, params).as_dict()
    assert pairs == near_pairs(memory, params).as_dict() and len(pairs) >= 20
    disk.close()


# --- templated siblings, keep choice, clusters -------------------------------------------


def _md(title: str, date: str, body: str, url: str | None = None) -> str:
    head = f"---\ntitle: '{title}'\ndate: '{date}'\n" + (f"source_url: {url}\n" if url else "") + "---\n"
    return head + body


NOTICE = (
    "The national emergency declared in Executive Order 13405 of June 16, 2006, with respect to the actions "
    "and policies of certain members of the Government of Belarus and other persons to undermine democratic "
    "processes or institutions of Belarus must continue in effect beyond June 16. Therefore I am continuing "
    "for 1 year the national emergency declared in Executive Order 13405.\n"
)


def test_title_slot_and_days_apart():
    from seedcheck.corpus.siblings import days_apart, title_slot

    assert title_slot("nomination sent to the senate", "withdrawal sent to the senate") == ("nomination", "withdrawal")
    assert title_slot("fact sheet addresses risks from jenner block", "fact sheet addresses risks from susman godfrey")
    # A new version (words added) and a by/from wording are not another event.
    assert (
        title_slot("fact sheet bipartisan infrastructure deal", "updated fact sheet bipartisan infrastructure deal")
        is None
    )
    assert (
        title_slot("statement by nsc spokesperson on the launch", "statement from nsc spokesperson on the launch")
        is None
    )
    assert title_slot("same title here", "same title here") is None
    assert title_slot(
        "approves florida emergency declaration", "approves the seminole tribe of florida emergency declaration"
    )
    assert (
        title_slot("fact sheet historic infrastructure deal", "updated fact sheet infrastructure investment act")
        is None
    )
    assert days_apart("2021-06-08", "2022-06-13") == 370 and days_apart("", "2022-01-01") is None


def test_yearly_notice_and_other_launch_are_siblings_not_duplicates(tmp_path):
    result = check(
        tmp_path,
        {
            "notice-2021.md": _md("Notice on Belarus", "2021-06-08", NOTICE),
            "notice-2022.md": _md(
                "Notice on Belarus", "2022-06-13", NOTICE.replace("June 16. Therefore", "June 16, 2022. Therefore")
            ),
            "repost.md": _md("Notice on Belarus", "2021-06-09", NOTICE),
        },
        select="duplicate-,templated-sibling",
    )
    exact, near, sib = (by_rule(result, r) for r in ("duplicate-exact", "duplicate-near", "templated-sibling"))
    assert sorted(exact) == ["notice-2021.md", "repost.md"]  # the re-post a day later is a copy
    assert "notice-2022.md" not in near
    assert "notice-2022.md" in sib and "days apart" in sib["notice-2022.md"].message
    assert str(sib["notice-2022.md"].severity) == "info" and sib["notice-2022.md"].fix is None


def test_identical_bodies_far_apart_are_siblings(tmp_path):
    body = PARAPHRASE_A
    result = check(
        tmp_path,
        {
            "a.md": _md("Statement on the launch", "2023-02-18", body),
            "b.md": _md("Statement on the launch", "2023-03-15", body),
            "c.md": _md("Statement on the launch", "2024-10-30", body),
        },
        select="duplicate-,templated-sibling",
    )
    assert by_rule(result, "duplicate-exact") == {}
    assert sorted(by_rule(result, "templated-sibling")) == ["a.md", "b.md", "c.md"]


def test_name_swapped_in_title_is_a_sibling(tmp_path):
    jenner = PARAPHRASE_A.replace("Mexican", "Jenner")
    result = check(
        tmp_path,
        {
            "jenner.md": _md("Fact Sheet: Addresses Risks from Jenner", "2025-03-25", jenner),
            "susman.md": _md(
                "Fact Sheet: Addresses Risks from Susman", "2025-03-27", PARAPHRASE_B.replace("Mexican", "Jenner")
            ),
        },
        select="duplicate-,templated-sibling",
    )
    assert by_rule(result, "duplicate-near") == {}
    assert "titles differ" in by_rule(result, "templated-sibling")["jenner.md"].message


def test_paraphrase_from_other_source_is_still_near(tmp_path):
    result = check(
        tmp_path,
        {
            "a.md": _md("Joint Declaration", "2021-03-01", PARAPHRASE_A, "https://www.whitehouse.gov/x/joint/"),
            "b.md": _md("Declaration", "2021-03-03", PARAPHRASE_B, "https://news.example.com/joint-declaration"),
        },
    )
    near = by_rule(result, "duplicate-near")
    assert sorted(near) == ["a.md", "b.md"]
    assert near["a.md"].cluster["id"] == near["b.md"].cluster["id"]
    assert near["b.md"].cluster["keeper"] == "a.md" and near["b.md"].cluster["reason"] == "official domain"
    assert near["a.md"].cluster["similarity"]["b.md"] >= 0.5
    assert near["a.md"].to_json()["cluster"]["id"] == near["a.md"].cluster["id"]
    assert result.documents[0]["record"]["cluster"] == near["a.md"].cluster["id"]


def test_keep_prefers_descriptive_url():
    from seedcheck.corpus.keep import descriptive

    assert not descriptive("https://www.whitehouse.gov/briefings-statements/2025/05/11929/")
    assert not descriptive("https://www.whitehouse.gov/briefings-statements/2025/08/auto-draft-2708/")
    assert not descriptive("2025-08-15-auto-draft-2708.md")
    assert not descriptive("https://www.whitehouse.gov/briefings-statements/2025/05/auto-draft-4ad9/")
    assert descriptive("https://example.org/news/draft-legislation-passes-senate/")
    assert descriptive("https://www.whitehouse.gov/briefings-statements/2025/05/president-trump-welcomes-leaders/")
    opaque = KeepInfo("whitehouse.gov", True, "2025-05-08", 10, False)
    slug = KeepInfo("whitehouse.gov", True, "2025-05-08", 10, True)
    assert (
        min(
            [("2025-05-08-11929.md", opaque), ("2025-05-08-welcome.md", slug)],
            key=lambda x: keep_key(x[0], x[1], OFFICIAL),
        )[0]
        == "2025-05-08-welcome.md"
    )


def test_changed_copy_is_dropped_not_the_committed_one():
    info = KeepInfo("whitehouse.gov", True, "2021-08-20", 10)
    committed, added = "releases/2021-08-20-readout-of-the-call.md", "copy, of: readout.md"
    assert min([committed, added], key=lambda d: keep_key(d, info, OFFICIAL)) == added  # shorter id wins a tie
    assert min([committed, added], key=lambda d: keep_key(d, info, OFFICIAL, {added})) == committed


def test_identical_body_under_an_unrelated_title_stays_a_duplicate(tmp_path):
    result = check(
        tmp_path,
        {
            "remarks.md": _md("Remarks at the Military Mothers Celebration", "2025-05-08", PARAPHRASE_A),
            "auto-draft.md": _md("Welcomes Foster and Adoptive Families", "2025-05-30", PARAPHRASE_A),
        },
        select="duplicate-,templated-sibling",
    )
    assert sorted(by_rule(result, "duplicate-exact")) == ["auto-draft.md", "remarks.md"]
    assert by_rule(result, "templated-sibling") == {}


def test_changed_since_drops_the_added_copy(tmp_path):
    import os

    from seedcheck.gate import GateOptions

    corpus = tmp_path / "corpus"
    (corpus / "releases").mkdir(parents=True)
    committed = corpus / "releases" / "2021-08-20-readout-of-the-call-with-prime-minister-draghi.md"
    added = corpus / "copy, of: draghi%call.md"
    committed.write_text(PARAPHRASE_A, encoding="utf-8")
    added.write_text(PARAPHRASE_A, encoding="utf-8")
    config = Config(root=ROOT)
    apply(config, {"select": ["duplicate-"]}, where="test")
    result = run(config, [str(corpus)], jobs=1, gate=GateOptions(changed={os.path.realpath(added)}))
    found = by_rule(result, "duplicate-exact")
    assert list(found) == ["copy, of: draghi%call.md"]  # the focus reports the changed file only
    finding = found["copy, of: draghi%call.md"]
    assert finding.fix.description.startswith("remove this document")
    assert "already in the corpus" in finding.message and finding.cluster["keeper"].startswith("releases/")


def test_batched_set_containment_equals_the_pairwise_one():
    """`StateTable.containments` (every pair at once) gives exactly `set_containment` per
    pair, empty sets (1.0) and disjoint ones (0.0) included."""
    import numpy as np

    from seedcheck.corpus.dup_lsh import StateTable
    from seedcheck.corpus.dup_signatures import DupState, set_containment
    from seedcheck.corpus.keep import KeepInfo

    rng = np.random.default_rng(3)
    states = []
    for n in range(40):
        numbers = np.unique(rng.integers(0, 30, size=int(rng.integers(0, 12)))).astype(np.uint32)
        names = np.unique(rng.integers(2**31, 2**32 - 1, size=int(rng.integers(0, 5)))).astype(np.uint32)
        if n < 2:  # at least two documents without numbers or names
            numbers, names = numbers[:0], names[:0]
        keep = KeepInfo(domain="", canonical=False, date="", length=1)
        state = DupState(None, None, 50, (10, 10), np.zeros(0, np.uint32), numbers, names, 1, keep, "")
        states.append((f"d{n}", state))
    table = StateTable(states)
    a, b = np.triu_indices(len(table), k=1)
    for kind in ("numbers", "names"):
        batched = table.containments(kind, a, b)
        read = table.numbers if kind == "numbers" else table.names
        expected = [set_containment(read(i), read(j)) for i, j in zip(a.tolist(), b.tolist())]
        assert batched.tolist() == expected
        assert {0.0, 1.0} <= set(expected)  # pairs that share nothing and pairs with an empty set
        # Calls where one side holds no value at all (no key to search, or none to search in).
        empty = np.array([i for i in range(len(table)) if not len(read(i))], np.int64)
        full = np.array([i for i in range(len(table)) if len(read(i))], np.int64)
        assert len(empty) and len(full)
        assert table.containments(kind, empty, full[: len(empty)]).tolist() == [1.0] * len(empty)
        assert table.containments(kind, full[: len(empty)], empty).tolist() == [1.0] * len(empty)


def test_partners_give_each_document_the_pairs_and_scores_of_the_pairs_it_is_in():
    """`Partners` (arrays sorted by document) answers what the dict of dicts answered."""
    rng = np.random.default_rng(5)
    ids = [f"d{n}" for n in range(13)]  # d12 in no pair; "d10" sorts before "d2"
    a, b = np.triu_indices(12, k=1)
    chosen = rng.random(len(a)) < 0.4
    scores = rng.random((int(chosen.sum()), 5)).astype(np.float32)
    pairs = NearPairs(ids, a[chosen].astype(np.int32), b[chosen].astype(np.int32), scores)
    expected = pairs.as_dict()
    partners = Partners(pairs)
    assert len(partners) == len(expected)
    assert [ids[d] for d in partners.in_id_order()] == sorted(expected)
    assert all(partners.scores_of(d) == expected[ids[d]] for d in partners.in_id_order())
    assert sorted(partners.id_pairs()) == sorted((ids[i], ids[j]) for i, j in zip(a[chosen], b[chosen]))
    assert partners.scores_of(12) == {} and "d12" not in expected
    kept = pairs.kept(np.arange(len(pairs.a)) % 2 == 0)
    assert len(kept.a) == (len(pairs.a) + 1) // 2 and (kept.scores == pairs.scores[::2]).all()


def test_merging_a_bands_candidates_gives_the_sorted_union():
    from seedcheck.corpus.dup_lsh import _merge_sorted

    rng = np.random.default_rng(11)
    for _ in range(500):
        a, b = (np.unique(rng.integers(0, 40, int(rng.integers(0, 25)))).astype(np.int64) for _ in range(2))
        merged = _merge_sorted(a, b)
        assert merged.dtype == np.int64 and merged.tolist() == np.union1d(a, b).tolist(), (a, b)


@pytest.mark.parametrize("chunk", [None, 5], ids=["default-chunks", "chunks-of-5"])
@pytest.mark.parametrize("on_disk", [False, True], ids=["in-memory", "on-disk"])
def test_each_candidate_pair_is_met_once_under_the_first_pass_that_has_it(on_disk, chunk, monkeypatch):
    """`first_meetings` yields what `candidate_codes` gives pass by pass, less the pairs of
    earlier passes, each pair once, without holding a pass's candidates, nor more than
    `PAIR_CHUNK` pairs at once (a bucket larger than that, a member's pairs at a time)."""
    from seedcheck.corpus import dup_lsh
    from seedcheck.corpus.dup_lsh import first_meetings, lsh_passes

    if chunk:
        monkeypatch.setattr(dup_lsh, "PAIR_CHUNK", chunk)
    from seedcheck.corpus.dup_table import Signatures

    rng = np.random.default_rng(3)
    base = rng.integers(0, 2**32, size=(50, 2 * NUM_PERM), dtype=np.uint64).astype(np.uint32)
    rows = []
    for n in range(400):  # families of near copies: some values kept, the others redrawn
        row = base[n % 50].copy()
        redrawn = rng.random(2 * NUM_PERM) < rng.choice([0.05, 0.3, 0.5, 0.65, 1.0])
        row[redrawn] = rng.integers(0, 2**32, size=int(redrawn.sum()), dtype=np.uint64).astype(np.uint32)
        rows.append(row)
    matrix = np.array(rows)
    sigs = Signatures(on_disk=on_disk)
    for row in matrix:
        sigs.append(row)
    sigs.done()
    chosen = np.array(sorted(rng.choice(400, size=380, replace=False)), np.int64)
    passes = lsh_passes({"lsh_threshold": 0.45, "containment": 0.6, "containment_lsh_threshold": 0.3}, NUM_PERM)
    met = [[] for _ in passes]
    largest = 0
    for number, codes in first_meetings(sigs, passes, chosen):
        met[number].extend(codes.tolist())
        largest = max(largest, len(codes))
        if chunk and len(codes) > chunk:  # more only as the pairs of one member of a large bucket
            assert len(set((codes // len(chosen)).tolist())) == 1, codes
    assert chunk or largest > 5  # some bands pair more than chunks of 5 hold
    seen: set[int] = set()
    for number, (part, threshold) in enumerate(passes):
        expected = [c for c in candidate_codes(matrix, threshold, chosen, part).tolist() if c not in seen]
        assert sorted(met[number]) == expected and len(expected) > 100, (number, len(expected))
        seen.update(expected)
    sigs.close()


def test_small_chunks_of_pairs_are_joined_up_to_the_limit():
    """A band yields a chunk per bucket size; they go on joined (each joined array reads every
    earlier band's buckets once), in order, never above the limit unless one chunk is."""
    from seedcheck.corpus.dup_lsh import _gathered

    chunks = [np.arange(start, start + size) for start, size in ((0, 3), (10, 1), (20, 2), (30, 6), (40, 1))]
    joined = list(_gathered(iter(chunks), 4))
    assert [a.tolist() for a in joined] == [[0, 1, 2, 10], [20, 21], list(range(30, 36)), [40]]
    assert list(_gathered(iter([]), 4)) == []


def test_pairs_taken_a_few_at_a_time_give_the_same_findings(tmp_path, monkeypatch):
    """The verified pairs become Python values `VALUES_CHUNK` at a time (millions at a million
    documents): chunks of one pair give the findings of one chunk, siblings included."""
    from seedcheck.corpus import dup_lsh, duplicates

    files = {
        "a.md": _md("Readout of the meeting", "2021-03-01", PARAPHRASE_A),
        "b.md": _md("Readout of the meeting", "2021-03-02", PARAPHRASE_B),
        "c.md": _md("Readout of the meeting", "2021-03-03", PARAPHRASE_A.replace("enduring", "lasting")),
        "jenner.md": _md("Fact Sheet: Addresses Risks from Jenner", "2025-03-25", PARAPHRASE_A.replace("Mexican", "J")),
        "susman.md": _md("Fact Sheet: Addresses Risks from Susman", "2025-03-27", PARAPHRASE_B.replace("Mexican", "J")),
    }

    def findings(name: str) -> list:
        result = check(tmp_path / name, files, select="duplicate-,templated-sibling")
        return [(f.rule, f.doc_id, f.message, f.related) for f in result.findings]

    (tmp_path / "whole").mkdir()
    (tmp_path / "ones").mkdir()
    whole = findings("whole")
    monkeypatch.setattr(dup_lsh, "VALUES_CHUNK", 1)
    monkeypatch.setattr(duplicates, "VALUES_CHUNK", 1)
    assert findings("ones") == whole
    rules = {rule for rule, *_ in whole}
    assert {"duplicate-near", "templated-sibling"} <= rules, whole
