"""Scraping-noise line rules (`noise-*`): weather widgets, navigation, advertising, social
buttons, legal footers and repeated titles.

Each rule reads its phrase lists and patterns from a data file under `checks/data/noise/`
(named by the rule's `lexicon` parameter) and compiles them into ONE regular expression per
rule and section, matched against the document's normalised lines (`layout.Layout`, built
once per document). Lexicon terms only count on short lines (`max_words`), so prose that
happens to mention "privacy policy" is never noise. `noise-navigation` adds the shape rule:
runs of short unpunctuated lines at the top or bottom of the body (or long runs anywhere)
are menus, while a single heading between paragraphs is content.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ...model import Document, Fix, Hit
from . import detector
from .authored import EMPHASISED, authored, signature_block
from .layout import Layout, layout
from .noise_article import comments, headline
from .noise_model import candidates, line_features, probabilities
from .noise_wrap import wrapped
from .noise_zone import article_span

# "Ukraine (Group B): Third appearance": a label, a colon, then a value. A menu entry names a
# place to go; it does not pair a label with a value.
KEYED = re.compile(r"^[^:]{2,40}:\s+\w")

# Compiled lexicons, per (data file, section): built once per process.
_COMPILED: dict[tuple[str, str], re.Pattern | None] = {}


def _terms_regex(terms: list[str], whole_line: bool) -> str:
    # Longest first so a longer phrase wins; spaces match any white space.
    parts = sorted(
        {re.escape(str(t).strip().lower()).replace(r"\ ", r"\s+") for t in terms if str(t).strip()},
        key=len,
        reverse=True,
    )
    if not parts:
        return ""
    alternation = "|".join(parts)
    return rf"^(?:{alternation})$" if whole_line else rf"(?<!\w)(?:{alternation})(?!\w)"


def compiled(context: Any, lexicon: str, section: str) -> re.Pattern | None:
    """The section (`lines`, `phrases`, `anywhere`, `patterns`) of a noise lexicon as one
    compiled, case-insensitive regex, or None when the section is empty."""
    key = (lexicon, section)
    if key not in _COMPILED:
        data = context.yaml(lexicon) if context is not None else {}
        items = (data or {}).get(section) or []
        if section in ("patterns", "readings", "measures"):
            source = "|".join(f"(?:{p})" for p in items)
        else:
            source = _terms_regex(items, whole_line=(section == "lines"))
        _COMPILED[key] = re.compile(source, re.IGNORECASE) if source else None
    return _COMPILED[key]


def _delete(description: str = "delete the line", safe: bool = True) -> Fix:
    return Fix(description, "", delete_line=True, safe=safe)


def _hit(lay: Layout, i: int, match: str, reason: str, safe: bool = True, column: tuple[int, int] | None = None) -> Hit:
    raw = lay.raw[i]
    start = len(raw) - len(raw.lstrip()) + 1
    col, end = column or (start, len(raw.rstrip()) + 1)
    return Hit(
        line=lay.numbers[i],
        column=col,
        end_column=end,
        values={"match": match, "reason": reason},
        fix=_delete(safe=safe),
    )


def lexicon_hits(doc: Document, params: dict, context: Any) -> dict[int, Hit]:
    """Lines matched by the rule's lexicon: whole-line terms and patterns anywhere in the
    body, phrases only on lines of at most `max_words` words (and `anywhere` phrases on any
    line). Returns {index in layout: Hit}."""
    lay = layout(doc)
    name = params["lexicon"]
    memo_key = ("lexicon", name, params["max_words"])
    if memo_key in lay.memo:
        return dict(lay.memo[memo_key])
    whole = compiled(context, name, "lines")
    phrases = compiled(context, name, "phrases")
    anywhere = compiled(context, name, "anywhere")
    patterns = compiled(context, name, "patterns")
    max_words = params["max_words"]
    out: dict[int, Hit] = {}
    joined = wrapped(lay)
    for i, norm in enumerate(lay.norm):
        if (lay.structure[i] and not lay.norm[i]) or joined[i]:
            continue
        stripped = lay.raw[i].strip()
        m = None
        if lay.words[i] <= max_words and whole is not None and (m := whole.match(norm)):
            if not authored(lay, i):
                out[i] = _hit(lay, i, m.group(0), "whole line")
            continue
        # Patterns carry their own anchors and length limits, so they see every line.
        # A sentence-like line ending in a colon introduces the author's own list.
        if (
            patterns is not None
            and not (lay.intro[i] and lay.words[i] >= 3)
            and (m := patterns.search(stripped) or patterns.search(norm))
        ):
            out[i] = _hit(lay, i, m.group(0), "pattern", safe=False)
            continue
        # A phrase inside a sentence ("Which ad units are the most popular?") is prose.
        if lay.words[i] <= max_words and not lay.terminal[i] and phrases is not None and (m := phrases.search(norm)):
            # The lists name junk precisely and the line is short and not a sentence:
            # deleting it is safe to apply automatically.
            out[i] = _hit(lay, i, m.group(0), "phrase on a short line")
            continue
        if anywhere is not None and (m := anywhere.search(norm)):
            out[i] = _hit(lay, i, m.group(0), "phrase", safe=False)
    lay.memo[memo_key] = out
    return dict(out)


@detector("noise-advertising")
def advertising(doc: Document, params: dict, context: Any) -> Iterable[Hit]:
    """Ads, sponsor lines, promotions and clickbait (lexicon)."""
    return _sorted(lexicon_hits(doc, params, context))


@detector("noise-social")
def social(doc: Document, params: dict, context: Any) -> Iterable[Hit]:
    """Share / follow / subscribe lines and comment counters (lexicon)."""
    return _sorted(lexicon_hits(doc, params, context))


@detector("noise-legal")
def legal(doc: Document, params: dict, context: Any) -> Iterable[Hit]:
    """Cookie banners, copyright footers and policy links (lexicon)."""
    return _sorted(lexicon_hits(doc, params, context))


def _sorted(hits: dict[int, Hit]) -> list[Hit]:
    return [hits[i] for i in sorted(hits)]


# --- navigation: lexicon + shape -------------------------------------------------------


def nav_shaped(lay: Layout, i: int, max_words: int, max_chars: int) -> bool:
    """Short, not a sentence, not structure, not a list item, not bold: what a menu entry
    looks like (a bold line is a heading the author set, as on a memorandum's title page)."""
    return (
        not lay.structure[i]
        and not EMPHASISED.match(lay.raw[i])
        and not lay.terminal[i]
        and not lay.listitem[i]
        and not wrapped(lay)[i]
        and not lay.metadata_like[i]
        and not lay.official_like[i]
        and 0 < lay.words[i] <= max_words
        and len(lay.norm[i]) <= max_chars
        and lay.numbers[i] != lay.title_line
    )


def headline_shaped(lay: Layout, i: int, max_words: int) -> bool:
    """A link to another article ("Weston captures 7th straight Class S swim title"):
    a headline-length line without sentence punctuation. Only runs of them count."""
    return (
        max_words > 0
        and not lay.structure[i]
        and not EMPHASISED.match(lay.raw[i])
        and not lay.terminal[i]
        and not lay.listitem[i]
        and not wrapped(lay)[i]
        and not lay.metadata_like[i]
        and not lay.official_like[i]
        and 0 < lay.words[i] <= max_words
        and len(lay.norm[i]) <= 110
        and lay.numbers[i] != lay.title_line
    )


def transparent(lay: Layout, i: int) -> bool:
    """A short date, time or place line inside a menu: it does not count towards the run,
    nor does it end it. (A person or an institution ends it: lists of them are content.)"""
    return (
        lay.metadata_like[i]
        and not lay.official_like[i]
        and not lay.structure[i]
        and not lay.terminal[i]
        and lay.words[i] <= 6
    )


def shape_runs(lay: Layout, params: dict) -> dict[int, str]:
    """Indices of lines in navigation-shaped runs: `min_run` or more menu-like lines in a
    row (blank lines ignored) anywhere, or `edge_min_run` or more before the first or after
    the last prose line. Returns {index: reason}."""
    out: dict[int, str] = {}
    n = len(lay.norm)
    shaped = [
        nav_shaped(lay, k, params["max_words"], params["max_chars"])
        or ((lay.in_head(k) or lay.in_tail(k)) and headline_shaped(lay, k, params["headline_max_words"]))
        for k in range(n)
    ]
    i = 0
    while i < n:
        if not shaped[i]:
            i += 1
            continue
        j, members = i, [i]
        k = i + 1
        while k < n and (shaped[k] or transparent(lay, k)):
            if shaped[k]:
                j = k
                members.append(k)
            k += 1
        length = len(members)
        at_edge = lay.in_head(j) or lay.in_tail(i)
        # A run right after "… the following participated:" is a list the text introduces.
        introduced = i > 0 and lay.intro[i - 1]
        if introduced or signature_block(lay, i, j):
            pass
        elif length >= params["min_run"] or (at_edge and length >= params["edge_min_run"]):
            where = "top" if lay.in_head(j) else "bottom" if lay.in_tail(i) else "middle"
            for k in members:
                out[k] = f"run of {length} short lines at the {where}"
        i = j + 1
    return out


@detector("noise-navigation")
def navigation(doc: Document, params: dict, context: Any) -> Iterable[Hit]:
    """Breadcrumbs, menus, "latest articles", "read more": lexicon, line shape and the line model."""
    hits = lexicon_hits(doc, params, context)
    lay = layout(doc)
    claimed = lexicon_claims(doc, params["claims"], context)
    runs = shape_runs(lay, {**params, "max_words": params["shape_max_words"]}) if params["shape"] else {}
    model = context.yaml(params["model"]) if params["model"] and context is not None else None
    # The model only reads pages that show furniture the lexicons or the menu shape already
    # found: a clean release or report has its headings and lists left alone.
    evidence = len(set(hits) | claimed | set(runs))
    if evidence < params["model_min_evidence"]:
        model = None
    scores: dict[int, float] | None = None
    outside = _nowhere
    if model:
        todo = [i for i in candidates(lay) if i not in hits and i not in claimed]
        scores = dict(zip(todo, probabilities(model, line_features(lay, todo, claimed, set(runs)))))
        outside = _outside_article(lay, claimed)
    # The article's headline under the menus has a menu entry's shape; its byline tells it apart.
    title = headline(lay)
    runs.pop(title, None)
    _add_runs(lay, params, runs, hits, claimed, scores, outside)
    for i in comments(lay):
        if i not in hits and i not in claimed:
            hits[i] = _hit(lay, i, lay.norm[i], "a reader comment", safe=False)
    if model:
        threshold = params["model_threshold"] or model["threshold"]
        for i, p in scores.items():
            need = params["outside_threshold"] if outside(i) and params["outside_threshold"] else threshold
            if p >= need and i not in hits and i != title:
                hits[i] = _hit(
                    lay, i, lay.norm[i], f"page furniture by its shape and neighbours (p={p:.2f})", safe=False
                )
    for i in gaps(lay, set(hits) | claimed, params["gap_max_words"]) - {title}:
        hits[i] = _hit(lay, i, lay.norm[i], "a short line between two furniture lines", safe=False)
    return _sorted(hits)


def _nowhere(i: int) -> bool:
    return False


def _outside_article(lay: Layout, claimed: set[int]):
    """A test of whether a line lies outside the span where the page's running text is
    densest (menus over the article; related lists, archives and comment sections under it)."""
    span = article_span(lay, claimed)
    if span is None:
        return _nowhere
    first, last = span
    return lambda i: i < first or i > last


def _add_runs(lay: Layout, params: dict, runs: dict, hits: dict, claimed: set, scores: dict | None, outside) -> None:
    """Report the lines of menu-shaped runs the model confirms (all of them without a model).

    A footer line that another noise rule names ("gossip news" is advertising) still counts
    towards the run, but is reported once, by that rule. The model confirms a run line (a
    list of ingredients or of headlines the article links to has the shape of a menu, not
    its neighbourhood); a menu above or below the text, or outside the article's span, needs
    less of it than a list inside the article."""
    for i, reason in runs.items():
        edge = lay.in_head(i) or lay.in_tail(i)
        need = params["edge_run_confirm"] if edge else params["run_confirm"]
        if not edge and outside(i) and params["outside_run_confirm"] is not None:
            need = params["outside_run_confirm"]
        elif not edge and KEYED.match(lay.norm[i]):
            continue  # a list of label: value pairs inside the article is its data, not a menu
        if i not in hits and i not in claimed and (scores is None or scores.get(i, 1.0) >= need):
            hits[i] = _hit(lay, i, lay.norm[i], reason, safe=False)


def gaps(lay: Layout, flagged: set[int], max_words: int) -> set[int]:
    """Short unpunctuated lines (at most `max_words` words) with page furniture right above
    and below, itself on short lines: a menu entry the lexicons and the model did not know."""
    joined = wrapped(lay)
    return {
        i
        for i in range(1, len(lay.norm) - 1)
        if i not in flagged
        and i - 1 in flagged
        and i + 1 in flagged
        and max_words > 0
        and (0 < lay.words[i] <= max_words or _symbols(lay.raw[i]))
        and not lay.terminal[i]
        and (not lay.structure[i] or _symbols(lay.raw[i]))
        and not joined[i]
        and lay.numbers[i] != lay.title_line
        and lay.words[i - 1] <= 8
        and lay.words[i + 1] <= 8
    }


def _symbols(raw: str) -> bool:
    """A separator left alone on its line ("|", "→", "…"): a few characters, none a letter or digit."""
    text = raw.strip()
    return 0 < len(text) <= 3 and not any(c.isalnum() for c in text)


def lexicon_claims(doc: Document, claims: dict[str, int], context: Any) -> set[int]:
    """Layout indices that any of the noise lexicons `claims` ({lexicon: max_words}) matches."""
    out: set[int] = set()
    for lexicon, max_words in claims.items():
        out.update(lexicon_hits(doc, {"lexicon": lexicon, "max_words": max_words}, context))
    return out
