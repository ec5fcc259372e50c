"""The project's data: where the files are, their schemas, and the one checked, joined dataset
every page uses, loaded once per process.

`load()` checks every file against its schema (`cbec.schema`) and joins zones x coordinates x
provinces (with regions) x batches, plus the gazetteer and the province shapes. Every problem is
collected and raised together as a `DataError` whose first line names the first broken file, so
a broken file produces one readable message, never a traceback. `dataset()` keeps the result
per data version in a module-level cache that Streamlit's cache-clearing cannot reach.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from cbec.schema import (
    CHINA_LAT,
    CHINA_LON,
    Col,
    CsvSchema,
    DataError,
    GeoSchema,
    Problem,  # noqa: F401 - part of this module's interface (DataError.problems)
    Ref,
    Report,
    check_csv,
    check_geo_refs,
    check_refs,
    read_csv,
    read_geojson,
)

T = TypeVar("T")

# --- where the project's files live -------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
STATIC = ROOT / "static"
SOURCES = DATA / "sources"  # the sourced list zones.csv and provinces.csv are built from

ZONES_CSV = DATA / "zones.csv"
BATCHES_CSV = DATA / "batches.csv"
PROVINCES_CSV = DATA / "provinces.csv"
COORDINATES_CSV = DATA / "coordinates.csv"
ZONE_AREAS = DATA / "zone_areas.geojson"
PROVINCE_SHAPES_COARSE = DATA / "provinces_coarse.geojson"
PREFECTURES_CSV = DATA / "prefectures.csv"
PLACES_CSV = DATA / "places.csv"
PROVINCE_OUTLINES = STATIC / "china_provinces.geojson"
SCS_INSET = STATIC / "south_china_sea.geojson"
GENERATED = STATIC / "generated"  # files the app writes once per data version (zone points)
# The URL under which Streamlit's static serving exposes PROVINCE_OUTLINES (relative, so a
# baseUrlPath or a hosted subdomain keeps working).
PROVINCE_OUTLINES_URL = "app/static/china_provinces.geojson"
SCS_INSET_URL = "app/static/south_china_sea.geojson"


def data_dir() -> Path:
    """The folder the app reads: `data/`, or CBEC_DATA_DIR when set (tests, a data preview)."""
    return Path(os.environ.get("CBEC_DATA_DIR") or DATA)


def slugify(text: str) -> str:
    """Lowercase ASCII with hyphens, for ids and URLs: "Xi'an" -> "xian",
    "Inner Mongolia" -> "inner-mongolia"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.replace("'", "").replace("\u2019", "").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def sources(source_url: str) -> list[str]:
    """The http(s) URLs of a `source_url` cell (separated by " | "); anything else is dropped."""
    out = []
    for part in source_url.split("|"):
        url = part.strip()
        if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc:
            out.append(url)
    return out


# --- writing: atomic, so that a reader never sees a half-written file --------------------------


def write_text_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename it over `path` in one step."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv_atomic(df: pd.DataFrame, path: Path) -> None:
    write_text_atomic(path, df.to_csv(index=False, lineterminator="\n"))


# --- the files and their schemas ----------------------------------------------------------------

REGIONS = ["East", "Central", "West", "Northeast"]  # National Bureau of Statistics
REGION_ZH = {"East": "东部", "Central": "中部", "West": "西部", "Northeast": "东北"}
PRIORITY_REGIONS = {"Central", "West", "Northeast"}  # July 2018 announcement
ADMIN_LEVELS = (
    "municipality",
    "prefecture",
    "county-level city",
    "autonomous prefecture",
    "new area",
    "province-wide",
)
CONFIDENCE = ("high", "medium", "low", "unverified")
PRECISION = ("seat", "area")
# Generous box around the mainland and Hainan: a zone's point outside it is certainly wrong.
# (Gazetteer places may lie further south: Sansha, in the South China Sea.)
CHINA_BBOX = {"lat": (18.0, 53.6), "lon": (73.4, 135.1)}
# Drawn so that the outline of China is complete; not in provinces.csv (no zones, no region).
TAIWAN_HONG_KONG_MACAO = ("710000", "810000", "820000")


def _lat(box: tuple[float, float] = CHINA_BBOX["lat"]) -> Col:
    return Col("lat", "float", lo=box[0], hi=box[1])


def _lon(box: tuple[float, float] = CHINA_BBOX["lon"]) -> Col:
    return Col("lon", "float", lo=box[0], hi=box[1])


PROVINCES = CsvSchema(
    "provinces.csv",
    (
        Col("adcode", "adcode", unique=True),
        Col("province_en", unique=True),
        Col("province_zh", unique=True),
        Col("region_en", choices=tuple(REGIONS)),
        Col("region_zh", choices=tuple(REGION_ZH.values())),
    ),
    min_rows=31,
)
BATCHES = CsvSchema(
    "batches.csv",
    (
        Col("batch", "int", lo=1, hi=99, unique=True),
        Col("approved_on", "date"),
        Col("signed_on", "date", required=False),
        Col("published_on", "date", required=False),
        Col("meeting_on", "date", required=False),
        Col("document_no"),
        Col("title_zh"),
        Col("title_en"),
        Col("count", "int", lo=1, hi=100_000),
        Col("summary"),
        Col("summary_zh"),
        Col("note", required=False),
        Col("source_url"),
    ),
)
ZONES = CsvSchema(
    "zones.csv",
    (
        Col("zone_id", "slug", unique=True, max_len=60),
        Col("batch", "int", lo=1, hi=99),
        Col("name_en", max_len=120),
        Col("name_zh", max_len=60),
        Col("province_en"),
        Col("province_zh"),
        Col("admin_level", choices=ADMIN_LEVELS),
        Col("approved_on", "date"),
        Col("revoked_on", "date", required=False),
        Col("document_no"),
        Col("confidence", choices=CONFIDENCE),
        Col("note", required=False),
        Col("note_zh", required=False),
        Col("source_url", required=False),
    ),
    refs=(Ref("batch", "batches.csv", "batch"), Ref("province_en", "provinces.csv", "province_en")),
)
COORDINATES = CsvSchema(
    "coordinates.csv",
    (
        Col("zone_id", "slug", unique=True),
        _lat(),
        _lon(),
        Col("geocoder"),
        Col("query"),
        Col("matched_name"),
        Col("geocoded_on", "date"),
        Col("precision", choices=PRECISION),
        Col("division_code", "adcode", required=False),
        Col("geonames_km", "float", required=False, lo=0, hi=1000),
        Col("point_note", required=False),
        Col("point_note_zh", required=False),
    ),
    refs=(Ref("zone_id", "zones.csv", "zone_id"),),
)
PREFECTURES = CsvSchema(
    "prefectures.csv",
    (
        Col("adcode", "adcode", unique=True),
        Col("name_zh"),
        Col("name_en", required=False),
        Col("seat", required=False),
        Col("province_zh"),
        Col("province_en"),
        _lat(CHINA_LAT),
        _lon(CHINA_LON),
        Col("precision", choices=PRECISION),
        Col("pinyin", max_len=40),
        Col("source"),
    ),
    min_rows=300,
    refs=(Ref("province_en", "provinces.csv", "province_en"),),
)
PLACES = CsvSchema(
    "places.csv",
    (
        Col("geonameid", "int", unique=True),
        Col("name_en"),
        Col("name_zh", required=False),
        Col("pinyin", required=False, max_len=40),
        Col("province_en"),
        _lat(CHINA_LAT),
        _lon(CHINA_LON),
        Col("population", "int"),
    ),
    min_rows=100,
    refs=(Ref("province_en", "provinces.csv", "province_en"),),
)
PROVINCE_SHAPES = GeoSchema(
    "provinces_coarse.geojson",
    key="adcode",
    properties=("adcode", "name_en", "name_zh"),
    ref=Ref("adcode", "provinces.csv", "adcode"),
    complete=True,
    extra=TAIWAN_HONG_KONG_MACAO,
    min_features=31,
)
ZONE_SHAPES = GeoSchema(
    "zone_areas.geojson",
    key="zone_id",
    properties=("zone_id", "name_zh"),
    ref=Ref("zone_id", "zones.csv", "zone_id"),
    complete=True,
)
OUTLINES = GeoSchema(
    "china_provinces.geojson",
    key="adcode",
    properties=("adcode", "name_en", "name_zh"),
    ref=Ref("adcode", "provinces.csv", "adcode"),
    complete=True,
    extra=TAIWAN_HONG_KONG_MACAO,
    min_features=31,
)
SCS = GeoSchema(
    "south_china_sea.geojson",
    key="kind",
    properties=("kind",),
    geometries=("Polygon", "MultiPolygon", "MultiLineString"),
    choices=("frame", "islands", "line"),
    min_features=3,
)
# In the order they depend on each other: a file is checked against the ones before it.
CSV_FILES = (PROVINCES, BATCHES, ZONES, COORDINATES, PREFECTURES, PLACES)
GEO_FILES = (PROVINCE_SHAPES, ZONE_SHAPES)
ZONE_COLUMNS = ZONES.names
BATCH_COLUMNS = BATCHES.names
PROVINCE_COLUMNS = PROVINCES.names
COORD_COLUMNS = COORDINATES.names


def data_files(folder: Path) -> list[Path]:
    """Every file the app reads, and the outlines and inset the browser fetches."""
    return [folder / s.file for s in (*CSV_FILES, *GEO_FILES)] + [PROVINCE_OUTLINES, SCS_INSET]


# --- checks across fields and files --------------------------------------------------------------


def _rules(report: Report) -> None:
    """What one column cannot say alone: names that agree, dates in order, counts that add up,
    a point for every zone. Only files that passed their own checks are compared."""
    t, ok = report.tables, lambda f: f in t and f not in report.broken
    add = report.add
    if ok("provinces.csv"):
        for r in t["provinces.csv"]:
            if REGION_ZH[r["region_en"]] != r["region_zh"]:
                add(
                    "provinces.csv",
                    int(r["_line"]),
                    "region_zh",
                    f"{r['region_zh']!r} is not "
                    f"the Chinese name of {r['region_en']!r} ({REGION_ZH[r['region_en']]})",
                )
    if not ok("zones.csv"):
        return
    zones = t["zones.csv"]
    province_zh = (
        {r["province_en"]: r["province_zh"] for r in t["provinces.csv"]}
        if ok("provinces.csv")
        else {}
    )
    batches = {r["batch"]: r for r in t["batches.csv"]} if ok("batches.csv") else {}
    for r in zones:
        line, f = int(r["_line"]), "zones.csv"
        expected_zh = province_zh.get(r["province_en"])
        if expected_zh and expected_zh != r["province_zh"]:
            add(
                f,
                line,
                "province_zh",
                f"{r['province_zh']!r} does not match "
                f"{r['province_en']!r} ({expected_zh!r} in provinces.csv)",
            )
        if not r["source_url"] and r["confidence"] != "unverified":
            add(f, line, "source_url", "is empty: only an 'unverified' row may lack a source")
        if r["confidence"] == "unverified" and not r["note"]:
            add(f, line, "note", "an 'unverified' row must say why in its note")
        if bool(r["note"]) != bool(r["note_zh"]):
            add(f, line, "note_zh", "a note needs its Chinese (note_zh), and only a note has one")
        if r["revoked_on"] and r["revoked_on"] < r["approved_on"]:
            add(
                f, line, "revoked_on", f"{r['revoked_on']} is before approved_on {r['approved_on']}"
            )
        b = batches.get(r["batch"])
        if b is not None:
            if r["document_no"] != b["document_no"]:
                add(f, line, "document_no", f"{r['document_no']!r} differs from batch {r['batch']}")
            if r["approved_on"] != b["approved_on"]:
                add(f, line, "approved_on", f"{r['approved_on']} differs from batch {r['batch']}")
    if batches:
        counts = Counter(r["batch"] for r in zones)
        for b, r in batches.items():
            if counts.get(b, 0) != int(r["count"]):
                add(
                    "zones.csv",
                    None,
                    "batch",
                    f"batch {b} has {counts.get(b, 0)} zones, batches.csv says {r['count']}",
                )
    if ok("coordinates.csv"):
        have = {r["zone_id"] for r in t["coordinates.csv"]}
        for r in zones:
            if r["zone_id"] not in have:
                add(
                    "coordinates.csv",
                    None,
                    "zone_id",
                    f"no point for zone {r['zone_id']!r}: run python -m cbec.pipeline.geocode",
                )


def check(folder: Path | None = None) -> Report:
    """Read and check every data file in `folder`; the report holds the problems (the first
    broken file first) and the rows of the files that could be read."""
    folder = Path(folder or data_dir())
    report = Report()
    for schema in CSV_FILES:
        rows = read_csv(folder / schema.file, schema, report)
        if rows is None:
            continue
        check_csv(schema, rows, report)
        check_refs(schema, rows, report)
        report.tables[schema.file] = rows
    _rules(report)
    for geo, path in zip(
        (*GEO_FILES, OUTLINES, SCS),
        (*(folder / g.file for g in GEO_FILES), PROVINCE_OUTLINES, SCS_INSET),
        strict=True,
    ):
        doc = read_geojson(path, geo, report)
        if doc is not None:
            check_geo_refs(geo, doc, report)
            report.docs[geo.file] = doc
    report.problems.sort(key=lambda p: _ORDER.get(p.file, 99))
    return report


_ORDER = {s.file: i for i, s in enumerate((*CSV_FILES, *GEO_FILES, OUTLINES, SCS))}


def status_on(zones: pd.DataFrame, when: dt.date) -> pd.Series:
    """'active', 'withdrawn' or 'not yet approved' on `when` (a zone is withdrawn from its
    revoked_on date onwards)."""
    day = np.datetime64(when, "D")
    approved = zones["approved_on"].to_numpy()
    revoked = zones["revoked_on"].to_numpy()
    status = np.where(approved > day, "not yet approved", "active").astype(object)
    status[revoked <= day] = "withdrawn"  # NaT compares False: never withdrawn
    return pd.Series(status, index=zones.index)


def active_mask(zones: pd.DataFrame, when: dt.date) -> np.ndarray:
    """True for the zones approved by `when` and not withdrawn by then."""
    day = np.datetime64(when, "D")
    return (zones["approved_on"].to_numpy() <= day) & ~(zones["revoked_on"].to_numpy() <= day)


def active_on(zones: pd.DataFrame, when: dt.date) -> pd.DataFrame:
    """The zones active on `when` (every batch)."""
    return zones[active_mask(zones, when)]


def _frame(rows: list[dict[str, str]], columns: list[str]) -> pd.DataFrame:
    # Plain Python strings: on a few hundred rows, pandas' Arrow-backed strings cost more per
    # filter and row-wise read (every rerun) than they save.
    return pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in columns})


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.replace("", None), format="%Y-%m-%d")


def join(report: Report, when: dt.date) -> Dataset:
    """The typed tables the pages use; assumes `report` found no problem."""
    t = report.tables
    zones = _frame(t["zones.csv"], ZONE_COLUMNS)
    coords = _frame(t["coordinates.csv"], COORD_COLUMNS)
    provinces = _frame(t["provinces.csv"], PROVINCE_COLUMNS)
    zones = zones.merge(coords, on="zone_id", how="left", validate="one_to_one")
    zones = zones.merge(
        provinces[["province_en", "adcode", "region_en", "region_zh"]],
        on="province_en",
        how="left",
        validate="many_to_one",
    )
    zones["batch"] = zones["batch"].astype(int)
    zones["lat"] = zones["lat"].astype(float)
    zones["lon"] = zones["lon"].astype(float)
    for col in ("approved_on", "revoked_on"):
        zones[col] = _dates(zones[col])
    zones["priority_region"] = zones["region_en"].isin(PRIORITY_REGIONS)
    zones["status"] = status_on(zones, when)
    # What the search box looks through, built once: "xi'an\n西安市\nxian".
    zones["search_text"] = (
        zones["name_en"].str.casefold() + "\n" + zones["name_zh"] + "\n" + zones["zone_id"]
    )
    batches = _frame(t["batches.csv"], BATCH_COLUMNS)
    batches["batch"] = batches["batch"].astype(int)
    batches["count"] = batches["count"].astype(int)
    for col in ("approved_on", "signed_on", "published_on", "meeting_on"):
        batches[col] = _dates(batches[col])
    prefectures = _frame(t["prefectures.csv"], PREFECTURES.names)
    places = _frame(t["places.csv"], PLACES.names)
    for frame in (prefectures, places):
        frame["lat"] = frame["lat"].astype(float)
        frame["lon"] = frame["lon"].astype(float)
    places["population"] = places["population"].astype(int)
    frames = [zones, batches, provinces, prefectures, places]
    for frame in frames:
        _plain_strings(frame)
    return Dataset(
        zones=zones,
        batches=batches,
        provinces=provinces,
        prefectures=prefectures,
        places=places,
        province_shapes=report.docs["provinces_coarse.geojson"],
        today=when,
    )


def _plain_strings(frame: pd.DataFrame) -> None:
    """Text columns as plain Python strings: on a few hundred rows, pandas' Arrow-backed
    strings cost more in every filter and row read (each rerun) than they save (measured under
    load: pyarrow's `take` was the largest single cost of a rerun)."""
    for col in frame.columns:
        if pd.api.types.is_string_dtype(frame[col]) and not pd.api.types.is_object_dtype(
            frame[col]
        ):
            frame[col] = frame[col].astype(object)


@dataclass(eq=False)
class Dataset:
    """The joined, checked data, and a memo of what is derived from it.

    One object per data version, shared by every session and never changed: the frames are
    only read. `derived()` keeps computed tables on the object, so they live as long as it does
    and no session (nor Streamlit's "clear cache" message) can make the next visitor pay again.
    """

    zones: pd.DataFrame
    batches: pd.DataFrame
    provinces: pd.DataFrame
    prefectures: pd.DataFrame
    places: pd.DataFrame
    province_shapes: dict
    today: dt.date
    version: tuple = ()  # the files' fingerprint when loaded: a cache key for what follows
    _memo: dict = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def derived(self, key: Hashable, make: Callable[[], T]) -> T:
        """`make()` once per key for the life of this dataset (thread-safe)."""
        try:
            return self._memo[key]
        except KeyError:
            pass
        with self._lock:
            if key not in self._memo:
                self._memo[key] = make()
            return self._memo[key]

    @property
    def zone_ids(self) -> frozenset[str]:
        return self.derived("zone_ids", lambda: frozenset(self.zones["zone_id"]))

    def zone(self, zone_id: str) -> pd.Series:
        """One zone's row, by id (an index built once, not on every rerun)."""
        return self.derived("zones_by_id", lambda: self.zones.set_index("zone_id")).loc[zone_id]

    def prefecture(self, adcode: str) -> pd.Series:
        by_code = self.derived("prefectures_by_code", lambda: self.prefectures.set_index("adcode"))
        return by_code.loc[adcode]

    def epoch(self, when: dt.date) -> int:
        """Which set of zones is active on `when`, as the number of approval and withdrawal
        days up to it: a small cache key for what depends only on that set (any of thousands
        of days maps to one of a dozen)."""
        days = self.derived(
            "change_days",
            lambda: np.unique(
                np.concatenate(
                    [self.zones["approved_on"].dropna().to_numpy(dtype="datetime64[D]"),
                     self.zones["revoked_on"].dropna().to_numpy(dtype="datetime64[D]")]
                )
            ),
        )  # fmt: skip
        return int(np.searchsorted(days, np.datetime64(when, "D"), side="right"))


def load(folder: Path | None = None, when: dt.date | None = None) -> Dataset:
    """Read, check and join every data file; raise DataError listing every problem at once."""
    report = check(folder)
    if report.problems:
        raise DataError(report.problems)
    return join(report, when or dt.date.today())


# --- one dataset per process ---------------------------------------------------------------------

_CACHE: dict[tuple, Dataset | DataError] = {}
_CACHE_LOCK = threading.Lock()


def fingerprint(folder: Path) -> tuple:
    """What identifies a version of the data: each file's size and modification time."""
    out = []
    for path in data_files(folder):
        try:
            st = path.stat()
            out.append((path.name, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((path.name, None, None))
    return tuple(out)


_STAMPS: dict[str, tuple[float, tuple]] = {}  # folder -> (time checked, fingerprint)
RECHECK_S = 2.0  # how often the files' sizes and times are looked at again


def _stamp(folder: Path) -> tuple:
    """The folder's fingerprint, looked at no more than every RECHECK_S seconds (a rerun
    should not stat nine files; an edited file is still seen within seconds)."""
    now = time.monotonic()
    seen = _STAMPS.get(str(folder))
    if seen is None or now - seen[0] > RECHECK_S:
        seen = (now, fingerprint(folder))
        _STAMPS[str(folder)] = seen
    return seen[1]


def dataset(folder: Path | None = None, when: dt.date | None = None) -> Dataset:
    """The dataset for `folder` (default: data_dir()) on `when` (default: today), loaded once
    per process and data version and kept in a module-level cache, where Streamlit's "clear
    cache" message (which any visitor can send) does not reach. A broken version raises the
    same DataError every time without reading the files again."""
    folder = Path(folder or data_dir())
    when = when or dt.date.today()
    key = (str(folder), when, _stamp(folder))
    found = _CACHE.get(key)
    if found is None:
        with _CACHE_LOCK:
            found = _CACHE.get(key)
            if found is None:
                try:
                    found = load(folder, when)
                    found.version = key
                except DataError as exc:
                    found = exc
                for old in [k for k in _CACHE if k[0] == key[0]]:
                    del _CACHE[old]  # one version per folder: a new one replaces the old
                _CACHE[key] = found
    if isinstance(found, DataError):
        raise found
    return found
