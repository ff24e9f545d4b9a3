"""Shared fixtures: the bundled sample, its analysis, its 2013 summary and Word report, a synthetic province, and
helpers to write small input files. Session-scoped objects are read-only: a test that changes one builds its own."""

from __future__ import annotations

import gc
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


def pytest_collection_finish(session: pytest.Session) -> None:
    """After collection, the imported libraries are moved out of the garbage collector's sight (``gc.freeze``) and
    collections run less often: pandas, matplotlib and pandera leave a large heap of long-lived objects that every
    full collection would walk again (about a tenth of the fast run's CPU). Tests that need a collection call
    ``gc.collect()`` themselves."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


@pytest.fixture(scope="session")
def sample_table() -> YearlyTable:
    return load_table(SAMPLE_DATA)


@pytest.fixture(scope="session")
def sample_analysis(sample_table):
    """The bundled sample analysed (its indicator frames)."""
    from khuyenhoc.indicators import analyse

    return analyse(sample_table)


@pytest.fixture(scope="session")
def town_summary(sample_analysis):
    """The sample's 2013 summary in Vietnamese: the whole file, the town of Bắc Kạn comparing its eight units."""
    from khuyenhoc.reports.annual import AnnualSummary

    return AnnualSummary(sample_analysis, 2013)


@pytest.fixture(scope="session")
def town_document(town_summary):
    """The Word report of :func:`town_summary`, read back with python-docx."""
    import io

    import docx

    from khuyenhoc.render.word import to_docx

    return docx.Document(io.BytesIO(to_docx(town_summary)))


@pytest.fixture(scope="session")
def synthetic_province():
    """A synthetic province analysed: three tiers in 2023 and 2024 (15 districts), two in 2025 (about 190 communes
    under the province, a few merged)."""
    from khuyenhoc.indicators import analyse
    from khuyenhoc.sample import synthetic_table
    from khuyenhoc.table import table_from_frame

    return analyse(table_from_frame(synthetic_table(200, [2023, 2024, 2025], seed=1)))


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
