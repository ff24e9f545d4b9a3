"""The bundled notebooks are stored as JupyterLab would save them, without outputs (fast checks; the browser test opens them)."""

from __future__ import annotations

import nbformat
import pytest
from ipykernel.ipkernel import IPythonKernel

from khuyenhoc.paths import NOTEBOOKS_DIR
from khuyenhoc.runner.plan import NOTEBOOK_FILES

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def test_the_exploration_notebook_ships_beside_the_report_notebooks_and_is_not_run_by_khuyenhoc_run():
    assert [p.name for p in NOTEBOOKS] == ["annual_summary.ipynb", "explore.ipynb", "trends.ipynb", "unit_profile.ipynb"]
    assert "explore.ipynb" not in NOTEBOOK_FILES.values()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_normalised_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert (notebook.nbformat, notebook.nbformat_minor) == (4, nbformat.current_nbformat_minor)
    assert all(cell.get("id") for cell in notebook.cells)
    assert notebook.metadata["kernelspec"] == {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    expected = {key: value for key, value in IPythonKernel.language_info.items() if key != "version"}
    assert {key: value for key, value in notebook.metadata["language_info"].items() if key != "version"} == expected
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert sum("parameters" in cell.metadata.get("tags", []) for cell in code) == 1
