"""The table's hierarchy (:class:`khuyenhoc.hierarchy.Hierarchy`) and the pandas closure that sums a subtree."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from khuyenhoc.hierarchy import Hierarchy


@dataclass(frozen=True, eq=False)
class AreaTree:
    """The area tree of a validated table. ``links`` has year, unit_id, parent_id and level, one row per year and unit.

    An *area* is a unit that has children in a year; its figures are its own row plus every descendant's. The
    questions about who reports to whom are :class:`~khuyenhoc.hierarchy.Hierarchy`'s; this adds the closure.
    """

    links: pd.DataFrame

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> AreaTree:
        """The tree of a validated frame (``parent_id`` as :func:`khuyenhoc.validate.imply_parents` leaves it)."""
        links = frame[["year", "unit_id", "parent_id", "level"]].copy()
        links["year"] = links["year"].astype("int64")
        links["parent_id"] = links["parent_id"].astype(object).where(links["parent_id"].notna(), None)
        return cls(links.reset_index(drop=True))

    @cached_property
    def hierarchy(self) -> Hierarchy:
        """The same tree as plain dictionaries (every rule about it lives there)."""
        links = self.links
        return Hierarchy.from_rows(zip(links["year"].tolist(), links["unit_id"], links["parent_id"], links["level"], strict=True))

    @cached_property
    def closure(self) -> pd.DataFrame:
        """Every (year, area_id, unit_id, depth): each unit paired with itself (depth 0) and each of its ancestors,
        however deep the tree (validation refuses cycles)."""
        parent_of = self.links.set_index(["year", "unit_id"])["parent_id"]
        step = pd.DataFrame({"year": self.links["year"], "area_id": self.links["unit_id"], "unit_id": self.links["unit_id"], "depth": 0})
        pairs, depth = [step], 0
        while True:
            depth += 1
            keys = pd.MultiIndex.from_arrays([step["year"], step["area_id"]])
            parents = parent_of.reindex(keys).to_numpy()
            has_parent = pd.notna(parents)
            if not has_parent.any():
                break
            step = pd.DataFrame({"year": step["year"].to_numpy()[has_parent], "area_id": parents[has_parent],
                                 "unit_id": step["unit_id"].to_numpy()[has_parent], "depth": depth})
            pairs.append(step)
        return pd.concat(pairs, ignore_index=True)

    @cached_property
    def area_index(self) -> pd.MultiIndex:
        """(year, area_id) of every area: each unit with children, in each year it has them."""
        tree = self.hierarchy
        pairs = sorted((year, area) for year in tree.years for area in tree.children_map(year))
        return pd.MultiIndex.from_tuples(pairs, names=["year", "area_id"])

    def exists(self, unit_id: str, year: int) -> bool:
        return self.hierarchy.exists(unit_id, year)

    def parent(self, unit_id: str, year: int) -> str | None:
        return self.hierarchy.parent(unit_id, year)

    def ancestors(self, unit_id: str, year: int) -> list[str]:
        return self.hierarchy.ancestors(unit_id, year)

    def children(self, unit_id: str, year: int) -> list[str]:
        return self.hierarchy.children(unit_id, year)

    def has_children(self, unit_id: str, year: int) -> bool:
        return self.hierarchy.has_children(unit_id, year)

    def descendants(self, unit_id: str, year: int) -> list[str]:
        return self.hierarchy.descendants(unit_id, year)

    def roots(self, year: int) -> list[str]:
        return self.hierarchy.roots(year)

    def areas(self, year: int) -> list[str]:
        return self.hierarchy.areas(year)

    def area_years(self) -> dict[int, list[str]]:
        """year -> its areas, for every year."""
        return {year: self.areas(year) for year in self.hierarchy.years}
