"""The map's companion: a small script of the app's own drawn beside each map (its column's
width, when the map has first drawn, clicks and taps turned into picks)."""

from __future__ import annotations

import streamlit as st
import streamlit.components.v2 as components

from cbec import mapview, paths
from cbec.ui import shared
from cbec.ui.firstpaint import finish_light, light
from cbec.ui.keys import DEVICE, LIGHT_RUN_OVER, probe_generation, probe_width

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
  // A link over Streamlit's limits (data.limits: fields, characters) reaches the server as no
  // query at all, with no word to the visitor: say so, once per page load.
  const q = location.search.replace(/^[?]/, "");
  const fields = q ? q.split("&").length : 0;
  if (data && data.limits && !window.__cbecLinkTooLong
      && (fields > data.limits[0] || q.length > data.limits[1])) {
    window.__cbecLinkTooLong = true;
    setTriggerValue("too_long", { fields, chars: q.length });
  }
  let last = 0, timer = null, measured = false;
  const block = () => host.closest('[data-testid="stVerticalBlock"]');
  const chart = () => {
    const b = block();
    return b ? b.querySelector('[data-testid="stDeckGlJsonChart"]') : null;
  };
  const measure = () => {
    // The probe stretches across its column: its own width is the map's.
    const own = host.getBoundingClientRect().width;
    const w = Math.floor((own || window.innerWidth) / 20) * 20;
    measured = true;
    // with whether a map is already on screen (a canvas), to be refitted: see map_block
    const c = chart(), drawn = !!(c && c.querySelector("canvas"));
    if (Math.abs(w - last) >= 20) { last = w; setStateValue("w", { px: w, drawn }); }
  };
  // The first report waits for the page's sidebar when it has one (data.sidebar): drawn after
  // the map in the same run, it narrows the column when it comes, and a width measured before
  // it fitted China to a column wider than the one it is drawn in (China cut at Hainan and the
  // inset). It waits until the sidebar is there, or the run has ended without one, not for a
  // fixed time: 3 s was too short with both cores busy.
  let first = null, idle = null;
  const start = performance.now();
  const firstMeasure = () => {
    const now = performance.now();
    const app = document.querySelector('[data-testid="stApp"]');
    const running = !app || app.getAttribute("data-test-script-state") !== "notRunning";
    idle = running ? null : (idle === null ? now : idle);
    const waiting = data && data.sidebar
      && !document.querySelector('[data-testid="stSidebar"]')
      && (idle === null || now - idle < 300) && now - start < 30000;
    if (waiting) {
      first = setTimeout(firstMeasure, 50);
      return;
    }
    measure();
  };
  firstMeasure();
  // Later changes of the column (a window resized, a phone turned, the sidebar closed); not
  // before the first report, which the observer's own first call would otherwise pre-empt.
  const ro = new ResizeObserver(() => {
    if (!measured) return;
    clearTimeout(timer);
    timer = setTimeout(measure, 250);
  });
  ro.observe(host);
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
    ro.disconnect(); clearTimeout(timer); clearTimeout(poll); clearTimeout(first);
    document.removeEventListener("pointerdown", onDown, true);
    document.removeEventListener("click", onClick, true);
  };
}
""",
)

_WAIT_FOR = paths.PROVINCE_OUTLINES_URL.rsplit("/", 1)[-1]  # see "painted"
# Streamlit 1.67 reads no query at all from a link with more fields or characters than these
# (streamlit.runtime.state.query_params.CLIENT_STATE_QUERY_STRING_MAX_*; a test holds them)
LINK_LIMITS = (1000, 512 * 1024)
PICK_LEN = 64  # characters of a picked id looked at: ids and adcodes are shorter


def _noop() -> None:
    """The probe's change callbacks: the rerun they cause is all that is needed."""


def map_probe(key: str, on_pick=None, args: tuple = (), sidebar: bool = False) -> int:
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
        key=key,
        data={"wait": _WAIT_FOR, "sidebar": sidebar, "limits": LINK_LIMITS},
        on_w_change=_noop,
        on_p_change=_noop,
        on_pick_change=shared.guarded(picked),
        on_too_long_change=_noop,
    )
    too_long = _too_long(getattr(result, "too_long", None) if result is not None else None)
    if too_long is not None:
        shared.link_too_long(*too_long)
    px, drawn = _report(getattr(result, "w", None) if result is not None else None)
    if px is not None:
        if px != _width(key) and drawn:  # the map on screen was fitted to another width
            gen = probe_generation(key)
            st.session_state[gen] = st.session_state.get(gen, 0) + 1
        st.session_state[probe_width(key)] = px
    if getattr(result, "p", None) and light() and st.session_state.get(LIGHT_RUN_OVER):
        finish_light()  # the browser has drawn the map: now the rest of the page
    return _width(key)


def _too_long(value: object) -> tuple[int, int] | None:
    """A report of a link over Streamlit's limits, {"fields": n, "chars": n}, checked (a
    client can send anything): None unless both are whole numbers and one is over its limit."""
    if not isinstance(value, dict):
        return None
    fields, chars = value.get("fields"), value.get("chars")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (fields, chars)):
        return None
    assert isinstance(fields, int) and isinstance(chars, int)
    inside = 0 <= fields <= 10**9 and 0 <= chars <= 10**9
    if inside and (fields > LINK_LIMITS[0] or chars > LINK_LIMITS[1]):
        return fields, chars
    return None


def _report(value: object) -> tuple[int | None, bool]:
    """A width report, {"px": width, "drawn": a map was on screen}, checked (a client can send
    anything): (None, False) unless the width is a number of 200 to 4000 px."""
    if not isinstance(value, dict):
        return None, False
    px, drawn = value.get("px"), value.get("drawn")
    if isinstance(px, int | float) and not isinstance(px, bool) and 200 <= px <= 4000:
        return int(px), drawn is True
    return None, False


def _width(key: str) -> int:
    """The width the companion last reported, or before it has (a session's first run) a guess
    from the browser's kind."""
    w = st.session_state.get(probe_width(key))
    if isinstance(w, int):
        return w
    if DEVICE not in st.session_state:  # asked once: reading the headers is not free
        ua = st.context.headers.get("User-Agent", "") or ""
        st.session_state[DEVICE] = "phone" if "Mobi" in ua else "desktop"
    return mapview.DEFAULT_WIDTH[st.session_state[DEVICE]]


def map_block(key: str) -> str:
    """The key of the block to draw the map of companion `key` in: a new block, so a new map,
    when the column's width changed while a map was on screen (a window resized, a phone
    turned, a first report that came late), the same block otherwise (a visitor's zoom
    survives a filter change). A deck refitted in place kept its old view: resized from 1000
    to 1400 px, China stayed small in a corner (Streamlit's view state took a stale update
    from deck.gl). A report that comes before the map's canvas (a phone's first, 340 px
    against the 320 guessed) refits the map before it exists, and spares a phone a second
    start."""
    return f"cbec-deck-{key}-{st.session_state.get(probe_generation(key), 0)}"
