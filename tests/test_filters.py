"""The selection (which zones a view shows) and the summary, on the real data, against counts
worked out by hand."""

import datetime as dt

import pytest

from cbec import selection, summary
from cbec.data import load
from cbec.filters import Filters, matches

TODAY = dt.date(2026, 11, 26)
ALL = tuple(range(1, 9))


@pytest.fixture(scope="module")
def ds():
    return load(when=TODAY)


@pytest.fixture(scope="module")
def zones(ds):
    return ds.zones


def select(ds, color="story", **f):
    return selection.select(ds, Filters(**f), color, TODAY)


def test_default_view_is_the_july_2018_announcement(ds):
    sel = select(ds)
    # 13 + 22; Haikou, withdrawn on 2025-04-25, drawn as a ring.
    assert sel.n == 35 and sel.n_withdrawn == 1 and "haikou" in sel.ids
    assert sel.newest == 3 and sel.approved == (1, 2, 3) and sel.later == ()
    before = select(ds, as_of=dt.date(2018, 12, 31))
    assert before.n == 35 and before.n_withdrawn == 0


def test_date_is_a_timeline(ds):
    days = [
        dt.date(2015, 3, 11),
        dt.date(2015, 3, 12),  # batch 1's reply, as published
        dt.date(2016, 1, 12),
        dt.date(2022, 11, 14),
        dt.date(2025, 4, 24),
        dt.date(2025, 4, 25),
    ]
    active = [select(ds, batches=ALL, as_of=d).n_active for d in days]
    assert active == [0, 1, 13, 165, 165, 165 + 16 - 3]


def test_the_newest_batch_is_the_newest_approved_by_the_day(ds):
    """Before July 2018 the default view's story is January 2016 against March 2015, and it
    says batch 3 came later: no comparison with a batch of 0 zones (it printed nan%)."""
    sel = select(ds, as_of=dt.date(2016, 1, 12))
    assert (sel.newest, sel.approved, sel.later) == (2, (1, 2), (3,))
    s = selection.story(ds, sel)
    assert (s.n_new, s.k_new, s.n_earlier, s.k_earlier) == (12, 5, 1, 0)
    assert s.kind == "rose" and s.later == (3,)
    none_yet = select(ds, batches=(3,), as_of=dt.date(2016, 1, 12))
    assert none_yet.newest is None and selection.story(ds, none_yet).kind == "not_yet"
    assert selection.story(ds, select(ds, batches=())).kind == "none"
    single = selection.story(ds, select(ds, batches=(7,)))
    assert single.kind == "single" and single.share_earlier is None and single.delta_pp is None


def test_region_province_and_search(ds):
    west = select(ds, batches=ALL, regions=("West",))
    # West zones per batch: 2 + 6 + 4 + 10 + 7 + 9 + 6 = 44 (Alashankou withdrawn: a ring).
    assert set(west.zones["region_en"]) == {"West"} and west.n == 44 and west.n_active == 43
    shaanxi = select(ds, batches=ALL, provinces=("Shaanxi",))
    assert sorted(shaanxi.zones["name_en"]) == ["Baoji", "Xi'an", "Yan'an"]
    assert "Xi'an" in set(select(ds, batches=ALL, q="xian").zones["name_en"])
    assert sorted(select(ds, batches=ALL, q="西安").zones["name_en"]) == ["Xi'an"]
    assert "Xiamen" in set(select(ds, q="XIA").zones["name_en"])
    assert select(ds, batches=()).n == 0
    # a search keeps to the other filters: "an" in the West only
    west_an = select(ds, batches=ALL, regions=("West",), q="an")
    assert set(west_an.zones["region_en"]) == {"West"}


def test_the_gpu_filter_and_the_table_are_one_computation(ds):
    """The zones in view are the deck's categories applied to the points' fields (`keep`):
    the same function, so the table and the deck cannot disagree."""
    sel = select(ds, batches=(2, 3, 5), regions=("Central", "West"), as_of=dt.date(2020, 6, 1))
    fields = selection.point_fields(ds)
    again = selection.keep(fields, sel.categories, sel.day_n)
    assert (again == sel.in_view).all()
    assert set(sel.zones["batch"]) <= {2, 3, 5}


def test_narrowed_story_counts_the_view(ds):
    s = selection.story(ds, select(ds, regions=("West",)))
    # batch 3 West: Hohhot, Nanning, Guiyang, Kunming, Xi'an, Lanzhou; earlier: Chongqing, Chengdu
    assert (s.n_new, s.k_new, s.n_earlier, s.k_earlier) == (22, 6, 13, 2)
    assert s.narrowed and s.kind == "rose"


def test_legend_counts_are_the_views_and_the_headlines(ds):
    sel = select(ds)
    rows = {r["group"]: r["n"] for r in selection.legend(ds, sel)}
    s = selection.story(ds, sel)
    assert rows == {"earlier": 13, "new": 22, "withdrawn": 1}
    assert rows["new"] == s.n_new and rows["earlier"] + rows["new"] == sel.n
    assert selection.legend(ds, select(ds, batches=())) == []


def test_search_is_literal_text_not_a_pattern(zones):
    assert not matches(zones, ".*").any()
    assert not matches(zones, "<img src=x>").any()


def test_summary_of_the_default_view_counted_by_hand(ds):
    # From the reference list. The 13 earlier zones: East = Hangzhou, Tianjin, Shanghai,
    # Guangzhou, Ningbo, Qingdao, Shenzhen, Suzhou (8); Central = Hefei, Zhengzhou (2);
    # West = Chongqing, Chengdu (2); Northeast = Dalian (1). Batch 3 (22): East = Beijing,
    # Nanjing, Haikou, Xiamen, Tangshan, Wuxi, Weihai, Zhuhai, Dongguan, Yiwu (10);
    # Central = Nanchang, Wuhan, Changsha (3); West = Hohhot, Nanning, Guiyang, Kunming, Xi'an,
    # Lanzhou (6); Northeast = Shenyang, Changchun, Harbin (3).
    sel = select(ds)
    approved = ds.zones[sel.in_batches]
    group, order = summary.story_groups(approved, sel.approved)
    comp = summary.composition(approved, group, order)
    table = summary.table(comp)
    assert list(table.index) == ["East", "Central", "West", "Northeast", "priority", "total"]
    assert table["earlier"].tolist() == [8, 2, 2, 1, 5, 13]
    assert table["new"].tolist() == [10, 3, 6, 3, 12, 22]
    pri = summary.priority_share(comp).set_index("group")
    assert pri.loc["new", "delta_pp"] == pytest.approx((12 / 22 - 5 / 13) * 100)
    assert round(pri.loc["new", "delta_pp"], 1) == 16.1
    s = selection.story(ds, sel)
    assert (s.newest, s.n_new, s.k_new, s.n_earlier, s.k_earlier) == (3, 22, 12, 13, 5)
    assert round(s.share_earlier * 100, 1) == 38.5 and round(s.share_new * 100, 1) == 54.5


def test_headline_follows_the_batches(ds):
    s = selection.story(ds, select(ds, batches=(4, 5)))
    assert (s.newest, s.n_new, s.n_earlier) == (5, 46, 24)
    assert (s.k_new, s.k_earlier) == (21, 13)
    single = selection.story(ds, select(ds, batches=(7,)))
    assert single.n_earlier == 0 and single.n_new == 33


def test_groups():
    key, order = summary.batch_groups((3, 1, 2))
    assert order == ["1-2", "3"] and key == {1: "1-2", 2: "1-2", 3: "3"}
    assert summary.batch_groups((2, 5))[1] == ["2", "5"]  # batch 2 alone is itself
    assert summary.batch_groups(()) == ({}, [])


def test_summary_shares_add_up_and_regions_keep_one_order(ds):
    approved = ds.zones[select(ds, batches=ALL).in_batches]
    key, order = summary.batch_groups(ALL)
    comp = summary.composition(approved, [key[b] for b in approved["batch"]], order)
    assert comp.groupby("group", observed=True)["share"].sum().round(9).eq(1).all()
    assert comp["count"].sum() == 181  # withdrawn zones still count in their batch
    for _, part in comp.groupby("group", observed=True):
        assert part["region_en"].tolist() == ["East", "Central", "West", "Northeast"]
