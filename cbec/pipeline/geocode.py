"""Geocode every zone's seat with geopy, check it, and keep it in `data/coordinates.csv`.

Run as `python -m cbec.pipeline.geocode [--provider seats|auto|nominatim|offline] [--refresh]`.

The point policy: a zone's point is the seat of its city's (or county-level city's, or
prefecture's) people's government (政府驻地), in WGS-84.

- Providers behind one interface, all returning geopy `Location` objects, tried in order until
  one gives a point that passes the checks. The default (`seats`): the seat table by
  administrative code (`SeatTable`, AMap's seats via `cpca`, converted from GCJ-02), then GeoNames
  by name (`OfflineGazetteer`). `nominatim` asks OpenStreetMap (polite: a real User-Agent, one
  request a second, retries on timeouts, 429 with Retry-After, 5xx).
- Checked: a point is kept only if it lies in China, in the zone's province and in the zone's own
  administrative area (`cbec.areas`); otherwise the zone, the query and the answer are reported.
- Cross-checked and recorded with each point: the zone's own administrative code
  (`division_code`), the distance to GeoNames' answer for the same zone (`geonames_km`) and,
  where the point is knowingly not the seat the code gives, why (`point_note`, from `REASONS`).
- Resumable: zones that already have a row are skipped (unless `--refresh`), and the file is
  rewritten atomically after every success, so an interrupted run loses nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from geopy.distance import geodesic
from geopy.exc import GeopyError

from cbec import paths
from cbec.checks import COORD_COLUMNS
from cbec.geocoders import (
    GeocodeError,
    NominatimProvider,
    OfflineGazetteer,
    Politeness,
    Provider,
    SeatTable,
    _short,
    network_answers,
)
from cbec.paths import write_csv_atomic
from cbec.pipeline.seats import seat_of

# precision: "seat" = the seat of government, found by a geocoder and checked; "area" = no
# geocoder found the seat, so the point is a point inside the zone's area (retried on every run).
FALLBACK = "fallback:area-point"
MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}

# Zones that are no single city: the seat of their administration stands in. Autonomous
# prefectures and prefectures are looked up by name at their seat (cbec.seats), by code as
# themselves.
SPECIAL: dict[str, tuple[str, str]] = {
    "xiongan": ("容城县", "Xiong'an New Area: its administration sits in Rongcheng county"),
    "hainan": ("海口市", "Hainan island (whole province): Haikou, the provincial capital"),
}
# What is special or uncertain about a zone's point, written to `point_note` (shown with the
# point). The tests require a note for every zone more than CROSSCHECK_KM from the seat its own
# code gives in the seat table (or with no code there), and for every zone more than GEONAMES_KM
# from GeoNames' answer (or with none): such a point is either explained or looked at again.
REASONS: dict[str, str] = {
    "hainan": (
        "Whole-island zone: the point is the seat of Haikou's city government (460100), the "
        "provincial capital, not the seat table's point for Hainan province (460000)."
    ),
    "xiongan": (
        "Xiong'an New Area has no code in the seat table (its codes date from 2016-2018): the "
        "point is the seat of Rongcheng county (130629), where the new area's administration sits."
    ),
    "panjin": (
        "The seat table puts the city government in Dawa district (大洼区), 45 km south of "
        "GeoNames' Panjin (Xinglongtai district, 兴隆台区); no third source was read to say "
        "which is the seat today."
    ),
    "haidong": (
        "The seat table puts the city government in Ping'an district (平安区); GeoNames' answer "
        "for 海东市 is Nianbo in Ledu district (乐都区), 28 km east."
    ),
    "tongjiang": (
        "GeoNames has no place of this name in Heilongjiang: only the seat table gives a point."
    ),
}
# The same, in Chinese (the Chinese interface shows these).
REASONS_ZH: dict[str, str] = {
    "hainan": (
        "全岛综试区：点位为海口市人民政府驻地（460100，省会），而非驻地表中海南省（460000）的点位。"
    ),
    "xiongan": (
        "雄安新区在驻地表中没有代码（其代码设于2016—2018年）"
        "：点位为容城县（130629）驻地，新区管理机构设于此。"
    ),
    "panjin": (
        "驻地表将市政府置于大洼区，在GeoNames的盘锦（兴隆台区"
        "）以南45公里；尚未查阅第三个来源以确定目前的驻地。"
    ),
    "haidong": ("驻地表将市政府置于平安区；GeoNames对海东市的结果是乐都区的碾伯，在其以东28公里。"),
    "tongjiang": "GeoNames在黑龙江没有这一地名：只有驻地表给出了点位。",
}
CROSSCHECK_KM = 5.0
GEONAMES_KM = 25.0


def query_for(zone: pd.Series | dict, provider: Provider | None = None) -> str:
    """What to ask `provider` for a zone's seat.

    A geocoder by code gets the code of the division whose seat it is ("520100"; empty if the
    table has none); the others free text, most specific part first ("芒市, 云南省, 中国").
    """
    zid = zone["zone_id"]
    if getattr(provider, "key", "name") == "code":
        name = SPECIAL[zid][0] if zid in SPECIAL else zone["name_zh"]
        return provider.code_for(name, zone["province_zh"]) or ""  # type: ignore[union-attr]
    name = SPECIAL[zid][0] if zid in SPECIAL else seat_of(zone["name_zh"])
    if zone["province_zh"] in MUNICIPALITIES and name == zone["province_zh"]:
        return f"{name}, 中国"
    return f"{name}, {zone['province_zh']}, 中国"


def division_code(zone: pd.Series | dict, table: SeatTable) -> str:
    """The zone's own administrative code, found by its exact Chinese name inside its province
    (a province-wide zone: the province's); empty when the table has no such division."""
    if zone["admin_level"] == "province-wide":
        return table.code_for(zone["province_zh"], zone["province_zh"]) or ""
    return table.code_for(zone["name_zh"], zone["province_zh"]) or ""


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
    found = pd.read_csv(path, dtype={"zone_id": str, "division_code": str}, keep_default_na=False)
    return found.reindex(columns=COORD_COLUMNS, fill_value="")  # a file of older columns: refilled


def _progress(done: int, total: int, label: str, width: int = 30) -> None:
    filled = width * done // max(total, 1)
    bar = "#" * filled + "-" * (width - filled)
    print(f"\r[{bar}] {done}/{total} {label:<28}", end="", file=sys.stderr, flush=True)


def run(
    zones: pd.DataFrame,
    provider: Provider | list[Provider],
    areas,
    out: Path = paths.COORDINATES_CSV,
    refresh: bool = False,
    today: dt.date | None = None,
    fallback: bool = False,
    table: SeatTable | None = None,
    crosscheck: OfflineGazetteer | None = None,
) -> RunReport:
    """Geocode the zones missing from `out` (all with `refresh`), writing after every success.

    `provider` may be a list, tried in order: the first point that passes the checks is kept.
    With `fallback`, a zone no geocoder finds gets a point inside its area, marked
    precision="area", rather than no point at all; later runs try it again. With `table`, each row
    records the zone's own code; with `crosscheck`, the distance to GeoNames' seat of the zone.
    """
    providers = provider if isinstance(provider, list) else [provider]
    today = today or dt.date.today()
    coords = read_coordinates(out)
    have = set(coords.loc[coords["precision"] == "seat", "zone_id"])
    todo = [z for _, z in zones.iterrows() if refresh or z["zone_id"] not in have]
    report = RunReport(skipped=len(zones) - len(todo))
    order = {zid: i for i, zid in enumerate(zones["zone_id"])}
    for i, zone in enumerate(todo):
        _progress(i, len(todo), zone["zone_id"])
        errors = []
        for p in providers:
            query = query_for(zone, p)
            try:
                row = _locate(zone, query, p, areas, today)
                break
            except GeocodeError as exc:
                errors.append(f"query {query!r}: {exc}")
        else:
            report.failed.append(f"{zone['zone_id']}: {'; '.join(errors)}")
            if not fallback or zone["zone_id"] not in areas.zones:
                continue
            row = _area_point(zone, query_for(zone, providers[-1]), areas, today)
        row |= _checks(zone, row, areas, table, crosscheck)
        coords = pd.concat(
            [coords[coords["zone_id"] != zone["zone_id"]], pd.DataFrame([row])], ignore_index=True
        )
        coords = coords.sort_values("zone_id", key=lambda s: s.map(order).fillna(len(order)))
        write_csv_atomic(coords[COORD_COLUMNS], out)
        (report.added if row["precision"] == "seat" else report.approximate).append(zone["zone_id"])
    _progress(len(todo), len(todo), "done")
    print(file=sys.stderr)
    return report


def _checks(zone, row: dict, areas, table: SeatTable | None, gazetteer) -> dict:
    """The provenance columns that measure a kept point against the other sources."""
    zid = zone["zone_id"]
    geonames_km = ""
    if gazetteer is not None:
        query = query_for(zone, gazetteer)
        for loc in gazetteer.candidates(query):
            if areas.problem(zid, zone["province_zh"], loc.latitude, loc.longitude) is None:
                km = geodesic((row["lat"], row["lon"]), (loc.latitude, loc.longitude)).km
                geonames_km = round(km, 1)
                break
    return {
        "division_code": division_code(zone, table) if table is not None else "",
        "geonames_km": geonames_km,
        "point_note": REASONS.get(zid, ""),
        "point_note_zh": REASONS_ZH.get(zid, ""),
    }


def _locate(zone, query: str, provider: Provider, areas, today: dt.date) -> dict:
    if not query:
        raise GeocodeError("no code for this zone")
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


def make_providers(
    args: argparse.Namespace, table: SeatTable, gazetteer: OfflineGazetteer
) -> list[Provider]:
    """seats: the seat table, then GeoNames; auto: the seat table, then Nominatim if it answers
    (else GeoNames); offline: GeoNames only; nominatim: Nominatim only."""
    choice = args.provider

    def nominatim() -> Provider:
        politeness = Politeness(min_interval=args.min_interval, timeout=args.timeout)
        return NominatimProvider(domain=args.domain, scheme=args.scheme, politeness=politeness)

    if choice == "auto":
        online = network_answers()
        print(f"provider: seats, then {'nominatim' if online else 'GeoNames'}", file=sys.stderr)
        return [table, nominatim() if online else gazetteer]
    if choice == "seats":
        return [table, gazetteer]
    if choice == "offline":
        return [gazetteer]
    return [nominatim()]


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m cbec.pipeline.geocode", description=__doc__.split("\n")[0]
    )
    ap.add_argument(
        "--provider", choices=["seats", "auto", "nominatim", "offline"], default="seats"
    )
    ap.add_argument("--refresh", action="store_true", help="geocode every zone again")
    ap.add_argument("--zones", type=Path, default=paths.ZONES_CSV)
    ap.add_argument("--out", type=Path, default=paths.COORDINATES_CSV)
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

    from cbec.pipeline.areas import Areas  # shapely: dev dependency

    zones = pd.read_csv(args.zones, dtype=str, keep_default_na=False)
    table, gazetteer = SeatTable(), OfflineGazetteer()
    try:
        report = run(
            zones,
            make_providers(args, table, gazetteer),
            Areas.load(),
            out=args.out,
            refresh=args.refresh,
            fallback=args.fallback_area,
            table=table,
            crosscheck=gazetteer,
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
