"""Hostile links, forged input, anonymous clients: no traceback, no injected content, every dropped
value named once, no outbound call unless switched on, and a fuzzer across every page."""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import itertools
import multiprocessing
import random
import re
import threading
import time
import tomllib
from collections import Counter

import pytest

from cbec import data, i18n, paths, places, urlstate
from support.apptest import notices, open_app, text
from support.nominatim_server import FakeNominatim

PAGES = [None if p == urlstate.MAP else p for p in urlstate.PAGES]  # None: the default page
# Each page's own heading, in either language (the map page has none of them).
TITLES_OF = {
    page: {i18n.tr(lang).text(key) for lang in i18n.LANGS} if key else set()
    for page, key in zip(PAGES, [None, "rp_title", "nz_title", "ds_title"], strict=True)
}
TITLES = set().union(*TITLES_OF.values())
PAYLOADS = [
    "[Your session expired, sign in](https://evil.example/login)",
    "![t](http://198.51.100.9/t.png)",
    "![](//x.invalid/a)",
    '<img src=x onerror="document.title=1">',
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "www.evil.example",
    ":red[pwned] :material/warning:",
    "$\\href{http://x.invalid}{x}$",
]


def markdown_sources(at) -> list[str]:
    """Every piece of Markdown the page renders: text, captions, alerts (the notice too),
    labels."""
    out = [m.value for m in (*at.markdown, *at.caption, *at.info, *at.warning, *at.error)]
    out += [w.label for w in (*at.button, *at.selectbox, *at.text_input, *at.multiselect)]
    return out


def smuggled(source: str) -> list[str]:
    """Link, image, HTML or autolink syntax that is not escaped."""
    patterns = [
        r"(?<!\\)\]\((?!https?://[^)]*(gov|www\.|english|en\.|desk33|0798ci|shuiwu))",
        r"(?<!\\)!\[",
        r"(?<!\\)<(img|script|a )",
        r"(?<!\\)javascript(?<!\\):",
        r"(?<![\\/])www(?<!\\)\.evil",
        r"(?<!\\):red\[",
        r"(?<!\\)\$\\href",
    ]
    return [p for p in patterns if re.search(p, source)]


# --- 1. numbers are ASCII ------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("digit", ["%C2%B2", "①", "٣", "３"])
def test_unicode_digits_never_crash_a_page(page, digit):
    value = "²" if digit == "%C2%B2" else digit
    at = open_app(
        {"k": value, "batch": value, "city": value * 6, "date": f"2020-0{value}-01"}, page
    )
    assert not at.exception and not at.error
    assert len(notices(at)) == 1 and f"k={value}" in notices(at)[0].replace("\\", "")


# --- 2. text from the URL is text ----------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_link_or_image_is_smuggled_into_any_page(payload):
    query = {
        "place": payload[:60],
        "q": payload[:40],
        "k": payload,
        "zone": payload,
        "batch": payload,
        "city": payload,
    }
    for page in PAGES:
        at = open_app(query, page)
        assert not at.exception
        for source in markdown_sources(at):
            assert smuggled(source) == [], (page, source)


def test_the_place_echo_and_the_notice_are_escaped():
    at = open_app({"place": PAYLOADS[0], "k": PAYLOADS[2]}, "nearest_zone")
    echo = next(i.value for i in at.info if i.value not in notices(at))
    assert "\\[Your session expired, sign in\\]\\(https\u200b\\:" in echo
    assert "\\!\\[\\]\\(//x\\.invalid/a\\)" in notices(at)[0]


def test_the_data_page_writes_data_values_as_text(data_copy, monkeypatch):
    from .conftest import read, write

    coords = read(data_copy / "coordinates.csv")
    coords.loc[0, "geocoder"] = "[click](https://evil.example) ![x](http://198.51.100.9/p.png)"
    write(coords, data_copy / "coordinates.csv")
    monkeypatch.setenv("CBEC_DATA_DIR", str(data_copy))
    at = open_app(page="data_and_sources")
    for source in markdown_sources(at):
        assert smuggled(source) == [], source


# --- 3. no traceback for visitors ---------------------------------------------------------------


def test_visitors_never_see_error_details():
    with open(paths.ROOT / ".streamlit" / "config.toml", "rb") as fh:
        config = tomllib.load(fh)
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["toolbarMode"] == "viewer"


def test_a_bug_shows_one_plain_sentence_not_a_traceback(monkeypatch):
    from cbec import summary

    def broken(*args, **kwargs):
        raise RuntimeError("secret /srv/app/internal path")

    monkeypatch.setattr(summary, "composition", broken)
    at = open_app({"batch": "4"})
    assert not at.exception
    assert len(at.error) >= 1 and at.error[0].value.startswith("Something went wrong")
    assert "secret" not in text(at) and "Traceback" not in text(at)


@pytest.fixture
def cloud_settings():
    """What Streamlit Community Cloud forces whatever config.toml says:
    client.showErrorDetails = false, which Streamlit 1.67 reads as "stacktrace"."""
    from streamlit import config

    before = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", False)
    assert config.get_option("client.showErrorDetails") in (False, "stacktrace")
    yield
    config.set_option("client.showErrorDetails", before)


def test_under_the_clouds_forced_settings_a_bug_at_a_runs_end_shows_no_traceback(
    cloud_settings, monkeypatch
):
    """The end of a run (dashboard.py's `finally`) was outside every guard: a bug there was
    Streamlit's exception element, with a stack trace on Community Cloud."""
    from cbec.ui import shared

    def broken(*args, **kwargs):
        raise RuntimeError("secret /srv/app/internal path")

    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr(shared, "end", broken)
    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.stack_trace for e in at.exception]
    assert any(e.value.startswith("Something went wrong") for e in at.error)
    assert "secret" not in text(at)


def test_under_the_clouds_forced_settings_a_bug_in_a_callback_shows_no_traceback(
    cloud_settings, monkeypatch
):
    """Streamlit runs a widget's callback before the script, outside the page's guards:
    every callback is wrapped (shared.guarded). Here the zoom buttons' callback fails."""
    from cbec.ui import map as map_ui

    def broken(*args, **kwargs):
        raise RuntimeError("secret /srv/app/internal path")

    at = open_app()
    monkeypatch.setattr(map_ui, "min", broken, raising=False)  # what _zoom calls
    at.button(key="zoom_in").click().run()
    assert not at.exception, [e.stack_trace for e in at.exception]
    assert any(e.value.startswith("Something went wrong") for e in at.error)
    assert "secret" not in text(at)


# --- 4 and 5. values from the browser, every dropped one named ----------------------------------


@pytest.mark.parametrize(
    "query, named",
    [
        ({"batch": ["all", "x"]}, ["batch=x"]),
        ({"k": ["3", "-1"]}, ["k=-1"]),
        ({"city": ["330100", "999999"]}, ["city=999999"]),
        ({"zone": "not-a-zone"}, ["zone=not-a-zone"]),
    ],
)
def test_every_dropped_value_is_in_the_one_notice(query, named):
    at = open_app(query)
    assert len(notices(at)) == 1
    notice = notices(at)[0].replace("\\", "")
    assert all(n in notice for n in named)


def test_the_notice_stays_through_the_runs_a_page_makes_itself_until_the_visitor_changes():
    """The map's width report and first paint rerun the page by themselves; the notice of a
    bad link was gone after them (within 2 s in Chromium). It stays until the view changes."""
    at = open_app({"batch": ["3", "x"]})
    assert len(notices(at)) == 1
    at.run()  # a run the page made itself: same view
    assert len(notices(at)) == 1 and "batch=x" in notices(at)[0].replace("\\", "")
    at.multiselect(key="w_batch").set_value([1, 2, 3]).run()  # the visitor's change
    assert notices(at) == []


# --- 7. no outbound call unless switched on -----------------------------------------------------


def test_online_lookup_is_off_by_default(monkeypatch):
    monkeypatch.delenv("CBEC_ONLINE_LOOKUP", raising=False)
    assert places.online_enabled() is False
    assert places.online_enabled({"online_lookup": "yes"}) is False  # only a real true
    assert places.online_enabled({"online_lookup": True}) is True
    monkeypatch.setenv("CBEC_ONLINE_LOOKUP", "1")
    assert places.online_enabled() is True


def test_when_on_the_whole_process_keeps_one_request_a_second(monkeypatch):
    """12 visitors at once: requests start at least a second apart, one shared cache answers
    repeats, and whoever would have to queue long is answered offline at once."""
    with FakeNominatim() as server:
        monkeypatch.setenv("CBEC_NOMINATIM", server.domain)
        lookup = places.OnlineLookup(places.RateLimiter(interval=1.0, max_wait=2.5))
        answers, busy = [], []

        def visitor(i: int) -> None:
            query = ["杭州市", "宁波市", "合肥市", "郑州市"][i % 4]
            t0 = time.monotonic()
            try:
                answers.append((query, lookup.find(query)))
            except places.Busy:
                busy.append(time.monotonic() - t0)

        threads = [threading.Thread(target=visitor, args=(i,)) for i in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        starts = sorted(r["t"] for r in server.requests)
        assert len(starts) == len(set(lookup.limiter.started))
        assert all(b - a >= 0.99 for a, b in itertools.pairwise(starts)), starts
        assert len(server.requests) <= 4  # one per distinct query at most: the cache
        assert busy  # whoever would have queued got the offline answer
        assert len(answers) + len(busy) == 12


def test_a_lookup_that_would_wait_too_long_is_refused_at_once():
    """The limiter's rule itself, without a clock to race: a slot further away than
    `max_wait` is refused before anything is called or slept."""
    limiter = places.RateLimiter(interval=1.0, max_wait=2.5)
    limiter._next = time.monotonic() + 3600  # the next free slot is an hour away
    called = []
    with pytest.raises(places.Busy, match="rate limit"):
        limiter.run(lambda: called.append(1))
    assert called == [] and limiter.started == []
    limiter._next = 0.0  # a free slot: the call runs
    assert limiter.run(lambda: "ok") == "ok" and len(limiter.started) == 1


# --- fuzz -----------------------------------------------------------------------------------


KEYS = [k.name for k in urlstate.KEYS] + list(urlstate.ALIASES) + ["utm_source", "", "页面"]
NASTY = [
    "²",
    "①",
    "٣",
    "３",
    "1\u200f",
    "\u202e3",
    "a\x00b",
    "\x00",
    "x" * 10_000,
    "9" * 400,
    "2015-02-30",
    "2026-13-01",
    "0000-00-00",
    "9999-12-31",
    "-1",
    "+3",
    "1e3",
    "0x10",
    "NaN",
    "all",
    "none",
    "ALL",
    " west ",
    "inner-mongolia",
    "inner mongolia",
    "330100",
    "110000",
    "xian",
    "../../etc/passwd",
    "%00",
    "%E4%B8%AD",
    "中文",
    "zh",
    "en",
    "fr",
    "1",
    "0",
    "10",
    "11",
    "batch",
    *PAYLOADS,
    "<svg onload=alert(1)>",
    "'; DROP TABLE zones; --",
    "{{7*7}}",
    "${7*7}",
    "\\",
    "`",
    "|",
    "\n\n# h",
    "🙂" * 50,
]


def query_strings(n: int, seed: int = 20261126) -> list[dict[str, list[str]]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        q: dict[str, list[str]] = {}
        for _ in range(rng.randint(1, 6)):
            key = rng.choice(KEYS)
            q.setdefault(key, []).extend(rng.choice(NASTY) for _ in range(rng.choice([1, 1, 2, 3])))
        out.append(q)
    return out


def _fuzz(chunk: list[tuple[str | None, dict]]) -> list[str]:
    """Run in a worker process: each query string on its page, in a session on that page (a
    fresh one for every block of 40, and after a failure)."""
    from support.apptest import run_like_a_server

    run_like_a_server()
    from streamlit.testing.v1 import AppTest

    failures, at, slowest, on = [], None, 0.0, None
    for i, (page, query) in enumerate(chunk):
        if at is None or i % 40 == 0 or page != on:
            at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=10)
            at.run()
            at.switch_page(f"pages/{page or 'map'}.py")
            on = page
        for k in list(at.query_params):
            del at.query_params[k]
        for k, v in query.items():
            at.query_params[k] = v
        t0 = time.perf_counter()
        try:
            at.run()
        except Exception as exc:  # a run that did not finish in time
            failures.append(f"{page} {query!r:.200}: {type(exc).__name__}: {exc}")
            at = None
            continue
        slowest = max(slowest, time.perf_counter() - t0)
        problems = [e.message for e in at.exception] + [e.value for e in at.error]
        if problems or len(notices(at)) > 1:
            failures.append(f"{page} {query!r:.200}: {problems[:2]} notices={len(notices(at))}")
        elif (
            bool(seen := {h.value for h in at.header} & TITLES) != bool(TITLES_OF[page])
            or not seen <= TITLES_OF[page]
        ):  # not the page meant
            failures.append(f"{page} {query!r:.200}: ran as {[h.value for h in at.header]}")
    if slowest > 10:
        failures.append(f"a run took {slowest:.1f} s")
    return failures


def test_fuzzed_links_on_every_page():
    """1,200 generated query strings (fixed seed), 300 on each of the four pages, in two
    processes: no exception, no error block, at most one notice, every run under 10 s."""
    cases = [(PAGES[i % 4], q) for i, q in enumerate(query_strings(1200))]
    order = {p: n for n, p in enumerate(PAGES)}
    chunks = [sorted(cases[w * 600 : (w + 1) * 600], key=lambda c: order[c[0]]) for w in (0, 1)]
    assert [Counter(p for p, _ in c) for c in chunks] == [{p: 150 for p in PAGES}] * 2
    ctx = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        failures = [f for part in pool.map(_fuzz, chunks) for f in part]
    assert failures == []


# --- 4 and 8, as a hostile client sends them: over Streamlit's own websocket ---------------------


@pytest.fixture(scope="module")
def server_url():
    from support import browser

    with browser.streamlit_server() as url:
        yield url


def test_a_forged_map_pick_is_dropped_and_named(server_url):
    """A client may send any pick for the map (the map probe's "pick" event); an id that is
    no zone is dropped with the notice a bad link value gets, and the page keeps working."""
    from support.streamlit_client import Raw, StreamlitClient, run_sync

    async def visit():
        async with StreamlitClient(server_url) as c:
            await c.open("", "")
            first = await c.trigger("map_probe", "pick", "no-zone")
            notes = [a.body for a in c.elements("alert") if "link_off" in a.icon]
            second = await c.trigger("map_probe", "pick", ["x", 3, None])
            third = await c.set("w_batch", Raw(["1", "99", "<b>x</b>"]))
            return first, notes, second, third

    first, notes, second, third = run_sync(visit())
    assert first.ok and second.ok and third.ok, (first.exceptions, second.exceptions)
    assert "zone=" not in first.query_string
    assert any("zone=no-zone" in t.replace("\\", "") for t in notes)


# Picks of every wrong shape a client could send for a map (the probe's "pick" event).
MISSHAPEN = [5, ["x"], {"a": 1}, [{"id": ["list"]}], None, "", {"adcode": ["330000"]}, 1e308,
             "x" * 10_000, True]  # fmt: skip


@pytest.mark.parametrize(("page", "key"), [("", "map_probe"), ("regional_priorities", "rp_probe")])
def test_a_misshapen_map_pick_changes_nothing(server_url, page, key):
    """Whatever shape a pick has, the page (or the map's fragment) finishes with no exception
    and no error block, and a real change afterwards still works."""
    from streamlit.proto.Alert_pb2 import Alert

    from support.streamlit_client import StreamlitClient, run_sync

    async def visit():
        async with StreamlitClient(server_url) as c:
            await c.open(page, "")
            runs, errors = [], []
            for value in MISSHAPEN:
                runs.append(await c.trigger(key, "pick", value))
                errors.append([a.body for a in c.elements("alert") if a.format == Alert.ERROR])
            after = await c.rerun()
            return runs, errors, after

    runs, errors, after = run_sync(visit())
    for value, r, e in zip(MISSHAPEN, runs, errors, strict=True):
        assert r.ok, (str(value)[:40], r.status, r.exceptions)
        assert r.elements["exception"] == 0 and e == [], (str(value)[:40], e)
    assert after.ok


def test_a_forged_province_on_the_priorities_map_is_dropped_and_named(server_url):
    """The choropleth's pick is held to the known provinces: a forged code selects nothing and
    is named in the notice; a real one selects its province."""
    from support.streamlit_client import StreamlitClient, run_sync

    async def visit():
        async with StreamlitClient(server_url) as c:
            await c.open("regional_priorities", "")
            forged = await c.trigger("rp_probe", "pick", "999999")
            notes = [a.body for a in c.elements("alert") if "link_off" in a.icon]
            real = await c.trigger("rp_probe", "pick", "330000")
            markdown = [m.body for m in c.elements("markdown")]
            return forged, notes, real, markdown

    forged, notes, real, markdown = run_sync(visit())
    assert forged.ok and real.ok
    assert any("province=999999" in t.replace("\\", "") for t in notes), notes
    assert any("Zhejiang" in m and "zone" in m for m in markdown), markdown


def test_clearing_the_caches_costs_the_next_visitor_nothing(server_url):
    """Any client can send Streamlit's "clear cache" message (which clears st.cache_data,
    st.cache_resource and the sender's session state); the dataset and what is derived from
    it live outside Streamlit's caches, so the next run draws the same page from the same
    objects: asserted as identity here, and over the websocket as the same page after the
    message (a duration would fail on a busy machine)."""
    import streamlit as st

    from support.streamlit_client import StreamlitClient, run_sync

    ds = data.dataset()
    derived = ds.derived(("clear-cache-test",), lambda: object())
    st.cache_data.clear()  # what Streamlit's handler of the message does (app_session.py)
    st.cache_resource.clear()
    assert data.dataset() is ds
    assert data.dataset().derived(("clear-cache-test",), lambda: object()) is derived

    def page(c) -> list:
        return [m.body for m in c.elements("markdown")] + [m.body for m in c.elements("alert")]

    async def visit():
        async with StreamlitClient(server_url) as c:
            await c.open("", "batch=4")
            before = page(c)
            await c.clear_cache()
            r = await c.open("", "batch=4")  # its session state is gone: the link again
            return before, r, page(c)

    before, r, after = run_sync(visit())
    assert r.ok and after == before and any("December 2019" in t for t in before), before


def test_a_slow_online_lookup_does_not_hold_up_other_visitors():
    """With online lookup on, one visitor's lookup waits on the network without holding the
    process's script slot: Nominatim answers only once another visitor's map rerun has
    finished, so that rerun can finish only if the slot is free (were it held, the rerun would
    wait for the lookup, and the lookup for the rerun, until the fake gives up). An order of
    events, not a duration: a busy machine cannot fail it."""
    from support import browser
    from support.streamlit_client import Nth, Raw, StreamlitClient, run_sync

    with FakeNominatim() as fake:
        rerun_done = threading.Event()
        fake.script = [fake.held(rerun_done, timeout=60)]
        env = {"CBEC_ONLINE_LOOKUP": "1", "CBEC_NOMINATIM": fake.domain}
        with browser.streamlit_server(env=env) as url:

            async def looker(opened: asyncio.Event, asked: asyncio.Event):
                await opened.wait()
                async with StreamlitClient(url) as c:
                    await c.open("nearest_zone", "")
                    await c.set("w_nz_mode", Nth(1))
                    task = asyncio.create_task(c.set("w_nz_place", "义乌市"))
                    while not fake.requests:  # the lookup is waiting on the network
                        await asyncio.sleep(0.05)
                    asked.set()
                    return await task

            async def other(opened: asyncio.Event, asked: asyncio.Event):
                async with StreamlitClient(url) as c:
                    await c.open("", "batch=3")
                    opened.set()
                    await asked.wait()
                    r = await c.set("w_region", Raw(["West"]))
                    answered_first = fake.answered.is_set()
                    rerun_done.set()
                    return r, answered_first

            async def both():
                opened, asked = asyncio.Event(), asyncio.Event()
                return await asyncio.gather(looker(opened, asked), other(opened, asked))

            looked, (rerun, answered_first) = run_sync(both())
    assert len(fake.requests) == 1 and looked.ok
    assert rerun.ok and not answered_first, "the rerun waited for the lookup"


# Widget values of every wrong shape a client could send (issue 21, finding 5).
FORGED_WIDGETS = [
    ("w_lang", ["xx"]), ("w_lang", ["en", "zh"]), ("w_lang", ["x" * 10_000]), ("w_lang", []),
    ("w_day_any", ["not a date"]), ("w_day_any", ["1900-01-01", "2999-12-31"]),
    ("w_day_any", ["9999-99-99"]),
]  # fmt: skip


def test_a_forged_widget_value_never_escapes_the_guard(server_url):
    """Whatever a client sends for the language switch or the date box, the run ends with no
    exception element (Streamlit's own error, with its details): at most the page's one plain
    sentence, and a real change afterwards still works."""
    from streamlit.proto.Alert_pb2 import Alert

    from support.streamlit_client import Raw, StreamlitClient, run_sync

    async def visit():
        async with StreamlitClient(server_url) as c:
            await c.open("", "")
            runs = []
            for key, value in FORGED_WIDGETS:
                r = await c.set(key, Raw(value))
                errors = [a.body for a in c.elements("alert") if a.format == Alert.ERROR]
                runs.append((key, value, r, errors))
            after = await c.rerun()
            return runs, after

    runs, after = run_sync(visit())
    for key, value, r, errors in runs:
        assert r.ok and r.elements["exception"] == 0, (key, str(value)[:30], r.exceptions)
        assert all("Traceback" not in e for e in errors)
    assert after.ok and after.elements["exception"] == 0


def test_a_huge_forged_filter_value_is_refused_before_any_work(server_url):
    """A 0.9 MB string (just under the message limit) sent as the Province filter's value (a
    list is expected) is dropped before the page does anything with it: the run costs what a
    normal change costs (it took 13-18 s, the page iterating the string character by
    character, while every other visitor waited for the script slot), and the filter is empty.
    The bound is relative to a normal change on the same machine, not a wall-clock figure."""
    from support.streamlit_client import Raw, StreamlitClient, run_sync

    async def visit():
        async with StreamlitClient(server_url) as c:
            await c.open("", "")
            normal = await c.set("w_region", Raw(["West"]))
            forged = await c.set("w_province", Raw("x" * 900_000))  # under the 1 MB limit
            many = await c.set("w_region", Raw(["West"] * 100_000))
            real = await c.set("w_region", Raw(["East"]))
            return normal, forged, many, real

    normal, forged, many, real = run_sync(visit())
    assert forged.ok and forged.elements["exception"] == 0
    assert forged.seconds <= 3 * normal.seconds + 2.0, (forged.seconds, normal.seconds)
    assert "province=" not in forged.query_string
    assert many.ok and "region=" not in many.query_string
    assert real.ok and "region=east" in real.query_string


def test_a_message_larger_than_a_visitor_ever_sends_is_refused(server_url):
    """3 MB of widget state (a visitor sends a few KB) closes that client's socket; the server
    stays healthy and the next visitor's page works."""
    import urllib.request

    from support import hostile
    from support.streamlit_client import StreamlitClient, run_sync

    async def visit():
        refused = await hostile.oversized(server_url, 1, 3_000_000)
        async with StreamlitClient(server_url) as d:
            after = await d.open("", "")
        return refused, after

    refused, after = run_sync(visit())
    assert refused == 1
    assert after.ok and after.elements["exception"] == 0
    with urllib.request.urlopen(f"{server_url}/_stcore/health", timeout=30) as resp:
        assert resp.status == 200


# --- 2 and 3: a rerun flood, oversized messages (support/hostile.py; benchmarks/hostile.py) ---


def test_a_rerun_flood_holds_up_no_other_visitor_and_piles_up_no_threads():
    """One client sends the same rerun request 3,000 times a second. Before: each request
    stopped the session's script and started a new thread, all waiting for the script slot
    (162 threads in a thread dump), and another visitor's first page took 11.5 s against
    0.06 s quiet. Now the requests collapse into the session's one thread, the slots are handed
    out in order, and a session starting more than 10 runs a second waits: the server's
    threads stay what they were, and the visitor's page and the health check stay within 2x
    their quiet time plus 1 s and 0.25 s. The slack is for a machine held busy by other tests
    (a whole-suite run with both cores busy failed a 0.25 s slack once); the 2x budget itself
    is benchmarks/hostile.py's, which measures 0.99x on a quiet machine."""
    from support import browser, hostile
    from support.streamlit_client import run_sync

    # As a replica runs (deploy/, the image): no watcher of source files, whose threads
    # (watchdog's, one per watched folder, started as a session's runs import modules) are
    # not script threads and would be counted with them.
    args = ("--server.fileWatcherType", "none")
    with browser.streamlit_app("dashboard.py", args=args) as server:
        quiet, flooded = run_sync(
            hostile.quiet_and_flooded(server.url, 3000, visits=3, pid=server.proc.pid)
        )
    before, during = quiet.threads, flooded.threads
    assert during <= before + 4, (before, during)
    assert flooded.page_s <= 2 * quiet.page_s + 1.0, (quiet.page_s, flooded.page_s)
    assert flooded.health_s <= 2 * quiet.health_s + 0.25, (quiet.health_s, flooded.health_s)
    assert flooded.sent / flooded.seconds >= 1500, "the flood was not a flood"


def test_oversized_messages_cost_the_server_no_memory():
    """Ten 24 MB messages (each from its own client) raised a fresh server from 174 to 769 MB,
    kept after the sessions ended. Now each is refused (server.maxMessageSize) and the
    server's memory grows by less than 50 MB."""
    from support import browser, hostile
    from support.streamlit_client import run_sync

    with browser.streamlit_app("dashboard.py") as server:
        run_sync(hostile.first_page_seconds(server.url))
        before = hostile.rss_mb(server.proc.pid)
        refused = run_sync(hostile.oversized(server.url, 10, 24 * 1024 * 1024))
        after = hostile.rss_mb(server.proc.pid)
        assert hostile.health_seconds(server.url) < 30
    assert refused == 10
    assert after - before < 50, (before, after)


def test_a_failure_repeated_by_one_session_is_logged_once_with_a_count(monkeypatch, caplog):
    """The same failure, run after run in one session, writes its traceback once; repeats are
    counted (at the 10th): a client repeating a failing message cannot fill the server's disk."""
    import logging

    from cbec import summary

    def broken(*args, **kwargs):
        raise RuntimeError("the same bug")

    from cbec.ui import shared

    monkeypatch.setattr(summary, "composition", broken)
    monkeypatch.setattr(shared, "_FAILURES", {})  # AppTest's sessions share one id
    at = open_app({"batch": "4"})
    with caplog.at_level(logging.ERROR, logger="cbec"):
        for _ in range(10):
            at.run()
    failures = [r.getMessage() for r in caplog.records if "page failed" in r.getMessage()]
    traced = [m for m in failures if "Traceback" in m]
    assert len(traced) <= 1  # the first run's came before caplog
    assert [m.split(" in session")[0] for m in failures if m not in traced] == [
        "page failed 10 times"
    ]


def test_a_message_streamlit_cannot_decode_writes_its_traceback_once(tmp_path):
    """A map pick nested 2,000 deep fails in Streamlit's own JSON decoder (RecursionError),
    before any of the app's code: Streamlit logged 2.6 KB of traceback per message (518 KB for
    200). Its log now keeps the first traceback of a session's kind of failure, then counts."""
    import subprocess
    import sys

    from streamlit.proto.WidgetStates_pb2 import WidgetState

    from deploy.replicas import free_port, wait_for
    from support import streamlit_client as sc

    port, log = free_port(), tmp_path / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(paths.ROOT / "dashboard.py"),
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=paths.ROOT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{port}/_stcore/health", 90, server)
        raw = '[{"event":"pick","value":' + "[" * 2000 + "]" * 2000 + "}]"

        async def visit():
            async with sc.StreamlitClient(f"http://127.0.0.1:{port}") as c:
                await c.open("", "")
                before = log.stat().st_size
                w = c._widget("map_probe")
                tid = f"{sc.INTERNAL_KEY}_{w.id}__events"
                for _ in range(50):
                    c._states[tid] = WidgetState(id=tid, json_trigger_value=raw)
                    try:
                        await c._rerun("a pick nested 2,000 deep", w.fragment_id)
                    finally:
                        c._states.pop(tid, None)
                after = await c.open("", "batch=3")  # and the session still works
                return before, after

        before, after = sc.run_sync(visit())
        deadline = time.monotonic() + 30  # the log is written by the server: wait for the count
        while "10 times" not in (text := log.read_text(errors="replace")):
            assert time.monotonic() < deadline, text[-2000:]
            time.sleep(0.2)
        # Python 3.11: Streamlit's decoder fails (its log); 3.13 decodes it, the app's guard
        # catches the copy's failure (the app's log), and freeing it fails in a callback
        # (Python's "Exception ignored"): each kind once with its traceback, then counted
        assert after.ok
        assert text.count("Traceback") <= 2, text.count("Traceback")
        assert "10 times" in text
        # (each traceback cut to its innermost 20 frames: on 3.13 the whole one was 470 KB;
        # a callback that overflows while Python frees the value prints two lines, 130 bytes)
        assert log.stat().st_size - before < 15_000, log.stat().st_size - before
    finally:
        server.terminate()
        server.wait(timeout=20)


# --- 8. a link over Streamlit's limits is named, not silently dropped ---------------------------


def test_the_link_limits_are_streamlits_and_a_forged_report_is_refused():
    from streamlit.runtime.state import query_params

    from cbec.ui import probe

    assert probe.LINK_LIMITS == (query_params.CLIENT_STATE_QUERY_STRING_MAX_FIELDS,
                                 query_params.CLIENT_STATE_QUERY_STRING_MAX_LENGTH)  # fmt: skip
    assert probe._too_long({"fields": 1001, "chars": 6000}) == (1001, 6000)
    assert probe._too_long({"fields": 3, "chars": 600_000}) == (3, 600_000)
    for forged in ({"fields": 10, "chars": 10}, {"fields": "2000", "chars": 1}, {"fields": True,
                   "chars": 10**12}, [1001, 1], None, {"fields": 10**10, "chars": 0}):  # fmt: skip
        assert probe._too_long(forged) is None, forged
