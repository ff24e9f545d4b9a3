"""The optional groups of issue 19 in the yearly report: a section (table, chart, paragraph) only where the area's data
of that year has the group, in the Word report, the Excel workbook, summary.json/md and the notebook's HTML, in both
languages; a blank cell is not reported (never 0).

The fixture is the bundled (illustrative) sample with group columns added on its communes for some years only:
organisation and scholarships in 2012 and 2013, learning citizens and the centres in 2013 only, nothing before 2012."""

from __future__ import annotations

import io
import json

import docx
import openpyxl
import pandas as pd
import pytest

from khuyenhoc.i18n import column_header
from khuyenhoc.indicators import analyse
from khuyenhoc.paths import SAMPLE_DATA
from khuyenhoc.render import charts, save
from khuyenhoc.render import display as show
from khuyenhoc.render.excel import to_xlsx
from khuyenhoc.render.markdown import summary_json, summary_markdown
from khuyenhoc.render.word import to_docx
from khuyenhoc.reports.annual import AnnualSummary
from khuyenhoc.reports.profile import UnitProfile
from khuyenhoc.reports.tables import report_tables
from khuyenhoc.table import load_table

GROUPS = ["organisation", "learning_citizens", "support", "centres"]
FROM = {"branches": 2012, "boards": 2012, "scholarships": 2012, "scholarships_vnd": 2012, "support": 2012, "support_vnd": 2012,
        "awards": 2012, "awards_vnd": 2012, "adults": 2013, "learning_citizens": 2013, "centre_classes": 2013, "centre_learners": 2013}


def _values(position: int, year: int) -> dict[str, int]:
    """A commune's figures (``position``: its place in the data): round numbers, a little more each year."""
    step = year - 2012
    scholarships = 5 + position + step
    return {"branches": 10 + position + step, "boards": 2 + step, "scholarships": scholarships, "scholarships_vnd": scholarships * 800_000,
            "support": 3, "support_vnd": 1_500_000, "awards": 20 + position, "awards_vnd": (20 + position) * 100_000,
            "adults": 5_000 + 100 * position, "learning_citizens": 2_000 + 10 * position, "centre_classes": 4, "centre_learners": 120}


@pytest.fixture(scope="module")
def grouped(tmp_path_factory) -> pd.DataFrame:
    """The sample's rows with the group columns (canonical names), blank where a unit or year does not report them."""
    frame = pd.read_csv(SAMPLE_DATA, dtype=str, keep_default_na=False)
    communes = frame["Cấp"].isin(["xã", "phường"])
    positions = {unit: position for position, unit in enumerate(dict.fromkeys(frame.loc[communes, "Mã đơn vị"]))}
    for name, first in FROM.items():
        frame[column_header(name, "vi")] = [
            str(_values(positions[unit], int(year))[name]) if commune and int(year) >= first else ""
            for unit, year, commune in zip(frame["Mã đơn vị"], frame["Năm"], communes, strict=True)]
    return frame


@pytest.fixture(scope="module")
def analysis(grouped, tmp_path_factory):
    path = tmp_path_factory.mktemp("groups") / "bac-kan-groups.csv"
    grouped.to_csv(path, index=False)
    return analyse(load_table(path))


def expected(grouped: pd.DataFrame, name: str, year: int) -> int:
    """The whole town's total of ``name`` in ``year``, summed here from the fixture's cells."""
    cells = grouped.loc[grouped["Năm"] == str(year), column_header(name, "vi")]
    return sum(int(value) for value in cells if value)


def word_texts(summary: AnnualSummary) -> tuple[str, list[list[list[str]]]]:
    document = docx.Document(io.BytesIO(to_docx(summary)))
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return "\n".join(p.text for p in document.paragraphs), tables


def test_sections_follow_the_years_that_report_them(analysis):
    keys = {year: [t.key for t in report_tables(AnnualSummary(analysis, year, area_id="thi-hoi"))] for year in (2011, 2012, 2013)}
    assert keys[2011] == ["members", "families", "training", "fund"]
    assert keys[2012] == ["members", "families", "training", "fund", "organisation", "support"]
    assert keys[2013] == ["members", "families", "training", "fund", *GROUPS]


def test_table_totals_changes_and_millions(analysis, grouped):
    tables = {t.key: t for t in report_tables(AnnualSummary(analysis, 2013, area_id="thi-hoi"))}
    organisation = tables["organisation"]
    assert [c.header for c in organisation.columns] == ["TT", "Đơn vị", "Chi hội năm 2012", "Chi hội năm 2013", "Tăng, giảm",
                                                        "Ban khuyến học năm 2012", "Ban khuyến học năm 2013", "Tăng, giảm"]
    branches = expected(grouped, "branches", 2013)
    assert organisation.total[2:5] == (expected(grouped, "branches", 2012), branches, branches - expected(grouped, "branches", 2012))
    support = tables["support"]
    assert support.columns[3].header == "Giá trị học bổng (triệu đồng)"
    assert support.total[3] == pytest.approx(expected(grouped, "scholarships_vnd", 2013) / 1_000_000)
    shown_total = support.shown("vi")[-1]
    assert shown_total[3] == f"{expected(grouped, 'scholarships_vnd', 2013) / 1_000_000:.1f}".replace(".", ",")
    citizens = tables["learning_citizens"].shown("vi")[-1]
    share = 100 * expected(grouped, "learning_citizens", 2013) / expected(grouped, "adults", 2013)
    assert citizens[4] == f"{share:.1f}".replace(".", ",")
    assert citizens[5] == "—"  # no learning citizens in 2012: no change, not a change from 0


def test_blank_is_not_reported_never_zero(analysis, grouped, tmp_path):
    """A commune leaving the centres blank in 2013 shows "—" in its row, and adds nothing to the total."""
    frame = grouped.copy()
    first = frame.index[(frame["Năm"] == "2013") & (frame["Mã đơn vị"] == "duc-xuan")][0]
    frame.loc[first, [column_header("centre_classes", "vi"), column_header("centre_learners", "vi")]] = ""
    path = tmp_path / "blank.csv"
    frame.to_csv(path, index=False)
    summary = AnnualSummary(analyse(load_table(path)), 2013, area_id="thi-hoi")
    centres = next(t for t in report_tables(summary) if t.key == "centres")
    row = next(r for r in centres.shown("vi") if r[1] == "Phường Đức Xuân")
    assert row[2:] == ["—"] * 5  # classes 2012 and 2013, change, learners, learners per class
    assert centres.total[2:4] == (None, expected(grouped, "centre_classes", 2013) - 4)  # none reported in 2012: no total then


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_word_report_has_each_group_part_and_table(analysis, grouped, lang):
    """The groups' parts follow the four declared parts and "5. Xây dựng xã hội học tập" (the titles against their
    targets, when the data has them), numbered as shown."""
    summary_2013 = AnnualSummary(analysis, 2013, lang, area_id="thi-hoi")
    text_2013, tables_2013 = word_texts(summary_2013)
    first = 5 + (summary_2013.targets_table() is not None)
    titles = {"vi": ["Củng cố tổ chức Hội", "Xây dựng công dân học tập", "Học bổng, hỗ trợ và khen thưởng học sinh",
                     "Phối hợp với trung tâm học tập cộng đồng"],
              "en": ["The association's organisation", "Learning citizens", "Scholarships, support and awards to pupils",
                     "Community learning centres"]}[lang]
    heads = [f"{number}. {title}" for number, title in enumerate(titles, start=first)]
    for head in heads:
        assert head in text_2013.splitlines()
    total = f"{expected(grouped, 'scholarships', 2013):,}".replace(",", "." if lang == "vi" else ",")
    assert any(row[1] in ("Cộng", "Total") and row[2] == total for table in tables_2013 for row in table)
    summary_2012 = AnnualSummary(analysis, 2012, lang, area_id="thi-hoi")
    text_2012, tables_2012 = word_texts(summary_2012)
    lines_2012 = text_2012.splitlines()
    first_2012 = 5 + (summary_2012.targets_table() is not None)
    assert f"{first_2012}. {titles[0]}" in lines_2012 and f"{first_2012 + 1}. {titles[2]}" in lines_2012  # numbered as shown
    assert not any(line.endswith((titles[1], titles[3])) for line in lines_2012)
    assert len(tables_2012) == len(tables_2013) - 2 - (summary_2013.targets_table() is not None) + (summary_2012.targets_table() is not None)
    text_2011, _ = word_texts(AnnualSummary(analysis, 2011, lang, area_id="thi-hoi"))
    assert not any(line.endswith(title) for line in text_2011.splitlines() for title in titles)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_workbook_has_a_sheet_per_reported_group(analysis, grouped, lang):
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(AnnualSummary(analysis, 2013, lang, area_id="thi-hoi"))))
    sheets = {"vi": ["Tổ chức Hội", "Công dân học tập", "Học bổng, hỗ trợ, khen thưởng", "Trung tâm học tập cộng đồng"],
              "en": ["Organisation", "Learning citizens", "Scholarships, support, awards", "Community learning centres"]}[lang]
    assert book.sheetnames[4:] == sheets
    support = book[sheets[2]]
    total = next(row for row in support.iter_rows(values_only=True) if row[1] in ("Cộng", "Total"))
    assert total[2] == expected(grouped, "scholarships", 2013)
    assert total[3] == pytest.approx(expected(grouped, "scholarships_vnd", 2013) / 1_000_000)
    assert support.cell(row=2, column=4).number_format == "#,##0.0"
    early = openpyxl.load_workbook(io.BytesIO(to_xlsx(AnnualSummary(analysis, 2011, lang, area_id="thi-hoi"))))
    assert len(early.sheetnames) == 4


def test_summary_json_and_markdown_in_both_languages(analysis, grouped):
    vi = AnnualSummary(analysis, 2013, "vi", area_id="thi-hoi")
    document = summary_json(vi)
    assert document["indicators"]["scholarships_vnd"]["value"] == expected(grouped, "scholarships_vnd", 2013)
    assert document["indicators"]["branches_change"]["value"] == expected(grouped, "branches", 2013) - expected(grouped, "branches", 2012)
    assert document["indicators"]["learning_citizens_change_pp"]["value"] is None  # not reported in 2012: no change
    markdown = summary_markdown(vi)
    branches = f"{expected(grouped, 'branches', 2013):,}".replace(",", ".")
    assert f"Về tổ chức Hội, toàn thị xã có {branches} chi hội (tăng" in markdown
    assert "người được công nhận Công dân học tập, bằng" in markdown
    assert "suất học bổng trị giá" in markdown and "đồng/suất)" in markdown
    assert "Hội Khuyến học phối hợp với các trung tâm học tập cộng đồng mở" in markdown
    english = summary_markdown(AnnualSummary(analysis, 2013, "en", area_id="thi-hoi"))
    assert "were recognised as learning citizens" in english and "Community learning centres" in english
    assert "scholarships worth" in english and "branches (up" in english
    early = summary_markdown(AnnualSummary(analysis, 2011, "vi", area_id="thi-hoi"))
    assert "chi hội" not in early and "học bổng" not in early and "Công dân học tập" not in early
    assert json.loads(json.dumps(summary_json(AnnualSummary(analysis, 2011, "vi", area_id="thi-hoi"))))["indicators"]["branches"]["value"] is None


def test_fund_per_inhabitant_sentence(analysis):
    for lang, words in (("vi", "Tính theo dân số, quỹ khuyến học bình quân"), ("en", "Across the population, that is")):
        summary = AnnualSummary(analysis, 2013, lang, area_id="thi-hoi")
        assert words in " ".join(summary.narrative())
        assert ("đồng/người dân" if lang == "vi" else "VND per inhabitant") in " ".join(summary.narrative())


def test_html_shows_group_tables_only_where_reported(analysis, monkeypatch):
    objects: list = []
    monkeypatch.setattr(show, "display", objects.append)
    show.group_tables(AnnualSummary(analysis, 2012, "vi", area_id="thi-hoi"))
    html = "".join(o.data for o in objects)
    assert "Chi hội, ban khuyến học theo đơn vị, năm 2012" in html and "Học bổng, hỗ trợ, khen thưởng theo đơn vị" in html
    assert "Công dân học tập theo đơn vị" not in html and "trung tâm học tập cộng đồng theo đơn vị" not in html
    objects.clear()
    show.group_tables(AnnualSummary(analysis, 2011, "en", area_id="thi-hoi"))
    assert objects == []


def test_learning_citizens_chart_only_with_the_group(analysis):
    assert "learning_citizens_by_unit" in charts.annual_figures(AnnualSummary(analysis, 2013, area_id="thi-hoi"))
    assert "learning_citizens_by_unit" not in charts.annual_figures(AnnualSummary(analysis, 2012, area_id="thi-hoi"))


def test_saved_files_carry_the_groups(analysis, tmp_path):
    written = save(AnnualSummary(analysis, 2013, "en", area_id="thi-hoi"), tmp_path)
    assert tmp_path / "figures" / "learning_citizens_by_unit.png" in written
    assert "scholarships worth" in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_unit_profile_shows_the_groups_the_unit_reports(analysis, grouped):
    for lang, words in (("vi", ["chi hội", "Công dân học tập", "suất học bổng trị giá", "Trung tâm học tập cộng đồng mở 4 lớp với 120"]),
                        ("en", ["branches", "were recognised as learning citizens", "scholarships worth", "ran 4 classes with 120"])):
        profile = UnitProfile(analysis, 2013, "duc-xuan", lang)
        paragraph = " ".join(profile.narrative())
        assert all(word in paragraph for word in words), paragraph
        labels = list(profile.figures_table().iloc[:, 0])
        assert profile.values["branches"] == _values(0, 2013)["branches"]
        assert any(label.startswith(("Số chi hội", "Association branches")) for label in labels)
        early = UnitProfile(analysis, 2011, "duc-xuan", lang)
        assert not any(word in " ".join(early.narrative()) for word in words[1:])
        assert len(early.figures_table()) < len(profile.figures_table())
