"""Packaging: pyproject.toml and environment.yml agree; the bundled published data carries its origin."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pandas as pd
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

import khuyenhoc
from khuyenhoc.paths import PUBLISHED_DATA, SAMPLE_DATA
from khuyenhoc.table import origin_path

ROOT = Path(__file__).resolve().parent.parent
CONDA_SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*((?:[<>=!~]=?|==)\s*[^\s]+(?:\s*,\s*[<>=!~]=?\s*[^\s,]+)*)?\s*$")


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def _conda_dependencies(environment: dict) -> tuple[dict[str, SpecifierSet], list[str]]:
    conda: dict[str, SpecifierSet] = {}
    pip: list[str] = []
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):
            pip += entry.get("pip", [])
            continue
        match = CONDA_SPEC.match(str(entry))
        assert match, f"cannot read the conda spec {entry!r}"
        name, spec = match.groups()
        assert _name(name) not in conda, f"{name} listed twice"
        conda[_name(name)] = SpecifierSet((spec or "").replace(" ", ""))
    return conda, pip


def test_environment_yml_names_the_same_dependencies_and_bounds(pyproject, environment):
    declared = {}
    for line in pyproject["project"]["dependencies"]:
        requirement = Requirement(line)
        declared[_name(requirement.name)] = requirement.specifier
    conda, _ = _conda_dependencies(environment)
    python = conda.pop("python")
    conda.pop("pip")
    assert set(conda) == set(declared), {"only in environment.yml": set(conda) - set(declared), "only in pyproject": set(declared) - set(conda)}
    for name, specifier in declared.items():
        assert conda[name] == specifier, f"{name}: environment.yml {conda[name]} vs pyproject.toml {specifier}"
    assert python == SpecifierSet(pyproject["project"]["requires-python"])


def test_environment_yml_installs_the_package_through_pip(environment):
    assert environment["channels"] == ["conda-forge"]
    assert environment["name"] == "khuyenhoc"
    _, pip = _conda_dependencies(environment)
    assert any(re.fullmatch(r"(-e\s+)?\.(\[[a-z,]+\])?", entry.strip()) for entry in pip), pip


def test_version_and_console_script(pyproject):
    assert pyproject["project"]["scripts"]["khuyenhoc"] == "khuyenhoc.cli:run"
    assert pyproject["tool"]["hatch"]["version"]["path"] == "khuyenhoc/__init__.py"
    assert re.fullmatch(r"\d+\.\d+\.\d+", khuyenhoc.__version__)
    try:
        installed = metadata.version("khuyenhoc")
    except metadata.PackageNotFoundError:
        pytest.skip("khuyenhoc is not installed")
    assert installed == khuyenhoc.__version__


def test_wheel_bundles_the_data(pyproject):
    include = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert include["data"] == "khuyenhoc/_data"
    for path in (SAMPLE_DATA, origin_path(SAMPLE_DATA), PUBLISHED_DATA, origin_path(PUBLISHED_DATA)):
        assert path.is_file(), path


def _third_party_imports(paths: list[Path]) -> set[str]:
    modules: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
    local = {p.stem for path in paths for p in path.parent.glob("*.py")}  # helper modules beside the tests
    return {m for m in modules if m not in sys.stdlib_module_names and m not in {"khuyenhoc", "__future__", *local}}


def test_every_module_the_tests_import_is_declared(pyproject):
    """CI installs only what pyproject.toml declares: a test importing anything else fails there."""
    declared = {_name(Requirement(r).name) for r in pyproject["project"]["dependencies"]}
    for extra in ("test", "dask"):
        declared |= {_name(Requirement(r).name) for r in pyproject["project"]["optional-dependencies"][extra]}
    # packaging comes with pip/pytest itself
    provided = {"packaging"}
    distributions = metadata.packages_distributions()
    undeclared = {}
    for module in _third_party_imports(sorted((ROOT / "tests").glob("*.py"))) - provided:
        names = {_name(d) for d in distributions.get(module, [module])}
        if not names & declared:
            undeclared[module] = names
    assert not undeclared


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    position = next(i for i, line in enumerate(readme) if line.startswith("# 2. install"))
    command = readme[position + 1]
    assert "pip install -e \".[test" in command
    assert command.rstrip().endswith("python -m pytest")
    # what .ci/run's own selector finds (the first '# 2. install' heading; later numbered steps in the README must not match)
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    selector = next(line for line in script.splitlines() if line.startswith("command=$("))[len("command=$("):-1]
    found = subprocess.run(["bash", "-c", selector], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert found == command.strip()


def test_published_origin_record():
    record = json.loads(origin_path(PUBLISHED_DATA).read_text(encoding="utf-8"))
    assert record["title"].startswith("Tổng kết công tác Khuyến học năm 2013")
    assert "Bắc Kạn" in record["publisher"]
    assert record["year"] == 2013
    assert record["illustrative"] is False
    assert "estimate" in record["estimates"]
    assert set(record["columns"]) == {"year", "indicator", "value", "status", "basis"}
    assert "estimate" in record["columns"]["status"]


def test_published_table_marks_its_estimates():
    table = pd.read_csv(PUBLISHED_DATA)
    assert list(table.columns) == ["year", "indicator", "value", "status", "basis"]
    assert set(table["status"]) == {"published", "estimate"}
    estimates = table[table["status"] == "estimate"].set_index(["year", "indicator"])["value"]
    assert estimates.to_dict() == {(2013, "population"): 45600, (2012, "members"): 8639, (2012, "fund_total_vnd"): 302_380_000}
    published = table[table["status"] == "published"].set_index("indicator")["value"]
    assert published["members"] == 9123
    assert published["fund_total_vnd"] == published["fund_commune_vnd"] + published["fund_district_vnd"] == 343_380_000
    assert not table.duplicated(["year", "indicator"]).any()
    assert table["basis"].str.len().gt(0).all()
    assert set(table["indicator"]) <= set(khuyenhoc.REGISTRY)


@pytest.mark.slow
def test_khuyenhoc_run_works_from_an_installed_wheel(tmp_path):
    """A non-editable install must find the bundled data and notebooks inside the wheel."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(root)], check=True, timeout=600)
    wheel = next(wheels.glob("khuyenhoc-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)], check=True, timeout=600)
    env = dict(os.environ, PYTHONPATH=str(target))
    where = subprocess.run([sys.executable, "-c", "import khuyenhoc.paths as p; print(p.__file__); print(p.NOTEBOOKS_DIR); print(p.SAMPLE_DATA)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout.split("\n")
    assert all(line.startswith(str(target)) for line in where[:3]), where
    out = tmp_path / "reports"
    run = subprocess.run([sys.executable, "-m", "khuyenhoc", "run", "--years", "2013", "--out", str(out), "--jobs", "2"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    summary = json.loads((out / "2013" / "summary.json").read_text(encoding="utf-8"))
    assert summary["indicators"]["members"]["value"] == 9123
    assert (out / "2013" / "annual_summary.html").is_file() and (out / "index.html").is_file()
