"""The shared reports in a real browser (issue 5): headless Chromium, offline, from file://.

Opens index.html of a batch run, follows its links to the yearly report and to a unit profile,
and checks that Vietnamese text renders, every image loads, nothing is requested from the
network, nothing logs an error, and unit names that look like HTML show as text and run nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browsers import MARKS, launched

from khuyenhoc.runner import RunOptions, run_batch
from khuyenhoc.sample import bac_kan_sample, to_csv_text

pytestmark = MARKS
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
ANNUAL_LINK = "Tổng kết công tác khuyến học năm 2013 — Hội Khuyến học thị xã Bắc Kạn"  # the town association is the single root
MEMBERS = "Số hội viên"
LOCAL = ("file:", "data:")  # data: URLs are the embedded images, not the network


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    """A batch run (2013, unit profiles) on the sample with two communes named like HTML."""
    base = tmp_path_factory.mktemp("browser")
    frame = bac_kan_sample()
    frame.loc[frame["unit_id"] == "nong-thuong", "unit_name"] = SCRIPT
    frame.loc[frame["unit_id"] == "xuat-hoa", "unit_name"] = IMG
    data = base / "data.csv"
    data.write_text(to_csv_text(frame), encoding="utf-8")
    out = base / "reports"
    outcome = run_batch(RunOptions(data=data, out_dir=out, years=[2013], units=True, jobs=2))
    assert outcome.exit_code == 0, [e.error for e in outcome.failed]
    return out


@pytest.fixture(scope="module")
def browser():
    with launched(sync_api) as chromium:
        yield chromium


class Visit:
    """An offline page that records every network request, console error, page error and dialog."""

    def __init__(self, browser, shots: Path, width: int = 1280) -> None:
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.dialogs: list[str] = []
        self.shots = shots
        self.context = browser.new_context(java_script_enabled=True, viewport={"width": width, "height": 844})
        self.context.set_offline(True)
        self.context.route("**/*", self._route)
        self.context.on("request", self._request)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        self.page.on("dialog", self._dialog)

    def _request(self, request) -> None:
        if not request.url.startswith(LOCAL):
            self.requests.append(request.url)

    def _route(self, route) -> None:
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            route.abort()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")  # an alert() here means the data ran as code
        dialog.dismiss()

    def follow(self, link) -> None:
        """Click a link the way a reader does and wait for the page it opens."""
        with self.page.expect_navigation(wait_until="load"):
            link.click()

    def images(self) -> list[dict]:
        return self.page.evaluate(
            "() => Array.from(document.images).map(i => ({src: i.src.slice(0, 40), complete: i.complete, width: i.naturalWidth}))")

    def assert_images_loaded(self, at_least: int) -> None:
        images = self.images()
        assert len(images) >= at_least, images
        broken = [i for i in images if not i["complete"] or i["width"] <= 0]
        assert not broken, f"images that did not load on {self.page.url}: {broken}"

    def assert_nothing_ran(self) -> None:
        """No element built from the data: no img[src=x], no script mentioning alert."""
        injected = self.page.evaluate(
            "() => document.querySelectorAll('img[src=\"x\"], img[onerror]').length"
            " + Array.from(document.scripts).filter(s => s.text.includes('alert')).length")
        assert injected == 0, f"{self.page.url}: elements made from the data"

    def assert_clean(self) -> None:
        assert self.dialogs == [], f"a dialog opened (XSS executed): {self.dialogs}"
        assert self.requests == [], f"network requests: {self.requests}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"
        assert self.page_errors == [], f"page errors: {self.page_errors}"

    def screenshot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0
        print(f"screenshot: {path}")
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, reports, tmp_path):
    visit = Visit(browser, tmp_path)
    visit.page.goto((reports / "index.html").as_uri(), wait_until="load")
    yield visit
    visit.close()


def open_sections(page) -> None:
    """Open the index's collapsed sections (areas, unit profiles) the way a reader would: by clicking them."""
    for summary in page.locator("details:not([open]) > summary").all():
        summary.click()


def test_index_shows_hostile_names_as_text(visit):
    page = visit.page
    assert page.title() == "Kết quả phân tích khuyến học"
    open_sections(page)
    body = page.inner_text("body")
    assert SCRIPT in body and IMG in body, "the unit names show literally, as text"
    sync_api.expect(page.get_by_role("link", name=ANNUAL_LINK)).to_be_visible()
    visit.assert_images_loaded(0)
    visit.assert_nothing_ran()
    visit.screenshot("index")
    visit.assert_clean()


def test_yearly_report_from_the_index(visit):
    page = visit.page
    visit.follow(page.get_by_role("link", name=ANNUAL_LINK))
    assert page.url.endswith("/2013/annual_summary.html"), page.url
    assert page.title() == ANNUAL_LINK
    sync_api.expect(page.get_by_text(MEMBERS, exact=True).first).to_be_visible()
    body = page.inner_text("body")
    assert "9.123" in body, "Vietnamese number formatting renders"
    assert SCRIPT in body and IMG in body, "hostile names in the ranking and findings show as text"
    visit.assert_images_loaded(4)  # the four charts, embedded
    visit.assert_nothing_ran()
    visit.screenshot("annual_summary_2013")
    visit.assert_clean()


def test_unit_profile_from_the_index(visit):
    page = visit.page
    open_sections(page)
    visit.follow(page.locator("ul.profiles").get_by_role("link", name=SCRIPT, exact=True))  # named by the unit alone
    assert page.url.endswith("/2013/units/nong-thuong.html"), page.url
    assert page.title() == f"Hồ sơ Hội Khuyến học {SCRIPT}, năm 2013"
    sync_api.expect(page.get_by_text(MEMBERS, exact=True).first).to_be_visible()
    heading = page.locator("h1").first.inner_text()
    assert SCRIPT in heading, heading
    visit.assert_images_loaded(2)  # its trend and its place among the communes
    visit.assert_nothing_ran()
    visit.screenshot("unit_profile_nong-thuong")
    visit.assert_clean()


CHART = "details.kh-zoom"
ZOOMED = """() => { const s = document.querySelector('details.kh-zoom[open] > summary'); if (!s) return null;
  const box = s.getBoundingClientRect(), img = s.querySelector('img').getBoundingClientRect();
  return {open: document.querySelectorAll('details.kh-zoom[open]').length, left: box.left, top: box.top, width: box.width,
          height: box.height, image: img.width, natural: s.querySelector('img').naturalWidth, viewport: window.innerWidth}; }"""


@pytest.mark.parametrize("width", [1280, 390])
def test_a_chart_opens_full_size_when_clicked_and_closes_again(browser, reports, tmp_path, width):
    """Issue 18 item 5: on a desktop and on a 390 px phone, tapping a chart shows it over the whole window, at least
    at its full size (a phone pans it), with no script; tapping again closes it."""
    visit = Visit(browser, tmp_path, width)
    try:
        page = visit.page
        visit.page.goto((reports / "2013" / "annual_summary.html").as_uri(), wait_until="load")
        charts = page.locator(f"{CHART} > summary")
        assert charts.count() >= 4 and page.locator("script").count() == 0  # the four charts, no script
        chart = charts.nth(1)
        chart.scroll_into_view_if_needed()
        small = chart.locator("img").bounding_box()
        assert small["width"] <= width
        visit.screenshot(f"chart_{width}")
        chart.click()
        zoomed = page.evaluate(ZOOMED)
        assert zoomed and zoomed["open"] == 1, zoomed
        assert zoomed["left"] == 0 and zoomed["top"] == 0 and zoomed["width"] == zoomed["viewport"], zoomed  # the whole window
        assert zoomed["image"] >= zoomed["natural"] and zoomed["image"] > small["width"], zoomed  # full size, larger than inline
        if width < zoomed["natural"]:
            assert page.evaluate("() => { const s = document.querySelector('details.kh-zoom[open] > summary');"
                                 " s.scrollLeft = 100; return s.scrollLeft; }") > 0  # a phone pans the full-size chart
        visit.screenshot(f"chart_{width}_open")
        page.mouse.click(width // 2, 30)
        assert page.locator(f"{CHART}[open]").count() == 0
        visit.assert_clean()
    finally:
        visit.close()


def test_text_columns_read_left_and_a_row_number_leaves_the_labels_their_width(browser):
    """A per-unit table (TT, Đơn vị, figures) on a phone: names left-aligned and wide enough to read, figures right;
    a table whose second column is text ("Hình thành từ") reads it left too."""
    import pandas as pd

    from khuyenhoc.render import display as show

    frame = pd.DataFrame({"TT": ["1", "2", ""], "Đơn vị": ["Xã Giả Lập 000003", "Phường Đức Xuân", "Cộng"],
                          "Chi hội năm 2024": ["31", "27", "58"], "Chi hội năm 2025": ["32", "—", "32"]})
    merged = pd.DataFrame({"Đơn vị mới": ["Xã Hợp Nhất"], "Hình thành từ": ["xã A (40%), xã B"]})
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_content(show.STYLE + show._table_html(frame) + show._table_html(merged))
    align = page.evaluate("() => [...document.querySelectorAll('table')].map(t => [...t.querySelectorAll('tbody tr:first-child td')]"
                          ".map(td => [getComputedStyle(td).textAlign, td.getBoundingClientRect().width]))")
    page.close()
    (number, name, *figures), (new, formed) = align
    assert name[0] == "left" and [f[0] for f in figures] == ["right", "right"], align
    assert name[1] > 3 * number[1], f"the names keep the labels' width, the row number does not: {align}"
    assert new[0] == "left" and formed[0] == "left", align
