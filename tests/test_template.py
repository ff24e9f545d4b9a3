"""The kernel template warms what the notebooks import, under the modules' real names."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

from khuyenhoc.paths import NOTEBOOKS_DIR
from khuyenhoc.runner.template import WARM_MODULES


def _notebook_imports() -> set[str]:
    """Every khuyenhoc module (or module.name) the stored notebooks import."""
    found: set[str] = set()
    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            for node in ast.walk(ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))):
                if isinstance(node, ast.Import):
                    found |= {alias.name for alias in node.names if alias.name.startswith("khuyenhoc")}
                elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("khuyenhoc"):
                    found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_the_warm_imports_cover_every_module_the_notebooks_import():
    imported = _notebook_imports()
    assert "khuyenhoc.reports.annual.AnnualSummary" in imported and "khuyenhoc.render.display" in imported
    probe = (
        "import importlib, json, sys\n"
        f"for name in {list(WARM_MODULES)!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('khuyenhoc'))))"
    )
    warmed = set(json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout))
    cold = sorted(name for name in imported if name not in warmed and name.rpartition(".")[0] not in warmed)
    assert not cold, f"the notebooks import modules the kernel template does not warm: {cold}"

