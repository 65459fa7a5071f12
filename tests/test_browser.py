"""The HTML report as a curator sees it: headless Chromium (Debian's `chromium`, driven by
Playwright for Python; nothing downloads a browser) over the seeds' report, a report of
hostile documents, and a generated 10,000-document corpus.

Every page load checks: no console errors, no uncaught exceptions, no request other than
the report file itself, no dialog. Each test saves a screenshot under its pytest temp dir.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seedcheck.config import load_config
from seedcheck.pipeline import run
from seedcheck.report import html, write_atomic

from .conftest import ROOT, SEEDS
from .test_report_formats import write_hostile

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    """Debian's chromium binary, or $SEEDCHECK_CHROMIUM; None when there is none."""
    for candidate in (os.environ.get("SEEDCHECK_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    exe = chromium_path()
    if exe is None:
        pytest.skip("no chromium binary (apt-get install chromium; .ci/run installs it)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Session:
    """One page on one report, with everything the page did that a test must not see."""

    def __init__(self, browser, report: Path, fragment: str = "", viewport=(1400, 1000)):
        self.report = report
        self.url = report.resolve().as_uri()
        self.page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        self.console_errors, self.requests, self.dialogs = [], [], []
        self.page.on(
            "console", lambda m: m.type in ("error", "warning") and self.console_errors.append(f"{m.type}: {m.text}")
        )
        self.page.on("pageerror", lambda e: self.console_errors.append(f"pageerror: {e}"))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.route("**/*", self._route)
        started = time.perf_counter()
        self.page.goto(self.url + fragment)
        self.page.wait_for_selector("html[data-ready='1']", timeout=120_000)
        self.load_seconds = time.perf_counter() - started

    def _route(self, route):
        url = route.request.url
        if url.split("#")[0] != self.url:
            self.requests.append(url)
            route.abort()
        else:
            route.continue_()

    def count(self) -> str:
        return self.page.inner_text("#count")

    def listed(self) -> list[str]:
        return self.page.eval_on_selector_all("#doc-list .doc-id", "els => els.map(e => e.textContent)")

    def wait_count_change(self, before: str, timeout: float = 10.0) -> float:
        started = time.perf_counter()
        self.page.wait_for_function(
            "b => document.getElementById('count').textContent !== b", arg=before, timeout=timeout * 1000
        )
        return time.perf_counter() - started

    def assert_clean(self):
        assert self.console_errors == [], self.console_errors
        assert self.requests == [], f"the report made requests: {self.requests[:5]}"
        assert self.dialogs == []

    def close(self, screenshot: Path):
        self.page.screenshot(path=str(screenshot), full_page=False)
        self.page.close()


def cli_report(paths: list[str], out: Path, *extra: str) -> Path:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "seedcheck.cli",
            "check",
            *paths,
            "--report-dir",
            str(out),
            "--quiet",
            "--fail-on",
            "never",
            *extra,
        ],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    return out / "report.html"


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("seed-report")
    return cli_report([str(SEEDS)], out), json.loads((out / "findings.json").read_text(encoding="utf-8"))


def test_seeds_report_filters_and_shares_state(browser, seeds_report, tmp_path, record_property):
    report, data = seeds_report
    docs = {d["doc_id"]: d for d in data["documents"]}
    s = Session(browser, report)
    record_property("report_bytes", report.stat().st_size)
    record_property("load_seconds", round(s.load_seconds, 3))
    print(f"\nseeds report: {report.stat().st_size:,} bytes; load {s.load_seconds:.3f} s")
    assert s.count() == f"Showing {len(docs)} of {len(docs)} matching documents ({len(docs)} in all)."
    assert sorted(s.listed()) == sorted(docs)
    gate = s.page.inner_text(".gate")
    assert ("Gate passed" in gate) == data["summary"]["passed"]

    # Rule filter: exactly the documents with a finding of that rule.
    rule = max(data["summary"]["by_rule"], key=lambda r: (data["summary"]["by_rule"][r], r))
    with_rule = sorted({f["doc_id"] for f in data["findings"] if f["rule"] == rule and f["doc_id"]})
    before = s.count()
    s.page.select_option("#f-rule", rule)
    s.wait_count_change(before)
    assert sorted(s.listed()) == with_rule
    assert f"rule={rule}" in s.page.evaluate("location.hash")

    # Severity: only documents with an error finding of that rule remain when warning and info are off.
    s.page.uncheck("input[name=sev][value=warning]")
    s.page.uncheck("input[name=sev][value=info]")
    expected = sorted(
        {f["doc_id"] for f in data["findings"] if f["rule"] == rule and f["severity"] == "error" and f["doc_id"]}
    )
    s.page.wait_for_function("() => location.hash.includes('sev=error')")
    assert sorted(s.listed()) == expected

    # Status and free-text search (over the body text too).
    s.page.click("#f-reset")
    s.page.select_option("#f-status", "ok")
    s.page.wait_for_function("() => location.hash.includes('status=ok')")
    assert sorted(s.listed()) == sorted(d for d, v in docs.items() if v["status"] == "ok")
    s.page.select_option("#f-status", "")
    before = s.count()
    s.page.fill("#f-q", "anthony blinken")
    s.wait_count_change(before)
    assert s.listed() == ["004_bc0de272d958dd98.txt"]

    # The fragment is the shareable state: a fresh page opened on it shows the same view.
    shared = s.page.evaluate("location.hash")
    s.assert_clean()
    s.page.close()
    s2 = Session(browser, report, shared)
    assert s2.listed() == ["004_bc0de272d958dd98.txt"]
    assert s2.page.input_value("#f-q") == "anthony blinken"

    # Keyboard: j opens the first listed document, its record and findings show.
    s2.page.click("#f-reset")
    s2.page.focus("body")
    s2.page.keyboard.press("j")
    first = s2.listed()[0]
    s2.page.wait_for_function("id => location.hash.includes('doc=' + encodeURIComponent(id))", arg=first)
    detail = s2.page.inner_text("#detail")
    assert docs[first]["record"]["title"][:40] in detail
    n_findings = sum(1 for f in data["findings"] if f["doc_id"] == first)
    assert f"Findings ({n_findings})" in detail
    s2.page.keyboard.press("/")
    assert s2.page.evaluate("document.activeElement.id") == "f-q"
    s2.assert_clean()
    s2.close(tmp_path / "seeds-report.png")


def test_new_only_hides_baselined_findings(browser, tmp_path):
    config = load_config(str(ROOT / "pyproject.toml"))
    result = run(config, [str(SEEDS)], jobs=1)
    baselined = copy.copy(result)
    # Baseline every finding of one document, and one rule everywhere.
    doc = next(f.doc_id for f in result.findings if f.doc_id)
    rule = "missing-source-url"
    baselined.findings = [dataclasses.replace(f, baselined=f.doc_id == doc or f.rule == rule) for f in result.findings]
    report = tmp_path / "report.html"
    write_atomic(report, html.render(baselined))
    only_baselined = {f.doc_id for f in baselined.findings if f.baselined} - {
        f.doc_id for f in baselined.findings if not f.baselined
    }
    with_new = sorted({f.doc_id for f in baselined.findings if not f.baselined and f.doc_id})
    s = Session(browser, report)
    before = s.count()
    s.page.check("#f-new")
    s.wait_count_change(before)
    assert sorted(s.listed()) == with_new
    assert doc in only_baselined and not only_baselined & set(s.listed())
    # In a document, new-only hides the baselined findings until asked to show all.
    other = with_new[0]
    s.page.evaluate("id => location.hash = '#new=1&doc=' + encodeURIComponent(id)", other)
    n_new = sum(1 for f in baselined.findings if f.doc_id == other and not f.baselined)
    n_all = sum(1 for f in baselined.findings if f.doc_id == other)
    s.page.wait_for_function("n => document.querySelectorAll('#detail ol.findings > li').length === n", arg=n_new)
    if n_all > n_new:
        s.page.click("text=hidden by the filters")
        s.page.wait_for_function("n => document.querySelectorAll('#detail ol.findings > li').length === n", arg=n_all)
    s.assert_clean()
    s.close(tmp_path / "new-only.png")


def test_hostile_document_executes_nothing(browser, tmp_path):
    corpus = write_hostile(tmp_path / "hostile")
    report = cli_report([str(corpus)], tmp_path / "out")
    s = Session(browser, report, "#doc=payload.txt")
    page = s.page
    detail = page.inner_text("#detail")
    assert "</script><script>window.__xss=1</script>" in detail  # shown as text
    assert "⟨U+202E⟩" in detail  # the bidi override is visible, not obeyed
    page.click("#doc-list li:nth-child(2) button")
    page.fill("#f-q", "script")
    page.wait_for_function("() => location.hash.includes('q=script')")
    page.click("#f-reset")
    page.evaluate("location.hash = '#doc=' + encodeURIComponent('x<img src=y onerror=window.__xss=6>.txt')")
    page.wait_for_function("() => document.getElementById('detail').textContent.includes('A fine statement')")
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate("document.querySelectorAll('script').length") == 2
    assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert (
        page.evaluate(
            "[...document.querySelectorAll('a[href]')].filter(a => !/^(https?:|#)/.test(a.getAttribute('href'))).length"
        )
        == 0
    )
    page.evaluate("location.hash = '#doc=payload.txt'")
    page.wait_for_function("() => document.getElementById('detail').textContent.includes('javascript:window.__xss=3')")
    assert (
        page.evaluate("[...document.querySelectorAll('#detail a')].some(a => a.textContent.includes('javascript:'))")
        is False
    )
    assert page.evaluate("document.querySelectorAll('#detail pre.text .ln[class*=flag-]').length") >= 1
    assert page.evaluate("document.querySelectorAll('#detail pre.text mark').length") >= 1
    s.assert_clean()
    s.close(tmp_path / "hostile-document.png")


def test_capped_report_says_what_it_leaves_out(browser, tmp_path, monkeypatch):
    result = run(load_config(str(ROOT / "pyproject.toml")), [str(SEEDS)], jobs=1)
    monkeypatch.setattr(html, "MAX_DOCUMENTS", 2)  # as a run of a million documents would be
    report = tmp_path / "report.html"
    write_atomic(report, html.render(result))
    s = Session(browser, report)
    page = s.page
    assert page.is_visible("#capped")
    notice = " ".join(page.inner_text("#capped").split())
    assert f"2 of {len(result.documents)} documents" in notice and "findings.json" in notice
    assert (
        s.count() == f"Showing 2 of 2 matching documents (2 in this report, {len(result.documents)} in the run; "
        "see findings.json)."
    )
    assert page.is_visible("header.top a[href='#capped']")
    # The embedded documents are the ones with errors; each opens with its findings.
    errors = [d["doc_id"] for d in result.documents if d["status"] == "error"]
    assert len(errors) >= 2 and set(s.listed()) <= set(errors)
    page.click("#doc-list li:nth-child(1) button")
    page.wait_for_selector("#detail ol.findings > li")
    s.assert_clean()
    s.close(tmp_path / "capped.png")


# ---------------------------------------------------------------- 10,000 documents

DOMAINS = [
    "https://www.whitehouse.gov/briefing-room/statements-releases",
    "https://www.state.gov/releases",
    "https://www.gob.mx/presidencia/prensa",
    "https://news.example.com/world",
    "http://www.whitehouse.gov/briefing-room",
    "https://www.treasury.gov/news/press-releases",
]
NOISE = [
    "Share this article on Facebook",
    "90.5 F",
    "latest articles",
    "Read more",
    "Subscribe to our newsletter",
    "- Part of VUGA -digital marketing",
]


def sentence(rng: random.Random, sentences: list[str], words: list[str]) -> str:
    """A seed sentence now and then; mostly new word sequences, so that documents are
    distinct (a corpus of near duplicates would be neither realistic nor fast)."""
    if rng.random() < 0.2:
        return rng.choice(sentences)
    return " ".join(rng.choice(words) for _ in range(rng.randint(8, 22))).capitalize() + "."


def generate_corpus(directory: Path, n: int = 10_000, seed: int = 20210301) -> Path:
    """Write `n` deterministic plain-text documents built from the seeds' sentences, with
    headers, defects (missing dates, http and tracking URLs, noise lines, markup, exact
    copies), one very long body, and one hostile document."""
    rng = random.Random(seed)
    sentences = []
    for path in sorted(SEEDS.iterdir()):
        text = path.read_text(encoding="utf-8")
        for para in text.split("\n"):
            for sent in para.replace("**", "").split(". "):
                sent = sent.strip()
                if 40 <= len(sent) <= 300 and not sent.startswith(
                    ("---", "title:", "date:", "source_url:", "tags:", "published_time:")
                ):
                    sentences.append(sent.rstrip(".") + ".")
    words = sorted({w.strip(".,;:()\"'") for s in sentences for w in s.split() if w.isalpha() and len(w) > 3})
    bodies: list[str] = []
    for i in range(n):
        sub = directory / f"batch{i // 1000:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        title = " ".join(rng.choice(words) for _ in range(rng.randint(4, 9))).capitalize() + f" ({i})"
        day = 18000 + rng.randint(0, 2400)  # 2019..2025
        date = time.strftime("%Y-%m-%d", time.gmtime(day * 86400))
        base = rng.choice(DOMAINS)
        url = f"{base}/{date.replace('-', '/')}/release-{i}/" + ("?utm_source=feed" if rng.random() < 0.03 else "")
        head = [f"Title: {title}"]
        if rng.random() > 0.05:
            head.append(f"Date: {date}")
        if rng.random() > 0.04:
            head.append(f"Source: {url}")
        if bodies and rng.random() < 0.02:
            body = rng.choice(bodies)  # an exact copy of an earlier document
        else:
            paras = []
            for _ in range(rng.randint(3, 9)):
                paras.append(" ".join(sentence(rng, sentences, words) for _ in range(rng.randint(1, 4))))
            if rng.random() < 0.06:
                paras.insert(rng.randint(0, len(paras)), rng.choice(NOISE))
            if rng.random() < 0.03:
                paras[0] = "<b>" + paras[0] + "</b>"
            body = "\n\n".join(paras)
        # Runs this large embed the bodies of the first 2,000 documents with findings only
        # (pipeline.HTML_BODY_CAP): the long and the hostile document come early, with findings.
        if i == 42:
            body = "\n".join(
                f"Line {k} of a very long transcript. " + sentence(rng, sentences, words) for k in range(3000)
            )
            body += "\nShare this article on Facebook"
        if i == 77:
            head[0] = "Title: </script><script>window.__xss=1</script><img src=x onerror=window.__xss=2> \u202eevil"
            body = "Text with <script>window.__xss=3</script> and <img src=x onerror=window.__xss=4>.\n\n" + body
        bodies.append(body)
        (sub / f"doc{i:05d}.txt").write_text("\n".join(head) + "\n\n" + body + "\n", encoding="utf-8")
    return directory


@pytest.mark.slow
def test_ten_thousand_documents_open_and_filter_smoothly(browser, tmp_path, record_property):
    corpus = generate_corpus(tmp_path / "corpus")
    started = time.perf_counter()
    report = cli_report([str(corpus)], tmp_path / "out", "--jobs", "2")
    check_seconds = time.perf_counter() - started
    size = report.stat().st_size
    data = json.loads((tmp_path / "out" / "findings.json").read_text(encoding="utf-8"))
    assert len(data["documents"]) == 10_000

    s = Session(browser, report)
    page = s.page
    assert s.count() == "Showing 200 of 10,000 matching documents (10,000 in all)."
    timings = {"load": s.load_seconds}

    # Each filter answers within a second or two, and shows what it says.
    rule = max(data["summary"]["by_rule"], key=lambda r: (data["summary"]["by_rule"][r], r))
    n_rule = len({f["doc_id"] for f in data["findings"] if f["rule"] == rule and f["doc_id"]})
    before = s.count()
    page.select_option("#f-rule", rule)
    timings["rule_filter"] = s.wait_count_change(before)
    assert f"of {n_rule:,} matching" in s.count()
    before = s.count()
    page.select_option("#f-rule", "")
    s.wait_count_change(before)
    started = time.perf_counter()
    page.fill("#f-q", "release-5123/")
    page.wait_for_function("() => document.getElementById('count').textContent.startsWith('Showing 1 of 1 ')")
    timings["search"] = time.perf_counter() - started  # includes the 150 ms typing debounce
    assert s.listed() == ["batch05/doc05123.txt"]
    before = s.count()
    page.fill("#f-q", "")
    page.select_option("#f-domain", "news.example.com")
    timings["domain_filter"] = s.wait_count_change(before)
    n_domain = sum(1 for d in data["documents"] if d["record"].get("source_domain") == "news.example.com")
    assert f"of {n_domain:,} matching" in s.count()

    # The long body is capped, with a button that expands it.
    page.evaluate("location.hash = '#doc=' + encodeURIComponent('batch00/doc00042.txt')")
    page.wait_for_selector("#expand")
    shown_lines = page.evaluate("document.querySelectorAll('#detail pre.text .ln').length")
    page.click("#expand")
    page.wait_for_function("n => document.querySelectorAll('#detail pre.text .ln').length > n", arg=shown_lines)
    assert page.evaluate("document.querySelectorAll('#detail pre.text .ln').length") >= 3000

    # A document whose body was not kept says so (and still lists its findings).
    late = next(d for d in reversed(data["documents"]) if d["status"] != "ok")
    page.evaluate("id => location.hash = '#doc=' + encodeURIComponent(id)", late["doc_id"])
    page.wait_for_function("() => document.getElementById('detail').textContent.includes('is not embedded')")

    # The hostile document among them executes nothing.
    page.evaluate("location.hash = '#doc=' + encodeURIComponent('batch00/doc00077.txt')")
    page.wait_for_function("() => document.getElementById('detail').textContent.includes('window.__xss=1')")
    assert page.evaluate("typeof window.__xss") == "undefined"

    s.assert_clean()
    s.close(tmp_path / "ten-thousand.png")
    for key, value in {
        "report_bytes": size,
        "check_seconds": round(check_seconds, 2),
        **{k: round(v, 3) for k, v in timings.items()},
    }.items():
        record_property(key, value)
    print(
        f"\n10k report: {size:,} bytes; check {check_seconds:.1f} s; "
        + ", ".join(f"{k} {v:.3f} s" for k, v in timings.items())
    )
    assert timings["load"] < 30 and timings["rule_filter"] < 5 and timings["search"] < 5


CLUSTER_TEXT = (
    "President Joe Biden hosted Mexican President Andres Manuel Lopez Obrador on March 1 for a virtual "
    "bilateral meeting to review cooperation on migration and to advance joint efforts to promote "
    "development in Southern Mexico and Central America. Building on their positive January 22 "
    "conversation, the two Presidents reaffirmed the enduring partnership between both countries, "
    "based on mutual respect and the extraordinary bond of family and friendship.\n"
)


def test_duplicate_cluster_shows_group_and_side_by_side(browser, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    hostile = "<img src=x onerror=alert(1)></script><script>alert(2)</script>"
    (corpus / "original.md").write_text(
        "---\ntitle: U.S.-Mexico Joint Declaration\ndate: '2021-03-01'\n"
        "source_url: https://www.whitehouse.gov/briefing-room/2021/03/01/u-s-mexico-joint-declaration/\n---\n"
        + CLUSTER_TEXT,
        encoding="utf-8",
    )
    (corpus / "rescrape.md").write_text(
        "---\ntitle: U.S.-Mexico Joint Declaration\ndate: '2021-03-02'\nsource_url: https://news.example.com/11929/\n---\n"
        + CLUSTER_TEXT.upper(),
        encoding="utf-8",
    )
    (corpus / "paraphrase.txt").write_text(
        CLUSTER_TEXT.replace("to review cooperation", "to review the cooperation")
        .replace("Building on", "Armed with")
        .replace("enduring", "lasting")
        + hostile
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    report = cli_report([str(corpus)], out, "--select", "duplicate-")
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    clusters = {f["cluster"]["id"] for f in data["findings"] if f["rule"].startswith("duplicate-")}
    assert len(clusters) == 1, data["findings"]
    cid = clusters.pop()
    s = Session(browser, report, "#doc=paraphrase.txt")
    s.page.wait_for_selector(".cluster table.cluster-members")
    cluster = s.page.inner_text(".cluster")
    assert f"Duplicate cluster {cid} (3 documents)" in cluster
    rows = s.page.eval_on_selector_all("table.cluster-members tbody tr", "rs => rs.map(r => r.innerText)")
    assert len(rows) == 3
    kept = [r for r in rows if "keep" in r.split("\n")[0]]
    assert len(kept) == 1 and "original.md" in kept[0] and "official domain" in kept[0]
    # The pairs and their similarity; the side by side opens on the kept copy, differences marked.
    s.page.click(".pair-list summary")
    assert "original.md \u2194 paraphrase.txt" in s.page.inner_text("ul.pairs")
    heads = s.page.eval_on_selector_all(".sbs-head", "hs => hs.map(h => h.innerText)")
    assert "paraphrase.txt" in heads[0] and "original.md" in heads[1]
    deleted = s.page.eval_on_selector_all(".sbs-col:first-child del", "ds => ds.map(d => d.textContent.trim())")
    inserted = s.page.eval_on_selector_all(".sbs-col:last-child ins", "ds => ds.map(d => d.textContent.trim())")
    assert "lasting" in " ".join(deleted) and "enduring" in " ".join(inserted)
    assert any(hostile[:20] in d for d in deleted)  # shown as text, never run
    assert s.page.locator("img").count() == 0
    # Compare with the other member on request.
    s.page.click("table.cluster-members tbody tr:has-text('rescrape.md') button:has-text('compare')")
    assert "rescrape.md" in s.page.inner_text(".sbs-col:last-child .sbs-head")
    s.assert_clean()
    s.page.eval_on_selector(".cluster", "e => e.scrollIntoView()")
    s.close(tmp_path / "duplicate-cluster.png")
    if os.environ.get("SEEDCHECK_SCREENSHOTS"):
        shutil.copy(tmp_path / "duplicate-cluster.png", os.environ["SEEDCHECK_SCREENSHOTS"])
