"""Safe sharing (issue 5): hostile text from the data is escaped everywhere, nothing is written outside
the output folder, parameters reach the notebook unchanged, and the HTML loads nothing from the network."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from khuyenhoc.runner import RunOptions, run_batch
from khuyenhoc.runner.execute import execute_job
from khuyenhoc.runner.plan import TRENDS
from khuyenhoc.runner.records import Job
from khuyenhoc.sample import bac_kan_sample, to_csv_text

pytestmark = pytest.mark.slow

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
TRAVERSAL = "../../ngoài/evil.html"  # a name that looks like a path: names never name files
HOSTILE = {"nong-thuong": SCRIPT, "xuat-hoa": IMG, "song-cau": TRAVERSAL}  # unit_id stays valid
ESCAPED = {SCRIPT: "&lt;script&gt;alert(1)&lt;/script&gt;", IMG: "&lt;img src=x onerror=alert(1)&gt;"}


def hostile_csv() -> str:
    """The sample with three communes renamed to hostile text."""
    frame = bac_kan_sample()
    for unit_id, name in HOSTILE.items():
        frame.loc[frame["unit_id"] == unit_id, "unit_name"] = name
    return to_csv_text(frame)


def _data_folder(base: Path) -> Path:
    """A folder whose name has quotes, a backslash, spaces and Vietnamese letters (a simpler one if the OS refuses)."""
    for name in ("dữ liệu 'thử' \"x\" \\ y", "dữ liệu 'thử'", "du lieu thu"):
        try:
            (base / name).mkdir()
            return base / name
        except OSError:
            continue
    raise AssertionError("could not create a data folder")


def _snapshot(root: Path, skip: Path) -> dict[str, str]:
    """Every file under root (except under skip) with its checksum; folders too."""
    listing = {}
    for path in sorted(root.rglob("*")):
        if path == skip or skip in path.parents:
            continue
        listing[path.relative_to(root).as_posix()] = (
            hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir")
    return listing


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One batch (2013, unit profiles, 2 jobs) on hostile names, read from an awkwardly named file."""
    base = tmp_path_factory.mktemp("safe")
    data = _data_folder(base) / "so lieu.csv"
    data.write_text(hostile_csv(), encoding="utf-8")
    out = base / "bao cao"
    before = _snapshot(base, out)
    outcome = run_batch(RunOptions(data=data, out_dir=out, years=[2013], units=True, jobs=2))
    after = _snapshot(base, out)
    return {"base": base, "data": data, "out": out, "outcome": outcome, "before": before, "after": after}


def _html_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_the_run_works_from_a_path_with_quotes_and_backslashes(run):
    outcome = run["outcome"]
    assert outcome.exit_code == 0, [e.error for e in outcome.failed]
    assert outcome.count("ok") == 1 + 8 + 1  # the yearly report, 8 unit profiles, trends
    provenance = json.loads((run["out"] / "2013" / "summary.json").read_text(encoding="utf-8"))["provenance"]
    assert provenance["data_source"] == "so lieu.csv"
    assert "so lieu.csv" in (run["out"] / "index.html").read_text(encoding="utf-8")


def test_every_html_page_shows_hostile_names_escaped(run):
    out = run["out"]
    pages = _html_files(out)
    names = {p.relative_to(out).as_posix() for p in pages}
    assert {"index.html", "runs.html", "trends.html", "2013/annual_summary.html", "2013/units/nong-thuong.html",
            "2013/units/xuat-hoa.html"} <= names
    assert len(pages) == 1 + 1 + 1 + 1 + 8  # index, runs, trends, the yearly report, 8 profiles
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text, page
        assert "<img src=x" not in text, page
        assert "onerror=alert(1)>" not in text, page
    # where the names are shown, they are shown as escaped text
    for relative, names_shown in {"index.html": (SCRIPT, IMG), "2013/annual_summary.html": (SCRIPT, IMG),
                                  "2013/units/nong-thuong.html": (SCRIPT,), "2013/units/xuat-hoa.html": (IMG,)}.items():
        text = (out / relative).read_text(encoding="utf-8")
        for name in names_shown:
            assert ESCAPED[name] in text, (relative, name)
    profile = (out / "2013" / "units" / "nong-thuong.html").read_text(encoding="utf-8")
    assert f"<title>Hồ sơ Hội Khuyến học {ESCAPED[SCRIPT]}, năm 2013</title>" in profile


def test_summary_md_is_inert(run):
    text = (run["out"] / "2013" / "summary.md").read_text(encoding="utf-8")
    assert "<" not in text and ">" not in text, "no raw markup in the written summary"
    assert ESCAPED[SCRIPT] in text and ESCAPED[IMG] in text
    markdown_it = pytest.importorskip("markdown_it")
    rendered = markdown_it.MarkdownIt("commonmark").render(text)  # raw HTML would pass straight through here
    assert "<script" not in rendered and "<img" not in rendered
    assert ESCAPED[SCRIPT] in rendered, "a Markdown viewer shows the name as text"


def test_summary_json_keeps_names_as_data(run):
    document = json.loads((run["out"] / "2013" / "summary.json").read_text(encoding="utf-8"))
    names = {f["unit_id"]: f["unit_name"] for f in document["findings"] if f.get("unit_id")}
    assert names.get("nong-thuong") == SCRIPT
    assert names.get("xuat-hoa") == IMG
    raw = (run["out"] / "2013" / "summary.json").read_text(encoding="utf-8")
    assert "&lt;" not in raw, "JSON is data, not HTML: names are not HTML-escaped"


def test_nothing_is_written_outside_the_output_folder(run):
    assert run["after"] == run["before"], "files outside the output folder changed"
    out = run["out"]
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(out.resolve()), path
        assert "evil" not in path.name and "ngoài" not in path.as_posix(), path
    assert not list(run["base"].rglob("evil*"))
    assert not list(out.rglob("*.tmp")) and not list(out.rglob("*.failed.ipynb"))


NETWORK = [
    re.compile(r"""\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.I),  # absolute or protocol-relative
    re.compile(r"<script\b[^>]*\bsrc\s*=\s*(?![\"']search\.js[\"'])", re.I),  # only the index's names file, beside it
    re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?\s*(?:https?:)?//", re.I),
    re.compile(r"@import\b", re.I),
    re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"<(?:iframe|object|embed)\b", re.I),
]


def test_html_references_nothing_on_the_network(run):
    out = run["out"]
    for page in _html_files(out):
        text = re.sub(r"/\*.*?\*/", "", page.read_text(encoding="utf-8"), flags=re.S)  # CSS comments may cite URLs
        for pattern in NETWORK:
            match = pattern.search(text)
            assert match is None, f"{page.relative_to(out)}: {text[max(0, match.start() - 80):match.end() + 80]!r}"
        for source in re.findall(r"<img\b[^>]*\bsrc\s*=\s*[\"']([^\"']*)", text, flags=re.I):
            assert source.startswith("data:image/"), f"{page.relative_to(out)}: image not embedded: {source[:80]}"
    assert (out / "2013" / "annual_summary.html").read_text(encoding="utf-8").count("data:image/png;base64,") >= 4
    assert "//" not in (out / "search.js").read_text(encoding="utf-8"), "the names file holds relative links only"


def test_index_links_are_relative_and_exist(run):
    out = run["out"]
    hrefs = re.findall(r'href="([^"]*)"', (out / "index.html").read_text(encoding="utf-8"))
    assert "2013/annual_summary.html" in hrefs and "2013/units/nong-thuong.html" in hrefs and "trends.html" in hrefs
    for href in hrefs:
        assert not re.match(r"[a-z][a-z0-9+.-]*:|/", href, re.I), f"not a relative link: {href}"
        assert (out / href).is_file(), f"broken link in index.html: {href}"


WEIRD = {
    "quote_backslash_newline": 'a"b\\c\nd',
    "quotes": "it's \"q\" '''x''' \"\"\"y\"\"\"",
    "windows_path": "C:\\Users\\cán bộ\\new\\table.csv",
    "controls": "dòng 1\r\ndòng 2\ttab\\t",
    "trailing_backslash": "kết thúc \\",
    "braces": "{year} {{x}} %s $HOME `ls`",
}


def test_parameters_reach_the_notebook_verbatim(tmp_path):
    """Through the runner's own execute_job (its kernel settings, papermill, export): every string arrives as written."""
    import nbformat

    folder = tmp_path / "notebooks"
    folder.mkdir()
    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell("data_path = None\nlang = 'vi'\n" + "".join(f"{k} = None\n" for k in WEIRD))
    parameters.metadata["tags"] = ["parameters"]
    echo = nbformat.v4.new_code_cell(  # data_path reversed: the shared notebook names the data file by its base name only
        "import json\nprint(json.dumps({k: globals()[k] for k in " + repr(["lang", *WEIRD]) + "} | {'htap_atad': data_path[::-1]}))")
    notebook.cells = [parameters, echo]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, folder / "trends.ipynb")

    data_path = str(tmp_path / "dữ liệu 'thử' \"x\" \\ y" / "so lieu.csv")
    job = Job(TRENDS, TRENDS, dict(WEIRD, lang="vi"), "trends.ipynb", "trends.html", None,
              "title.trends", {"start": 2009, "end": 2013})
    result = execute_job(job, data_path, str(folder), cell_timeout=60)
    assert result.status == "ok", result.error
    executed = nbformat.reads(result.notebook.decode("utf-8"), as_version=4)
    printed = "".join(o.get("text", "") for o in executed.cells[-1].outputs if o.output_type == "stream")
    received = json.loads(printed)
    assert received == dict(WEIRD, htap_atad=data_path[::-1], lang="vi")


def test_shared_outputs_do_not_name_this_machine(tmp_path):
    """Issue 8, item 14: executed notebooks, tracebacks, the manifest and the index carry no absolute path or host name."""
    import os
    import socket
    import sys
    import sysconfig

    import nbformat

    from khuyenhoc.paths import SAMPLE_DATA

    folder = tmp_path / "notebooks"
    folder.mkdir()
    for path in (Path(__file__).parent / "notebooks" / "tiny").glob("*.ipynb"):
        notebook = nbformat.read(path, as_version=4)
        if path.name == "annual_summary.ipynb":  # 2012 fails deep inside an installed library
            notebook.cells.insert(1, nbformat.v4.new_code_cell("import pandas\nif int(year) == 2012:\n    pandas.read_csv(data_path, sep=42)"))
        nbformat.write(notebook, folder / path.name)
    out = tmp_path / "out"
    outcome = run_batch(RunOptions(data=SAMPLE_DATA, out_dir=out, years=[2012, 2013], jobs=2, notebooks_dir=folder))
    assert {e.key: e.status for e in outcome.entries} == {"2012/annual_summary": "failed", "2013/annual_summary": "ok", "trends": "ok"}
    private = {str(tmp_path), sys.prefix, sysconfig.get_paths()["purelib"], str(Path(SAMPLE_DATA).parent), os.path.expanduser("~") + "/",
               "/tmp/", socket.gethostname()}
    shared = {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*") if p.suffix in (".ipynb", ".html", ".json")}
    assert "2012/annual_summary.failed.ipynb" in shared
    for name, content in shared.items():
        for secret in private:
            assert secret not in content, (name, secret)
    executed = nbformat.reads(shared["2013/annual_summary.ipynb"], as_version=4)
    assert "input_path" not in executed.metadata.papermill and "output_path" not in executed.metadata.papermill
    assert executed.metadata.papermill.parameters["data_path"] == "bac-kan-2009-2013.csv"
    failed = nbformat.reads(shared["2012/annual_summary.failed.ipynb"], as_version=4)
    traceback = "".join(line for c in failed.cells for o in c.get("outputs", []) if o.output_type == "error" for line in o.traceback)
    assert "<site-packages>/pandas/" in traceback
    workers = {entry["worker"] for entry in json.loads(shared["manifest.json"])["runs"].values()}
    assert workers <= {"worker 1", "worker 2"} and workers
