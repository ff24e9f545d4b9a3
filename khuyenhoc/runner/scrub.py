"""Path scrubbing: this machine's absolute paths taken out of what is shared (executed notebooks, error lines, pages).

The data file is named by its base name, a job's scratch folder is ``.``, install folders get a label
(``<site-packages>``, ``<python>``, ``khuyenhoc``, ``<tmp>``, ``~``).
"""

from __future__ import annotations

import os
import re
import site
import sys
import sysconfig
import tempfile
from functools import cache
from pathlib import Path


@cache
def _install_paths() -> tuple[tuple[str, str], ...]:
    """Where Python, the libraries and khuyenhoc are installed on this machine, and what shared files say instead."""
    from khuyenhoc.paths import PACKAGE_DIR

    paths = sysconfig.get_paths()
    named = [(p, "<site-packages>") for p in {paths["purelib"], paths["platlib"], *site.getsitepackages(), site.getusersitepackages()}]
    named += [(paths["stdlib"], "<python>"), (paths["platstdlib"], "<python>"), (str(PACKAGE_DIR), "khuyenhoc")]
    named += [(p, "<python>") for p in {sys.prefix, sys.base_prefix, sys.exec_prefix}]
    named += [(tempfile.gettempdir(), "<tmp>")]
    home = os.path.expanduser("~")
    tilde = [("~" + p[len(home):], label) for p, label in named if p.startswith(home + os.sep)]  # IPython shortens home to ~
    return tuple(named + tilde + [(home, "~")])


class PathScrubber:
    """Rewrites this machine's absolute paths out of text that is shared: the data file by its base name, the job's
    scratch folder as ``.``, install folders by a label. Longer paths first, so the most specific name wins."""

    def __init__(self, scratch: Path, data_path: str, notebooks_dir: str) -> None:
        pairs = [(str(scratch / "files"), "files"), (str(scratch), "."), (str(data_path), Path(data_path).name),
                 (str(Path(data_path).parent) + os.sep, ""), (str(Path(notebooks_dir)) + os.sep, ""), *_install_paths()]
        self.pairs = dict(sorted(((p, label) for p, label in pairs if len(p) > 1), key=lambda pair: -len(pair[0])))
        self.pattern = re.compile("|".join(re.escape(p) for p in self.pairs))

    def __call__(self, value: str) -> str:
        return self.pattern.sub(lambda match: self.pairs[match.group(0)], value)

    def parameters(self, parameters: dict) -> dict:
        return {name: self(value) for name, value in parameters.items() if isinstance(value, str)}


def _hide_in_output(output: dict, hide: PathScrubber) -> None:
    for name in ("text", "evalue"):
        if isinstance(output.get(name), str):
            output[name] = hide(output[name])
    if isinstance(output.get("traceback"), list):
        output["traceback"] = [hide(line) for line in output["traceback"]]
    for mime, value in (output.get("data") or {}).items():
        if mime.startswith("text/") and isinstance(value, str):
            output["data"][mime] = hide(value)


def public_notebook(notebook, parameters: dict, hide: PathScrubber, kernel_name: str):
    """The executed notebook as it may be shared: no paths of this machine in its metadata, parameters or outputs."""
    from papermill.translators import translate_parameters

    parameters = {name: value for name, value in parameters.items() if name != "snapshot_path"}  # the run's temporary folder
    record = notebook.metadata.get("papermill", {})
    for name in ("input_path", "output_path"):
        record.pop(name, None)
    if "parameters" in record:
        record["parameters"] = parameters
    for cell in notebook.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):  # re-run by hand, it reads the data file
            cell.source = translate_parameters(kernel_name, "python", parameters, "Parameters")
        for output in cell.get("outputs", []):
            _hide_in_output(output, hide)
    return notebook
