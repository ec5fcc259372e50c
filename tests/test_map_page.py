"""AppTest: every filter of the map page, the URL round trip, bad links, details, summary."""

import datetime as dt
import json

import pytest

from .apptest import button, deck, metrics, open_app, params, points, table
from .conftest import read, write

ALL = [1, 2, 3, 4, 5, 6, 7, 8]


@pytest.fixture(scope="module")
def default():
    return open_app()


def test_default_view_is_the_july_2018_announcement(default):
    m = metrics(default)
    assert m["Zones shown"] == "34"  # 13 + 22, Haikou withdrawn in 2025
    assert m["Provinces covered"] == "25 of 31"
    assert m["In priority regions"] == "50.0%"  # 5 + 12 of 34
    assert m["Newest approval"] == "24 Jul 2018"
    assert len(points(default)) == 34
    assert len(table(default)) == 34
    assert params(default) == {}  # defaults are not written to the URL
    assert default.multiselect(key="w_batch").value == [1, 2, 3]


def test_summary_numbers_of_the_default_view(default):
    m = {x.label: (x.value, x.delta) for x in default.metric}
    assert m["Priority regions: 2015 group (13 first)"] == ("38.5%", "")
    assert m["Priority regions: Batch 3 · 2018"] == ("54.5%", "+16.1 pp")
    summary = next(df.value for df in default.dataframe if "Batch 3 · 2018" in df.value.columns)
    assert summary["2015 group (13 first)"].tolist() == [8, 2, 2, 1, 5, 13]
    assert summary["Batch 3 · 2018"].tolist() == [10, 3, 6, 3, 12, 22]
    assert summary.index.tolist() == [
        "East",
        "Central",
        "West",
        "Northeast",
        "Priority regions",
        "Total",
    ]


def test_all_batches_button_and_the_deck_holds_every_active_zone():
    at = open_app()
    button(at, "All batches").click().run()
    assert at.multiselect(key="w_batch").value == ALL
    assert metrics(at)["Zones shown"] == "178"
    assert metrics(at)["Provinces covered"] == "31 of 31"
    ids = {p["id"] for p in points(at)}
    assert len(ids) == 178 and not ids & {"haikou", "sanya", "alashankou"}
    assert params(at) == {"batch": [str(b) for b in ALL]}


def test_region_filter_narrows_provinces_and_updates_the_url():
    at = open_app()
    at.multiselect(key="w_region").set_value(["West"]).run()
    assert set(table(at)["region"]) == {"West"}
    assert metrics(at)["Zones shown"] == "8"  # Chongqing, Chengdu + 6 of batch 3
    assert metrics(at)["In priority regions"] == "100.0%"
    assert params(at) == {"region": ["west"]}
    options = at.multiselect(key="w_province").options
    assert "Shaanxi" in options and "Guangdong" not in options and len(options) == 12
    at.multiselect(key="w_province").set_value(["Shaanxi"]).run()
    assert table(at)["name_en"].tolist() == ["Xi'an"]
    assert params(at) == {"region": ["west"], "province": ["shaanxi"]}
    # A province outside the newly chosen regions is dropped, not an error.
    at.multiselect(key="w_region").set_value(["East"]).run()
    assert not at.exception and at.multiselect(key="w_province").value == []


def test_search_filter():
    at = open_app()
    at.text_input(key="w_q").input("西安").run()
    assert table(at)["name_en"].tolist() == ["Xi'an"]
    assert [p["id"] for p in points(at)] == ["xian"]
    assert params(at) == {"q": ["西安"]}


def test_date_slider_is_a_timeline():
    at = open_app({"batch": "all"})
    at.slider(key="w_date").set_value(dt.date(2016, 6, 1)).run()
    assert metrics(at)["Zones shown"] == "13"
    assert params(at)["date"] == ["2016-06-01"]
    at.slider(key="w_date").set_value(dt.date(2025, 4, 24)).run()
    assert metrics(at)["Zones shown"] == "165"
    assert "haikou" in {p["id"] for p in points(at)}


def test_reset_returns_to_the_default_view():
    at = open_app({"batch": ["4", "5"], "region": "west", "q": "a", "lang": "en"})
    button(at, "Reset filters").click().run()
    assert at.multiselect(key="w_batch").value == [1, 2, 3]
    assert at.multiselect(key="w_region").value == []
    assert at.text_input(key="w_q").value == ""
    assert metrics(at)["Zones shown"] == "34"
    assert params(at) == {}


def test_a_shared_link_restores_the_view():
    link = {
        "batch": ["4", "5"],
        "region": "northeast",
        "date": "2021-01-01",
        "zone": "heihe",
    }
    at = open_app(link)
    assert at.multiselect(key="w_batch").value == [4, 5]
    assert at.multiselect(key="w_region").value == ["Northeast"]
    assert at.slider(key="w_date").value == dt.date(2021, 1, 1)
    assert sorted(table(at)["name_en"]) == sorted(
        ["Fushun", "Hunchun", "Suifenhe", "Yingkou", "Panjin", "Jilin City", "Heihe"]
    )
    assert at.subheader[0].value == "黑河市 · Heihe"
    assert params(at) == {k: v if isinstance(v, list) else [v] for k, v in link.items()}


def test_bad_link_values_are_dropped_with_one_notice():
    at = open_app(
        {"batch": ["99", "2"], "date": "not-a-date", "q": "x" * 500, "zone": "<script>", "foo": "1"}
    )
    assert at.multiselect(key="w_batch").value == [2]
    assert at.text_input(key="w_q").value == ""
    assert len(at.toast) == 1
    notice = at.toast[0].value
    for part in ("batch=99", "date=not-a-date", "q=xxxxxxxxxxxxxxxxx...", "zone=<script>"):
        assert part in notice
    assert "foo" not in notice
    assert params(at) == {"batch": ["2"], "foo": ["1"]}  # cleaned up; unknown keys left alone
    at.run()
    assert len(at.toast) == 0  # said once


def test_selected_zone_details_with_nearest_zones():
    at = open_app({"zone": "xian"})
    assert at.subheader[0].value == "西安市 · Xi'an"
    text = " ".join(m.value for m in at.markdown)
    assert "国函〔2018〕93号" in text and "Shaanxi" in text
    assert "www\\.shndlaw\\.com" in text  # the source link, its host escaped for Markdown
    near = next(m.value for m in at.markdown if "km)" in m.value).splitlines()
    assert [line.split(" (")[0] for line in near] == ["- Baoji", "- Yuncheng", "- Yan'an"]
    layers = {layer["id"]: layer for layer in deck(at)["layers"]}
    assert layers["selected"]["data"] == [{"p": [108.935, 34.343]}]
    button(at, "Clear selection").click().run()
    assert not at.subheader and "zone" not in params(at)


def test_withdrawn_zone_is_marked_in_its_details():
    at = open_app({"zone": "haikou"})
    assert "Withdrawn on 25 Apr 2025" in at.warning[0].value
    assert "not among the zones shown" in " ".join(c.value for c in at.caption)
    assert "haikou" not in {p["id"] for p in points(at)}


def test_chinese_interface():
    at = open_app({"lang": "zh", "zone": "xian"})
    assert at.title[0].value == "中国跨境电子商务综合试验区"
    m = metrics(at)
    assert m["显示的综试区"] == "34" and m["覆盖省份"] == "25 / 31"
    assert m["最近批复"] == "2018年7月24日"
    assert set(table(at)["region"]) == {"东部", "中部", "西部", "东北"}
    tip = points(at)[0]
    assert tip["pr"] == "浙江省" and tip["bt"].startswith("批次 1 · 批复 2015年3月12日")
    assert params(at) == {"lang": ["zh"], "zone": ["xian"]}
    at.segmented_control(key="w_lang").set_value("en").run()
    assert at.title[0].value == "China's cross-border e-commerce pilot zones"
    assert params(at) == {"zone": ["xian"]}


def test_deck_sends_only_what_the_map_uses(default):
    layer = next(layer for layer in deck(default)["layers"] if layer["id"] == "zones")
    assert set(layer["data"][0]) == {"id", "p", "c", "en", "zh", "pr", "rg", "bt", "doc"}
    raw = default.get("deck_gl_json_chart")[0].proto.json
    assert "\\u" not in raw and "\n" not in raw  # compact UTF-8, not escaped, not indented


def test_zone_name_reaches_the_tooltip_as_text(data_copy, monkeypatch):
    name = "<img src=x onerror=alert(1)>"
    zones = read(data_copy / "zones.csv")
    zones.loc[0, "name_en"] = name
    write(zones, data_copy / "zones.csv")
    monkeypatch.setenv("CBEC_DATA_DIR", str(data_copy))
    at = open_app()
    pts = {p["id"]: p for p in points(at)}
    # A data value, unescaped: Streamlit >= 1.60 escapes tooltip values when it fills the
    # template, so escaping here too would show "&lt;img" to the reader.
    assert pts["hangzhou"]["en"] == name
    tooltip = json.loads(at.get("deck_gl_json_chart")[0].proto.tooltip)
    assert "{en}" in tooltip["html"] and "<img" not in tooltip["html"]
    # Elsewhere on the page the name is shown as text (escaped Markdown), never as markup.
    table_names = table(at)["name_en"].tolist()
    assert name in table_names
