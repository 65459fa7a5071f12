"""Package list only (metadata is in pyproject.toml): src/'s packages plus the rule files and
schemas, mapped into the wheel as seedcheck._data.checks and seedcheck._data.schemas."""

import os

from setuptools import find_namespace_packages, setup


def data_packages(folder: str, package: str) -> list[str]:
    # Every directory below a data folder is a (namespace) package of the wheel.
    found = []
    for dirpath, dirnames, _ in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
        rel = os.path.relpath(dirpath, folder)
        found.append(package if rel == "." else package + "." + rel.replace(os.sep, "."))
    return found


setup(
    packages=find_namespace_packages("src", include=["seedcheck*"]) + data_packages("checks", "seedcheck._data.checks") + data_packages("schemas", "seedcheck._data.schemas"),
    package_dir={"": "src", "seedcheck._data.checks": "checks", "seedcheck._data.schemas": "schemas"},
)
