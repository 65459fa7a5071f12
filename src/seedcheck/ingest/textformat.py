"""How a document's text is read: as markdown or as plain text.

A file's suffix decides (`name_format`): `.md`, `.markdown`, `.mdown` are markdown, any
other file is plain text (HTML too: seedcheck has no HTML reader, `markup-html` reports
the tags), unless it opens with YAML frontmatter (`readers._read_text`). A shard record
is read the way the same document would be read as a file (`record_format`), by
`[tool.seedcheck.jsonl] text-format` and the record's own format field (`format`,
`mime_type`, ...):

- the record's format field, when it names a format (`markdown`, `text/markdown`,
  `text/plain`, `text/html`, `page.md`), always decides;
- else `text-format = "auto"` (the default) reads the record as its id's suffix would
  read a file (`briefings/a.md` is markdown), and as plain text when the id has none of
  the document suffixes; `"markdown"` or `"plain"` read every such record that way.

The text itself is never looked at: guessing markdown from markdown-looking lines would
hide exactly the markdown leftovers that `markup-markdown` reports in plain text.
"""

from __future__ import annotations

from typing import Any

# Setting values (config.py validates `text-format` against the same tuple).
TEXT_FORMATS = ("auto", "markdown", "plain")
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown")
PLAIN_SUFFIXES = (".txt", ".text", ".html", ".htm")

# What a record's format field may say (lower case, MIME parameters dropped).
_MARKDOWN_NAMES = ("markdown", "md", "mdown", "gfm", "commonmark", "text/markdown", "text/x-markdown")
_PLAIN_NAMES = ("plain", "text", "txt", "plaintext", "text/plain")
_HTML_NAMES = ("html", "htm", "xhtml", "text/html", "application/xhtml+xml")  # read as a .html file is
_NAMED = {
    **dict.fromkeys(_MARKDOWN_NAMES, "markdown"),
    **dict.fromkeys(_PLAIN_NAMES + _HTML_NAMES, "text"),
}


def name_format(name: str) -> str:
    """`"markdown"` or `"text"`: how a file of this name is read (its suffix decides)."""
    return "markdown" if name.lower().endswith(MARKDOWN_SUFFIXES) else "text"


def _suffix_format(name: str) -> str | None:
    # Only a document suffix decides; an id without one (`a1b2`, `page.json`) leaves it open.
    lower = name.lower()
    if lower.endswith(MARKDOWN_SUFFIXES):
        return "markdown"
    return "text" if lower.endswith(PLAIN_SUFFIXES) else None


def declared_format(value: Any) -> str | None:
    """The format a record's format field names (`"markdown"`, `"text"`), or None when the
    value names none (then the setting decides)."""
    if not isinstance(value, str):
        return None
    word = value.split(";", 1)[0].strip().lower()
    return _NAMED.get(word.lstrip(".")) or _suffix_format(word)


def record_format(declared: Any, ident: Any, setting: str) -> str:
    """`"markdown"` or `"text"`: how a shard record's text is read, from the value of its
    format field (`declared`), its id and the `text-format` setting."""
    found = declared_format(declared)
    if found:
        return found
    if setting == "auto":
        return (_suffix_format(ident) if isinstance(ident, str) else None) or "text"
    return "markdown" if setting == "markdown" else "text"
