"""`make eval`: every section of bench/evals/ in one run, as Markdown tables plus a JSON copy.

Not a pass/fail test: it measures. Each module in bench/evals/ exposing `TITLE` and
`evaluate(options) -> {"columns", "rows", "notes"}` is a section (see evals/__init__.py);
they run in name order. The JSON copy goes to bench/results/eval-<timestamp>.json
(git-ignored, like the bench results).

Usage: python bench/eval.py [--only NAME ...] [--quick] [--jobs N] [--fresh] [--json PATH]
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import subprocess
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from evals import ROOT, Options


def section_names() -> list[str]:
    """Module names of bench/evals/ that are sections, in name order."""
    return sorted(m.name for m in pkgutil.iter_modules([str(BENCH / "evals")]) if not m.name.startswith("_"))


def cell(value) -> str:
    """One Markdown table cell: floats with 3 decimals, None as a dash, pipes escaped."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown(title: str, name: str, result: dict) -> str:
    """A section's heading, table and notes as Markdown."""
    out = [f"## {title} (`{name}`)", ""]
    columns = result.get("columns") or []
    if columns:
        out.append("| " + " | ".join(cell(c) for c in columns) + " |")
        out.append("|" + "---|" * len(columns))
        out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in result.get("rows") or []]
        out.append("")
    out += [f"- {note}" for note in result.get("notes") or []]
    return "\n".join(out).rstrip() + "\n"


def run_section(name: str, options: Options) -> dict:
    """Import and run one section; a failure becomes a note, never stops the other sections."""
    started = time.perf_counter()
    try:
        module = importlib.import_module(f"evals.{name}")
        title = getattr(module, "TITLE", None)
        if title is None or not callable(getattr(module, "evaluate", None)):
            return {
                "title": name,
                "columns": [],
                "rows": [],
                "error": "no TITLE or evaluate()",
                "notes": ["skipped: the module defines no TITLE or evaluate(options)"],
            }
        result = dict(module.evaluate(options))
        result["title"] = title
    except Exception as exc:  # noqa: BLE001 - a broken section must not hide the others' figures
        traceback.print_exc()
        result = {
            "title": name,
            "columns": [],
            "rows": [],
            "error": repr(exc),
            "notes": [f"FAILED: {exc!r} (traceback on stderr)"],
        }
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def git_commit() -> str:
    """The worktree's HEAD (with `+dirty` when it has changes), for the JSON copy."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    """Run the sections, print Markdown, save the JSON copy; exit 1 if a section failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this section (repeatable)")
    parser.add_argument("--quick", action="store_true", help="let sections use smaller samples")
    parser.add_argument("--jobs", type=int, default=2, help="cores for seedcheck runs (default 2)")
    parser.add_argument("--fresh", action="store_true", help="ignore cached findings files")
    parser.add_argument("--json", type=Path, help="where to save the JSON copy")
    parser.add_argument("--list", action="store_true", help="list the sections and exit")
    args = parser.parse_args(argv)
    names = section_names()
    if args.list:
        print("\n".join(names))
        return 0
    unknown = sorted(set(args.only or []) - set(names))
    if unknown:
        parser.error(f"no section {', '.join(unknown)} (have: {', '.join(names)})")
    options = Options(quick=args.quick, jobs=args.jobs, fresh=args.fresh)
    stamp = datetime.now(timezone.utc)
    report = {
        "started": stamp.isoformat(timespec="seconds"),
        "commit": git_commit(),
        "quick": args.quick,
        "sections": {},
    }
    print(f"# seedcheck eval, {report['started']}, {report['commit']}{' (quick)' if args.quick else ''}\n")
    for name in args.only or names:
        result = run_section(name, options)
        report["sections"][name] = result
        print(markdown(result["title"], name, result) + f"\n_{result['seconds']} s_\n", flush=True)
    target = args.json or ROOT / "bench" / "results" / f"eval-{stamp:%Y%m%dT%H%M%S}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print(f"JSON: {target}")
    return 1 if any("error" in r for r in report["sections"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
