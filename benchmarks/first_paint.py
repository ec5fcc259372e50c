"""First paint, side by side: time from navigation to the zone points drawn, in Chromium.

    python benchmarks/first_paint.py [--runs 5]

Three pages show the same zones (the default view: batches 1-3, active today) over the same
province outlines:
- dashboard: the app's map page (`/`);
- plain: benchmarks/apps/plain_pydeck.py, one pydeck chart with the outlines embedded;
- static: the plain app's own deck JSON (fetched from it over the websocket) in a static HTML
  page with deck.gl from pydeck's bundled JavaScript (no CDN), served from 127.0.0.1.

Each run opens a new browser context (empty cache, no cookies) and blocks every request to a
host other than 127.0.0.1. The pages are measured interleaved, in a rotating order. "Drawn" is
seen in the pixels: an init script makes WebGL keep its drawing buffer, and on every animation
frame copies each canvas and counts pixels of the two story colours (earlier and new zones);
the time is the page's performance.now() (ms since navigation start) of the first frame with
enough of them. The servers are warmed up first: this is a new visitor, not a new server.
Results: benchmarks/results/first_paint.json. Budget: dashboard median <= 1.0x plain median.
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

from cbec import colors  # noqa: E402
from tests import browser  # noqa: E402
from tests.streamlit_client import StreamlitClient  # noqa: E402

COLOURS = [list(colors.EARLIER), list(colors.NEW)]  # the two story colours: nothing else is
MIN_PIXELS = 40  # of the sampled pixels (every 2nd row and column): a few points
TOLERANCE = 10  # per channel (antialiasing, blending)
BUDGET_RATIO = 1.0
VIEWPORT = {"width": 1400, "height": 1000}

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
      for (const c of document.querySelectorAll("canvas")) {
        if (c.__webgl && c.width > 100 && c.height > 100 && count(c) >= need) {
          window.__pointsDrawnAt = performance.now();
          return;
        }
      }
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


def first_paint(chromium: Any, url: str, timeout_ms: int = 60000) -> dict:
    """One cold visit: ms from navigation to points drawn, and the HTTP bytes by then."""
    context = chromium.new_context(viewport=VIEWPORT)
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
        page.goto(url, wait_until="commit")
        page.wait_for_function("window.__pointsDrawnAt !== undefined", timeout=timeout_ms)
        drawn = page.evaluate("window.__pointsDrawnAt")
        before = page.evaluate(LOADED_BEFORE, drawn)
        page.wait_for_timeout(500)
        return {
            "ms": round(drawn, 1),
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


def summary(runs: list[dict]) -> dict:
    ms = [r["ms"] for r in runs]
    last = runs[-1]
    return {
        "median_ms": round(statistics.median(ms), 1),
        "min_ms": min(ms),
        "max_ms": max(ms),
        "runs_ms": ms,
        "http_bytes_before_paint": statistics.median(r["http_bytes_before_paint"] for r in runs),
        "http_bytes_total": statistics.median(r["http_bytes_total"] for r in runs),
        "requests_before_paint": last["requests_before_paint"],
        "largest_before_paint": last["largest_before_paint"],
        "blocked_hosts": sorted({h for r in runs for h in r["blocked_hosts"]}),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="visits per page")
    ap.add_argument("--no-static", action="store_true", help="skip the static deck.gl page")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/first_paint.json")
    args = ap.parse_args(argv)
    exe = browser.chromium_path()
    if exe is None:
        print(browser.HOW_TO_GET_CHROMIUM, file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    from cbec.data import write_text_atomic

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
        names = list(urls)
        first_paint(chromium, urls["dashboard"])  # the browser's own first start
        results: dict[str, list[dict]] = {n: [] for n in names}
        for i in range(args.runs):
            order = names[i % len(names) :] + names[: i % len(names)]
            for name in order:
                results[name].append(first_paint(chromium, urls[name]))
                print(f"run {i + 1} {name:<9} {results[name][-1]['ms']:>7.0f} ms", flush=True)
                time.sleep(0.2)

    out = {n: summary(r) for n, r in results.items()}
    ratio = out["dashboard"]["median_ms"] / out["plain"]["median_ms"]
    ok = ratio <= BUDGET_RATIO
    result = {
        "pages": out,
        "dashboard_over_plain": round(ratio, 3),
        "budget": {f"dashboard <= {BUDGET_RATIO}x plain": ok},
        "runs": args.runs,
        "chromium_args": browser.CHROMIUM_ARGS,
        "viewport": VIEWPORT,
    }
    print(f"{'page':<10} {'median':>8} {'min':>8} {'max':>8} {'HTTP by paint':>14} {'total':>10}")
    for name, s in out.items():
        print(
            f"{name:<10} {s['median_ms']:>6.0f}ms {s['min_ms']:>6.0f}ms {s['max_ms']:>6.0f}ms "
            f"{s['http_bytes_before_paint'] / 1e6:>11.2f} MB {s['http_bytes_total'] / 1e6:>7.2f} MB"
        )
    print(f"{'PASS' if ok else 'FAIL'}  dashboard {ratio:.2f}x the plain map (<= {BUDGET_RATIO}x)")
    write_text_atomic(args.out, json.dumps(result, indent=2) + "\n")
    print(f"-> {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
