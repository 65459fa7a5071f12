"""Package list only (metadata is in pyproject.toml): src/'s packages plus the rule files and
schemas, mapped into the wheel as seedcheck._data.checks and seedcheck._data.schemas."""

from setuptools import find_packages, setup

setup(packages=find_packages("src") + ["seedcheck._data.checks", "seedcheck._data.schemas"])
