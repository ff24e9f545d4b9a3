"""Executed notebook → a self-contained HTML report: no code, images embedded, nothing from the network,
and only the CSS the page uses (:mod:`khuyenhoc.runner.css`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import nbformat

from khuyenhoc.runner.css import prune

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "nbconvert"
REMOVED_TAGS = {"analyst-note", "parameters", "injected-parameters"}


@cache
def exporter(lang: str):
    """This process's HTML exporter for ``lang``, made once and reused for every report (its templates compiled once)."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    made = HTMLExporter(
        template_name="khuyenhoc",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    made.language_code = lang
    made.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=REMOVED_TAGS, enabled=True), enabled=True)
    return made


def to_html(notebook: nbformat.NotebookNode, title: str, lang: str) -> str:
    """Render ``notebook`` as a report: code inputs, prompts and analyst notes left out."""
    notebook = nbformat.from_dict(notebook)
    notebook.metadata["title"] = title
    body, _ = exporter(lang).from_notebook_node(notebook)
    return prune(body)
