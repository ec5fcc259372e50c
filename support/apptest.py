"""Helpers to drive and read dashboard.py in AppTest, and the tests' one touch of Streamlit's
private PagesManager."""

from __future__ import annotations

import json
from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from cbec import paths


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
            PagesManager(str(paths.ROOT / "dashboard.py"), setup_watcher=False)
            return bool(PagesManager.uses_pages_directory)
        finally:
            PagesManager.uses_pages_directory = saved
    return bool(PagesManager.uses_pages_directory)


def open_app(params: dict[str, str | list[str]] | None = None, page: str | None = None) -> AppTest:
    """A new session that opens `page` (default: the map) with `params`, as a shared link
    does: the first run is that page's."""
    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    if page:
        at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def deltas(at: AppTest) -> dict[str, str]:
    return {m.label: m.delta for m in at.metric}


def deck(at: AppTest, index: int = 0) -> dict:
    charts = at.get("deck_gl_json_chart")
    return json.loads(charts[index].proto.json)


def layers(at: AppTest) -> dict[str, dict]:
    return {layer["id"]: layer for layer in deck(at)["layers"]}


def records(layer: dict) -> list[dict]:
    """A layer's data: inline, or the points file the URL names (as the browser fetches it)."""
    if isinstance(layer["data"], list):
        return layer["data"]
    url = layer["data"]
    assert url.startswith("app/static/"), url
    return json.loads((paths.ROOT / "static" / url.removeprefix("app/static/")).read_text("utf-8"))


def drawn(at: AppTest, layer_id: str = "zones") -> list[dict]:
    """The records a layer draws after deck.gl's DataFilterExtension: category filters and the
    value range, applied as the GPU applies them."""
    return deck_drawn(deck(at), layer_id)


def deck_drawn(spec: dict, layer_id: str = "zones") -> list[dict]:
    """As `drawn`, for a deck's JSON spec however it was received (AppTest or websocket)."""
    layer = {lyr["id"]: lyr for lyr in spec["layers"]}.get(layer_id)
    if layer is None:
        return []
    rows = records(layer)
    if "filterRange" not in layer and "filterCategories" not in layer:
        return rows
    lo, hi = layer.get("filterRange", [float("-inf"), float("inf")])
    value = layer.get("getFilterValue", "@@=a").removeprefix("@@=")
    category = layer.get("getFilterCategory", "").removeprefix("@@=")
    cats = layer.get("filterCategories")
    names = [c.strip() for c in category.strip("[]").split(",")] if category else []
    wanted = ([cats] if len(names) == 1 else cats) if cats is not None else []
    out = []
    for r in rows:
        if not lo <= r[value] <= hi:
            continue
        if all(r[n] in set(w) for n, w in zip(names, wanted, strict=True)):
            out.append(r)
    return out


def drawn_ids(at: AppTest, layer_id: str = "zones") -> list[str]:
    return [r["id"] for r in drawn(at, layer_id)]


def table(at: AppTest):
    """The zones table (the dataframe whose index is the zone id)."""
    for df in at.dataframe:
        value = df.value
        value = getattr(value, "data", value)  # a Styler holds its frame in .data
        if value.index.name == "zone_id":
            return value
    raise AssertionError("no zones table")


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def text(at: AppTest) -> str:
    """All Markdown, captions and alerts of the page, without the escaping backslashes."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in (*at.info, *at.warning, *at.error, *at.success)]
    return "\n".join(parts).replace("\\", "")


NOTICE_ICON = ":material/link_off:"  # the one notice of dropped values (cbec.ui.shared.notice)


def notices(at: AppTest) -> list[str]:
    """The notices of values a link or a client sent that the app did not use."""
    return [i.value for i in at.info if i.icon == NOTICE_ICON]


def params(at: AppTest) -> dict[str, list[str]]:
    """The URL's query parameters, every value as a list."""
    out = {}
    for k in at.query_params:
        v = at.query_params[k]
        out[k] = [v] if isinstance(v, str) else list(v)
    return out


def path_to(at: AppTest, kind: str = "deck_gl_json_chart") -> list[list[tuple[str, str]]]:
    """The page's shape on the way to the first element of `kind`: at each level from the page's
    main block down, the kinds and keys of the nodes before it and of the one that holds it.
    Two views with the same path have the element in the same place; Streamlit's browser
    keeps an element's state (a map's zoom) only while nothing before it comes or goes."""

    def key(node) -> str:
        pid = getattr(getattr(node, "proto", None), "id", "") or ""
        return pid.split("-", 2)[2] if pid.startswith("$$ID-") else ""

    def holds(node) -> bool:
        return node.type == kind or any(holds(c) for c in getattr(node, "children", {}).values())

    levels, node = [], at.main
    while node.type != kind:
        children = [c for _, c in sorted(node.children.items())]
        here = next(i for i, c in enumerate(children) if holds(c))
        levels.append([(c.type, key(c)) for c in children[: here + 1]])
        node = children[here]
    return levels
