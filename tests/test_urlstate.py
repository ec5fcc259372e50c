"""The URL codec, without Streamlit: round trips, defaults left out, junk dropped and reported."""

import datetime as dt

import pytest

from cbec.filters import Filters
from cbec.urlstate import State, UrlContext, decode, encode

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def ctx() -> UrlContext:
    return UrlContext(
        batches=tuple(range(1, 9)),
        regions=("East", "Central", "West", "Northeast"),
        provinces=("Beijing", "Inner Mongolia", "Shaanxi", "Guangdong"),
        zones=frozenset({"xian", "hangzhou", "haikou"}),
        today=TODAY,
    )


def test_default_state_is_an_empty_url(ctx):
    assert encode(State(), ctx) == {}
    assert decode({}, ctx) == (State(), [])


def test_round_trip_of_every_field(ctx):
    state = State(
        Filters(
            batches=(2, 4, 8),
            regions=("West", "Northeast"),
            provinces=("Inner Mongolia",),
            q="xi",
            as_of=dt.date(2020, 5, 1),
            zone="xian",
            basemap=True,
        ),
        lang="zh",
    )
    params = encode(state, ctx)
    assert params == {
        "batch": ["2", "4", "8"],
        "region": ["west", "northeast"],
        "province": ["inner-mongolia"],
        "q": "xi",
        "date": "2020-05-01",
        "zone": "xian",
        "basemap": "1",
        "lang": "zh",
    }
    as_lists = {k: [v] if isinstance(v, str) else v for k, v in params.items()}
    assert decode(as_lists, ctx) == (state, [])


def test_example_link_from_the_issue(ctx):
    state, dropped = decode({"batch": ["1", "2"], "region": ["west"], "q": ["xi"]}, ctx)
    assert state.filters.batches == (1, 2)
    assert state.filters.regions == ("West",)
    assert state.filters.q == "xi"
    assert dropped == []


def test_junk_is_dropped_and_reported_never_raised(ctx):
    params = {
        "batch": ["99", "abc", "3"],
        "region": ["mars"],
        "province": ["atlantis", "Guangdong"],
        "date": ["2015-02-30"],
        "zone": ["nowhere"],
        "lang": ["fr"],
        "basemap": ["yes"],
        "q": ["x" * 5000],
        "utm_source": ["newsletter"],  # unknown key: ignored, not reported
    }
    state, dropped = decode(params, ctx)
    f = state.filters
    assert f.batches == (3,) and f.regions == () and f.provinces == ("Guangdong",)
    assert f.as_of is None and f.zone is None and f.q == "" and not f.basemap
    assert state.lang == "en"
    assert dropped == [
        "batch=99",
        "batch=abc",
        "region=mars",
        "province=atlantis",
        "q=xxxxxxxxxxxxxxxxx...",
        "date=2015-02-30",
        "zone=nowhere",
        "basemap=yes",
        "lang=fr",
    ]


@pytest.mark.parametrize(
    "value", ["2014-12-31", "2030-01-01", "junk", "2020-1-1", "2020-01-01T00:00"]
)
def test_dates_out_of_range_or_malformed_are_dropped(ctx, value):
    state, dropped = decode({"date": [value]}, ctx)
    assert state.filters.as_of is None
    assert dropped == [f"date={value[:17] + '...' if len(value) > 20 else value}"]


def test_today_is_the_default_date(ctx):
    state, _ = decode({"date": [TODAY.isoformat()]}, ctx)
    assert state.filters.as_of is None
    assert encode(State(Filters(as_of=TODAY)), ctx) == {}


def test_batch_all_none_and_only_invalid(ctx):
    assert decode({"batch": ["all"]}, ctx)[0].filters.batches == tuple(range(1, 9))
    assert decode({"batch": ["none"]}, ctx)[0].filters.batches == ()
    assert encode(State(Filters(batches=())), ctx) == {"batch": "none"}
    state, dropped = decode({"batch": ["0"]}, ctx)
    assert state.filters.batches == (1, 2, 3) and dropped == ["batch=0"]


def test_values_are_bounded(ctx):
    state, dropped = decode({"region": ["west"] * 500}, ctx)
    assert state.filters.regions == () and dropped == ["region=(500 values)"]
    state, _ = decode({"region": ["West", "WEST", " west "]}, ctx)
    assert state.filters.regions == ("West",)  # normalised and de-duplicated


def test_old_key_names_keep_working(ctx):
    state, dropped = decode({"batches": ["4"], "search": ["wu"]}, ctx)
    assert state.filters.batches == (4,) and state.filters.q == "wu" and dropped == []
