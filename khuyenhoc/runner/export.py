"""Executed notebook → a self-contained HTML report: no code, images embedded, nothing from the network."""

from __future__ import annotations

from pathlib import Path

import nbformat

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "nbconvert"
REMOVED_TAGS = {"analyst-note", "parameters", "injected-parameters"}


def to_html(notebook: nbformat.NotebookNode, title: str, lang: str) -> str:
    """Render ``notebook`` as a report: code inputs, prompts and analyst notes left out."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        template_name="khuyenhoc",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.language_code = lang
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=REMOVED_TAGS, enabled=True), enabled=True)
    notebook = nbformat.from_dict(notebook)
    notebook.metadata["title"] = title
    body, _ = exporter.from_notebook_node(notebook)
    return body
