"""Put a run's results into the output folder (whole files only, never outside it) and write index.html."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jinja2

from khuyenhoc import __version__
from khuyenhoc.errors import RunError
from khuyenhoc.formatting import format_number
from khuyenhoc.fsutil import atomic_write_bytes, atomic_write_text
from khuyenhoc.i18n import text
from khuyenhoc.runner.execute import JobResult
from khuyenhoc.runner.plan import ANNUAL, TRENDS, UNIT, DataFacts, Job

TIME_FORMATS = {"vi": "%H:%M ngày %d/%m/%Y (UTC)", "en": "%Y-%m-%d %H:%M UTC"}
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


def add_provenance(result: JobResult, extra: dict) -> None:
    """Merge what only the runner knows (notebook checksum, ...) into the result's summary.json."""
    if "summary.json" not in result.files:
        return
    document = json.loads(result.files["summary.json"])
    document.setdefault("provenance", {}).update(extra)
    result.files["summary.json"] = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def publish(out_dir: Path, job: Job, result: JobResult) -> list[str]:
    """Write a result; return the output paths (relative). A failure writes only its failed notebook."""
    if result.status != "ok":
        if result.notebook is None:
            return []
        atomic_write_bytes(inside(out_dir, job.failed_path), result.notebook)
        return [job.failed_path]
    written = []
    for relative, data in sorted(result.files.items()):
        path = f"{job.files_dir}/{relative}" if job.files_dir else relative
        atomic_write_bytes(inside(out_dir, path), data)
        written.append(path)
    atomic_write_bytes(inside(out_dir, job.notebook_path), result.notebook or b"")
    atomic_write_bytes(inside(out_dir, job.html_path), result.html or b"")
    inside(out_dir, job.failed_path).unlink(missing_ok=True)
    return [job.notebook_path, job.html_path, *written]


def _links(entry: dict, lang: str) -> list[dict]:
    outputs = entry.get("outputs", [])
    labels = {".ipynb": text("index.notebook", lang),
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


def write_index(out_dir: Path, manifest: dict, facts: DataFacts, lang: str) -> Path:
    """index.html: every result with its status, linking relative paths (opens from file://, no network)."""
    runs = manifest.get("runs", {})

    def row(entry: dict) -> dict:
        status = entry.get("status", "failed")
        return {"key": entry["key"], "title": entry.get("title", entry["key"]), "status": status,
                "status_label": text(f"run.status.{status}", lang), "seconds": format_number(entry.get("seconds", 0), 1, lang),
                "error": entry.get("error"), "links": _links(entry, lang), "report": entry.get("html") if status != "failed" else None}

    years: dict[int, dict] = {}
    for entry in runs.values():
        year = entry.get("parameters", {}).get("year")
        if entry.get("notebook") == ANNUAL:
            years.setdefault(year, {"annual": None, "units": []})["annual"] = row(entry)
        elif entry.get("notebook") == UNIT:
            years.setdefault(year, {"annual": None, "units": []})["units"].append(row(entry))
    trends = [row(e) for e in runs.values() if e.get("notebook") == TRENDS]
    for year in years.values():
        year["units"].sort(key=lambda r: r["title"])
    page = TEMPLATES.get_template("index.html.j2").render(
        lang=lang,
        t=lambda key, **values: text(key, lang, **values),
        years=[(y, years[y]) for y in sorted(years, reverse=True)],
        trends=trends,
        notes=[text(kind, lang) for kind, flag in (("illustrative", facts.illustrative), ("synthetic", facts.synthetic)) if flag],
        generated=text("index.generated", lang, time=datetime.now(UTC).strftime(TIME_FORMATS[lang]), version=__version__,
                       source=facts.source, checksum=facts.checksum[:19]),
    )
    return atomic_write_text(out_dir / "index.html", page)
