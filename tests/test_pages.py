"""AppTest of the analysis pages, in English and Chinese, values asserted."""

import pytest

from .apptest import open_app, params
from .nominatim_server import FakeNominatim


def open_page(page: str, query: dict | None = None):
    at = open_app(query)
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def plain(markdown: str) -> str:
    """Markdown source without the backslashes that escape data-derived text."""
    return markdown.replace("\\", "")


def df_with(at, column):
    return next(df.value for df in at.dataframe if column in df.value.columns)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_regional_priorities_page(lang):
    at = open_page("regional_priorities", {"lang": lang})
    title = {"en": "How the programme spread", "zh": "综试区如何扩展"}[lang]
    assert at.header[0].value == title
    counts = df_with(at, {"en": "Batch 3 (2018)", "zh": "第3批（2018）"}[lang])
    assert counts.iloc[:, 2].tolist()[:4] in ([10, 3, 6, 3], [45.5, 13.6, 27.3, 13.6])
    claims = df_with(at, {"en": "Holds", "zh": "是否相符"}[lang])
    assert len(claims) == 5
    assert all(v.startswith("✓") for v in claims.iloc[:, 3])
    first = df_with(at, {"en": "First approved", "zh": "首次批复"}[lang])
    assert len(first) == 31
    chart = next(c for c in at.get("deck_gl_json_chart"))
    import json

    spec = json.loads(chart.proto.json)
    layers = {layer["id"]: layer for layer in spec["layers"]}
    assert len(layers["choropleth"]["data"]["features"]) == 34
    assert len(layers["province-points"]["data"]) == 31  # all provinces have a zone today


def test_regional_priorities_province_and_date():
    at = open_page("regional_priorities")
    at.slider(key="w_rp_date").set_value(__import__("datetime").date(2016, 6, 1)).run()
    assert params(at)["date"] == ["2016-06-01"]
    text = " ".join(plain(m.value) for m in at.markdown)
    assert "Provinces with no zone on 1 Jun 2016" in text
    none_line = next(m.value for m in at.markdown if "Beijing" in m.value and "Tibet" in m.value)
    assert len(none_line.split(", ")) == 20
    at.selectbox(key="w_rp_province").set_value("610000").run()  # Shaanxi
    assert any("Shaanxi: 0 zone(s) on 1 Jun 2016" in plain(m.value) for m in at.markdown)
    at.slider(key="w_rp_date").set_value(__import__("datetime").date(2026, 1, 1)).run()
    lines = next(m.value for m in at.markdown if "Xi'an" in m.value).splitlines()
    assert [line.split(" — ")[0] for line in lines] == ["- Xi'an", "- Yan'an", "- Baoji"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_nearest_zone_from_a_city(lang):
    at = open_page("nearest_zone", {"lang": lang, "city": "330100", "k": "3"})
    table = df_with(at, {"en": "Distance (km)", "zh": "距离（公里）"}[lang])
    names = table.iloc[:, 1].tolist()
    assert (
        names
        == ({"en": ["Hangzhou", "Shaoxing", "Huzhou"], "zh": ["杭州市", "绍兴市", "湖州市"]}[lang])
    )
    assert table.iloc[0, 4] == 0.0 and table.iloc[1, 4] == pytest.approx(43.1, abs=0.2)
    cov = df_with(at, {"en": "Within 300 km", "zh": "300公里以内"}[lang])
    assert len(cov) == 8 and cov.iloc[-1, 2] == pytest.approx(95.5, abs=0.1)
    assert params(at)["city"] == ["330100"] and params(at)["k"] == ["3"]


def test_nearest_zone_from_a_place_name_offline(monkeypatch):
    monkeypatch.setenv("CBEC_NOMINATIM", "127.0.0.1:9")  # nothing listens: offline
    at = open_page("nearest_zone", {"place": "义乌"})
    assert any("Found: 义乌 · Yiwu (GeoNames)" in c.value for c in at.caption)
    table = df_with(at, "Distance (km)")
    assert table.iloc[0, 1] == "Yiwu" and table.iloc[0, 4] < 5


def test_place_that_matches_nothing_gives_a_message(monkeypatch):
    monkeypatch.setenv("CBEC_NOMINATIM", "127.0.0.1:9")
    at = open_page("nearest_zone", {"place": "Atlantis"})
    assert at.info[0].value.startswith("No place called “Atlantis” was found in the offline")
    assert not any("Distance (km)" in df.value.columns for df in at.dataframe)


def test_nearest_zone_online_through_geopy(monkeypatch):
    with FakeNominatim() as server:
        monkeypatch.setenv("CBEC_NOMINATIM", server.domain)
        at = open_page("nearest_zone", {"place": "宁波市"})
        assert any("(Nominatim)" in c.value for c in at.caption)
        assert df_with(at, "Distance (km)").iloc[0, 1] == "Ningbo"
        assert server.requests[0]["params"]["q"] == "宁波市"


def test_online_failure_falls_back_to_the_offline_gazetteer(monkeypatch):
    with FakeNominatim() as server:
        server.script = [FakeNominatim.status(500)] * 2
        monkeypatch.setenv("CBEC_NOMINATIM", server.domain)
        at = open_page("nearest_zone", {"place": "Kashgar"})
        assert "did not answer" in at.warning[0].value
        assert df_with(at, "Distance (km)").iloc[0, 1] == "Kashgar Prefecture"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_data_and_sources_page(lang):
    at = open_page("data_and_sources", {"lang": lang})
    assert at.header[0].value == {"en": "Data and sources", "zh": "数据与来源"}[lang]
    zones = df_with(at, "document_no")
    assert len(zones) == 181
    assert sorted(zones["status"].value_counts().tolist()) == [3, 178]
    batches = df_with(at, {"en": "Document", "zh": "批复文号"}[lang])
    assert len(batches) == 8 and batches.iloc[2, 3] == "国函〔2018〕93号"
    caveats = next(m.value for m in at.markdown if "Hangzhou" in m.value or "杭州" in m.value)
    assert ("Jiaozuo" in caveats) if lang == "en" else ("焦作市" in caveats)
    labels = [b.label for b in at.get("download_button")]
    assert len(labels) == 3
