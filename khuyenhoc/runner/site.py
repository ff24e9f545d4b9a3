"""The pages beside the reports: index.html (a leader's dashboard and every report by year and area, with a
search over the units' names) and runs.html (the run details); Vietnamese alphabetical order. Built from the
manifest alone (figures recorded at publishing, :mod:`.figures`): a no-op re-run imports no analysis stack."""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime
from pathlib import Path

import jinja2

from khuyenhoc.formatting import format_number
from khuyenhoc.fsutil import atomic_write_text, sha256_checksum
from khuyenhoc.i18n import data_notes, text, text_count
from khuyenhoc.runner import edits, figures
from khuyenhoc.runner import manifest as manifests
from khuyenhoc.runner.edits import Kept
from khuyenhoc.runner.plan import ANNUAL, TRENDS, UNIT
from khuyenhoc.runner.records import DataFacts
from khuyenhoc.runner.publish import DataStamp

TIME_FORMATS = {"vi": "%H:%M ngày %d/%m/%Y", "en": "%Y-%m-%d %H:%M"}
SEARCH_FILE = "search.js"  # the names index index.html loads with <script src> (file:// allows no fetch of JSON)
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def sort_key(name: str) -> tuple:
    """Vietnamese alphabetical order: a ă â b c d đ e ê … (Đ with D, not after Z); tones only break ties."""
    letters, tones = [], []
    for char in unicodedata.normalize("NFD", name.casefold().replace("đ", "d\u0335")):
        if unicodedata.combining(char):
            if char in MODIFIERS and letters:
                letters[-1] = letters[-1] + MODIFIERS[char]
            else:
                tones.append(TONES.get(char, 9))
        else:
            letters.append(char)
            tones.append(0)
    return tuple(letters), tuple(tones)


MODIFIERS = {"\u0306": "1", "\u0302": "2", "\u031b": "3", "\u0335": "1"}  # breve, circumflex, horn, the bar of đ
TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền, hỏi, ngã, sắc, nặng


def _links(entry: dict, lang: str) -> list[dict]:
    outputs = entry.get("outputs", [])
    labels = {".ipynb": text("index.notebook", lang), ".docx": text("index.word", lang), ".xlsx": text("index.excel", lang),
              "summary.md": text("index.summary_md", lang), "summary.json": text("index.summary_json", lang)}
    links = []
    failed = entry.get("status") == "failed"
    if failed and entry.get("previous_html"):
        links.append({"href": entry["previous_html"], "label": text("index.previous_report", lang)})
    for path in outputs:
        if failed and path.endswith(".ipynb") and not path.endswith(".failed.ipynb"):
            continue  # the earlier good report's notebook: its page is linked above
        if path.endswith(".failed.ipynb"):
            links.append({"href": path, "label": text("index.failed_notebook", lang)})
            continue
        for ending, label in labels.items():
            if path.endswith(ending):
                links.append({"href": path, "label": label})
    return links


def local_time(lang: str) -> str:
    """Now, in this machine's time zone with its offset from UTC ("14:05 ngày 28/11/2026, UTC+07:00")."""
    now = datetime.now().astimezone()
    offset = now.strftime("%z")
    return now.strftime(TIME_FORMATS[lang]) + f" (UTC{offset[:3]}:{offset[3:]})"


def _row(entry: dict, lang: str) -> dict:
    status = entry.get("status", "failed")
    return {"key": entry["key"], "title": entry.get("title", entry["key"]), "status": status,
            "status_label": text(f"run.status.{status}", lang), "seconds": format_number(entry.get("seconds", 0), 1, lang),
            "error": entry.get("error"), "links": _links(entry, lang), "report": entry.get("html") if status != "failed" else None,
            "figures": figures.shown(entry.get("figures"), lang), "finished": entry.get("finished_at", "")}


def _year_tree(entries: list[dict], facts: DataFacts, year: int, lang: str) -> dict:
    """The reports of ``year`` as a tree: the whole file, its areas nested as the data nests them, each area's
    unit profiles under it (under the nearest ancestor that has a report when its own area has none)."""
    whole = next((e for e in entries if e.get("notebook") == ANNUAL and not e.get("parameters", {}).get("area_id")), None)
    areas = {e["parameters"]["area_id"]: e for e in entries if e.get("notebook") == ANNUAL and e.get("parameters", {}).get("area_id")}
    profiles = [e for e in entries if e.get("notebook") == UNIT]

    def holder(unit: str | None) -> str | None:
        """The nearest ancestor of ``unit`` with an area report (None: the whole file)."""
        return facts.hierarchy.nearest(unit, year, areas)

    nodes = {area: {"row": _row(entry, lang), "children": [], "profiles": []} for area, entry in areas.items()}
    top = {"row": _row(whole, lang) if whole else None, "children": [], "profiles": []}
    for area in areas:
        (nodes[holder(area)] if holder(area) is not None else top)["children"].append(nodes[area])
    for entry in profiles:
        unit = entry.get("parameters", {}).get("unit_id")
        owner = holder(unit)
        # under the heading "Hồ sơ đơn vị (n)" a profile is named by its unit alone (its title repeats the heading)
        row = _row(entry, lang) | {"name": facts.unit_names.get(unit, unit) if unit else entry.get("title", entry["key"])}
        (nodes[owner] if owner is not None else top)["profiles"].append(row)
    for node in [top, *nodes.values()]:
        node["children"].sort(key=lambda n: sort_key(n["row"]["title"]))
        node["profiles"].sort(key=lambda r: sort_key(r["name"]))
    return top


PAGES = ("runs.html", "index.html", SEARCH_FILE)
# the dashboard's columns: (recorded figure, i18n key of its header); the flags come after them
DASHBOARD = (("members", "index.dash.members"), ("members_per_population_pct", "index.dash.share"),
             ("members_growth_pct", "index.dash.change"), ("fund_per_member_vnd", "index.dash.fund_per_member"),
             ("learning_families_pct", "index.dash.learning_families"))


def fold(name: str) -> str:
    """``name`` without diacritics, in lower case, for a search that needs none ("Xuất Hóa" → "xuat hoa");
    the search box folds what is typed the same way (templates/index.html.j2)."""
    bare = unicodedata.normalize("NFD", name.casefold().replace("đ", "d"))
    return " ".join("".join(c for c in bare if not unicodedata.combining(c)).split())


# what the report found about a compared unit (render/markdown.compared's "attention") -> the dashboard's flag
ATTENTION_FLAGS = {"members_fell": "index.flag.decline", "fund_fell": "index.flag.fund_decline", "check": "index.flag.check"}


def _flags(values: dict, attention: object, lang: str) -> list[str]:
    """The dashboard's flags of one compared unit: no training (a commune without classes, or an area with
    communes without), and what its report found: a fall it calls material (members, fund; the thresholds of
    khuyenhoc.findings, not any fall), a figure to check (a jump it does not judge)."""
    flags = []
    without = values.get("units_without_training")
    if values.get("training_classes") == 0:  # a commune without classes (counted as 1 unit without), or a whole area
        flags.append(text("index.flag.no_training", lang))
    elif isinstance(without, int | float) and without > 0:
        flags.append(text("index.flag.units_without_training", lang, count=format_number(without, 0, lang)))
    kinds = attention if isinstance(attention, list) else []
    flags += [text(key, lang) for kind, key in ATTENTION_FLAGS.items() if kind in kinds]
    return flags


def _sortable(value: object) -> float | int | None:
    """A figure as the sort attribute holds it: a number cut to 4 decimals (the page stays small), None when blank."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return value if isinstance(value, int) else round(value, 4)


def dashboard(entries: list[dict], lang: str) -> dict | None:
    """The year's table of the units one level down (those the top report compares, khuyenhoc.hierarchy's
    ``compared_units``: districts under a province, communes under it from July 2025), from the figures its
    summary.json recorded: each row's cells as shown text and a sort value, linked to the unit's area report
    or profile. None when the top report recorded none (a failed run, a manifest of an earlier version)."""
    top = next((e for e in entries if e.get("notebook") == ANNUAL and not e.get("parameters", {}).get("area_id")
                and e.get("status") != "failed"), None)
    recorded = (top or {}).get("figures", {}).get("compared") if isinstance((top or {}).get("figures"), dict) else None
    if not isinstance(recorded, dict) or not isinstance(recorded.get("rows"), list) or not recorded["rows"]:
        return None
    measures = recorded.get("measures") or {}
    reports = {e["parameters"].get("area_id") or e["parameters"].get("unit_id"): e.get("html")
               for e in entries if e.get("status") != "failed" and e.get("html") and e.get("notebook") in (ANNUAL, UNIT)}
    rows = [r for r in recorded["rows"] if isinstance(r, dict) and isinstance(r.get("figures"), dict)]
    order = {id(r): rank for rank, r in enumerate(sorted(rows, key=lambda r: sort_key(str(r.get("name", "")))))}
    shown = [key for key, _ in DASHBOARD if any(isinstance(r["figures"].get(key), int | float) for r in rows)]
    table = []
    for row in rows:
        values = row["figures"]
        cells = [{"text": figures.value_text(values.get(key), measures.get(key), lang), "sort": _sortable(values.get(key))} for key in shown]
        flags = _flags(values, row.get("attention"), lang)
        table.append({"name": str(row.get("name", "")), "href": reports.get(row.get("unit_id")), "order": order[id(row)],
                      "cells": cells, "flags": flags})
    table.sort(key=lambda r: r["order"])
    return {"headers": [text(label, lang) for key, label in DASHBOARD if key in shown], "rows": table}


def search_entries(runs: dict, facts: DataFacts) -> list[list[str]]:
    """One entry per unit of the data: its page (its area report, else its profile; a failed one's earlier page) of its
    latest year, else the report of the nearest area above it (a run without profiles still finds every commune):
    [name, link, the name of whom it reports to that year], in Vietnamese order. Compact on purpose: a country
    has ~3,300 communes."""
    latest: dict[str, tuple[int, bool, str]] = {}
    for entry in runs.values():
        parameters = entry.get("parameters", {})
        year = parameters.get("year")
        whole = entry.get("notebook") == ANNUAL and not parameters.get("area_id")
        unit = facts.single_root(int(year)) if whole and year is not None else parameters.get("area_id") or parameters.get("unit_id")
        href = entry.get("previous_html") if entry.get("status") == "failed" else entry.get("html")  # a failure: the earlier page
        if unit is None or year is None or not href:
            continue
        candidate = (int(year), entry.get("notebook") == ANNUAL, href)
        if unit not in latest or candidate[:2] > latest[unit][:2]:
            latest[unit] = candidate
    for unit, year in _latest_years(facts).items():  # a unit without a page of its own: the report of the nearest area above it
        if unit in latest:
            continue
        above, seen = facts.parents.get(year, {}).get(unit), {unit}
        while above is not None and above not in latest and above not in seen:
            seen.add(above)
            above = facts.parents.get(year, {}).get(above)
        if above in latest:
            latest[unit] = (year, False, latest[above][2])
    names = facts.unit_names
    found = []
    for unit, (year, _, href) in latest.items():
        parent = facts.parents.get(year, {}).get(unit)
        found.append([names.get(unit, unit), href, names.get(parent, parent) if parent else ""])
    return sorted(found, key=lambda item: (sort_key(item[0]), sort_key(item[2])))


def _latest_years(facts: DataFacts) -> dict[str, int]:
    """Each unit of the data with the last year it reports in."""
    years: dict[str, int] = {}
    for year in sorted(facts.parents):
        for unit in facts.parents[year]:
            years[unit] = year
    return years


def search_script(entries: list[list[str]]) -> str:
    """search.js: the names index as a script that sets ``KHUYENHOC_UNITS`` (a <script src> loads under file://,
    where a page may not fetch a JSON file). JSON is valid JavaScript; U+2028/9 are escaped for older engines."""
    data = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
    data = data.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.KHUYENHOC_UNITS={data};\n"


def _when(value: object, lang: str) -> str:
    """A recorded local time (ISO) as the pages write times."""
    try:
        return datetime.fromisoformat(str(value)).strftime(TIME_FORMATS[lang])
    except ValueError:
        return ""


def _kept_rows(manifest: dict, lang: str) -> list[dict]:
    """The user's files runs kept, as runs.html lists them (newest first)."""
    kept = manifest.get("kept") if isinstance(manifest.get("kept"), list) else []
    return [{"path": item["path"], "aside": item.get("aside"), "time": _when(item.get("when"), lang)}
            for item in reversed(kept) if isinstance(item, dict) and isinstance(item.get("path"), str)]


def _removed(manifest: dict, lang: str) -> dict | None:
    """The reports the last run that removed any removed, and when."""
    removed = manifest.get("removed")
    if not isinstance(removed, dict) or not isinstance(removed.get("reports"), list):
        return None
    reports = [r for r in removed["reports"] if isinstance(r, dict) and isinstance(r.get("key"), str)]
    return {"time": _when(removed.get("when"), lang), "reports": [{"key": r["key"], "title": r.get("title") or r["key"]} for r in reports]}


def _checks_line(checks: int | None, lang: str) -> dict | None:
    """The run-details page's link to the checking list (runner/checks.py), with what it holds; None without one."""
    if checks is None:
        return None
    from khuyenhoc.runner.checks import CHECKS_FILE

    said = text_count("index.checks", checks, lang, count=format_number(checks, 0, lang)) if checks else text("index.checks_none", lang)
    return {"href": CHECKS_FILE[lang], "label": CHECKS_FILE[lang], "text": said}


def write_index(out_dir: Path, manifest: dict, facts: DataFacts, lang: str, stamp: DataStamp | None = None,
                when: datetime | None = None, checks: int | None = None) -> list[Kept]:
    """index.html for readers (every report by year and area, key figures, links to HTML, Word, Excel) and
    runs.html for whoever runs the batch (status, seconds, errors, the user's files kept, the reports removed, and
    the checking list with its count when the run wrote or kept one: ``checks``);
    relative links, no network. The pages are outputs like the reports: one the runner did not write is moved
    aside first (an earlier version's folder, whose manifest records no pages, is taken as written by it).
    Their stamps are recorded in ``manifest["pages"]``; returns the user's files kept."""
    when = when or datetime.now()
    pages = manifest.get("pages")
    kept = []
    for name in PAGES:
        if pages is None:
            break
        moved = edits.make_room(out_dir, name, pages.get(name) if isinstance(pages, dict) else None, when)
        if moved is not None:
            kept.append(moved)
            manifest.setdefault("kept", []).append(moved.to_dict() | {"when": when.isoformat(timespec="seconds")})
    runs = manifest.get("runs", {})
    by_year: dict[int, list[dict]] = {}
    for entry in runs.values():
        year = entry.get("parameters", {}).get("year")
        if entry.get("notebook") in (ANNUAL, UNIT) and year is not None:
            by_year.setdefault(year, []).append(entry)
    trends = [_row(e, lang) for e in runs.values() if e.get("notebook") == TRENDS]
    common = {
        "lang": lang, "t": lambda key, **values: text(key, lang, **values),
        "notes": data_notes(lang, facts.illustrative, facts.synthetic),
        "generated": text("index.generated", lang, time=local_time(lang)),
        "data_line": stamp.line(lang) if stamp is not None else "",
    }
    years = [(year, _year_tree(by_year[year], facts, year, lang), dashboard(by_year[year], lang)) for year in sorted(by_year, reverse=True)]
    rows = [(year, sorted((_row(e, lang) for e in by_year[year]), key=lambda r: (r["key"].count("/"), sort_key(r["title"]))))
            for year in sorted(by_year, reverse=True)]
    contents = {
        "runs.html": TEMPLATES.get_template("runs.html.j2").render(years=rows, trends=trends, kept=_kept_rows(manifest, lang),
                                                                   removed=_removed(manifest, lang), checks=_checks_line(checks, lang),
                                                                   **common),
        "index.html": TEMPLATES.get_template("index.html.j2").render(years=years, trends=trends, search=SEARCH_FILE, **common),
        SEARCH_FILE: search_script(search_entries(runs, facts)),
    }
    for name, content in contents.items():
        atomic_write_text(out_dir / name, content)
    sums = {name: sha256_checksum(content.encode("utf-8")) for name, content in contents.items()}
    manifest["pages"] = manifests.stamps(out_dir, list(contents), sums)
    return kept
