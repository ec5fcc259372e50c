"""Distances, coverage, the place finder and the regional analysis, without Streamlit."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cbec import nearest, places, priorities
from cbec.data import load

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def ds():
    return load(when=TODAY)


@pytest.fixture(scope="module")
def gaz(ds):
    return ds.prefectures, ds.places


def test_geodesic_matches_vincentys_published_example():
    # T. Vincenty (1975), Survey Review 23(176), the Flinders Peak - Buninyong line:
    # 54,972.271 m on the ellipsoid. Our distance is geopy's geodesic on WGS84, whose
    # flattening differs from the paper's by a hair; the answer must agree to the millimetre
    # scale of a few centimetres.
    flinders = (-(37 + 57 / 60 + 3.72030 / 3600), 144 + 25 / 60 + 29.52440 / 3600)
    buninyong = (-(37 + 39 / 60 + 10.15610 / 3600), 143 + 55 / 60 + 35.38390 / 3600)
    km = nearest.geodesic_km(*flinders, *buninyong)
    assert km == pytest.approx(54.972271, abs=0.0005)


@pytest.mark.parametrize(
    ("a", "b", "expected_km"),
    # government seats; Beijing's in Tongzhou since 2019 (data/sources/seat_moves.csv)
    [("hangzhou", "ningbo", 141.5), ("beijing", "tianjin", 102.9)],
)
def test_city_pairs_against_an_independent_great_circle(ds, a, b, expected_km):
    z = ds.zones.set_index("zone_id")
    (lat1, lon1), (lat2, lon2) = z.loc[a, ["lat", "lon"]], z.loc[b, ["lat", "lon"]]
    # Haversine written out here, independently of cbec.nearest, on a 6371 km sphere.
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    sphere = 2 * 6371.0 * np.arcsin(np.sqrt(h))
    exact = nearest.geodesic_km(lat1, lon1, lat2, lon2)
    assert exact == pytest.approx(sphere, rel=0.005)  # ellipsoid vs sphere: under 0.5 %
    assert exact == pytest.approx(expected_km, rel=0.02)


def test_nearest_is_exact_despite_the_prefilter(ds):
    zones = ds.zones
    rng = np.random.default_rng(7)
    for lat, lon in zip(rng.uniform(20, 48, 25), rng.uniform(80, 130, 25), strict=True):
        brute = sorted(
            nearest.geodesic_km(lat, lon, a, b) for a, b in zip(zones.lat, zones.lon, strict=True)
        )
        got = nearest.nearest(zones, lat, lon, k=4)["distance_km"].tolist()
        assert got == pytest.approx(brute[:4], abs=1e-9)


def test_nearest_to_a_zone_excludes_itself(ds):
    z = ds.zones.set_index("zone_id")
    near = nearest.nearest(
        ds.zones, z.loc["xian", "lat"], z.loc["xian", "lon"], k=3, exclude="xian"
    )
    assert near["zone_id"].tolist() == ["baoji", "yuncheng", "yanan"]
    assert near["distance_km"].is_monotonic_increasing


def test_coverage_is_exact_and_counts_cities(ds, gaz):
    cities = gaz[0].sample(40, random_state=3)
    steps = [(3, dt.date(2018, 12, 31)), (8, TODAY)]
    cov = nearest.coverage(cities, ds.zones, steps).set_index(["batch", "threshold_km"])
    for batch, day in steps:
        active = ds.zones[(ds.zones.approved_on <= pd.Timestamp(day))]
        active = active[~(active.revoked_on <= pd.Timestamp(day))]
        mins = [
            min(
                nearest.geodesic_km(c.lat, c.lon, a, b)
                for a, b in zip(active.lat, active.lon, strict=True)
            )
            for c in cities.itertuples()
        ]
        for km in (100, 200, 300):
            assert cov.loc[(batch, km), "cities_within"] == sum(m <= km for m in mins)
    assert cov.loc[(8, 300), "share"] >= cov.loc[(3, 300), "share"]


def test_coverage_before_any_zone_is_zero(ds, gaz):
    cov = nearest.coverage(gaz[0].head(5), ds.zones, [(0, dt.date(2015, 1, 1))])
    assert cov["cities_within"].tolist() == [0, 0, 0]


def test_gazetteer_has_every_prefecture_level_division(gaz):
    prefectures, gplaces = gaz
    assert len(prefectures) == 337  # 333 prefecture-level divisions + 4 municipalities
    assert prefectures["adcode"].is_unique
    assert (prefectures["precision"] == "seat").all()
    assert prefectures["province_en"].nunique() == 31
    assert len(gplaces) > 2000


@pytest.mark.parametrize(
    ("query", "name_zh"),
    [
        ("Hangzhou", "杭州市"), ("杭州", "杭州市"), ("伊犁", "伊犁哈萨克自治州"), ("Yiwu", "义乌"),
        # pinyin, as Chinese speakers write the names in Latin letters
        ("Kashi", "喀什地区"), ("Wulumuqi", "乌鲁木齐市"), ("Haerbin", "哈尔滨市"),
        ("xi an", "西安市"), ("Lvliang", "吕梁市"), ("Yanbian", "延边朝鲜族自治州"),
        ("Changzhi", "长治市"),
    ],
)  # fmt: skip
def test_place_finder(gaz, query, name_zh):
    found = places.find_offline(query, *gaz)
    assert found and found[0].name_zh == name_zh


@pytest.mark.parametrize(
    ("query", "suggested"),
    [
        ("Chengdoo", "Chengdu"),
        ("Kashii", "Kashi"),
        ("Wulumuqii", "Ürümqi"),
        ("成都室", "成都市"),
    ],
)
def test_near_misses_in_english_pinyin_and_chinese(gaz, query, suggested):
    assert places.find_offline(query, *gaz) == []
    hint = places.suggest(query, *gaz)
    assert hint and hint[0] == suggested
    assert places.find_offline(hint[0], *gaz)  # a suggestion is a name the finder knows


def test_a_place_is_suggested_once_by_one_of_its_names(gaz):
    assert places.suggest("Harbinn", *gaz)[:1] == ["Harbin"]
    assert "Ha'erbin" not in places.suggest("Harbinn", *gaz)  # its pinyin: the same place


def test_one_place_is_found_once(gaz):
    """Harbin is a division and a GeoNames place 10 km from the division's seat: one answer."""
    assert [p.source for p in places.find_offline("Harbin", *gaz)] == ["prefecture"]


def test_place_that_matches_nothing(gaz):
    assert places.find_offline("Atlantis", *gaz) == []
    assert places.find_offline("   ", *gaz) == []


def test_the_region_table_reads_in_the_one_region_order(ds):
    t = priorities.region_table(priorities.region_by_batch(ds.zones, ds.batches))
    assert list(t.columns) == ["East", "Central", "West", "Northeast", "zones", "share_pct"]
    assert t.loc["3"].tolist() == [10, 3, 6, 3, 22, 54.5]  # July 2018: 12 of 22 = 54.5%
    assert t.loc["all", "zones"] == 181 and t.loc["all", "share_pct"] == 53.6


def test_region_by_batch_and_priority_over_time(ds):
    comp = priorities.region_by_batch(ds.zones, ds.batches)
    counts = comp.pivot(index="region_en", columns="group", values="count")
    assert counts.loc["East"].tolist() == [1, 7, 10, 11, 25, 15, 11, 4, 84]
    assert counts["all"].sum() == 181
    shares = comp[comp["group"] == "3"]["share"].round(3).tolist()
    assert shares == [0.455, 0.136, 0.273, 0.136]  # East, Central, West, Northeast
    trend = priorities.priority_over_time(ds.zones, ds.batches).set_index("batch")
    assert trend.loc[3, "share"] == pytest.approx(12 / 22)
    assert trend.loc[3, "cum_share"] == pytest.approx(17 / 35)
    assert trend.loc[8, "cum_zones"] == 181


def test_provinces_over_time(ds):
    early = priorities.per_province(ds.zones, ds.provinces, dt.date(2016, 6, 1))
    assert (early["zones"] > 0).sum() == 11 and (early["zones"] == 0).sum() == 20
    first = priorities.first_zones(ds.zones, ds.provinces).set_index("province_en")
    assert first.loc["Tibet", "first_on"] == pd.Timestamp("2022-11-14")
    assert first.loc["Zhejiang", "zones_en"] == "Hangzhou"
    assert first.loc["Guangdong", "zones_zh"] == "广州市、深圳市"


def test_july_2018_claims_hold(ds):
    claims = {c.key: c for c in priorities.july_2018_claims(ds.zones)}
    assert all(c.holds for c in claims.values())
    assert claims["claim_tilt"].claimed is None  # stated in words, not as a figure
    assert claims["claim_tilt"].found == "38.5% → 54.5%"


def test_count_bins_colour_the_map_and_its_legend_alike():
    scale = ((0,), (1,), (2,), (3,))
    bins = priorities.count_bins(np.array([0, 1, 2, 3, 6]), scale)
    assert [(b.lo, b.hi) for b in bins] == [(0, 0), (1, 2), (3, 4), (5, 6)]
    colors = [priorities.bin_color(n, bins) for n in (0, 1, 2, 3, 6)]
    assert colors == [(0,), (1,), (1,), (2,), (3,)]
    every = range(0, 7)  # every count up to the largest falls in exactly one bin
    assert all(sum(b.lo <= n <= b.hi for b in bins) == 1 for n in every)


def test_suggestions_are_the_same_in_every_process():
    """Ranked by score, then the bigger place, then the name: not by the order of a set, which
    changes with Python's hash seed (two replicas would offer different buttons)."""
    import subprocess
    import sys

    code = (
        "from cbec import data, places; ds = data.dataset(); "
        "print([places.suggest(q, ds.prefectures, ds.places) for q in "
        "[\"Jign'an\", 'Chengdoo', 'Xinzou', 'Longxin', 'Hangzou']])"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
            env={**__import__("os").environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }  # fmt: skip
    assert len(outs) == 1 and "Chengdu" in outs.pop()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("锦州", ["锦州市"]),  # not also a village near Dalian under the city's name
        ("Dali", ["大理白族自治州"]),  # the division and its namesake seat: one answer
        ("Longxing", ["龙兴", "隆兴", "龙形"]),  # three villages, three answers
    ],
)
def test_one_answer_per_place(gaz, query, expected):
    assert [p.name_zh for p in places.find_offline(query, *gaz)] == expected


def test_suggestions_use_a_places_usual_name(gaz):
    assert places.suggest("Laosa", *gaz)[:1] == ["Lhasa"]  # not the pinyin "Lasa"
    assert places.suggest("成都室", *gaz)[:1] == ["成都市"]  # Chinese for a Chinese query
