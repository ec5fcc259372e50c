"""Load, side by side: N concurrent real sessions of the dashboard and of a one-line app.

    python benchmarks/load.py                      # 1, 25 and 50 sessions, 20 s each
    python benchmarks/load.py --sessions 25 --duration 10
    python benchmarks/load.py --replicas 2 --sessions 50   # through nginx (deploy/)
    python benchmarks/load.py --bytes              # bytes per filter change at 1x, 10x, 100x
    python benchmarks/load.py --floor              # also benchmarks/apps/same_elements.py

Every session is a real Streamlit session over /_stcore/stream (support/streamlit_client.py: the
protobuf messages of the browser, no browser). Each opens a shared link, then repeats the
visit in VISIT below without pause until the time is up. The one-line app
(benchmarks/apps/minimal.py) gets the same number of sessions from the same client in the same
run, each on a fresh server, so every figure is also a ratio. A separate process polls
/_stcore/health every 0.5 s during each run: what a platform's probe would see.

Reported per app and session count: reruns/s, p50/p95/max latency of a user action (send to
script_finished), errors (exception elements, failed or missing runs, dropped connections),
health-check latency, server RSS (before, at peak, per session, after the sessions closed)
and bytes per rerun. Results: benchmarks/results/load.json (load_N_replicas.json with
--replicas N, bytes.json with --bytes).
Budgets, at 25 and 50 sessions: reruns/s >= 0.5x the one-line app's, no errors, health-check
p95 <= 1.5x the one-line app's. Exit status 1 when a budget fails.

The machine's other work shows in every number; the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from support.streamlit_client import Nth, Rerun, StreamlitClient  # noqa: E402

# ==== What a visitor does: the only part that knows the app's pages and widget keys =========
# Steps: ("open", page path, query string) opens a session on a shared link (first step only);
# ("set", widget key, value) changes a widget; ("pick", probe key, id) is a click on a map
# (what the map's probe reports); ("page", page path, None) uses the sidebar
# navigation ("" is the default page). Select-widget values are the option labels the app
# shows, or Nth(i) for the i-th option (labels change with the language). After the first
# step the visit repeats from step 2, so it must end where the link left the page.
# tests/test_streamlit_client.py runs VISIT and FILTER_CHANGES once against the app: it fails,
# naming the missing key or option, when the app no longer fits this table.
ALL_BATCHES = [Nth(i) for i in range(8)]  # w_batch options: batches 1..8 in order
VISIT: list[tuple[str, str, Any]] = [
    ("open", "", "batch=1&batch=2&batch=3&batch=4&region=west"),  # the shared link
    ("set", "w_batch", ALL_BATCHES),
    ("set", "w_region", ["West", "Central"]),
    ("pick", "map_probe", "xian"),  # a click on Xi'an: the details panel
    ("set", "w_q", "an"),
    ("set", "w_q", ""),
    ("set", "w_day_any", dt.date(2019, 1, 1)),
    ("page", "regional_priorities", None),
    ("page", "nearest_zone", None),
    ("set", "w_nz_city", Nth(30)),  # a city from the list
    ("set", "w_nz_k", 8),
    ("set", "w_nz_mode", Nth(1)),  # "a place name"
    ("set", "w_nz_place", "Yiwu"),
    ("set", "w_nz_mode", Nth(0)),
    ("page", "data_and_sources", None),
    ("page", "", None),  # back to the map: the filters are kept
    ("set", "w_day_any", dt.date.today()),
    ("set", "w_region", ["West"]),
    ("set", "w_batch", [Nth(0), Nth(1), Nth(2), Nth(3)]),  # where the link started
]
# The one-line app: one multiselect (options 1..8), flipped between two values.
MINIMAL_VISIT: list[tuple[str, str, Any]] = [
    ("open", "", ""),
    ("set", "w_batch", ["1", "2"]),
    ("set", "w_batch", ["1", "2", "3"]),
]
# --bytes: filter changes on the map page, each to a view not seen before in the session, then
# all of them again (views seen before). Opened on the default link ("").
FILTER_CHANGES: list[tuple[str, Any]] = [
    ("w_batch", ALL_BATCHES),
    ("w_region", ["East"]),
    ("w_region", ["East", "West"]),
    ("w_day_any", dt.date(2020, 6, 1)),
    ("w_batch", [Nth(0), Nth(1), Nth(2)]),
    ("w_q", "an"),
    ("w_q", ""),
    ("w_region", []),
    ("w_day_any", dt.date.today()),
]
# =============================================================================================

APPS = {
    "dashboard": ("dashboard.py", VISIT),
    "minimal": ("benchmarks/apps/minimal.py", MINIMAL_VISIT),
    # --floor: the one-line app with as many elements as the dashboard's page (no budget)
    "same_elements": ("benchmarks/apps/same_elements.py", MINIMAL_VISIT),
}
BUDGET = {"throughput_ratio": 0.5, "health_ratio": 1.5, "errors": 0, "at": (25, 50)}
HEALTH_FLOOR_S = 0.05  # health ratios compare max(p95, 50 ms): 3 ms vs 2 ms is no regression
BYTES_BUDGET = {"kb_at_1x": 30.0, "growth_at_100x": 10.0}  # <= 10x the bytes for 100x the data
RESULTS = ROOT / "benchmarks" / "results"


# --- servers -----------------------------------------------------------------------------------


def rss_kb(pid: int) -> int:
    """Resident memory of a process (VmRSS in /proc/PID/status), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@contextlib.contextmanager
def health_poller(url: str, interval: float) -> Iterator[list[float | None]]:
    """Poll url/_stcore/health every `interval` s from a separate process (the load client's
    event loop must not delay it); yields a list that holds the latencies (None: no answer
    within 5 s) once the block ends."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--poll-health", url, "--interval", str(interval)],
        stdout=subprocess.PIPE,
        text=True,
    )
    samples: list[float | None] = []
    try:
        yield samples
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=15)
        for line in out.split():
            samples.append(None if line == "timeout" else float(line))


def poll_health(url: str, interval: float) -> None:
    """The poller's own loop (run as a subprocess): one latency a line, until terminated."""
    while True:
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as r:
                r.read()
            print(f"{time.perf_counter() - t0:.4f}", flush=True)
        except OSError:
            print("timeout", flush=True)
        time.sleep(max(0.0, interval - (time.perf_counter() - t0)))


# --- sessions ----------------------------------------------------------------------------------


@dataclass
class Tally:
    reruns: list[Rerun] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def do_step(c: StreamlitClient, step: tuple[str, str, Any]) -> Rerun:
    action, target, value = step
    if action == "open":
        return await c.open(target, value)
    if action == "page":
        return await c.switch_page(target)
    if action == "set":
        return await c.set(target, value)
    if action == "pick":
        return await c.trigger(target, "pick", value)
    raise ValueError(f"unknown step {step!r}")


def step_label(step: tuple[str, str, Any]) -> str:
    action, target, _ = step
    return f"{action} {target or '/'}"


def steps_of(visit: list[tuple[str, str, Any]]) -> Iterator[tuple[str, str, Any]]:
    """The first step (open the link) once, then the rest over and over."""
    return itertools.chain(visit[:1], itertools.cycle(visit[1:]))


async def visitor(
    url: str, visit: list[tuple[str, str, Any]], deadline: float, tally: Tally, timeout: float
) -> None:
    """Open the link, then click through the visit until `deadline`; after an error, start a
    new session as a user reloading the page would."""
    while time.monotonic() < deadline:
        c = StreamlitClient(url, timeout=timeout)
        step = visit[0]
        try:
            for step in steps_of(visit):
                r = await do_step(c, step)
                r.action = step_label(step)
                tally.reruns.append(r)
                if not r.ok:
                    tally.errors.append(f"{r.action}: {r.status} {r.exceptions}"[:300])
                    break
                if time.monotonic() >= deadline:
                    return
        except Exception as exc:  # timeouts, dropped connections, a widget not drawn
            tally.errors.append(f"{step_label(step)}: {type(exc).__name__}: {exc}"[:300])
        finally:
            await c.close()


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by the nearest-rank method; 0 for no values."""
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(q * len(s)) - 1))]


@contextlib.contextmanager
def serve(script: str, replicas: int) -> Iterator[tuple[str, list[str], list[int]]]:
    """The app on one fresh server (replicas=0), or on `replicas` replicas behind nginx
    (deploy/replicas.py). Yields (URL to load, each server's own URL, server pids)."""
    if replicas:
        from deploy.replicas import Deployment

        with Deployment(replicas, script) as d:
            yield d.url, [f"http://{r.addr}" for r in d.running], [r.proc.pid for r in d.running]
    else:
        from support.browser import streamlit_app

        with streamlit_app(script) as server:
            yield server.url, [server.url], [server.proc.pid]


def measure(
    app: str,
    sessions: int,
    duration: float,
    interval: float,
    timeout: float,
    settle: float,
    replicas: int = 0,
) -> dict:
    script, visit = APPS[app]
    with serve(script, replicas) as (url, servers, pids):
        warm = Tally()  # one visitor through the whole visit: imports, caches, first views
        for server in servers:
            asyncio.run(one_visit(server, visit, warm, timeout))
        if warm.errors:
            raise SystemExit(f"{app}: the warm-up visit failed: {warm.errors[0]}")
        time.sleep(1.0)
        rss_before = sum(rss_kb(pid) for pid in pids)
        tally = Tally()
        peak = [rss_before]
        with health_poller(url, interval) as health:
            t0 = time.monotonic()
            asyncio.run(_crowd(url, visit, sessions, t0 + duration, tally, timeout, pids, peak))
            elapsed = time.monotonic() - t0
        time.sleep(settle)
        rss_after = sum(rss_kb(pid) for pid in pids)

    lat = [r.seconds for r in tally.reruns]
    ok_health = [h for h in health if h is not None]
    by_step: dict[str, list[Rerun]] = defaultdict(list)
    for r in tally.reruns:
        by_step[r.action].append(r)
    return {
        "sessions": sessions,
        "reruns": len(lat),
        "seconds": round(elapsed, 2),
        "reruns_per_s": round(len(lat) / elapsed, 2),
        "latency_s": {
            "p50": round(pct(lat, 0.5), 3),
            "p95": round(pct(lat, 0.95), 3),
            "max": round(max(lat, default=0.0), 3),
        },
        "errors": len(tally.errors),
        "error_examples": sorted(set(tally.errors))[:5],
        "health_s": {
            "polls": len(health),
            "timeouts": len(health) - len(ok_health),
            "p50": round(pct(ok_health, 0.5), 4),
            "p95": round(pct(ok_health, 0.95), 4),
            "max": round(max(ok_health, default=0.0), 4),
        },
        "rss_mb": {
            "before": round(rss_before / 1024, 1),
            "peak": round(max(peak) / 1024, 1),
            "per_session": round((max(peak) - rss_before) / 1024 / sessions, 2),
            "after_close": round(rss_after / 1024, 1),
        },
        "deltas_per_rerun": round(statistics.fmean([r.deltas for r in tally.reruns]), 1)
        if lat
        else 0,
        "bytes_per_rerun": {
            "mean": round(statistics.fmean([r.bytes for r in tally.reruns]) if lat else 0),
            "p50": round(pct([r.bytes for r in tally.reruns], 0.5)),
        },
        "by_step": {
            label: {
                "n": len(rs),
                "p50_s": round(pct([r.seconds for r in rs], 0.5), 3),
                "bytes_p50": round(pct([r.bytes for r in rs], 0.5)),
            }
            for label, rs in by_step.items()
        },
    }


async def one_visit(url: str, visit: list, tally: Tally, timeout: float) -> None:
    """One session through every step of `visit` once (warm-up; the test of the table)."""
    async with StreamlitClient(url, timeout=timeout) as c:
        for step in visit:
            r = await do_step(c, step)
            if not r.ok:
                tally.errors.append(f"{step_label(step)}: {r.status} {r.exceptions}")


async def _crowd(
    url: str,
    visit: list,
    n: int,
    deadline: float,
    tally: Tally,
    timeout: float,
    pids: list[int],
    peak: list[int],
) -> None:
    """n visitors at once (a crowd arriving on one link), RSS (all servers) sampled while they
    click."""

    def rss() -> int:
        return sum(rss_kb(pid) for pid in pids)

    async def sample() -> None:
        while True:
            peak.append(rss())
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    try:
        await asyncio.gather(*(visitor(url, visit, deadline, tally, timeout) for _ in range(n)))
    finally:
        sampler.cancel()
        peak.append(rss())


def budgets(levels: dict[int, dict]) -> dict[str, bool]:
    checks = {}
    for n in BUDGET["at"]:
        if n not in levels:
            continue
        d, m = levels[n]["dashboard"], levels[n]["minimal"]
        tr = d["reruns_per_s"] / m["reruns_per_s"] if m["reruns_per_s"] else 0.0
        hd = max(d["health_s"]["p95"], HEALTH_FLOOR_S)
        hm = max(m["health_s"]["p95"], HEALTH_FLOOR_S)
        checks[f"{n} sessions: reruns/s {tr:.2f}x the one-line app's (>= 0.5x)"] = tr >= 0.5
        checks[f"{n} sessions: errors {d['errors']} (0)"] = d["errors"] == 0
        checks[
            f"{n} sessions: health p95 {hd / hm:.2f}x the one-line app's (<= 1.5x), "
            f"timeouts {d['health_s']['timeouts']}"
        ] = hd / hm <= BUDGET["health_ratio"] and d["health_s"]["timeouts"] == 0
    return checks


def run_load(args: argparse.Namespace) -> int:
    started, load_start = time.time(), os.getloadavg()
    levels: dict[int, dict] = {}
    for n in args.sessions:
        levels[n] = {}
        apps = ("minimal", "dashboard") + (("same_elements",) if args.floor else ())
        for app in apps:
            print(f"... {n} session(s), {app}", flush=True)
            levels[n][app] = measure(
                app,
                n,
                args.duration,
                args.health_interval,
                args.timeout,
                args.settle,
                args.replicas,
            )
        d, m = levels[n]["dashboard"], levels[n]["minimal"]
        levels[n]["ratios"] = {
            "reruns_per_s": round(d["reruns_per_s"] / m["reruns_per_s"], 3)
            if m["reruns_per_s"]
            else None,
            "health_p95": round(
                max(d["health_s"]["p95"], HEALTH_FLOOR_S)
                / max(m["health_s"]["p95"], HEALTH_FLOOR_S),
                3,
            ),
        }
        if "same_elements" in levels[n] and levels[n]["same_elements"]["reruns_per_s"]:
            levels[n]["ratios"]["vs_same_elements"] = round(
                d["reruns_per_s"] / levels[n]["same_elements"]["reruns_per_s"], 3
            )
    checks = budgets(levels)
    import streamlit

    result = {
        "streamlit": streamlit.__version__,
        "cpus": os.cpu_count(),
        "loadavg_at_start_and_end": [list(load_start), list(os.getloadavg())],
        "duration_s": args.duration,
        "replicas_behind_nginx": args.replicas,
        "wall_s": round(time.time() - started, 1),
        "visit": [[a, t, repr(v)] for a, t, v in VISIT],
        "levels": {str(n): v for n, v in levels.items()},
        "budgets": checks,
    }
    print_table(levels)
    for label, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    name = f"load_{args.replicas}_replicas.json" if args.replicas else "load.json"
    write(args.out or RESULTS / name, result)
    return 0 if all(checks.values()) else 1


def print_table(levels: dict[int, dict]) -> None:
    head = (
        f"{'sessions':>8} {'app':<13} {'reruns/s':>8} {'p50':>7} {'p95':>7} {'max':>7} "
        f"{'errors':>6} {'health p95':>10} {'max':>7} {'t/o':>3} {'MB/sess':>7} "
        f"{'MB after':>8} {'B/rerun':>8} {'deltas':>6}"
    )
    print(head)
    for n, apps in levels.items():
        for app in ("dashboard", "minimal", "same_elements"):
            if app not in apps:
                continue
            r = apps[app]
            lat, h = r["latency_s"], r["health_s"]
            print(
                f"{n:>8} {app:<13} {r['reruns_per_s']:>8.2f} {lat['p50']:>6.2f}s "
                f"{lat['p95']:>6.2f}s {lat['max']:>6.2f}s {r['errors']:>6} "
                f"{h['p95']:>9.3f}s {h['max']:>6.2f}s {h['timeouts']:>3} "
                f"{r['rss_mb']['per_session']:>7.2f} {r['rss_mb']['after_close']:>8.1f} "
                f"{r['bytes_per_rerun']['mean']:>8} {r.get('deltas_per_rerun', 0):>6}"
            )
        ratios = apps["ratios"]
        print(
            f"{'':>8} {'ratio':<13} {ratios['reruns_per_s']:>8}x  health p95 "
            f"{ratios['health_p95']}x"
            + (
                f"  (dashboard / same_elements: {ratios['vs_same_elements']}x)"
                if "vs_same_elements" in ratios
                else ""
            )
        )


# --- bytes per filter change at 1x, 10x, 100x the points ---------------------------------------


def synthetic_data(scale: int, dest: Path) -> Path:
    """A copy of data/ with `scale` points per zone: the real zone plus jittered copies (ids
    "<zone>-x<j>", names "<name> #<j>", within 0.4 degrees), batch counts updated."""
    import numpy as np
    import pandas as pd

    from cbec import paths, vocab
    from cbec.paths import write_csv_atomic, write_text_atomic

    shutil.copytree(paths.DATA, dest)
    if scale == 1:
        return dest

    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(dest / name, dtype=str, keep_default_na=False)

    zones, coords, batches = read("zones.csv"), read("coordinates.csv"), read("batches.csv")
    rng = np.random.default_rng(13)
    z_copies, c_copies = [zones], [coords]
    for j in range(1, scale):
        z = zones.copy()
        z["zone_id"] = zones["zone_id"] + f"-x{j}"
        z["name_en"] = zones["name_en"] + f" #{j}"
        z["name_zh"] = zones["name_zh"] + f"{j}"
        c = coords.copy()
        c["zone_id"] = coords["zone_id"] + f"-x{j}"
        lo, hi = vocab.CHINA_BBOX["lat"], vocab.CHINA_BBOX["lon"]
        lat = coords["lat"].astype(float) + rng.uniform(-0.4, 0.4, len(c))
        lon = coords["lon"].astype(float) + rng.uniform(-0.4, 0.4, len(c))
        c["lat"] = lat.clip(lo[0], lo[1]).round(5).astype(str)
        c["lon"] = lon.clip(hi[0], hi[1]).round(5).astype(str)
        z_copies.append(z)
        c_copies.append(c)
    batches["count"] = (batches["count"].astype(int) * scale).astype(str)
    # Every zone has its area (the schema says so): the copies share their original's.
    areas = json.loads((dest / "zone_areas.geojson").read_text("utf-8"))
    originals = list(areas["features"])
    for j in range(1, scale):
        for f in originals:
            copy = {
                **f,
                "properties": {**f["properties"], "zone_id": f"{f['properties']['zone_id']}-x{j}"},
            }
            areas["features"].append(copy)
    write_text_atomic(dest / "zone_areas.geojson", json.dumps(areas, ensure_ascii=False))
    write_csv_atomic(pd.concat(z_copies, ignore_index=True), dest / "zones.csv")
    write_csv_atomic(pd.concat(c_copies, ignore_index=True), dest / "coordinates.csv")
    write_csv_atomic(batches, dest / "batches.csv")
    return dest


async def filter_changes(url: str, timeout: float) -> dict:
    async with StreamlitClient(url, timeout=timeout) as c:
        opened = await c.open("", "")
        new, seen = [], []
        for key, value in FILTER_CHANGES:
            new.append(await c.set(key, value))
        for key, value in FILTER_CHANGES:
            seen.append(await c.set(key, value))
    bad = [f"{r.action}: {r.status} {r.exceptions}" for r in [opened, *new, *seen] if not r.ok]
    if bad:
        raise SystemExit(f"filter changes failed: {bad[:3]}")
    return {
        "open_bytes": opened.bytes,
        "new_view": {
            "median_bytes": round(statistics.median(r.bytes for r in new)),
            "max_bytes": max(r.bytes for r in new),
            "median_s": round(statistics.median(r.seconds for r in new), 3),
        },
        "seen_view": {
            "median_bytes": round(statistics.median(r.bytes for r in seen)),
            "max_bytes": max(r.bytes for r in seen),
            "cache_refs": sum(r.cache_refs for r in seen),
        },
        "points": None,
    }


def run_bytes(args: argparse.Namespace) -> int:
    from support.browser import streamlit_app

    out: dict[str, Any] = {"scales": {}}
    with tempfile.TemporaryDirectory(prefix="cbec-bytes-") as tmp:
        for scale in args.scales:
            folder = synthetic_data(scale, Path(tmp) / f"data-{scale}x")
            print(f"... {scale}x points", flush=True)
            env = {"CBEC_DATA_DIR": str(folder)}
            with streamlit_app("dashboard.py", env=env, timeout=120) as server:
                res = asyncio.run(filter_changes(server.url, args.timeout))
            res["points"] = len((folder / "zones.csv").read_text("utf-8").splitlines()) - 1
            out["scales"][f"{scale}x"] = res
    base = out["scales"].get("1x")
    print(f"{'points':>7} {'new view':>10} {'max':>10} {'seen view':>10} {'open':>10}")
    for res in out["scales"].values():
        print(
            f"{res['points']:>7} {res['new_view']['median_bytes'] / 1024:>8.1f}KB "
            f"{res['new_view']['max_bytes'] / 1024:>8.1f}KB "
            f"{res['seen_view']['median_bytes'] / 1024:>8.1f}KB {res['open_bytes'] / 1024:>8.1f}KB"
        )
    checks: dict[str, bool] = {}
    if base:
        kb = base["new_view"]["median_bytes"] / 1024
        checks[f"a filter change at 1x sends {kb:.1f} KB (<= 30 KB)"] = (
            kb <= BYTES_BUDGET["kb_at_1x"]
        )
        top = out["scales"].get("100x")
        if top:
            growth = top["new_view"]["median_bytes"] / base["new_view"]["median_bytes"]
            out["growth_100x"] = round(growth, 2)
            checks[f"100x the points sends {growth:.1f}x the bytes (<= 10x: sub-linear)"] = (
                growth <= BYTES_BUDGET["growth_at_100x"]
            )
    import streamlit

    out["streamlit"] = streamlit.__version__
    out["budgets"] = checks
    for label, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    write(args.out or RESULTS / "bytes.json", out)
    return 0 if all(checks.values()) else 1


def write(path: Path, result: dict) -> None:
    from cbec.paths import write_text_atomic

    write_text_atomic(path, json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"-> {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 25, 50])
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of clicking per run")
    ap.add_argument("--timeout", type=float, default=60.0, help="per action, then an error")
    ap.add_argument("--health-interval", type=float, default=0.5)
    ap.add_argument("--settle", type=float, default=3.0, help="wait before RSS after close")
    ap.add_argument(
        "--replicas",
        type=int,
        default=0,
        help="serve each app from N replicas behind nginx (deploy/replicas.py); 0: one server",
    )
    ap.add_argument(
        "--floor",
        action="store_true",
        help="also the one-line app with the dashboard's number of elements (no budget)",
    )
    ap.add_argument("--bytes", action="store_true", help="bytes per filter change instead")
    ap.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--poll-health", metavar="URL", help=argparse.SUPPRESS)
    ap.add_argument("--interval", type=float, default=0.5, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.poll_health:
        poll_health(args.poll_health, args.interval)
        return 0
    return run_bytes(args) if args.bytes else run_load(args)


if __name__ == "__main__":
    raise SystemExit(main())
