"""Shared by sections: seedcheck's findings on the real corpora, cached by source tree.

`findings("wh21", options)` extracts ../shared/corpora/<tarball> under bench/work/eval/
once, runs `seedcheck check` on it cold (`--no-cache`, default configuration, from a
temporary directory with no pyproject.toml, this tree's src/ first on the path) and returns
the parsed findings.json. The file is kept as bench/work/eval/findings-<corpus>-<hash>.json,
where the hash covers src/, checks/ and schemas/: every section of a run (and later runs of
an unchanged tree) share one check per corpus; `--fresh` re-runs it. The corpora are
extracted under bench/work/eval/<corpus>/ (a marker file beside it records completion), so
doc ids are those of the tarballs, e.g. `statements-releases/2021-01/….md`.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from evals import ROOT, Options

# corpus key -> tarball under ../shared/corpora
CORPORA = {"wh21": "wh-briefings-2021-2025.tar.gz", "wh25": "wh-briefings-2025-2026-sample.tar.gz"}
_MEMO: dict[tuple[str, str], dict] = {}


def corpus_root(corpus: str, options: Options) -> Path:
    """The extracted corpus `corpus` (wh21 or wh25), extracted on first use."""
    root = options.work / "eval" / corpus
    marker = options.work / "eval" / f"{corpus}.extracted"
    if not marker.exists():
        root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(options.shared / "corpora" / CORPORA[corpus]) as tar:
            tar.extractall(root, filter="data")
        marker.write_text("ok\n")
    return root


def source_hash(root: Path = ROOT) -> str:
    """A digest of everything that decides the findings: src/seedcheck, checks/, schemas/."""
    digest = hashlib.sha256()
    for top in ("src/seedcheck", "checks", "schemas"):
        for path in sorted((root / top).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def run_check(paths: list[Path], options: Options, out: Path, args: tuple[str, ...] = ()) -> dict:
    """Run `seedcheck check PATHS --format json` as a user would, cold; save and parse the JSON."""
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(
            [str(options.root / "src")] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        ),
    )
    env.pop("SEEDCHECK_NO_CACHE", None)
    command = [
        sys.executable,
        str(Path(sys.executable).parent / "seedcheck"),
        "check",
        *map(str, paths),
        "--no-cache",
        "--no-reports",
        "--fail-on",
        "never",
        "-q",
        "--format",
        "json",
        "--jobs",
        str(options.jobs),
        *args,
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(f".{os.getpid()}.partial")  # concurrent runs never share one
    with tempfile.TemporaryDirectory(prefix="seedcheck-eval-") as cwd, partial.open("wb") as fh:
        done = subprocess.run(command, cwd=cwd, env=env, stdout=fh, stderr=subprocess.PIPE, check=False)
    if done.returncode != 0 or not partial.stat().st_size:
        raise RuntimeError(f"seedcheck exited {done.returncode}: {done.stderr.decode(errors='replace')[-2000:]}")
    partial.replace(out)
    return json.loads(out.read_text(encoding="utf-8"))


def findings_file(corpus: str, options: Options) -> Path:
    """Path of the cached findings.json of `corpus` for this source tree (it may not exist yet)."""
    return options.work / "eval" / f"findings-{corpus}-{source_hash(options.root)}.json"


def findings(corpus: str, options: Options) -> dict:
    """The findings.json of `corpus` for this source tree: memoised, cached on disk, else run."""
    path = findings_file(corpus, options)
    key = (corpus, str(path))
    if key not in _MEMO:
        if path.exists() and not options.fresh:
            _MEMO[key] = json.loads(path.read_text(encoding="utf-8"))
        else:
            _MEMO[key] = run_check([corpus_root(corpus, options)], options, path)
    return _MEMO[key]
