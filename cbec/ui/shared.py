"""The Streamlit glue every page shares: cached data, the error block, state kept in the URL.

Thin on purpose: the logic it calls lives in data, filters and urlstate.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import quote, urlsplit

import streamlit as st

from cbec import data, i18n, places, urlstate
from cbec.data import DataError, Dataset, load
from cbec.urlstate import State, UrlContext

STATE = "_state"  # session key of the current State (survives page switches)
NOTICE = "_url_notice"


# cache_resource, not cache_data: cache_data hands out a pickled copy of the frames on every
# call (4-5 ms each, several calls a rerun); the frames are only ever read, never changed.
@st.cache_resource(show_spinner=False, max_entries=4)
def _dataset(data_dir: str, today: dt.date) -> Dataset:
    return load(Path(data_dir), when=today)


def dataset() -> Dataset:
    """The joined data, cached; on bad files one readable error block, then the page stops."""
    try:
        return _dataset(str(data.data_dir()), dt.date.today())
    except DataError as exc:
        lines = "\n".join(f"- `{p}`" for p in exc.problems)
        st.error(f"{i18n.t(_lang(), 'data_error')}\n\n{lines}")
        st.stop()
        raise  # unreachable: st.stop() ends the run


def _lang() -> str:
    """The language before the state is known (for the data error block)."""
    if STATE in st.session_state:
        return st.session_state[STATE].lang
    return "zh" if st.query_params.get("lang") == "zh" else "en"


@st.cache_resource(show_spinner=False, max_entries=4)
def _context(data_dir: str, today: dt.date) -> UrlContext:
    ds = _dataset(data_dir, today)
    return UrlContext(
        batches=tuple(int(b) for b in ds.batches["batch"]),
        regions=tuple(i18n.REGION_ZH),
        provinces=tuple(ds.provinces["province_en"]),
        zones=frozenset(ds.zones["zone_id"]),
        today=today,
        cities=frozenset(_prefectures(data_dir)["adcode"]),
    )


@st.cache_resource(show_spinner=False, max_entries=4)
def _prefectures(data_dir: str):
    return places.load_prefectures(Path(data_dir))


@st.cache_resource(show_spinner=False, max_entries=4)
def _places(data_dir: str):
    return places.load_places(Path(data_dir))


def gazetteer():
    """The offline gazetteer: (prefecture-level divisions, GeoNames places), cached."""
    d = str(data.data_dir())
    return _prefectures(d), _places(d)


def context() -> UrlContext:
    dataset()  # stops the page with the error block if the data files are broken
    return _context(str(data.data_dir()), dt.date.today())


def state() -> State:
    """The session's state; on a session's first run it is read from the URL."""
    if STATE not in st.session_state:
        decoded, dropped = urlstate.decode(_query_params(), context())
        st.session_state[STATE] = decoded
        st.session_state[NOTICE] = dropped
    return st.session_state[STATE]


def save(new: State) -> None:
    """Keep the state for this session and write its non-default values to the URL."""
    st.session_state[STATE] = new
    wanted = urlstate.encode(new, context())
    for key in urlstate.KEYS:
        if key in wanted:
            value = wanted[key]
            if st.query_params.get_all(key) != ([value] if isinstance(value, str) else value):
                st.query_params[key] = value
        elif key in st.query_params:
            del st.query_params[key]


def url_notice(lang: str) -> None:
    """Once per session: say which parts of the link were ignored."""
    dropped = st.session_state.pop(NOTICE, None)
    if dropped:
        st.toast(i18n.t(lang, "url_ignored", items=", ".join(dropped)))


def entrypoint_first() -> None:
    """Make sure dashboard.py runs before any page.

    With a `pages/` folder next to it, Streamlit starts in its old "pages directory" mode and
    runs a page script on its own (no title, no language switch, the wrong sidebar) until some
    run calls `st.navigation`, e.g. when a shared link to a page is the first request a fresh
    server gets. A page that finds itself run that way switches the old mode off and reruns, so
    dashboard.py, st.navigation and then this page run as they should.
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


def _query_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def zone_downloads(zones, lang: str, stem: str, key: str) -> None:
    """CSV and GeoJSON of exactly `zones`, built only when clicked (deferred), side by side."""
    from cbec import export

    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button(
        i18n.t(lang, "download_csv"),
        lambda: export.to_csv(zones),
        file_name=f"{stem}.csv",
        mime="text/csv",
        on_click="ignore",
        key=f"{key}_csv",
    )
    c2.download_button(
        i18n.t(lang, "download_geojson"),
        lambda: export.to_geojson(zones),
        file_name=f"{stem}.geojson",
        mime="application/geo+json",
        on_click="ignore",
        key=f"{key}_geojson",
    )
