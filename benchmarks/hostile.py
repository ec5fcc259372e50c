"""What one hostile client costs the other visitors: a rerun flood, oversized messages.

    python benchmarks/hostile.py [--rates 300,3000] [--visits 3]

For each flood rate: a fresh server; a new visitor's first page (`?batch=3`) and
/_stcore/health, timed quiet and then while one client sends the same rerun request at that
rate (support/hostile.py, over Streamlit's own websocket). Then ten 24 MB messages (each its
own client), with the server's RSS before and after.
Budgets (issue 21): under the flood, the visitor's page and the health check within 2x their
quiet time; RSS grows by less than 50 MB after the oversized messages.
Results: benchmarks/results/hostile.json. The machine's other work shows in every number.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from support import browser, hostile  # noqa: E402

BUDGET_RATIO = 2.0
BUDGET_RSS_MB = 50.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rates", default="300,3000", help="flood rates, reruns a second")
    ap.add_argument("--visits", type=int, default=3, help="visits timed per condition")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/hostile.json")
    args = ap.parse_args(argv)
    from cbec.paths import write_text_atomic

    result: dict = {"floods": {}, "budget": {}}
    for rate in [float(r) for r in args.rates.split(",") if r]:
        with browser.streamlit_app("dashboard.py") as server:
            quiet, flooded = asyncio.run(
                hostile.quiet_and_flooded(server.url, rate, visits=args.visits)
            )
        row = {
            "rate_asked": rate,
            "rate_sent": round(flooded.sent / flooded.seconds, 1),
            "quiet_page_s": round(quiet.page_s, 3),
            "flooded_page_s": round(flooded.page_s, 3),
            "quiet_health_s": round(quiet.health_s, 4),
            "flooded_health_s": round(flooded.health_s, 4),
        }
        row["page_ratio"] = round(flooded.page_s / quiet.page_s, 2)
        row["health_ratio"] = round(flooded.health_s / max(quiet.health_s, 0.005), 2)
        result["floods"][str(int(rate))] = row
        result["budget"][f"flood {int(rate)}/s: page within {BUDGET_RATIO}x"] = (
            row["page_ratio"] <= BUDGET_RATIO
        )
        result["budget"][f"flood {int(rate)}/s: health within {BUDGET_RATIO}x (5 ms floor)"] = (
            row["health_ratio"] <= BUDGET_RATIO
        )
        print(json.dumps(row), flush=True)

    with browser.streamlit_app("dashboard.py") as server:
        asyncio.run(hostile.first_page_seconds(server.url))
        before = hostile.rss_mb(server.proc.pid)
        t0 = time.perf_counter()
        refused = asyncio.run(hostile.oversized(server.url, 10, 24 * 1024 * 1024))
        time.sleep(2)
        after = hostile.rss_mb(server.proc.pid)
    result["oversized"] = {
        "messages": 10,
        "mb_each": 24,
        "refused": refused,
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
        "seconds": round(time.perf_counter() - t0, 1),
    }
    result["budget"][f"oversized: RSS grows < {BUDGET_RSS_MB} MB"] = after - before < BUDGET_RSS_MB
    print(json.dumps(result["oversized"]))
    for k, v in result["budget"].items():
        print(f"{'PASS' if v else 'FAIL'}  {k}")
    write_text_atomic(args.out, json.dumps(result, indent=2) + "\n")
    return 0 if all(result["budget"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
