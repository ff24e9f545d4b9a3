"""What a batch run executes: one job per notebook and parameter set, with its output paths."""

from __future__ import annotations

import posixpath

from khuyenhoc.errors import RunError
from khuyenhoc.ids import is_unit_id
from khuyenhoc.runner.records import DataFacts, Job, Selection

ANNUAL, UNIT, TRENDS = "annual_summary", "unit_profile", "trends"
NOTEBOOK_FILES = {ANNUAL: "annual_summary.ipynb", UNIT: "unit_profile.ipynb", TRENDS: "trends.ipynb"}


def safe_name(name: str) -> str:
    """``name`` if it may name a file (a unit_id, a year); else a RunError."""
    if not is_unit_id(name):  # a unit id names files: the input contract's rule, checked again here
        raise RunError(f"unsafe name for a file: {name!r}")
    return name


def _chosen(wanted: list[str] | None, available: list[str]) -> list[str]:
    return list(available) if wanted is None else [unit for unit in available if unit in set(wanted)]


def _unknown(selection: Selection, facts: DataFacts, years: list[int]) -> list[str]:
    """Ids asked for with --areas/--units that are no area (no commune) in any chosen year."""
    areas = {a for y in years for a in facts.areas(y)} | {r for y in years if (r := facts.single_root(y))}
    communes = {u for y in years for u in facts.units.get(y, [])}
    return [a for a in selection.areas or [] if a not in areas] + [u for u in selection.units or [] if u not in communes]


def build_plan(facts: DataFacts, years: list[int] | None, units: bool | Selection, lang: str, sheet: str | None = None,
               report: dict | None = None, lineage_checksum: str | None = None) -> list[Job]:
    """The jobs of a run: per year the whole file's summary, every area's (or the chosen ones') and the unit
    profiles asked for; the trend once. ``units=True`` (the old flag) means every profile.

    ``years`` limits the yearly reports only: the trend always spans every year of the data.
    ``sheet`` (an XLSX sheet) is passed to every notebook when given, and so is ``lineage_checksum`` (the lineage
    table's, when there is one: every report's changes depend on it, so it is in every job's key).
    """
    from khuyenhoc.i18n import text

    selection = units if isinstance(units, Selection) else Selection(units=None if units else [])
    common = {"lang": lang, "sheet": sheet} if sheet else {"lang": lang}
    if lineage_checksum:
        common["lineage_checksum"] = lineage_checksum
    chosen = sorted(set(facts.years if not years else years))
    missing = [y for y in chosen if y not in facts.years]
    if missing or not chosen:
        raise RunError(text("run.no_years", lang, missing=", ".join(map(str, missing)) or "—", years=", ".join(map(str, facts.years))))
    unknown = _unknown(selection, facts, chosen)
    if unknown:
        raise RunError(text("run.unknown_ids", lang, ids=", ".join(unknown)))
    jobs = []
    for year in chosen:
        jobs += _year_jobs(facts, year, selection, common, report or {})
    jobs.append(trends_job(facts, common))
    return jobs


def report_paths(facts: DataFacts, year: int, selection: Selection) -> dict[str | None, str]:
    """Where each report of ``year`` in this plan is, by unit id (None: the whole file): the HTML path."""
    folder = safe_name(str(year))
    root = facts.single_root(year)
    paths: dict[str | None, str] = {None: f"{folder}/{ANNUAL}.html"}
    if root is not None:
        paths[root] = paths[None]
    for area in _chosen(selection.areas, [a for a in facts.areas(year) if a != root]):
        paths[area] = f"{folder}/areas/{safe_name(area)}/{ANNUAL}.html"
    for unit in _chosen(selection.units, facts.units.get(year, [])):
        paths.setdefault(unit, f"{folder}/units/{safe_name(unit)}.html")
    return paths


def _links(source: str, parent: str | None, children: list[str], paths: dict[str | None, str]) -> dict:
    """The report links of the report at ``source``: parent and children as hrefs relative to it."""
    here = posixpath.dirname(source)

    def relative(target: str) -> str:
        return posixpath.relpath(target, here)

    up = paths.get(parent) if parent is not None else None
    return {"parent": relative(up) if up and up != source else None,
            "children": {child: relative(paths[child]) for child in children if child in paths and paths[child] != source}}


def _year_jobs(facts: DataFacts, year: int, selection: Selection, common: dict, report: dict) -> list[Job]:
    """The year's jobs; ``report`` holds parameters for the yearly reports only (org, place, targets)."""
    folder = safe_name(str(year))
    paths = report_paths(facts, year, selection)
    children = facts.children(year)
    parents = facts.parents.get(year, {})
    root = facts.single_root(year)
    names = facts.unit_names
    whole_children = children.get(root, []) if root is not None else facts.roots(year)
    whole_links = _links(paths[None], None, whole_children, paths)
    title = ("title.annual_area", {"year": year, "area": _in_sentence(names.get(root, root), common["lang"])}) if root else ("title.annual", {"year": year})
    jobs = [Job(f"{folder}/{ANNUAL}", ANNUAL, {"year": year, **common, **report, **({"report_links": whole_links} if whole_links["children"] else {})},
                f"{folder}/{ANNUAL}.ipynb", f"{folder}/{ANNUAL}.html", folder, *title, ("summary.json",))]
    for area in _chosen(selection.areas, [a for a in facts.areas(year) if a != root]):
        html_path = paths[area]
        base = html_path.removesuffix(".html")
        parent = parents.get(area)
        links = _links(html_path, parent if parent is not None else None, children.get(area, []), paths)
        if parent is None and links["parent"] is None:  # one of several roots: up is the whole file's report
            links["parent"] = posixpath.relpath(paths[None], posixpath.dirname(html_path))
        jobs.append(Job(f"{base}", ANNUAL, {"year": year, "area_id": area, "report_links": links, **common, **report},
                        f"{base}.ipynb", html_path, posixpath.dirname(html_path), "title.annual_area",
                        {"year": year, "area": _in_sentence(names.get(area, area), common["lang"])}, ("summary.json",)))
    for unit in _chosen(selection.units, facts.units.get(year, [])):
        name = safe_name(unit)
        jobs.append(Job(f"{folder}/units/{name}", UNIT, {"year": year, "unit_id": unit, **common},
                        f"{folder}/units/{name}.ipynb", f"{folder}/units/{name}.html", None,
                        "title.unit", {"unit": _place(names.get(unit, unit), common["lang"]), "year": year}))
    return jobs


def _in_sentence(name: str, lang: str) -> str:
    from khuyenhoc.names import in_sentence

    return in_sentence(name, lang)


def _place(name: str, lang: str) -> str:
    from khuyenhoc.names import place_name

    return place_name(name, lang)


def trends_job(facts: DataFacts, common: dict) -> Job:
    """The trend over every year of the data; a single year is titled with that year alone."""
    start, end = min(facts.years), max(facts.years)
    title_key, values = ("title.trends", {"start": start, "end": end}) if start != end else ("title.trends_one", {"year": start})
    return Job(TRENDS, TRENDS, {"start_year": start, "end_year": end, **common}, "trends.ipynb", "trends.html",
               None, title_key, values)


def in_data(entry: dict, facts: DataFacts) -> bool:
    """Whether a plan on this data could still make a manifest entry's report: its year (and unit) are in the data,
    and an area's report is not the whole file's (a year's single root is reported as the whole file)."""
    parameters = entry.get("parameters") or {}
    if entry.get("notebook") == ANNUAL:
        area, year = parameters.get("area_id"), parameters.get("year")
        return year in facts.years and (area is None or (area in facts.areas(year) and area != facts.single_root(year)))
    if entry.get("notebook") == UNIT:
        return parameters.get("unit_id") in facts.units.get(parameters.get("year"), [])
    return entry.get("notebook") == TRENDS
