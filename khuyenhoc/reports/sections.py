"""The yearly report as a list of sections, each declared once: its indicators, its table, its chart, its text.

Every writer reads these declarations: the Word report (its part I), the Excel workbook (one sheet per section),
the notebook's charts and the written summary's paragraphs. A new group of indicators is one more
:class:`Section` here (plus its sentences in the ``summary.<lang>.j2`` templates under ``@@<key>``, its labels in
``i18n`` and, when it has one, its chart's drawing in :mod:`khuyenhoc.render.charts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One column of a section's table: ``indicator``'s value, headed by the text ``word.col_<header>``.

    ``with_previous``: the previous year's value before it and the change after it (when the data has a previous
    year); the total row's change is ``change`` (an indicator of the area's own change)."""

    indicator: str
    header: str
    with_previous: bool = False
    change: str | None = None
    millions: bool = False  # an amount in đồng shown in triệu đồng (one decimal): the sums of a province are large


@dataclass(frozen=True)
class Section:
    """One part of the report's results, by compared unit: ``key`` names its table (``word.table_<key>``), its
    workbook sheet (``word.workbook_sheet_<key>``) and its paragraphs in the written summary (``@@<key>``)."""

    key: str
    columns: tuple[Column, ...]
    unit: str | None = None  # the unit note under the table's title (``word.unit_<unit>``); None: each column says its unit
    chart: str | None = None  # the stem of the chart drawn for it (figures/<chart>.png), None: no chart
    own_row: bool = False  # a row for the area association's own figures (its own row of the data), before the total
    group: str | None = None  # an optional column group (khuyenhoc.schema.GROUPS): shown only where the data has it

    @property
    def indicators(self) -> tuple[str, ...]:
        return tuple(column.indicator for column in self.columns)

    def shown_in(self, values: Mapping[str, object]) -> bool:
        """Whether the report whose area's values are ``values`` (that year) shows this section: always, or for a group
        when one of its figures is reported (blank is not reported, never 0)."""
        return self.group is None or any(values.get(indicator) is not None for indicator in self.indicators)


def _plain(*keys: str) -> tuple[Column, ...]:
    """Columns headed by their indicator's own key."""
    return tuple(Column(key, key) for key in keys)


# The results of the yearly report, in the reference report's order (part I of the Word report).
SECTIONS: tuple[Section, ...] = (
    Section("members", (Column("members", "members_in", with_previous=True, change="members_change"),
                        Column("population", "population"), Column("members_per_population_pct", "members_share")),
            unit="person", chart="members_by_unit"),
    Section("families", _plain("baccalaureate_families", "bachelor_families", "clans_registered", "clans_recognised")),
    Section("training", _plain("training_classes", "training_participants", "participants_per_class"), chart="training_by_unit"),
    Section("fund", (Column("fund_total_vnd", "fund_in", with_previous=True, change="fund_change_vnd"),
                     Column("fund_per_member_vnd", "fund_per_member")),
            unit="vnd", chart="fund_by_level", own_row=True),
    # the optional groups of issue 19, each only where the data of that year and area has it
    Section("organisation", (Column("branches", "branches_in", with_previous=True, change="branches_change"),
                             Column("boards", "boards_in", with_previous=True, change="boards_change")), group="organisation"),
    Section("learning_citizens", _plain("adults", "learning_citizens", "learning_citizens_pct", "learning_citizens_change_pp"),
            chart="learning_citizens_by_unit", group="learning_citizens"),
    Section("support", (Column("scholarships", "scholarships"), Column("scholarships_vnd", "scholarships_vnd", millions=True),
                        Column("support", "support"), Column("support_vnd", "support_vnd", millions=True),
                        Column("awards", "awards"), Column("awards_vnd", "awards_vnd", millions=True)), group="support"),
    Section("centres", (Column("centre_classes", "centre_classes_in", with_previous=True, change="centre_classes_change"),
                        *_plain("centre_learners", "learners_per_centre_class")), group="centres"),
)
GROUP_SECTIONS = tuple(section for section in SECTIONS if section.group)
