"""The URL codec, without Streamlit: one table of keys, round trips, defaults left out, junk and
extra values dropped and named, never raised; per-page keys."""

import datetime as dt

import pytest

from cbec import urlstate
from cbec.urlstate import KEYS, State, UrlContext, decode, encode, sanitize

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def ctx() -> UrlContext:
    return UrlContext(
        batches=tuple(range(1, 9)),
        regions=("East", "Central", "West", "Northeast"),
        provinces=("Beijing", "Inner Mongolia", "Shaanxi", "Guangdong"),
        zones=frozenset({"xian", "hangzhou", "haikou"}),
        today=TODAY,
        cities=frozenset({"330100", "110000"}),
    )


def test_the_table_has_a_key_for_every_field_and_no_stray_key():
    assert urlstate.check_table() == []
    assert len({k.name for k in KEYS}) == len(KEYS)


def test_default_state_is_an_empty_url(ctx):
    assert encode(State(), ctx) == {}
    assert decode({}, ctx) == (State(), [])


def test_round_trip_of_every_field(ctx):
    state = State(
        batches=(2, 4, 8),
        regions=("West", "Northeast"),
        provinces=("Inner Mongolia",),
        q="xi",
        as_of=dt.date(2020, 5, 1),
        zone="xian",
        color="batch",
        city="330100",
        place="Yiwu",
        k=3,
        lang="zh",
    )
    params = encode(state, ctx)
    assert params == {
        "batch": ["2", "4", "8"],
        "region": ["west", "northeast"],
        "province": "inner-mongolia",
        "q": "xi",
        "date": "2020-05-01",
        "zone": "xian",
        "color": "batch",
        "city": "330100",
        "place": "Yiwu",
        "k": "3",
        "lang": "zh",
    }
    as_lists = {k: [v] if isinstance(v, str) else v for k, v in params.items()}
    assert decode(as_lists, ctx) == (state, [])


def test_a_page_writes_only_its_own_keys(ctx):
    state = State(batches=(4,), city="330100", k=3, as_of=dt.date(2020, 1, 1), lang="zh")
    assert encode(state, ctx, urlstate.MAP) == {"batch": "4", "date": "2020-01-01", "lang": "zh"}
    assert encode(state, ctx, urlstate.NEAREST) == {"city": "330100", "k": "3", "lang": "zh"}
    assert encode(state, ctx, urlstate.PRIORITIES) == {"date": "2020-01-01", "lang": "zh"}
    assert encode(state, ctx, urlstate.DATA) == {"lang": "zh"}
    # the nearest-zone page's defaults are never written: no city unless one was chosen
    assert encode(State(), ctx, urlstate.NEAREST) == {}


def test_junk_is_dropped_and_reported_never_raised(ctx):
    params = {
        "batch": ["99", "abc", "3"],
        "region": ["mars"],
        "province": ["atlantis", "Guangdong"],
        "date": ["2015-02-30"],
        "zone": ["nowhere"],
        "lang": ["fr"],
        "q": ["x" * 5000],
        "utm_source": ["newsletter"],  # unknown key: ignored, not reported
        "basemap": ["1"],  # a key of old links: no link switches the online basemap on
    }
    state, dropped = decode(params, ctx)
    assert state.batches == (3,) and state.regions == () and state.provinces == ("Guangdong",)
    assert state.as_of is None and state.zone is None and state.q == ""
    assert state.lang == "en"
    assert dropped == [
        "batch=99",
        "batch=abc",
        "region=mars",
        "province=atlantis",
        "q=xxxxxxxxxxxxxxxxxxxxx...",
        "date=2015-02-30",
        "zone=nowhere",
        "lang=fr",
    ]


@pytest.mark.parametrize("digit", ["²", "①", "٣", "３", "߃", "𝟑"])
def test_unicode_digits_are_not_numbers(ctx, digit):
    """str.isdigit() is true for these and int() rejects most of them: parse ASCII only."""
    state, dropped = decode({"k": [digit], "batch": [digit], "city": [digit * 6]}, ctx)
    assert state.k == 5 and state.batches == (1, 2, 3) and state.city is None
    assert dropped == [f"batch={digit}", f"city={digit * 6}", f"k={digit}"]
    state, dropped = decode({"date": [f"2020-0{digit}-01"]}, ctx)
    assert state.as_of is None and len(dropped) == 1


@pytest.mark.parametrize(
    "params, kept, dropped",
    [
        ({"batch": ["all", "x"]}, {"batches": tuple(range(1, 9))}, ["batch=x"]),
        ({"batch": ["none", "4"]}, {"batches": ()}, ["batch=4"]),
        ({"k": ["3", "-1"]}, {"k": 3}, ["k=-1"]),
        ({"k": ["-1", "3"]}, {"k": 3}, ["k=-1"]),
        ({"k": ["3", "4"]}, {"k": 3}, ["k=4"]),  # a second value of a single-valued key
        ({"city": ["330100", "999999"]}, {"city": "330100"}, ["city=999999"]),
        ({"lang": ["zh", "zh"]}, {"lang": "zh"}, ["lang=zh"]),
        ({"zone": ["xian", "hangzhou"]}, {"zone": "xian"}, ["zone=hangzhou"]),
    ],
)
def test_every_dropped_value_is_named(ctx, params, kept, dropped):
    state, found = decode(params, ctx)
    assert {k: getattr(state, k) for k in kept} == kept
    assert found == dropped


@pytest.mark.parametrize(
    "value", ["2014-12-31", "2030-01-01", "junk", "2020-1-1", "2020-01-01T00:00", "+2020-01-01"]
)
def test_dates_out_of_range_or_malformed_are_dropped(ctx, value):
    state, dropped = decode({"date": [value]}, ctx)
    assert state.as_of is None
    assert dropped == [urlstate.shown("date", value)]


def test_today_is_the_default_date(ctx):
    state, _ = decode({"date": [TODAY.isoformat()]}, ctx)
    assert state.as_of is None
    assert encode(State(as_of=TODAY), ctx) == {}


def test_batch_all_none_and_only_invalid(ctx):
    assert decode({"batch": ["all"]}, ctx)[0].batches == tuple(range(1, 9))
    assert decode({"batch": ["none"]}, ctx)[0].batches == ()
    assert encode(State(batches=()), ctx) == {"batch": "none"}
    assert encode(State(batches=tuple(range(1, 9))), ctx) == {"batch": "all"}
    state, dropped = decode({"batch": ["0"]}, ctx)
    assert state.batches == (1, 2, 3) and dropped == ["batch=0"]


def test_values_are_bounded(ctx):
    state, dropped = decode({"region": ["west"] * 500}, ctx)
    assert state.regions == () and dropped == ["region=(500 values)"]
    state, _ = decode({"region": ["West", "WEST", " west "]}, ctx)
    assert state.regions == ("West",)  # normalised and de-duplicated


def test_old_key_names_keep_working(ctx):
    state, dropped = decode({"batches": ["4"], "search": ["wu"]}, ctx)
    assert state.batches == (4,) and state.q == "wu" and dropped == []


@pytest.mark.parametrize("text", ["a\u200fb", "a\x00b", "a\nb", "\u202etxt"])
def test_text_with_control_or_direction_characters_is_dropped(ctx, text):
    state, dropped = decode({"q": [text], "place": [text]}, ctx)
    assert state.q == "" and state.place == "" and len(dropped) == 2


def test_values_from_widgets_and_selections_go_through_the_same_rules(ctx):
    """A forged map selection or widget value is dropped and named as a bad link value is."""
    forged = State(zone="not-a-zone", regions=("Mars",), k=99, batches=(3, 42), city="999999")
    state, dropped = sanitize(forged, ctx)
    assert state == State(batches=(3,))
    assert sorted(dropped) == ["batch=42", "city=999999", "k=99", "region=mars", "zone=not-a-zone"]
    good = State(zone="xian", regions=("West",), k=7, batches=(4, 5))
    assert sanitize(good, ctx) == (good, [])
