"""Writers: turn a report model (:mod:`khuyenhoc.reports`) into files, charts and notebook output.

One entry point, :func:`save`, writes every file of a model into a folder, each whole or not at all.
"""

from __future__ import annotations

import json
from functools import singledispatch
from pathlib import Path

from khuyenhoc.fsutil import atomic_write_text
from khuyenhoc.render import charts
from khuyenhoc.reports.annual import AnnualSummary


@singledispatch
def save(model: object, folder: str | Path, **options: object) -> list[Path]:
    """Write the files of ``model`` into ``folder``; return their paths."""
    raise TypeError(f"no writer for {type(model).__name__}")


@save.register
def _(summary: AnnualSummary, folder: str | Path, org: str | None = None, place: str | None = None,
      figures: dict | None = None) -> list[Path]:
    """summary.json, summary.md, the Word report (annual_summary.docx: issued by ``org``, signed at ``place``, see
    :mod:`khuyenhoc.render.word`), its tables (annual_summary.xlsx) and figures/*.png: ``figures`` when the
    notebook already drew them (:func:`khuyenhoc.render.charts.annual_figures` and ``target_figures``)."""
    from khuyenhoc.render.excel import save_xlsx
    from khuyenhoc.render.markdown import summary_json, summary_markdown
    from khuyenhoc.render.word import save_docx

    folder = Path(folder)
    written = [
        atomic_write_text(folder / "summary.json", json.dumps(summary_json(summary), ensure_ascii=False, indent=2) + "\n"),
        atomic_write_text(folder / "summary.md", summary_markdown(summary)),
        save_docx(summary, folder / "annual_summary.docx", org, place),
        save_xlsx(summary, folder / "annual_summary.xlsx"),
    ]
    if figures is None:
        figures = charts.annual_figures(summary) | charts.target_figures(summary)
    written += [charts.save_png(figure, folder / "figures" / f"{name}.png") for name, figure in figures.items()]
    return written
