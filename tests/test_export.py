"""Reports carry only the CSS they use (issue 10, step 4), made by one exporter per process."""

from __future__ import annotations

import base64
import re

import nbformat
import pandas as pd

from khuyenhoc.render import display
from khuyenhoc.runner import css
from khuyenhoc.runner.export import exporter, to_html

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 64).decode()


def test_rules_that_cannot_match_go_and_the_variables_they_used_with_them():
    sheet = """
    :root { --used: red; --chained: var(--base); --base: 1px; --unused: blue; --icon: url("data:image/svg+xml;utf8,<svg>;</svg>"); }
    .kept p { color: var(--used); border-width: var(--chained); }
    .absent { color: var(--unused); background: var(--icon); }
    :not(.absent).kept td { text-align: right; }
    .kept span { color: green; }
    @media print { .kept { color: black; } .absent { color: white; } }
    @media screen { .absent { color: white; } }
    @keyframes spin { from { opacity: 0; } }
    @keyframes pulse { from { opacity: 0; } }
    .kept h1 { animation: pulse 1s; }
    """
    page = f'<html><head><style>{sheet}</style></head><body><div class="kept"><p>x</p><h1>t</h1><table><tr><td>1</td></tr></table></div></body></html>'
    pruned = re.search(r"<style>(.*)</style>", css.prune(page), re.S).group(1)
    assert ".kept p" in pruned and ":not(.absent).kept td" in pruned, "classes inside :not() are not required"
    assert ".absent" not in pruned.replace(":not(.absent)", "") and "span" not in pruned, "no class absent, no tag absent"
    assert "--used" in pruned and "--chained" in pruned and "--base" in pruned, "variables used, directly or through another"
    assert "--unused" not in pruned and "--icon" not in pruned and "svg" not in pruned
    assert "@media print" in pruned and "color: black" in pruned and "@media screen" not in pruned
    assert "@keyframes pulse" in pruned and "@keyframes spin" not in pruned


def _report_notebook() -> nbformat.NotebookNode:
    """An executed notebook as the runner gets it: headings, a banner, a table and a chart from khuyenhoc.render.display."""
    shown = []
    display.display = lambda *objects, **_: shown.extend(objects)
    try:
        display.heading("Hồ sơ Đức Xuân", 1)
        display.banner("Số liệu minh hoạ")
        display.table(pd.DataFrame({"Chỉ tiêu": ["Số hội viên"], "Giá trị": ["1.680"]}))
    finally:
        from IPython.display import display as ipython_display

        display.display = ipython_display
    outputs = [nbformat.v4.new_output("display_data", data={"text/html": item.data}) for item in shown]
    outputs.append(nbformat.v4.new_output("display_data", data={"image/png": PNG}))
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("show()", outputs=outputs)])


def test_a_report_is_small_self_contained_and_styled():
    page = to_html(_report_notebook(), "Hồ sơ Đức Xuân", "vi")
    without_images = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)
    assert len(without_images.encode()) < 60_000, len(without_images.encode())
    assert ".jp-RenderedHTMLCommon table" in page and ".kh-table" in page and "--jp-content-font-family" in page
    assert ".jp-InputArea" not in page and "--jp-icon-" not in page, "JupyterLab's CSS for what a report does not have is left out"
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//""", page), "nothing from the network"
    assert "Hồ sơ Đức Xuân" in page and PNG in page
    assert exporter("vi") is exporter("vi"), "one exporter per process and language"


def test_css_split_ignores_what_strings_and_brackets_hold():
    sheet = 'a{b:url("x;y")} @import "q;r"; c{d:e(f;g)} e{content:"}\\";"}'
    assert css._blocks(sheet) == [("a", 'b:url("x;y")'), ('@import "q;r"', ""), ("c", "d:e(f;g)"), ("e", 'content:"}\\";"')]
    assert css._declarations('color: red; background: url("data:image/png;base64,AA"); --x: f(a;b)') == (
        "color: red", ' background: url("data:image/png;base64,AA")', " --x: f(a;b)")


def test_a_pseudo_class_argument_is_not_read_as_a_tag():
    """``tr:nth-child(odd)`` needs a ``tr``, not an element called ``odd`` (JupyterLab's striped table rows were lost)."""
    sheet = ".t tbody tr:nth-child(odd) { background: grey; } .t tr:nth-of-type(2n+1) { color: red; } .t tr:lang(vi) { x: y; }"
    page = f'<html><head><style>{sheet}</style></head><body><table class="t"><tbody><tr><td>1</td></tr></tbody></table></body></html>'
    pruned = css.prune(page)
    assert "tr:nth-child(odd)" in pruned and "tr:nth-of-type(2n+1)" in pruned and "tr:lang(vi)" in pruned
