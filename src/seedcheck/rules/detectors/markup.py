"""Markup leftovers: HTML tags and entities (`markup-html`), markdown in plain text and
escaped markdown (`markup-markdown`). The conventional press-release end mark (`###`,
`# # #`, `-30-`) is reported at info severity.

What is legitimate depends on the document's format. In a markdown document `**bold**`
headings, links and backslash escapes are markdown, and a raw HTML table is how markdown
carries a complex table (reported at info); inline tags such as `<sup>nd</sup>` and
entities are leftovers of the HTML the text came from. In plain text every bit of markup is
a leftover.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

from ...model import Document, Fix, Hit, Severity
from . import detector
from .layout import layout

_TAGS = (
    "a|abbr|acronym|article|aside|audio|b|big|blockquote|body|br|button|caption|center|cite|code|col|colgroup|dd|del"
    "|div|dl|dt|em|embed|fieldset|figcaption|figure|font|footer|form|h[1-6]|head|header|hr|html|i|iframe|img|input"
    "|ins|label|li|link|main|mark|meta|nav|noscript|object|ol|option|p|picture|pre|q|s|script|section|select|small"
    "|source|span|strike|strong|style|sub|sup|svg|table|tbody|td|textarea|tfoot|th|thead|time|title|tr|tt|u|ul|video|wbr"
)
# A complete tag, or an opening tag whose attributes continue on the next line
# (`<a href="#_ftn1"` / `id="_ftnref1">`), or the end of such a tag.
TAG = re.compile(
    rf"</?(?:{_TAGS})\b(?:\s[^<>]*)?/?>|<(?:{_TAGS})\s[^<>]*$|^[^<>]*\b[a-z-]+=\"[^\"<>]*\"\s*/?>", re.IGNORECASE
)
ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,9}|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});")
# Formatting tags whose removal leaves the words as a reader reads them (`<br>` would glue
# two words, `<q>` carries quotation marks, `<s>`/`<del>` mark text as deleted, block and
# media tags hold the layout).
INLINE_TAGS = {
    "a",
    "abbr",
    "acronym",
    "b",
    "big",
    "cite",
    "code",
    "em",
    "font",
    "i",
    "ins",
    "mark",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "time",
    "tt",
    "u",
}
TABLE_TAGS = {"table", "tbody", "thead", "tfoot", "tr", "td", "th", "caption", "col", "colgroup"}
_TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")


def _strip_markup(text: str) -> str:
    """The line as a reader sees it: tags removed, entities decoded."""
    return html.unescape(TAG.sub("", text))


@detector("markup-html")
def markup_html(doc: Document, params: dict, context: Any) -> Iterable[Hit]:
    """HTML tags and entities inside text lines, one finding per line; a raw HTML table
    in a markdown document is one finding at `table_severity_markdown`."""
    lay = layout(doc)
    markdown = doc.text_format == "markdown"
    in_table_reported = False
    for i, raw in enumerate(lay.raw):
        if "<" not in raw and "&" not in raw and '="' not in raw:
            continue
        tags = list(TAG.finditer(raw))
        entities = [m for m in ENTITY.finditer(raw) if html.unescape(m.group(0)) != m.group(0)]
        if not tags and not entities:
            continue
        names = {n.lower() for m in tags for n in _TAG_NAME.findall(m.group(0))}
        if markdown and names and names <= TABLE_TAGS and not entities:
            # A markdown table written in HTML: one finding per table, not per cell.
            if "<table" in raw.lower() and not in_table_reported:
                in_table_reported = True
                yield Hit(
                    line=lay.numbers[i],
                    column=raw.lower().index("<table") + 1,
                    values={"what": "an HTML table"},
                    severity=Severity.parse(params["table_severity_markdown"]),
                    variant="html-table",
                    fix=Fix("convert the table to a markdown pipe table or plain text", None, safe=False),
                )
            if "</table>" in raw.lower():
                in_table_reported = False
            continue
        spans = sorted([(m.start(), m.end()) for m in tags + entities])
        shown = sorted({m.group(0) if len(m.group(0)) <= 20 else m.group(0)[:18] + "…" for m in tags + entities})
        only_inline = names <= INLINE_TAGS and all(
            m.group(0).startswith("<") and m.group(0).endswith(">") for m in tags
        )
        start, end = spans[0][0], spans[-1][1]
        fixed = _strip_markup(raw[start:end])
        if markdown and only_inline:
            only_inline = not _makes_markdown(raw, raw[:start] + fixed + raw[end:], entities)
        # A line of nothing but tags goes (an empty line would split a markdown paragraph).
        emptied = not (raw[:start] + fixed + raw[end:]).strip()
        yield Hit(
            line=lay.numbers[i],
            column=start + 1,
            end_column=end + 1,
            values={"what": ", ".join(shown[:5]) + (" …" if len(shown) > 5 else "")},
            fix=Fix(
                "delete the line (only tags)" if emptied else "remove the tags and decode the entities",
                "" if emptied else fixed,
                delete_line=emptied,
                safe=only_inline,
            ),
        )


_MD_SPECIAL = set("\\`*_[]<>#|~!")


def _makes_markdown(before: str, after: str, entities: list) -> bool:
    """Whether cleaning a markdown line would create markdown: an entity that decodes to a
    markdown character (`&#42;` → `*`, `&lt;b&gt;` → a tag) or a line that now starts a block."""
    if any(set(html.unescape(m.group(0))) & _MD_SPECIAL for m in entities):
        return True
    if not _BLOCK_START.match(after):
        return False
    return not (_BLOCK_START.match(before) and before.lstrip()[:1] == after.lstrip()[:1])


# --- markdown ------------------------------------------------------------------------

END_MARK = re.compile(r"^\s*(?:#\s*#\s*#|-\s*30\s*-)\s*$")
ESCAPED_END_MARK = re.compile(r"^\s*\\#\s*\\?#\s*\\?#\s*$")
# A heading mark escaped at the start of a line: `\### Readout of …`.
ESCAPED_HEADING = re.compile(r"^\s*\\#{1,6}\s+[^\s\\#]")
# Backslash escapes of markdown punctuation, leftovers in plain text: `\*`, `\_`, `\[`.
ESCAPE = re.compile(r"\\[\\`*_{}\[\]()#+\-.!|>~]")
# Markdown syntax in plain text.
MD_SYNTAX = re.compile(
    r"^\s*#{1,6}\s+\S"  # heading
    r"|(?<![\w*])\*\*[^*\s][^*]*\*\*(?![\w*])"  # **bold**
    r"|(?<![\w_])__[^_\s][^_]*__(?![\w_])"  # __bold__
    r"|\[[^\]\n]+\]\((?:https?://|/|#)[^)\s]*\)"  # [link](url)
    r"|!\[[^\]]*\]\([^)]+\)"  # image
    r"|^\s*```"  # code fence
)


def _escaped_end_mark(number: int, col: int, stripped: str, markdown: bool) -> Hit:
    """`\\###`: in plain text a leftover whose fix is `###`; in markdown the correct escape
    of a literal end mark, where `###` would render as an empty heading, so no safe fix."""
    if not markdown:
        return Hit(
            line=number,
            column=col,
            end_column=col + len(stripped),
            values={"what": stripped},
            variant="escaped-end-mark-text",
            fix=Fix("write the end mark without backslashes", "###"),
        )
    return Hit(
        line=number,
        column=col,
        end_column=col + len(stripped),
        values={"what": stripped},
        variant="escaped-end-mark-markdown",
        fix=Fix(
            "keep the escape in markdown (an unescaped ### is an empty heading); "
            "delete the line if the corpus should not carry the end mark",
            None,
            safe=False,
        ),
    )


# What would start a markdown block if it opened a line (heading, list, quote, rule, fence,
# setext underline, HTML block): a fix must not create one.
_BLOCK_START = re.compile(r"^\s*(?:#|[-*+](?:\s|$)|\d{1,9}[.)](?:\s|$)|>|=+\s*$|-+\s*$|```|~~~|<)")


def _heading_fix(raw: str, markdown: bool) -> Fix:
    """Remove an escaped heading mark; in markdown only the mark (other escapes are
    correct there), and no safe fix when what is left would start a markdown block."""
    if not markdown:
        return Fix("remove the heading mark", _unmark(raw))
    rest = re.sub(r"^(\s*)\\#{1,6}\s+", r"\1", raw)
    if _BLOCK_START.match(rest):
        return Fix("remove the heading mark (the rest of the line would start a markdown block)", None, safe=False)
    return Fix("remove the heading mark", rest)


def _unmark(text: str) -> str:
    text = re.sub(r"^(\s*)\\?#{1,6}\s+", r"\1", text)
    text = re.sub(r"\*\*([^*]+)\*\*|__([^_]+)__", lambda m: m.group(1) or m.group(2), text)
    text = re.sub(r"!?\[([^\]]+)\]\([^)]*\)", r"\1", text)
    return ESCAPE.sub(lambda m: m.group(0)[1], text)


@detector("markup-markdown")
def markup_markdown(doc: Document, params: dict, context: Any) -> Iterable[Hit]:
    """Escaped end marks and headings everywhere; markdown syntax and escapes in plain
    text; the conventional end mark at `end_mark_severity`."""
    lay = layout(doc)
    markdown = doc.text_format == "markdown"
    last = len(lay.raw) - 1
    for i, raw in enumerate(lay.raw):
        stripped = raw.strip()
        number = lay.numbers[i]
        col = len(raw) - len(raw.lstrip()) + 1
        if ESCAPED_END_MARK.match(stripped):
            yield _escaped_end_mark(number, col, stripped, markdown)
            continue
        if END_MARK.match(stripped):
            if i >= last - 2:
                yield Hit(
                    line=number,
                    column=col,
                    end_column=col + len(stripped),
                    values={"what": stripped},
                    severity=Severity.parse(params["end_mark_severity"]),
                    variant="end-mark",
                )
            continue
        if ESCAPED_HEADING.match(raw):
            # No end column: the fix replaces the whole line.
            yield Hit(
                line=number,
                column=col,
                values={"what": stripped[:12]},
                variant="escaped-heading",
                fix=_heading_fix(raw, markdown),
            )
            continue
        if markdown:
            continue
        m = MD_SYNTAX.search(raw)
        e = ESCAPE.search(raw) if "\\" in raw else None
        if m or e:
            first = min(x.start() for x in (m, e) if x)
            what = (m or e).group(0)
            yield Hit(
                line=number,
                column=first + 1,  # whole-line fix: no end column
                values={"what": what if len(what) <= 30 else what[:28] + "…", "syntax": what[:30]},
                variant="plain-text",
                fix=Fix("remove the markdown syntax", _unmark(raw)),
            )
