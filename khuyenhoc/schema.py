"""The input contract: canonical columns, their Vietnamese headers, types and rules."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

import pandas as pd
import pandera.pandas as pa

from khuyenhoc.ids import UNIT_ID_PATTERN
from khuyenhoc.safetext import NO_CONTROL_PATTERN

Kind = Literal["integer", "text", "unit_id", "level"]

YEAR_RANGE = (1945, 2100)
TEXT_LIMIT = 200


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the yearly table."""

    name: str
    aliases: tuple[str, ...]
    kind: Kind
    required: bool = True  # the column must be present in the file
    nullable: bool = False  # a cell may be blank (other rules may still ask for it)


COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("year", ("Năm",), "integer"),
    ColumnSpec("unit_id", ("Mã đơn vị", "Mã"), "unit_id"),
    ColumnSpec("unit_name", ("Tên đơn vị", "Đơn vị"), "text"),
    ColumnSpec("level", ("Cấp", "Cấp đơn vị"), "level"),
    ColumnSpec("parent_id", ("Mã đơn vị cấp trên", "Cấp trên", "Mã cấp trên"), "unit_id", required=False, nullable=True),
    ColumnSpec("population", ("Dân số",), "integer", nullable=True),
    ColumnSpec("members", ("Hội viên", "Số hội viên"), "integer"),
    ColumnSpec("baccalaureate_families", ("Gia đình tú tài",), "integer"),
    ColumnSpec("bachelor_families", ("Gia đình cử nhân",), "integer"),
    ColumnSpec("clans_registered", ("Dòng họ đăng ký",), "integer"),
    ColumnSpec("clans_recognised", ("Dòng họ đạt chuẩn",), "integer"),
    ColumnSpec("training_classes", ("Số lớp", "Lớp tập huấn", "Số lớp tập huấn"), "integer"),
    ColumnSpec("training_participants", ("Lượt người", "Lượt người tham gia"), "integer"),
    ColumnSpec("fund_vnd", ("Quỹ khuyến học", "Quỹ khuyến học (đồng)", "Quỹ"), "integer"),
    ColumnSpec("note", ("Ghi chú",), "text", required=False, nullable=True),
    # the learning-society titles (Quyết định 387/QĐ-TTg): optional pairs, blank = not reported (never 0)
    ColumnSpec("households", ("Số hộ gia đình", "Số hộ"), "integer", required=False, nullable=True),
    ColumnSpec("learning_families", ("Gia đình học tập",), "integer", required=False, nullable=True),
    ColumnSpec("clans", ("Số dòng họ",), "integer", required=False, nullable=True),
    ColumnSpec("learning_clans", ("Dòng họ học tập",), "integer", required=False, nullable=True),
    ColumnSpec("communities", ("Số thôn, tổ dân phố", "Số thôn, tổ dân phố, bản"), "integer", required=False, nullable=True),
    ColumnSpec("learning_communities", ("Cộng đồng học tập",), "integer", required=False, nullable=True),
    ColumnSpec("organisations", ("Số cơ quan, đơn vị",), "integer", required=False, nullable=True),
    ColumnSpec("learning_organisations", ("Đơn vị học tập",), "integer", required=False, nullable=True),
    # the optional groups of issue 19 (see GROUPS): blank = not reported (never 0)
    ColumnSpec("branches", ("Số chi hội", "Chi hội", "Số chi hội khuyến học"), "integer", required=False, nullable=True),
    ColumnSpec("boards", ("Số ban khuyến học", "Ban khuyến học"), "integer", required=False, nullable=True),
    ColumnSpec("adults", ("Số người lớn", "Người lớn"), "integer", required=False, nullable=True),
    ColumnSpec("learning_citizens", ("Công dân học tập", "Số công dân học tập"), "integer", required=False, nullable=True),
    ColumnSpec("scholarships", ("Số suất học bổng", "Suất học bổng"), "integer", required=False, nullable=True),
    ColumnSpec("scholarships_vnd", ("Giá trị học bổng (đồng)", "Giá trị học bổng"), "integer", required=False, nullable=True),
    ColumnSpec("support", ("Số lượt hỗ trợ", "Lượt hỗ trợ"), "integer", required=False, nullable=True),
    ColumnSpec("support_vnd", ("Giá trị hỗ trợ (đồng)", "Giá trị hỗ trợ"), "integer", required=False, nullable=True),
    ColumnSpec("awards", ("Số lượt khen thưởng", "Lượt khen thưởng"), "integer", required=False, nullable=True),
    ColumnSpec("awards_vnd", ("Giá trị khen thưởng (đồng)", "Giá trị khen thưởng"), "integer", required=False, nullable=True),
    ColumnSpec("centre_classes", ("Số lớp tại trung tâm học tập cộng đồng", "Số lớp tại TTHTCĐ", "Số lớp TTHTCĐ"), "integer",
               required=False, nullable=True),
    ColumnSpec("centre_learners", ("Lượt học viên trung tâm học tập cộng đồng", "Lượt học viên TTHTCĐ", "Lượt học viên"), "integer",
               required=False, nullable=True),
)
# (total, recognised) of each learning-society title: the recognised count is not above the total
TITLE_PAIRS: tuple[tuple[str, str], ...] = (
    ("households", "learning_families"),
    ("clans", "learning_clans"),
    ("communities", "learning_communities"),
    ("organisations", "learning_organisations"),
)
TITLE_COLUMNS = tuple(name for pair in TITLE_PAIRS for name in pair)
TITLE_RULES = {f"{recognised}_le_{total}": (total, recognised) for total, recognised in TITLE_PAIRS}  # rule id -> pair


@dataclass(frozen=True)
class ColumnGroup:
    """Optional columns reported together (a file may carry a group for some years only; blank = not reported, never 0).

    ``shares``: (total, recognised) pairs, the recognised count not above the total and its share computed over the rows
    reporting both; ``amounts``: (count, value in đồng) pairs, the value 0 when the count is 0."""

    id: str
    columns: tuple[str, ...]
    shares: tuple[tuple[str, str], ...] = ()
    amounts: tuple[tuple[str, str], ...] = ()

    def label(self, lang: str | None = None) -> str:
        """The group's name in ``lang`` (default: Vietnamese)."""
        from khuyenhoc.i18n import DEFAULT_LANG, group_label

        return group_label(self.id, lang or DEFAULT_LANG)


AMOUNT_PAIRS: tuple[tuple[str, str], ...] = (
    ("scholarships", "scholarships_vnd"), ("support", "support_vnd"), ("awards", "awards_vnd"))
# The optional groups, in the order the template, the reports and the collect command show them.
GROUPS: tuple[ColumnGroup, ...] = (
    ColumnGroup("learning_society", TITLE_COLUMNS, shares=TITLE_PAIRS),
    ColumnGroup("organisation", ("branches", "boards")),
    ColumnGroup("learning_citizens", ("adults", "learning_citizens"), shares=(("adults", "learning_citizens"),)),
    ColumnGroup("support", tuple(name for pair in AMOUNT_PAIRS for name in pair), amounts=AMOUNT_PAIRS),
    ColumnGroup("centres", ("centre_classes", "centre_learners")),
)
GROUP_BY_ID = {group.id: group for group in GROUPS}
OPTIONAL_COLUMNS = tuple(name for group in GROUPS for name in group.columns)  # blank = not reported
SHARE_RULES = {f"{recognised}_le_{total}": (total, recognised) for group in GROUPS for total, recognised in group.shares}
AMOUNT_RULES = {f"{value}_without_{count}": (count, value) for group in GROUPS for count, value in group.amounts}
# rule id -> (a count, the count of the same row it may not exceed): validated by SCHEMA, checked in Excel by the template
NOT_ABOVE: dict[str, tuple[str, str]] = {"clans_recognised_le_registered": ("clans_recognised", "clans_registered")} | {
    rule: (recognised, total) for rule, (total, recognised) in SHARE_RULES.items()}
COLUMN_BY_NAME = {c.name: c for c in COLUMNS}
CANONICAL = [c.name for c in COLUMNS]
INTEGER_COLUMNS = [c.name for c in COLUMNS if c.kind == "integer"]
COUNT_COLUMNS = [c for c in INTEGER_COLUMNS if c != "year"]

class Level(IntEnum):
    """The association's administrative levels, lowest first: a parent's level is always higher."""

    COMMUNE = 1
    DISTRICT = 2
    PROVINCE = 3
    NATIONAL = 4

    @property
    def id(self) -> str:
        """The canonical word a validated table stores ("commune", "district", ...)."""
        return self.name.lower()


LEVEL_RANK: dict[str, int] = {level.id: int(level) for level in Level}
AREA_LEVELS = tuple(level.id for level in Level if level is not Level.COMMUNE)
# "thành phố" is a province (thành phố trực thuộc trung ương) or a district (thành phố thuộc tỉnh):
# the parent decides (see validate.resolve_city). Until then it is stored as this marker.
CITY = "city"
LEVEL_ALIASES = {
    "commune": ("commune", "xã", "phường", "thị trấn", "đặc khu", "cơ sở", "cấp xã", "cấp cơ sở"),
    "district": ("district", "huyện", "thị xã", "quận", "thành phố thuộc tỉnh", "cấp huyện"),
    "province": ("province", "tỉnh", "thành phố trực thuộc trung ương", "cấp tỉnh"),
    "national": ("national", "trung ương", "toàn quốc", "cấp trung ương"),
    CITY: ("thành phố", "tp", "city"),
}


def fold(text: str) -> str:
    """Fold text for matching: no diacritics, lower case, single spaces."""
    decomposed = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", bare).strip().lower()


def _catalogue_headers() -> dict[str, str]:
    """The headers the templates and reports write, in every language, so they read back."""
    from khuyenhoc.i18n import LANGS

    return {fold(header): name for catalogue in LANGS.values() for name, header in catalogue.COLUMNS.items()}


HEADER_LOOKUP: dict[str, str] = _catalogue_headers() | {
    fold(alias): spec.name for spec in COLUMNS for alias in (spec.name, *spec.aliases)
}
LEVEL_LOOKUP: dict[str, str] = {
    fold(alias): level for level, aliases in LEVEL_ALIASES.items() for alias in aliases
}


def canonical_column(header: object) -> str | None:
    """The canonical name a file's header stands for, or None."""
    if header is None:
        return None
    return HEADER_LOOKUP.get(fold(str(header)))


def _checks(spec: ColumnSpec) -> list[pa.Check]:
    """pandera's built-in checks, each named with our rule id (the id problems carry)."""
    if spec.name == "year":
        low, high = YEAR_RANGE
        return [pa.Check.in_range(low, high, name="year_range", error="year_range")]
    if spec.kind == "integer":
        return [pa.Check.ge(0, name="non_negative", error="non_negative")]
    if spec.kind == "unit_id":
        return [pa.Check.str_matches(UNIT_ID_PATTERN, name="unit_id_format", error="unit_id_format")]
    if spec.kind == "level":
        return [pa.Check.isin(list(LEVEL_RANK), name="level_value", error="level_value")]
    return [pa.Check.str_length(max_value=TEXT_LIMIT, name="text_too_long", error="text_too_long"),
            pa.Check.str_matches(NO_CONTROL_PATTERN, name="control_character", error="control_character")]


def _row_check(rule: str, fn) -> pa.Check:
    """A rule over each row; a blank operand passes (the rule's own ``fillna(True)``), so pandera need not also
    look for rows blank in every column (``ignore_na=False``: that look costs more than the rule)."""
    return pa.Check(lambda df: fn(df).fillna(True).astype(bool), name=rule, ignore_na=False)


ROW_RULES: dict[str, str] = {
    # rule id -> the column a problem is reported under
    "population_required": "population",
    "clans_recognised_le_registered": "clans_recognised",
    "participants_without_classes": "training_participants",
    "unique_year_unit": "unit_id",
    "population_blank_for_areas": "population",
    "one_area_per_year": "level",
} | {rule: recognised for rule, (_, recognised) in SHARE_RULES.items()} | {rule: value for rule, (_, value) in AMOUNT_RULES.items()}
# rules about who reports to whom, checked across rows in validate.hierarchy_problems
HIERARCHY_RULES = ("parent_missing", "parent_level", "parent_cycle", "parent_self")


def _area_dupes(df: pd.DataFrame) -> pd.Series:
    """Without parent_id: False on every non-commune row after the first of its year (rows without a year
    are not compared). With parent_id any number of areas is allowed: who reports to whom is explicit."""
    if "parent_id" in df.columns and df["parent_id"].notna().any():
        return pd.Series(True, index=df.index)
    area = df["level"].isin(AREA_LEVELS) & df["year"].notna()
    later = df[area].duplicated(subset=["year"], keep="first")
    return ~later.reindex(df.index, fill_value=False)


def _unique_keys(df: pd.DataFrame) -> pd.Series:
    """False on every repeat of a (year, unit_id) pair (rows missing either are not compared)."""
    keyed = df["year"].notna() & df["unit_id"].notna()
    return ~(keyed & df.duplicated(subset=["year", "unit_id"], keep="first"))


def _not_above(part: str, limit: str):
    return lambda d: d[part] <= d[limit]


def _zero_with(count: str, value: str):
    """A value in đồng is 0 when its count is 0 (no scholarship, no đồng); a blank count leaves it unchecked."""
    return lambda d: ~((d[count] == 0) & (d[value] != 0))


def _validated_by_column(spec: ColumnSpec) -> bool:
    """Year, ids, level and text are checked column by column; the counts all at once (see COUNT_CELLS)."""
    return spec.kind != "integer" or spec.name == "year"


SCHEMA = pa.DataFrameSchema(
    {
        spec.name: pa.Column(checks=_checks(spec), nullable=spec.nullable, required=spec.required, coerce=False)
        for spec in COLUMNS
        if _validated_by_column(spec)
    },
    checks=[
        _row_check("population_required", lambda d: ~((d["level"] == "commune") & d["population"].isna())),
        _row_check("clans_recognised_le_registered", _not_above(*NOT_ABOVE["clans_recognised_le_registered"])),
        _row_check("participants_without_classes", lambda d: ~((d["training_classes"] == 0) & (d["training_participants"] != 0))),
        _row_check("unique_year_unit", _unique_keys),
        _row_check("population_blank_for_areas", lambda d: ~(d["level"].isin(AREA_LEVELS) & d["population"].notna())),
        _row_check("one_area_per_year", _area_dupes),
        *(_row_check(rule, _not_above(*NOT_ABOVE[rule])) for rule in SHARE_RULES),
        *(_row_check(rule, _zero_with(count, value)) for rule, (count, value) in AMOUNT_RULES.items()),
    ],
    strict=False,
)
"""The declared rules; execution and reporting live in :mod:`khuyenhoc.validate`."""
# Every cell of the count columns (COUNT_COLUMNS, Int64), one row per cell in column-major order, beside whether its
# column may be blank (ColumnSpec.nullable): one check per rule instead of one per column (see validate.count_cells).
COUNT_CELLS = pa.DataFrameSchema(
    {
        "value": pa.Column("Int64", checks=[pa.Check.ge(0, name="non_negative", error="non_negative")], nullable=True, coerce=False),
    },
    checks=[pa.Check(lambda d: d["value"].notna() | d["nullable"], name="required", ignore_na=False)],
)
