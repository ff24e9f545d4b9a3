"""Targets (issue 12): the learning-society titles against Quyết định 387/QĐ-TTg and local plans, on a hand-made district."""

from __future__ import annotations

from pathlib import Path

import pytest
from titles_data import HEADER, ROWS

from khuyenhoc.errors import DataValidationError
from khuyenhoc.indicators import analyse, compute
from khuyenhoc.render import charts
from khuyenhoc.render.markdown import summary_json
from khuyenhoc.reports.annual import AnnualSummary
from khuyenhoc.table import load_table
from khuyenhoc.targets import NATIONAL_TARGETS, load_targets, targets_in_use

UNITS = ["xa-a", "xa-b", "xa-c", "xa-d"]


@pytest.fixture
def district(tmp_path):
    path = tmp_path / "huyen.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return load_table(path)


def write_targets(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "ke-hoach.csv"
    path.write_text("\n".join(["indicator_id,target_year,value,source,unit_id", *lines]) + "\n", encoding="utf-8")
    return path


def test_the_national_file_holds_only_the_verified_2025_figures():
    targets = load_targets(NATIONAL_TARGETS).targets
    assert {(t.indicator, t.year, t.value) for t in targets} == {
        ("learning_families_pct", 2025, 70.0), ("learning_clans_pct", 2025, 65.0),
        ("learning_communities_pct", 2025, 65.0), ("learning_organisations_pct", 2025, 80.0)}
    assert all("387/QĐ-TTg" in t.source and "25/3/2022" in t.source and "Điều 1" in t.source for t in targets)


class TestRates:
    def test_shares_over_rows_reporting_both_and_their_change(self, district):
        assert compute(district, 2022, "huyen-x")["learning_families_pct"] == pytest.approx(57.5)  # 230/400, xa-d blank
        assert compute(district, 2024, "huyen-x")["learning_families_pct"] == pytest.approx(65.8)  # 329/500
        values = compute(district, 2025, "huyen-x")
        assert values["learning_families_pct"] == pytest.approx(65.5)  # 262/400: xa-d reports households only
        assert values["learning_families_change_pp"] == pytest.approx(-0.3)
        assert values["learning_clans_pct"] == pytest.approx(200 / 3)  # 10/15: xa-d's 0/0 adds nothing
        assert values["learning_clans_change_pp"] is None  # not reported in 2024
        assert values["learning_organisations_pct"] is None

    def test_blank_is_not_zero(self, district, tmp_path):
        zero = [row.replace("2025,xa-d,Xã Đông,xã,huyen-x,1000,100,10,2,1,1,3,60,1.000.000,100,,",
                            "2025,xa-d,Xã Đông,xã,huyen-x,1000,100,10,2,1,1,3,60,1.000.000,100,0,")
                for row in ROWS]
        assert zero != ROWS
        path = tmp_path / "zero.csv"
        path.write_text("\n".join([HEADER, *zero]) + "\n", encoding="utf-8")
        assert compute(load_table(path), 2025, "huyen-x")["learning_families_pct"] == pytest.approx(52.4)  # 262/500
        assert compute(district, 2025, "xa-d")["learning_families_pct"] is None


class TestProgress:
    def test_value_target_gap_units_and_projected_year(self, district):
        summary = AnnualSummary(analyse(district), 2025)
        assert summary.units == UNITS
        families, clans, communities = summary.targets
        assert (families.indicator, families.value, families.target, families.target_year) == ("learning_families_pct", 65.5, 70.0, 2025)
        assert families.gap_pp == pytest.approx(-4.5)
        assert (families.units_at_target, families.units_reported) == (1, 3)  # xa-a only; xa-d does not report
        assert families.pace_pp == pytest.approx(8 / 3)  # 57,5 % in 2022 to 65,5 % in 2025
        assert families.projected_year == 2027 and families.on_track is False
        assert (clans.gap_pp > 0, clans.projected_year, clans.units_at_target, clans.units_reported) == (True, 2025, 1, 2)
        assert (communities.pace_pp, communities.projected_year) == (None, None)  # no earlier year: no pace, no guess

    def test_below_target_units_are_findings_and_sentences_say_it(self, district):
        summary = AnnualSummary(analyse(district), 2025)
        below = [(f.unit_id, f.indicator, f.value, f.reference) for f in summary.findings if f.kind == "below_target"]
        assert below == [("xa-b", "learning_families_pct", 65.0, 70.0), ("xa-c", "learning_families_pct", 60.0, 70.0),
                         ("xa-b", "learning_clans_pct", 60.0, 65.0), ("xa-a", "learning_communities_pct", 20.0, 65.0)]
        assert "xa-b" in summary.findings_table().iloc[:, 0].str.cat() or "Xã Bình" in summary.findings_table().iloc[:, 0].str.cat()
        sentences = " ".join(summary.target_sentences())
        assert ("Tỷ lệ hộ đạt danh hiệu Gia đình học tập đạt 65,5%, thấp hơn mục tiêu 70% của năm 2025 là 4,5 điểm phần trăm; "
                "1/3 đơn vị đã đạt mục tiêu.") in sentences
        assert "sẽ đạt vào năm 2027, muộn hơn thời hạn năm 2025" in sentences
        table = summary.targets_table()
        assert list(table.iloc[0]) == ["Tỷ lệ hộ đạt danh hiệu Gia đình học tập", "65,5%", "-0,3 điểm phần trăm", "70% (năm 2025)",
                                       "-4,5 điểm phần trăm", "1/3", "2027"]
        assert table.iloc[1, -1] == "đã đạt"
        assert set(charts.target_figures(summary)) == {"targets_by_unit"}
        assert [t["indicator"] for t in summary_json(summary)["targets"]] == ["learning_families_pct", "learning_clans_pct", "learning_communities_pct"]

    def test_a_district_plan_overrides_the_national_figure(self, district, tmp_path):
        plan = write_targets(tmp_path, "learning_families_pct,2025,60,Kế hoạch huyện,huyen-x", "learning_clans_pct,2025,75,Kế hoạch xã,xa-a")
        summary = AnnualSummary(analyse(district), 2025, targets_path=plan)
        families, clans, _ = summary.targets
        assert (families.target, families.gap_pp, families.source, families.units_at_target) == (60.0, pytest.approx(5.5), "Kế hoạch huyện", 3)
        assert (clans.target, clans.units_at_target) == (65.0, 0)  # xa-a's own 75 % plan: its 70 % falls short
        assert targets_in_use(plan).in_force(2026, ["huyen-x", None]) == {}

    def test_a_year_without_titles_or_after_every_target(self, district, town_summary):
        assert AnnualSummary(analyse(district), 2023).targets[0].target == 70.0
        empty = town_summary
        assert (empty.targets, empty.targets_table(), empty.target_sentences(), charts.target_figures(empty)) == ([], None, [], {})
        assert "targets" not in summary_json(empty)
        assert not any("học tập" in label for label in empty.key_indicators().iloc[:, 0])


class TestTargetsFile:
    def test_unknown_id_and_over_100_are_refused_with_their_lines(self, tmp_path):
        path = write_targets(tmp_path, "learning_families_pct,2025,70,QĐ 387,", "learning_family_pct,2025,70,QĐ 387,",
                             "learning_clans_pct,2025,165,QĐ 387,", "learning_clans_pct,25,65,QĐ 387,")
        with pytest.raises(DataValidationError) as caught:
            load_targets(path)
        problems = caught.value.problems
        assert problems[["row", "column", "value", "rule"]].to_dict("records") == [
            {"row": 3, "column": "indicator_id", "value": "learning_family_pct", "rule": "target_indicator_unknown"},
            {"row": 4, "column": "value", "value": "165", "rule": "target_value_range"},
            {"row": 5, "column": "target_year", "value": "25", "rule": "target_year"},
        ]
        assert set(problems["file"]) == {str(path)}
        assert "0 đến 100" in problems["message"].iloc[1]

    def test_a_repeated_target_and_a_missing_column(self, tmp_path):
        path = write_targets(tmp_path, "learning_clans_pct,2025,65,a,", "learning_clans_pct,2025,66,b,")
        with pytest.raises(DataValidationError) as caught:
            load_targets(path)
        assert caught.value.problems[["row", "rule"]].to_dict("records") == [{"row": 3, "rule": "target_duplicate"}]
        bad = tmp_path / "thieu.csv"
        bad.write_text("indicator_id,value\nlearning_clans_pct,65\n", encoding="utf-8")
        with pytest.raises(DataValidationError) as caught:
            load_targets(bad)
        assert list(caught.value.problems["rule"]) == ["missing_column", "missing_column"]


@pytest.mark.slow
def test_a_run_on_data_with_the_titles_reports_them_against_their_targets(tmp_path):
    """The yearly report of a synthetic two-tier province shows the targets section; one without the columns does not."""
    from khuyenhoc.cli import main

    data = tmp_path / "tinh.csv"
    assert main(["sample", "--units", "30", "--years", "2024-2025", "--shape", "two-tier", "--out", str(data)]) == 0
    out = tmp_path / "out"
    assert main(["run", "--data", str(data), "--years", "2025", "--out", str(out), "--jobs", "2"]) == 0
    page = (out / "2025" / "annual_summary.html").read_text(encoding="utf-8")
    assert "Xây dựng xã hội học tập: kết quả so với mục tiêu" in page
    assert "mục tiêu 70% của năm 2025" in page
    plain = tmp_path / "plain"
    assert main(["run", "--years", "2013", "--out", str(plain), "--jobs", "2"]) == 0  # the bundled 2013 sample
    assert "mục tiêu" not in (plain / "2013" / "annual_summary.html").read_text(encoding="utf-8")


def test_run_checks_the_targets_file_first_and_ships_it_with_the_snapshot(tmp_path):
    """`khuyenhoc run --targets FILE --org ... --place ...`: a bad file is refused before anything runs; a good
    one travels in the run's snapshot, and every yearly report is given its checksum, the issuer and the place."""
    from khuyenhoc.runner import RunOptions, run_batch
    from khuyenhoc.runner.plan import ANNUAL
    from khuyenhoc.runner.records import JobResult, JobStatus, snapshot_dir

    data = tmp_path / "huyen.csv"
    data.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator_id,target_year,value,source\nlearning_families_pct,2025,170,kế hoạch\n", encoding="utf-8")
    seen: dict = {}

    def executor(jobs, copy, notebooks, options):
        seen["targets"] = (snapshot_dir(copy) / "targets.csv").read_bytes() if (snapshot_dir(copy) / "targets.csv").is_file() else None
        for job in jobs:
            seen.setdefault("parameters", {})[job.key] = job.parameters
            files = {"summary.json": b'{"provenance": {}}'} if job.notebook == ANNUAL else {}
            yield JobResult(job.key, JobStatus.OK, 0.1, notebook=b"{}", html=b"<html><body></body></html>", files=files)

    with pytest.raises(DataValidationError):
        run_batch(RunOptions(data=data, out_dir=tmp_path / "out", years=[2025], targets=bad), executor=executor)
    assert not (tmp_path / "out").exists() and not seen, "nothing ran, no folder made"
    plan = tmp_path / "ke-hoach.csv"
    plan.write_text("indicator_id,target_year,value,source,unit_id\nlearning_families_pct,2025,75,Nghị quyết của huyện,huyen-x\n", encoding="utf-8")
    run_batch(RunOptions(data=data, out_dir=tmp_path / "out", years=[2025], targets=plan, org="Hội Khuyến học huyện Xuân Hòa",
                         place="Xuân Hòa"), executor=executor)
    assert seen["targets"] == plan.read_bytes()
    annual = seen["parameters"]["2025/annual_summary"]
    assert (annual["org"], annual["place"]) == ("Hội Khuyến học huyện Xuân Hòa", "Xuân Hòa")
    assert annual["targets_checksum"].startswith("sha256:")
    assert "org" not in seen["parameters"]["trends"], "only the yearly reports take them"


@pytest.mark.slow
def test_a_run_with_a_district_plan_measures_against_it(tmp_path):
    from khuyenhoc.cli import main

    data = tmp_path / "huyen.csv"
    data.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    plan = tmp_path / "ke-hoach.csv"
    plan.write_text("indicator_id,target_year,value,source,unit_id\nlearning_families_pct,2025,75,Nghị quyết của huyện,huyen-x\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "--data", str(data), "--years", "2025", "--targets", str(plan), "--out", str(out), "--jobs", "2"]) == 0
    page = (out / "2025" / "annual_summary.html").read_text(encoding="utf-8")
    assert "mục tiêu 75% của năm 2025" in page and "mục tiêu 70%" not in page
    assert str(tmp_path) not in (out / "manifest.json").read_text(encoding="utf-8"), "the plan's path stays on this machine"


# --- issue 19: learning citizens against a user's plan (no national figure is shipped: see NOTES.md) -------------------

def test_a_plan_for_learning_citizens_is_accepted_and_measured(tmp_path):
    from groups_data import write

    from khuyenhoc.findings import below_target
    from khuyenhoc.targets import progress

    table = load_table(write(tmp_path, name="groups.csv"))
    plan = write_targets(tmp_path, "learning_citizens_pct,2025,45,Kế hoạch của huyện,huyen-x", "learning_citizens_pct,2025,35,Kế hoạch xã,xa-b")
    targets = targets_in_use(plan)
    assert [t.indicator for t in targets.targets if t.unit_id is not None] == ["learning_citizens_pct", "learning_citizens_pct"]
    records, per_unit = progress(table, 2024, "huyen-x", ["xa-a", "xa-b", "xa-c"], targets)
    citizens = next(r for r in records if r.indicator == "learning_citizens_pct")
    assert (citizens.value, citizens.change_pp, citizens.target, citizens.gap_pp) == (40.0, pytest.approx(10.0), 45.0, -5.0)
    assert (citizens.units_at_target, citizens.units_reported) == (1, 2)  # xa-b at its own 35 %; xa-c reports none
    assert citizens.projected_year == 2025  # +10 points a year
    below = below_target(per_unit, table.unit_names)
    assert [(f.unit_id, f.indicator, f.value, f.reference) for f in below] == [("xa-a", "learning_citizens_pct", 40.0, 45.0)]


def test_no_national_learning_citizens_target_is_shipped():
    assert "learning_citizens_pct" not in {t.indicator for t in load_targets(NATIONAL_TARGETS).targets}


class TestTargetsAgainstTheData:
    """Issue 22, items 9 and 14: a unit the data does not have, a fraction for a percentage, over-long and unprintable cells."""

    def test_a_unit_not_in_the_data_is_an_error_naming_the_row(self, tmp_path, district):
        path = write_targets(tmp_path, "learning_families_pct,2025,75,kế hoạch huyện,huyen-x", "learning_clans_pct,2025,70,kế hoạch,xa-khong-co")
        assert len(load_targets(path).targets) == 2  # without the data nothing tells
        with pytest.raises(DataValidationError) as caught:
            load_targets(path, units=district.unit_names)
        assert caught.value.problems[["file", "row", "column", "value", "rule"]].to_dict("records") == [
            {"file": str(path), "row": 3, "column": "unit_id", "value": "xa-khong-co", "rule": "target_unit_unknown"}]
        with pytest.raises(DataValidationError):
            AnnualSummary(analyse(district), 2025, targets_path=path)

    def test_the_targets_command_checks_ids_when_given_data(self, tmp_path, district, capsys):
        from khuyenhoc.cli import EXIT_FAILED, main

        data = tmp_path / "huyen.csv"
        path = write_targets(tmp_path, "learning_clans_pct,2025,70,kế hoạch,xa-khong-co")
        assert main(["targets", "--year", "2025", "--targets", str(path), "--data", str(data)]) == EXIT_FAILED
        err = capsys.readouterr().err
        assert f"Tệp {path}" in err and "Dòng 2" in err and "“xa-khong-co”" in err

    def test_a_fraction_like_value_is_a_warning_naming_the_row(self, tmp_path, capsys):
        path = write_targets(tmp_path, "learning_families_pct,2025,0.7,kế hoạch,", "learning_clans_pct,2025,\"0,85\",kế hoạch,",
                             "learning_communities_pct,2025,65,kế hoạch,")
        loaded = load_targets(path)
        assert [t.value for t in loaded.targets] == [0.7, 0.85, 65.0]  # taken as written, but said
        assert [(w["row"], w["value"], w["rule"]) for w in loaded.warnings] == [(2, "0.7", "target_value_fraction"), (3, "0,85", "target_value_fraction")]
        assert loaded.warnings[0]["message"] == "Mục tiêu ghi theo phần trăm: 0,7 là 0,7%, không phải 70%; nếu muốn 70% hãy ghi 70"
        assert targets_in_use(path).warnings == loaded.warnings
        from khuyenhoc.cli import EXIT_OK, main

        assert main(["targets", "--year", "2025", "--targets", str(path)]) == EXIT_OK
        out = capsys.readouterr().out
        assert "Dòng 2, cột “value” = “0.7”: Mục tiêu ghi theo phần trăm" in out and "Dòng 3" in out

    def test_a_field_over_the_csv_limit_names_the_file_and_line(self, tmp_path):
        from khuyenhoc.errors import InputFileError

        path = write_targets(tmp_path, "learning_families_pct,2025,70,kế hoạch,", "learning_clans_pct,2025,70," + "x" * 200_000 + ",")
        with pytest.raises(InputFileError) as caught:
            load_targets(path)
        assert str(caught.value) == f"{path}: dòng 3 có một ô dài hơn 131.072 ký tự; hãy kiểm tra dấu ngoặc kép của dòng đó"

    def test_a_nul_in_the_source_is_refused_and_shown_escaped(self, tmp_path, capsys):
        from khuyenhoc.cli import EXIT_FAILED, main

        path = write_targets(tmp_path, "learning_families_pct,2025,70,QĐ\x00 387,")
        with pytest.raises(DataValidationError) as caught:
            load_targets(path)
        assert caught.value.problems[["row", "column", "rule"]].to_dict("records") == [{"row": 2, "column": "source", "rule": "control_character"}]
        assert main(["targets", "--year", "2025", "--targets", str(path)]) == EXIT_FAILED
        err = capsys.readouterr().err
        assert "“QĐ\\x00 387”" in err and "\x00" not in err
