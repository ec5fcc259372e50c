"""What frames every page: the list of pages, the header with the navigation and language links
(real links that carry each page's view, so Back and Forward and shared links all work), and
the few style rules Streamlit has no option for."""

from __future__ import annotations

import html

import streamlit as st

from cbec import i18n, urlstate
from cbec.ui import keys, shared

PAGE_FILES = {
    urlstate.MAP: ("pages/map.py", ":material/map:", "nav_map"),
    urlstate.PRIORITIES: ("pages/regional_priorities.py", ":material/bar_chart:", "nav_priorities"),
    urlstate.NEAREST: ("pages/nearest_zone.py", ":material/near_me:", "nav_nearest"),
    urlstate.DATA: ("pages/data_and_sources.py", ":material/table:", "nav_data"),
}

# Static rules, no data in them: the map area shows the sea colour while it loads; a tooltip may
# leave the map's box rather than be cut off; what the keyboard reaches shows a focus ring where
# Streamlit draws none (page links, the map, table and chart toolbars); on a phone the
# sidebar's toggle says what it opens.
CSS = """
<style>
[data-testid="stDeckGlJsonChart"] { background: #d6e2e9; border-radius: 4px; }
[data-testid="stDeckGlJsonChart"], [data-testid="stDeckGlJsonChart"] > div {
  overflow: visible !important; }
.deck-tooltip { z-index: 20 !important; }
/* A map is never faded while the page reruns (Streamlit fades a stale element to 33% after
   0.5 s): its deck updates in place, and a faded map read as points and land gone. */
[data-testid="stElementContainer"][data-stale="true"]:has([data-testid="stDeckGlJsonChart"]) {
  opacity: 1 !important; transition: none !important; }
[data-testid="stPageLink-NavLink"]:focus-visible, [data-testid="stDeckGlJsonChart"]:focus-visible,
[data-testid^="stBaseButton-elementToolbar"]:focus-visible {
  outline: 2px solid #0072b2 !important; outline-offset: 2px; }
[data-testid="stExpandSidebarButton"]::after {
  content: var(--cbec-filters-label, "Filters"); font-size: 0.9rem; margin-left: 0.25rem;
}
[data-testid="stMetricValue"] > div { overflow: visible; text-overflow: clip; white-space: nowrap; }
[data-testid="stMetricLabel"] p { white-space: normal; }
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] .stMarkdownEllipsis,
[data-testid="stMetricDelta"] p { white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; max-width: 100%; height: auto; }
.cbec-metrics [data-testid="stElementContainer"],
[data-testid="stHorizontalBlock"]:has([data-testid="stMetric"])
  > [data-testid="stElementContainer"] {
  flex: 1 1 0 !important; min-width: 150px !important;
}
@media (max-width: 640px) { h4 { font-size: 1.1rem !important; } }
.block-container { padding-top: 4.4rem; }
/* A nearest zone's button shows its whole name, on as many lines as it needs. */
.st-key-cbec-near button { height: auto; text-align: left; }
.st-key-cbec-near button p { white-space: normal !important; }
/* On a touch screen a table's toolbar is always shown, above the table: room for it, so it
   covers no heading. */
@media (hover: none) { [data-testid="stDataFrame"] { margin-top: 2.4rem; } }
</style>
"""


def pages() -> dict[str, st.Page]:
    """The four pages, titled in the visitor's language (known before navigation runs). Made
    once per session and language: st.Page resolves its file's path on the disk, a sizeable
    share of a rerun under load. (Not shared between sessions: st.navigation marks the page
    object it returns, and two sessions would race on that mark.)"""
    lang = shared.lang_hint()
    key = keys.pages(lang)
    if key not in st.session_state:
        tr = i18n.tr(lang)
        st.session_state[key] = {
            pid: st.Page(path, title=tr.text(title), icon=icon, default=pid == urlstate.MAP)
            for pid, (path, icon, title) in PAGE_FILES.items()
        }
    return st.session_state[key]


def page_id(page) -> str:
    path = page.url_path or ""
    return path if path in PAGE_FILES else urlstate.MAP


def header(top, pages: dict, current: str) -> None:
    """The title with the language switch at its right, then one link per page carrying that
    page's view; drawn last (into a container at the top) so every link carries the view this
    run ended on."""
    state, ctx = st.session_state[shared.STATE], st.session_state.get(shared.CTX)
    tr = i18n.tr(state.lang)
    with top:
        st.html(CSS.replace('"Filters"', f'"{tr.text("filters_toggle")}"'))
        with st.container(horizontal=True, vertical_alignment="center", gap="small",
                          horizontal_alignment="distribute"):  # fmt: skip
            st.html(
                # the page's one h1, small: the headline under it carries the message; on a
                # phone too, so a shared link says what it is before anything else
                f'<h1 class="cbec-brand" style="font-size:1rem;font-weight:600;margin:0;'
                f'padding:0;line-height:1.6">{html.escape(tr.text("app_title"))}</h1>',
                width="content",
            )
            st.segmented_control(
                tr("lang_label"),
                i18n.LANGS,
                format_func=lambda code: i18n.LANG_NAMES[code],
                required=True,
                key=shared.LANG_WIDGET,
                label_visibility="collapsed",
                help=tr.text("lang_help"),
            )
        every = urlstate.encode(state, ctx) if ctx else None  # once, for every page's link
        with st.container(horizontal=True, vertical_alignment="center", gap="small"):
            for pid, page in pages.items():
                st.page_link(
                    page,
                    label=tr.text(PAGE_FILES[pid][2]),
                    icon=PAGE_FILES[pid][1],
                    query_params=urlstate.for_page(every, pid) if every is not None else None,
                    disabled=pid == current,
                )
