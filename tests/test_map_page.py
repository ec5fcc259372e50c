"""AppTest: the map page's headline and numbers, every filter, the URL round trip, bad links,
the selection and its details, the summary, the table."""

import datetime as dt
import json
import re

import pytest

from cbec import colors, mapview
from support.apptest import (
    button,
    deck,
    deltas,
    drawn,
    drawn_ids,
    layers,
    metrics,
    notices,
    open_app,
    params,
    path_to,
    records,
    table,
    text,
)

ALL = [1, 2, 3, 4, 5, 6, 7, 8]
HEADLINE = (
    "July 2018: 22 new zones, 12 of them in the central, western and Northeast regions — the "
    "priority regions' share rose from 38.5% of the 13 earlier zones to 54.5% of the new ones."
)


@pytest.fixture(scope="module")
def default():
    return open_app()


def test_the_first_screen_says_what_july_2018_changed(default):
    assert HEADLINE in text(default)
    assert metrics(default) == {
        "New in July 2018": "22",
        "Priority-region share, new zones": "54.5%",
        "Zones in this view": "35",
        "Provinces covered": "26 of 31",
    }
    assert deltas(default)["Priority-region share, new zones"] == "+16.1 pp vs the earlier zones"
    assert deltas(default)["Zones in this view"] == "34 active, 1 withdrawn"


def test_all_35_of_the_announcement_are_drawn_haikou_hollow(default):
    ids = drawn_ids(default)
    assert len(ids) == 35 and "haikou" in ids
    zones = layers(default)["zones"]
    fill = zones["getFillColor"]
    haikou = next(r for r in drawn(default) if r["id"] == "haikou")
    day = zones["filterRange"][1]
    assert haikou["r"] <= day and fill.startswith(f"@@=r <= {day} ? [0,0,0,0]")  # hollow
    assert sum(r["r"] <= day for r in drawn(default)) == 1
    assert len(table(default)) == 35
    assert params(default) == {}  # defaults are not written to the URL
    assert default.multiselect(key="w_batch").value == [1, 2, 3]


def test_default_colours_tell_earlier_from_new(default):
    fill = layers(default)["zones"]["getFillColor"]
    assert "b == 3 ?" in fill  # the newest selected batch against the rest
    legend = " ".join(h.proto.body for h in default.get("html"))
    # the groups count their withdrawn zones too, as the headline does (22 new)
    assert "Earlier zones · 13" in legend and "New in July 2018 · 22" in legend
    assert "Ring: of these, withdrawn since · 1" in legend
    assert "Tinted: the central, western and Northeast regions" in legend


def test_colour_by_batch_is_an_option():
    at = open_app({"color": "batch"})
    fill = layers(at)["zones"]["getFillColor"]
    for b, c in colors.BATCH.items():  # each batch its colour, opaque and faded (approximate)
        rgb = ",".join(map(str, c))
        assert f"b == {b} ? (ap ? [{rgb},90] : [{rgb},255])" in fill, b
    # (whether deck.gl parses it: tests/e2e/test_browser.py, colours by batch)
    legend = " ".join(h.proto.body for h in at.get("html"))
    assert "Batch 1 · 2015 · 1" in legend and "Batch 3 · 2018 · 22" in legend
    assert params(at) == {"color": ["batch"]}


def test_summary_numbers_of_the_default_view(default):
    summary = next(
        df.value
        for df in default.dataframe
        if "New in July 2018" in getattr(df.value, "columns", [])
    )
    assert summary["Earlier zones"].tolist() == ["8", "2", "2", "1", "5", "13", "38.5%"]
    assert summary["New in July 2018"].tolist() == ["10", "3", "6", "3", "12", "22", "54.5%"]
    assert summary.index.tolist() == [
        "East", "Central", "West", "Northeast", "Priority regions", "Total", "Share",
    ]  # fmt: skip


def test_all_batches_button():
    at = open_app()
    button(at, "All batches").click().run()
    assert at.multiselect(key="w_batch").value == ALL
    assert metrics(at)["Zones in this view"] == "181"
    assert deltas(at)["Zones in this view"] == "178 active, 3 withdrawn"
    assert metrics(at)["Provinces covered"] == "31 of 31"
    assert len(drawn_ids(at)) == 181
    assert params(at) == {"batch": ["all"]}
    assert "April 2025: 16 new zones" in text(at)


def test_headline_follows_the_batch_filter():
    at = open_app({"batch": ["4", "5"]})
    h = text(at)
    assert "46 new zones, 21 of them in the central, western and Northeast regions" in h
    assert "fell from 54.2% of the 24 earlier zones to 45.7% of the new ones" in h
    at = open_app({"batch": "7"})
    assert "33 zones, 22 of them in the central, western and Northeast regions (66.7%)" in text(at)
    at = open_app({"batch": "none"})
    assert "No batch is chosen" in text(at) and drawn_ids(at) == []
    legend = " ".join(h.proto.body for h in at.get("html"))
    assert "New in" not in legend and "No batch approved by this day is chosen" in legend
    at = open_app({"batch": "3", "date": "2015-03-12"})  # chosen, but not approved by that day
    assert "No chosen batch had been approved by 12 Mar 2015" in text(at)
    assert "No batch is chosen" not in text(at)


def test_region_filter_greys_the_rest_and_outlines_the_region():
    at = open_app()
    at.multiselect(key="w_region").set_value(["West"]).run()
    assert set(table(at)["region"]) == {"West"} and len(table(at)) == 8
    assert len(drawn_ids(at)) == 8 and len(drawn_ids(at, "context")) == 35
    outlined = layers(at)["outlined"]
    assert len(outlined["filterCategories"]) == 12  # the West's provinces
    assert len(layers(at)["priority"]["filterCategories"]) == 21  # tinted on every map
    assert params(at) == {"region": ["west"]}
    legend = " ".join(h.proto.body for h in at.get("html"))
    assert "Grey: outside the other filters · 27" in legend
    assert "New in July 2018 · 6" in legend and "Earlier zones · 2" in legend
    options = at.multiselect(key="w_province").options
    assert "Shaanxi" in options and "Guangdong" not in options and len(options) == 12
    at.multiselect(key="w_province").set_value(["Shaanxi"]).run()
    assert table(at)["name"].tolist() == ["Xi'an"]
    assert params(at) == {"region": ["west"], "province": ["shaanxi"]}
    at.multiselect(key="w_region").set_value(["East"]).run()  # the province falls away
    assert not at.exception and at.multiselect(key="w_province").value == []


def test_search_filter():
    at = open_app()
    at.text_input(key="w_q").input("西安").run()
    assert table(at)["name"].tolist() == ["Xi'an"]
    assert drawn_ids(at) == ["xian"]
    assert params(at) == {"q": ["西安"]}


def test_timeline_steps_at_the_approval_dates_and_takes_any_day():
    at = open_app({"batch": "all"})
    stops = at.select_slider(key="w_day").options
    assert stops[0] == "March 2015" and stops[-1] == "Today" and len(stops) == 9
    at.select_slider(key="w_day").set_value(dt.date(2016, 1, 12)).run()
    assert metrics(at)["Zones in this view"] == "13"
    assert params(at)["date"] == ["2016-01-12"]
    at.date_input(key="w_day_any").set_value(dt.date(2025, 4, 24)).run()
    assert params(at)["date"] == ["2025-04-24"]
    assert "haikou" in drawn_ids(at) and "hainan" not in drawn_ids(at)


def test_reset_returns_to_the_default_view():
    at = open_app({"batch": ["4", "5"], "region": "west", "q": "a", "color": "batch"})
    button(at, "Reset filters").click().run()
    assert at.multiselect(key="w_batch").value == [1, 2, 3]
    assert at.multiselect(key="w_region").value == []
    assert at.text_input(key="w_q").value == ""
    assert metrics(at)["Zones in this view"] == "35"
    assert params(at) == {}


def test_a_shared_link_restores_the_view():
    link = {"batch": ["4", "5"], "region": "northeast", "date": "2021-01-01", "zone": "heihe"}
    at = open_app(link)
    assert at.multiselect(key="w_batch").value == [4, 5]
    assert at.multiselect(key="w_region").value == ["Northeast"]
    assert at.date_input(key="w_day_any").value == dt.date(2021, 1, 1)
    assert sorted(table(at)["name"]) == sorted(
        ["Fushun", "Hunchun", "Suifenhe", "Yingkou", "Panjin", "Jilin City", "Heihe"]
    )
    assert at.selectbox(key="w_zone").value == "heihe"
    assert "Heihe** · 黑河市" in text(at)
    assert params(at) == {k: v if isinstance(v, list) else [v] for k, v in link.items()}


def test_bad_link_values_are_dropped_with_one_notice():
    at = open_app(
        {"batch": ["99", "2"], "date": "not-a-date", "q": "x" * 500, "zone": "<script>",
         "k": "²", "foo": "1"}
    )  # fmt: skip
    assert at.multiselect(key="w_batch").value == [2]
    assert at.text_input(key="w_q").value == ""
    assert len(notices(at)) == 1
    notice = notices(at)[0].replace("\\", "")
    for part in ("batch=99", "date=not-a-date", "q=xxxxxxxxxxxxxxxxxxxxx...", "zone=<script>",
                 "k=²"):  # fmt: skip
        assert part in notice
    assert "foo" not in notice
    # the address bar shows the view as the app read it, not the junk
    assert params(at) == {"batch": ["2"]}
    at.run()  # a run the page makes itself (the map's width, its first paint): still said
    assert len(notices(at)) == 1
    at.multiselect(key="w_batch").set_value([2, 3]).run()  # the visitor's change: said once
    assert len(notices(at)) == 0


def test_selecting_a_zone_shows_its_details_and_nearest_zones():
    at = open_app({"zone": "xian"})
    assert at.selectbox(key="w_zone").value == "xian"
    t = text(at)
    assert "Xi'an** · 西安市" in t and "国函〔2018〕93号" in t and "Shaanxi" in t
    near = [b.label for b in at.button if b.key and b.key.startswith("near_")]
    assert [n.split(" · ")[1] for n in near] == ["Baoji", "Yuncheng", "Yan'an"]
    assert near[0].startswith("157 km")  # the distance first: a long name never cuts it
    assert layers(at)["selected"]["data"] == [{"p": [108.935, 34.343]}]
    # A nearest zone's name selects it: the keyboard's way around the map.
    next(b for b in at.button if b.key == "near_baoji").click().run()
    assert at.selectbox(key="w_zone").value == "baoji" and params(at)["zone"] == ["baoji"]
    button(at, "Clear selection").click().run()
    assert at.selectbox(key="w_zone").value is None and "zone" not in params(at)


def test_the_zone_picker_reaches_every_zone():
    at = open_app()
    picker = at.selectbox(key="w_zone")
    assert len(picker.options) == 181
    picker.set_value("lhasa").run()
    assert params(at)["zone"] == ["lhasa"]
    assert "Lhasa** · 拉萨市" in text(at)
    assert "not among the zones on the map" in text(at)  # batch 7 is not in the default view


def test_withdrawn_zone_is_marked_in_its_details():
    at = open_app({"zone": "haikou"})
    assert "Withdrawn on" in at.warning[0].value.replace("\\", "")
    assert "haikou" in drawn_ids(at)  # drawn hollow, not hidden


def test_chinese_interface():
    at = open_app({"lang": "zh", "zone": "xian"})
    m = metrics(at)
    assert m["2018年7月新增"] == "22" and m["覆盖省份"] == "26 / 31"
    assert "2018年7月：新增22个综试区，其中12个位于中部、西部和东北地区" in text(at)
    assert set(table(at)["region"]) == {"东部", "中部", "西部", "东北"}
    assert table(at)["name"].iloc[0] == "杭州市"  # the interface language's name first
    tooltip = json.loads(at.get("deck_gl_json_chart")[0].proto.tooltip)
    assert tooltip["html"].startswith("<b>{zh}</b>")
    labels = layers(at)["labels"]
    assert labels["characterSet"] == "auto" and labels["getText"] == "@@=t"
    assert labels["data"].startswith("app/static/generated/labels-zh-")
    names = {r["t"] for r in drawn(at, "labels")}
    assert {"新疆", "西藏", "南海诸岛"} <= names
    assert params(at) == {"lang": ["zh"], "zone": ["xian"]}


def test_deck_sends_only_the_view_not_the_points(default):
    zones = layers(default)["zones"]
    assert zones["data"].startswith("app/static/generated/zones-")  # fetched once, cached
    raw = default.get("deck_gl_json_chart")[0].proto.json
    assert len(raw.encode()) < 6000
    assert "\\u" not in raw and "\n" not in raw  # compact UTF-8, not escaped, not indented
    record = drawn(default)[0]
    assert {"id", "p", "b", "rg", "pv", "a", "r", "en", "zh", "doc"} <= set(record)


def test_zone_name_reaches_the_tooltip_as_text(data_copy, monkeypatch):
    from .conftest import read, write

    name = "<img src=x onerror=alert(1)>"
    zones = read(data_copy / "zones.csv")
    zones.loc[0, "name_en"] = name
    write(zones, data_copy / "zones.csv")
    monkeypatch.setenv("CBEC_DATA_DIR", str(data_copy))
    at = open_app()
    pts = {p["id"]: p for p in drawn(at)}
    # A data value, unescaped: Streamlit >= 1.60 escapes tooltip values when it fills the
    # template, so escaping here too would show "&lt;img" to the reader.
    assert pts["hangzhou"]["en"] == name
    tooltip = json.loads(at.get("deck_gl_json_chart")[0].proto.tooltip)
    assert "{en}" in tooltip["html"] and "<img" not in tooltip["html"]
    assert name in table(at)["name"].tolist()


def test_the_map_fits_china_to_the_width_it_is_given():
    from cbec import mapview

    for width in (360, 390, 760, 1000, 1400, 1920):
        lat, lon, zoom = mapview.fit(mapview.CHINA_BOUNDS, width, mapview.height_for(width))
        x0, y0 = mapview.to_pixel(mapview.CHINA_BOUNDS[0], mapview.CHINA_BOUNDS[3], zoom)
        x1, y1 = mapview.to_pixel(mapview.CHINA_BOUNDS[2], mapview.CHINA_BOUNDS[1], zoom)
        cx, cy = mapview.to_pixel(lon, lat, zoom)
        w, h = width, mapview.height_for(width)
        assert cx - w / 2 <= x0 and x1 <= cx + w / 2, width  # west and east inside
        assert cy - h / 2 <= y0 and y1 <= cy + h / 2, width  # north and south inside
        assert (x1 - x0) / w > 0.85 or (y1 - y0) / h > 0.85, width  # and not lost in sea


def test_deck_of_the_default_view(default):
    spec = deck(default)
    assert spec.get("mapStyle") == "__MAP_STYLE__" and "mapProvider" not in spec  # offline


@pytest.mark.parametrize("zoom", [2.0, 3.0, 3.5])
def test_province_names_are_many_and_hide_little_and_no_zone(zoom):
    """Measured independently of the placement: most provinces are named (at a desktop's zoom
    every one but the smallest), each name's box is at most a third under zone points, and
    the names are drawn beneath every layer of points, so no zone is ever hidden by a name."""
    import numpy as np

    from cbec import data, mapview

    ds = data.dataset()
    points = np.array([mapview.to_pixel(lon, lat, zoom) for lon, lat in
                       zip(ds.zones["lon"], ds.zones["lat"], strict=True)])  # fmt: skip
    labels = mapview.label_records(ds, zoom)
    for key in ("pe", "pz"):
        assert len([r for r in labels if key in r]) >= {2.0: 11, 3.0: 27, 3.5: 29}[zoom], key
    named = {r["en"] for r in labels if "pe" in r}
    if zoom >= 3.0:
        assert {"Guangdong", "Zhejiang", "Shandong", "Heilongjiang", "Hainan"} <= named
    yy, xx = np.mgrid[-6:7, -6:7]
    disc = (xx**2 + yy**2) <= mapview.POINT_RADIUS**2
    for r in labels:
        for lang, key in (("en", "pe"), ("zh", "pz")):
            if key not in r:
                continue
            x, y = mapview.to_pixel(*r[key], zoom)
            half_w, half_h = mapview._text_width(r[lang]) / 2, mapview.LABEL_SIZE / 2
            covered = set()
            for px, py in points:
                for dx, dy in zip(xx[disc], yy[disc], strict=True):
                    cx, cy = round(px + dx), round(py + dy)
                    if abs(cx - x) <= half_w and abs(cy - y) <= half_h:
                        covered.add((cx, cy))
            assert len(covered) <= (4 * half_w * half_h) / 3, (r[lang], zoom)
    at = open_app({"batch": "all"})
    order = [layer["id"] for layer in deck(at)["layers"]]
    assert all(order.index("labels") < order.index(p) for p in ("context", "zones")
               if p in order)  # fmt: skip


@pytest.mark.parametrize("zoom", [1.75, 2.0, 3.0, 3.5])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_province_names_never_overlap_one_another_or_the_inset_name(zoom, lang):
    """Measured on the boxes the names take at the zoom they were placed for (a phone's map is
    zoom 1.75 to 2, a desktop's 3 to 3.5): no two overlap, and the inset's name stays inside
    the fitted country box (nothing off the map's right edge)."""
    from cbec import data, mapview

    ds = data.dataset()
    key = {"en": "pe", "zh": "pz"}[lang]
    scs = mapview.scs_label_at(zoom, lang)
    boxes = [
        mapview._box(r[key], r[lang], zoom) for r in mapview.label_records(ds, zoom) if key in r
    ]
    boxes.append(mapview._box(scs, mapview.SCS_LABEL[lang], zoom))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    east, _ = mapview.to_pixel(mapview.CHINA_BOUNDS[2], 20, mapview.label_zoom(zoom))
    assert boxes[-1][2] <= east  # the inset's name ends inside the map's east edge


def test_zoom_buttons_step_the_view_and_reset_fits_china_again():
    at = open_app()
    fitted = deck(at)["initialViewState"]["zoom"]
    at.button(key="zoom_in").click().run()
    at.button(key="zoom_in").click().run()
    assert deck(at)["initialViewState"]["zoom"] == pytest.approx(fitted + 2)
    at.button(key="zoom_out").click().run()
    assert deck(at)["initialViewState"]["zoom"] == pytest.approx(fitted + 1)
    at.button(key="zoom_reset").click().run()
    assert deck(at)["initialViewState"]["zoom"] == pytest.approx(fitted)
    for _ in range(5):  # at most two steps out from the fitted country
        at.button(key="zoom_out").click().run()
    zoom = deck(at)["initialViewState"]["zoom"]
    assert zoom == pytest.approx(max(fitted - 2, mapview.MIN_ZOOM))


@pytest.mark.parametrize(("lang", "han"), [("zh", True), ("en", False)])
def test_province_names_are_in_the_interface_language(lang, han):
    """The labels the browser fetches: Chinese names (with the inset's 南海诸岛) in Chinese,
    English names in English."""
    at = open_app({"lang": lang})
    texts = [r["t"] for r in records(layers(at)["labels"])]
    assert len(texts) >= 8
    with_han = [t for t in texts if re.search(r"[\u4e00-\u9fff]", t)]
    assert (len(with_han) == len(texts)) if han else (with_han == [])
    assert ("南海诸岛" in texts) if han else any(t.startswith("South China Sea") for t in texts)


def test_counts_are_whole_numbers_on_every_chart_axis():
    """A chart of one zone must not count 0.2, 0.4...: every quantitative axis of a count is in
    whole steps (shares are percentages)."""
    for query in ({"batch": "1"}, {"batch": "all"}):
        at = open_app(query)
        axes = [json.loads(c.proto.spec)["encoding"]["y"] for c in at.get("vega_lite_chart")]
        counts = [y for y in axes if y["field"] == "count"]
        assert counts, query
        assert all(y["axis"]["format"] == "d" and y["axis"]["tickMinStep"] == 1 for y in counts)


def test_the_selected_zone_is_marked_in_the_table():
    at = open_app({"batch": "3", "zone": "xian"})
    marks = table(at)["selected"]
    assert marks["xian"] == "●" and (marks.drop("xian") == "").all()


def test_every_point_field_used_is_in_the_one_table():
    """The points file's short field names are listed once (mapview.POINT_FIELDS): the records
    hold exactly those; the zone layers' expressions and inline rows and the tooltip use no
    other, on the default view and on a name search's view (whose rows travel inline)."""
    from cbec import data, i18n, selection
    from cbec.filters import Filters

    ds = data.dataset()
    fields = set(mapview.POINT_FIELDS)
    assert set(mapview.zone_records(ds)[0]) == fields
    assert set(selection.point_fields(ds)) <= fields
    for lang in ("en", "zh"):
        tip = mapview.tooltip(i18n.tr(lang).template("map_tooltip"), lang)["html"]
        assert set(re.findall(r"{(\w+)}", tip)) <= fields, tip
    points_file = mapview.points_url(ds)
    for f in (Filters(), Filters(q="yiwu", regions=("East",))):
        sel = selection.select(ds, f, "story", ds.today)
        spec = mapview.spec_for(sel, lang="en", tooltip="", width=900)
        layers = json.loads(mapview.map_deck(ds, spec).to_json())["layers"]
        zone_layers = [
            la for la in layers
            if la.get("data") == points_file
            or (isinstance(la.get("data"), list) and la["data"] and "id" in la["data"][0])
        ]  # fmt: skip
        assert {"zones", "withdrawn-edge", "unverified"} <= {la["id"] for la in zone_layers}
        used = set()
        for la in zone_layers:
            if isinstance(la["data"], list):
                used |= set(la["data"][0])
            for k, v in la.items():
                if k.startswith("get") and isinstance(v, str) and v.startswith("@@="):
                    used |= set(re.findall(r"[A-Za-z_]\w*", v[3:]))
        assert {"b", "rg", "pv", "a", "r", "p"} <= used
        assert used - fields == set(), used - fields


@pytest.mark.parametrize(
    "link",
    [
        {"batch": [str(b) for b in ALL]},  # a chip comes
        {"region": "west"},
        {"batch": "1", "region": "west"},  # no zone in view: a notice above the map
        {"zone": "yiwu"},
        {"date": "2016-01-12", "color": "batch"},
        {"q": "yi"},
    ],
)
def test_the_map_stays_in_its_place_whatever_the_view(default, link):
    """Nothing before the map comes or goes with the view: the browser keeps a map's zoom only
    while the map keeps its place, and a busy browser that drew a run half-arrived lost it
    (the batch chip, drawn only off the default view, shifted the map by one place)."""
    at = open_app(link)
    assert path_to(at) == path_to(default)
    assert path_to(at)[-3][-1] == ("column", "")  # the map is in the page's map column,
    assert path_to(at)[-2][-1] == ("flex_container", "cbec-deck-map_probe-0")  # its block


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"px": 940, "drawn": True}, (940, True)),
        ({"px": 940.0, "drawn": False}, (940, False)),
        ({"px": 940, "drawn": "yes"}, (940, False)),  # only true is true
        ({"px": True, "drawn": True}, (None, False)),
        ({"px": 50, "drawn": True}, (None, False)),
        ({"px": 10**9}, (None, False)),
        ({"px": "940"}, (None, False)),
        (940, (None, False)),  # the old bare number: ignored, the guess stays
        (None, (None, False)),
    ],
)
def test_a_width_report_is_checked_before_it_refits_the_map(value, expected):
    """What the map's companion reports is a client's message: a forged one is ignored."""
    from cbec.ui import probe

    assert probe._report(value) == expected
