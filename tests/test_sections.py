"""The yearly report's sections, each declared once: khuyenhoc/reports/sections.py."""

from __future__ import annotations

import pytest

from khuyenhoc.i18n import LANGS, text
from khuyenhoc.indicators import REGISTRY
from khuyenhoc.reports.sections import GROUP_SECTIONS, SECTIONS, Column, Section
from khuyenhoc.schema import GROUP_BY_ID


def test_every_section_names_known_indicators_and_groups():
    for section in SECTIONS:
        for column in section.columns:
            assert column.indicator in REGISTRY, (section.key, column.indicator)
            assert column.change is None or column.change in REGISTRY, (section.key, column.change)
        assert section.group is None or section.group in GROUP_BY_ID, section.key
    assert [s.key for s in SECTIONS[:4]] == ["members", "families", "training", "fund"], "the reference report's order"
    assert {s.group for s in GROUP_SECTIONS} == set(GROUP_BY_ID) - {"learning_society"}, "the titles have their own part (I.5)"


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_every_section_has_its_texts_in_each_language(lang):
    catalogue = LANGS[lang].TEXT
    for section in SECTIONS:
        assert catalogue[f"word.table_{section.key}"] and catalogue[f"word.workbook_sheet_{section.key}"].strip()
        assert len(text(f"word.workbook_sheet_{section.key}", lang)) <= 31, "Excel's limit on a sheet's name"
        assert section.unit is None or catalogue[f"word.unit_{section.unit}"]
        for column in section.columns:
            assert catalogue[f"word.col_{column.header}"], (section.key, column.header)


def test_a_group_section_is_shown_only_where_a_figure_is_reported():
    group = Section("support", (Column("scholarships", "scholarships"), Column("awards", "awards")), group="support")
    assert not group.shown_in({"scholarships": None, "awards": None})
    assert not group.shown_in({})
    assert group.shown_in({"scholarships": None, "awards": 0}), "0 is a figure reported, blank is not"
    assert Section("members", (Column("members", "members_in"),)).shown_in({}), "a section of the contract is always shown"
    assert group.indicators == ("scholarships", "awards")
