"""Views reached by clicking are the views their links open.

Each test makes a sequence of changes in one tab, as a visitor does (clear and pick batches,
a region, a date, the colour mode, a zone by name or on the map, Back), then opens the URL the
page then shows in a fresh tab and compares: the page's words (headline, cards, legend, chips,
table size) must be equal, and the map's pixels must hold the same colours in the same amounts.
Everything waits on conditions (the script idle, the canvas unchanged between two frames), not
on fixed times, so a busy machine makes them slower, not red.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time

import numpy as np
import pytest
from PIL import Image

from cbec import colors, data, paths
from support import browser

from .test_browser import to_pixel

DS = data.dataset()
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def settle(page, timeout: float = 60.0) -> None:
    """Until the app is idle and the map's pixels stop changing (every file it fetches has
    arrived and been drawn)."""
    browser.wait_for_app(page, timeout_ms=int(timeout * 1000))
    canvas = page.locator("canvas#deckgl-overlay").first
    canvas.wait_for(state="visible", timeout=timeout * 1000)
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        shot = canvas.screenshot()
        if shot == last and _land(shot) > 1000:
            page.wait_for_selector(IDLE, timeout=timeout * 1000)
            return
        last = shot
        page.wait_for_timeout(400)
    raise AssertionError("the map kept changing")


def _img(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _land(png: bytes) -> int:
    img = _img(png)
    return int((np.abs(img - np.array(colors.LAND)).max(axis=2) <= 6).sum())


# The colours whose amounts say what the map shows: the story's two, each batch's, the grey of
# zones outside the filters, the selection ring, land, tinted land, sea.
PALETTE = {
    "new": colors.NEW,
    "earlier": colors.EARLIER,
    **{f"batch{b}": c for b, c in colors.BATCH.items()},
    "grey": colors.CONTEXT,
    "ring": colors.SELECTED,
    "land": colors.LAND,
    "priority": colors.PRIORITY_LAND,
    "sea": colors.SEA,
}


def colour_counts(page) -> dict[str, int]:
    canvas = page.locator("canvas#deckgl-overlay").first
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 4, box["y"] + 4)  # over the sea: no zone highlighted by hover
    page.add_style_tag(content=".deck-tooltip { visibility: hidden !important; }")
    img = _img(browser.still(canvas))
    return {k: int((np.abs(img - np.array(c)).max(axis=2) <= 10).sum()) for k, c in PALETTE.items()}


def words(page) -> dict[str, object]:
    """What the page says about the view: headline, cards, legend, chips, table rows."""
    main = page.locator("[data-testid=stMain]")
    headline = main.locator("h4").first.inner_text().strip()
    cards = sorted(m.inner_text().strip() for m in main.locator("[data-testid=stMetric]").all())
    legend = main.locator("[role=list]").first.inner_text().strip()
    chips = sorted(b.inner_text().strip() for b in page.locator(".st-key-cbec-chips button").all())
    rows = page.locator(".st-key-cbec-table [data-testid=stDataFrame]").first.get_attribute(
        "aria-rowcount"
    )
    return {"headline": headline, "cards": cards, "legend": legend, "chips": chips, "rows": rows}


def same_as_fresh(page, context) -> None:
    """The tab's view equals the same URL opened in a fresh tab: words exactly, colours within
    a few pixels of anti-aliasing."""
    settle(page)
    url = page.url
    clicked_words, clicked_colours = words(page), colour_counts(page)
    fresh = context.new_page()
    try:
        fresh.goto(url)
        settle(fresh)
        assert words(fresh) == clicked_words, url
        fresh_colours = colour_counts(fresh)
        try:
            for name, n in fresh_colours.items():
                m = clicked_colours[name]
                assert abs(m - n) <= max(40, 0.03 * max(m, n)), (url, name, m, n)
            for name in ("new", "earlier", "grey", "ring", *(f"batch{b}" for b in colors.BATCH)):
                assert (clicked_colours[name] > 30) == (fresh_colours[name] > 30), (url, name)
        except AssertionError:  # keep both maps for whoever reads the failure
            out = browser.screenshot_dir("tests/e2e/artifacts")
            stem = re.sub(r"\W+", "_", url.split("?", 1)[-1])[:60]
            page.locator("canvas#deckgl-overlay").first.screenshot(path=out / f"{stem}_clicked.png")
            fresh.locator("canvas#deckgl-overlay").first.screenshot(path=out / f"{stem}_fresh.png")
            raise
    finally:
        fresh.close()


@pytest.fixture
def tab(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page, context
    context.close()


def _open(page, url: str) -> None:
    page.goto(url)
    settle(page)


def _sidebar_select(page, label: str):
    return page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").filter(
        has=page.get_by_text(label, exact=True)
    )


def _pick_option(page, box, option: str) -> None:
    box.locator("input").first.click()
    page.get_by_role("option", name=option).first.click()
    page.keyboard.press("Escape")
    browser.wait_for_app(page)


def _set_day(page, day: dt.date) -> None:
    """Type a day into the "…or any day" box (year, month and day fields), as a visitor does."""
    box = page.locator("[data-testid=stSidebar] [data-testid=stDateInput]").first
    year = box.get_by_role("spinbutton").first
    year.click()
    page.keyboard.type(day.strftime("%Y%m%d"))
    page.locator("[data-testid=stSidebar] h2").first.click()  # leave the field: it commits
    browser.wait_for_app(page)


def test_clear_the_batches_then_pick_batch_4(tab, server_url):
    """The newest batch's colour after clearing and picking in the same tab (the points kept
    the "earlier" colour while the legend said "New in December 2019")."""
    page, context = tab
    _open(page, server_url)
    _sidebar_select(page, "Batch").get_by_role("button", name="Clear all").first.click()
    browser.wait_for_app(page)
    _pick_option(page, _sidebar_select(page, "Batch"), "Batch 4 · 2019 · 24")
    assert re.search(r"[?&]batch=4(&|$)", page.url)
    same_as_fresh(page, context)
    assert colour_counts(page)["new"] > 24 * 40 and colour_counts(page)["earlier"] < 30


def test_region_then_an_early_date_then_by_batch(tab, server_url):
    page, context = tab
    _open(page, server_url)
    _pick_option(page, _sidebar_select(page, "Region"), "West")
    _set_day(page, dt.date(2016, 1, 12))
    same_as_fresh(page, context)
    assert "nan" not in words(page)["headline"]
    page.locator("[data-testid=stSidebar]").get_by_role("radio", name="By batch").click()
    browser.wait_for_app(page)
    same_as_fresh(page, context)


def test_a_zone_picked_by_name_is_ringed(tab, server_url):
    page, context = tab
    _open(page, server_url)
    picker = page.locator("[data-testid=stSelectbox]").filter(has_text="Zone details")
    picker.locator("input").first.click()
    page.keyboard.type("Yiwu")
    page.get_by_role("option", name=re.compile("^Yiwu")).first.click()
    browser.wait_for_app(page)
    assert "zone=yiwu" in page.url
    same_as_fresh(page, context)
    assert colour_counts(page)["ring"] > 100


def test_a_click_on_the_map_selects_without_washing_it_out(tab, server_url):
    page, context = tab
    _open(page, server_url)
    before = colour_counts(page)
    canvas = page.locator("canvas#deckgl-overlay").first
    z = DS.zone("xian")
    x, y = to_pixel(page, z["lat"], z["lon"], canvas.bounding_box())
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    browser.wait_for_app(page)
    assert "zone=xian" in page.url
    same_as_fresh(page, context)
    after = colour_counts(page)
    for name in ("land", "priority", "sea"):  # a selection fades nothing
        assert after[name] >= 0.9 * before[name], (name, before[name], after[name])


def test_a_chip_removes_its_filter_and_back_restores_it(tab, server_url):
    page, context = tab
    _open(page, f"{server_url}/?region=west&color=batch")
    page.locator(".st-key-cbec-chips").get_by_role("button", name=re.compile("West")).click()
    browser.wait_for_app(page)
    assert "region=" not in page.url and "color=batch" in page.url
    same_as_fresh(page, context)
    page.go_back()
    settle(page)
    assert "region=west" in page.url
    same_as_fresh(page, context)


def test_a_tap_on_a_phone_selects_the_zone(chromium, server_url):
    context = chromium.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        user_agent="Mozilla/5.0 (Linux; Android 14) Mobile",
    )
    page = context.new_page()
    try:
        _open(page, server_url)
        canvas = page.locator("canvas#deckgl-overlay").first
        canvas.scroll_into_view_if_needed()
        z = DS.zone("xian")
        x, y = to_pixel(page, z["lat"], z["lon"], canvas.bounding_box())
        page.touchscreen.tap(x, y)
        page.wait_for_function("() => location.search.includes('zone=xian')", timeout=30000)
        settle(page)
        assert colour_counts(page)["ring"] > 30
    finally:
        context.close()


SIZES = {"desktop": {"width": 1400, "height": 1000}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
def test_the_points_once_drawn_stay_drawn(chromium, server_url, size):
    """A new visitor's map never loses its points: every frame Chromium showed from the first
    with the points until the whole page had come is checked (the first run's light deck is
    replaced by the full one; if the full deck's points still had to load, they vanished)."""
    context = chromium.new_context(viewport=size, has_touch=size["width"] < 600)
    try:
        page = context.new_page()
        cast = browser.Screencast(context, page)
        cast.start()
        page.goto(server_url + "/")
        settle(page)
        cast.stop()
        seen, gaps = browser.points_seen(cast.frames)
        assert seen is not None, f"no frame of {len(cast.frames)} showed the points"
        assert gaps == [], f"the points vanished {len(gaps)} times, for {sum(gaps):.2f} s"
    finally:
        context.close()


def test_a_map_fitted_to_a_guessed_width_is_never_shown(chromium, server_url):
    """The first map is fitted to a width guessed from the browser's kind (680 px for a
    browser that does not say it is a phone) and drawn anew when the column reports its own
    (340 px here). The report is held back here until the first map's canvas exists, as a
    busy phone's came (2 visits in 6 under load): that map, cut at the wrong width, must not
    be shown, and the points, once shown, must stay (the new map's start blanked them)."""
    context = chromium.new_context(viewport=SIZES["phone"], has_touch=True)
    relay = {"held": [], "open": False, "first": True}

    def route(ws):
        server = ws.connect_to_server()
        server.on_message(ws.send)
        relay["server"] = server

        def from_page(message):
            if relay["first"] or relay["open"]:  # the first message asks for the first run
                relay["first"] = False
                server.send(message)
            else:
                relay["held"].append(message)

        ws.on_message(from_page)

    try:
        page = context.new_page()
        page.route_web_socket(re.compile(r".*/_stcore/stream$"), route)
        cast = browser.Screencast(context, page)
        cast.start()
        page.goto(server_url + "/")
        page.wait_for_selector("canvas#deckgl-overlay", state="attached", timeout=60000)
        legend = page.locator("[role=list][data-width]")
        legend.wait_for(state="attached", timeout=60000)
        page.wait_for_function(  # the first map has its outlines: it draws, out of sight
            "(f) => performance.getEntriesByType('resource')"
            ".some((e) => e.name.endsWith(f) && e.responseEnd > 0)",
            arg=paths.PROVINCE_OUTLINES_URL.rsplit("/", 1)[-1],
            timeout=60000,
        )
        assert relay["held"], "the page sent no width report to hold back"
        assert legend.get_attribute("data-width") == "680"
        block = page.locator("[class*='st-key-cbec-deck-']").first
        assert block.evaluate("b => getComputedStyle(b).visibility") == "hidden"
        relay["open"] = True
        for message in relay["held"]:
            relay["server"].send(message)
        settle(page)
        cast.stop()
        assert legend.get_attribute("data-width") == "340"
        seen, gaps = browser.points_seen(cast.frames)
        assert seen is not None, f"no frame of {len(cast.frames)} showed the points"
        assert gaps == [], f"the points vanished {len(gaps)} times, for {sum(gaps):.2f} s"
    finally:
        context.close()
