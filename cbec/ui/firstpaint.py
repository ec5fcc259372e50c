"""A browser's first run of the map page is light: it sends only the first screen (the headline,
the filters, the map with its points inline), so that the map's code and data are not queued
behind the code of every table and chart; the full page follows as soon as the map has set up
its layers (the map companion's "painted" report, cbec.ui.probe), or from a timer in case that
report never comes. See design.md on first paint, and README "First paint and first use"."""

from __future__ import annotations

import streamlit as st

from cbec.ui.keys import AFTER_LIGHT, LIGHT, LIGHT_TICKS, probe_width


def light() -> bool:
    """Whether this run is a browser's first: it then sends only what the first screen needs
    (the headline, the map), so that the map's code and data are not queued behind the code of
    every table and chart; the rest follows in the next run, which the page asks for as soon
    as the map has set up its layers (the probe's "painted" report, or fallback_finish)."""
    return bool(st.session_state.get(LIGHT))


def finish_light() -> None:
    """Ask for the full page (from the probe's "painted" report or the fallback timer)."""
    if light():
        st.session_state[LIGHT] = False
        st.session_state[AFTER_LIGHT] = True
        st.rerun(scope="app")


def after_light() -> bool:
    """Whether this run is the full one that follows a light run (until its end)."""
    return bool(st.session_state.get(AFTER_LIGHT))


def width_reported(probe: str) -> bool:
    """Whether the map's companion `probe` has reported its column's width (until then a map
    is fitted to a guess from the browser's kind)."""
    return probe_width(probe) in st.session_state


LIGHT_TICK = 3  # seconds between the light run's timer ticks
LIGHT_SILENT = 9  # seconds a light page waits for its map's companion to report at all
LIGHT_LONGEST = 30  # seconds a light page waits for its map's "painted" report at most


def fallback_due(ticks: int, silent: bool) -> bool:
    """Whether the light page's timer, at its tick `ticks` (0 when drawn), asks for the full
    page: after LIGHT_SILENT seconds if the map's companion has not reported at all (its script
    did not load), after LIGHT_LONGEST in any case. Not at the first tick: on a throttled phone
    the companion's first report came 2.8-3.4 s after the light run, and a full page asked for
    at 3 s queued the table's and the charts' code (2 MB) before the map's, drawing the points
    at 20 s instead of 11.5 s (benchmarks/first_paint.py, phone, 3 runs in 4)."""
    waited = ticks * LIGHT_TICK
    return waited >= (LIGHT_SILENT if silent else LIGHT_LONGEST)


@st.fragment(run_every=LIGHT_TICK)
def fallback_finish(probe: str) -> None:
    """A timer, drawn on a light run only, in case the map's "painted" report never comes (see
    fallback_due). While the probe is alive the page waits for it: on a phone on 4G the map's
    code takes 5-10 s to arrive, and a full page asked for sooner queued the table's and the
    charts' code (2 MB) before it. (Not drawn in later runs, so it stops.)"""
    ticks = st.session_state.get(LIGHT_TICKS, 0)
    st.session_state[LIGHT_TICKS] = ticks + 1
    if fallback_due(ticks, silent=not width_reported(probe)):
        finish_light()
