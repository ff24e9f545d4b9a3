"""Publishing into the output folder (issue 22): edited outputs kept and said, stale reports removed and listed,
the leftover sweep limited to the runner's own names, the site pages treated as outputs. No kernel starts here."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rich.console import Console
from test_batch import Executor

from khuyenhoc.paths import SAMPLE_DATA
from khuyenhoc.runner import RunOptions, run_batch
from khuyenhoc.runner.console import closing_report
from khuyenhoc.runner.edits import aside_name
from khuyenhoc.runner.plan import ANNUAL
from khuyenhoc.runner.records import DataFacts, JobResult, JobStatus
from khuyenhoc.runner.publish import remove_leftovers, remove_stale, sweep_names

SIGNED = "Báo cáo đã ký, số 12/BC-HKH"
ASIDE = re.compile(r"annual_summary\.edited-\d{8}-\d{6}\.docx")


class WordExecutor(Executor):
    """The stand-in executor, whose yearly reports also save a Word file."""

    def __call__(self, jobs, data, notebooks, options):
        for result in super().__call__(jobs, data, notebooks, options):
            if result.key.endswith(ANNUAL):
                result.files["annual_summary.docx"] = f"word {self.marker} {result.key}".encode()
            yield result


def _run(out: Path, executor: Executor, **options):
    options.setdefault("data", SAMPLE_DATA)
    return run_batch(RunOptions(out_dir=out, **options), executor=executor)


def _closing(outcome, out: Path) -> str:
    console = Console(record=True, width=400)
    closing_report(console, outcome, str(out), 1.0, "vi")
    return console.export_text()


def test_an_edited_word_report_is_moved_aside_never_replaced_and_said(tmp_path):
    """Item 4: a re-run finds annual_summary.docx differs from what it wrote: the user's file is kept under a dated name."""
    out = tmp_path / "out"
    _run(out, WordExecutor(), years=[2013])
    docx = out / "2013" / "annual_summary.docx"
    docx.write_text(SIGNED, encoding="utf-8")  # filled in and signed
    again = WordExecutor(marker="v2")
    outcome = _run(out, again, years=[2013])
    assert again.ran == ["2013/annual_summary"], "the changed output makes the job run again"
    kept = [p for p in (out / "2013").iterdir() if ASIDE.fullmatch(p.name)]
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == SIGNED, "the signed report is kept, whole"
    assert docx.read_text(encoding="utf-8") == "word v2 2013/annual_summary", "the new report is written at its path"
    aside = f"2013/{kept[0].name}"
    assert [(k.path, k.aside) for k in outcome.kept] == [("2013/annual_summary.docx", aside)]
    assert (f"Giữ tệp đã được sửa sau khi khuyenhoc ghi: 2013/annual_summary.docx → {aside}; "
            "báo cáo mới được ghi vào 2013/annual_summary.docx") in _closing(outcome, out)
    runs = (out / "runs.html").read_text(encoding="utf-8")
    assert "Tệp đã được sửa mà khuyenhoc giữ lại" in runs and f"2013/annual_summary.docx: đã đổi tên thành {aside}" in runs

    quiet = Executor()
    outcome = _run(out, quiet, years=[2013])
    assert quiet.ran == [] and outcome.kept == [], "the new report is recorded: a re-run is a no-op and says nothing new"
    assert aside in (out / "runs.html").read_text(encoding="utf-8"), "runs.html lists the kept file while it exists"


def test_a_users_file_at_an_output_path_of_a_new_folder_is_kept(tmp_path):
    """Item 4 (the same rule for the site pages and for a first run): `--out ~` with the user's own index.html."""
    out = tmp_path / "home"
    out.mkdir()
    (out / "index.html").write_text("<p>my homepage</p>", encoding="utf-8")
    (out / "2013").mkdir()
    (out / "2013" / "annual_summary.docx").write_text(SIGNED, encoding="utf-8")
    outcome = _run(out, WordExecutor(), years=[2013])
    assert sorted(k.path for k in outcome.kept) == ["2013/annual_summary.docx", "index.html"]
    homepage = [p for p in out.iterdir() if re.fullmatch(r"index\.edited-\d{8}-\d{6}\.html", p.name)]
    assert len(homepage) == 1 and homepage[0].read_text(encoding="utf-8") == "<p>my homepage</p>"
    assert "khuyenhoc" in (out / "index.html").read_text(encoding="utf-8")
    assert _run(out, Executor(), years=[2013]).kept == [], "pages the runner wrote are its own on the next run"


def test_aside_names_keep_the_extension():
    from datetime import datetime

    when = datetime(2026, 12, 4, 18, 12, 5)
    assert aside_name("2013/annual_summary.docx", when) == "2013/annual_summary.edited-20261204-181205.docx"
    assert aside_name("index.html", when) == "index.edited-20261204-181205.html"


def test_stale_reports_are_listed_and_an_edited_one_is_kept(tmp_path, sample_frame, write_csv):
    """Item 5: a year leaves the data; its reports go, except the signed Word report, and the run lists them."""
    out = tmp_path / "out"
    _run(out, WordExecutor(), data=write_csv(sample_frame, name="so-lieu.csv"), years=[2009, 2013])
    signed = out / "2009" / "annual_summary.docx"
    signed.write_text(SIGNED, encoding="utf-8")
    smaller = sample_frame[sample_frame["year"] != 2009]
    outcome = _run(out, WordExecutor(), data=write_csv(smaller, name="so-lieu.csv"), years=[2013])
    assert signed.read_text(encoding="utf-8") == SIGNED, "never deleted"
    assert sorted(p.name for p in (out / "2009").iterdir()) == ["annual_summary.docx"], "the runner's other files went"
    assert [r["key"] for r in outcome.removed] == ["2009/annual_summary"]
    assert [(k.path, k.aside) for k in outcome.kept] == [("2009/annual_summary.docx", None)]
    closing = _closing(outcome, out)
    assert "Giữ nguyên tệp đã được sửa sau khi khuyenhoc ghi: 2009/annual_summary.docx (báo cáo này không còn được tạo)" in closing
    assert "Đã xoá 1 báo cáo về năm, đơn vị hoặc địa bàn không còn trong số liệu: 2009/annual_summary" in closing
    runs = (out / "runs.html").read_text(encoding="utf-8")
    assert "vì năm, đơn vị hoặc địa bàn không còn trong số liệu (1)" in runs and "(2009/annual_summary)" in runs
    assert "2009/annual_summary.docx: giữ nguyên tại chỗ" in runs


def _tree(roots: dict[str, list[str]]) -> DataFacts:
    parents = {}
    for root, children in roots.items():
        parents[root] = None
        parents.update({child: root for child in children})
    return DataFacts("sha256:0", "x.csv", [2025], {2025: [c for cs in roots.values() for c in cs]},
                     {u: u for u in parents}, False, parents={2025: parents})


def test_an_area_report_the_plan_no_longer_makes_is_stale(tmp_path):
    """Item 8: 2025 had two provinces (two roots); now one, whose report is the whole file's: areas/<root>/ is stale."""
    out = tmp_path / "out"
    folder = out / "2025" / "areas" / "bac-kan"
    folder.mkdir(parents=True)
    (folder / "annual_summary.html").write_text("old", encoding="utf-8")
    entry = {"key": "2025/areas/bac-kan/annual_summary", "notebook": ANNUAL, "parameters": {"year": 2025, "area_id": "bac-kan"},
             "status": "ok", "outputs": ["2025/areas/bac-kan/annual_summary.html"], "title": "Bắc Kạn 2025"}
    manifest = {"runs": {entry["key"]: entry}}
    assert remove_stale(out, dict(manifest, runs=dict(manifest["runs"])), _tree({"bac-kan": ["a"], "thai-nguyen": ["b"]})).removed == []
    from khuyenhoc.runner.manifest import stamps

    entry["checksums"] = stamps(out, entry["outputs"])
    stale = remove_stale(out, manifest, _tree({"bac-kan": ["a", "b"]}))
    assert [r["key"] for r in stale.removed] == ["2025/areas/bac-kan/annual_summary"] and manifest["runs"] == {}
    assert not (out / "2025").exists(), "its files and emptied folders are gone"


def test_the_leftover_sweep_removes_only_names_the_runner_writes_where_it_writes(tmp_path):
    """Item 6: `--out ~`: a `.<name>.<8 chars>.tmp` of someone else's is not the runner's."""
    out = tmp_path
    ours = [out / ".index.html.abcd_123.tmp", out / "2013" / ".annual_summary.html.x1y2z3w4.tmp"]
    theirs = [out / ".bashrc.abcdefgh.tmp", out / "2013" / ".notes.txt.abcd1234.tmp",
              out / "projects" / ".index.html.abcd1234.tmp", out / "2013" / ".annual_summary.html.toolongname.tmp"]
    for path in ours + theirs:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    remove_leftovers(out, sweep_names(["index.html", "runs.html", "2013/annual_summary.html", "2013/summary.md"]))
    assert [p for p in ours if p.exists()] == []
    assert [p for p in theirs if not p.exists()] == []


def test_the_run_sweeps_leftovers_of_its_own_outputs_only(tmp_path):
    """Item 6, through a run: the half-written copy of a report goes, a user's temporary file elsewhere stays."""
    out = tmp_path / "out"
    _run(out, Executor(), years=[2013])
    leftover = out / "2013" / ".summary.md.abcd1234.tmp"
    leftover.write_text("half", encoding="utf-8")
    foreign = out / "drafts" / ".thu-moi.docx.abcd1234.tmp"
    foreign.parent.mkdir()
    foreign.write_text("the user's", encoding="utf-8")
    _run(out, Executor(), years=[2013])
    assert not leftover.exists() and foreign.read_text(encoding="utf-8") == "the user's"


class FailingExecutor(Executor):
    def __call__(self, jobs, data, notebooks, options):
        for job in jobs:
            self.ran.append(job.key)
            yield JobResult(job.key, JobStatus.FAILED, 0.1, notebook=b'{"failed": 1}', error="ô 3: ValueError: x")


def test_after_a_failed_job_the_earlier_outputs_stay_recorded_until_replaced(tmp_path, sample_frame, write_csv):
    """Item 7: the failed entry keeps the good report's Word, summaries and page recorded: linked, and removed with it."""
    out = tmp_path / "out"
    data = write_csv(sample_frame, name="so-lieu.csv")
    _run(out, WordExecutor(), data=data, years=[2012])
    good = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["runs"]["2012/annual_summary"]["outputs"]
    _run(out, FailingExecutor(), data=data, years=[2012], force=True)
    _run(out, FailingExecutor(), data=data, years=[2012], force=True)  # failing twice keeps them still
    entry = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["runs"]["2012/annual_summary"]
    assert entry["status"] == "failed"
    assert sorted(entry["outputs"]) == sorted([*good, "2012/annual_summary.failed.ipynb"])
    assert set(entry["checksums"]) == set(entry["outputs"]) and entry["previous_html"] == "2012/annual_summary.html"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="2012/annual_summary.docx"' in index and 'href="2012/annual_summary.html"' in index
    runs = (out / "runs.html").read_text(encoding="utf-8")
    assert 'href="2012/annual_summary.failed.ipynb"' in runs and 'href="2012/annual_summary.ipynb"' not in runs

    outcome = _run(out, Executor(), data=write_csv(sample_frame[sample_frame["year"] != 2012], name="so-lieu.csv"), years=[2013])
    assert outcome.kept == [] and not (out / "2012").exists(), "every recorded file of the year went with it"


def test_a_success_removes_the_earlier_outputs_it_no_longer_makes(tmp_path):
    """Item 7's other half: outputs recorded until replaced; one the new report does not make goes (unless edited)."""
    out = tmp_path / "out"
    _run(out, WordExecutor(), years=[2013])
    _run(out, Executor(marker="v2"), years=[2013], force=True)
    assert not (out / "2013" / "annual_summary.docx").exists()
    assert (out / "2013" / "summary.md").read_text(encoding="utf-8") == "v2 2013/annual_summary"
