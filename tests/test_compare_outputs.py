"""benchmarks/compare_outputs.py: run stamps are masked, a changed figure or sentence is reported."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "compare_outputs.py"
spec = importlib.util.spec_from_file_location("compare_outputs", SCRIPT)
compare_outputs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare_outputs)


def _run(folder: Path, sentence: str, finished: str, png: bytes) -> Path:
    (folder / "2013" / "figures").mkdir(parents=True)
    (folder / "2013" / "summary.md").write_text(f"# Báo cáo\n\n{sentence}\n", encoding="utf-8")
    (folder / "2013" / "figures" / "trend.png").write_bytes(png)
    provenance = {"generated_at": finished, "data_checksum": "ab" * 32, "title": "Tổng kết năm 2013"}
    (folder / "2013" / "summary.json").write_text(json.dumps({"provenance": provenance}), encoding="utf-8")
    manifest = {"runs": {"b": {"seconds": 1.5, "finished_at": finished}, "a": {"seconds": 0.5}}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_the_same_reports_made_at_another_time_are_the_same(tmp_path):
    before = _run(tmp_path / "before", "Hội viên tăng 5,6%.", "2026-12-04T17:59:34+00:00", b"\x89PNG1")
    after = _run(tmp_path / "after", "Hội viên tăng 5,6%.", "2026-12-05T08:01:02+00:00", b"\x89PNG1")
    assert compare_outputs.compare(before, after) == []


def test_a_changed_sentence_a_changed_chart_and_a_missing_file_are_reported(tmp_path):
    before = _run(tmp_path / "before", "Hội viên tăng 5,6%.", "2026-12-04T17:59:34+00:00", b"\x89PNG1")
    after = _run(tmp_path / "after", "Hội viên tăng 5,7%.", "2026-12-04T17:59:34+00:00", b"\x89PNG2")
    (after / "2013" / "summary.json").unlink()
    found = compare_outputs.compare(before, after)
    assert found[0] == "differs: 2013/figures/trend.png: 5 vs 5 bytes"
    assert found[1] == "only in before: 2013/summary.json"
    assert found[2].startswith("differs: 2013/summary.md: line 3:") and "5,7%" in found[2]
    assert len(found) == 3
