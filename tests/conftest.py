"""Shared fixtures: the bundled sample, and helpers to write small input files."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import settings

from khuyenhoc.paths import SAMPLE_DATA
from khuyenhoc.sample import bac_kan_sample, to_csv_text
from khuyenhoc.table import YearlyTable, load_table

# Property tests: a few examples by default (the fast run stays under a minute of CPU), many with
# HYPOTHESIS_PROFILE=thorough (e.g. before a release or nightly). Tests set no example counts of their own.
settings.register_profile("fast", max_examples=8, deadline=None)
settings.register_profile("thorough", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))


@pytest.fixture(scope="session")
def sample_table() -> YearlyTable:
    return load_table(SAMPLE_DATA)


@pytest.fixture
def sample_frame() -> pd.DataFrame:
    """The sample as canonical columns, to edit into bad files."""
    return bac_kan_sample()


@pytest.fixture
def write_csv(tmp_path: Path):
    """Write a canonical frame as a CSV with Vietnamese headers; return its path."""

    def write(frame: pd.DataFrame, name: str = "data.csv", sep: str = ",") -> Path:
        path = tmp_path / name
        path.write_text(to_csv_text(frame, sep=sep), encoding="utf-8")
        return path

    return write
