"""How much wall time great-expectations adds: on seeds/ and on the 6,458 real releases.

Usage: .venv/bin/python bench/gx_time.py [--repeat N] [--jobs N] [--skip-real]

Each measurement runs in a fresh Python process (so the GX import is cold, as in a real
`seedcheck check`) with only `expectation-failed` selected, and reports:
  stage    timings["expectations"] of the pipeline: import + suite build + validation
  warm     the same suite run again in that process (GX already imported): validation only
  import   stage - warm (GX import, context and suite set-up)
  warm_cpu CPU seconds (user+sys) of the warm run: the machine is shared, so wall times
           vary with load while CPU time does not much
It also checks the acceptance: on seeds the date and URL coverage expectations fail, on the
real corpus every expectation passes. The real corpus is extracted from
../shared/corpora/wh-briefings-2021-2025.tar.gz into bench/work/ (git-ignored) once.
Results go to bench/results/gx_time.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TARBALL = SHARED / "corpora" / "wh-briefings-2021-2025.tar.gz"
WORK = ROOT / "bench" / "work"

sys.path.insert(0, str(ROOT / "bench"))
from corpora import unpack

RESULTS = ROOT / "bench" / "results"

# Runs inside a fresh interpreter; prints one JSON line.
PROBE = r"""
import json, os, sys, time
from pathlib import Path
from seedcheck.config import Config, apply
from seedcheck.pipeline import run
from seedcheck import expectations as ex

root, corpus, jobs = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
config = apply(Config(root=root), {"select": ["expectation-failed"]})
result = run(config, [corpus], jobs=jobs)
stage = result.timings["expectations"]
records = [d["record"] for d in result.documents]
t, c = time.perf_counter(), os.times()
ex.run_suite(ex.load_suite(config), ex.records_table(records))
warm, c2 = time.perf_counter() - t, os.times()
print(json.dumps({
    "documents": len(result.documents), "stage": stage, "warm": warm,
    "documents_stage": result.timings.get("documents"), "total": result.timings.get("total"),
    "warm_cpu": (c2.user + c2.system) - (c.user + c.system),
    "expectations": [{"name": e["name"], "success": e["success"], "observed_value": e["observed_value"],
                      "severity": e["severity"]} for e in result.expectations],
    "gx_loaded": "great_expectations" in sys.modules,
}))
"""


def extract_real() -> Path | None:
    """The real corpus under bench/work/, extracted once; None when ../shared is absent."""
    return unpack(TARBALL, WORK) if TARBALL.is_file() else None


def probe(corpus: Path, jobs: int) -> dict:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    t = time.perf_counter()
    # A file, not `python -c`: under -c, pyspark (pulled in by GX/pandera when installed) runs its
    # doctest stub on import and exits the interpreter early.
    script = ROOT / "bench" / "work" / "_gx_probe.py"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(PROBE, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script), str(ROOT), str(corpus), str(jobs)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        raise SystemExit(f"probe failed on {corpus}:\n{proc.stderr[-2000:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    data["process_wall"] = time.perf_counter() - t
    return data


def summarise(name: str, runs: list[dict]) -> dict:
    def med(key):
        return round(statistics.median(r[key] for r in runs), 3)

    return {
        "corpus": name,
        "documents": runs[0]["documents"],
        "runs": len(runs),
        "stage_s": med("stage"),
        "warm_s": med("warm"),
        "warm_cpu_s": med("warm_cpu"),
        "import_s": round(med("stage") - med("warm"), 3),
        "stage_all_s": [round(r["stage"], 3) for r in runs],
        "warm_all_s": [round(r["warm"], 3) for r in runs],
        "documents_stage_s": med("documents_stage"),
        "failed": [e["name"] for e in runs[0]["expectations"] if not e["success"]],
        "expectations": runs[0]["expectations"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args()
    corpora = [("seeds", ROOT / "seeds")]
    if not args.skip_real:
        real = extract_real()
        if real is None:
            print(f"skipping the real corpus: {TARBALL} not found", file=sys.stderr)
        else:
            corpora.append(("wh2021", real))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    out = {"loadavg_1min_at_start": load, "results": []}
    for name, path in corpora:
        runs = [probe(path, args.jobs) for _ in range(args.repeat)]
        out["results"].append(summarise(name, runs))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "gx_time.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"load average at start: {load}")
    print(f"{'corpus':<8} {'docs':>6} {'stage s':>8} {'warm s':>7} {'import s':>8}  failed expectations")
    ok = True
    for r in out["results"]:
        print(
            f"{r['corpus']:<8} {r['documents']:>6} {r['stage_s']:>8} {r['warm_s']:>7} {r['import_s']:>8}  "
            f"{', '.join(r['failed']) or '-'}"
        )
        if r["corpus"] == "seeds":
            ok &= {"date-coverage", "source-url-coverage"} <= set(r["failed"])
        else:
            ok &= not r["failed"]
    print("acceptance:", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
