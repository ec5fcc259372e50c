"""The Streamlit glue every page shares: the dataset (or its error block), the view's state kept
in step with the URL, the one notice of ignored values, navigation links, the guard that turns a
bug into a plain message, and downloads.

The URL is the view. On every run the app compares the URL the browser sent with the one it last
wrote: when they differ (a shared link, Back or Forward, an edited address) the URL wins over
stale widget state; otherwise the widgets win and their view is written back, one history entry
per change. Everything from the browser (query strings, widget values, map selections) goes
through the same parsers (`cbec.urlstate`) before it is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import hashlib
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from urllib.parse import quote, urlsplit

import streamlit as st
import streamlit.components.v2 as components

from cbec import data, export, i18n, mapview, urlstate
from cbec.data import Dataset
from cbec.schema import DataError, headline
from cbec.ui.keys import (
    AFTER_LIGHT,
    CHANGED,
    CTX,
    DEVICE,
    DROPPED,
    LANG_WIDGET,
    LIGHT,
    LIGHT_RUN_OVER,
    LIGHT_TICKS,
    PAGE,
    RUN,
    STATE,
    URL_SEEN,
    probe_width,
)
from cbec.urlstate import State, UrlContext

log = logging.getLogger("cbec")
# Session keys (their table, with owners and lifetimes, is cbec/ui/keys.py) are imported above.


@dataclass(frozen=True)
class Run:
    """What a page needs, made once per run by dashboard.py."""

    ds: Dataset
    state: State
    tr: i18n.For
    ctx: UrlContext
    page: str
    today: dt.date


# --- data ---------------------------------------------------------------------------------------


def dataset(lang: str) -> Dataset:
    """The checked dataset (one per process and data version); on broken files one readable
    error block, then the page stops: no traceback, no map drawn from bad data."""
    try:
        return data.dataset()
    except DataError as exc:
        tr = i18n.tr(lang)
        lines = "\n".join(f"- {i18n.escape_md(str(p))}" for p in exc.problems)
        st.error(f"{tr('data_error', first=headline(exc.problems))}\n\n{lines}")
        st.stop()
        raise  # unreachable: st.stop() ends the run


def context(ds: Dataset) -> UrlContext:
    """What valid URL values are, derived once per dataset."""

    def make() -> UrlContext:
        return UrlContext(
            batches=tuple(int(b) for b in ds.batches["batch"]),
            regions=tuple(data.REGIONS),
            provinces=tuple(ds.provinces["province_en"]),
            zones=ds.zone_ids,
            today=ds.today,
            cities=frozenset(ds.prefectures["adcode"]),
        )

    return ds.derived("url_context", make)


# --- state and URL ------------------------------------------------------------------------------


def _url() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def lang_hint() -> str:
    """The language before the state is known (page titles, the data error block): the URL
    carries `lang=zh` on every page of the Chinese interface."""
    lang = st.query_params.get("lang")
    return lang if lang in i18n.LANGS else "en"


def begin(page: str) -> Run:
    """Start a run: the dataset, the state (from the URL when it changed), the translator."""
    st.session_state.setdefault(DROPPED, [])  # a callback's (a forged pick's) are kept
    st.session_state[PAGE] = page
    ds = dataset(lang_hint())
    ctx = context(ds)
    st.session_state[CTX] = ctx
    url = _url()
    state = st.session_state.get(STATE)
    first = state is None
    # a browser's first run of the map page is light (see light()); no other page has one
    ua = st.context.headers.get("User-Agent") or ""
    st.session_state[LIGHT] = first and page == urlstate.MAP and "Mozilla/" in ua
    if first:  # a session's first run: the link is the view
        changed = {k.name for k in urlstate.KEYS}
        state, dropped = urlstate.decode(url, ctx)
    else:  # later runs: only what changed in the URL wins over the session's state
        changed = urlstate.changed_keys(url, st.session_state.get(URL_SEEN, {}), page)
        state, dropped = urlstate.decode(url, ctx, keys=changed, base=state)
    drop(dropped)
    st.session_state[URL_SEEN] = url
    st.session_state[CHANGED] = changed
    state = _language(state, changed, ctx, page)
    st.session_state[STATE] = state
    if dropped:  # the link had junk: the address bar shows the view as the app read it
        st.query_params.from_dict(urlstate.encode(state, ctx, page))
        st.session_state[URL_SEEN] = _url()
    run = Run(ds, state, i18n.tr(state.lang), ctx, page, ds.today)
    st.session_state[RUN] = run
    return run


def _language(state: State, changed: set[str], ctx: UrlContext, page: str) -> State:
    """The language switch (drawn last, in the header): when the visitor moved it, the page is
    drawn in the new language and the URL gets the change as one history entry; when the URL
    changed the language (a link, Back, Forward), the switch follows the URL."""
    chosen = st.session_state.get(LANG_WIDGET)
    if "lang" in changed or chosen not in urlstate.LANGS:
        st.session_state[LANG_WIDGET] = state.lang
        return state
    if chosen != state.lang:
        state = replace(state, lang=chosen)
        st.query_params.from_dict(urlstate.encode(state, ctx, page))
        st.session_state[URL_SEEN] = _url()
    return state


def version(run: Run) -> str:
    """A cache key for what depends only on the data version and the day: short, because
    Streamlit hashes every argument of a cached function on every call (a nested tuple of the
    files' sizes and times cost more than the lookups it keys)."""
    return _digest(run.ds.version or (str(data.data_dir()), run.today))


@functools.lru_cache(maxsize=64)
def _digest(version: tuple) -> str:
    return hashlib.sha1(repr(version).encode()).hexdigest()[:16]


def key(run: Run, *parts) -> str:
    """A cache key for a view: the data version and `parts` (validated state: dataclasses of
    numbers, dates and strings), as one string, cheap for Streamlit to hash."""
    return version(run) + repr(parts)


def light() -> bool:
    """Whether this run is a browser's first: it then sends only what the first screen needs
    (the headline, the map), so that the map's code and data are not queued behind the code of
    every table, chart and filter; the rest follows in the next run, which the page asks for
    as soon as the map has drawn (the probe's "painted" report, or after 3 s at most)."""
    return bool(st.session_state.get(LIGHT))


def finish_light() -> None:
    """Ask for the full page: at once from a fragment's run, or after a moment (a fragment that
    runs once on a timer, in case the width report never comes)."""
    if light():
        st.session_state[LIGHT] = False
        st.session_state[AFTER_LIGHT] = True
        st.rerun(scope="app")


def after_light() -> bool:
    """Whether this run is the full one that follows a light run (until its end)."""
    return bool(st.session_state.get(AFTER_LIGHT))


LIGHT_TICK = 3  # seconds between the light run's timer ticks
LIGHT_LONGEST = 30  # seconds a light page waits for its map's "painted" report at most


@st.fragment(run_every=LIGHT_TICK)
def fallback_finish(probe: str) -> None:
    """A timer, drawn on a light run only, in case the map's "painted" report never comes: it
    asks for the full page at its first tick if the probe `probe` has not reported at all (its
    script did not load), and after LIGHT_LONGEST seconds in any case. While the probe is alive
    the page waits for it: on a phone on 4G the map's code takes 5-10 s to arrive, and a full
    page asked for sooner queued the table's and the charts' code (2 MB) before it.
    (Not drawn in later runs, so it stops.)"""
    ticks = st.session_state.get(LIGHT_TICKS, 0)
    st.session_state[LIGHT_TICKS] = ticks + 1
    silent = probe_width(probe) not in st.session_state  # its script never reported
    if ticks and (silent or ticks * LIGHT_TICK >= LIGHT_LONGEST):
        finish_light()


def current() -> Run:
    """This run's Run, made by dashboard.py before the page script runs."""
    return st.session_state[RUN]


def end() -> None:
    """End of a full run: what the URL changed has been seeded into the widgets; a fragment's
    run that follows must not seed again (it would undo the visitor's pick). A run that drew
    the whole page (not a first, light one) ends with an empty mark, so a browser test (or a
    screenshot) can tell a complete page from one whose full run has not begun."""
    st.session_state[CHANGED] = set()
    if not light():
        st.session_state[AFTER_LIGHT] = False
        st.html('<span id="cbec-ready" hidden></span>')


def url_changed(key: str) -> bool:
    """Whether this run read `key` from the URL (a link, Back, Forward, an edited address):
    the widgets that show it must follow the URL, not their stale value."""
    return key in st.session_state.get(CHANGED, set())


def drop(items: list[str]) -> None:
    """Values the app will not use: named in this run's one notice."""
    if items:
        st.session_state.setdefault(DROPPED, []).extend(items)


def accept(candidate: State, ctx: UrlContext) -> State:
    """A state made from widget values and map selections, held to the URL's rules: values
    that would not survive a link are dropped and named in the notice."""
    state, dropped = urlstate.sanitize(candidate, ctx)
    drop(dropped)
    return state


def seed(values: dict[str, tuple[str, object]]) -> None:
    """Put the state's values into the widgets before they are drawn ({widget key: (URL key,
    value)}): on a session's first run, and for every URL key the URL changed, so that a stale
    widget value never wins over the link, Back or Forward."""
    for widget, (url_key, value) in values.items():
        if url_changed(url_key) or widget not in st.session_state:
            st.session_state[widget] = value


def save(run: Run, new: State) -> State:
    """Keep the state for this session; when the visitor changed the view, write its
    non-default values for this page to the URL: one history entry per change. A view that
    came from the URL as it is (a link, Back, Forward) is not written back. (Compared with the
    session's state, not the run's: a fragment's run changes the state between full runs.)"""
    before = st.session_state.get(STATE, run.state)
    st.session_state[STATE] = new
    if new != before:
        wanted = urlstate.encode(new, run.ctx, run.page)
        st.query_params.from_dict(wanted)
        st.session_state[URL_SEEN] = _url()
    return new


def notice(tr: i18n.For, where=None) -> None:
    """The one notice of this run: every value that was dropped, named once, in `where` (the
    top of the page) until the visitor's next change. (A toast vanished while the junk stayed
    in the address bar: the address is cleaned as well, see `begin`.)"""
    dropped = list(dict.fromkeys(st.session_state.get(DROPPED, [])))
    st.session_state[DROPPED] = []
    if not dropped:
        return
    shown = dropped[:8]
    more = len(dropped) - len(shown)
    items = tr.join(shown) + (tr.text("url_ignored_more", n=more) if more else "")
    (where or st).info(tr("url_ignored", items=items), icon=":material/link_off:")


# --- page frame ---------------------------------------------------------------------------------

# Streamlit runs every session's script in its own thread, and all of them share one core (one
# interpreter lock) with the event loop that answers websockets and the health check. With a
# crowd, dozens of scripts take turns with that loop and the health check stalls for seconds.
# So only a few scripts of this process compute at once; the others wait without holding the
# lock, and the loop stays responsive. CBEC_SCRIPT_SLOTS sets how many (default 1: measured
# with 25 visitors, one slot served more reruns a second than 2 or 4, and the health check
# stayed under 0.1 s). A wait on the network gives its slot back meanwhile: slot_given_back().
_SLOTS = threading.BoundedSemaphore(max(1, int(os.environ.get("CBEC_SCRIPT_SLOTS", "1") or 1)))


_HOLDING = threading.local()


@contextlib.contextmanager
def turn() -> Iterator[None]:
    """Wait for one of the process's script slots, for the length of a run (a fragment's run
    too; inside a run that already holds one, nothing more)."""
    if getattr(_HOLDING, "yes", False):
        yield
        return
    _SLOTS.acquire()
    _HOLDING.yes = True
    try:
        yield
    finally:
        _HOLDING.yes = False
        try:
            _drained()
        finally:  # whatever happens while waiting, the slot goes back
            _SLOTS.release()


def _drained(timeout: float = 0.5) -> None:
    """Wait until the server's event loop has handled what this run queued (every element of
    a run is a callback on that loop) before the next script may compute: the loop's backlog
    stays one run long, so a health check waits behind one run's messages, not a crowd's.
    Streamlit has no public handle on its loop; without one (AppTest, an upgrade that moved
    it) this does nothing."""
    try:
        from streamlit.runtime import Runtime

        loop = Runtime.instance()._get_async_objs().eventloop
    except Exception:
        return
    if not isinstance(loop, asyncio.AbstractEventLoop) or not loop.is_running():
        return  # AppTest's runtime is a stand-in with no loop
    done = threading.Event()
    try:
        loop.call_soon_threadsafe(done.set)
    except RuntimeError:  # the loop is closed: the server is stopping
        return
    done.wait(timeout)


@contextlib.contextmanager
def slot_given_back() -> Iterator[None]:
    """For a wait on the network (the opt-in online lookup: up to its limiter's wait plus its
    timeout): the run gives its slot to the other visitors meanwhile and takes one again after."""
    if not getattr(_HOLDING, "yes", False):
        yield
        return
    _HOLDING.yes = False
    _SLOTS.release()
    try:
        yield
    finally:
        _SLOTS.acquire()
        _HOLDING.yes = True


@contextlib.contextmanager
def guard(tr: i18n.For) -> Iterator[None]:
    """A bug shows as one plain sentence; the details go to the server's log, never to the
    visitor (client.showErrorDetails is "none" as well)."""
    try:
        yield
    except Exception:
        log.exception("page failed")
        st.error(tr("unexpected_error"), icon=":material/error:")


def entrypoint_first() -> None:
    """Make sure dashboard.py runs before any page.

    With a `pages/` folder next to it, Streamlit starts in its old "pages directory" mode and
    runs a page script on its own (no title, no language switch, the wrong sidebar) until some
    run calls `st.navigation`, e.g. when a shared link to a page is the first request a fresh
    server gets. A page that finds itself run that way switches the old mode off and reruns, so
    dashboard.py, st.navigation and then this page run as they should. This is the app's only
    use of Streamlit's private PagesManager; tests/test_app.py fails when Streamlit no longer
    behaves so, and then this function can go.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def md_link(url: str) -> str:
    """A Markdown link to `url` labelled with its host; brackets and spaces are percent-encoded."""
    host = urlsplit(url).netloc
    safe_url = quote(url, safe=":/?&=#%.,;@!$'*+~-_")
    return f"[{i18n.escape_md(host)}]({safe_url})"


def zone_downloads(zones, tr: i18n.For, stem: str, key: str) -> None:
    """CSV and GeoJSON of exactly `zones`, built only when clicked (deferred), side by side."""
    with st.container(horizontal=True):
        st.download_button(
            tr("download_csv"),
            lambda: export.to_csv(zones),
            file_name=f"{stem}.csv",
            mime="text/csv",
            on_click="ignore",
            key=f"{key}_csv",
            icon=":material/download:",
        )
        st.download_button(
            tr("download_geojson"),
            lambda: export.to_geojson(zones),
            file_name=f"{stem}.geojson",
            mime="application/geo+json",
            on_click="ignore",
            key=f"{key}_geojson",
            icon=":material/download:",
        )


# --- the map's companion: its width, its first paint, clicks and taps --------------------------

# A small script of the app's own, no data in it, drawn just before a map in the same column:
# - it reports the column's width (rounded to 20 px), so the server can fit China to it (deck.gl
#   cannot fit bounds from a JSON spec), and when the map has first drawn ("painted");
# - it turns a click or a tap on a map into a pick of what the map's tooltip shows: the tooltip
#   carries the object's id in a hidden mark (mapview.PICK_MARK), and the tooltip's position
#   must be the pointer's, so a stale tooltip never picks. Streamlit's own map selection is not
#   used: while a selection is active it fades every layer it knows (the land washes out to the
#   sea's colour), and with it switched on it keeps only one accessor's update triggers per
#   layer (a colour change from one view to the next was not drawn).
_map_probe = components.component(
    "cbec_map_probe",
    html="<div></div>",
    js="""
export default function (component) {
  const { setStateValue, setTriggerValue, parentElement, data } = component;
  const host = parentElement.host ? parentElement.host : parentElement;
  let last = 0, timer = null;
  const measure = () => {
    // The probe stretches across its column: its own width is the map's.
    const own = host.getBoundingClientRect().width;
    const w = Math.floor((own || window.innerWidth) / 20) * 20;
    if (Math.abs(w - last) >= 20) { last = w; setStateValue("w", w); }
  };
  measure();
  const ro = new ResizeObserver(() => { clearTimeout(timer); timer = setTimeout(measure, 250); });
  ro.observe(host);  // the column narrows when the sidebar arrives after the first paint
  const block = () => host.closest('[data-testid="stVerticalBlock"]');
  const chart = () => {
    const b = block();
    return b ? b.querySelector('[data-testid="stDeckGlJsonChart"]') : null;
  };
  // "painted": the map has set up its layers (they have fetched the file named in `data.wait`,
  // the province outlines every map draws) and two frames have passed; or SETTLE ms after its
  // canvas came, whatever the file. A canvas alone is too soon: on a slow phone deck.gl sets
  // its layers up seconds later, and the full page asked for then competed with it.
  const SETTLE = 10000;
  const wait = (data && data.wait) || "";
  const fetched = () => performance.getEntriesByType("resource")
    .some((e) => e.name.endsWith(wait) && e.responseEnd > 0);
  let painted = false, poll = null, since = null;
  const check = () => {
    const c = chart(), now = performance.now();
    if (since === null && c && c.querySelector("canvas")) since = now;
    if (since !== null && (fetched() || now - since >= SETTLE)) {
      painted = true;
      requestAnimationFrame(() => requestAnimationFrame(() => setStateValue("p", 1)));
    }
    if (!painted) poll = setTimeout(check, 100);
  };
  check();
  // A click or a tap (not the end of a drag) picks what the tooltip at that spot shows.
  let down = null;
  const onDown = (e) => {
    const c = chart();
    down = c && c.contains(e.target) ? [e.clientX, e.clientY] : null;
  };
  const onClick = (e) => {
    const c = chart();
    if (!c || !down || !c.contains(e.target)) return;
    const moved = Math.hypot(e.clientX - down[0], e.clientY - down[1]);
    down = null;
    if (moved > 8) return;
    const canvas = c.querySelector("canvas");
    if (!canvas) return;
    const r = canvas.getBoundingClientRect();
    const x = e.clientX - r.left, y = e.clientY - r.top;
    let tries = 0;
    const look = () => {
      const tip = c.querySelector(".deck-tooltip");
      const shown = tip && tip.style.display !== "none";
      const mark = shown ? tip.querySelector("[data-pick]") : null;
      const pos = /translate\\(([-0-9.]+)px,\\s*([-0-9.]+)px\\)/;
      const at = shown ? pos.exec(tip.style.transform) : null;
      if (mark && at && Math.abs(+at[1] - x) <= 4 && Math.abs(+at[2] - y) <= 4) {
        setTriggerValue("pick", mark.getAttribute("data-pick"));
      } else if (++tries < 12) {
        requestAnimationFrame(look);  // a tap: the tooltip follows on the next frames
      }
    };
    look();  // a mouse hovered first: the tooltip is there now (deck.gl hides it after a click)
  };
  document.addEventListener("pointerdown", onDown, true);
  document.addEventListener("click", onClick, true);
  return () => {
    ro.disconnect(); clearTimeout(timer); clearTimeout(poll);
    document.removeEventListener("pointerdown", onDown, true);
    document.removeEventListener("click", onClick, true);
  };
}
""",
)

_PROBE_DATA = {"wait": data.PROVINCE_OUTLINES_URL.rsplit("/", 1)[-1]}  # see "painted"
PICK_LEN = 64  # characters of a picked id looked at: ids and adcodes are shorter


def _noop() -> None:
    """The probe's change callbacks: the rerun they cause is all that is needed."""


def map_probe(key: str, on_pick=None, args: tuple = ()) -> int:
    """Draw the map's companion in the column it is called in (before the map); returns the
    column's width (px) as the browser reports it, or before it has (a session's first run) a
    guess from the browser's kind. `on_pick(picked, *args)` runs before the next run when a
    click or tap picked an object (its id, unchecked: a client can send anything)."""

    def picked() -> None:
        result = st.session_state.get(key)
        value = result.get("pick") if isinstance(result, dict) else getattr(result, "pick", None)
        if on_pick is not None and value is not None:
            on_pick(value if isinstance(value, str) else repr(value)[:PICK_LEN], *args)

    result = _map_probe(
        key=key, data=_PROBE_DATA, on_w_change=_noop, on_p_change=_noop, on_pick_change=picked
    )
    w = getattr(result, "w", None) if result is not None else None
    if isinstance(w, int | float) and not isinstance(w, bool) and 200 <= w <= 4000:
        st.session_state[probe_width(key)] = int(w)
    if getattr(result, "p", None) and light() and st.session_state.get(LIGHT_RUN_OVER):
        finish_light()  # the browser has drawn the map: now the rest of the page
    w = st.session_state.get(probe_width(key))
    if isinstance(w, int):
        return w
    if DEVICE not in st.session_state:  # asked once: reading the headers is not free
        ua = st.context.headers.get("User-Agent", "") or ""
        st.session_state[DEVICE] = "phone" if "Mobi" in ua else "desktop"
    return mapview.DEFAULT_WIDTH[st.session_state[DEVICE]]
