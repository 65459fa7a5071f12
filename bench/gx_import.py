"""great-expectations' import in the GX worker, with and without `lighten_gx_import`.

Usage: .venv/bin/python bench/gx_import.py [--runs 5]

Each run is a fresh Python process that imports pandas (the worker needs it either way),
then great_expectations, and prints the seconds of each; "full" imports GX as any process
does, "lightened" first calls `expectations.lighten_gx_import()` as the worker and the
forked validation do (scipy.stats and altair imported at first use, pyspark taken as
absent). The two kinds alternate, so drifts of the machine's speed fall on both; medians
are printed. It also says which of the deferred modules GX's import left unloaded.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PROBE = r"""
import json, sys, time
lighten = sys.argv[1] == "lightened"
started = time.perf_counter()
import pandas
after_pandas = time.perf_counter()
from seedcheck.expectations import lighten_gx_import
from seedcheck.expectations.validate import import_gx
if lighten:
    lighten_gx_import()
begun = time.perf_counter()
import_gx()
done = time.perf_counter()
left = sorted(n for n in ("scipy.stats", "altair", "pyspark") if type(sys.modules.get(n)).__name__ != "module")
print(json.dumps({"pandas": after_pandas - started, "gx": done - begun, "unloaded": left}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    times: dict[str, list[float]] = {"full": [], "lightened": []}
    unloaded: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as work:
        probe = Path(work, "probe.py")  # a file, not `python -c`: under -c pyspark's import may end the process
        probe.write_text(PROBE, encoding="utf-8")
        for _ in range(options.runs):
            for kind, values in times.items():
                out = subprocess.run(
                    [sys.executable, "-W", "ignore", str(probe), kind], capture_output=True, text=True, check=True
                ).stdout
                row = json.loads(out.strip().splitlines()[-1])
                values.append(row["gx"])
                unloaded[kind] = row["unloaded"]
    for kind, values in times.items():
        print(
            f"{kind:<10} great_expectations import: median {statistics.median(values):.3f} s "
            f"(min {min(values):.3f}, max {max(values):.3f}); not loaded: {', '.join(unloaded[kind]) or 'none'}"
        )


if __name__ == "__main__":
    main()
