/* seedcheck report: renders the document list and the selected document from the
   embedded JSON. Data is only ever inserted with textContent/createElement (never
   innerHTML), invisible and bidi-control characters are shown as visible marks, and
   only http(s) URLs become links. Filter state lives in the URL fragment. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("seedcheck-data").textContent);
  var DOCS = DATA.docs, FINDINGS = DATA.findings, RULES = DATA.rules;
  var SEVS = ["error", "warning", "info"];
  var ICON = { error: "\u2716", warning: "\u25B2", info: "\u2139", ok: "\u2714" };
  var RANK = { info: 0, warning: 1, error: 2 };
  var PAGE = 200, LINES_CAP = 400, CHARS_CAP = 40000;
  var INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2028\u2029\u2066-\u2069\ufeff\ud800-\udfff]/g;

  var byId = Object.create(null);
  DOCS.forEach(function (d, i) {
    d.i = i; d.f = []; d.counts = { error: 0, warning: 0, info: 0 };
    d.domain = (d.record && d.record.source_domain) || "(none)";
    byId[d.id] = i;
  });
  var CLUSTERS = Object.create(null); /* duplicate cluster id -> indexes of its findings */
  FINDINGS.forEach(function (f, i) {
    f.i = i;
    if (f.doc >= 0 && DOCS[f.doc]) { DOCS[f.doc].f.push(i); DOCS[f.doc].counts[f.severity] += 1; }
    if (f.cluster && f.cluster.id) (CLUSTERS[f.cluster.id] = CLUSTERS[f.cluster.id] || []).push(i);
  });

  /* ---------- DOM helpers: text only, never HTML ---------- */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "text") vis(node, attrs[k]);
      else if (k === "cls") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    for (var a = 2; a < arguments.length; a++) {
      var c = arguments[a];
      if (c === null || c === undefined || c === false) continue;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return node;
  }
  function hex(ch) { var h = ch.charCodeAt(0).toString(16).toUpperCase(); return "U+" + "0000".slice(h.length) + h; }
  /* Append `text` to `parent`; invisible and bidi-control characters become visible marks. */
  function vis(parent, text) {
    text = text === null || text === undefined ? "" : String(text);
    var last = 0, m;
    INVISIBLE.lastIndex = 0;
    while ((m = INVISIBLE.exec(text)) !== null) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      var span = document.createElement("span");
      span.className = "ctl"; span.title = "invisible character"; span.textContent = "\u27E8" + hex(m[0]) + "\u27E9";
      parent.appendChild(span);
      last = m.index + m[0].length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
    return parent;
  }
  function sevBadge(sev) {
    return el("span", { cls: "sev sev-" + sev }, el("span", { cls: "icon", "aria-hidden": "true" }, ICON[sev] || ""), " " + sev);
  }
  /* An http(s) URL as a link; anything else (javascript:, data:, garbage) as plain text. */
  function urlNode(url) {
    if (!url) return el("span", { cls: "muted" }, "none");
    var ok = false;
    try { var u = new URL(String(url)); ok = u.protocol === "http:" || u.protocol === "https:"; } catch (e) { ok = false; }
    if (!ok) return vis(el("span"), url);
    var a = el("a", { href: new URL(String(url)).href, rel: "noopener noreferrer nofollow", target: "_blank" });
    return vis(a, url);
  }
  function fmt(n) { return Number(n).toLocaleString("en-US"); }

  /* ---------- state and the URL fragment ---------- */
  var state = { sev: SEVS.slice(), rule: "", domain: "", status: "", fresh: false, q: "", doc: "" };
  var shown = PAGE, visible = [], showAllFindings = false, expanded = Object.create(null);

  function serialise() {
    var p = [];
    if (state.sev.length !== SEVS.length) p.push("sev=" + state.sev.join(","));
    if (state.rule) p.push("rule=" + encodeURIComponent(state.rule));
    if (state.domain) p.push("domain=" + encodeURIComponent(state.domain));
    if (state.status) p.push("status=" + encodeURIComponent(state.status));
    if (state.fresh) p.push("new=1");
    if (state.q) p.push("q=" + encodeURIComponent(state.q));
    if (state.doc) p.push("doc=" + encodeURIComponent(state.doc));
    return p.join("&");
  }
  function parse(hash) {
    var s = { sev: SEVS.slice(), rule: "", domain: "", status: "", fresh: false, q: "", doc: "" };
    String(hash || "").replace(/^#/, "").split("&").forEach(function (part) {
      if (!part) return;
      var eq = part.indexOf("="), key = eq < 0 ? part : part.slice(0, eq), raw = eq < 0 ? "" : part.slice(eq + 1), val;
      try { val = decodeURIComponent(raw); } catch (e) { val = raw; }
      if (key === "sev") s.sev = val.split(",").filter(function (x) { return SEVS.indexOf(x) >= 0; });
      else if (key === "rule") s.rule = val;
      else if (key === "domain") s.domain = val;
      else if (key === "status") s.status = ["ok", "warning", "error"].indexOf(val) >= 0 ? val : "";
      else if (key === "new") s.fresh = val === "1";
      else if (key === "q") s.q = val;
      else if (key === "doc") s.doc = val;
    });
    return s;
  }
  function writeHash() {
    var h = serialise();
    if (location.hash.replace(/^#/, "") === h) return;
    try { history.replaceState(null, "", h ? "#" + h : location.pathname + location.search); }
    catch (e) { location.hash = h; }
  }

  /* ---------- filtering ---------- */
  var haystack = null;
  function buildHaystack() {
    haystack = DOCS.map(function (d) {
      var r = d.record || {}, parts = [d.id, d.path, r.title, r.source_url, r.canonical_url, r.source_domain, d.body];
      d.f.forEach(function (i) { parts.push(FINDINGS[i].message, FINDINGS[i].rule, FINDINGS[i].excerpt); });
      return parts.filter(function (x) { return x; }).join("\n").toLowerCase();
    });
  }
  function findingFilterActive() { return state.sev.length !== SEVS.length || !!state.rule || state.fresh; }
  function findingMatches(f) {
    return state.sev.indexOf(f.severity) >= 0 && (!state.rule || f.rule === state.rule) && (!state.fresh || !f.baselined);
  }
  function docMatches(d, q) {
    if (state.status && d.status !== state.status) return false;
    if (state.domain && d.domain !== state.domain) return false;
    if (findingFilterActive() && !d.f.some(function (i) { return findingMatches(FINDINGS[i]); })) return false;
    if (q && haystack[d.i].indexOf(q) < 0) return false;
    return true;
  }
  function applyFilters() {
    var q = state.q.trim().toLowerCase();
    if (q && !haystack) buildHaystack();
    visible = [];
    for (var i = 0; i < DOCS.length; i++) if (docMatches(DOCS[i], q)) visible.push(i);
    shown = PAGE;
    renderList();
  }

  /* ---------- the list ---------- */
  var listEl = document.getElementById("doc-list"), moreEl = document.getElementById("more"), countEl = document.getElementById("count");
  function renderList() {
    listEl.textContent = "";
    var frag = document.createDocumentFragment(), n = Math.min(shown, visible.length);
    for (var k = 0; k < n; k++) frag.appendChild(listItem(DOCS[visible[k]]));
    listEl.appendChild(frag);
    moreEl.hidden = visible.length <= shown;
    moreEl.textContent = "Show " + fmt(Math.min(PAGE, visible.length - shown)) + " more (" + fmt(visible.length - shown) + " left)";
    countEl.textContent = "Showing " + fmt(n) + " of " + fmt(visible.length) + " matching documents (" + fmt(DOCS.length) +
      (DATA.capped ? " in this report, " + fmt(DATA.capped.documentsTotal) + " in the run; see findings.json)." : " in all).");
  }
  function listItem(d) {
    var title = (d.record && d.record.title) || "(no title)";
    var b = el("button", { type: "button", "data-doc": String(d.i), "aria-current": d.id === state.doc ? "true" : "false" },
      el("span", { cls: "doc-title" }, sevBadge(d.status), " ", vis(el("span"), title.length > 160 ? title.slice(0, 159) + "\u2026" : title)),
      vis(el("span", { cls: "doc-id" }), d.id));
    var counts = el("span", { cls: "doc-counts" });
    SEVS.forEach(function (s) { if (d.counts[s]) counts.appendChild(el("span", { cls: "sev-" + s }, ICON[s] + " " + d.counts[s] + " " + s + (d.counts[s] > 1 && s !== "info" ? "s" : ""))); });
    b.appendChild(counts);
    b.addEventListener("click", function () { openDoc(d.i, true); });
    return el("li", null, b);
  }

  /* ---------- one document ---------- */
  var detailEl = document.getElementById("detail");
  function openDoc(i, focus) {
    var d = DOCS[i];
    if (!d) return;
    if (state.doc !== d.id) showAllFindings = false;
    state.doc = d.id;
    writeHash();
    Array.prototype.forEach.call(listEl.querySelectorAll("button[aria-current=true]"), function (b) { b.setAttribute("aria-current", "false"); });
    var cur = listEl.querySelector('button[data-doc="' + i + '"]');
    if (cur) cur.setAttribute("aria-current", "true");
    renderDetail(d);
    if (focus) detailEl.focus();
  }

  function renderDetail(d) {
    detailEl.textContent = "";
    var r = d.record || {};
    var title = r.title || "(no title)";
    detailEl.appendChild(el("h3", null, sevBadge(d.status), " ", vis(el("span"), title.length > 200 ? title.slice(0, 199) + "\u2026" : title)));
    var dl = el("dl", { cls: "record" });
    function row(label, node) { dl.appendChild(el("dt", null, label)); dl.appendChild(el("dd", null, node)); }
    function text(v) { return v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length) ? el("span", { cls: "muted" }, "none") : vis(el("span"), Array.isArray(v) ? v.join(", ") : typeof v === "object" ? JSON.stringify(v) : v); }
    row("title", text(r.title));
    row("document", text(d.id));
    row("path", text(d.path));
    row("date", el("span", null, text(r.date), r.date_source ? el("span", { cls: "muted" }, " (from " + r.date_source + ")") : null));
    if (r.published_time) row("published", text(r.published_time));
    row("source URL", urlNode(r.source_url));
    row("canonical URL", urlNode(r.canonical_url));
    row("source domain", text(r.source_domain));
    row("language", text(r.language));
    row("people", text(r.people));
    var skip = { doc_id: 1, path: 1, title: 1, date: 1, date_source: 1, published_time: 1, source_url: 1, canonical_url: 1, source_domain: 1, language: 1, people: 1, body: 1 };
    Object.keys(r).forEach(function (k) { if (!skip[k] && k.charAt(0) !== "_") row(k.replace(/_/g, " "), text(r[k])); });
    detailEl.appendChild(el("h4", null, "Record"));
    detailEl.appendChild(dl);

    var own = d.f.map(function (i) { return FINDINGS[i]; });
    var shownF = showAllFindings || !findingFilterActive() ? own : own.filter(findingMatches);
    detailEl.appendChild(el("h4", null, "Findings (" + own.length + ")"));
    if (!own.length) detailEl.appendChild(el("p", null, sevBadge("ok"), " No findings."));
    var lines = d.body ? d.body.split("\n") : [];
    var ol = el("ol", { cls: "findings" });
    shownF.forEach(function (f) { ol.appendChild(findingItem(f, d, lines)); });
    detailEl.appendChild(ol);
    if (shownF.length < own.length) {
      var all = el("button", { type: "button" }, "Show all " + own.length + " findings (" + (own.length - shownF.length) + " hidden by the filters)");
      all.addEventListener("click", function () { showAllFindings = true; renderDetail(d); });
      detailEl.appendChild(all);
    }

    var related = [], seen = Object.create(null);
    var relatedMore = 0;
    own.forEach(function (f) {
      relatedMore = Math.max(relatedMore, f.relatedMore || 0);
      (f.related || []).forEach(function (rel) { if (!seen[rel.id]) { seen[rel.id] = 1; related.push(rel); } });
    });
    if (related.length) {
      detailEl.appendChild(el("h4", null, "Related documents"));
      var ul = el("ul");
      related.forEach(function (rel) {
        if (rel.doc >= 0) {
          var b = el("button", { type: "button", cls: "linkish" }, vis(el("span"), rel.id));
          b.addEventListener("click", function () { openDoc(rel.doc, true); });
          ul.appendChild(el("li", null, b, " ", el("span", { cls: "muted" }, vis(el("span"), (DOCS[rel.doc].record || {}).title || ""))));
        } else ul.appendChild(el("li", null, vis(el("span"), rel.id), " (not in this report)"));
      });
      detailEl.appendChild(ul);
      if (relatedMore) detailEl.appendChild(el("p", { cls: "muted" }, "\u2026 and up to " + fmt(relatedMore) + " more (see findings.json)."));
    }

    var clustered = own.filter(function (f) { return f.cluster && f.cluster.id; });
    if (clustered.length) detailEl.appendChild(clusterNode(d, clustered));

    detailEl.appendChild(el("h4", null, "Text"));
    detailEl.appendChild(renderText(d, lines, own));
  }

  /* ---------- duplicate clusters: the group, and two members side by side ---------- */
  function memberId(f) { return f.doc >= 0 && DOCS[f.doc] ? DOCS[f.doc].id : f.docId; }
  function clusterData(cid) {
    var members = Object.create(null), order = [], pairs = Object.create(null), pairOrder = [];
    (CLUSTERS[cid] || []).forEach(function (i) {
      var g = FINDINGS[i], gid = memberId(g);
      if (!members[gid]) { members[gid] = { id: gid, doc: g.doc, findings: [] }; order.push(gid); }
      members[gid].findings.push(g);
      var sim = g.cluster.similarity || {};
      Object.keys(sim).forEach(function (o) {
        var a = gid < o ? gid : o, b = gid < o ? o : gid, key = a + "\u0000" + b;
        if (!pairs[key]) { pairs[key] = { a: a, b: b, sim: sim[o], rules: [] }; pairOrder.push(key); }
        if (pairs[key].rules.indexOf(g.rule) < 0) pairs[key].rules.push(g.rule);
      });
    });
    order.sort();
    return { members: members, order: order, pairs: pairOrder.sort().map(function (k) { return pairs[k]; }) };
  }
  function docButton(id, doc) {
    if (doc === undefined || doc < 0) return el("span", null, vis(el("span"), id), el("span", { cls: "muted" }, " (not in this report)"));
    var b = el("button", { type: "button", cls: "linkish" }, vis(el("span"), id));
    b.addEventListener("click", function () { openDoc(doc, true); });
    return b;
  }
  function short(text, n) { text = String(text || ""); return text.length > n ? text.slice(0, n - 1) + "\u2026" : text; }
  function decisionText(m) {
    return m.findings.map(function (g) {
      var keep = g.cluster.keeper === m.id;
      return g.rule + ": " + (keep ? "keep" : "drop, keep " + g.cluster.keeper) + " (" + (g.cluster.reason || "") + ")";
    }).join("; ");
  }
  function clusterNode(d, fs) {
    var box = el("section", { cls: "cluster", "aria-label": "Duplicate cluster" });
    var ids = [];
    fs.forEach(function (f) { if (ids.indexOf(f.cluster.id) < 0) ids.push(f.cluster.id); });
    ids.sort(); /* exact and near clusters (dup-) before same-URL groups (url-) */
    var cmp = el("div", { cls: "compare" });
    var firstOther = null;
    ids.forEach(function (cid) {
      var c = clusterData(cid);
      box.appendChild(el("h4", null, "Duplicate cluster " + cid + " (" + c.order.length + " documents)"));
      var tbody = el("tbody");
      c.order.forEach(function (mid) {
        var m = c.members[mid], rec = m.doc >= 0 && DOCS[m.doc] ? DOCS[m.doc].record || {} : {};
        var kept = m.findings.some(function (g) { return g.cluster.keeper === mid; });
        var tr = el("tr", { cls: mid === d.id ? "current" : "" });
        tr.appendChild(el("td", null, el("span", { cls: "sev " + (kept ? "sev-ok" : "sev-warning") }, kept ? "\u2714 keep" : "\u2716 drop")));
        tr.appendChild(el("td", null, mid === d.id ? el("strong", null, vis(el("span"), mid), " (this document)") : docButton(mid, m.doc),
          el("div", { cls: "muted" }, vis(el("span"), short(rec.title || "", 140) + (rec.date ? " \u00b7 " + rec.date : "")))));
        tr.appendChild(el("td", { cls: "small" }, vis(el("span"), decisionText(m))));
        var cell = el("td");
        if (mid !== d.id && m.doc >= 0) {
          var b = el("button", { type: "button" }, "compare");
          b.addEventListener("click", function () { showCompare(cmp, d, DOCS[m.doc]); });
          cell.appendChild(b);
          if (firstOther === null || kept) firstOther = m.doc;
        }
        tr.appendChild(cell);
        tbody.appendChild(tr);
      });
      box.appendChild(el("table", { cls: "small cluster-members" },
        el("thead", null, el("tr", null, el("th", { scope: "col" }, "decision"), el("th", { scope: "col" }, "document"),
          el("th", { scope: "col" }, "why"), el("th", { scope: "col" }, "side by side"))), tbody));
      var pl = el("ul", { cls: "pairs" });
      c.pairs.forEach(function (p) {
        pl.appendChild(el("li", null, el("span", { cls: "num" }, Number(p.sim).toFixed(2)), " ", vis(el("span"), p.a), " \u2194 ", vis(el("span"), p.b),
          el("span", { cls: "muted" }, " (" + p.rules.join(", ") + ")")));
      });
      box.appendChild(el("details", { cls: "pair-list" }, el("summary", null, "Similarity of each pair (" + c.pairs.length + ")"), pl));
    });
    box.appendChild(cmp);
    if (firstOther !== null) showCompare(cmp, d, DOCS[firstOther]);
    return box;
  }

  /* Word-level differences of two texts: [{t: 0 same | -1 left only | 1 right only, a: [...], b: [...]}]. */
  var DIFF_CELLS = 4000000;
  function wordDiff(left, right) {
    var a = String(left || "").match(/\S+\s*/g) || [], b = String(right || "").match(/\S+\s*/g) || [];
    /* Compared as the duplicate rules compare: case and punctuation folded. */
    function key(t) { var k = t.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ""); return k || t.trim(); }
    var ka = a.map(key), kb = b.map(key);
    var n = a.length, m = b.length, s = 0, e = 0, out = [], exact = true;
    while (s < n && s < m && ka[s] === kb[s]) s++;
    while (e < n - s && e < m - s && ka[n - 1 - e] === kb[m - 1 - e]) e++;
    function push(t, x, y) {
      var last = out[out.length - 1];
      if (last && last.t === t) { last.a = last.a.concat(x); last.b = last.b.concat(y); } else out.push({ t: t, a: x, b: y });
    }
    if (s) push(0, a.slice(0, s), b.slice(0, s));
    var N = n - s - e, M = m - s - e;
    if (N && M && (N + 1) * (M + 1) <= DIFF_CELLS) {
      var W = M + 1, L = new Uint16Array((N + 1) * W);
      for (var i = N - 1; i >= 0; i--) for (var j = M - 1; j >= 0; j--)
        L[i * W + j] = ka[s + i] === kb[s + j] ? L[(i + 1) * W + j + 1] + 1 : Math.max(L[(i + 1) * W + j], L[i * W + j + 1]);
      i = 0; j = 0;
      while (i < N || j < M) {
        if (i < N && j < M && ka[s + i] === kb[s + j]) { push(0, [a[s + i]], [b[s + j]]); i++; j++; }
        else if (j >= M || (i < N && L[(i + 1) * W + j] >= L[i * W + j + 1])) { push(-1, [a[s + i]], []); i++; }
        else { push(1, [], [b[s + j]]); j++; }
      }
    } else if (N || M) {
      exact = !(N && M);
      push(-1, a.slice(s, n - e), []); push(1, [], b.slice(s, m - e));
    }
    if (e) push(0, a.slice(n - e), b.slice(m - e));
    return { ops: out, exact: exact };
  }
  function showCompare(box, left, right) {
    box.textContent = "";
    var rl = left.record || {}, rr = right.record || {};
    box.appendChild(el("h4", null, "Side by side"));
    if (left.omitted || right.omitted) { box.appendChild(el("p", { cls: "muted" }, "A text is not embedded in this report (large run): compare the files.")); return; }
    var diff = wordDiff(left.body, right.body), changed = 0, total = 0;
    var pl = el("pre", { cls: "sbs-text", "aria-label": "this document" }), pr = el("pre", { cls: "sbs-text", "aria-label": "the other document" });
    diff.ops.forEach(function (op) {
      total += Math.max(op.a.length, op.b.length);
      if (op.t === 0) { vis(pl, op.a.join("")); vis(pr, op.b.join("")); return; }
      changed += op.t < 0 ? op.a.length : op.b.length;
      if (op.t < 0) pl.appendChild(vis(el("del", { title: "only in this document" }), op.a.join("")));
      else pr.appendChild(vis(el("ins", { title: "only in the other document" }), op.b.join("")));
    });
    box.appendChild(el("p", { cls: "muted" }, fmt(changed) + " of " + fmt(total) + " words differ" +
      (diff.exact ? "" : " (texts too long to align word by word: the differing middle is marked whole)") +
      " (compared ignoring case and punctuation, as the duplicate rules do). Struck out: only on the left; underlined: only on the right."));
    var grid = el("div", { cls: "sbs" });
    [[left, rl, pl], [right, rr, pr]].forEach(function (side) {
      grid.appendChild(el("div", { cls: "sbs-col" }, el("div", { cls: "sbs-head" }, vis(el("strong"), short(side[1].title || side[0].id, 160)),
        el("div", { cls: "muted" }, vis(el("span"), side[0].id + (side[1].date ? " \u00b7 " + side[1].date : "")))), side[2]));
    });
    box.appendChild(grid);
  }

  function lineLabel(d, idx) { return d.bodyLine ? String(d.bodyLine + idx) : "b" + (idx + 1); }

  function findingItem(f, d, lines) {
    var li = el("li", { cls: "sev-" + f.severity });
    var where = f.line ? "line " + f.line + (f.column ? ":" + f.column : "") : "document";
    var head = el("div", null, sevBadge(f.severity), " ", el("code", null, f.rule), " ", el("span", { cls: "muted" }, where),
      f.baselined ? el("span", { cls: "tag" }, "baselined") : el("span", { cls: "tag" }, "new"));
    li.appendChild(head);
    li.appendChild(vis(el("div", { cls: "msg" }), f.message));
    if (f.bodyIndex !== null && f.bodyIndex !== undefined) {
      var go = el("button", { type: "button", cls: "linkish" }, "show in text");
      go.addEventListener("click", function () { gotoLine(d, f.bodyIndex); });
      li.appendChild(go);
    } else if (f.line) {
      li.appendChild(el("div", { cls: "muted hidden-note" }, d.omitted ? "the text of this document is not embedded in the report" + (f.excerpt ? "; the flagged line:" : "")
        : "line " + f.line + " is outside the body (frontmatter or header lines)" + (f.excerpt ? ":" : "")));
      if (f.excerpt) li.appendChild(el("div", { cls: "diff" }, vis(el("div"), f.excerpt)));
    }
    if (f.fix) li.appendChild(fixNode(f, lines));
    var rule = RULES[f.rule];
    if (rule) {
      var det = el("details", { cls: "ruledoc" }, el("summary", null, "About " + f.rule + (rule.id ? " (" + rule.id + ")" : "")));
      ["what", "why", "fix"].forEach(function (k) { if (rule[k]) det.appendChild(el("p", null, el("strong", null, k + ": "), vis(el("span"), rule[k]))); });
      li.appendChild(det);
    }
    return li;
  }

  function cps(s) { return Array.from(s || ""); }
  function hasSpan(f) { return f.column && f.endColumn && f.endColumn > f.column && (!f.endLine || f.endLine === f.line); }

  /* The suggested fix as before/after lines. */
  function fixNode(f, lines) {
    var box = el("div", { cls: "fix" }, el("strong", null, "Fix: "), vis(el("span"), f.fix.description || ""));
    var idx = f.bodyIndex, before = idx !== null && idx !== undefined ? lines[idx] : null;
    if (f.fix.replacement === null || f.fix.replacement === undefined) return box;
    var diff = el("div", { cls: "diff", role: "group", "aria-label": "suggested change" });
    if (before !== null && before !== undefined) {
      var c = cps(before);
      var b = el("div", { cls: "before" }, el("span", { cls: "mark", "aria-hidden": "true" }, "\u2212 "), el("span", { cls: "sr" }, "before: "));
      var a = el("div", { cls: "after" }, el("span", { cls: "mark", "aria-hidden": "true" }, "+ "), el("span", { cls: "sr" }, "after: "));
      if (f.fix.deleteLine) {
        vis(b, before); a.appendChild(el("em", null, "(line deleted)"));
      } else if (hasSpan(f)) {
        var s = f.column - 1, e = f.endColumn - 1;
        vis(b, c.slice(0, s).join("")); b.appendChild(vis(el("mark"), c.slice(s, e).join(""))); vis(b, c.slice(e).join(""));
        vis(a, c.slice(0, s).join("")); a.appendChild(vis(el("mark"), f.fix.replacement)); vis(a, c.slice(e).join(""));
      } else {
        vis(b, before); vis(a, f.fix.replacement);
      }
      diff.appendChild(b); diff.appendChild(a);
    } else {
      if (f.excerpt) diff.appendChild(vis(el("div", { cls: "before" }, "\u2212 "), f.excerpt));
      diff.appendChild(f.fix.deleteLine ? el("div", { cls: "after" }, "+ ", el("em", null, "(line deleted)")) : vis(el("div", { cls: "after" }, "+ "), f.fix.replacement));
    }
    box.appendChild(diff);
    return box;
  }

  /* The body, one element per line; flagged lines highlighted, exact spans marked. */
  function renderText(d, lines, own) {
    var wrap = el("div");
    if (d.omitted) {
      wrap.appendChild(el("p", { cls: "muted" }, "The text of this document is not embedded: a run over many documents embeds the bodies of the first documents with findings only, to keep the report small. The file is ", vis(el("code"), d.path), "."));
      return wrap;
    }
    if (!lines.length) { wrap.appendChild(el("p", { cls: "muted" }, "(empty body)")); return wrap; }
    if (!d.bodyLine) wrap.appendChild(el("p", { cls: "muted" }, "The file line of the body's first line is unknown here: lines are numbered b1, b2, \u2026 within the body."));
    var flags = Object.create(null);
    own.forEach(function (f) {
      if (f.bodyIndex === null || f.bodyIndex === undefined) return;
      (flags[f.bodyIndex] = flags[f.bodyIndex] || []).push(f);
    });
    var limit = lines.length, chars = 0;
    if (!expanded[d.i]) {
      for (var k = 0; k < lines.length; k++) {
        chars += lines[k].length + 1;
        if (k >= LINES_CAP || chars > CHARS_CAP) { limit = Math.max(1, k); break; }
      }
    }
    var pre = el("pre", { cls: "text", tabindex: "0", "aria-label": "document text" });
    for (var j = 0; j < limit; j++) pre.appendChild(lineNode(d, j, lines[j], flags[j]));
    wrap.appendChild(pre);
    if (limit < lines.length) {
      var btn = el("button", { type: "button", id: "expand" }, "Show the whole text (" + fmt(lines.length - limit) + " more lines)");
      btn.addEventListener("click", function () { expanded[d.i] = true; renderDetail(d); });
      wrap.appendChild(btn);
    }
    if (d.truncated) wrap.appendChild(el("p", { cls: "muted" }, "The report embeds the first 2,000,000 characters of this body; " + fmt(d.truncated) + " more are in the file."));
    return wrap;
  }

  function lineNode(d, idx, text, fs) {
    var span = el("span", { cls: "ln", id: "L" + lineLabel(d, idx) });
    var no = el("span", { cls: "no", "aria-hidden": "true" }, lineLabel(d, idx));
    span.appendChild(no);
    if (!fs) { vis(span, text); span.appendChild(document.createTextNode("\n")); return span; }
    var worst = fs.reduce(function (w, f) { return RANK[f.severity] > RANK[w] ? f.severity : w; }, "info");
    span.className = "ln flag-" + worst;
    span.setAttribute("title", fs.map(function (f) { return f.severity + " " + f.rule + ": " + f.message; }).join("\n"));
    no.textContent = ICON[worst] + " " + lineLabel(d, idx);
    span.appendChild(el("span", { cls: "sr" }, "[" + worst + " " + fs.map(function (f) { return f.rule; }).join(", ") + "] "));
    var c = cps(text), cuts = [0, c.length], spans = [];
    fs.forEach(function (f) {
      if (!hasSpan(f)) return;
      var s = Math.min(c.length, f.column - 1), e = Math.min(c.length, f.endColumn - 1);
      if (e > s) { spans.push([s, e]); cuts.push(s, e); }
    });
    cuts = cuts.filter(function (x, i, arr) { return arr.indexOf(x) === i; }).sort(function (a, b) { return a - b; });
    for (var k = 0; k + 1 < cuts.length; k++) {
      var s0 = cuts[k], e0 = cuts[k + 1], seg = c.slice(s0, e0).join("");
      var marked = spans.some(function (p) { return p[0] <= s0 && e0 <= p[1]; });
      if (marked) span.appendChild(vis(el("mark"), seg)); else vis(span, seg);
    }
    span.appendChild(document.createTextNode("\n"));
    return span;
  }

  function gotoLine(d, idx) {
    if (idx >= LINES_CAP && !expanded[d.i]) { expanded[d.i] = true; renderDetail(d); }
    var node = document.getElementById("L" + lineLabel(d, idx));
    if (!node) { expanded[d.i] = true; renderDetail(d); node = document.getElementById("L" + lineLabel(d, idx)); }
    if (!node) return;
    Array.prototype.forEach.call(detailEl.querySelectorAll(".ln.target"), function (n) { n.classList.remove("target"); });
    node.classList.add("target");
    node.scrollIntoView({ block: "center" });
  }

  /* ---------- wiring ---------- */
  var form = document.getElementById("filters");
  var ruleSel = document.getElementById("f-rule"), domSel = document.getElementById("f-domain"), statusSel = document.getElementById("f-status");
  var newBox = document.getElementById("f-new"), qBox = document.getElementById("f-q");
  (function fillSelects() {
    var rc = Object.create(null), dc = Object.create(null);
    FINDINGS.forEach(function (f) { rc[f.rule] = (rc[f.rule] || 0) + 1; });
    DOCS.forEach(function (d) { dc[d.domain] = (dc[d.domain] || 0) + 1; });
    Object.keys(rc).sort().forEach(function (r) { ruleSel.appendChild(el("option", { value: r }, r + " (" + fmt(rc[r]) + ")")); });
    Object.keys(dc).sort().forEach(function (x) { domSel.appendChild(vis(el("option", { value: x }), x + " (" + fmt(dc[x]) + ")")); });
  })();
  function ensureOption(sel, value) {
    if (!value) return;
    for (var i = 0; i < sel.options.length; i++) if (sel.options[i].value === value) return;
    sel.appendChild(vis(el("option", { value: value }), value + " (0)"));
  }
  function syncForm() {
    Array.prototype.forEach.call(form.querySelectorAll("input[name=sev]"), function (box) { box.checked = state.sev.indexOf(box.value) >= 0; });
    ensureOption(ruleSel, state.rule); ensureOption(domSel, state.domain);
    ruleSel.value = state.rule; domSel.value = state.domain; statusSel.value = state.status;
    newBox.checked = state.fresh;
    if (qBox.value !== state.q) qBox.value = state.q;
  }
  function readForm() {
    state.sev = Array.prototype.filter.call(form.querySelectorAll("input[name=sev]"), function (b) { return b.checked; }).map(function (b) { return b.value; });
    state.rule = ruleSel.value; state.domain = domSel.value; state.status = statusSel.value;
    state.fresh = newBox.checked; state.q = qBox.value;
  }
  function update() { readForm(); applyFilters(); writeHash(); if (state.doc && byId[state.doc] !== undefined) renderDetail(DOCS[byId[state.doc]]); }
  form.addEventListener("change", function (e) { if (e.target !== qBox) update(); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  var timer = null;
  qBox.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 150); });
  document.getElementById("f-reset").addEventListener("click", function () {
    state = { sev: SEVS.slice(), rule: "", domain: "", status: "", fresh: false, q: "", doc: state.doc };
    syncForm(); applyFilters(); writeHash();
  });
  moreEl.addEventListener("click", function () {
    var first = Math.min(shown, visible.length);
    shown += PAGE; renderList();
    var next = listEl.querySelectorAll("button")[first];
    if (next) next.focus();
  });
  Array.prototype.forEach.call(document.querySelectorAll("button[data-filter]"), function (b) {
    b.addEventListener("click", function () {
      var kind = b.getAttribute("data-filter"), value = b.getAttribute("data-value");
      if (kind === "rule") state.rule = value; else if (kind === "domain") state.domain = value; else if (kind === "status") state.status = value;
      syncForm(); applyFilters(); writeHash();
      document.getElementById("documents").focus();
    });
  });
  document.addEventListener("keydown", function (e) {
    var t = e.target, typing = t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA");
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "/") { e.preventDefault(); qBox.focus(); }
    else if (e.key === "j" || e.key === "k") {
      if (!visible.length) return;
      var pos = state.doc ? visible.indexOf(byId[state.doc]) : -1;
      pos = e.key === "j" ? Math.min(visible.length - 1, pos + 1) : Math.max(0, pos - 1);
      if (pos >= shown) { shown = pos + 1; renderList(); }
      openDoc(visible[pos], false);
      var b = listEl.querySelector('button[data-doc="' + visible[pos] + '"]');
      if (b) b.focus();
    }
  });
  function fromHash() {
    if (location.hash.replace(/^#/, "") === serialise() && visible.length) return;
    state = parse(location.hash);
    syncForm(); applyFilters();
    if (state.doc && byId[state.doc] !== undefined) openDoc(byId[state.doc], false);
  }
  window.addEventListener("hashchange", fromHash);
  state = parse(location.hash);
  syncForm(); applyFilters();
  if (state.doc && byId[state.doc] !== undefined) openDoc(byId[state.doc], false);
  document.documentElement.setAttribute("data-ready", "1");
})();
