"""Text a user reads, one catalogue per language (``vi`` default, ``en``)."""

from __future__ import annotations

from types import ModuleType

from khuyenhoc.i18n import en, vi

DEFAULT_LANG = "vi"
LANGS: dict[str, ModuleType] = {"vi": vi, "en": en}
SECTIONS = ("INDICATORS", "MEASURES", "COLUMNS", "LEVELS", "RULES", "TEXT", "TEMPLATE_HELP", "GROUPS")


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is supported, else raise ``ValueError``."""
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; choose one of {sorted(LANGS)}")
    return lang


def _section(section: str, lang: str) -> dict[str, str]:
    return getattr(LANGS[check_lang(lang)], section)


def text(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """A user-facing sentence from the ``TEXT`` catalogue, filled with ``values``."""
    return _section("TEXT", lang)[key].format(**values)


def text_count(key: str, number: int, lang: str = DEFAULT_LANG, **values: object) -> str:
    """``text(key)`` for ``number`` things, from ``<key>_one`` when it is 1 (English "1 file", "2 files"); ``{count}``
    is ``number`` unless ``values`` give it (formatted: 3.300)."""
    return text(f"{key}_one" if number == 1 else key, lang, **({"count": number} | values))


def quote(value: object, lang: str = DEFAULT_LANG) -> str:
    """``value`` in the quotation marks of ``lang``: “9.123” in Vietnamese, '9,123' in English."""
    return text("quote", lang, value=value)


def rule_message(rule: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The message for a validation rule id."""
    return _section("RULES", lang)[rule].format(**values)


def indicator_label(indicator_id: str, lang: str = DEFAULT_LANG) -> str:
    """The label of an indicator."""
    return _section("INDICATORS", lang)[indicator_id]


def group_label(group_id: str, lang: str = DEFAULT_LANG) -> str:
    """The name of an optional column group (``khuyenhoc.schema.GROUPS``)."""
    return _section("GROUPS", lang)[group_id]


def measure_name(measure: str, lang: str = DEFAULT_LANG, count: object = None) -> str:
    """How a unit of measure is written after a number; ``count=1`` picks the singular where a
    language has one (English "1 unit", "2 units"; Vietnamese nouns do not change)."""
    if count is not None and abs(count) == 1:  # type: ignore[arg-type]
        singular = getattr(LANGS[check_lang(lang)], "MEASURES_ONE", {})
        if measure in singular:
            return singular[measure]
    return _section("MEASURES", lang)[measure]


def column_header(column: str, lang: str = DEFAULT_LANG) -> str:
    """The header a canonical input column carries in templates and reports."""
    return _section("COLUMNS", lang)[column]


def level_name(level: str, lang: str = DEFAULT_LANG) -> str:
    """How a level (commune, district, province, national) is named in ``lang``."""
    return _section("LEVELS", lang).get(level, level)


def template_help(column: str, lang: str = DEFAULT_LANG) -> str:
    """How to fill in a column, for the input template."""
    return _section("TEMPLATE_HELP", lang)[column]
