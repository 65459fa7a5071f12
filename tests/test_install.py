"""The built wheel, installed into a fresh virtual environment, works from a directory that is
not this repository: rules and schemas come from the wheel, and nothing points back here
or into site-packages.

To stay offline and fast, the new environment takes seedcheck's dependencies from the test
environment's site-packages (a .pth line; `pip install --no-deps`), and only seedcheck
itself from the wheel. Building the wheel fetches the build backend (setuptools) from the
package index unless pip has it cached.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin/ of a new virtual environment holding the wheel built from this checkout."""
    pytest.importorskip("build")
    work = tmp_path_factory.mktemp("install")
    source, dist = work / "seedcheck-src", work / "dist"
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], check=True, capture_output=True).stdout
    for name in [*filter(None, tracked.decode().split("\0")), "LICENSE", "src/seedcheck/py.typed"]:
        if (ROOT / name).is_file():  # a copy: building writes egg-info and build/ next to the sources
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(source)],
        check=True,
        capture_output=True,
        timeout=600,
        env=clean,
    )
    [wheel] = dist.glob("seedcheck-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "seedcheck/py.typed" in names and any(n.endswith("licenses/LICENSE") for n in names), names
    assert any(n.startswith("seedcheck/_data/checks/rules/") for n in names)
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    site = subprocess.run(
        [str(bin_dir / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
        env=clean,
    )
    # Then the test environment's packages, after the new environment's own (no .pth in there
    # runs, so the editable seedcheck of the test environment is not importable from it).
    (Path(site) / "test-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return bin_dir


def test_the_installed_wheel_checks_a_foreign_corpus(installed, tmp_path):
    corpus = tmp_path / "corpus-repo"
    (corpus / "docs").mkdir(parents=True)
    (corpus / "pyproject.toml").write_text('[tool.seedcheck]\npaths = ["docs"]\n', encoding="utf-8")
    (corpus / "docs" / "a.md").write_text("Untitled\n\nThe two leaders met today.\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = subprocess.run(
        [str(installed / "python"), "-c", "import seedcheck; print(seedcheck.__file__)"],
        cwd=corpus,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert where.startswith(str(installed.parent)), where  # the wheel's seedcheck, not this checkout's
    proc = subprocess.run(
        [str(installed / "seedcheck"), "check", "-q"],
        cwd=corpus,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    data = json.loads((corpus / "reports" / "findings.json").read_text(encoding="utf-8"))
    assert {"missing-date", "expectation-failed"} <= {f["rule"] for f in data["findings"]}
    for f in data["findings"]:  # corpus findings point at the user's configuration, not site-packages
        assert not f["path"] or Path(f["path"]).resolve().is_relative_to(corpus.resolve()), f
    rules = subprocess.run(
        [str(installed / "seedcheck"), "rules"], cwd=corpus, env=env, capture_output=True, text=True, check=False
    )
    assert rules.returncode == 0 and "missing-date" in rules.stdout
