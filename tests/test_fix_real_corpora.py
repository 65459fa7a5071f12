"""`seedcheck fix` over the real White House releases changes only what it should.

Every document of both corpora (or a seeded sample of them in the normal suite) is
copied to a temporary directory and fixed with the default configuration; then, line by
line against the original:
- no markdown heading appears that was not there (markdown-it-py, CommonMark);
- every grapheme cluster holding an emoji is intact (regex `\\X`);
- nothing changes inside a quotation, beyond removing a defect;
- a changed line differs from the original only by the removal of a defect (tags,
  entities, invisible characters, mojibake, an escaped heading mark), or, outside
  quotations, by capitalised words (a name normalised);
- a deleted line holds no quotation mark.
"""

from __future__ import annotations

import collections
import difflib
import html
import random
import re
import shutil
import tarfile
from pathlib import Path

import pytest
import regex

from seedcheck.config import Config
from seedcheck.extract.urls import strip_tracking
from seedcheck.fixer import fix_paths
from seedcheck.rules.detectors.leftovers import _clean_line
from seedcheck.rules.detectors.markup import TAG
from seedcheck.rules.detectors.text import invisible_positions, remove_at

from .conftest import SHARED

markdown_it = pytest.importorskip("markdown_it")
ftfy = pytest.importorskip("ftfy")

TARBALLS = [
    SHARED / "corpora" / "wh-briefings-2021-2025.tar.gz",
    SHARED / "corpora" / "wh-briefings-2025-2026-sample.tar.gz",
]
# Documents whose defects the fixes used to damage (emoji with joiners, escaped end marks).
KNOWN = (
    "what-they-are-saying-one-year-anniversary-of-the-inflation-reduction-act",
    "good-news-you-may-have-missed-everyday-proof-the-trump-agenda-is-delivering",
    "sunday-shows-president-trumps-pursuit-of-peace",
    "icymi-celebrating-president-trumps-incredible-first-100-days",
)
EMOJI = regex.compile(r"\X")
PICTO = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}")
QUOTES = {"“": "”", '"': '"'}
FRONTMATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
ESCAPED_HEADING = re.compile(r"^(\s*)\\#{1,6}\s+")
URL = re.compile(r"https?://\S+")

needs_corpora = pytest.mark.skipif(
    not all(t.is_file() for t in TARBALLS),
    reason=f"the real corpora are not in {SHARED / 'corpora'} (../shared absent)",
)


def extract(target: Path, sample: int | None) -> int:
    """Extract every document (or `sample` per corpus, seeded, plus the KNOWN ones) under `target`."""
    count = 0
    for tarball in TARBALLS:
        with tarfile.open(tarball) as tar:
            members = [m for m in tar.getmembers() if m.isfile() and m.name.endswith((".md", ".txt"))]
            if sample is not None:
                known = [m for m in members if any(k in m.name for k in KNOWN)]
                members = random.Random(7).sample(members, min(sample, len(members))) + known
            tar.extractall(target / tarball.name.removesuffix(".tar.gz"), members=members, filter="data")
            count += len({m.name for m in members})
    return count


def reader_text(line: str) -> str:
    """The line with every defect a safe fix may remove already removed (invisible
    characters also as YAML escapes, for the frontmatter title)."""
    text = html.unescape(TAG.sub("", _clean_line(line)))
    text = remove_at(text, invisible_positions(text))
    text = ESCAPED_HEADING.sub(r"\1", ftfy.fix_encoding(text))
    return URL.sub(lambda m: _clean_url(m.group(0)), text)


def _clean_url(url: str) -> str:
    base, _, query = url.partition("?")
    return base + ("?" + strip_tracking(query) if query else "")


def quoted(text: str, inside: bool) -> tuple[list[bool], bool]:
    """For each character, whether it is inside a quotation; and the state at the end."""
    flags, closer = [], ("”" if inside else None)
    for ch in text:
        if closer and ch == closer:
            closer = None
            flags.append(True)
            continue
        if not closer and ch in QUOTES:
            closer = QUOTES[ch]
        flags.append(closer is not None)
    return flags, closer is not None


def emoji_clusters(text: str) -> collections.Counter:
    return collections.Counter(c for c in EMOJI.findall(text) if PICTO.search(c))


def headings(text: str) -> collections.Counter:
    """The document's CommonMark headings, by their text with defects removed (a fix that
    strips `<u>` from a heading does not make a new one)."""
    tokens = markdown_it.MarkdownIt("commonmark").parse(FRONTMATTER.sub("", text))
    return collections.Counter(
        reader_text(tokens[i + 1].content).strip() for i, t in enumerate(tokens) if t.type == "heading_open"
    )


def name_change_only(before: str, after: str, inside: list[bool]) -> bool:
    """Whether `after` differs from `before` only in capitalised words outside quotations."""
    a, b = before.split(" "), after.split(" ")
    starts = [0]
    for word in a:
        starts.append(starts[-1] + len(word) + 1)
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if any(inside[starts[i1] : max(starts[i2] - 1, starts[i1] + 1)]):
            return False
        if not all(w[:1].isupper() for w in a[i1:i2] + b[j1:j2]):
            return False
    return True


def compare(before: str, after: str, problems: list[str], name: str) -> None:
    """Check one document's fixed text against its original (see the module docstring)."""
    if headings(after) - headings(before):
        problems.append(f"{name}: new heading(s) {sorted(headings(after) - headings(before))}")
    a, b = before.split("\n"), after.split("\n")
    states, inside = [], False
    for line in a:
        flags, inside = quoted(line, inside and line.strip() != "")
        states.append(flags)
    # Aligned on the text as read, so a line of only invisible characters that became
    # blank lines up with the blank line it became.
    na, nb = [reader_text(x) for x in a], [reader_text(x) for x in b]
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, na, nb, autojunk=False).get_opcodes():
        if op == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2)):
                if a[i] != b[j]:
                    _changed_line(a[i], b[j], states[i], problems, f"{name}:{i + 1}")
            continue
        j = j1
        for i in range(i1, i2):
            if j < j2 and difflib.SequenceMatcher(None, na[i], nb[j]).ratio() >= 0.5:
                _changed_line(a[i], b[j], states[i], problems, f"{name}:{i + 1}")
                j += 1
            elif "“" in a[i] or "”" in a[i]:
                problems.append(f"{name}:{i + 1}: a line with a quotation was deleted: {a[i][:80]!r}")
        if j < j2:
            problems.append(f"{name}:{i1 + 1}: lines were added: {b[j:j2]!r}"[:200])


def _changed_line(old: str, new: str, inside: list[bool], problems: list[str], where: str) -> None:
    if emoji_clusters(old) != emoji_clusters(new):
        problems.append(f"{where}: emoji changed {dict(emoji_clusters(old) - emoji_clusters(new))}")
    if reader_text(old) == reader_text(new):
        return
    # Quotation state is taken on the reader text, where removed defects no longer count.
    flags, _ = quoted(reader_text(old), any(inside[:1]))
    if not name_change_only(reader_text(old), reader_text(new), flags):
        problems.append(f"{where}: more than a defect removed: {old[:100]!r} -> {new[:100]!r}")


def run_fix_and_compare(tmp_path: Path, sample: int | None) -> tuple[int, int, list[str]]:
    original = tmp_path / "original"
    count = extract(original, sample)
    work = tmp_path / "fixed"
    shutil.copytree(original, work)
    report = fix_paths(Config(root=tmp_path), [str(work)], jobs=2)
    problems: list[str] = []
    for path in sorted(p for p in original.rglob("*") if p.is_file()):
        before = path.read_text(encoding="utf-8", errors="surrogateescape")
        after = (work / path.relative_to(original)).read_text(encoding="utf-8", errors="surrogateescape")
        if before != after:
            compare(before, after, problems, str(path.relative_to(original)))
    return count, len(report.changed), problems


@needs_corpora
def test_fix_on_a_seeded_sample_of_the_real_corpora(tmp_path):
    count, changed, problems = run_fix_and_compare(tmp_path, sample=40)
    assert count >= 80 and changed > 0
    assert not problems, "\n".join(problems[:30])


@needs_corpora
@pytest.mark.slow
def test_fix_on_every_real_document(tmp_path):
    count, changed, problems = run_fix_and_compare(tmp_path, sample=None)
    assert count == 7921 and changed > 0
    assert not problems, "\n".join(problems[:30])


def test_the_comparison_catches_damage():
    """The checks above can fail: a broken emoji, a new heading, a changed quotation."""
    problems: list[str] = []
    compare("A mechanic 🧑\u200d🔧 here.\n\n\\###\n", "A mechanic 🧑🔧 here.\n\n###\n", problems, "d")
    compare("“President Zelensky said it,” he wrote.\n", "“Volodymyr Zelenskyy said it,” he wrote.\n", problems, "q")
    compare("The summit<sup>nd</sup> was “held” here.\n", "The summitnd was held here.\n", problems, "r")
    assert any("new heading" in p for p in problems) and any("emoji changed" in p for p in problems)
    assert {p.split(":")[0] for p in problems} == {"d", "q", "r"}, problems
    ok: list[str] = []
    compare("President Zelensky met <em>“them”</em>\u200b.\n", "Volodymyr Zelenskyy met “them”.\n", ok, "fine")
    assert ok == []
