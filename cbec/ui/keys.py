"""Every key the app keeps in `st.session_state`, in one table: what it holds, which module
writes it and how long it lives. A key not in this table is a test failure
(tests/test_app.py), so a new one is listed, with its owner and lifetime, before it is used.

Lifetimes:
- session: from a session's first run until it ends (page switches included);
- run: rewritten by every run (a value for the parts drawn later in the same run);
- first run: only while a session's first, light run and its follow-up happen;
- widget: a widget's value, kept by Streamlit while the widget is drawn, seeded from the URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STATE, URL_SEEN, CHANGED, DROPPED, PAGE, RUN, CTX = (
    "_state", "_url_seen", "_url_changed", "_dropped", "_page", "_run", "_ctx"
)  # fmt: skip
LIGHT, AFTER_LIGHT, LIGHT_TICKS, LIGHT_RUN_OVER = (
    "_light", "_after_light", "_light_ticks", "_light_run_over"
)  # fmt: skip
DEVICE, LANG_WIDGET, ZOOM, FULL_RUN = "_device", "w_lang", "_map_zoom", "_chip_clicked"
NOTICE = "_notice"


@dataclass(frozen=True)
class Entry:
    name: str  # the key, or a pattern with {} for a family of keys
    owner: str  # the module that writes it (cbec/ui/...)
    lifetime: str  # session, run, first run, widget
    what: str


TABLE: tuple[Entry, ...] = (
    # the view and the run (cbec/ui/shared.py)
    Entry(STATE, "shared", "session", "the view's State (survives page switches)"),
    Entry(URL_SEEN, "shared", "session", "the query string the app last read or wrote"),
    Entry(CHANGED, "shared", "run", "the URL keys this run read from the URL"),
    Entry(DROPPED, "shared", "run", "link values dropped in this run, for the one notice"),
    Entry(NOTICE, "shared", "session", "the notice shown, and the view it was shown with"),
    Entry(PAGE, "shared", "run", "the page this run shows"),
    Entry(RUN, "shared", "run", "this run's Run (dataset, state, translator)"),
    Entry(CTX, "shared", "run", "what valid URL values are, for links drawn after the page"),
    Entry(LIGHT, "shared", "first run", "this run draws only the first screen"),
    Entry(AFTER_LIGHT, "shared", "first run", "the full run that follows a light one"),
    Entry(LIGHT_TICKS, "firstpaint", "first run", "ticks of the light page's fallback timer"),
    Entry(LIGHT_RUN_OVER, "map", "first run", "the light run has drawn all it draws"),
    Entry(DEVICE, "probe", "session", "phone or desktop, from the User-Agent, asked once"),
    Entry("{}_probe", "probe", "widget", "a map's companion: width, painted, picks"),
    Entry("_{}_probe", "probe", "session", "the width its map's companion last reported"),
    Entry("_{}_probe_gen", "probe", "session", "its map redrawn anew for a width: how often"),
    Entry("_pages_{}", "frame", "session", "the st.Page objects, titled in a language"),
    Entry(LANG_WIDGET, "frame", "widget", "the language switch"),
    # the map page (cbec/ui/map.py)
    Entry(ZOOM, "map", "session", "zoom steps from the fitted view (the zoom buttons)"),
    Entry(FULL_RUN, "map", "run", "a chip changed a filter: the whole page reruns"),
    Entry("w_batch", "map", "widget", "batch filter"),
    Entry("w_region", "map", "widget", "region filter"),
    Entry("w_province", "map", "widget", "province filter"),
    Entry("w_q", "map", "widget", "name search"),
    Entry("w_day", "map", "widget", "the date slider (approval dates)"),
    Entry("w_day_any", "map", "widget", "any date"),
    Entry("w_color", "map", "widget", "colour mode"),
    Entry("w_zone", "map", "widget", "the selected zone (picker, click, nearest buttons)"),
    Entry("w_basemap", "map", "widget", "the visitor's own switch to an online basemap"),
    # the other pages
    Entry("w_rp_date", "regional_priorities", "widget", "the date of the provinces map"),
    Entry("w_rp_province", "regional_priorities", "widget", "the selected province"),
    Entry("w_nz_mode", "nearest_zone", "widget", "city from the list or a typed place"),
    Entry("w_nz_city", "nearest_zone", "widget", "the chosen city (adcode)"),
    Entry("w_nz_place", "nearest_zone", "widget", "the typed place"),
    Entry("w_nz_k", "nearest_zone", "widget", "how many zones to list"),
)


def pages(lang: str) -> str:
    return f"_pages_{lang}"


def probe_width(probe: str) -> str:
    """Where a map companion's last reported width is kept (`probe` is its widget key)."""
    return f"_{probe}"


def probe_generation(probe: str) -> str:
    """How many times a map companion's map was drawn anew for a new width."""
    return f"_{probe}_gen"


def known(name: str) -> bool:
    """Whether `name` is in the table (a family's pattern matches any non-empty part)."""
    for e in TABLE:
        pattern = "^" + re.escape(e.name).replace(r"\{\}", "[a-z0-9]+") + "$"
        if re.match(pattern, name):
            return True
    return False
