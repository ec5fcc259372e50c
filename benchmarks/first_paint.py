"""First paint and first use, side by side: time from navigation to the zone points drawn and
to the filters being there, in Chromium, on a desktop and on a throttled phone.

    python benchmarks/first_paint.py [--runs 5] [--profiles desktop,phone]

Pages (the same zones over the same province outlines, the default view):
- dashboard: the app's map page (`/`);
- plain: benchmarks/apps/plain_pydeck.py, the same filters in the sidebar and one pydeck chart
  with the outlines embedded, written the plain way;
- static (desktop only): the plain app's deck JSON in a static page with pydeck's bundled
  deck.gl, served from 127.0.0.1.

Profiles: desktop (1400 x 1000, no throttling) and phone (390 x 844, touch, a phone's user
agent, Chrome's "Fast 4G" network: 9 Mbit/s down, 1.5 Mbit/s up, 165 ms latency; CPU 4x slower).

"Points drawn" is timed two ways, and the README says which to believe:
- canvas: an init script makes WebGL keep its drawing buffer and, on every animation frame,
  reads each WebGL canvas back and counts pixels of the two story colours (it changes what it
  measures: keeping the buffer and reading it back cost the page time on every frame);
- screencast: Chrome's own screencast (the DevTools protocol's Page.startScreencast) sends
  every frame the compositor shows, with its time; the first frame holding the points is when
  a person sees them. It does not touch the page: the neutral method.
"Filters usable" is when the sidebar's batch filter is in the page (canvas-method script).
"Points lost": the screencast goes on until the page has settled (the dashboard's whole page,
not its light first run); every stretch of frames without the points after they were first
drawn is a loss (a deck replaced by one whose points are still loading). Budget: none.

Each run opens a new browser context (empty cache, no cookies) and blocks every request to a
host other than 127.0.0.1. Pages are measured interleaved, in a rotating order, after warming
the servers (a new visitor, not a new server). Results: benchmarks/results/first_paint.json.
Budget: on each profile, the dashboard's points (screencast) and filters no later than the
plain app's (median).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import http.server
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from support import browser  # noqa: E402
from support.streamlit_client import StreamlitClient  # noqa: E402

COLOURS = [list(c) for c in browser.POINT_COLOURS]  # the two story colours
MIN_PIXELS = browser.POINT_PIXELS  # of the sampled pixels (every 2nd row and column)
TOLERANCE = browser.POINT_TOLERANCE
BUDGET_RATIO = 1.0
MARKS = {"dashboard": "#cbec-ready", "static": "static"}  # a page's mark when all is there
STATIC = "static"  # the static deck.gl page: no filters, settled when drawn
PROFILES = {
    "desktop": {"viewport": {"width": 1400, "height": 1000}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "user_agent": "Mozilla/5.0 (Linux; Android 14) Mobile",
        "network": {"offline": False, "latency": 165, "downloadThroughput": 9_000_000 / 8,
                    "uploadThroughput": 1_500_000 / 8},
        "cpu": 4,
    },
}  # fmt: skip

DETECTOR = """
(() => {
  const getContext = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, attrs) {
    if (type === "webgl" || type === "webgl2" || type === "experimental-webgl") {
      attrs = Object.assign({}, attrs || {}, { preserveDrawingBuffer: true });
      this.__webgl = true;  // deck.gl's canvas; charts (Vega) draw on 2d canvases
    }
    return getContext.call(this, type, attrs);
  };
  const colours = __COLOURS__, tol = __TOL__, need = __NEED__;
  const scratch = document.createElement("canvas");
  function count(c) {
    scratch.width = c.width; scratch.height = c.height;
    const ctx = getContext.call(scratch, "2d", { willReadFrequently: true });
    ctx.drawImage(c, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data, w = c.width;
    let n = 0;
    for (let y = 0; y < c.height; y += 2) {
      for (let x = 0; x < w; x += 2) {
        const i = (y * w + x) * 4;
        for (const k of colours) {
          if (Math.abs(d[i] - k[0]) <= tol && Math.abs(d[i + 1] - k[1]) <= tol &&
              Math.abs(d[i + 2] - k[2]) <= tol && d[i + 3] > 200) { n++; break; }
        }
      }
    }
    return n;
  }
  function tick() {
    try {
      if (window.__filtersAt === undefined &&
          document.querySelector('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')) {
        window.__filtersAt = performance.now();
      }
      if (window.__pointsDrawnAt === undefined) {
        for (const c of document.querySelectorAll("canvas")) {
          if (c.__webgl && c.width > 100 && c.height > 100 && count(c) >= need) {
            window.__pointsDrawnAt = performance.now();
          }
        }
      }
      if (window.__pointsDrawnAt !== undefined && window.__filtersAt !== undefined) return;
    } catch (e) { window.__detectorError = String(e); }
    requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);
})();
"""
LOADED_BEFORE = """(t) => performance.getEntriesByType("resource").concat(
    performance.getEntriesByType("navigation"))
  .filter(e => e.responseEnd <= t)
  .map(e => ({url: e.name, bytes: e.transferSize || e.encodedBodySize || 0}))"""
ALL_LOADED = """() => performance.getEntriesByType("resource").concat(
    performance.getEntriesByType("navigation"))
  .reduce((s, e) => s + (e.transferSize || 0), 0)"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def static_page(deck_json: str, tooltip: str) -> Iterator[str]:
    """The deck as a static page with pydeck's bundled deck.gl, served from 127.0.0.1."""
    import pydeck

    bundle = Path(pydeck.__file__).parent / "nbextension" / "static" / "index.js"
    with tempfile.TemporaryDirectory(prefix="cbec-static-deck-") as tmp:
        shutil.copy(bundle, Path(tmp) / "deckgl.js")
        (Path(tmp) / "index.html").write_text(
            f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>static deck.gl</title>
<script src="deckgl.js"></script>
<style>body {{ margin: 0 }} #deck {{ width: 100vw; height: 560px; position: relative }}</style>
</head><body><div id="deck"></div><script>
createDeck({{container: document.getElementById("deck"), jsonInput: {deck_json},
  tooltip: {tooltip or "true"}}});
</script></body></html>
""",
            encoding="utf-8",
        )
        handler = functools.partial(_Quiet, directory=tmp)
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", browser.free_port()), handler)
        thread = threading.Thread(target=srv.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{srv.server_address[1]}/index.html"
        finally:
            srv.shutdown()
            srv.server_close()


async def _deck_of(url: str) -> tuple[str, str]:
    """The deck JSON and tooltip an app sends (its first pydeck chart), as a browser gets them."""
    async with StreamlitClient(url) as c:
        r = await c.open()
        if not r.ok:
            raise SystemExit(f"{url} failed: {r.exceptions}")
        chart = c.elements("deck_gl_json_chart")[0]
        return chart.json, chart.tooltip


# Settled: the script idle and, where the page has one, its ready mark drawn (the dashboard's
# whole page, not its light first run); a page without a Streamlit app is settled at once.
SETTLED = """(mark) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || mark === "static") return true;
  return app.getAttribute("data-test-script-state") !== "running" &&
    (!mark || !!document.querySelector(mark));
}"""


def first_paint(
    chromium: Any, url: str, profile: str, mark: str | None = None, timeout_ms: int = 120000
) -> dict:
    """One cold visit: ms from navigation to points drawn (canvas and screencast) and to the
    filters being there, and the HTTP bytes by the points."""
    prof = PROFILES[profile]
    context = chromium.new_context(**{k: v for k, v in prof.items() if k not in ("network", "cpu")})
    blocked: list[str] = []

    def only_loopback(route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(urlsplit(route.request.url).hostname or route.request.url)
            route.abort()

    try:
        context.route("**/*", only_loopback)
        context.add_init_script(
            DETECTOR.replace("__COLOURS__", json.dumps(COLOURS))
            .replace("__TOL__", str(TOLERANCE))
            .replace("__NEED__", str(MIN_PIXELS))
        )
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        if "network" in prof:
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", prof["network"])
        if "cpu" in prof:
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": prof["cpu"]})
        cast = browser.Screencast(context, page)
        cast.start()
        page.goto(url, wait_until="commit")
        page.wait_for_function(
            "window.__pointsDrawnAt !== undefined"
            + (" && window.__filtersAt !== undefined" if mark != STATIC else ""),
            timeout=timeout_ms,
        )
        drawn = page.evaluate("window.__pointsDrawnAt")
        filters_at = page.evaluate("window.__filtersAt")
        origin = page.evaluate("performance.timeOrigin") / 1000  # s since the epoch
        before = page.evaluate(LOADED_BEFORE, drawn)
        page.wait_for_function(SETTLED, arg=mark, timeout=timeout_ms)
        page.wait_for_timeout(1500)
        cast.stop()
        seen, gaps = browser.points_seen(cast.frames)
        return {
            "ms": round(drawn, 1),
            "screencast_ms": None if seen is None else round((seen - origin) * 1000, 1),
            "points_lost": len(gaps),
            "points_lost_ms": round(sum(gaps) * 1000, 1),
            "filters_ms": None if filters_at is None else round(filters_at, 1),
            "frames": len(cast.frames),
            "http_bytes_before_paint": sum(e["bytes"] for e in before),
            "requests_before_paint": len(before),
            "largest_before_paint": sorted(
                ({"path": urlsplit(e["url"]).path, "bytes": e["bytes"]} for e in before),
                key=lambda e: -e["bytes"],
            )[:6],
            "http_bytes_total": page.evaluate(ALL_LOADED),
            "blocked_hosts": sorted(set(blocked)),
        }
    finally:
        context.close()


def _median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 1) if values else None


def summary(runs: list[dict]) -> dict:
    ms = [r["ms"] for r in runs]
    last = runs[-1]
    return {
        "median_ms": _median(ms),
        "screencast_median_ms": _median([r["screencast_ms"] for r in runs]),
        "filters_median_ms": _median([r["filters_ms"] for r in runs]),
        "min_ms": min(ms),
        "max_ms": max(ms),
        "runs_ms": ms,
        "runs_screencast_ms": [r["screencast_ms"] for r in runs],
        "runs_filters_ms": [r["filters_ms"] for r in runs],
        "points_lost": sum(r["points_lost"] for r in runs),
        "points_lost_ms_max": max(r["points_lost_ms"] for r in runs),
        "http_bytes_before_paint": statistics.median(r["http_bytes_before_paint"] for r in runs),
        "http_bytes_total": statistics.median(r["http_bytes_total"] for r in runs),
        "requests_before_paint": last["requests_before_paint"],
        "largest_before_paint": last["largest_before_paint"],
        "blocked_hosts": sorted({h for r in runs for h in r["blocked_hosts"]}),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="visits per page and profile")
    ap.add_argument("--profiles", default="desktop,phone", help="desktop, phone or both")
    ap.add_argument("--no-static", action="store_true", help="skip the static deck.gl page")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/first_paint.json")
    args = ap.parse_args(argv)
    profiles = [p for p in args.profiles.split(",") if p]
    exe = browser.chromium_path()
    if exe is None:
        print(browser.HOW_TO_GET_CHROMIUM, file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    from cbec.paths import write_text_atomic

    with contextlib.ExitStack() as stack:
        dashboard = stack.enter_context(browser.streamlit_app("dashboard.py"))
        plain = stack.enter_context(browser.streamlit_app("benchmarks/apps/plain_pydeck.py"))
        urls = {"dashboard": dashboard.url + "/", "plain": plain.url + "/"}
        deck_json, tooltip = asyncio.run(_deck_of(plain.url))  # also warms the plain app
        asyncio.run(_deck_of(dashboard.url))
        if not args.no_static:
            urls["static"] = stack.enter_context(static_page(deck_json, tooltip))
        p = stack.enter_context(sync_playwright())
        chromium = p.chromium.launch(executable_path=exe, args=browser.CHROMIUM_ARGS)
        stack.callback(chromium.close)
        # the browser's own first start
        first_paint(chromium, urls["dashboard"], "desktop", MARKS["dashboard"])
        results: dict[str, dict[str, list[dict]]] = {}
        for profile in profiles:
            names = [n for n in urls if n != "static" or profile == "desktop"]
            results[profile] = {n: [] for n in names}
            for i in range(args.runs):
                order = names[i % len(names) :] + names[: i % len(names)]
                for name in order:
                    r = first_paint(chromium, urls[name], profile, MARKS.get(name))
                    results[profile][name].append(r)
                    seen = r["screencast_ms"] or float("nan")
                    print(f"{profile:<8} run {i + 1} {name:<9} canvas {r['ms']:>7.0f} ms  "
                          f"screencast {seen:>7.0f} ms  filters {r['filters_ms'] or 0:>7.0f} ms  "
                          f"lost {r['points_lost']} ({r['points_lost_ms']:.0f} ms)",
                          flush=True)  # fmt: skip
                    time.sleep(0.2)

    out = {prof: {n: summary(r) for n, r in res.items()} for prof, res in results.items()}
    budgets, ratios = {}, {}
    for prof, pages in out.items():
        d, pl = pages["dashboard"], pages["plain"]
        for what in ("screencast_median_ms", "filters_median_ms", "median_ms"):
            if d[what] and pl[what]:
                ratios[f"{prof} {what}"] = round(d[what] / pl[what], 3)
        budgets[f"{prof}: points (screencast) <= plain"] = (
            d["screencast_median_ms"] is not None
            and pl["screencast_median_ms"] is not None
            and d["screencast_median_ms"] <= BUDGET_RATIO * pl["screencast_median_ms"]
        )
        budgets[f"{prof}: filters <= plain"] = d["filters_median_ms"] <= pl["filters_median_ms"]
        budgets[f"{prof}: points never lost once drawn"] = d["points_lost"] == 0
    ok = all(budgets.values())
    result = {
        "profiles": out,
        "dashboard_over_plain": ratios,
        "budget": budgets,
        "runs": args.runs,
        "chromium_args": browser.CHROMIUM_ARGS,
        "profile_settings": {p: PROFILES[p] for p in profiles},
    }
    print(f"{'profile':<8} {'page':<10} {'canvas':>8} {'screencast':>11} {'filters':>8} "
          f"{'HTTP by paint':>14} {'total':>9}")  # fmt: skip
    for prof, pages in out.items():
        for name, s_ in pages.items():
            print(
                f"{prof:<8} {name:<10} {s_['median_ms'] or 0:>6.0f}ms "
                f"{s_['screencast_median_ms'] or 0:>9.0f}ms {s_['filters_median_ms'] or 0:>6.0f}ms "
                f"{s_['http_bytes_before_paint'] / 1e6:>11.2f} MB "
                f"{s_['http_bytes_total'] / 1e6:>6.2f} MB"
            )
    for k, v in budgets.items():
        print(f"{'PASS' if v else 'FAIL'}  {k}")
    write_text_atomic(args.out, json.dumps(result, indent=2) + "\n")
    print(f"-> {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
