"""Same source URL in several documents (`duplicate-url`); URLs are compared as
`url_norm.normalise_url` gives them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, ClassVar

from ..facts import facts_of
from ..model import Fix, Hit
from . import Analyzer, analyzer
from .keep import keep_info, keep_key, keep_reason
from .url_norm import normalise_url


@analyzer
class SourceUrls(Analyzer):
    """`duplicate-url`: documents whose source URLs normalise to the same page."""

    name = "urls"
    READS: ClassVar[dict[str, frozenset[str]]] = {"duplicate-url": frozenset({"official_domains"})}

    @classmethod
    def collect(cls, doc, context) -> Any:
        url = doc.record.get("source_url")
        if not url or not isinstance(url, str):
            return None
        length = sum(len(text.strip()) for _, text in facts_of(doc, context).content_lines)
        return (
            normalise_url(url),
            doc.trace.line_of("source_url") or 1,
            keep_info(doc.record, length, doc.doc_id),
        )

    @classmethod
    def blocking_keys(cls, state, params: dict[str, dict]) -> list[str]:
        """Spark engine: only documents with the same normalised URL are compared."""
        return [state[0]] if state else []

    @classmethod
    def finish(cls, states, rules, context) -> Iterable[tuple]:
        official = rules["duplicate-url"].params["official_domains"] if "duplicate-url" in rules else []
        changed = frozenset(getattr(context, "changed_ids", None) or ())
        groups: dict[str, list[tuple[str, int, Any]]] = defaultdict(list)
        for doc_id, state in states:
            if state:
                groups[state[0]].append((doc_id, state[1], state[2]))
        number = 0
        for url in sorted(groups):
            members = groups[url]
            if len(members) < 2:
                continue
            number += 1
            info = {d: k for d, _, k in members}
            keeper = min(info, key=lambda d: keep_key(d, info[d], official, changed))
            ids = sorted(info)
            for doc_id, line, keep in members:
                yield _url_hit(doc_id, line, keep, url, ids, keeper, info, official, changed, f"url-{number}")


def _url_hit(doc_id, line, keep, url, ids, keeper, info, official, changed, cluster_id) -> tuple:
    """The `duplicate-url` finding of one copy: keep or drop it (and the record patch)."""
    others = [d for d in ids if d != doc_id]
    values = {"url": url, "others": ", ".join(others), "count": len(others), "keeper": keeper}
    if doc_id == keeper:
        reason = keep_reason(keep, info[others[0]], official, (doc_id in changed, others[0] in changed))
        values["decision"] = f"keep this copy ({reason})"
        fix = Fix(f"keep this copy ({reason}); remove {', '.join(others)}", None, safe=False)
        patch = {}
    else:
        reason = keep_reason(info[keeper], keep, official, (keeper in changed, doc_id in changed))
        values["decision"] = f"drop this copy, keep {keeper} ({reason})"
        fix = Fix(f"remove this document: {keeper} is the copy to keep ({reason})", None, safe=False)
        patch = {"duplicate_of": keeper}
    cluster = {"id": cluster_id, "keeper": keeper, "reason": reason, "similarity": dict.fromkeys(others, 1.0)}
    return "duplicate-url", doc_id, Hit(line=line, values=values, fix=fix, related=others, cluster=cluster), patch
