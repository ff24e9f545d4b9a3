"""runner/data.py: the run's copy of the data, its checksum (origin record and sheet included) and its facts."""

from __future__ import annotations

import pytest

from khuyenhoc import __version__
from khuyenhoc.errors import InputFileError
from khuyenhoc.fsutil import sha256_checksum
from khuyenhoc.paths import SAMPLE_DATA, origin_path
from khuyenhoc.runner.data import copy_data_file, data_facts, facts_of, has_lineage_sheet, lineage_checksum
from khuyenhoc.runner.manifest import Manifest


def test_the_copy_carries_its_origin_record_and_the_checksum_covers_both_and_the_sheet(tmp_path):
    copy, checksum = copy_data_file(SAMPLE_DATA, tmp_path, "vi")
    assert copy == tmp_path / SAMPLE_DATA.name and copy.read_bytes() == SAMPLE_DATA.read_bytes()
    origin = origin_path(SAMPLE_DATA).read_bytes()
    assert origin_path(copy).read_bytes() == origin
    assert checksum == sha256_checksum(SAMPLE_DATA.read_bytes() + b"\0origin\0" + origin)
    assert copy_data_file(SAMPLE_DATA, tmp_path, "vi", sheet="Số liệu")[1] != checksum


def test_a_missing_data_file_is_named(tmp_path):
    with pytest.raises(InputFileError) as raised:
        copy_data_file(tmp_path / "khong-co.csv", tmp_path, "vi")
    assert "khong-co.csv" in str(raised.value)


def test_the_facts_of_the_sample(sample_table):
    facts = facts_of(sample_table, "sha256:x")
    assert facts.years == [2009, 2010, 2011, 2012, 2013] and facts.source == SAMPLE_DATA.name and facts.illustrative
    assert len(facts.units[2013]) == 8 and all(len(digest) == 16 for digest in facts.rows[2013].values())
    assert facts.single_root(2013) is not None and set(facts.children(2013)[facts.single_root(2013)]) == set(facts.units[2013])
    assert lineage_checksum(sample_table) is None and lineage_checksum(None) is None
    assert not has_lineage_sheet(SAMPLE_DATA), "a CSV has no sheets"


def test_recorded_facts_spare_a_validation(tmp_path, sample_table):
    facts = facts_of(sample_table, "sha256:x")
    manifest = Manifest(tmp_path)
    manifest.record_facts(facts, __version__)
    assert data_facts(tmp_path / "not-read.csv", "sha256:x", manifest, "vi") == facts
