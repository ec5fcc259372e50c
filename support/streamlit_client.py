"""A browser-free client for Streamlit's own websocket protocol, for load tests and for tests
of what a rerun sends.

It speaks to `/_stcore/stream` with the protobuf messages that ship with Streamlit
(`streamlit.proto`): `BackMsg` up, `ForwardMsg` down, one message per websocket frame. It does
what the frontend of the installed Streamlit does (read from its bundle, `static/js/index.*.js`,
and the server's `runtime/app_session.py`), so that the server does the same work as for a
browser:

- the first `rerun_script` carries the URL's query string and the page's path as `page_name`
  (no page hash, no widget states);
- later reruns carry the page's `page_script_hash`, the query string the server last set
  (`page_info_changed`), the widget states the "user" has set for widgets still shown, and the
  hashes of the messages in its message cache, so the server sends a reference instead of an
  element it has already sent (only elements of >= 10 KB, kept for 2 script runs: Streamlit's
  `global.minCachedMessageSize` and `global.maxCachedMessageAge`);
- a page switch sends the target page's hash with an empty query string (the frontend drops the
  query on a page change) and only the states of the entry script's widgets (the sidebar);
- widget values are sent as the frontend sends them: the *label* of an option (what the app's
  `format_func` made), dates as microseconds, a component's event as its JSON trigger.

Widgets are addressed by their user key: Streamlit's widget ids end with it ("$$ID-<hash>-key").

    async with StreamlitClient(url) as c:
        first = await c.open("nearest_zone", "city=330100&k=3")
        r = await c.set("w_nz_k", 7)
        print(r.seconds, r.bytes, r.elements, r.exceptions)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import json
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any, TypeVar
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect as ws_connect

T = TypeVar("T")
STREAM = "/_stcore/stream"
INTERNAL_KEY = "$$STREAMLIT_INTERNAL_KEY"  # the prefix of a component's trigger widget id
EPOCH = dt.datetime(1970, 1, 1)
# What the frontend's ForwardMsg cache keeps: an entry unused for more than this many finished
# script runs is dropped (the server sends it in NewSession.config.max_cached_message_age).
DEFAULT_MAX_CACHED_AGE = 2


class ProtocolError(RuntimeError):
    """The server said something the client cannot follow (or said nothing in time)."""


@dataclass(frozen=True)
class Nth:
    """The n-th option (0-based) of a select widget, whatever its label says (labels change
    with the language and with the app's format_func)."""

    index: int


@dataclass(frozen=True)
class Raw:
    """A value sent as is, unchecked against the widget's options: what a hostile client can
    send (the server must not trust widget values)."""

    value: Any


@dataclass
class Rerun:
    """What one user action cost and produced: from sending the BackMsg to the end of the last
    script run it caused (a script that calls st.rerun() runs more than once)."""

    action: str
    seconds: float = 0.0
    bytes: int = 0  # websocket payload bytes received
    messages: int = 0  # ForwardMsgs received
    deltas: int = 0  # delta ForwardMsgs (elements and blocks), references included
    cache_refs: int = 0  # deltas sent as a reference to the client's message cache
    runs: int = 0  # script runs started (new_session messages)
    status: str = ""  # how the last run ended
    elements: Counter[str] = field(default_factory=Counter)  # kinds shown after the run
    blocks: int = 0  # containers shown after the run (columns, expanders, sidebar...)
    exceptions: list[str] = field(default_factory=list)
    widget_ids: dict[str, str] = field(default_factory=dict)  # user key -> widget id
    page_script_hash: str = ""
    query_string: str = ""

    @property
    def ok(self) -> bool:
        """The run (or the fragment's run) finished and showed no exception."""
        done = ("FINISHED_SUCCESSFULLY", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY")
        return self.status in done and not self.exceptions


@dataclass
class _Widget:
    id: str
    kind: str
    proto: Any  # the element's widget proto (options, data type...)
    script_hash: str  # the script that drew it (entry script or page)
    fragment_id: str = ""  # set when drawn inside an st.fragment: its changes rerun only that


# Not "Mozilla/": the app's first run of a browser is a light one (the map first), which
# these clients do not wait for; not "Mobi": a desktop.
USER_AGENT = "StreamlitClient/1 (tests, websocket; like Gecko)"  # a comma, as browsers have


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end from synchronous code, also where an event loop is already
    running in this thread (playwright's sync API keeps one): then in a worker thread."""
    try:
        asyncio.get_running_loop()
        busy = True
    except RuntimeError:
        busy = False
    if not busy:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def user_key(widget_id: str) -> str | None:
    """The key a widget was given in the script, read from its id ("$$ID-<hash>-<key>")."""
    if not widget_id.startswith("$$ID-"):
        return widget_id or None  # a widget given an explicit id
    key = widget_id.split("-", maxsplit=2)[-1]
    return None if key == "None" else key


def _status_name(value: int) -> str:
    return ForwardMsg.ScriptFinishedStatus.Name(value)


class StreamlitClient:
    """One browser tab's session, without the browser. Not thread-safe; one task at a time."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 60.0,
        headers: Mapping[str, str] | None = None,
        timezone: str = "UTC",
        locale: str = "en-US",
        user_agent: str = USER_AGENT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        # One User-Agent on every request and on the websocket, as a browser sends (a balancer
        # may place a browser without its cookie by address and user agent: deploy/)
        self.extra_headers = {"User-Agent": user_agent, **(headers or {})}
        self.cookies: dict[str, str] = {}
        self.timezone, self.locale = timezone, locale
        self.session_id = ""
        self.handshake_headers: dict[str, str] = {}  # of the websocket's 101 (lowercase)
        self.favicon = ""  # st.set_page_config's page_icon: a /media/ URL for a file
        self.query_string = ""
        self.page_script_hash = ""
        self.main_script_hash = ""
        # url_pathname -> page_script_hash ("" is the default page): from st.navigation's
        # message, else (a pages/ directory app) from new_session
        self._nav_pages: dict[str, str] = {}
        self._session_pages: dict[str, str] = {}
        self.widgets: dict[str, _Widget] = {}  # user key (or id) -> widget last drawn
        self.max_cached_age = DEFAULT_MAX_CACHED_AGE
        self._ws: Any = None
        self._path = "/"
        self._states: dict[str, WidgetState] = {}  # widget id -> value the user set
        # The frontend's ForwardMsg cache: hash -> (message, run it was last used in, fragment)
        self._cache: dict[str, tuple[bytes, int, str]] = {}
        self._run_count = 0
        # What the page shows after the last run: delta path -> (kind or "block", Element)
        self._tree: dict[tuple[int, ...], tuple[str, Any]] = {}
        self._drawn: set[str] = set()  # widget ids drawn by the current run

    @property
    def pages(self) -> dict[str, str]:
        """URL path -> page_script_hash of the app's pages ("" is the default page)."""
        return dict(self._nav_pages or self._session_pages)

    # -- connection ---------------------------------------------------------------------

    async def __aenter__(self) -> StreamlitClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def http_get(self, path: str, timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
        """GET a path as this browser would (its cookies sent, Set-Cookie kept): the page
        itself, /_stcore/health, a media URL. Returns (status, headers (lowercase), body)."""

        def get() -> tuple[int, dict[str, str], bytes, list[str]]:
            req = urllib.request.Request(self.base_url + path, headers=self._headers())
            try:
                with urllib.request.urlopen(req, timeout=timeout) as r:
                    return (
                        r.status,
                        dict(r.headers),
                        r.read(),
                        r.headers.get_all("Set-Cookie") or [],
                    )
            except urllib.error.HTTPError as e:
                return e.code, dict(e.headers), e.read(), e.headers.get_all("Set-Cookie") or []

        status, raw_headers, body, set_cookies = await asyncio.to_thread(get)
        headers = {k.lower(): v for k, v in raw_headers.items()}
        self._keep_cookies(set_cookies)
        return status, headers, body

    def _keep_cookies(self, set_cookies: Iterable[str]) -> None:
        for line in set_cookies:
            jar = SimpleCookie()
            jar.load(line)
            self.cookies.update({k: m.value for k, m in jar.items()})

    def _headers(self) -> dict[str, str]:
        h = dict(self.extra_headers)
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return h

    async def connect(self, *, resume: str | None = None) -> None:
        """Open the websocket (no script runs yet). `resume`: a session id to reconnect to, as
        the frontend does after a dropped connection (third Sec-WebSocket-Protocol entry)."""
        parts = urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        uri = f"{scheme}://{parts.netloc}{parts.path}{STREAM}"
        # Entries: the subprotocol, an XSRF token (none: we have no cookie to match), a session.
        protocols = ["streamlit", "xsrf-none", resume] if resume else ["streamlit"]
        self._ws = await ws_connect(
            uri,
            subprotocols=protocols,  # type: ignore[arg-type]
            origin=f"{parts.scheme}://{parts.netloc}",  # type: ignore[arg-type]
            additional_headers={k: v for k, v in self._headers().items() if k != "User-Agent"},
            user_agent_header=self.extra_headers["User-Agent"],
            max_size=None,
            open_timeout=self.timeout,
            ping_interval=None,  # the frontend sends no pings (it answers the server's)
            # Chromium offers permessage-deflate, and Streamlit declines it by default
            # (server.enableWebsocketCompression): payload bytes are what goes over the wire.
            compression=None,
        )
        self.handshake_headers = {k.lower(): v for k, v in self._ws.response.headers.raw_items()}
        self._keep_cookies(self._ws.response.headers.get_all("Set-Cookie"))  # as a browser does

    async def close(self) -> None:
        """Close the websocket, as closing the tab does (the server keeps the session for a
        while, for a reconnect)."""
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    @property
    def connected(self) -> bool:
        return self._ws is not None

    # -- actions --------------------------------------------------------------------------

    async def open(self, page: str = "", query: str = "") -> Rerun:
        """The browser's first run: `page` is the URL path after the base ("" for the default
        page, "nearest_zone"), `query` the query string without "?" ("batch=1&batch=2")."""
        if self._ws is None:
            await self.connect()
        self._path = "/" + page.strip("/")
        self.query_string = query.lstrip("?")  # the URL's, until the app changes it
        state = ClientState(query_string=self.query_string, page_name=page.strip("/"))
        self._context(state)
        return await self._run(BackMsg(rerun_script=state), f"open /{page}?{query}")

    async def set(self, key: str, value: Any) -> Rerun:
        """Change one widget (by its user key) and rerun, as a user's change does."""
        return await self.set_many({key: value})

    async def set_many(self, values: Mapping[str, Any]) -> Rerun:
        """Change several widgets at once (one rerun): e.g. a form."""
        fragments = set()
        for key, value in values.items():
            w = self._widget(key)
            self._states[w.id] = encode_value(w, value)
            fragments.add(w.fragment_id)
        label = ", ".join(f"{k}={v!r}" for k, v in values.items())
        # A widget inside an st.fragment reruns only its fragment (the frontend sends the
        # fragment's id); widgets of different fragments together rerun the whole script.
        fragment = fragments.pop() if len(fragments) == 1 else ""
        return await self._rerun(f"set {label}", fragment)

    async def click(self, key: str) -> Rerun:
        """Press a button (a trigger value, true for this one run only)."""
        w = self._widget(key)
        self._states[w.id] = WidgetState(id=w.id, trigger_value=True)
        try:
            return await self._rerun(f"click {key}", w.fragment_id)
        finally:
            self._states.pop(w.id, None)

    async def trigger(self, key: str, event: str, value: Any) -> Rerun:
        """A component's event (Streamlit's components v2 `setTriggerValue`), for one run only:
        e.g. a click on a map, which the app's map probe reports as ("pick", zone id)."""
        w = self._widget(key)
        tid = f"{INTERNAL_KEY}_{w.id}__events"  # streamlit's _make_trigger_id(base, "events")
        payload = json.dumps([{"event": event, "value": value}])
        self._states[tid] = WidgetState(id=tid, json_trigger_value=payload)
        try:
            return await self._rerun(f"trigger {key}.{event}", w.fragment_id)
        finally:
            self._states.pop(tid, None)

    async def rerun(self) -> Rerun:
        """Rerun with nothing changed (the "Rerun" menu item, or "R")."""
        return await self._rerun("rerun")

    async def switch_page(self, page: str) -> Rerun:
        """Go to another page of an st.navigation app by its URL path ("" = default page), as a
        click in the sidebar navigation does."""
        target = self.pages.get(page.strip("/"))
        if target is None:
            raise KeyError(f"no page {page!r}; pages: {sorted(self.pages)}")
        # The frontend keeps only the entry script's widgets (the shared sidebar) and drops
        # the query string on a page change.
        keep = {w.id for w in self.widgets.values() if w.script_hash == self.main_script_hash}
        states = [s for wid, s in self._states.items() if wid in keep]
        self._path = "/" + page.strip("/")
        state = ClientState(query_string="", page_script_hash=target)
        state.widget_states.widgets.extend(states)
        state.cached_message_hashes.extend(self._cache)
        self._context(state)
        return await self._run(BackMsg(rerun_script=state), f"page /{page}")

    async def clear_cache(self) -> None:
        """Send "clear cache" (any visitor can): clears st.cache_data, st.cache_resource for
        every session and this session's state. No rerun follows by itself."""
        await self._send(BackMsg(clear_cache=True))

    async def stop(self) -> None:
        """Send "stop" (the frontend's Stop button); the run ends with script_finished."""
        await self._send(BackMsg(stop_script=True))

    def elements(self, kind: str) -> list[Any]:
        """The elements of one kind (proto messages: "metric" -> Metric) the page shows after
        the last run, in page order: for asserting on what was sent."""
        return [getattr(el, kind) for _, (k, el) in sorted(self._tree.items()) if k == kind]

    # -- internals ------------------------------------------------------------------------

    def _widget(self, key: str) -> _Widget:
        if key not in self.widgets:
            raise KeyError(f"no widget with key {key!r} was drawn; seen: {sorted(self.widgets)}")
        return self.widgets[key]

    def _context(self, state: ClientState) -> None:
        parts = urlsplit(self.base_url)
        state.context_info.timezone = self.timezone
        state.context_info.timezone_offset = 0
        state.context_info.locale = self.locale
        state.context_info.url = f"{parts.scheme}://{parts.netloc}{parts.path}{self._path}"
        state.context_info.is_embedded = False
        state.context_info.color_scheme = "light"

    def _rerun_msg(self, fragment_id: str = "") -> BackMsg:
        if not self.page_script_hash:
            raise ProtocolError("open() a page first")
        active = {w.id for w in self.widgets.values()}
        state = ClientState(
            query_string=self.query_string,
            page_script_hash=self.page_script_hash,
            fragment_id=fragment_id,
        )
        state.widget_states.widgets.extend(
            s for wid, s in self._states.items() if wid in active or wid.endswith("__events")
        )  # a component's trigger widget is not drawn itself: its component is
        state.cached_message_hashes.extend(self._cache)
        self._context(state)
        return BackMsg(rerun_script=state)

    async def _rerun(self, action: str, fragment_id: str = "") -> Rerun:
        return await self._run(self._rerun_msg(fragment_id), action)

    # -- a hostile client's tools: messages sent without waiting for their runs ---------------

    def rerun_bytes(self) -> bytes:
        """A plain rerun request, as rerun() sends it, to be sent many times (a flood)."""
        return self._rerun_msg().SerializeToString()

    async def send_raw(self, raw: bytes) -> None:
        """Send one message as it is and do not wait for anything."""
        if self._ws is None:
            raise ProtocolError("not connected")
        await self._ws.send(raw)

    async def discard_incoming(self) -> int:
        """Read and drop what the server sends until the socket closes (or the task is
        cancelled); returns the bytes read. A flooding client reads, so the server's own send
        buffer is not what limits it."""
        n = 0
        try:
            while self._ws is not None:
                frame = await self._ws.recv()
                n += len(frame)
        except Exception:  # closed: the server refused or dropped us
            pass
        return n

    async def _send(self, msg: BackMsg) -> None:
        if self._ws is None:
            raise ProtocolError("not connected")
        await self._ws.send(msg.SerializeToString())

    async def _run(self, msg: BackMsg, action: str) -> Rerun:
        result = Rerun(action)
        t0 = time.perf_counter()
        await self._send(msg)
        deadline = t0 + self.timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise ProtocolError(f"{action}: no script_finished within {self.timeout:.0f} s")
            try:
                frame = await asyncio.wait_for(self._ws.recv(), timeout=left)
            except TimeoutError:
                raise ProtocolError(
                    f"{action}: no script_finished within {self.timeout:.0f} s"
                ) from None
            if isinstance(frame, str):
                raise ProtocolError("text frame: Streamlit sends binary protobufs only")
            result.bytes += len(frame)
            result.messages += 1
            if self._handle(ForwardMsg.FromString(frame), frame, result):
                break
        result.seconds = time.perf_counter() - t0
        result.elements = Counter(k for k, _ in self._tree.values() if k != "block")
        result.blocks = sum(1 for k, _ in self._tree.values() if k == "block")
        result.widget_ids = {k: w.id for k, w in self.widgets.items()}
        result.page_script_hash = self.page_script_hash
        result.query_string = self.query_string
        return result

    def _handle(self, msg: ForwardMsg, raw: bytes, result: Rerun) -> bool:
        """Apply one message; True when it ends the action (a run finished for good)."""
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                raise ProtocolError(f"cache miss for {msg.ref_hash}: the server sent a reference")
            self._cache[msg.ref_hash] = (cached[0], self._run_count, cached[2])
            result.cache_refs += 1
            full = ForwardMsg.FromString(cached[0])
            full.metadata.CopyFrom(msg.metadata)
            msg, kind = full, full.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash:
            old = self._cache.get(msg.hash)
            self._cache[msg.hash] = (
                (old[0], self._run_count, old[2])
                if old
                else (raw, self._run_count, msg.delta.fragment_id)
            )

        if kind == "new_session":
            ns = msg.new_session
            result.runs += 1
            if not msg.metadata.run.fragment_ids:  # a full run redraws everything
                self._tree.clear()
                self._drawn.clear()
            self.session_id = ns.initialize.session_id or self.session_id
            self.page_script_hash = ns.page_script_hash
            self.main_script_hash = ns.main_script_hash
            if ns.HasField("config"):
                self.max_cached_age = ns.config.max_cached_message_age
            self._session_pages = _pages(ns.app_pages)
        elif kind == "navigation":
            self._nav_pages = _pages(msg.navigation.app_pages)
            if msg.navigation.page_script_hash:
                self.page_script_hash = msg.navigation.page_script_hash
        elif kind == "page_config_changed":
            self.favicon = msg.page_config_changed.favicon or self.favicon
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "delta":
            result.deltas += 1
            self._delta(msg, result)
        elif kind == "session_event":
            ev = msg.session_event
            if ev.HasField("script_compilation_exception"):
                e = ev.script_compilation_exception
                result.exceptions.append(f"{e.type}: {e.message}")
        elif kind == "page_not_found":
            result.exceptions.append(f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "script_finished":
            status = _status_name(msg.script_finished)
            result.status = status
            if status != "FINISHED_EARLY_FOR_RERUN":
                self._finished(msg)
                return True
        return False

    def _delta(self, msg: ForwardMsg, result: Rerun) -> None:
        path = tuple(msg.metadata.delta_path)
        delta = msg.delta
        dkind = delta.WhichOneof("type")
        if dkind == "add_block":
            self._tree[path] = ("block", delta.add_block)
            return
        if dkind != "new_element":
            return
        el = delta.new_element
        ekind = el.WhichOneof("type") or "empty"
        self._tree[path] = (ekind, el)
        if ekind == "exception":
            result.exceptions.append(f"{el.exception.type}: {el.exception.message}")
        proto = getattr(el, ekind)
        wid = getattr(proto, "id", "") if ekind != "empty" else ""
        if wid:
            key = user_key(wid) or wid
            self.widgets[key] = _Widget(
                wid, ekind, proto, msg.metadata.active_script_hash, delta.fragment_id
            )
            self._drawn.add(wid)
            if getattr(proto, "set_value", False):
                # The script set this widget's value (session_state): the server knows it,
                # and what the user typed before no longer holds.
                self._states.pop(wid, None)

    def _finished(self, msg: ForwardMsg) -> None:
        """End of a run as the frontend handles it: drop widgets no longer drawn, age the
        message cache by one run and drop entries unused for more than max_cached_age runs."""
        fragments = set(msg.metadata.run.fragment_ids)
        if not fragments:
            self.widgets = {k: w for k, w in self.widgets.items() if w.id in self._drawn}
            self._states = {wid: s for wid, s in self._states.items() if wid in self._drawn}
        self._run_count += 1
        # A fragment run ages only that fragment's entries (as the frontend does).
        self._cache = {
            h: entry
            for h, entry in self._cache.items()
            if (fragments and entry[2] not in fragments)
            or self._run_count - entry[1] <= self.max_cached_age
        }


def _pages(pages: Iterable[Any]) -> dict[str, str]:
    out = {}
    for p in pages:
        out[p.url_pathname] = p.page_script_hash
        if p.is_default:
            out[""] = p.page_script_hash
    return out


def encode_value(w: _Widget, value: Any) -> WidgetState:
    """The WidgetState the frontend sends for `value` in widget `w`."""
    s = WidgetState(id=w.id)
    p = w.proto
    if isinstance(value, Raw):
        v = value.value
        if isinstance(v, list | tuple):
            s.string_array_value.data.extend(str(x) for x in v)
        else:
            s.string_value = str(v)
    elif w.kind in ("multiselect", "button_group"):
        labels = _labels(w)
        values = value if isinstance(value, list | tuple) else [value]
        s.string_array_value.data.extend(_label(labels, v, w) for v in values)
    elif w.kind in ("selectbox", "radio"):
        s.string_value = _label(_labels(w), value, w)
    elif w.kind in ("text_input", "text_area"):
        s.string_value = str(value)
    elif w.kind == "checkbox":
        s.bool_value = bool(value)
    elif w.kind == "button":
        s.trigger_value = True
    elif w.kind == "number_input":
        if p.data_type == p.INT:
            s.int_value = int(value)
        else:
            s.double_value = float(value)
    elif w.kind == "slider":
        values = list(value) if isinstance(value, list | tuple) else [value]
        if p.options:  # select_slider: option indices
            labels = list(p.options)
            nums = [float(labels.index(_label(labels, v, w))) for v in values]
        else:
            nums = [_slider_number(p.data_type, v) for v in values]
        s.double_array_value.data.extend(nums)
    elif w.kind == "date_input":
        days = list(value) if isinstance(value, list | tuple) else [value]
        s.string_array_value.data.extend(d.strftime("%Y/%m/%d") for d in days)
    elif w.kind == "deck_gl_json_chart":
        s.string_value = value if isinstance(value, str) else json.dumps(value)
    else:
        raise NotImplementedError(f"setting a {w.kind} ({w.id}) is not supported")
    return s


def _labels(w: _Widget) -> list[str]:
    opts = list(w.proto.options)
    return [o.content if hasattr(o, "content") else o for o in opts]


def _label(labels: list[str], value: Any, w: _Widget) -> str:
    if isinstance(value, Nth):
        return labels[value.index]
    if str(value) in labels:
        return str(value)
    raise ValueError(f"{value!r} is not an option of {user_key(w.id)!r}: {labels}")


def _slider_number(data_type: int, v: Any) -> float:
    if data_type == Slider.DATE:
        v = dt.datetime.combine(v, dt.time())
    if data_type in (Slider.DATE, Slider.DATETIME):
        return float((v.replace(tzinfo=None) - EPOCH) // dt.timedelta(microseconds=1))
    if data_type == Slider.TIME:
        return float(
            (dt.datetime.combine(dt.date(1970, 1, 1), v.replace(tzinfo=None)) - EPOCH)
            // dt.timedelta(microseconds=1)
        )
    return float(v)
