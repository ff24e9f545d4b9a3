"""What each report reads of the data, as a digest: a job's cache key covers its rows, not the whole file.

The client keeps a digest of every validated row (``DataFacts.rows``: year -> unit_id -> digest) and of
every scope's indicator values (``DataFacts.scopes``); both live in the manifest, so a no-op re-run
computes the keys without pandas. A job reads:

- a unit profile (year Y, unit U): U's rows up to Y (its figures and trend), the rows of the communes
  it is ranked among in Y (its siblings, in the data's order), and their names;
- an area report (year Y, area A): A's subtree in Y, the subtree in Y-1 of A and of each of its
  children (the comparison and the findings), A's own values in the years before (its trend chart and
  the targets' pace), the names of A, its parent and its children;
- the whole file's report and the trend: everything (the data's checksum).

Every key also has the data's origin flags (banners, captions), and every job's parameters carry the lineage
table's checksum when there is one (``lineage_checksum``: with it every change compares with restated figures). Subtree digests are built bottom-up,
each sibling group once, so computing every key stays linear in the size of the data.
"""

from __future__ import annotations

import hashlib
import json

from khuyenhoc.runner.plan import ANNUAL, UNIT
from khuyenhoc.runner.records import DataFacts, Job


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, separators=(",", ":"), default=str).encode()).hexdigest()[:32]


class _Year:
    """One year's tree with its subtree and sibling-group digests (each computed once)."""

    def __init__(self, facts: DataFacts, year: int) -> None:
        self.rows = facts.rows.get(year, {})
        self.parents = facts.parents.get(year, {})
        self.children = facts.children(year)
        self.tree = facts.hierarchy
        self.year = year
        self._subtrees: dict[str, str] = {}
        self._groups: dict[str | None, str] = {}

    def subtree(self, unit: str) -> str | None:
        """A digest of ``unit``'s row and every row below it (None when it has no row this year)."""
        if unit not in self.rows:
            return None
        found = self._subtrees.get(unit)
        if found is None:
            stack, order = [unit], []
            while stack:  # post-order without recursion: children's digests before their parent's
                node = stack.pop()
                order.append(node)
                stack += [child for child in self.children.get(node, []) if child not in self._subtrees]
            for node in reversed(order):
                self._subtrees[node] = _digest(self.rows.get(node), [self._subtrees.get(c) for c in self.children.get(node, [])])
            found = self._subtrees[unit]
        return found

    def siblings(self, unit: str) -> list[str]:
        """The communes ranked with ``unit`` (khuyenhoc.hierarchy's rule, as the profile reads them)."""
        return self.tree.siblings(unit, self.year)

    def sibling_group(self, unit: str) -> str:
        """A digest of the rows of ``unit``'s sibling group (shared by every member of the group)."""
        parent = self.parents.get(unit)
        found = self._groups.get(parent)
        if found is None:
            found = self._groups[parent] = _digest([(peer, self.rows.get(peer)) for peer in self.siblings(unit)])
        return found


def data_digests(facts: DataFacts, plan: list[Job]) -> dict[str, str]:
    """job key -> a digest of the data that job reads (see the module's docstring)."""
    years: dict[int, _Year] = {}

    def year_of(year: int) -> _Year:
        if year not in years:
            years[year] = _Year(facts, year)
        return years[year]

    flags = (facts.illustrative, facts.synthetic)
    names = facts.unit_names
    found = {}
    for job in plan:
        parameters = job.parameters
        if job.notebook == UNIT:
            year, unit = int(parameters["year"]), parameters["unit_id"]
            here = year_of(year)
            own = [(y, facts.rows.get(y, {}).get(unit)) for y in facts.years if y <= year]
            peers = here.siblings(unit)
            found[job.key] = _digest("unit", flags, own, here.sibling_group(unit), [names.get(u) for u in [unit, *peers]])
        elif job.notebook == ANNUAL and parameters.get("area_id"):
            year, area = int(parameters["year"]), parameters["area_id"]
            here, before = year_of(year), year_of(year - 1)
            children = here.children.get(area, [])
            parent = here.parents.get(area)
            earlier = [(y, facts.scopes.get(y, {}).get(area)) for y in facts.years if y < year - 1]
            found[job.key] = _digest("area", flags, here.subtree(area), before.subtree(area), [before.subtree(c) for c in children],
                                     earlier, [names.get(u) for u in [area, parent, *children]])
        else:  # the whole file's report and the trend read everything
            found[job.key] = _digest("all", facts.checksum)
    return found
