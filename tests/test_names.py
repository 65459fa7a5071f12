"""Person names: registry loading and self-tests, the matcher, misspellings, the record
field `people`, and name-inconsistent (seed acceptance included)."""

from __future__ import annotations

import unicodedata
from collections import defaultdict

import pytest
import yaml

from seedcheck.config import Config, ConfigError, apply
from seedcheck.corpus.names import PersonNames
from seedcheck.names import Registry, candidate_runs, fold, nfc_with_map
from seedcheck.pipeline import run

from .conftest import ROOT, SEEDS

REGISTRY_DATA = yaml.safe_load((ROOT / "checks" / "data" / "names.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry(REGISTRY_DATA)


def check(paths, select=("name-",), **settings):
    config = Config(root=ROOT)
    apply(config, {"select": list(select), **settings}, where="test")
    return run(config, [str(p) for p in paths], jobs=1)


# --- registry -----------------------------------------------------------------------


def test_shipped_registry_self_tests_pass(registry):
    assert registry.self_test() == []
    assert len(registry.examples) >= 10


def test_every_seed_person_is_registered_under_the_official_spelling(registry):
    for name in [
        "Andrés Manuel López Obrador",
        "Antony J. Blinken",
        "Jake Sullivan",
        "Kamala D. Harris",
        "Alicia Bárcena Ibarra",
        "Rosa Icela Rodríguez Velázquez",
        "Katie Tobin",
        "Ken Salazar",
    ]:
        assert registry.forms[name].role == "canonical", name
    assert registry.forms["Antony Blinken"].person == "Antony J. Blinken"
    assert "Anthony Blinken" not in registry.forms


def test_a_failing_self_test_stops_loading():
    data = {
        "people": [{"canonical": "Zoë Quintanilla", "examples": [{"from": "Zoe Quintanilla", "to": "Zoe Quintanilla"}]}]
    }
    with pytest.raises(ConfigError, match="self-test failed"):
        Registry(data)


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"people": [{"canonical": "Ann Lee"}, {"canonical": "Bo Ray", "allowed": ["Ann Lee"]}]},
            "registered for both",
        ),
        ({"people": [{"allowed": ["x"]}]}, "canonical"),
        ({"people": [{"canonical": "Ann Lee", "nickname": "A"}]}, "unknown keys"),
        ({"people": "Ann Lee"}, "must be a list"),
    ],
)
def test_bad_registries_are_configuration_errors(data, message):
    with pytest.raises(ConfigError, match=message):
        Registry(data)


# --- matcher ------------------------------------------------------------------------


def kinds(registry, text):
    return [(m.text, m.kind, m.fix) for m in registry.match(unicodedata.normalize("NFC", text))]


@pytest.mark.parametrize(
    "text",
    [
        "Joe Biden",
        "Kamala D. Harris",
        "Alejandro N. Mayorkas",
        "President López Obrador",
        "López Obrador",
        "President Joseph R. Biden, Jr.",
        "Joseph Biden",
        "JOSEPH R. BIDEN JR.",
        "Secretary Blinken",
    ],
)
def test_allowed_forms_are_fine(registry, text):
    found = kinds(registry, f"Today {text} spoke.")
    assert found and all(kind == "ok" for _, kind, _ in found), found
    assert registry.misspellings(text, candidate_runs(text), [(m.start, m.end) for m in registry.match(text)]) == []


def test_longest_form_wins_and_order_does_not_matter(registry):
    text = "President Joseph R. Biden, Jr. met President Andrés Manuel López Obrador."
    assert kinds(registry, text) == [("Joseph R. Biden, Jr.", "ok", None), ("Andrés Manuel López Obrador", "ok", None)]
    reversed_registry = Registry({**REGISTRY_DATA, "people": list(reversed(REGISTRY_DATA["people"]))})
    assert kinds(reversed_registry, text) == kinds(registry, text)


def test_diacritics_dropped_or_changed_are_variants_with_the_accented_fix(registry):
    assert kinds(registry, "Andres Manuel Lopez Obrador") == [
        ("Andres Manuel Lopez Obrador", "variant", "Andrés Manuel López Obrador")
    ]
    assert kinds(registry, "Andrés Manuel Lopez Obrador")[0][1:] == ("variant", "Andrés Manuel López Obrador")
    assert kinds(registry, "President Lopez Obrador") == [
        ("President Lopez Obrador", "variant", "President López Obrador")
    ]
    # Explicitly allowed unaccented spelling: no finding.
    assert kinds(registry, "Juan Gonzalez") == [("Juan Gonzalez", "ok", None)]


def test_decomposed_text_is_normalised_and_columns_point_into_the_original(tmp_path):
    nfd = unicodedata.normalize("NFD", "Mexican President Andres Manuel Lopez Obrador and Andrés López here.")
    text, mapping = nfc_with_map(nfd)
    assert text == unicodedata.normalize("NFC", nfd) and mapping is not None
    doc = tmp_path / "nfd.txt"
    doc.write_text(
        "Title: x\n\n" + unicodedata.normalize("NFD", "Señora Peña met Andres Manuel Lopez Obrador.") + "\n",
        encoding="utf-8",
    )
    result = check([tmp_path], select=["name-variant"])
    (f,) = result.findings
    line = unicodedata.normalize("NFD", "Señora Peña met Andres Manuel Lopez Obrador.")
    assert f.line == 3 and line[f.column - 1 : f.end_column - 1] == "Andres Manuel Lopez Obrador"


def test_fold_keeps_length():
    for s in ["Andrés Manuel López Obrador’s", "Nguyễn Phú Trọng", "Łukasz Ørsted", "plain"]:
        assert len(fold(s)) == len(s)
    assert fold("Recep Tayyip Erdoğan") == "Recep Tayyip Erdogan"


def test_a_name_broken_across_lines_is_found_with_its_end_line(tmp_path):
    (tmp_path / "wrapped.txt").write_text(
        "Title: x\n\nPresident Biden hosted Andres Manuel\nLopez Obrador today.\n", encoding="utf-8"
    )
    (f,) = check([tmp_path], select=["name-variant"]).findings
    # `seedcheck fix` edits one line at a time: the fix is described, not applied.
    assert (f.line, f.end_line, f.fix.replacement) == (3, 4, None)
    assert "Andrés Manuel López Obrador" in f.fix.description and "Andrés Manuel López Obrador" in f.message


# --- misspellings -------------------------------------------------------------------


def near(registry, text):
    matches = registry.match(text)
    return [
        (m.text, m.fix) for m in registry.misspellings(text, candidate_runs(text), [(m.start, m.end) for m in matches])
    ]


@pytest.mark.parametrize(
    "text, want",
    [
        ("Secretary of State, Anthony Blinken; Chief of Staff", [("Anthony Blinken", "Antony Blinken")]),
        ("then Jake Sulivan said", [("Jake Sulivan", "Jake Sullivan")]),
        ("Israeli Prime Minister Naftali Bennet visited", [("Naftali Bennet", "Naftali Bennett")]),
        ("Alejandro Mallorkas arrived", [("Alejandro Mallorkas", "Alejandro Mayorkas")]),
    ],
)
def test_near_misses_are_misspellings(registry, text, want):
    assert near(registry, text) == want


@pytest.mark.parametrize(
    "text",
    [
        "Prime Minister Anthony Albanese",  # a registered person of his own
        "Senator Dan Sullivan",  # three edits from Jake Sullivan
        "The Honorable John Berry",  # another initial: another person, not a typo of John Kerry
        "Will Biden pressure them?",  # a question, not Jill Biden
        "JAKE SULIVAN",  # capitals are headings; not compared
    ],
)
def test_other_people_and_headings_are_not_misspellings(registry, text):
    assert near(registry, text) == []


def test_distinct_names_are_never_misspellings():
    data = {"people": [{"canonical": "Jake Sullivan", "distinct": ["Jake Sullivant"]}]}
    reg = Registry(data)
    assert near(reg, "Jake Sullivant and Jake Sulivan") == [("Jake Sulivan", "Jake Sullivan")]


def test_runs_stop_at_possessives_sentence_ends_and_urls():
    runs = [
        [w for _, _, w in r]
        for r in candidate_runs(
            "Joe Biden’s aide Jake Sullivan. Then Ann Lee of https://example.com/Joe-Biden "
            "and Luiz Inácio Lula da Silva"
        )
    ]
    assert ["Joe", "Biden"] in runs and ["Jake", "Sullivan"] in runs
    assert ["Luiz", "Inácio", "Lula", "da", "Silva"] in runs
    assert not any("Joe-Biden" in r for r in runs)


# --- the seeds (acceptance) ----------------------------------------------------------


def test_seed_acceptance():
    result = check([SEEDS])
    got = defaultdict(list)
    for f in result.findings:
        got[f.doc_id[:3]].append((f.rule, f.fix.replacement if f.fix else None))
    assert got["000"] == [("name-variant", "Andrés Manuel López Obrador")]
    assert got["001"] == [("name-variant", "Andrés Manuel López Obrador")]
    assert got["004"] == [("name-misspelling", "Antony Blinken")]
    assert "002" not in got and "003" not in got
    lines = {f.doc_id[:3]: (f.line, f.column, f.end_column) for f in result.findings}
    assert lines["001"] == (9, 46, 73)  # "…Mexican President Andres Manuel Lopez Obrador"
    people = {d["doc_id"][:3]: d["record"]["people"] for d in result.documents}
    assert people["003"] == ["Andrés Manuel López Obrador", "Joseph R. Biden Jr.", "Kamala D. Harris"]
    assert "Antony J. Blinken" in people["004"] and "Jake Sullivan" in people["004"]


# --- name-inconsistent ----------------------------------------------------------------


def test_inconsistent_without_registry_entries_across_and_inside_documents(tmp_path):
    (tmp_path / "a.txt").write_text(
        "Title: a\n\nMinister Zoë Quintanilla spoke. Later, Zoë Quintanilla left.\n", encoding="utf-8"
    )
    (tmp_path / "b.txt").write_text("Title: b\n\nMinister Zoe Quintanilla spoke.\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text(
        "Title: c\n\nMarisol Ibarra met Zoë Quintanilla; then Zoe Quintanilla left.\n", encoding="utf-8"
    )
    result = check([tmp_path], select=["name-inconsistent"])
    flagged = sorted((f.doc_id, f.line, f.fix.replacement) for f in result.findings)
    assert flagged == [("b.txt", 3, "Zoë Quintanilla"), ("c.txt", 3, "Zoë Quintanilla")]
    c = next(f for f in result.findings if f.doc_id == "c.txt")
    assert "in this document" in c.message and "a.txt" in c.related


def test_inconsistent_does_not_repeat_registry_findings(tmp_path):
    for name in ("000_f62a7832fdddf652.txt", "002_ee5b3ac3389a1290.txt", "003_678df8275cb86639.txt"):
        (tmp_path / name).write_bytes((SEEDS / name).read_bytes())
    assert check([tmp_path], select=["name-inconsistent"]).findings == []


def test_pairs_typo_needs_a_clear_majority_and_skips_inflections():
    params = PersonNames.DEFAULTS["name-inconsistent"]
    pairs = PersonNames._pairs(
        {
            "Harold Pettigrew": 6,
            "Harrold Pettigrew": 1,
            "Saudi Arabia": 9,
            "Saudi Arabian": 3,
            "Amy Kennedy": 2,
            "Amy Kenney": 1,
        },
        params,
    )
    assert pairs == {"Harrold Pettigrew": ("Harold Pettigrew", "spelling")}


def test_pairs_middle_names_are_opt_in():
    totals = {"Graham Scott Steele": 1, "Graham Steele": 5}
    assert PersonNames._pairs(totals, PersonNames.DEFAULTS["name-inconsistent"]) == {}
    opted = {**PersonNames.DEFAULTS["name-inconsistent"], "middle_names": True}
    assert PersonNames._pairs(totals, opted) == {"Graham Scott Steele": ("Graham Steele", "middle name")}


def test_bad_input_never_crashes(tmp_path):
    (tmp_path / "odd.txt").write_bytes(
        "Title: x\n\n\u0301\u0301 Ĳ ǅ \u200b Ⅻ Ⅻ ‐ Ｊｏｅ Ｂｉｄｅｎ \x00 É É\n".encode()
    )
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bin.txt").write_bytes(bytes(range(256)) * 4)
    result = check([tmp_path])
    assert len(result.documents) == 3


def test_fix_restores_accents_and_leaves_misspellings_to_unsafe_fixes(tmp_path):
    from .conftest import run_cli

    for name in ("001_734a040c977d42aa.txt", "004_bc0de272d958dd98.txt"):
        (tmp_path / name).write_bytes((SEEDS / name).read_bytes())
    assert run_cli("fix", str(tmp_path), "--select", "name-").returncode == 0
    assert "President Andrés Manuel López Obrador" in (tmp_path / "001_734a040c977d42aa.txt").read_text()
    assert "Anthony Blinken" in (tmp_path / "004_bc0de272d958dd98.txt").read_text()  # a human confirms
    assert run_cli("fix", str(tmp_path), "--select", "name-", "--unsafe-fixes").returncode == 0
    assert "Secretary of State, Antony Blinken;" in (tmp_path / "004_bc0de272d958dd98.txt").read_text()


@pytest.mark.parametrize("text", ["A" * 100_000, "A-" * 50_000, "Ã" * 100_000, "Joe " * 30_000, "A’s " * 30_000])
def test_pathological_lines_take_linear_time(registry, text):
    import time

    started = time.perf_counter()
    matches = registry.match(text)
    registry.misspellings(text, candidate_runs(text), [(m.start, m.end) for m in matches])
    assert time.perf_counter() - started < 5


# --- safe fixes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, fixed",
    [
        ("We briefed President Zelensky directly.", "We briefed President Zelenskyy directly."),
        ("Volodymyr Zelensky said", "Volodymyr Zelenskyy said"),
        ("PRESIDENT ZELENSKY SPOKE", "PRESIDENT ZELENSKYY SPOKE"),
        ("President Obrador said", "President López Obrador said"),
        ("Joseph R Biden signed it.", "Joseph R. Biden signed it."),
    ],
)
def test_variant_fix_keeps_the_titles_and_changes_only_the_name(registry, text, fixed):
    assert registry.fix_text(text) == fixed


def test_variant_fix_inside_a_quotation_is_never_safe(tmp_path):
    from .conftest import run_cli

    doc = tmp_path / "q.txt"
    doc.write_text(
        "Title: x\n\nWe met President Zelensky today. “We briefed President Zelensky\ndirectly,” he said.\n",
        encoding="utf-8",
    )
    found = [
        (f.line, f.column, f.fix.replacement, f.fix.safe) for f in check([tmp_path], select=["name-variant"]).findings
    ]
    assert found == [(3, 8, "President Zelenskyy", True), (3, 46, "President Zelenskyy", False)]
    assert run_cli("fix", str(tmp_path), "--select", "name-variant").returncode == 0
    assert doc.read_text(encoding="utf-8") == (
        "Title: x\n\nWe met President Zelenskyy today. “We briefed President Zelensky\ndirectly,” he said.\n"
    )


def test_forms_the_corpus_uses_consistently_are_allowed(registry):
    for text in ("SBA Administrator Isabella Casillas Guzman", "Isabella Guzman", "Svyatlana Tsikhanouskaya"):
        assert all(kind == "ok" for _, kind, _ in kinds(registry, text)), text
        assert near(registry, text) == []
    assert kinds(registry, "Ricardo Zuniga") == [("Ricardo Zuniga", "variant", "Ricardo Zúñiga")]
