"""Unit names inside sentences: khuyenhoc/names.py."""

from __future__ import annotations

import pytest

from khuyenhoc.names import administrative_word, in_sentence, kinds_of_units, place_name, proper_name


@pytest.mark.parametrize("name, expected", [
    ("Phường Đức Xuân", "phường Đức Xuân"),
    ("Thị Trấn Nà Phặc", "thị trấn Nà Phặc"),  # the longest administrative word wins over "thị"
    ("THÀNH PHỐ Bắc Kạn", "thành phố Bắc Kạn"),
    ("  Xã Xuất Hóa ", "xã Xuất Hóa"),
    ("Xãhội Mới", "Xãhội Mới"),  # not a word on its own: left as written
    ("Bắc Kạn", "Bắc Kạn"),
])
def test_a_leading_administrative_word_is_lower_case_mid_sentence(name, expected):
    assert in_sentence(name) == expected


def test_english_names_are_left_as_written():
    assert in_sentence("Phường Đức Xuân", "en") == "Phường Đức Xuân"
    assert place_name("Hội Khuyến học Xã Xuất Hóa", "en") == "Xã Xuất Hóa"


def test_the_place_an_association_names():
    assert place_name("Hội Khuyến học thị xã Bắc Kạn") == "thị xã Bắc Kạn"
    assert place_name("hội  khuyến   học   Phường  Sông Cầu") == "phường Sông Cầu"
    assert place_name("Xã Xuất Hóa") == "xã Xuất Hóa"


def test_the_administrative_word_and_the_proper_name():
    assert administrative_word("Hội Khuyến học Thị xã Bắc Kạn") == "thị xã"
    assert administrative_word("Bắc Kạn") is None
    assert proper_name("Hội Khuyến học thị xã Bắc Kạn") == "Bắc Kạn"
    assert proper_name("Phường") == "Phường", "a bare word is a name as written, never an empty one"


def test_kinds_of_units_each_once_in_the_official_order():
    names = ["Phường Sông Cầu", "Xã Xuất Hóa", "Thị trấn Nà Phặc", "Xã Dương Quang", "Bắc Kạn"]
    assert kinds_of_units(names) == ["xã", "phường", "thị trấn"]
    assert kinds_of_units([]) == []
