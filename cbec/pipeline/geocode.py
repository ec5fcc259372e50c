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
  (`division_code`), the distance to GeoNames' answer for the same zone (`geonames_km`), the
  distance to a second map provider's seat for the same code (`tencent_km`: Tencent's city list),
  how sure the point is (`point_check`) and, where it is not plainly agreed, why (`point_note`,
  `point_source`: from data/sources/point_notes.csv and seat_moves.csv).
- Resumable: zones that already have a row are skipped (unless `--refresh`), and the file is
  rewritten atomically after every success, so an interrupted run loses nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
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
    SecondSeats,
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
# What is special or uncertain about a zone's point: `data/sources/point_notes.csv` (zone_id,
# check, note, note_zh, source_url), written to `point_note` and shown with the point; a move in
# `data/sources/seat_moves.csv` writes its own note. The tests require a note for every zone
# more than CROSSCHECK_KM from the seat its own code gives, more than GEONAMES_KM from GeoNames'
# answer, or more than SECOND_KM from the second provider's seat.
#
# point_check, how sure the point is:
#   agrees      within SECOND_KM of the second provider's seat for the same code
#   moved       the government moved after the seat table was made (seat_moves.csv)
#   corrected   a source shows the seat table's point is not in the seat's district (seat_moves.csv)
#   sourced     the providers disagree; a source read says the point's site is the seat
#   proxy       no single city: the point stands for the zone by a stated rule (Hainan, Xiong'an)
#   unresolved  the providers disagree and no source read settles it (note: the distance)
#   single      the second provider has no such division (county-level cities, prefectures)
NOTED_CHECKS = ("sourced", "proxy", "unresolved", "")  # what point_notes.csv may state


@functools.cache  # read once per run, not once per zone
def read_point_notes(path: Path = paths.POINT_NOTES_CSV) -> dict[str, dict[str, str]]:
    notes = pd.read_csv(path, dtype=str, keep_default_na=False)
    for line, check in enumerate(notes["check"], start=2):
        if check not in NOTED_CHECKS:
            raise ValueError(f"{path.name}, line {line}, check: {check!r} is not one of "
                             f"{', '.join(c for c in NOTED_CHECKS if c)} or empty")  # fmt: skip
    return {r["zone_id"]: r for r in notes.to_dict("records")}


CROSSCHECK_KM = 5.0
GEONAMES_KM = 25.0
SECOND_KM = 2.0


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
    second: SecondSeats | None = None,
) -> RunReport:
    """Geocode the zones missing from `out` (all with `refresh`), writing after every success.

    `provider` may be a list, tried in order: the first point that passes the checks is kept.
    With `fallback`, a zone no geocoder finds gets a point inside its area, marked
    precision="area", rather than no point at all; later runs try it again. With `table`, each row
    records the zone's own code; with `crosscheck`, the distance to GeoNames' seat of the zone;
    with `second`, the distance to the second provider's seat and how sure the point is.
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
        row |= _checks(zone, row, areas, table, crosscheck, second)
        row = _keep_date_if_unchanged(coords[coords["zone_id"] == zone["zone_id"]], row)
        coords = pd.concat(
            [coords[coords["zone_id"] != zone["zone_id"]], pd.DataFrame([row])], ignore_index=True
        )
        coords = coords.sort_values("zone_id", key=lambda s: s.map(order).fillna(len(order)))
        write_csv_atomic(coords[COORD_COLUMNS], out)
        (report.added if row["precision"] == "seat" else report.approximate).append(zone["zone_id"])
    _progress(len(todo), len(todo), "done")
    print(file=sys.stderr)
    return report


def _keep_date_if_unchanged(previous: pd.DataFrame, row: dict) -> dict:
    """`geocoded_on` is the date a point last changed: a refresh that finds the same row keeps
    its date, so a rebuild reproduces the committed file byte for byte."""
    if previous.empty:
        return row
    cols = [c for c in COORD_COLUMNS if c != "geocoded_on"]
    fresh = pd.DataFrame([row]).reindex(columns=cols, fill_value="")
    if previous[cols].to_csv(index=False) == fresh.to_csv(index=False):
        return row | {"geocoded_on": previous["geocoded_on"].iloc[0]}
    return row


def _checks(
    zone, row: dict, areas, table: SeatTable | None, gazetteer, second: SecondSeats | None
) -> dict:
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
    code = division_code(zone, table) if table is not None else ""
    second_km = second.km(code, row["lat"], row["lon"]) if second is not None and code else None
    return {
        "division_code": code,
        "geonames_km": geonames_km,
        "tencent_km": "" if second_km is None else round(second_km, 1),
    } | point_check(zid, code, second_km, table)


def point_check(
    zid: str, code: str, second_km: float | None, table: SeatTable | None
) -> dict[str, str]:
    """How sure a zone's point is (`vocab.POINT_CHECKS`), with the note and source that say
    why."""
    moves = table.moves if table is not None else {}
    if code in moves:
        m = moves[code]
        return _check(m.kind, m.note, m.note_zh, m.source_url)
    noted = read_point_notes().get(zid, {"check": "", "note": "", "note_zh": "", "source_url": ""})
    if noted["check"] in ("sourced", "proxy"):
        return _check(noted["check"], noted["note"], noted["note_zh"], noted["source_url"])
    check = "single" if second_km is None else "agrees" if second_km <= SECOND_KM else "unresolved"
    note, note_zh = noted["note"], noted["note_zh"]
    if check == "unresolved":  # said in words, with the distance, whatever the notes hold
        km = f"{second_km:.1f}"
        note = " ".join(
            (f"Unresolved: the two map providers are {km} km apart (AMap's seat table, this "
             "point, and Tencent's city list); no source read says which is the seat.", note)
        ).strip()  # fmt: skip
        note_zh = (
            f"未定：两个地图数据源（高德驻地表即此点，与腾讯城市列表）相距{km}公里；"
            f"所查来源未能确定哪一个是驻地。{note_zh}"
        )
    return _check(check, note, note_zh, noted["source_url"])


def _check(check: str, note: str, note_zh: str, source: str) -> dict[str, str]:
    return {
        "point_check": check,
        "point_note": note,
        "point_note_zh": note_zh,
        "point_source": source,
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
            second=SecondSeats(),
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
