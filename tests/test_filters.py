"""filters.apply and the summary, on the real data, against counts worked out by hand."""

import datetime as dt

import pytest

from cbec import summary
from cbec.data import load
from cbec.filters import Filters, apply, approved_by, matches

TODAY = dt.date(2026, 11, 26)
ALL = tuple(range(1, 9))


@pytest.fixture(scope="module")
def zones():
    return load(when=TODAY).zones


def ids(df):
    return set(df["zone_id"])


def test_default_view_is_the_july_2018_announcement(zones):
    view = apply(zones, Filters(), TODAY)
    # 13 + 22, less Haikou, withdrawn on 2025-04-25.
    assert len(view) == 34 and "haikou" not in ids(view)
    before = apply(zones, Filters(as_of=dt.date(2018, 12, 31)), TODAY)
    assert len(before) == 35 and "haikou" in ids(before)


def test_date_is_a_timeline(zones):
    counts = {
        d: len(apply(zones, Filters(batches=ALL, as_of=d), TODAY))
        for d in [
            dt.date(2015, 3, 11),
            dt.date(2015, 3, 12),  # batch 1's reply, as published
            dt.date(2016, 1, 12),
            dt.date(2022, 11, 14),
            dt.date(2025, 4, 24),
            dt.date(2025, 4, 25),
        ]
    }
    assert list(counts.values()) == [0, 1, 13, 165, 165, 165 + 16 - 3]


def test_region_province_and_search(zones):
    west = apply(zones, Filters(batches=ALL, regions=("West",)), TODAY)
    # West zones per batch: 2 + 6 + 4 + 10 + 7 + 9 + 6 = 44, less Alashankou (withdrawn).
    assert set(west["region_en"]) == {"West"} and len(west) == 43
    shaanxi = apply(zones, Filters(batches=ALL, provinces=("Shaanxi",)), TODAY)
    assert sorted(shaanxi["name_en"]) == ["Baoji", "Xi'an", "Yan'an"]
    assert "Xi'an" in set(apply(zones, Filters(batches=ALL, q="xian"), TODAY)["name_en"])
    assert sorted(apply(zones, Filters(batches=ALL, q="西安"), TODAY)["name_en"]) == ["Xi'an"]
    assert "Xiamen" in set(apply(zones, Filters(q="XIA"), TODAY)["name_en"])
    assert apply(zones, Filters(batches=()), TODAY).empty


def test_search_is_literal_text_not_a_pattern(zones):
    assert not matches(zones, ".*").any()
    assert not matches(zones, "<img src=x>").any()


def test_summary_of_the_default_view_counted_by_hand(zones):
    # From the reference list. The 13 earlier zones: East = Hangzhou, Tianjin, Shanghai,
    # Guangzhou, Ningbo, Qingdao, Shenzhen, Suzhou (8); Central = Hefei, Zhengzhou (2);
    # West = Chongqing, Chengdu (2); Northeast = Dalian (1). Batch 3 (22): East = Beijing,
    # Nanjing, Haikou, Xiamen, Tangshan, Wuxi, Weihai, Zhuhai, Dongguan, Yiwu (10);
    # Central = Nanchang, Wuhan, Changsha (3); West = Hohhot, Nanning, Guiyang, Kunming, Xi'an,
    # Lanzhou (6); Northeast = Shenyang, Changchun, Harbin (3).
    approved = approved_by(zones, Filters(), TODAY)
    group, order = summary.story_groups(approved, (1, 2, 3))
    comp = summary.composition(approved, group, order)
    table = summary.table(comp)
    assert list(table.index) == ["East", "Central", "West", "Northeast", "priority", "total"]
    assert table["earlier"].tolist() == [8, 2, 2, 1, 5, 13]
    assert table["new"].tolist() == [10, 3, 6, 3, 12, 22]
    pri = summary.priority_share(comp).set_index("group")
    assert pri.loc["new", "delta_pp"] == pytest.approx((12 / 22 - 5 / 13) * 100)
    assert round(pri.loc["new", "delta_pp"], 1) == 16.1
    h = summary.headline(approved, (1, 2, 3))
    assert (h.newest, h.n_new, h.priority_new, h.n_earlier, h.priority_earlier) == (
        3,
        22,
        12,
        13,
        5,
    )
    assert round(h.share_earlier * 100, 1) == 38.5 and round(h.share_new * 100, 1) == 54.5


def test_headline_follows_the_batches(zones):
    h = summary.headline(approved_by(zones, Filters(batches=(4, 5)), TODAY), (4, 5))
    assert (h.newest, h.n_new, h.n_earlier) == (5, 46, 24)
    assert (h.priority_new, h.priority_earlier) == (21, 13)
    assert summary.headline(approved_by(zones, Filters(batches=()), TODAY), ()) is None
    single = summary.headline(approved_by(zones, Filters(batches=(7,)), TODAY), (7,))
    assert single.n_earlier == 0 and single.n_new == 33


def test_groups():
    key, order = summary.batch_groups((3, 1, 2))
    assert order == ["1-2", "3"] and key == {1: "1-2", 2: "1-2", 3: "3"}
    assert summary.batch_groups((2, 5))[1] == ["2", "5"]  # batch 2 alone is itself
    assert summary.batch_groups(()) == ({}, [])


def test_summary_shares_add_up_and_regions_keep_one_order(zones):
    approved = approved_by(zones, Filters(batches=ALL), TODAY)
    key, order = summary.batch_groups(ALL)
    comp = summary.composition(approved, [key[b] for b in approved["batch"]], order)
    assert comp.groupby("group", observed=True)["share"].sum().round(9).eq(1).all()
    assert comp["count"].sum() == 181  # withdrawn zones still count in their batch
    for _, part in comp.groupby("group", observed=True):
        assert part["region_en"].tolist() == ["East", "Central", "West", "Northeast"]
