"""Load, validate and join the project's data files into the one table every page uses.

`load()` returns zones x coordinates x provinces (with regions) x batches, plus each zone's
status on a given date. Every problem found in the files is collected and raised together as a
`DataError` whose lines name the file, the row and the field, so a broken file produces one
readable message, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

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
# The URL under which Streamlit's static serving exposes PROVINCE_OUTLINES (relative, so a
# baseUrlPath or a hosted subdomain keeps working).
PROVINCE_OUTLINES_URL = "app/static/china_provinces.geojson"


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


ZONE_COLUMNS = [
    "zone_id",
    "batch",
    "name_en",
    "name_zh",
    "province_en",
    "province_zh",
    "admin_level",
    "approved_on",
    "revoked_on",
    "document_no",
    "confidence",
    "note",
    "source_url",
]
BATCH_COLUMNS = [
    "batch",
    "approved_on",
    "signed_on",
    "published_on",
    "meeting_on",
    "document_no",
    "title_zh",
    "title_en",
    "count",
    "summary",
    "summary_zh",
    "note",
    "source_url",
]
PROVINCE_COLUMNS = ["adcode", "province_en", "province_zh", "region_en", "region_zh"]
COORD_COLUMNS = [
    "zone_id",
    "lat",
    "lon",
    "geocoder",
    "query",
    "matched_name",
    "geocoded_on",
    "precision",
    "division_code",
    "geonames_km",
    "point_note",
]
SCHEMAS = {
    "zones.csv": ZONE_COLUMNS,
    "batches.csv": BATCH_COLUMNS,
    "provinces.csv": PROVINCE_COLUMNS,
    "coordinates.csv": COORD_COLUMNS,
}

REGIONS = ["East", "Central", "West", "Northeast"]  # National Bureau of Statistics
PRIORITY_REGIONS = {"Central", "West", "Northeast"}  # July 2018 announcement
ADMIN_LEVELS = {
    "municipality",
    "prefecture",
    "county-level city",
    "autonomous prefecture",
    "new area",
    "province-wide",
}
CONFIDENCE = {"high", "medium", "low", "unverified"}
PRECISION = {"seat", "area"}
# Generous box around the mainland and Hainan: a point outside it is certainly not in China.
CHINA_BBOX = {"lat": (18.0, 53.6), "lon": (73.4, 135.1)}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # line number in the file (the header is line 1); None for the whole file
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", line {self.row}"
        if self.field:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}"


class DataError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Tables:
    zones: pd.DataFrame
    batches: pd.DataFrame
    provinces: pd.DataFrame
    coordinates: pd.DataFrame


def _line(index: int) -> int:
    return index + 2  # header is line 1, first data row line 2


def read_tables(folder: Path | None = None) -> tuple[Tables | None, list[Problem]]:
    """Read the four CSV files as text; report missing files, bad CSV, missing or extra columns."""
    folder = Path(folder or data_dir())
    frames, problems = {}, []
    for name, columns in SCHEMAS.items():
        path = folder / name
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        except FileNotFoundError:
            problems.append(Problem(name, None, None, f"file not found in {folder}"))
            continue
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            problems.append(Problem(name, None, None, f"not a readable UTF-8 CSV file: {msg}"))
            continue
        missing = [c for c in columns if c not in df.columns]
        extra = [c for c in df.columns if c not in columns]
        if missing:
            problems.append(Problem(name, 1, None, f"missing column(s): {', '.join(missing)}"))
        if extra:
            problems.append(Problem(name, 1, None, f"unexpected column(s): {', '.join(extra)}"))
        if not missing:
            frames[name] = df[columns].apply(lambda s: s.str.strip())
    if len(frames) < len(SCHEMAS):
        return None, problems
    tables = Tables(
        frames["zones.csv"],
        frames["batches.csv"],
        frames["provinces.csv"],
        frames["coordinates.csv"],
    )
    return tables, problems


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
    except ValueError:
        return None


def _float(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def validate(t: Tables) -> list[Problem]:
    """Every problem in the tables, in file order; an empty list means the data can be joined."""
    problems: list[Problem] = []

    def bad(file: str, i: int | None, fld: str | None, msg: str) -> None:
        problems.append(Problem(file, None if i is None else _line(i), fld, msg))

    # provinces
    f = "provinces.csv"
    for i, r in t.provinces.iterrows():
        if not re.fullmatch(r"\d{6}", r["adcode"]):
            bad(f, i, "adcode", f"{r['adcode']!r} is not a six-digit code")
        if r["region_en"] not in REGIONS:
            bad(f, i, "region_en", f"unknown region {r['region_en']!r} (expected {REGIONS})")
    for col in ("province_en", "province_zh"):
        for i in t.provinces.index[t.provinces[col].duplicated()]:
            bad(f, i, col, f"duplicate province {t.provinces.at[i, col]!r}")
    province_zh = dict(zip(t.provinces["province_en"], t.provinces["province_zh"], strict=True))

    # batches
    f = "batches.csv"
    batch_rows = {}
    for i, r in t.batches.iterrows():
        if not r["batch"].isdigit():
            bad(f, i, "batch", f"{r['batch']!r} is not a batch number")
            continue
        if r["batch"] in batch_rows:
            bad(f, i, "batch", f"duplicate batch {r['batch']}")
        batch_rows[r["batch"]] = r
        for col in ("approved_on", "signed_on", "published_on", "meeting_on"):
            if (r[col] or col == "approved_on") and _date(r[col]) is None:
                bad(f, i, col, f"{r[col]!r} is not a date (YYYY-MM-DD)")
        if not r["count"].isdigit():
            bad(f, i, "count", f"{r['count']!r} is not a whole number")
        for col in ("document_no", "source_url"):
            if not r[col]:
                bad(f, i, col, "is empty: every batch needs its State Council reply and a source")

    # zones
    f = "zones.csv"
    z = t.zones
    for i, r in z.iterrows():
        if not SLUG.match(r["zone_id"]):
            bad(f, i, "zone_id", f"{r['zone_id']!r} is not a lowercase ASCII slug")
        for col in ("name_en", "name_zh", "document_no"):
            if not r[col]:
                bad(f, i, col, "is empty")
        if r["batch"] not in batch_rows:
            bad(f, i, "batch", f"unknown batch {r['batch']!r} (not in batches.csv)")
        if r["province_en"] not in province_zh:
            bad(f, i, "province_en", f"unknown province {r['province_en']!r}")
        elif province_zh[r["province_en"]] != r["province_zh"]:
            bad(
                f,
                i,
                "province_zh",
                f"{r['province_zh']!r} does not match {r['province_en']!r} "
                f"({province_zh[r['province_en']]!r} in provinces.csv)",
            )
        if r["admin_level"] not in ADMIN_LEVELS:
            bad(f, i, "admin_level", f"unknown level {r['admin_level']!r}")
        if r["confidence"] not in CONFIDENCE:
            bad(f, i, "confidence", f"{r['confidence']!r} is not one of {sorted(CONFIDENCE)}")
        if not r["source_url"] and r["confidence"] != "unverified":
            bad(f, i, "source_url", "is empty: only an 'unverified' row may lack a source")
        if r["confidence"] == "unverified" and not r["note"]:
            bad(f, i, "note", "an 'unverified' row must say why in its note")
        approved = _date(r["approved_on"])
        if approved is None:
            bad(f, i, "approved_on", f"{r['approved_on']!r} is not a date (YYYY-MM-DD)")
        if r["revoked_on"]:
            revoked = _date(r["revoked_on"])
            if revoked is None:
                bad(f, i, "revoked_on", f"{r['revoked_on']!r} is not a date (YYYY-MM-DD)")
            elif approved and revoked < approved:
                bad(f, i, "revoked_on", f"{revoked} is before approved_on {approved}")
        b = batch_rows.get(r["batch"])
        if b is not None:
            if r["document_no"] and r["document_no"] != b["document_no"]:
                bad(f, i, "document_no", f"{r['document_no']!r} differs from batch {r['batch']}")
            if approved and r["approved_on"] != b["approved_on"]:
                bad(f, i, "approved_on", f"{approved} differs from batch {r['batch']}")
    for i in z.index[z["zone_id"].duplicated()]:
        bad(f, i, "zone_id", f"duplicate zone_id {z.at[i, 'zone_id']!r}")
    counts = z["batch"].value_counts()
    for b, r in batch_rows.items():
        if r["count"].isdigit() and counts.get(b, 0) != int(r["count"]):
            problems.append(
                Problem(
                    "zones.csv",
                    None,
                    "batch",
                    f"batch {b} has {counts.get(b, 0)} zones, batches.csv says {r['count']}",
                )
            )

    # coordinates
    f = "coordinates.csv"
    c = t.coordinates
    known = set(z["zone_id"])
    for i, r in c.iterrows():
        if r["zone_id"] not in known:
            bad(f, i, "zone_id", f"{r['zone_id']!r} is not a zone in zones.csv")
        lat, lon = _float(r["lat"]), _float(r["lon"])
        if lat is None or lon is None:
            bad(f, i, "lat/lon", f"({r['lat']!r}, {r['lon']!r}) is not a pair of numbers")
        elif not (
            CHINA_BBOX["lat"][0] <= lat <= CHINA_BBOX["lat"][1]
            and CHINA_BBOX["lon"][0] <= lon <= CHINA_BBOX["lon"][1]
        ):
            bad(f, i, "lat/lon", f"({lat}, {lon}) is outside China")
        if r["precision"] not in PRECISION:
            bad(f, i, "precision", f"{r['precision']!r} is not one of {sorted(PRECISION)}")
    for i in c.index[c["zone_id"].duplicated()]:
        bad(f, i, "zone_id", f"second point for {c.at[i, 'zone_id']!r}")
    for zid in z["zone_id"][~z["zone_id"].isin(c["zone_id"])]:
        problems.append(
            Problem(
                f, None, "zone_id", f"no point for zone {zid!r}: run python -m cbec.build.geocode"
            )
        )
    return problems


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


def join(t: Tables, when: dt.date | None = None) -> pd.DataFrame:
    """The joined, typed table; assumes `validate(t)` found nothing."""
    zones = t.zones.merge(t.coordinates, on="zone_id", how="left", validate="one_to_one")
    zones = zones.merge(
        t.provinces[["province_en", "adcode", "region_en", "region_zh"]],
        on="province_en",
        how="left",
        validate="many_to_one",
    )
    zones["batch"] = zones["batch"].astype(int)
    zones["lat"] = zones["lat"].astype(float)
    zones["lon"] = zones["lon"].astype(float)
    for col in ("approved_on", "revoked_on"):
        zones[col] = pd.to_datetime(zones[col].replace("", None), format="%Y-%m-%d")
    zones["priority_region"] = zones["region_en"].isin(PRIORITY_REGIONS)
    zones["status"] = status_on(zones, when or dt.date.today())
    # Plain Python strings: on 181 rows, pandas' Arrow-backed strings cost more per filter and
    # row-wise read (every rerun) than they save.
    for col in zones.columns:
        if pd.api.types.is_string_dtype(zones[col]) and not pd.api.types.is_object_dtype(
            zones[col]
        ):
            zones[col] = zones[col].astype(object)
    # What the search box looks through, built once: "xi'an\n西安市\nxian".
    zones["search_text"] = (
        zones["name_en"].str.casefold() + "\n" + zones["name_zh"] + "\n" + zones["zone_id"]
    )
    return zones


def batches_table(t: Tables) -> pd.DataFrame:
    b = t.batches.copy()
    b["batch"] = b["batch"].astype(int)
    b["count"] = b["count"].astype(int)
    for col in ("approved_on", "signed_on", "published_on", "meeting_on"):
        b[col] = pd.to_datetime(b[col].replace("", None), format="%Y-%m-%d")
    return b


@dataclass
class Dataset:
    zones: pd.DataFrame
    batches: pd.DataFrame
    provinces: pd.DataFrame


def load(folder: Path | None = None, when: dt.date | None = None) -> Dataset:
    """Read, validate and join; raise DataError listing every problem at once."""
    tables, problems = read_tables(folder)
    if tables is not None:
        problems += validate(tables)
    if problems:
        raise DataError(problems)
    assert tables is not None
    return Dataset(join(tables, when), batches_table(tables), tables.provinces)
