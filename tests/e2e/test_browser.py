"""End-to-end in headless Chromium: what a person sees and does."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from PIL import Image

from cbec import filters, mapview
from cbec.data import load
from tests import browser

from .conftest import EXTERNAL_HOSTS  # noqa: F401 - documented list of ignored hosts


def open_page(page, url: str):
    page.goto(url)
    browser.wait_for_app(page)
    return page


def metric(page, label: str) -> str:
    box = page.locator("[data-testid=stMetric]", has_text=label).first
    return box.locator("[data-testid=stMetricValue]").inner_text().strip()


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def deck_canvas(page):
    canvas = page.locator("canvas#deckgl-overlay").first
    canvas.wait_for(state="visible", timeout=30000)
    page.wait_for_timeout(1000)  # the outlines arrive by a second request, then draw
    return canvas


def colour_counts(png: bytes, colours: dict[str, list[int]], tol: int = 12) -> dict[str, int]:
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return {
        name: int((np.abs(img - np.array(rgb[:3])).max(axis=2) <= tol).sum())
        for name, rgb in colours.items()
    }


def to_pixel(lat: float, lon: float, box: dict, view=mapview.CHINA_VIEW) -> tuple[float, float]:
    """Web Mercator: where (lat, lon) is drawn in the canvas at the initial view."""
    scale = 512 * 2**view.zoom
    merc = lambda la: math.log(math.tan(math.pi / 4 + math.radians(la) / 2))  # noqa: E731
    x = box["x"] + box["width"] / 2 + (lon - view.longitude) / 360 * scale
    y = box["y"] + box["height"] / 2 - (merc(lat) - merc(view.latitude)) / (2 * math.pi) * scale
    return x, y


def test_the_map_draws_outlines_and_each_batch_colour(page, server_url):
    open_page(page, server_url)
    canvas = deck_canvas(page)
    assert canvas.is_visible()
    png = canvas.screenshot()
    counts = colour_counts(
        png,
        {
            "batch 1": mapview.BATCH_COLORS[1],
            "batch 2": mapview.BATCH_COLORS[2],
            "batch 3": mapview.BATCH_COLORS[3],
            "land": mapview.LAND_COLOR,
            "outline": mapview.OUTLINE_COLOR,
        },
        tol=20,
    )
    # One black point (Hangzhou), 12 orange, 21 sky-blue: each ~100 px at 6 px radius.
    assert counts["batch 1"] >= 40, counts
    assert counts["batch 2"] >= 12 * 40, counts
    assert counts["batch 3"] >= 21 * 40, counts
    assert counts["land"] >= 50_000, counts  # the province fill: the outlines loaded
    assert counts["outline"] >= 2_000, counts
    assert counts["batch 2"] < counts["batch 3"]
    assert page.console_errors == []


def test_filters_change_metrics_table_and_url(page, server_url):
    open_page(page, server_url)
    assert metric(page, "Zones shown") == "34"
    page.get_by_role("button", name="All batches").click()
    browser.wait_for_app(page)
    assert metric(page, "Zones shown") == "178"
    assert query(page)["batch"] == [str(b) for b in range(1, 9)]
    page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").nth(1).click()
    page.get_by_role("option", name="West").click()
    page.keyboard.press("Escape")
    browser.wait_for_app(page)
    assert metric(page, "Zones shown") == "43"
    assert metric(page, "In priority regions") == "100.0%"
    assert query(page)["region"] == ["west"]
    assert page.console_errors == []


def test_a_shared_link_restores_the_view_in_chinese(page, server_url):
    open_page(page, f"{server_url}/?lang=zh&region=west&batch=all&zone=lhasa")
    assert metric(page, "显示的综试区") == "43"
    assert metric(page, "覆盖省份") == "12 / 31"
    sidebar = page.locator("[data-testid=stSidebar]").inner_text()
    assert "西部" in sidebar and "筛选" in sidebar
    assert page.get_by_text("拉萨市 · Lhasa").first.is_visible()
    assert query(page)["lang"] == ["zh"]
    assert page.console_errors == []


def test_clicking_a_point_opens_its_details(page, server_url):
    """Clicked on the canvas, at the pixel computed from Xi'an's coordinates and the view."""
    open_page(page, server_url)
    box = deck_canvas(page).bounding_box()
    x, y = to_pixel(34.343, 108.935, box)
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)
    browser.wait_for_app(page)
    assert query(page)["zone"] == ["xian"]
    assert page.get_by_text("西安市 · Xi'an").first.is_visible()
    details = page.locator("[data-testid=stMarkdownContainer]", has_text="Baoji").first.inner_text()
    assert "Baoji" in details and "km" in details


def test_tooltip_shows_names_as_text(page, server_url):
    open_page(page, server_url)
    box = deck_canvas(page).bounding_box()
    page.mouse.move(*to_pixel(34.343, 108.935, box))
    tip = page.locator(".deck-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    assert "Xi'an" in tip.inner_text() and "西安市" in tip.inner_text()
    assert tip.locator("img, script").count() == 0


@pytest.mark.parametrize(
    ("nav", "heading"),
    [
        ("Map", "Zones in view"),
        ("Regional priorities", "How the programme spread"),
        ("Nearest zone", "Which pilot zone is nearest?"),
        ("Data and sources", "Data and sources"),
    ],
)
def test_every_page_loads_without_errors(page, server_url, nav, heading):
    open_page(page, server_url)
    page.locator("[data-testid=stSidebarNav]").get_by_text(nav, exact=True).click()
    browser.wait_for_app(page)
    assert page.get_by_role("heading", name=heading).first.is_visible()
    assert page.locator("[data-testid=stException], [data-testid=stAlertContentError]").count() == 0
    assert page.console_errors == []


def test_csv_download_has_the_rows_of_the_table(page, server_url):
    open_page(page, f"{server_url}/?region=northeast&batch=all")
    shown = int(metric(page, "Zones shown"))
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    today = dt.date.today()
    view = filters.apply(
        load().zones, filters.Filters(batches=tuple(range(1, 9)), regions=("Northeast",)), today
    )
    assert len(rows) == shown == len(view)
    assert [r["zone_id"] for r in rows] == view["zone_id"].tolist()
    assert {r["region_en"] for r in rows} == {"Northeast"}


def test_markup_in_a_zone_name_reaches_the_tooltip_as_text(chromium, tmp_path):
    """Streamlit >= 1.60 escapes tooltip values: a name that is HTML shows as its text."""
    import shutil

    import pandas as pd

    from cbec import data

    copy = tmp_path / "data"
    shutil.copytree(data.DATA, copy)
    zones = pd.read_csv(copy / "zones.csv", dtype=str, keep_default_na=False)
    name = '<img src=x onerror="document.title=1">'
    zones.loc[zones["zone_id"] == "xian", "name_en"] = name
    zones.to_csv(copy / "zones.csv", index=False)
    with browser.streamlit_server(env={"CBEC_DATA_DIR": str(copy)}) as url:
        page = chromium.new_page(viewport={"width": 1400, "height": 1000})
        open_page(page, url)
        box = deck_canvas(page).bounding_box()
        page.mouse.move(*to_pixel(34.343, 108.935, box))
        tip = page.locator(".deck-tooltip")
        tip.wait_for(state="visible", timeout=5000)
        assert name in tip.inner_text()  # shown as text ...
        assert tip.locator("img").count() == 0  # ... not as an element
        assert page.title() != "1"  # and nothing ran
        page.close()


def test_a_filter_change_keeps_the_users_zoom(page, server_url):
    open_page(page, server_url)
    canvas = deck_canvas(page)
    land = {"land": mapview.LAND_COLOR}
    box = canvas.bounding_box()
    share = lambda png: colour_counts(png, land, tol=6)["land"] / (box["width"] * box["height"])  # noqa: E731
    before = share(canvas.screenshot())
    page.mouse.move(box["x"] + box["width"] * 0.62, box["y"] + box["height"] * 0.55)
    for _ in range(4):
        page.mouse.wheel(0, -250)
        page.wait_for_timeout(150)
    page.wait_for_timeout(1200)
    zoomed = share(canvas.screenshot())
    page.get_by_role("button", name="All batches").click()
    browser.wait_for_app(page)
    after = share(deck_canvas(page).screenshot())
    assert before < 0.5 < zoomed  # zoomed in, the land fills the canvas
    assert after == pytest.approx(zoomed, abs=0.08)  # and it still does after the rerun
    assert metric(page, "Zones shown") == "178"
