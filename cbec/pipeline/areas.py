"""Point-in-area checks against the project's own boundary files (needs shapely: dev only).

Used by the geocoder before it keeps a point, and by the tests that hold every committed point to
its administrative area. The files are simplified, so a point may sit up to `TOLERANCE_DEG`
outside a polygon (a seat on a coastline that simplification moved) and still count as inside.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import Point, shape

from cbec import paths

TOLERANCE_DEG = 0.02  # ~2 km: the zone areas are simplified at 0.005 deg, provinces at 0.03


def _load(path: Path, key: str) -> dict[str, object]:
    with open(path, encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    geoms = {f["properties"][key]: shape(f["geometry"]) for f in features}
    for g in geoms.values():
        shapely.prepare(g)
    return geoms


@dataclass
class Areas:
    provinces: dict[str, object]  # by province_zh
    zones: dict[str, object]  # by zone_id
    country: object

    @classmethod
    def load(cls, outlines: Path = paths.PROVINCE_OUTLINES, zone_areas: Path = paths.ZONE_AREAS):
        provinces = _load(outlines, "name_zh")
        zones = _load(zone_areas, "zone_id") if Path(zone_areas).exists() else {}
        country = shapely.union_all(list(provinces.values()))
        shapely.prepare(country)
        return cls(provinces, zones, country)

    def problem(self, zone_id: str, province_zh: str, lat: float, lon: float) -> str | None:
        """Why (lat, lon) cannot be this zone's point, or None when it passes every check."""
        pt = Point(lon, lat)
        if not _near(self.country, pt):
            return f"({lat:.4f}, {lon:.4f}) is outside China"
        prov = self.provinces.get(province_zh)
        if prov is None:
            return f"no outline for province {province_zh!r}"
        if not _near(prov, pt):
            return f"({lat:.4f}, {lon:.4f}) is outside {province_zh}"
        area = self.zones.get(zone_id)
        if area is not None and not _near(area, pt):
            return f"({lat:.4f}, {lon:.4f}) is outside the zone's own area ({zone_id})"
        return None


def _near(geom, pt: Point) -> bool:
    return geom.contains(pt) or geom.distance(pt) <= TOLERANCE_DEG
