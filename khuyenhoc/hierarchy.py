"""Who reports to whom, year by year, in plain Python: the one place the hierarchy's rules live.

Every question about the tree — roots, children, areas, ancestors, the units a report covers and compares, the
communes a unit is ranked among — is answered here, for the table (:mod:`khuyenhoc.tree`), the reports, the
findings, the runner's plan, its cache keys and its index alike: a change to a rule changes all of them at once.
No depth limit: a chain is as long as the data makes it (validation refuses cycles).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

COMMUNE = "commune"  # the level of the units that are ranked against each other (schema.LEVEL_RANK's lowest)


@dataclass(frozen=True, eq=False)
class Hierarchy:
    """``parents``: year -> unit_id -> whom it reports to that year (None: a root), in the data's order;
    ``levels``: year -> unit_id -> its level (units left out are not communes)."""

    parents: Mapping[int, Mapping[str, str | None]]
    levels: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    _index: dict[int, dict[str, list[str]]] = field(default_factory=dict, init=False, repr=False)  # year -> children, on first use

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int, str, str | None, str | None]]) -> Hierarchy:
        """From (year, unit_id, parent_id, level) rows in the data's order."""
        parents: dict[int, dict[str, str | None]] = {}
        levels: dict[int, dict[str, str]] = {}
        for year, unit, parent, level in rows:
            parents.setdefault(int(year), {})[unit] = parent
            if level is not None:
                levels.setdefault(int(year), {})[unit] = level
        return cls(parents, levels)

    def _children_of(self, year: int) -> dict[str, list[str]]:
        found = self._index.get(int(year))
        if found is None:
            found = {}
            for unit, parent in self.parents.get(int(year), {}).items():
                if parent is not None:
                    found.setdefault(parent, []).append(unit)
            self._index[int(year)] = found
        return found

    @property
    def years(self) -> list[int]:
        return sorted(self.parents)

    def exists(self, unit_id: str, year: int) -> bool:
        """True when ``unit_id`` has a row in ``year``."""
        return unit_id in self.parents.get(int(year), {})

    def level(self, unit_id: str, year: int) -> str | None:
        return self.levels.get(int(year), {}).get(unit_id)

    def parent(self, unit_id: str, year: int) -> str | None:
        """The unit ``unit_id`` reports to in ``year`` (None for a root or a unit without a row)."""
        return self.parents.get(int(year), {}).get(unit_id)

    def children(self, unit_id: str, year: int) -> list[str]:
        """The units that report directly to ``unit_id`` in ``year``, in the data's order."""
        return list(self._children_of(year).get(unit_id, []))

    def children_map(self, year: int) -> dict[str, list[str]]:
        """area_id -> its children in ``year`` (a copy)."""
        return {area: list(units) for area, units in self._children_of(year).items()}

    def has_children(self, unit_id: str, year: int) -> bool:
        """True when ``unit_id`` is an area in ``year``."""
        return unit_id in self._children_of(year)

    def roots(self, year: int) -> list[str]:
        """The units of ``year`` that report to no one in the file, in the data's order."""
        return [unit for unit, parent in self.parents.get(int(year), {}).items() if parent is None]

    def ancestors(self, unit_id: str, year: int) -> list[str]:
        """The chain above ``unit_id`` in ``year``, nearest first (stops if the data ever loops)."""
        chain: list[str] = []
        parent = self.parent(unit_id, year)
        while parent is not None and parent not in chain and parent != unit_id:
            chain.append(parent)
            parent = self.parent(parent, year)
        return chain

    def descendants(self, unit_id: str, year: int) -> list[str]:
        """Every unit below ``unit_id`` in ``year`` (not itself), top-down."""
        children, found, queue = self._children_of(year), [], list(self._children_of(year).get(unit_id, []))
        while queue:
            unit = queue.pop(0)
            found.append(unit)
            queue += children.get(unit, [])
        return found

    def areas(self, year: int) -> list[str]:
        """The units with children in ``year``, top-down: roots first, then level by level in the data's order."""
        children, order, queue = self._children_of(year), [], self.roots(year)
        while queue:
            unit = queue.pop(0)
            if unit in children:
                order.append(unit)
                queue += children[unit]
        return order

    def single_root(self, year: int) -> str | None:
        """The one root with children, when ``year`` has exactly one root: the whole file is then its report."""
        roots = self.roots(year)
        return roots[0] if len(roots) == 1 and self.has_children(roots[0], year) else None

    def report_scope(self, year: int, area_id: str | None) -> str | None:
        """The area a yearly report covers: ``area_id``; for the whole file (None) its single root when it has
        one, else None (the whole file)."""
        return area_id if area_id is not None else self.single_root(year)

    def compared_units(self, year: int, area_id: str | None = None) -> list[str]:
        """The units a report for ``area_id`` (None: the whole file) compares: the area's direct children; for the
        whole file, its single root's children, or its roots when it has several."""
        scope = self.report_scope(year, area_id)
        return self.children(scope, year) if scope is not None else self.roots(year)

    def siblings(self, unit_id: str, year: int) -> list[str]:
        """The communes ``unit_id`` is ranked among in ``year``: the communes reporting to the same association (itself
        included; the communes among the roots for a root); empty when ``unit_id`` is not a commune that year."""
        if self.level(unit_id, year) != COMMUNE:
            return []
        parent = self.parent(unit_id, year)
        peers = self.children(parent, year) if parent is not None else self.roots(year)
        return [peer for peer in peers if self.level(peer, year) == COMMUNE]

    def nearest(self, unit_id: str | None, year: int, among: Iterable[str]) -> str | None:
        """The nearest ancestor of ``unit_id`` in ``year`` that is in ``among`` (None when none is)."""
        wanted = set(among)
        if unit_id is None:
            return None
        return next((unit for unit in self.ancestors(unit_id, year) if unit in wanted), None)
