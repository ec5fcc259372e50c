"""The data files' schemas and the rules across them: `check()` reads every file the app reads
(and the outlines the browser fetches) and collects every problem, the first broken file
first, so that a broken file produces one readable message (which file, row, field, why)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from cbec import paths
from cbec.schema import (
    CHINA_LAT,
    CHINA_LON,
    Col,
    CsvSchema,
    GeoSchema,
    Ref,
    Report,
    check_csv,
    check_geo_refs,
    check_refs,
    read_csv,
    read_geojson,
)
from cbec.vocab import (
    ADMIN_LEVELS,
    CHINA_BBOX,
    CONFIDENCE,
    POINT_CHECKS,
    PRECISION,
    REGION_ZH,
    REGIONS,
    TAIWAN_HONG_KONG_MACAO,
)


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
        Col("tencent_km", "float", required=False, lo=0, hi=1000),
        Col("point_check", choices=POINT_CHECKS),
        Col("point_note", required=False),
        Col("point_note_zh", required=False),
        Col("point_source", required=False),
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
# The outlines the browser draws: the same provinces as the coarse shapes, finer.
OUTLINES = replace(PROVINCE_SHAPES, file="china_provinces.geojson")
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
    return [folder / s.file for s in (*CSV_FILES, *GEO_FILES)] + [
        paths.PROVINCE_OUTLINES,
        paths.SCS_INSET,
    ]


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
        for n, row in batches.items():
            if counts.get(n, 0) != int(row["count"]):
                add(
                    "zones.csv",
                    None,
                    "batch",
                    f"batch {n} has {counts.get(n, 0)} zones, batches.csv says {row['count']}",
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
    folder = Path(folder or paths.data_dir())
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
        (*(folder / g.file for g in GEO_FILES), paths.PROVINCE_OUTLINES, paths.SCS_INSET),
        strict=True,
    ):
        doc = read_geojson(path, geo, report)
        if doc is not None:
            check_geo_refs(geo, doc, report)
            report.docs[geo.file] = doc
    report.problems.sort(key=lambda p: _ORDER.get(p.file, 99))
    return report


_ORDER = {
    f: i
    for i, f in enumerate(
        [s.file for s in CSV_FILES] + [g.file for g in (*GEO_FILES, OUTLINES, SCS)]
    )
}
