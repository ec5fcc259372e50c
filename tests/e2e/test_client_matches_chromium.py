"""The websocket client sees what Chromium draws: for the same URL, the same number of elements
and the same number of each kind (Streamlit wraps every element in one stElementContainer and
names each kind in a data-testid)."""

from __future__ import annotations

import contextlib
import json

import pytest

from support import browser
from support.streamlit_client import StreamlitClient, run_sync

# Element kind (the ForwardMsg's Element oneof) -> data-testid, where not "st" + CamelCase.
TESTID = {
    "multiselect": "stMultiSelect",
    "dataframe": "stDataFrame",
    "bidi_component": "stBidiComponentIsolated",  # components v2 (the map width probe)
    "imgs": "stImage",  # st.image (the share panel's QR code)
}
COUNT_TESTIDS = """() => { const c = {};
  for (const el of document.querySelectorAll('[data-testid]')) {
    const t = el.getAttribute('data-testid'); c[t] = (c[t] || 0) + 1; }
  return c; }"""


def kind_testid(kind: str) -> str:
    return TESTID.get(kind, "st" + "".join(w.capitalize() for w in kind.split("_")))


@pytest.mark.parametrize(
    "path,query",
    [("", "batch=1&batch=2&region=west&zone=xian"), ("nearest_zone", "city=330100&k=3")],
)
def test_same_elements_as_chromium(page, server_url, path, query):
    async def open_session():
        async with StreamlitClient(server_url) as c:
            return await c.open(path, query)

    seen = run_sync(open_session())
    page.goto(f"{server_url}/{path}?{query}")
    browser.wait_for_app(page)
    expected = {kind_testid(kind): n for kind, n in seen.elements.items()}
    expected["stElementContainer"] = sum(seen.elements.values())
    # Some kinds (the deck, charts) mount their test id only once their code has loaded.
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):  # the assertions below say what differs
        page.wait_for_function(
            f"""() => {{ const want = {json.dumps(expected)};
              return Object.entries(want).every(([t, n]) =>
                document.querySelectorAll(`[data-testid="${{t}}"]`).length === n); }}""",
            timeout=15000,
        )
    dom = page.evaluate(COUNT_TESTIDS)

    assert seen.ok, seen.exceptions
    assert sum(seen.elements.values()) == dom["stElementContainer"] > 10
    drawn = {kind: dom.get(kind_testid(kind), 0) for kind in seen.elements}
    assert drawn == dict(seen.elements)
