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

import contextlib
import datetime as dt
import functools
import hashlib
import logging
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from urllib.parse import quote, urlsplit

import streamlit as st

from cbec import data, export, i18n, paths, urlstate, vocab
from cbec.data import Dataset
from cbec.schema import DataError, headline
from cbec.ui.firstpaint import light
from cbec.ui.keys import (
    AFTER_LIGHT,
    CHANGED,
    CTX,
    DROPPED,
    LANG_WIDGET,
    LIGHT,
    NOTICE,
    PAGE,
    RUN,
    STATE,
    URL_SEEN,
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
            regions=tuple(vocab.REGIONS),
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
    return _digest(run.ds.version or (str(paths.data_dir()), run.today))


@functools.lru_cache(maxsize=64)
def _digest(version: tuple) -> str:
    return hashlib.sha1(repr(version).encode()).hexdigest()[:16]


def key(run: Run, *parts) -> str:
    """A cache key for a view: the data version and `parts` (validated state: dataclasses of
    numbers, dates and strings), as one short string, cheap for Streamlit to hash."""
    return version(run) + hashlib.sha1(repr(parts).encode()).hexdigest()[:20]


def per_view(max_entries: int):
    """Cache a function `f(run, *inputs)` that draws (Streamlit replays its elements) or builds
    part of a page, under a key made of the data version and every one of its `inputs`
    (validated state: frozen dataclasses, strings, numbers, with a faithful repr). The function
    reads the dataset from `run` and everything else from `inputs`, so nothing it depends on
    can be left out of its key (a hand-made key beside a derived argument could go stale)."""

    def wrap(fn):
        def cached(key: str, _run: Run, _inputs: tuple):  # only `key` is hashed
            return fn(_run, *_inputs)

        # Streamlit tells cached functions apart by module and name: give this one fn's.
        cached.__module__, cached.__qualname__ = fn.__module__, fn.__qualname__
        cached = st.cache_resource(show_spinner=False, max_entries=max_entries)(cached)

        @functools.wraps(fn)
        def call(run: Run, *inputs):
            return cached(key(run, *inputs), run, inputs)

        return call

    return wrap


def current() -> Run:
    """This run's Run, made by dashboard.py before the page script runs."""
    return st.session_state[RUN]


def end(finished: bool = True) -> None:
    """End of a full run: what the URL changed has been seeded into the widgets; a fragment's
    run that follows must not seed again (it would undo the visitor's pick). A run that drew
    the whole page (not a first, light one) ends with an empty mark, so a browser test (or a
    screenshot) can tell a complete page from one whose full run has not begun. Only a run
    that `finished` ends the first run's follow-up: one interrupted by a rerun request (a
    width or "painted" report) did not send its deck, and the rerun must again keep the inline
    points beneath (the points vanished for 1.5 s on a busy phone when it did not)."""
    st.session_state[CHANGED] = set()
    if not light() and finished:
        st.session_state[AFTER_LIGHT] = False
        st.html('<span id="cbec-ready" hidden></span>')


def url_changed(key: str) -> bool:
    """Whether this run read `key` from the URL (a link, Back, Forward, an edited address):
    the widgets that show it must follow the URL, not their stale value."""
    return key in st.session_state.get(CHANGED, set())


def link_too_long(fields: int, chars: int) -> None:
    """The browser's link was over Streamlit's limits, so the page shows the default view:
    the one notice says so, and the address bar gets the view as the app reads it."""
    run = st.session_state.get(RUN)
    if run is None:
        return
    drop([run.tr.text("url_too_long", fields=f"{fields:,}", chars=f"{chars:,}")])
    st.query_params.from_dict(urlstate.encode(run.state, run.ctx, run.page))
    st.session_state[URL_SEEN] = _url()


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


def fragment_run() -> bool:
    """Whether this run reruns only a fragment (dashboard.py's end of a run does not run)."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def notice(tr: i18n.For, where=None) -> None:
    """The one notice: every value that was dropped, named once, in `where` (the top of the
    page) until the visitor's next change, not only in the run that dropped them: the runs a
    page makes by itself (the map's width, its first paint) took it away within 2 s. (A toast
    vanished while the junk stayed in the address bar: the address is cleaned as well, see
    `begin`.)"""
    dropped = list(dict.fromkeys(st.session_state.get(DROPPED, [])))
    st.session_state[DROPPED] = []
    state, run = st.session_state.get(STATE), st.session_state.get(RUN)
    if not dropped:
        kept = st.session_state.get(NOTICE)
        if kept is None or kept[1] != state:  # the visitor has changed the view since
            st.session_state.pop(NOTICE, None)
            return
        if kept[2] is run:  # shown in this run already (a fragment's part of a full run)
            return
        dropped = kept[0]
    st.session_state[NOTICE] = (dropped, state, run)
    shown = dropped[:8]
    more = len(dropped) - len(shown)
    items = tr.join(shown) + (tr.text("url_ignored_more", n=more) if more else "")
    (where or st).info(tr("url_ignored", items=items), icon=":material/link_off:")


# --- page frame ---------------------------------------------------------------------------------


@contextlib.contextmanager
def guard(tr: i18n.For) -> Iterator[None]:
    """A bug shows as one plain sentence; the details go to the server's log, never to the
    visitor (client.showErrorDetails is "none" as well)."""
    try:
        yield
    except Exception as exc:
        _log_failure(exc)
        st.error(tr("unexpected_error"), icon=":material/error:")


def guarded(callback: Callable[..., object]) -> Callable[..., None]:
    """A widget's callback under `guard`. Streamlit runs callbacks before the script, outside
    the page's guards, and shows what they raise with the details client.showErrorDetails
    allows; Streamlit Community Cloud forces it to false, which Streamlit 1.67 reads as
    "stacktrace" (the file paths and lines of the server's code)."""

    @functools.wraps(callback)
    def run(*args: object, **kwargs: object) -> None:
        with guard(i18n.tr(lang_hint())):
            callback(*args, **kwargs)

    return run


_FAILURES: dict[tuple[str, str], int] = {}  # (session, error) -> times seen
_FAILURES_LOCK = threading.Lock()


def _log_failure(exc: BaseException) -> None:
    """The first failure of its kind in a session goes to the log with its traceback; repeats
    only as a count, at the 10th, 100th, 1000th...: a client repeating a message that fails
    wrote 2.4 KB of traceback per message, about 741 MB an hour."""
    n, key = _count(exc)
    if n == 1:
        log.error("page failed\n%s", _innermost(exc))
    elif _round(n):
        log.error("page failed %d times in session %s: %s", n, key[0][:8], key[1])


def _innermost(exc: BaseException, frames: int = 20) -> str:
    """The traceback's innermost frames: a RecursionError's whole traceback, on Python 3.13,
    was 10,000 lines (470 KB), logged once per session, and sessions are free to open."""
    return "".join(traceback.format_exception(exc, limit=-frames)).rstrip()


def _count(exc: BaseException) -> tuple[int, tuple[str, str]]:
    """How many times this session has failed this way (this one included), and the key."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb is not None else "?"
    # keyed by where it was raised, not by its message (which may echo a forged value)
    key = (getattr(ctx, "session_id", "") or "", f"{type(exc).__name__} at {where}")
    return _tally(key), key


def _tally(key: tuple[str, str]) -> int:
    """How many times `key` (a session, a kind of failure) has been seen, this one included."""
    with _FAILURES_LOCK:
        if len(_FAILURES) > 10_000:  # bounded whatever the sessions
            _FAILURES.clear()
        n = _FAILURES[key] = _FAILURES.get(key, 0) + 1
    return n


def _round(n: int) -> bool:
    """The repeats that are logged as a count: the 10th, 100th, 1000th..."""
    return str(n).strip("0") == "1" and n > 1


class _OnceEach(logging.Filter):
    """On Streamlit's own "Uncaught app execution" log: what fails before the app's code
    runs (a forged widget value Streamlit cannot decode, such as a map pick nested 2,000
    deep, raised RecursionError in its JSON decoder) is logged as the app logs its own
    failures, a traceback once per session and kind, then a count. Each such message wrote
    2.6 KB of traceback (518 KB for 200 messages)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None:
            return True
        n, key = _count(exc)
        if n == 1:
            record.msg, record.args = "%s\n%s", (record.getMessage(), _innermost(exc))
            record.exc_info, record.exc_text = None, None
            return True
        if _round(n):
            record.msg, record.args, record.exc_info = (
                "Uncaught app execution %d times in session %s: %s", (n, key[0][:8], key[1]),
                None,
            )  # fmt: skip
            record.exc_text = None
            return True
        return False


class _UnraisableOnce:
    """sys.unraisablehook: an error Python can only print ("Exception ignored in ...") is
    printed once per kind, then counted. On Python 3.13 a map pick nested 2,000 deep is
    decoded, and freeing it raised RecursionError in a WeakSet callback, printed with its
    traceback for 111 of 200 such messages (2.4 KB each)."""

    def __init__(self, previous: Callable[..., object]) -> None:
        self.previous = previous

    def __call__(self, unraisable: object) -> None:
        exc, obj = getattr(unraisable, "exc_value", None), getattr(unraisable, "object", None)
        key = f"{type(exc).__name__} in {getattr(obj, '__qualname__', type(obj).__name__)}"
        n = _tally(("", key))  # Python frees values in no session's thread
        if n == 1:
            self.previous(unraisable)
        elif _round(n):
            log.error("ignored %d times: %s", n, key)


def _filter_streamlits_log() -> None:
    """Once per process: a module reloaded after an edit (fileWatcherType auto) replaces its
    filter, whose class is then another object with the same name."""
    target = logging.getLogger("streamlit.error_util")
    for old in [f for f in target.filters if type(f).__name__ == _OnceEach.__name__]:
        target.removeFilter(old)
    target.addFilter(_OnceEach())
    hook = sys.unraisablehook
    while type(hook).__name__ == _UnraisableOnce.__name__:  # this module, loaded again
        hook = hook.previous  # type: ignore[attr-defined]
    sys.unraisablehook = _UnraisableOnce(hook)


_filter_streamlits_log()


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
