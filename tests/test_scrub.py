"""runner/scrub.py: this machine's paths are taken out of what is shared, the most specific name first."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import nbformat

from khuyenhoc.paths import PACKAGE_DIR
from khuyenhoc.runner.scrub import PathScrubber, public_notebook

SCRATCH = Path("/srv/khuyenhoc-run-1/scratch-7")
DATA = "/srv/khuyenhoc-run-1/so-lieu.csv"
NOTEBOOKS = "/opt/notebooks"


def _scrubber() -> PathScrubber:
    return PathScrubber(SCRATCH, DATA, NOTEBOOKS)


def test_the_data_file_scratch_and_notebooks_are_named_as_the_reader_knows_them():
    scrub = _scrubber()
    assert scrub(f"đọc {DATA} lỗi") == "đọc so-lieu.csv lỗi"
    assert scrub(f"{SCRATCH}/files/2013/summary.json") == "files/2013/summary.json", "the longer path wins over the scratch folder"
    assert scrub(f"{SCRATCH}/executed.ipynb") == "./executed.ipynb"
    assert scrub("/srv/khuyenhoc-run-1/snapshot/table.parquet") == "snapshot/table.parquet"
    assert scrub(f"{NOTEBOOKS}/trends.ipynb") == "trends.ipynb"
    assert scrub("no path here") == "no path here"


def test_install_folders_get_a_label():
    scrub = _scrubber()
    purelib = sysconfig.get_paths()["purelib"]
    assert scrub(f'File "{purelib}/pandas/core/frame.py"') == 'File "<site-packages>/pandas/core/frame.py"'
    assert scrub(f"{PACKAGE_DIR}/indicators.py") == "khuyenhoc/indicators.py"


def test_only_text_parameters_are_scrubbed():
    assert _scrubber().parameters({"data_path": DATA, "year": 2013, "lang": "vi"}) == {"data_path": "so-lieu.csv", "lang": "vi"}


def test_a_public_notebook_keeps_no_path_of_this_machine():
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["papermill"] = {"input_path": f"{NOTEBOOKS}/trends.ipynb", "output_path": f"{SCRATCH}/executed.ipynb",
                                      "parameters": {"data_path": DATA}}
    injected = nbformat.v4.new_code_cell(f'data_path = "{DATA}"\nsnapshot_path = "/srv/khuyenhoc-run-1/snapshot"')
    injected.metadata["tags"] = ["injected-parameters"]
    failing = nbformat.v4.new_code_cell("1/0")
    failing.outputs = [nbformat.v4.new_output("error", ename="ValueError", evalue=f"bad {DATA}", traceback=[f"{SCRATCH}/x.py line 1"]),
                       nbformat.v4.new_output("display_data", data={"text/plain": f"{DATA}", "image/png": "iVBOR"})]
    notebook.cells = [injected, failing]
    parameters = {"data_path": "so-lieu.csv", "year": 2013, "snapshot_path": "/srv/khuyenhoc-run-1/snapshot"}
    shared = public_notebook(notebook, parameters, _scrubber(), "python3")
    assert shared.metadata["papermill"] == {"parameters": {"data_path": "so-lieu.csv", "year": 2013}}
    assert 'data_path = "so-lieu.csv"' in shared.cells[0].source and "snapshot_path" not in shared.cells[0].source
    error, display = shared.cells[1].outputs
    assert (error["evalue"], error["traceback"]) == ("bad so-lieu.csv", ["./x.py line 1"])
    assert display["data"] == {"text/plain": "so-lieu.csv", "image/png": "iVBOR"}
    assert "/srv/" not in nbformat.writes(shared)
