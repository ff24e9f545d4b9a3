"""The input contract's declarations: the optional column groups (issue 19) and how their headers are matched."""

from __future__ import annotations

import pytest

from khuyenhoc.i18n import LANGS, column_header
from khuyenhoc.schema import (AMOUNT_RULES, COLUMN_BY_NAME, GROUP_BY_ID, GROUPS, NOT_ABOVE, OPTIONAL_COLUMNS, ROW_RULES, SHARE_RULES,
                              TITLE_COLUMNS, canonical_column)


def test_the_groups_are_declared_once_each_optional_column_in_one_group():
    assert [group.id for group in GROUPS] == ["learning_society", "organisation", "learning_citizens", "support", "centres"]
    assert GROUP_BY_ID["learning_society"].columns == TITLE_COLUMNS
    assert GROUP_BY_ID["organisation"].columns == ("branches", "boards")
    assert GROUP_BY_ID["learning_citizens"].columns == ("adults", "learning_citizens")
    assert GROUP_BY_ID["support"].columns == ("scholarships", "scholarships_vnd", "support", "support_vnd", "awards", "awards_vnd")
    assert GROUP_BY_ID["centres"].columns == ("centre_classes", "centre_learners")
    assert len(OPTIONAL_COLUMNS) == len(set(OPTIONAL_COLUMNS))
    for name in OPTIONAL_COLUMNS:  # blank = not reported: never required, never filled in
        spec = COLUMN_BY_NAME[name]
        assert (spec.kind, spec.required, spec.nullable) == ("integer", False, True), name


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_every_group_has_a_label(lang):
    labels = [group.label(lang) for group in GROUPS]
    assert all(label.strip() for label in labels) and len(set(labels)) == len(labels)
    assert GROUP_BY_ID["centres"].label("vi") == "Trung tâm học tập cộng đồng"
    assert GROUP_BY_ID["support"].label("en") == "Scholarships, support and awards"


def test_the_groups_rules():
    assert SHARE_RULES["learning_citizens_le_adults"] == ("adults", "learning_citizens")
    assert NOT_ABOVE["learning_citizens_le_adults"] == ("learning_citizens", "adults")  # also checked by the Excel template
    assert AMOUNT_RULES == {"scholarships_vnd_without_scholarships": ("scholarships", "scholarships_vnd"),
                            "support_vnd_without_support": ("support", "support_vnd"),
                            "awards_vnd_without_awards": ("awards", "awards_vnd")}
    assert {rule: ROW_RULES[rule] for rule in AMOUNT_RULES} == {
        "scholarships_vnd_without_scholarships": "scholarships_vnd", "support_vnd_without_support": "support_vnd",
        "awards_vnd_without_awards": "awards_vnd"}  # a problem is reported under the value's column


@pytest.mark.parametrize(("header", "column"), [
    ("Số chi hội", "branches"), ("so chi hoi", "branches"), ("SỐ CHI HỘI", "branches"), ("Chi hội", "branches"),
    ("Số ban khuyến học", "boards"), ("Số người lớn", "adults"), ("cong dan hoc tap", "learning_citizens"),
    ("Số suất học bổng", "scholarships"), ("Giá trị học bổng (đồng)", "scholarships_vnd"), ("Giá trị học bổng", "scholarships_vnd"),
    ("Số lượt hỗ trợ", "support"), ("Giá trị hỗ trợ (đồng)", "support_vnd"), ("Số lượt khen thưởng", "awards"),
    ("Giá trị khen thưởng (đồng)", "awards_vnd"), ("Số lớp tại trung tâm học tập cộng đồng", "centre_classes"),
    ("Lượt học viên trung tâm học tập cộng đồng", "centre_learners"), ("  Lượt  học viên TTHTCĐ ", "centre_learners"),
    ("Value of scholarships (VND)", "scholarships_vnd"), ("Community learning centre classes", "centre_classes"),
    ("scholarships_vnd", "scholarships_vnd"),
])
def test_group_headers_are_matched_like_the_others(header, column):
    assert canonical_column(header) == column


def test_the_new_headers_do_not_take_an_existing_one():
    assert canonical_column("Số lớp") == "training_classes"
    assert canonical_column("Lượt người") == "training_participants"
    for name in OPTIONAL_COLUMNS:
        for lang in LANGS:
            assert canonical_column(column_header(name, lang)) == name
