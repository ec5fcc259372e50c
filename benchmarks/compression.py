"""Bytes of a cold visit, with and without compression: the map page opened in a new browser
context straight from a Streamlit replica (which sends its JavaScript as is) and through the
nginx of deploy/ (gzip on), side by side.

    python benchmarks/compression.py [--runs 3]

Counts every HTTP response's transferred bytes (the Resource Timing API's transferSize: the
bytes on the wire, headers included) until the page is complete (support/browser.wait_for_app),
and the websocket's frames separately (the same both ways: nginx passes them through).
Results: benchmarks/results/compression.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy.replicas import Deployment, nginx_path  # noqa: E402
from support import browser  # noqa: E402

TRANSFERRED = """() => performance.getEntriesByType("resource").concat(
    performance.getEntriesByType("navigation"))
  .map(e => ({url: e.name, wire: e.transferSize || 0, body: e.decodedBodySize || 0}))"""


def visit(chromium, url: str) -> dict:
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    frames = {"n": 0, "bytes": 0}

    def on_ws(ws) -> None:
        def count(payload) -> None:
            frames["n"] += 1
            frames["bytes"] += len(payload)

        ws.on("framereceived", count)

    try:
        page = context.new_page()
        page.on("websocket", on_ws)
        page.goto(url)
        browser.wait_for_app(page, timeout_ms=120000)
        entries = page.evaluate(TRANSFERRED)
        return {
            "http_wire_bytes": sum(e["wire"] for e in entries),
            "http_body_bytes": sum(e["body"] for e in entries),
            "requests": len(entries),
            "websocket_bytes": frames["bytes"],
            "largest": sorted(
                ({"path": e["url"].split("/", 3)[-1], "wire": e["wire"], "body": e["body"]}
                 for e in entries),
                key=lambda e: -e["body"],
            )[:5],
        }  # fmt: skip
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/compression.json")
    args = ap.parse_args(argv)
    exe = browser.chromium_path()
    if exe is None or nginx_path() is None:
        print("needs Debian's chromium and nginx (apt-get install chromium nginx)", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    from cbec.paths import write_text_atomic

    with Deployment(replicas=1) as d, sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=exe, args=browser.CHROMIUM_ARGS)
        urls = {"streamlit (no compression)": f"http://{d.running[0].addr}/",
                "nginx (gzip)": d.url + "/"}  # fmt: skip
        visit(chromium, urls["nginx (gzip)"])  # warm: the app's first run and static files
        runs: dict[str, list[dict]] = {k: [] for k in urls}
        for _ in range(args.runs):
            for name, url in urls.items():
                runs[name].append(visit(chromium, url))
        chromium.close()
    out = {
        name: {
            "http_wire_mb": round(statistics.median(r["http_wire_bytes"] for r in rs) / 1e6, 2),
            "http_body_mb": round(statistics.median(r["http_body_bytes"] for r in rs) / 1e6, 2),
            "websocket_kb": round(statistics.median(r["websocket_bytes"] for r in rs) / 1e3, 1),
            "requests": rs[-1]["requests"],
            "largest": rs[-1]["largest"],
        }
        for name, rs in runs.items()
    }
    plain, gz = out["streamlit (no compression)"], out["nginx (gzip)"]
    result = {"visits": out, "runs": args.runs,
              "gzip_over_plain": round(gz["http_wire_mb"] / plain["http_wire_mb"], 3)}  # fmt: skip
    for name, o in out.items():
        print(
            f"{name:<28} {o['http_wire_mb']:>6.2f} MB on the wire ({o['http_body_mb']:.2f} MB "
            f"decoded, {o['requests']} requests), websocket {o['websocket_kb']:.0f} KB"
        )
    print(f"gzip: {result['gzip_over_plain']:.2f}x the bytes")
    write_text_atomic(args.out, json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
