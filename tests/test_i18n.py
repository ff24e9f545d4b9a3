"""The Vietnamese and English catalogues: same keys, same placeholders, no untranslated leftovers."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from khuyenhoc.i18n import DEFAULT_LANG, LANGS, SECTIONS, check_lang, column_header, indicator_label, rule_message, text, measure_name
from khuyenhoc.indicators import INDICATORS
from khuyenhoc.paths import PACKAGE_DIR
from khuyenhoc.schema import CANONICAL

vi, en = LANGS["vi"], LANGS["en"]

# Words that only an untranslated English sentence would contain.
ENGLISH_WORDS = {
    "the", "and", "must", "not", "file", "files", "column", "columns", "row", "rows", "value", "values", "year", "years",
    "unit", "units", "fund", "member", "members", "is", "are", "of", "to", "with", "for", "from", "missing", "invalid",
    "error", "please", "data", "sheet", "header", "people", "families", "classes", "clans", "no", "number", "total",
    "whole", "share", "per", "cannot", "found", "there", "only", "one", "each", "empty", "wrote", "template", "valid",
}
# Not English prose: formats, code-like examples and the '«_»' style characters.
ALLOWED_ASCII = {"csv", "xlsx", "utf", "a", "z", "duc", "xuan", "_"}


def _placeholders(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name is not None}


def test_default_language_is_vietnamese():
    assert DEFAULT_LANG == "vi"
    assert set(LANGS) == {"vi", "en"}
    with pytest.raises(ValueError, match="fr"):
        check_lang("fr")


@pytest.mark.parametrize("section", SECTIONS)
def test_both_languages_have_exactly_the_same_keys(section):
    vi_keys, en_keys = set(getattr(vi, section)), set(getattr(en, section))
    assert vi_keys - en_keys == set(), f"only in vi.{section}"
    assert en_keys - vi_keys == set(), f"only in en.{section}"
    assert vi_keys


@pytest.mark.parametrize("section", SECTIONS)
def test_placeholders_agree_between_languages(section):
    for key, vi_message in getattr(vi, section).items():
        en_message = getattr(en, section)[key]
        assert _placeholders(vi_message) == _placeholders(en_message), f"{section}[{key!r}]"


@pytest.mark.parametrize("lang", sorted(LANGS))
@pytest.mark.parametrize("section", SECTIONS)
def test_every_message_is_non_empty_text(lang, section):
    for key, message in getattr(LANGS[lang], section).items():
        assert isinstance(message, str) and message.strip() == message and message, f"{lang}.{section}[{key!r}]"


@pytest.mark.parametrize("section", SECTIONS)
def test_vietnamese_strings_have_no_english_leftovers(section):
    for key, message in getattr(vi, section).items():
        prose = re.sub(r"\{[a-z_]*\}|--[a-z-]+", "", message)  # placeholder and option names are code, not text
        words = {w.lower() for w in re.findall(r"[^\W\d_]+", prose)}  # whole words, Vietnamese letters included
        leftovers = words & ENGLISH_WORDS
        assert not leftovers, f"vi.{section}[{key!r}] = {message!r} contains English {sorted(leftovers)}"
        if len(words - ALLOWED_ASCII) >= 3:
            # a sentence (not a single word like "xong") without one Vietnamese letter is an untranslated one
            assert re.search(r"[^\x00-\x7f]", message), f"vi.{section}[{key!r}] = {message!r} looks untranslated"


@pytest.mark.parametrize("section", ["INDICATORS", "COLUMNS", "RULES", "TEMPLATE_HELP"])
def test_english_is_not_a_copy_of_the_vietnamese(section):
    for key, message in getattr(vi, section).items():
        assert getattr(en, section)[key] != message, f"{section}[{key!r}] is the same in both languages"


def test_catalogues_cover_the_registry_and_the_input_contract():
    assert set(vi.INDICATORS) == {i.id for i in INDICATORS}
    assert {i.measure for i in INDICATORS} <= set(vi.MEASURES)
    assert set(vi.COLUMNS) == set(CANONICAL)
    assert set(vi.TEMPLATE_HELP) == set(CANONICAL)


def _package_sources() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE_DIR.rglob("*.py"))


def test_every_text_key_the_code_asks_for_exists():
    used = set(re.findall(r"\btext\(\s*\"([a-z_.]+)\"", _package_sources()))
    assert {"missing", "illustrative", "valid", "error.file_empty", "indicators.title"} <= used
    assert used - set(vi.TEXT) == set()


def test_every_rule_the_code_reports_has_a_message():
    source = _package_sources()
    used = set(re.findall(r"(?:_series_check|_row_check|rule_message|_error)\(\s*\"([a-z_]+)\"", source))
    used |= set(re.findall(r"\"rule\":\s*\"([a-z_]+)\"", source))
    assert {"non_negative", "missing_column", "unique_year_unit", "unit_name_changed"} <= used
    assert used - set(vi.RULES) == set()


def test_lookups_fill_placeholders():
    assert text("valid", "vi", rows=45, units=9, years="2009, 2013") == "Dữ liệu hợp lệ: 45 dòng, 9 đơn vị, các năm 2009, 2013."
    assert text("valid", "en", rows=45, units=9, years="2013") == "The data is valid: 45 rows, 9 units, years 2013."
    assert rule_message("year_range", "vi", low=1945, high=2100) == "Năm phải nằm trong khoảng 1945–2100"
    assert indicator_label("members") == "Số hội viên"
    assert indicator_label("members", "en") == "Members"
    assert column_header("fund_vnd") == "Quỹ khuyến học (đồng)"
    assert measure_name("vnd") == "đồng" and measure_name("vnd", "en") == "VND"


def test_english_singular_after_one():
    assert measure_name("unit", "en", count=1) == "unit"
    assert measure_name("unit", "en", count=-1) == "unit"
    assert measure_name("unit", "en", count=2) == "units"
    assert measure_name("person", "en", count=1) == "person"
    assert measure_name("unit", "vi", count=1) == measure_name("unit", "vi", count=2) == "đơn vị"
    assert set(en.MEASURES_ONE) <= set(en.MEASURES)


def test_catalogue_files_are_utf8_and_nfc():
    import unicodedata

    for lang in LANGS:
        content = Path(LANGS[lang].__file__).read_text(encoding="utf-8")
        assert unicodedata.normalize("NFC", content) == content, lang


def test_data_notes_say_what_the_data_is():
    from khuyenhoc.i18n import data_notes

    assert data_notes("vi") == []
    assert data_notes("vi", illustrative=True, synthetic=True) == [text("illustrative", "vi"), text("synthetic", "vi")]
    assert data_notes("en", synthetic=True) == [text("synthetic", "en")]
