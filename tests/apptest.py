"""Helpers to drive and read dashboard.py in AppTest."""

from __future__ import annotations

import json
from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from cbec import data


def run_like_a_server() -> Callable[[], None]:
    """Make AppTest run dashboard.py the way a running server does; returns the undo.

    The one place in the tests that touches Streamlit's private PagesManager. A `pages/` folder
    makes Streamlit start in its old "pages directory" mode until the first `st.navigation`
    call switches it off for the life of the server process (cbec.ui.shared.entrypoint_first
    handles that first request). AppTest resets the switch before every run, so from the second
    run on it would run the page script alone, and entrypoint_first's rerun would lose the
    click that caused the run. Keep the switch off, as in a server that has served one request.
    tests/test_app.py checks that Streamlit still behaves so, and fails when the workaround
    has become unnecessary.
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init

    def undo() -> None:
        PagesManager.__init__ = original

    return undo


def pages_directory_mode(fresh: bool = False) -> bool:
    """Whether Streamlit runs in its old pages-directory mode now, or (`fresh`) would start in
    it for dashboard.py, as a new server process does."""
    from streamlit.runtime.pages_manager import PagesManager

    if fresh:
        saved = PagesManager.uses_pages_directory
        PagesManager.uses_pages_directory = None
        try:
            PagesManager(str(data.ROOT / "dashboard.py"), setup_watcher=False)
            return bool(PagesManager.uses_pages_directory)
        finally:
            PagesManager.uses_pages_directory = saved
    return bool(PagesManager.uses_pages_directory)


def open_app(params: dict[str, str | list[str]] | None = None) -> AppTest:
    at = AppTest.from_file(str(data.ROOT / "dashboard.py"), default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def deck(at: AppTest) -> dict:
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def points(at: AppTest) -> list[dict]:
    layer = next(layer for layer in deck(at)["layers"] if layer["id"] == "zones")
    return layer["data"]


def table(at: AppTest):
    """The zones table (the dataframe with a 'document_no' column)."""
    return next(df.value for df in at.dataframe if "document_no" in df.value.columns)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def params(at: AppTest) -> dict[str, list[str]]:
    """The URL's query parameters, every value as a list."""
    out = {}
    for k in at.query_params:
        v = at.query_params[k]
        out[k] = [v] if isinstance(v, str) else list(v)
    return out
