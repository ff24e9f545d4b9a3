"""Put a run's results into the output folder (whole files only, never outside it) and write index.html."""

from __future__ import annotations

import html
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import jinja2

from khuyenhoc import __version__
from khuyenhoc.errors import RunError
from khuyenhoc.formatting import format_indicator, format_number
from khuyenhoc.fsutil import atomic_write_bytes, atomic_write_text
from khuyenhoc.i18n import data_notes, text
from khuyenhoc.runner.execute import JobResult
from khuyenhoc.runner.plan import ANNUAL, TRENDS, UNIT, DataFacts, Job, JobStatus, in_data

TIME_FORMATS = {"vi": "%H:%M ngày %d/%m/%Y", "en": "%Y-%m-%d %H:%M"}
DATE_FORMATS = {"vi": "%d/%m/%Y", "en": "%Y-%m-%d"}
LEFTOVER = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")  # fsutil.atomic_write_bytes's temporary files: .<name>.<random>.tmp
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def inside(out_dir: Path, relative: str) -> Path:
    """``out_dir / relative``, refusing any path that would leave ``out_dir``."""
    root = out_dir.resolve()
    target = (root / relative).resolve()
    if target == root or root not in target.parents:
        raise RunError(f"refusing to write outside {root}: {relative!r}")
    return target


@dataclass(frozen=True)
class DataStamp:
    """Which data a report comes from, as its footer says it."""

    source: str  # the data file's base name
    checksum: str  # sha256:<hex> of the data (and its origin record)
    saved: date  # when the data file was last saved

    def line(self, lang: str) -> str:
        return text("run.data_footer", lang, source=self.source, checksum=self.checksum[:19],
                    date=self.saved.strftime(DATE_FORMATS[lang]), version=__version__)


class PublishError(Exception):
    """A job's file could not be written: the path (relative to the output folder) and why."""

    def __init__(self, path: str, reason: str | None) -> None:
        super().__init__(path, reason)
        self.path, self.reason = path, reason

    def message(self, lang: str) -> str:
        if self.reason is None:
            return text("run.error.outside", lang, path=self.path)
        return text("run.cannot_write", lang, path=self.path, reason=self.reason)


def add_provenance(result: JobResult, extra: dict) -> None:
    """Merge what only the runner knows (notebook checksum, ...) into the result's summary.json."""
    if "summary.json" not in result.files:
        return
    document = json.loads(result.files["summary.json"])
    document.setdefault("provenance", {}).update(extra)
    result.files["summary.json"] = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _write(out_dir: Path, relative: str, data: bytes) -> None:
    """One file, whole, inside ``out_dir``; a PublishError naming it otherwise."""
    try:
        target = inside(out_dir, relative)
    except RunError:
        raise PublishError(relative, None) from None
    try:
        atomic_write_bytes(target, data)
    except OSError as error:
        raise PublishError(relative, error.strerror or str(error)) from error


def with_footer(page: bytes, line: str) -> bytes:
    """The HTML page with a footer saying which data it comes from."""
    footer = f'<footer class="khuyenhoc-data">{html.escape(line)}</footer>\n'.encode()
    at = page.rfind(b"</body>")
    return page[:at] + footer + page[at:] if at >= 0 else page + footer


def publish(out_dir: Path, job: Job, result: JobResult, footer: str = "") -> list[str]:
    """Write a result; return the output paths (relative). A failure writes only its failed notebook.

    Raises PublishError naming the file that could not be written.
    """
    if result.status != JobStatus.OK:
        if result.notebook is None:
            return []
        _write(out_dir, job.failed_path, result.notebook)
        return [job.failed_path]
    written = []
    for relative, data in sorted(result.files.items()):
        path = f"{job.files_dir}/{relative}" if job.files_dir else relative
        _write(out_dir, path, data)
        written.append(path)
    _write(out_dir, job.notebook_path, result.notebook or b"")
    _write(out_dir, job.html_path, with_footer(result.html or b"", footer) if footer else result.html or b"")
    try:
        inside(out_dir, job.failed_path).unlink(missing_ok=True)
    except (RunError, OSError):
        pass
    return [job.notebook_path, job.html_path, *written]


def remove_leftovers(out_dir: Path) -> None:
    """Delete the temporary files a killed run left half-written (only ours: ``.<name>.<random>.tmp``)."""
    for folder, _dirs, files in os.walk(out_dir):
        for name in files:
            path = Path(folder) / name
            if LEFTOVER.fullmatch(name) and path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)


def _remove_output(out_dir: Path, relative: str) -> None:
    """Delete one of our outputs: a regular file inside ``out_dir`` reached through no link; then its emptied folders."""
    path = out_dir / relative
    try:
        inside(out_dir, relative)
        if path.is_symlink() or not path.is_file():
            return
        path.unlink()
    except (RunError, OSError):
        return
    folder = path.parent
    while folder != out_dir and out_dir in folder.parents:
        try:
            folder.rmdir()  # only when empty: a user's own file keeps its folder
        except OSError:
            return
        folder = folder.parent


def remove_stale(out_dir: Path, manifest: dict, facts: DataFacts) -> list[str]:
    """Drop the entries, and delete the files, of reports on years or units the data no longer has; return their keys."""
    stale = [key for key, entry in manifest["runs"].items() if not in_data(entry, facts)]
    for key in stale:
        entry = manifest["runs"].pop(key)
        for relative in {*entry.get("outputs", []), *(p for p in (entry.get("html"), entry.get("previous_html")) if p)}:
            _remove_output(out_dir, relative)
    return stale


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
    if entry.get("status") == "failed" and entry.get("previous_html"):
        links.append({"href": entry["previous_html"], "label": text("index.previous_report", lang)})
    for path in outputs:
        if path.endswith(".failed.ipynb"):
            links.append({"href": path, "label": text("index.failed_notebook", lang)})
            continue
        for ending, label in labels.items():
            if path.endswith(ending):
                links.append({"href": path, "label": label})
    return links


def key_figures(summary_json: bytes | None) -> dict:
    """The two figures a reader sees beside a report in the index (members and fund), from its summary.json."""
    try:
        indicators = json.loads(summary_json or b"{}").get("indicators", {})
        return {key: indicators[key]["value"] for key in ("members", "fund_total_vnd") if key in indicators}
    except (ValueError, AttributeError, KeyError, TypeError):
        return {}


def local_time(lang: str) -> str:
    """Now, in this machine's time zone with its offset from UTC ("14:05 ngày 28/11/2026, UTC+07:00")."""
    now = datetime.now().astimezone()
    offset = now.strftime("%z")
    return now.strftime(TIME_FORMATS[lang]) + f" (UTC{offset[:3]}:{offset[3:]})"


def _row(entry: dict, lang: str) -> dict:
    status = entry.get("status", "failed")
    figures = entry.get("figures") or {}
    shown = [text(f"index.figure.{key}", lang, value=format_indicator(key, figures[key], lang, with_unit=key != "members"))
             for key in ("members", "fund_total_vnd") if figures.get(key) is not None]
    return {"key": entry["key"], "title": entry.get("title", entry["key"]), "status": status,
            "status_label": text(f"run.status.{status}", lang), "seconds": format_number(entry.get("seconds", 0), 1, lang),
            "error": entry.get("error"), "links": _links(entry, lang), "report": entry.get("html") if status != "failed" else None,
            "figures": " · ".join(shown), "finished": entry.get("finished_at", "")}


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
        owner = holder(entry.get("parameters", {}).get("unit_id"))
        (nodes[owner] if owner is not None else top)["profiles"].append(_row(entry, lang))
    for node in [top, *nodes.values()]:
        node["children"].sort(key=lambda n: sort_key(n["row"]["title"]))
        node["profiles"].sort(key=lambda r: sort_key(r["title"]))
    return top


def write_index(out_dir: Path, manifest: dict, facts: DataFacts, lang: str, stamp: DataStamp | None = None) -> Path:
    """index.html for readers (every report by year and area, key figures, links to HTML, Word, Excel) and
    runs.html for whoever runs the batch (status, seconds, errors); relative links, no network."""
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
    years = [(year, _year_tree(by_year[year], facts, year, lang)) for year in sorted(by_year, reverse=True)]
    rows = [(year, sorted((_row(e, lang) for e in by_year[year]), key=lambda r: (r["key"].count("/"), sort_key(r["title"]))))
            for year in sorted(by_year, reverse=True)]
    atomic_write_text(out_dir / "runs.html", TEMPLATES.get_template("runs.html.j2").render(years=rows, trends=trends, **common))
    page = TEMPLATES.get_template("index.html.j2").render(years=years, trends=trends, **common)
    return atomic_write_text(out_dir / "index.html", page)
