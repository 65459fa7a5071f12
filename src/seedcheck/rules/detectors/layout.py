"""The shape of a document's body, computed once per document and shared by the noise
and text detectors: non-blank lines, their normalised text, word counts, terminal
punctuation, which lines are prose, and which lines are structure (frontmatter-derived
header lines, HTML tables, code fences, end marks) that line rules must leave alone.

Scraped noise is recognised by position and shape as much as by words: a run of short
unpunctuated lines at the top or bottom of a page is a menu, while one short line between
two paragraphs is a section heading. `Layout` gives the rules those facts cheaply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from ...facts import Facts, facts_of
from ...model import Document

# Markdown and list decoration that does not change what a line says: "**Read more**",
# "- latest articles", "### Related", "> Share". Stripped before lexicon matching.
_DECORATION = re.compile(r"^(?:\\?[#>*+\-•·▪►»›|]+\s*|\d{1,2}[.)]\s+)+|[\s*_|]+$")
_EMPHASIS = re.compile(r"(?<!\w)(?:\*\*|__|\*|_)|(?:\*\*|__|\*|_)(?!\w)")
_WS = re.compile(r"\s+")
# What may trail a menu item or a label without changing it: "Latest Articles:", "Read more »".
_TRAILING = re.compile(r"[\s.:;,!?…»›>|/\-–—→]+$")
_TRAILING_CHARS = frozenset(".:;,!?…»›>|/-–—→")
# What a line must start with for _DECORATION's leading part to match (digits: "1. ").
_DECORATION_START = frozenset("\\#>*+-•·▪►»›|0123456789")
_LEADING = re.compile(r"^[\s\W_]+")
# Sentence-final punctuation, allowing closing quotes/brackets and markdown emphasis after it.
TERMINAL = re.compile(r"[.!?;:…][\"'”’)\]»*_]*\s*$|[.!?][\"'”’)\]]*\*{0,2}\s*$")
ELLIPSIS_END = re.compile(r"(?:\.\.\.|…)[\"'”’)\]]*\s*$")
END_MARK = re.compile(
    r"^\s*(?:\\?#\s*\\?#\s*\\?#|-\s*30\s*-|x{3}|\*\s*\*\s*\*|\\?#\s*\\?#\s*\\?#\s*\\?#*)\s*$", re.IGNORECASE
)
URL = re.compile(r"https?://|www\.\w", re.IGNORECASE)
HTML_LINE = re.compile(
    r"^\s*</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^>]*)?/?>\s*$|^\s*<(?:table|tr|td|th|tbody|thead|div|span|img|figure|p|br)\b",
    re.IGNORECASE,
)
LIST_ITEM = re.compile(r"^\s*(?:[-*+•▪◦‣⁃]\s+|[►▶➡✅✔☑✓★]\s*|\d{1,3}[.)]\s+|\d{1,3}\s{2,}|[a-z][.)]\s+)")
WORD = re.compile(r"\w+(?:[’'.-]\w+)*")
INLINE_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
# Metadata-like short lines that sit in blocks at the top of official documents (places,
# times, dates, signatures): "Oval Office", "2:07 P.M. EST", "Storrs, Connecticut".
TIME_OR_DATE = re.compile(
    r"\b\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?|[AP]\.?M\.?)|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}"
    r"|\b\d{4}-\d{2}-\d{2}\b",
    re.IGNORECASE,
)
# People and offices: address blocks, signatures and participant lists in official
# documents ("His Excellency", "Dr. Julie Kochanek", "THE SECRETARY OF DEFENSE").
PERSON_OR_ROLE = re.compile(
    r"\b(?:mr|mrs|ms|dr|hon|sen|rep|gov|amb|gen|lt|col|sgt|capt|prof|rev)\.\s|\b(?:excellency|honorable|senator|governor|secretary"
    r"|minister|ambassador|director|counsel|adviser|advisor|chair|chairman|chairwoman|chairperson|representative|congressman"
    r"|congresswoman|mayor|commissioner|administrator|attorney general|president|vice president|sincerely|respectfully"
    r"|prime minister|chancellor|king|queen|majesty|highness|deputy|assistant to|chief of staff|memorandum"
    r"|commandant|heads? of|the chief|the administrator|the director|the chair)\b"
    r"|^(?:subject|re|from|to|cc|attention|attn)\s*:",
    re.IGNORECASE,
)
# Institutions and people with a middle initial: the lines of participant and
# signatory lists ("Boston University School of Law", "Michael T. Cahill").
INSTITUTION = re.compile(
    r"\b(?:university|college|school of|law school|institute|foundation|association|department of|agency|ministry"
    r"|bureau|council|commission|committee|embassy|office of|government of|kingdom of|republic of"
    r"|united states of america)\b|^[A-Z][\w'’-]+\s+(?:[A-Z]\.\s+)+[A-Z][\w'’-]+$",
    re.IGNORECASE,
)
CJK_PUNCT = re.compile(r"[、。，！？：；]")
PROSE_MIN_WORDS = 8  # words that make a line running text


def normalise(text: str) -> str:
    """A line as a reader of the rendered page would name it: no markdown emphasis, list
    bullets, heading marks or trailing arrows/colons; non-breaking spaces as spaces;
    white space collapsed. Case is kept (rules match case-insensitively)."""
    # Every step is guarded by a cheap test of whether its pattern can match at all: this
    # runs on every line of every document, and most lines are plain prose.
    text = text.replace("\u00a0", " ").replace("\u200b", "") if ("\u00a0" in text or "\u200b" in text) else text
    if "<" in text:
        text = INLINE_TAG.sub("", text)
    text = text.strip()
    if text and (text[0] in _DECORATION_START or text[-1] in "*_|"):
        text = _DECORATION.sub("", text)
    if "*" in text or "_" in text:
        text = _EMPHASIS.sub("", text)
    if text and (text[-1] in _TRAILING_CHARS or text[-1].isspace()):
        text = _TRAILING.sub("", text)
    text = _LEADING.sub("", text) if text[:1] in "\\#>*-_" else text
    return " ".join(text.split())


def comparable(text: str) -> str:
    """Casefolded words only: how two lines are compared for "the same line"."""
    return " ".join(WORD.findall(text.replace("\u00a0", " ").casefold()))


@dataclass(slots=True)
class Layout:
    """Per-document line facts shared by the line rules (see the module doc)."""

    numbers: list[int] = field(default_factory=list)  # file line number of each non-blank body line
    raw: list[str] = field(default_factory=list)  # its text
    norm: list[str] = field(default_factory=list)  # normalise(text)
    words: list[int] = field(default_factory=list)  # word count of norm
    terminal: list[bool] = field(default_factory=list)  # ends like a sentence
    prose: list[bool] = field(default_factory=list)  # long enough to be running text
    structure: list[bool] = field(default_factory=list)  # header/table/fence/end-mark/URL line
    listitem: list[bool] = field(default_factory=list)
    # True for a line inside a hard-wrapped paragraph (several adjacent lines, one of them
    # prose): "home." ending a wrapped sentence is not a menu entry.
    wrapped: list[bool] = field(default_factory=list)
    # Place, time, date ("City, State", "2:07 P.M.") / a person, an office or an institution.
    # Lazy: the patterns are costly and only the shape rules ask, for short lines.
    metadata_like: LineFlags = field(default_factory=lambda: LineFlags([], _metadata_like))
    official_like: LineFlags = field(default_factory=lambda: LineFlags([], _official_like))
    intro: list[bool] = field(default_factory=list)  # ends with ":" (introduces a list)
    # Paragraphs as lists of layout indices: blank-line blocks in hard-wrapped text,
    # single lines otherwise (one paragraph per line).
    paragraphs: list[list[int]] = field(default_factory=list)
    memo: dict = field(default_factory=dict)  # per-document results rules share (lexicon matches)
    first_prose: int | None = None
    last_prose: int | None = None
    title_line: int | None = None
    end_mark: int | None = None  # index of the end mark line, if any

    def index_of(self, number: int) -> int | None:
        try:
            return self.numbers.index(number)
        except ValueError:
            return None

    def in_head(self, i: int) -> bool:
        """Before the first prose line (where page headers and menus sit)."""
        return self.first_prose is None or i < self.first_prose

    def in_tail(self, i: int) -> bool:
        """After the last prose line (where footers sit)."""
        return self.last_prose is None or i > self.last_prose


class LineFlags:
    """A per-line boolean computed on first use (`flags[i]`), from the normalised lines."""

    __slots__ = ("_known", "_lines", "_test")

    def __init__(self, lines: list[str], test):
        self._lines, self._test, self._known = lines, test, {}

    def __getitem__(self, i: int) -> bool:
        known = self._known.get(i)
        if known is None:
            known = self._known[i] = self._test(self._lines[i])
        return known

    def __len__(self) -> int:
        return len(self._lines)


def _metadata_like(norm: str) -> bool:
    return ", " in norm or bool(TIME_OR_DATE.search(norm))


def _official_like(norm: str) -> bool:
    return bool(PERSON_OR_ROLE.search(norm)) or bool(INSTITUTION.search(norm))


_CLOSERS = "\"'”’)]»*_"
_TERMINAL_CHARS = frozenset(".!?;:…")


def ends_sentence(text: str) -> bool:
    """`TERMINAL.search(text)` without a regex scan of the whole line (the pattern is anchored
    at the end: punctuation, closing quotes/brackets/emphasis, white space)."""
    return text.rstrip().rstrip(_CLOSERS)[-1:] in _TERMINAL_CHARS if text else False


def layout(doc: Document) -> Layout:
    """The `Layout` of `doc`, computed once per document (see `seedcheck.facts`)."""
    return facts_of(doc).fact(_layout_of)


def _layout_of(facts: Facts) -> Layout:
    return _build(facts.doc, PROSE_MIN_WORDS)


def _build(doc: Document, prose_min_words: int) -> Layout:
    lay = Layout()
    lay.metadata_like = LineFlags(lay.norm, _metadata_like)
    lay.official_like = LineFlags(lay.norm, _official_like)
    record_lines = doc.trace.field_lines or {}
    lay.title_line = record_lines.get("title")
    # Lines that carried metadata (Date:, Source:, a dateline) are structure, not text;
    # the title line is not: it is checked by the rules that care about it.
    metadata_lines = {v for k, v in record_lines.items() if k != "title" and isinstance(v, int)}
    state = {"table": False, "fence": False}
    block: list[int] = []  # layout indices of the current paragraph (adjacent non-blank lines)
    blocks: list[list[int]] = []
    for number, text in facts_of(doc).body_lines:
        stripped = text.strip().replace("\u00a0", " ").strip()
        if not stripped:
            if block:
                blocks.append(block)
                block = []
            continue
        block.append(len(lay.numbers))
        structure = _structure(stripped, number in metadata_lines, state)
        _add_line(lay, doc, number, text, stripped, structure, prose_min_words)
    if block:
        blocks.append(block)
    _mark_paragraphs(lay, blocks)
    prose_at = [i for i, p in enumerate(lay.prose) if p]
    if prose_at:
        lay.first_prose, lay.last_prose = prose_at[0], prose_at[-1]
    # The conventional end mark is the last line, or the last before a short footer.
    for i in range(len(lay.raw) - 1, max(-1, len(lay.raw) - 4), -1):
        if END_MARK.match(lay.raw[i].strip()):
            lay.end_mark = i
            break
    return lay


def _structure(stripped: str, metadata: bool, state: dict) -> bool:
    """Whether a line is structure (fence, table, header line, end mark, HTML, URL); `state`
    carries whether a code fence or an HTML table is open across lines."""
    fence_line = stripped.startswith(("```", "~~~"))
    if fence_line:
        state["fence"] = not state["fence"]
    low = stripped.lower()
    if "<table" in low:
        state["table"] = True
    structure = (
        fence_line
        or state["fence"]
        or state["table"]
        or metadata
        or bool(END_MARK.match(stripped))
        or bool(HTML_LINE.match(stripped))
        or stripped.startswith("|")
        or (("://" in stripped or "www." in low) and bool(URL.search(stripped)))
    )
    if "</table>" in low:
        state["table"] = False
    return structure


def _add_line(
    lay: Layout, doc: Document, number: int, text: str, stripped: str, structure: bool, prose_min_words: int
) -> None:
    """Append one non-blank line's facts to `lay`."""
    norm = normalise(stripped)
    n_words = len(norm.split())
    bare = INLINE_TAG.sub("", stripped).strip() if "<" in stripped else stripped
    terminal = (
        ends_sentence(bare)
        and not (bare.rstrip().rstrip(_CLOSERS).endswith(("...", "…")) and ELLIPSIS_END.search(bare))
    ) or (not bare.isascii() and bool(CJK_PUNCT.search(bare)))
    lay.numbers.append(number)
    lay.raw.append(text)
    lay.norm.append(norm)
    lay.words.append(n_words)
    lay.terminal.append(terminal)
    lay.prose.append(not structure and (n_words >= prose_min_words or (terminal and n_words >= 4)))
    lay.structure.append(structure)
    # In markdown a line ending in a hard break ("  " or "\\") is a deliberate line of
    # a names list, an address or a signature: treated like a list item.
    hard_break = (
        doc.text_format == "markdown" and n_words <= 8 and (text.endswith("  ") or text.rstrip().endswith("\\"))
    )
    lay.listitem.append(bool(LIST_ITEM.match(stripped)) or hard_break)
    lay.intro.append(bare.rstrip("*_ ").endswith(":"))


def _mark_paragraphs(lay: Layout, blocks: list[list[int]]) -> None:
    """Set `lay.paragraphs` and `lay.wrapped` from the blank-line blocks."""
    lay.wrapped = [False] * len(lay.numbers)
    # Paragraph blocks only mean something in hard-wrapped text (pandoc wraps at 72
    # columns); in one-line-per-paragraph text adjacent lines are separate items.
    long_lines = [len(t.strip()) for t, st in zip(lay.raw, lay.structure) if len(t.strip()) >= 40 and not st]
    hard_wrapped = len(long_lines) >= 3 and sum(n <= 80 for n in long_lines) >= 0.75 * len(long_lines)
    lay.paragraphs = (
        [m for m in blocks] if hard_wrapped and len(blocks) >= 2 else [[i] for i in range(len(lay.numbers))]
    )
    if not hard_wrapped:
        return
    for members in blocks:
        # In wrapped text an unfinished line continues on the next one when that one
        # starts in lower case, is a link or markup, or the first left a bracket or an
        # emphasis open ("*Read more about the" / "Partnership [here](…)").
        for a, b in pairwise(members):
            if not lay.terminal[a] and (lay.norm[b][:1].islower() or lay.structure[b] or _unbalanced(lay.raw[a])):
                lay.wrapped[a] = lay.wrapped[b] = True
    if len(blocks) < 2:
        return
    for members in blocks:
        # A paragraph is a few lines between blank lines; a page with no blank lines is
        # one "block" that means nothing.
        if len(members) > 1 and any(lay.prose[i] and not lay.terminal[i] for i in members):
            for i in members:
                lay.wrapped[i] = True


def _unbalanced(text: str) -> bool:
    """A line that leaves a bracket, a parenthesis, an emphasis or a tag open."""
    return (
        text.count("[") > text.count("]")
        or text.count("(") > text.count(")")
        or text.count("*") % 2 == 1
        or ("<" in text and INLINE_TAG.search(text) is not None)
    )
