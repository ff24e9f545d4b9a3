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
from khuyenhoc.formatting import format_number
from khuyenhoc.fsutil import atomic_write_bytes, atomic_write_text, sha256_checksum
from khuyenhoc.i18n import data_notes, text
from khuyenhoc.runner import edits, figures
from khuyenhoc.runner import manifest as manifests
from khuyenhoc.runner.edits import Kept
from khuyenhoc.runner.plan import ANNUAL, TRENDS, UNIT, in_data
from khuyenhoc.runner.records import DataFacts, Job, JobResult, JobStatus

TIME_FORMATS = {"vi": "%H:%M ngày %d/%m/%Y", "en": "%Y-%m-%d %H:%M"}
DATE_FORMATS = {"vi": "%d/%m/%Y", "en": "%Y-%m-%d"}
LEFTOVER = re.compile(r"\.(.+)\.[a-z0-9_]{8}\.tmp")  # fsutil.atomic_write_bytes's temporary files: .<name>.<random>.tmp
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
        self.written: list[str] = []  # the files of the result written before this one

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


def planned_files(job: Job, result: JobResult, footer: str = "") -> dict[str, bytes]:
    """What publishing a result writes, by path relative to the output folder: a failure only its failed notebook."""
    if result.status != JobStatus.OK:
        return {job.failed_path: result.notebook} if result.notebook is not None else {}
    files = {f"{job.files_dir}/{relative}" if job.files_dir else relative: data for relative, data in sorted(result.files.items())}
    files[job.notebook_path] = result.notebook or b""
    files[job.html_path] = with_footer(result.html or b"", footer) if footer else result.html or b""
    return files


@dataclass
class Published:
    """What publishing one result did: the files written (in order) and the user's files it kept."""

    outputs: list[str]
    kept: list[Kept]


def publish(out_dir: Path, job: Job, files: dict[str, bytes], records: dict, when: datetime) -> Published:
    """Write a result's files (:func:`planned_files`), each whole. A file at one of their paths that is not the one
    ``records`` holds (the job's last recorded checksums) is the user's: moved aside first (:mod:`.edits`).
    A success removes the job's earlier failed notebook (unless the user changed it).

    Raises PublishError naming the file that could not be written.
    """
    kept: list[Kept] = []
    written: list[str] = []
    try:
        for relative, data in files.items():
            try:
                inside(out_dir, relative)
                moved = edits.make_room(out_dir, relative, records.get(relative), when)
            except RunError:
                raise PublishError(relative, None) from None
            except OSError as error:
                raise PublishError(relative, error.strerror or str(error)) from error
            kept += [moved] if moved else []
            _write(out_dir, relative, data)
            written.append(relative)
    except PublishError as error:
        error.written = written
        raise
    if job.html_path in files:
        kept += remove_outputs(out_dir, [job.failed_path], records)
    return Published(written, kept)


def sweep_names(paths: list[str]) -> dict[str, set[str]]:
    """Folder (relative, "" for the top) -> the names the runner writes there, from output paths."""
    names: dict[str, set[str]] = {}
    for relative in paths:
        folder, _, name = relative.rpartition("/")
        names.setdefault(folder, set()).add(name)
    return names


def remove_leftovers(out_dir: Path, names: dict[str, set[str]]) -> None:
    """Delete the temporary files a killed run left half-written: only in the folders the runner writes to and only
    names its writer gives them (``.<name>.<8 random>.tmp``, :func:`khuyenhoc.fsutil.atomic_write_bytes`) for a
    ``<name>`` it writes there."""
    for folder, written in names.items():
        try:
            base = inside(out_dir, folder) if folder else out_dir
            listing = list(os.scandir(base))
        except (RunError, OSError):
            continue
        for item in listing:
            found = LEFTOVER.fullmatch(item.name)
            if found and found.group(1) in written and item.is_file(follow_symlinks=False):
                Path(item.path).unlink(missing_ok=True)


def remove_outputs(out_dir: Path, paths: list[str], records: dict) -> list[Kept]:
    """Delete outputs the runner no longer makes, each when it is the recorded file; return the user's, kept."""
    kept = []
    for relative in paths:
        try:
            inside(out_dir, relative)
        except RunError:
            continue
        found = edits.remove(out_dir, relative, records.get(relative))
        kept += [found] if found else []
    return kept


@dataclass
class Stale:
    """What removing the reports the data no longer has did: their keys and titles, and the user's files kept."""

    removed: list[dict]  # {"key", "title"}
    kept: list[Kept]


def remove_stale(out_dir: Path, manifest: dict, facts: DataFacts) -> Stale:
    """Drop the entries of reports on years, units or areas the data no longer has (:func:`in_data`) and delete
    their files, except those the user changed (kept in place, see :mod:`.edits`)."""
    stale = Stale([], [])
    for key in [key for key, entry in manifest["runs"].items() if not in_data(entry, facts)]:
        entry = manifest["runs"].pop(key)
        paths = sorted({*entry.get("outputs", []), *(p for p in (entry.get("html"), entry.get("previous_html")) if p)})
        stale.kept += remove_outputs(out_dir, paths, entry.get("checksums") or {})
        stale.removed.append({"key": key, "title": entry.get("title") or key})
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
        owner = holder(entry.get("parameters", {}).get("unit_id"))
        (nodes[owner] if owner is not None else top)["profiles"].append(_row(entry, lang))
    for node in [top, *nodes.values()]:
        node["children"].sort(key=lambda n: sort_key(n["row"]["title"]))
        node["profiles"].sort(key=lambda r: sort_key(r["title"]))
    return top


PAGES = ("runs.html", "index.html")


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


def write_index(out_dir: Path, manifest: dict, facts: DataFacts, lang: str, stamp: DataStamp | None = None,
                when: datetime | None = None) -> list[Kept]:
    """index.html for readers (every report by year and area, key figures, links to HTML, Word, Excel) and
    runs.html for whoever runs the batch (status, seconds, errors, the user's files kept, the reports removed);
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
    years = [(year, _year_tree(by_year[year], facts, year, lang)) for year in sorted(by_year, reverse=True)]
    rows = [(year, sorted((_row(e, lang) for e in by_year[year]), key=lambda r: (r["key"].count("/"), sort_key(r["title"]))))
            for year in sorted(by_year, reverse=True)]
    contents = {
        "runs.html": TEMPLATES.get_template("runs.html.j2").render(years=rows, trends=trends, kept=_kept_rows(manifest, lang),
                                                                   removed=_removed(manifest, lang), **common),
        "index.html": TEMPLATES.get_template("index.html.j2").render(years=years, trends=trends, **common),
    }
    for name, content in contents.items():
        atomic_write_text(out_dir / name, content)
    sums = {name: sha256_checksum(content.encode("utf-8")) for name, content in contents.items()}
    manifest["pages"] = manifests.stamps(out_dir, list(contents), sums)
    return kept
