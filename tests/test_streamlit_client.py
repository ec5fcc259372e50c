"""The websocket client against real servers: what a rerun sends, widget changes by key, page
switches, the "clear cache" message and exception elements. (Same elements as Chromium:
tests/e2e/test_client_matches_chromium.py.)"""

from __future__ import annotations

import json

import pytest

from cbec import i18n
from support import browser
from support.apptest import deck_drawn
from support.streamlit_client import Nth, StreamlitClient, run_sync, user_key


@pytest.fixture(scope="module")
def dashboard_url():
    with browser.streamlit_server() as url:
        yield url


@pytest.fixture(scope="module")
def probe_url():
    with browser.streamlit_app("tests/apps/probe.py") as server:
        yield server.url


def metric(c: StreamlitClient, label: str) -> str:
    return next(m.body for m in c.elements("metric") if m.label == label)


def deck_points(c: StreamlitClient, layer: str = "zones") -> list[dict]:
    """What the zone layer draws (its points file, filtered as the GPU filters it)."""
    return deck_drawn(json.loads(c.elements("deck_gl_json_chart")[0].json), layer)


def test_user_key_is_read_from_the_widget_id():
    assert user_key("$$ID-0123abcd-w_batch") == "w_batch"
    assert user_key("$$ID-0123abcd-key-with-dashes") == "key-with-dashes"
    assert user_key("$$ID-0123abcd-None") is None


def test_a_shared_link_and_filter_changes_change_what_is_sent(dashboard_url):
    async def visit():
        async with StreamlitClient(dashboard_url) as c:
            first = await c.open("", "batch=1&batch=2&region=west")
            zones_first = int(metric(c, i18n.tr("en").text("m_zones")))
            points_first = {p["id"] for p in deck_points(c)}
            more = await c.set("w_batch", [Nth(i) for i in range(8)])
            zones_all = int(metric(c, i18n.tr("en").text("m_zones")))
            points_all = {p["id"] for p in deck_points(c)}
            picked = await c.trigger("map_probe", "pick", "xian")
            headings = [m.body for m in c.elements("markdown")]
            return first, zones_first, points_first, more, zones_all, points_all, picked, headings

    first, zones_first, points_first, more, zones_all, points_all, picked, headings = run_sync(
        visit()
    )
    assert first.ok and more.ok and picked.ok
    assert {"w_batch", "w_region", "w_q", "w_day", "map_probe"} <= set(first.widget_ids)
    assert first.widget_ids["w_batch"].endswith("-w_batch")
    assert first.elements["deck_gl_json_chart"] == 1 and first.elements["metric"] >= 4
    # the link's filters applied: batches 1-2 in the West only; all batches, both regions kept
    assert 0 < zones_first == len(points_first) < zones_all == len(points_all)
    assert points_first < points_all
    assert more.bytes > 1000 and more.bytes != first.bytes
    assert more.query_string == "batch=all&region=west"
    # a click on Xi'an: the details panel and the link follow the zone's id
    assert "zone=xian" in picked.query_string
    assert any("Xi'an**" in h.replace("\\", "") for h in headings)


def test_page_switches_and_the_nearest_zone_lookup(dashboard_url):
    async def visit():
        async with StreamlitClient(dashboard_url) as c:
            await c.open("", "")
            nearest = await c.switch_page("nearest_zone")
            city = await c.set("w_nz_city", "330100")  # a label: the format_func's, not the adcode
            k3 = await c.set("w_nz_k", 3)
            three = deck_points(c)
            return c.pages, nearest, k3, three, city

    with pytest.raises(ValueError, match="not an option of 'w_nz_city'"):
        run_sync(visit())

    async def visit_by_index():
        async with StreamlitClient(dashboard_url) as c:
            await c.open("", "q=xi")
            nearest = await c.switch_page("nearest_zone")
            await c.set("w_nz_city", Nth(30))
            k3 = await c.set("w_nz_k", 3)
            three = deck_points(c)
            back = await c.switch_page("")
            search = [t.value for t in c.elements("text_input") if t.id.endswith("-w_q")]
            return c.pages, nearest, k3, three, back, search

    pages, nearest, k3, three, back, search = run_sync(visit_by_index())
    assert {"", "nearest_zone"} <= set(pages)
    assert nearest.ok and k3.ok and back.ok
    assert nearest.page_script_hash == pages["nearest_zone"] != pages[""] == back.page_script_hash
    assert {"w_nz_mode", "w_nz_city", "w_nz_k"} <= set(nearest.widget_ids)
    assert "w_batch" not in nearest.widget_ids  # the map page's widgets went with it
    assert len(three) == 3 and "k=3" in k3.query_string
    assert "w_batch" in back.widget_ids and search == ["xi"]  # the map's view was kept


def test_an_exception_element_is_reported(probe_url):
    async def visit():
        async with StreamlitClient(probe_url) as c:
            fine = await c.open()
            failed = await c.click("fail")
            again = await c.rerun()  # a button is true for one run only
            return fine, failed, again

    fine, failed, again = run_sync(visit())
    assert fine.ok and fine.exceptions == []
    # client.showErrorDetails = "none" (.streamlit/config.toml): the element says an error
    # happened, never what it was or where (no message, no type, no stack trace, no path)
    assert len(failed.exceptions) == 1 and not failed.ok
    assert "probe failure" not in failed.exceptions[0] and "ValueError" not in failed.exceptions[0]
    assert "redacted" in failed.exceptions[0]
    assert failed.elements["exception"] == 1
    assert again.ok and again.elements["exception"] == 0


def test_widget_values_by_label_and_the_clear_cache_message(probe_url):
    async def visit():
        async with StreamlitClient(probe_url) as c:
            await c.open()
            cached = metric(c, "Cached at")
            await c.set("pick", ["c", Nth(1)])
            text = c.elements("markdown")[0].body
            await c.rerun()
            still = metric(c, "Cached at")
            await c.clear_cache()
            await c.rerun()
            return cached, text, still, metric(c, "Cached at")

    cached, text, still, cleared = run_sync(visit())
    assert text == "picked c,b"
    assert still == cached  # st.cache_data held
    assert cleared != cached  # any visitor can empty every cache of the server


def test_a_widget_in_a_fragment_reruns_only_the_fragment(probe_url):
    async def visit():
        async with StreamlitClient(probe_url) as c:
            full = await c.open()
            cached = metric(c, "Cached at")
            part = await c.set("k", 7)
            texts = [m.body for m in c.elements("markdown")]
            whole = await c.set("pick", ["b"])
            return full, cached, part, texts, whole, metric(c, "Cached at")

    full, cached, part, texts, whole, cached_after = run_sync(visit())
    assert full.ok and part.ok and whole.ok
    assert part.status == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"
    assert whole.status == "FINISHED_SUCCESSFULLY"
    assert texts == ["picked a", "k is 7"]  # the rest of the page stays as it was
    assert part.elements == full.elements  # nothing outside the fragment disappeared
    assert part.deltas < full.deltas
    assert cached_after == cached


def test_the_load_benchmarks_visit_still_fits_the_app(dashboard_url):
    """benchmarks/load.py's table of widget keys, pages and values (VISIT, FILTER_CHANGES)
    against the app as it is: when a key or a page changes, adapt the table."""
    from benchmarks import load

    async def visit():
        tally = load.Tally()
        await load.one_visit(dashboard_url, load.VISIT, tally, 30)
        bytes_run = await load.filter_changes(dashboard_url, 30)
        return tally, bytes_run

    tally, bytes_run = run_sync(visit())
    assert tally.errors == []
    assert bytes_run["new_view"]["median_bytes"] > 0
