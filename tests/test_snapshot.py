"""The run's Parquet snapshot of an analysis: khuyenhoc/snapshot.py."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from khuyenhoc import snapshot
from khuyenhoc.indicators import analyse
from khuyenhoc.snapshot import FORMAT, TABLE_FILE, load_analysis, save_analysis, snapshot_targets, write_snapshot
from khuyenhoc.table import table_from_frame

INDICATOR_FRAMES_SAVED = ("whole", "units", "areas")


def test_an_analysis_comes_back_as_it_was_saved(sample_table, tmp_path):
    analysis = analyse(sample_table)
    folder = save_analysis(analysis, tmp_path / "snap")
    assert sorted(p.name for p in folder.iterdir()) == ["areas.parquet", TABLE_FILE, "units.parquet", "whole.parquet"]
    loaded = load_analysis(folder)
    assert_frame_equal(loaded.table.frame, sample_table.frame)
    assert [loaded.table.frame[c].dtype for c in ("unit_name", "parent_id")] == [object, object], "text stays objects, None where blank"
    assert (loaded.table.source, loaded.table.checksum, loaded.table.origin) == (sample_table.source, sample_table.checksum, sample_table.origin)
    assert loaded.table.illustrative == sample_table.illustrative is True
    assert_frame_equal(loaded.table.warnings, sample_table.warnings, check_dtype=False)
    for name in INDICATOR_FRAMES_SAVED:
        assert_frame_equal(getattr(loaded.frames, name), getattr(analysis.frames, name))
    assert analyse(loaded.table).frames is loaded.frames, "the loaded frames are the table's analysis: nothing is computed again"


def test_a_lineage_travels_with_the_table(tmp_path):
    rows = pd.DataFrame([[2024, "a", "Xã A", "xã", 100, 5], [2024, "b", "Xã B", "xã", 200, 7], [2025, "ab", "Xã AB", "xã", 300, 13]],
                        columns=["Năm", "Mã đơn vị", "Tên đơn vị", "Cấp", "Dân số", "Số hội viên"]).assign(**{
        header: 0 for header in ("Gia đình tú tài", "Gia đình cử nhân", "Dòng họ đăng ký", "Dòng họ đạt chuẩn", "Số lớp", "Lượt người",
                                 "Quỹ khuyến học (đồng)")})
    table = table_from_frame(rows, lineage=pd.DataFrame([(2025, "a", "ab"), (2025, "b", "ab")], columns=["Năm", "Mã đơn vị cũ", "Mã đơn vị mới"]))
    loaded = load_analysis(write_snapshot(table, tmp_path))
    assert_frame_equal(loaded.table.lineage.links, table.lineage.links)
    assert (loaded.table.lineage.source, loaded.table.lineage.checksum) == (table.lineage.source, table.lineage.checksum)


def test_targets_are_saved_beside_it_and_found(sample_table, tmp_path):
    assert snapshot_targets(None) is None
    save_analysis(analyse(sample_table), tmp_path / "plain")
    assert snapshot_targets(tmp_path / "plain") is None
    folder = save_analysis(analyse(sample_table), tmp_path / "with", targets=b"indicator,year,target\n")
    assert snapshot_targets(folder).read_bytes() == b"indicator,year,target\n"


def test_a_folder_of_another_format_is_refused_by_name(sample_table, tmp_path, monkeypatch):
    folder = save_analysis(analyse(sample_table), tmp_path / "snap")
    monkeypatch.setattr(snapshot, "FORMAT", FORMAT + 1)  # as a newer khuyenhoc would read this one
    with pytest.raises(ValueError, match=rf"snap/{TABLE_FILE}: not a khuyenhoc snapshot of format {FORMAT + 1}"):
        load_analysis(folder)
