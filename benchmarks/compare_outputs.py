"""Compare every output file of two report folders (``khuyenhoc run --out``): what a reader sees must not change.

    python benchmarks/compare_outputs.py BEFORE AFTER

Files are compared by their bytes, except where a run stamps something of its own, which is masked first:
times and durations, checksums of notebooks and cache keys, package versions, absolute paths of the two folders,
and the parts of a file that record how it was made rather than what it shows (an executed notebook's code and
metadata: only its outputs are compared; a Word or Excel file's creation time: its XML parts are compared).
Prints each file that differs (with the first differing line) and each file only one side has; exits 1 if any.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import zipfile
from pathlib import Path

MASKS = (
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"), "<TIME>"),
    (re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b"), "<CLOCK>"),  # a local time in a page's footer
    (re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b"), "<DATE>"),
    (re.compile(r"sha256:[0-9a-f]{16,64}"), "<SHA>"),
    (re.compile(r"\b[0-9a-f]{32,64}\b"), "<HEX>"),
    (re.compile(r'"(seconds|elapsed|duration|started|finished|worker|pid)[^"]*"\s*:\s*("[^"]*"|[0-9.e+-]+)'), r'"\1": <RUN>'),
    (re.compile(r"(\d+[.,]\d+|\d+) ?(s|giây|seconds?)\b"), "<SECONDS>"),
)
RUN_FILES = {"manifest.json", "runs.html"}  # what the runner records about itself: its timings and the notebooks' sizes too
RUN_MASKS = (
    (re.compile(r'"size"\s*:\s*\d+'), '"size": <SIZE>'),  # an executed notebook holds the package's code: its size moves with it
    (re.compile(r'"mtime_ns"\s*:\s*\d+'), '"mtime_ns": <MTIME>'),  # when the files were written
    (re.compile(r"<td>\d+([.,]\d+)?</td>"), "<td><NUMBER></td>"),  # seconds per report
    (re.compile(r'"timings"\s*:\s*\{[^}]*\}'), '"timings": <TIMINGS>'),
)


def _masked(text: str, roots: tuple[str, ...]) -> str:
    for root in roots:
        text = text.replace(root, "<OUT>")
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


def _notebook(data: bytes) -> str:
    """An executed notebook's outputs only (its code is the package's, its metadata the run's)."""
    notebook = json.loads(data)
    outputs = [output for cell in notebook.get("cells", []) for output in cell.get("outputs", [])]
    for output in outputs:
        output.pop("execution_count", None)
        output.get("metadata", {}).pop("execution", None)
    return json.dumps(outputs, ensure_ascii=False, indent=1, sort_keys=True)


def _office(data: bytes) -> str:
    """A .docx or .xlsx file's XML parts (without its core properties' times)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = []
        for name in sorted(archive.namelist()):
            content = archive.read(name)
            if name.endswith((".xml", ".rels")):
                text = content.decode("utf-8")
                if name == "docProps/core.xml":
                    text = re.sub(r"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>", "", text)
                parts.append(f"== {name}\n{text}")
            else:
                parts.append(f"== {name} ({len(content)} bytes, {hash(content)})")
    return "\n".join(parts)


def comparable(path: Path, roots: tuple[str, ...]) -> bytes | str:
    """What is compared of ``path``: its bytes, or its text with the run's own stamps masked."""
    data = path.read_bytes()
    if path.suffix == ".ipynb":
        return _masked(_notebook(data), roots)
    if path.suffix in (".docx", ".xlsx"):
        return _masked(_office(data), roots)
    if path.name in RUN_FILES:
        text = data.decode("utf-8", errors="replace")
        if path.suffix == ".json":  # its runs in the order they finished: compare them by key
            text = json.dumps(json.loads(text), ensure_ascii=False, indent=1, sort_keys=True)
        text = _masked(text, roots)
        for pattern, replacement in RUN_MASKS:
            text = pattern.sub(replacement, text)
        return text
    if path.suffix in (".html", ".json", ".md", ".txt", ".csv", ".log"):
        return _masked(data.decode("utf-8", errors="replace"), roots)
    return data


def _first_difference(left: bytes | str, right: bytes | str) -> str:
    if isinstance(left, bytes) or isinstance(right, bytes):
        return f"{len(left)} vs {len(right)} bytes"
    for number, (a, b) in enumerate(zip(left.splitlines(), right.splitlines(), strict=False), start=1):
        if a != b:
            column = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
            return f"line {number}: …{a[max(column - 60, 0):column + 60]!r} vs …{b[max(column - 60, 0):column + 60]!r}"
    return f"{len(left.splitlines())} vs {len(right.splitlines())} lines"


def compare(before: Path, after: Path, ignore: tuple[str, ...] = ()) -> list[str]:
    """The differences between two report folders, one line each (empty: the same)."""
    roots = (str(before.resolve()), str(after.resolve()), str(before), str(after))
    files = {p.relative_to(before).as_posix() for p in before.rglob("*") if p.is_file()}
    files |= {p.relative_to(after).as_posix() for p in after.rglob("*") if p.is_file()}
    found = []
    for name in sorted(files):
        if any(re.search(pattern, name) for pattern in ignore):
            continue
        left, right = before / name, after / name
        if not left.is_file() or not right.is_file():
            found.append(f"only in {'before' if left.is_file() else 'after'}: {name}")
            continue
        a, b = comparable(left, roots), comparable(right, roots)
        if a != b:
            found.append(f"differs: {name}: {_first_difference(a, b)}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--ignore", action="append", default=[], help="a regular expression of file names not compared")
    args = parser.parse_args(argv)
    differences = compare(args.before, args.after, tuple(args.ignore))
    total = sum(1 for p in args.before.rglob("*") if p.is_file())
    for line in differences:
        print(line)
    print(f"{total} files in {args.before}; {len(differences)} differ or are missing")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
