"""Writers: save() of a yearly summary (summary.json, summary.md, Word, Excel, figures) and the charts it draws."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from khuyenhoc import __version__
from khuyenhoc.i18n import text
from khuyenhoc.indicators import IDS, SCOPE_ALL, analyse, compute, to_json
from khuyenhoc.render import charts, save
from khuyenhoc.render.markdown import summary_json, summary_markdown
from khuyenhoc.reports.annual import AnnualSummary
from khuyenhoc.table import table_from_frame


@pytest.fixture(scope="module")
def vi(town_summary) -> AnnualSummary:
    return town_summary


@pytest.fixture(scope="module")
def en(sample_table) -> AnnualSummary:
    return AnnualSummary(analyse(sample_table), 2013, "en")


class TestJson:
    def test_same_shape_as_the_indicator_json(self, vi, sample_table):
        document = summary_json(vi)
        expected = to_json(2013, SCOPE_ALL, compute(sample_table, 2013))
        assert document["indicators"] == expected["indicators"]
        assert (document["year"], document["scope"]) == (2013, SCOPE_ALL)
        assert list(document["indicators"]) == IDS
        assert document["indicators"]["members"]["value"] == 9123
        assert document["indicators"]["fund_total_vnd"]["value"] == 343_380_000
        assert document["indicators"]["members_growth_pct"]["value"] == pytest.approx(5.6025, abs=1e-4)

    def test_findings_with_messages(self, vi):
        findings = summary_json(vi)["findings"]
        assert [(f["kind"], f["unit_id"]) for f in findings] == [
            ("no_training", "xuat-hoa"), ("members_fell", "duc-xuan"), ("low_fund_per_member", "nong-thuong"),
        ]
        assert findings[0] == {"kind": "no_training", "indicator": "training_classes", "unit_id": "xuat-hoa", "unit_name": "Xã Xuất Hóa",
                               "value": 0.0, "reference": None, "message": "Xã Xuất Hóa: không tổ chức lớp tập huấn nào trong năm."}

    def test_provenance(self, vi, sample_table):
        document = summary_json(vi)
        assert document["illustrative"] is True
        provenance = document["provenance"]
        assert provenance["data_checksum"] == sample_table.checksum
        assert provenance["data_checksum"].startswith("sha256:")
        assert provenance["data_source"] == "bac-kan-2009-2013.csv"
        assert provenance["package_version"] == __version__
        assert provenance["parameters"] == {"year": 2013, "lang": "vi", "area_id": None}
        assert provenance["illustrative"] is True
        generated = datetime.fromisoformat(provenance["generated_at"])
        assert generated.tzinfo is not None
        assert abs(datetime.now(UTC) - generated) < timedelta(minutes=5)

    def test_parameters_given_by_the_notebook(self, sample_table):
        summary = AnnualSummary(analyse(sample_table), 2013, "en", parameters={"year": 2013, "lang": "en", "data_path": None})
        assert summary_json(summary)["provenance"]["parameters"] == {"year": 2013, "lang": "en", "data_path": None}

    def test_not_illustrative(self, sample_frame):
        sample_frame["note"] = None
        document = summary_json(AnnualSummary(analyse(table_from_frame(sample_frame)), 2013))
        assert document["illustrative"] is False and document["provenance"]["illustrative"] is False

    def test_json_serialisable_without_nan(self, sample_table):
        text_ = json.dumps(summary_json(AnnualSummary(analyse(sample_table), 2009)), allow_nan=False)
        assert json.loads(text_)["indicators"]["members_change"]["value"] is None


@pytest.fixture(scope="module")
def saved(town_summary, tmp_path_factory) -> tuple[Path, list[Path]]:
    folder = tmp_path_factory.mktemp("summary")
    return folder, save(town_summary, folder)


class TestSave:
    def test_files(self, saved):
        folder, written = saved
        assert sorted(p.relative_to(folder).as_posix() for p in written) == [
            "annual_summary.docx", "annual_summary.xlsx",
            "figures/fund_by_level.png", "figures/members_by_unit.png", "figures/training_by_unit.png", "figures/trend.png",
            "summary.json", "summary.md",
        ]
        assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == sorted(
            ["figures"] + [p.relative_to(folder).as_posix() for p in written])  # no temporary files left
        for png in (folder / "figures").iterdir():
            assert png.read_bytes().startswith(b"\x89PNG")

    def test_json(self, saved, sample_table):
        folder, _ = saved
        document = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        assert document["indicators"]["members"]["value"] == 9123
        assert document["indicators"]["fund_total_vnd"]["value"] == 343_380_000
        assert document["provenance"]["data_checksum"] == sample_table.checksum
        assert "Xã Xuất Hóa" in (folder / "summary.json").read_text(encoding="utf-8")  # not \u-escaped

    def test_markdown(self, saved):
        folder, _ = saved
        markdown = (folder / "summary.md").read_text(encoding="utf-8")
        assert markdown.startswith("# Tổng kết công tác khuyến học năm 2013 — Hội Khuyến học thị xã Bắc Kạn\n\n")
        for figure in ("9.123 hội viên", "tăng 484 người", "5,6%", "343.380.000 đồng", "41.000.000 đồng", "13.649 lượt người", "288 lớp"):
            assert figure in markdown
        assert text("illustrative", "vi") in markdown
        assert markdown.endswith(".\n")

    def test_markdown_escapes_names(self, sample_frame):
        sample_frame.loc[sample_frame["unit_id"] == "xuat-hoa", "unit_name"] = "<script>alert(1)</script>"
        markdown = summary_markdown(AnnualSummary(analyse(table_from_frame(sample_frame)), 2013))
        assert "<script>" not in markdown
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown

    def test_resave_overwrites(self, sample_table, tmp_path):
        (tmp_path / "summary.md").write_text("old", encoding="utf-8")
        save(AnnualSummary(analyse(sample_table), 2012, "en"), tmp_path, figures={})  # the text files are what is re-saved here
        markdown = (tmp_path / "summary.md").read_text(encoding="utf-8")
        assert markdown.startswith(f"# {text('title.annual', 'en', year=2012)}")
        assert "8,639 members" in markdown


class TestFigures:
    def test_annual_figures(self, vi):
        figures = charts.annual_figures(vi)
        assert list(figures) == ["members_by_unit", "fund_by_level", "training_by_unit", "trend"]
        assert all(isinstance(f, Figure) for f in figures.values())
        assert figures["members_by_unit"].get_suptitle() == "Số hội viên theo đơn vị, năm 2013"

    def test_english_figures(self, en):
        assert charts.annual_figures(en)["members_by_unit"].get_suptitle() == "Members by unit, 2013"


def test_save_refuses_a_model_it_has_no_writer_for(tmp_path):
    with pytest.raises(TypeError, match="no writer for dict"):
        save({}, tmp_path)
    assert list(tmp_path.iterdir()) == []
