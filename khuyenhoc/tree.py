"""Who reports to whom, year by year: children, ancestors, areas, and the closure that sums a subtree."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from khuyenhoc.schema import LEVEL_RANK

MAX_DEPTH = len(LEVEL_RANK)  # parents sit at strictly higher levels, so no chain is longer


@dataclass(frozen=True, eq=False)
class AreaTree:
    """The area tree of a validated table. ``links`` has year, unit_id, parent_id and level, one row per year and unit.

    An *area* is a unit that has children in a year; its figures are its own row plus every descendant's.
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
    def closure(self) -> pd.DataFrame:
        """Every (year, area_id, unit_id, depth): each unit paired with itself (depth 0) and each of its ancestors."""
        parent_of = self.links.set_index(["year", "unit_id"])["parent_id"]
        step = pd.DataFrame({"year": self.links["year"], "area_id": self.links["unit_id"], "unit_id": self.links["unit_id"], "depth": 0})
        pairs = [step]
        for depth in range(1, MAX_DEPTH + 1):
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
    def _children(self) -> dict[tuple[int, str], list[str]]:
        linked = self.links.dropna(subset=["parent_id"])
        return {(int(year), parent): list(units) for (year, parent), units in linked.groupby(["year", "parent_id"], sort=False)["unit_id"]}

    @cached_property
    def _parent(self) -> dict[tuple[int, str], str | None]:
        return dict(zip(zip(self.links["year"], self.links["unit_id"], strict=True), self.links["parent_id"], strict=True))

    @cached_property
    def area_index(self) -> pd.MultiIndex:
        """(year, area_id) of every area: each unit with children, in each year it has them."""
        return pd.MultiIndex.from_tuples(sorted(self._children), names=["year", "area_id"])

    def exists(self, unit_id: str, year: int) -> bool:
        """True when ``unit_id`` has a row in ``year``."""
        return (int(year), unit_id) in self._parent

    def parent(self, unit_id: str, year: int) -> str | None:
        """The unit ``unit_id`` reports to in ``year`` (None for a root)."""
        return self._parent.get((int(year), unit_id))

    def ancestors(self, unit_id: str, year: int) -> list[str]:
        """The chain above ``unit_id`` in ``year``, nearest first."""
        chain, parent = [], self.parent(unit_id, year)
        while parent is not None and len(chain) <= MAX_DEPTH:
            chain.append(parent)
            parent = self.parent(parent, year)
        return chain

    def children(self, unit_id: str, year: int) -> list[str]:
        """The units that report directly to ``unit_id`` in ``year``, in the data's order."""
        return list(self._children.get((int(year), unit_id), []))

    def has_children(self, unit_id: str, year: int) -> bool:
        """True when ``unit_id`` is an area in ``year``."""
        return (int(year), unit_id) in self._children

    def descendants(self, unit_id: str, year: int) -> list[str]:
        """Every unit below ``unit_id`` in ``year`` (not itself)."""
        pairs = self.closure
        below = pairs[(pairs["year"] == int(year)) & (pairs["area_id"] == unit_id) & (pairs["depth"] > 0)]
        return list(below["unit_id"])

    def roots(self, year: int) -> list[str]:
        """The units of ``year`` that report to no one in the file."""
        rows = self.links[(self.links["year"] == int(year)) & self.links["parent_id"].isna()]
        return list(rows["unit_id"])

    def areas(self, year: int) -> list[str]:
        """The units with children in ``year``, top-down (roots first), each level in the data's order."""
        ids = {unit for (y, unit) in self._children if y == int(year)}
        rows = self.links[(self.links["year"] == int(year)) & self.links["unit_id"].isin(ids)]
        depth = rows["unit_id"].map(lambda unit: len(self.ancestors(unit, year)))
        return list(rows.assign(_depth=depth).sort_values("_depth", kind="stable")["unit_id"])

    def area_years(self) -> dict[int, list[str]]:
        """year -> its areas, for every year."""
        return {int(year): self.areas(int(year)) for year in sorted(self.links["year"].unique())}
