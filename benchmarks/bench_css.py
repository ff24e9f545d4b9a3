"""How big a report page is under three ways of styling it (issue 21, item 6):

(a) the ``lab`` template with JupyterLab's stylesheets pruned by ``khuyenhoc.runner.css`` (what reports use);
(b) the ``lab`` template pruned by the same rule written on tinycss2's parser (a sketch, below);
(c) nbconvert's ``basic`` template (no stylesheet at all) with a small house stylesheet.

    python benchmarks/bench_css.py [NOTEBOOK.ipynb] [--shots DIR]

Without a notebook it runs ``khuyenhoc run --years 2013`` on the bundled sample into a temporary folder and uses
its executed ``2013/annual_summary.ipynb``. Prints for each way: the page's bytes, the bytes without embedded
images (the 60 KB budget, tests/test_export.py), the CSS bytes and the milliseconds to make the page;
``--shots DIR`` also saves a screenshot of each page from headless Chromium. Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import tinycss2

from khuyenhoc.runner import css
from khuyenhoc.runner.export import REMOVED_TAGS, exporter

IMAGES = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")
STYLES = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)

HOUSE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; font-size: 14px;
  line-height: 1.5; color: rgba(0,0,0,.87); max-width: 1100px; margin: 0 auto; padding: 16px; }
h1, h2, h3, h4 { line-height: 1.25; margin: 1.2em 0 .5em; } h1 { font-size: 1.9em; } h2 { font-size: 1.5em; }
h3 { font-size: 1.2em; }
table { border-collapse: collapse; border-spacing: 0; font-size: 12px; margin: .5em 0; }
th, td { padding: .25em .6em; border: none; text-align: right; vertical-align: middle; }
th { font-weight: bold; } thead { border-bottom: 1px solid #000; } tbody tr:nth-child(odd) { background: #f5f5f5; }
td:first-child, th:first-child { text-align: left; }
img { max-width: 100%; height: auto; }
.kh-table-wrap { overflow-x: auto; max-width: 100%; }
@page { size: A4; margin: 20mm 15mm 20mm 25mm; }
@media print { body { font-size: 11pt; } h1, h2, h3, h4 { break-after: avoid; } tr, img { break-inside: avoid; }
  thead { display: table-header-group; } .kh-table-wrap { overflow: visible; } }
"""


# (b) the same pruning rule on tinycss2 -------------------------------------------------------------------------
def _selector_needs(tokens: list) -> tuple[frozenset[str], frozenset[str]]:
    """Classes and tags one selector needs; what is inside functions (:not(), :is()...) and [attributes] is ignored."""
    classes, tags, previous = set(), set(), None
    for token in tokens:
        if token.type == "ident" and previous is not None and previous.type == "literal" and previous.value == ".":
            classes.add(token.value)
        elif token.type == "ident" and (previous is None or previous.type in ("whitespace",) or
                                        (previous.type == "literal" and previous.value in ">+~")):
            tags.add(token.value.lower())
        previous = token
    return frozenset(classes), frozenset(tags)


def _split_selectors(prelude: list) -> list[list]:
    groups: list[list] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            groups.append([])
        elif token.type != "comment":
            groups[-1].append(token)
    return groups


def _vars(tokens) -> set[str]:
    found = set()
    for token in tokens or ():
        if token.type == "function":
            if token.lower_name == "var":
                found |= {t.value for t in token.arguments if t.type == "ident" and t.value.startswith("--")}
            found |= _vars(token.arguments)
        elif token.type in ("() block", "[] block", "{} block"):
            found |= _vars(token.content)
    return found


def _kept_tiny(rules, classes, tags):
    for rule in rules:
        if rule.type == "qualified-rule":
            needs = [_selector_needs(s) for s in _split_selectors(rule.prelude)]
            if any(c <= classes and t <= tags for c, t in needs):
                yield rule
        elif rule.type == "at-rule" and rule.lower_at_keyword in ("media", "supports") and rule.content is not None:
            inner = list(_kept_tiny(tinycss2.parse_rule_list(rule.content, True, True), classes, tags))
            if inner:
                yield (rule, inner)
        elif rule.type == "at-rule":
            yield rule


def _flat(kept):
    for item in kept:
        if isinstance(item, tuple):
            yield from _flat(item[1])
        else:
            yield item


def _declarations(rule):
    if rule.type != "qualified-rule" and not (rule.type == "at-rule" and rule.content):
        return []
    return [d for d in tinycss2.parse_blocks_contents(rule.content, True, True) if d.type == "declaration"]


def _serialise(kept, used, animations) -> str:
    out = []
    for item in kept:
        if isinstance(item, tuple):
            at, inner = item
            text = _serialise(inner, used, animations)
            if text:
                out.append(f"@{at.at_keyword} {tinycss2.serialize(at.prelude).strip()}{{{text}}}")
        elif item.type == "at-rule" and item.lower_at_keyword.endswith("keyframes"):
            if tinycss2.serialize(item.prelude).strip() in animations:
                out.append(item.serialize())
        elif item.type == "qualified-rule":
            keep = [d for d in _declarations(item) if not d.name.startswith("--") or d.name in used]
            if keep:
                body = ";".join(f"{d.name}:{tinycss2.serialize(d.value)}{'!important' if d.important else ''}" for d in keep)
                out.append(f"{tinycss2.serialize(item.prelude).strip()}{{{body}}}")
        else:
            out.append(item.serialize())
    return "\n".join(out)


def prune_tinycss2(page: str) -> str:
    """``page`` with each ``<style>`` cut to what its elements can match, on tinycss2 (the rule of runner/css.py)."""
    classes, tags = css.page_vocabulary(page)
    sheets = [(m, list(_kept_tiny(tinycss2.parse_stylesheet(m.group(1), True, True), classes, tags)))
              for m in STYLES.finditer(page)]
    every = [r for _, kept in sheets for r in _flat(kept)]
    definitions: dict[str, set[str]] = {}
    used: set[str] = set()
    animations: set[str] = set()
    for rule in every:
        for d in _declarations(rule):
            if d.name.startswith("--"):
                definitions.setdefault(d.name, set()).update(_vars(d.value))
            else:
                used |= _vars(d.value)
                if d.lower_name in ("animation", "animation-name"):
                    animations |= {t.value for t in d.value if t.type == "ident"}
    frontier = set(used)
    while frontier:
        frontier = set().union(*(definitions.get(n, set()) for n in frontier)) - used
        used |= frontier
    pieces, last = [], 0
    for match, kept in sheets:
        pieces += [page[last:match.start(1)], "\n" + _serialise(kept, used, animations) + "\n"]
        last = match.end(1)
    return "".join(pieces) + page[last:]


# (c) nbconvert's basic template with the house stylesheet -----------------------------------------------------
def basic_page(notebook: nbformat.NotebookNode, title: str) -> str:
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    made = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    made.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=REMOVED_TAGS, enabled=True), enabled=True)
    body, _ = made.from_notebook_node(notebook)
    return (f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1"><title>{title}</title><style>{HOUSE}</style></head>'
            f"<body>{body}</body></html>")


def _sample_notebook(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "khuyenhoc", "run", "--years", "2013", "--jobs", "1", "--out", str(folder / "out")], check=True)
    return folder / "out" / "2013" / "annual_summary.ipynb"


def _shoot(pages: dict[str, str], folder: Path) -> None:
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"], headless=True)
        page = browser.new_page(viewport={"width": 1100, "height": 1400})
        for name, html in pages.items():
            path = folder / f"{name}.html"
            path.write_text(html, encoding="utf-8")
            page.goto(path.as_uri())
            page.screenshot(path=str(folder / f"{name}.png"), full_page=False)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", nargs="?", type=Path)
    parser.add_argument("--shots", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = args.notebook or _sample_notebook(Path(scratch))
        notebook = nbformat.read(path, as_version=4)
    notebook.metadata["title"] = title = "Báo cáo"
    lab, _ = exporter("vi").from_notebook_node(notebook)
    ways = {"a-css.py": lambda: css.prune(lab), "b-tinycss2": lambda: prune_tinycss2(lab),
            "c-basic+house": lambda: basic_page(notebook, title)}
    pages = {}
    print(f"{'way':16} {'page B':>9} {'no images B':>12} {'CSS B':>8} {'ms':>6}")
    print(f"{'lab, unpruned':16} {len(lab.encode()):9} {len(IMAGES.sub('', lab).encode()):12} "
          f"{sum(len(s.encode()) for s in STYLES.findall(lab)):8} {'':>6}")
    for name, make in ways.items():
        make()  # once to warm caches (css.parse is cached per process, as in a run)
        started = time.perf_counter()
        page = make()
        took = (time.perf_counter() - started) * 1000
        pages[name] = page
        print(f"{name:16} {len(page.encode()):9} {len(IMAGES.sub('', page).encode()):12} "
              f"{sum(len(s.encode()) for s in STYLES.findall(page)):8} {took:6.0f}")
    if args.shots:
        _shoot(pages, args.shots)
        print(f"screenshots in {args.shots}")


if __name__ == "__main__":
    main()
