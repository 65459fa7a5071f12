"""Reports cannot be turned against the curator who opens them (no browser needed).

The XSS payload corpus (`tests/data/xss/`, see its README) plus files whose *names* are
payloads goes through the whole pipeline; then every writer in `seedcheck.report.WRITERS`
at test time renders it, and a checker for that writer's format looks for payloads that
ended up live:

- HTML: payload-bearing `on*` attributes, `javascript:`/`vbscript:` URLs (and `data:` links)
  in URL attributes, executable `<script>` elements or `<style>` elements holding a payload,
  `javascript:` in `style`/meta refresh, raw bidirectional-override characters in displayed text;
- XML: well-formed (so everything was escaped, control characters included), no payload
  elements or `on*` attributes;
- JSON / SARIF: strict JSON (no NaN, no lone surrogates), so it parses everywhere;
- Markdown: rendered to HTML as a permissive viewer would (raw HTML on), then the HTML checks;
- text / GitHub (stdout): no terminal control sequences; GitHub: one workflow command per
  finding (no command smuggled in through a newline in a file name or id);
- all: no template evaluated (`XSS-T49` is what `{{ 'XSS-T' ~ 7*7 }}` renders to).

A writer added later gets the checker of its file extension (or the text checks).
The headless-browser test of the HTML report is `tests/test_browser.py`.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from seedcheck.config import load_config
from seedcheck.pipeline import run
from seedcheck.report import WRITERS, write_reports

from .conftest import ROOT

XSS = ROOT / "tests" / "data" / "xss"
MARKER = "XSS-"
TEMPLATE_EVALUATED = "XSS-T49"
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# C0 controls except tab and newline, DEL and C1 controls (ESC starts terminal sequences).
TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "xlink:href",
    "poster",
    "background",
    "ping",
    "srcset",
    "codebase",
    "cite",
    "manifest",
    "icon",
}
LINK_TAGS = {"a", "area", "iframe", "frame", "object", "embed", "form", "button", "base", "link", "input"}
JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript", "application/ecmascript"}
# Files whose names are payloads (made at test time: `/` cannot be in a name, git dislikes newlines).
NAME_PAYLOADS = [
    "<img src=x onerror=alert('XSS-26')>.md",
    "<svg onload=alert('XSS-27')>.md",
    "\"><script>alert('XSS-40')<\\script>.md",
    "x\n::error::XSS-GH injected.md",
    "\u202eXSS-16dm.exe.md",
    "{{ 'XSS-T' ~ 7*7 }}.md",
]
# Formats that show document-derived text (the markdown summary shows only counts and rules).
CARRY_DOCUMENT_TEXT = {"html", "json", "sarif", "junit", "text", "github"}
BODY = (
    "The President met the Prime Minister today. They discussed trade, climate, migration and "
    "security, and agreed to meet again soon.\n"
)


def _scheme(value: str) -> str:
    # Browsers ignore ASCII whitespace and controls inside a scheme ("java\tscript:").
    return re.sub(r"[\x00-\x20]", "", value).lower()


class _LiveHTML(HTMLParser):
    """Collects payloads that a browser would execute or display deceptively."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script: list[str] | None = None
        self._style: list[str] | None = None
        self._raw_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = [(k.lower(), v or "") for k, v in attrs]
        for name, value in attrs:
            scheme = _scheme(value)
            if name.startswith("on") and MARKER in value:
                self.problems.append(f"<{tag} {name}=…{value[:60]!r}>: event handler carries a payload")
            if name in URL_ATTRIBUTES:
                if scheme.startswith(("javascript:", "vbscript:")):
                    self.problems.append(f"<{tag} {name}={value[:60]!r}>: script URL")
                elif scheme.startswith("data:") and (tag in LINK_TAGS or MARKER in value or "phnjcmlwd" in scheme):
                    self.problems.append(f"<{tag} {name}={value[:60]!r}>: data: URL as a link")
            if name == "srcdoc" and MARKER in value:
                self.problems.append(f"<{tag} srcdoc>: payload document")
            if name == "style" and "javascript:" in scheme:
                self.problems.append(f"<{tag} style={value[:60]!r}>: script URL in CSS")
            if tag == "meta" and name == "content" and "javascript:" in scheme:
                self.problems.append(f"<meta content={value[:60]!r}>: refresh to a script URL")
        if tag == "script":
            kind = dict(attrs).get("type", "").strip().lower()
            self._script = [] if kind in JS_TYPES else None
        if tag == "style":
            self._style = []

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            code = "".join(self._script)
            if MARKER in code:
                self.problems.append(f"executable <script> holds a payload: {code[:80]!r}")
            self._script = None
        if tag == "style" and self._style is not None:
            css = "".join(self._style)
            if MARKER in css:
                self.problems.append(f"<style> holds a payload: {css[:80]!r}")
            self._style = None

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)
            return
        if self._style is not None:
            self._style.append(data)
            return
        if self.cdata_elem is None and BIDI.search(data):
            self.problems.append(f"raw bidi override in displayed text: {data.strip()[:60]!r}")


def html_problems(text: str, check_bidi: bool = True) -> list[str]:
    parser = _LiveHTML()
    parser.feed(text)
    parser.close()
    return [p for p in parser.problems if check_bidi or "bidi" not in p]


def xml_problems(data: bytes) -> list[str]:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return [f"not well-formed XML (something was not escaped): {exc}"]
    problems = []
    for element in root.iter():
        tag = str(element.tag).rsplit("}", 1)[-1].lower()
        if tag in {"script", "img", "svg", "iframe", "object", "embed", "style"}:
            problems.append(f"payload element <{tag}> in XML")
        problems += [f"<{tag} {k}>: event attribute in XML" for k in element.attrib if k.lower().startswith("on")]
    return problems


def json_problems(data: bytes) -> list[str]:
    def constant(name):
        raise ValueError(f"non-JSON constant {name}")

    try:
        value = json.loads(data.decode("utf-8"), parse_constant=constant)
    except (UnicodeDecodeError, ValueError) as exc:
        return [f"not strict JSON: {exc}"]
    problems = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                problems.append(f"lone surrogate in a JSON string: {item[:60]!r}")
    return problems


def markdown_problems(text: str) -> list[str]:
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark", {"html": True}).render(text)
    # Bidi characters in markdown are not this check's business (a renderer shows them).
    return [f"markdown renders to live HTML: {p}" for p in html_problems(rendered, check_bidi=False)]


def text_problems(text: str) -> list[str]:
    return [
        f"terminal control character U+{ord(m.group()):04X} at offset {m.start()}"
        for m in TERMINAL_CONTROLS.finditer(text)
    ][:5]


def github_problems(text: str, result) -> list[str]:
    problems = text_problems(text)
    lines = text.rstrip("\n").split("\n")
    commands = [line for line in lines if line.startswith("::")]
    expected = sum(1 for f in result.findings if not f.baselined)
    if len(commands) != expected:
        problems.append(f"{len(commands)} workflow commands for {expected} findings (a newline smuggled one in)")
    for line in commands:
        if not re.match(r"^::(error|warning|notice)( [^:]*)?::", line):
            problems.append(f"unexpected workflow command: {line[:80]!r}")
    return problems


def problems_of(module, content: str, result) -> list[str]:
    """The checks for one writer's output, chosen by its file extension or format name."""
    problems = [f"template evaluated ({TEMPLATE_EVALUATED})"] if TEMPLATE_EVALUATED in content else []
    name = (module.FILENAME or "").lower()
    if name.endswith((".html", ".htm")):
        return problems + html_problems(content)
    if name.endswith(".xml"):
        return problems + xml_problems(content.encode("utf-8"))
    if name.endswith((".json", ".sarif")):
        return problems + json_problems(content.encode("utf-8"))
    if name.endswith(".md"):
        return problems + markdown_problems(content)
    if module.FORMAT == "github":
        return problems + github_problems(content, result)
    return problems + text_problems(content)


@pytest.fixture(scope="module")
def xss_result(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("xss") / "corpus"
    shutil.copytree(XSS, corpus, ignore=shutil.ignore_patterns("README.md"))
    for name in NAME_PAYLOADS:
        (corpus / name).write_text(f"Title: Named payload\nDate: 2021-03-01\n\n{BODY}", encoding="utf-8")
    config = load_config(None, start=ROOT)
    return run(config, [str(corpus)], jobs=1)


def test_the_payloads_reach_the_findings(xss_result):
    # Guards the checks below: payload text must be in what the writers render.
    texts = json.dumps(
        [f.to_json() for f in xss_result.findings] + xss_result.documents, default=str, ensure_ascii=False
    )
    for marker in (
        "XSS-01",
        "XSS-02",
        "XSS-05",
        "XSS-10",
        "XSS-16",
        "XSS-25",
        "XSS-26",
        "XSS-28",
        "XSS-GH",
        "XSS-TERM",
    ):
        assert marker in texts, marker
    documents = [p for p in XSS.glob("*.md") if p.name != "README.md"]
    assert len(xss_result.documents) == len(documents) + 2 + len(NAME_PAYLOADS)  # the JSONL file holds 2


def test_the_checkers_catch_live_payloads():
    # The checkers must fail on what they are meant to catch, or the test below proves nothing.
    assert html_problems("<p><img src=x onerror=\"alert('XSS-03')\"></p>")
    assert html_problems("<a href=' JaVa\tScRiPt:alert(1)'>x</a>")
    assert html_problems("<a href='data:text/html,hi'>x</a>")
    assert html_problems("<script type='application/json'>{\"t\": \"</script><script>alert('XSS-02')</script>")
    assert html_problems("<p>\u202eXSS-16</p>")
    assert not html_problems("<p>&lt;script&gt;alert('XSS-01')&lt;/script&gt;</p>")
    assert html_problems("<p>&#x202e;XSS-16</p>")  # an entity still displays the override
    assert not html_problems("<script type='application/json'>{\"t\": \"<\\/script>alert('XSS-02')\"}</script>")
    assert xml_problems(b"<a>\x1b</a>") and xml_problems(b"<a><script/></a>") and not xml_problems(b"<a>&lt;b&gt;</a>")
    assert json_problems(b'{"a": NaN}') and json_problems(b'{"a": "\\ud800"}') and not json_problems(b'{"a": "ok"}')
    assert markdown_problems("Title <img src=x onerror=\"alert('XSS-26')\">") and not markdown_problems("Title `<img>`")
    assert text_problems("a\x1b]0;x\x07b") and not text_problems("a\tb\n")


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_no_payload_is_live_in_any_report(xss_result, fmt, tmp_path):
    module = WRITERS[fmt]
    if getattr(module, "BINARY", False):  # a data table: the text is stored as it is, never rendered
        import pyarrow.parquet as pq

        [path] = write_reports(xss_result, tmp_path, [fmt])
        assert pq.read_table(path).num_rows > 0
        return
    if module.FILENAME:
        written = {p.name: p for p in write_reports(xss_result, tmp_path)}
        content = written[module.FILENAME].read_text(encoding="utf-8")
    else:
        content = module.render(xss_result)
    if fmt in CARRY_DOCUMENT_TEXT:
        assert MARKER in content, f"{fmt}: no payload reached this report, so the check would prove nothing"
    problems = problems_of(module, content, xss_result)
    assert not problems, f"{fmt} ({module.FILENAME or 'stdout'}):\n" + "\n".join(problems[:20])
