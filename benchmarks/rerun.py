"""Rerun cost, side by side: the dashboard, a minimal app, and a naive version of the same map.

    python benchmarks/rerun.py [--runs N]

Each app is opened once in Streamlit's AppTest, then the batch filter is flipped between two
selections N times; each flip is one rerun, timed from the widget change to the end of the
script. Also reports the bytes of the deck JSON each rerun sends (dashboard with all batches),
and the dashboard's rerun when every view is new (no per-view cache can help).
AppTest recompiles the page scripts on every run, which a server does once: the numbers
slightly overstate what a browser session pays.
Results go to benchmarks/results/rerun.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

import streamlit
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cbec.paths import write_text_atomic  # noqa: E402
from support.apptest import run_like_a_server  # noqa: E402

APPS = {
    "dashboard": ROOT / "dashboard.py",
    "naive": ROOT / "benchmarks" / "apps" / "naive_map.py",
    "minimal": ROOT / "benchmarks" / "apps" / "minimal.py",
}
SELECTIONS = ([1, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8])
BUDGET = {"dashboard_ms": 40.0, "ratio": 0.2, "deck_json_bytes": 50 * 1024}


def deck_bytes(at: AppTest) -> int:
    charts = at.get("deck_gl_json_chart")
    return max((len(c.proto.json.encode("utf-8")) for c in charts), default=0)


def measure(path: Path, runs: int) -> tuple[list[float], int]:
    at = AppTest.from_file(str(path), default_timeout=60).run()
    if at.exception:
        raise SystemExit(f"{path.name} failed: {at.exception[0].message}")
    times, biggest = [], 0
    for i in range(runs + 3):  # the first 3 warm caches and imports
        widget = at.multiselect(key="w_batch").set_value(SELECTIONS[(i + 1) % 2])
        t0 = time.perf_counter()
        widget.run()
        elapsed = (time.perf_counter() - t0) * 1000
        if i >= 3:
            times.append(elapsed)
        if SELECTIONS[(i + 1) % 2] == SELECTIONS[1]:
            biggest = max(biggest, deck_bytes(at))
    return times, biggest


def measure_cold(path: Path, runs: int) -> list[float]:
    """Reruns that each show a view not seen before (a new date every time), so nothing the
    dashboard caches per view can help: the worst case of a filter change."""
    at = AppTest.from_file(str(path), default_timeout=60)
    at.query_params["batch"] = "all"
    at.run()
    times = []
    for i in range(runs + 3):
        day = dt.date(2016, 1, 1) + dt.timedelta(days=13 * i)
        widget = at.date_input(key="w_day_any").set_value(day)
        t0 = time.perf_counter()
        widget.run()
        if i >= 3:
            times.append((time.perf_counter() - t0) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "rerun.json")
    args = ap.parse_args(argv)
    run_like_a_server()

    medians, sizes = {}, {}
    for name, path in APPS.items():
        times, size = measure(path, args.runs)
        medians[name] = statistics.median(times)
        sizes[name] = size
    cold = statistics.median(measure_cold(APPS["dashboard"], args.runs))
    result = {
        "dashboard_ms": round(medians["dashboard"], 2),
        "dashboard_cold_ms": round(cold, 2),
        "naive_ms": round(medians["naive"], 2),
        "minimal_ms": round(medians["minimal"], 2),
        "deck_json_bytes": sizes["dashboard"],
        "naive_deck_json_bytes": sizes["naive"],
        "streamlit": streamlit.__version__,
        "runs": args.runs,
    }
    ratio = result["dashboard_ms"] / result["naive_ms"]
    checks = {
        f"dashboard rerun <= {BUDGET['dashboard_ms']:.0f} ms": result["dashboard_ms"]
        <= BUDGET["dashboard_ms"],
        f"dashboard / naive <= {BUDGET['ratio']}": ratio <= BUDGET["ratio"],
        f"deck JSON <= {BUDGET['deck_json_bytes'] // 1024} KB": result["deck_json_bytes"]
        <= BUDGET["deck_json_bytes"],
    }
    print(f"{'app':<10} {'median rerun':>13} {'deck JSON':>11}")
    for name in APPS:
        print(f"{name:<10} {medians[name]:>10.1f} ms {sizes[name] / 1024:>8.1f} KB")
    print(f"dashboard, a view never seen before (new date each rerun): {cold:.1f} ms")
    print(f"dashboard / naive = {ratio:.3f}")
    for label, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    write_text_atomic(args.out, json.dumps(result, indent=2) + "\n")
    print(f"-> {args.out.relative_to(ROOT)}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
