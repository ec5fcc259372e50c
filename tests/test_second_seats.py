"""The second seat provider: Tencent's city list, copied from `libs/city.js` of
humanlegacy/wechat-miniapp-map into data/sources/tencent_cities.csv by cbec.pipeline.tencent."""

import pandas as pd
import pytest

from cbec import paths
from cbec.geocoders import SecondSeats
from cbec.pipeline.tencent import main, parse_city_js

from .conftest import read

# The first two cities of the file, as published (its layout: a CommonJS module, cities grouped
# under their pinyin initial, seven "hot" cities repeated).
CITY_JS = """module.exports = {
    "all": {
        "A": [
            {"id": "210300", "name": "鞍山", "fullname": "鞍山市", "pinyin": ["an", "shan"],
             "location": {"lat": 41.10777, "lng": 122.9946}, "cidx": [411, 417]},
            {"id": "340800", "name": "安庆", "fullname": "安庆市", "pinyin": ["an", "qing"],
             "location": {"lat": 30.54294, "lng": 117.06354}, "cidx": [907, 916]}
        ]
    },
    "hot": [
        {"id": "340800", "name": "安庆", "fullname": "安庆市", "pinyin": ["an", "qing"],
         "location": {"lat": 30.54294, "lng": 117.06354}, "cidx": [907, 916]}
    ]
}
"""


def test_the_city_list_is_read_as_published():
    df = parse_city_js(CITY_JS)
    assert df.to_dict("records") == [
        {"adcode": "210300", "name_zh": "鞍山市", "lat_gcj02": 41.10777, "lon_gcj02": 122.9946},
        {"adcode": "340800", "name_zh": "安庆市", "lat_gcj02": 30.54294, "lon_gcj02": 117.06354},
    ]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("module.exports = 1;", "no JSON object"),
        (CITY_JS.replace('"210300"', '"2103"'), "not a 6-digit code"),
        (CITY_JS.replace('"210300"', '"340800"'), "listed twice"),
    ],
)
def test_a_broken_city_list_is_refused_with_the_reason(text, why):
    with pytest.raises(ValueError, match=why):
        parse_city_js(text)


def test_the_command_writes_the_csv_and_reports_a_bad_file(tmp_path, capsys):
    src, out = tmp_path / "city.js", tmp_path / "cities.csv"
    src.write_text(CITY_JS, encoding="utf-8")
    assert main([str(src), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").splitlines() == [
        "adcode,name_zh,lat_gcj02,lon_gcj02",
        "210300,鞍山市,41.10777,122.9946",
        "340800,安庆市,30.54294,117.06354",
    ]
    src.write_text("module.exports = 1;", encoding="utf-8")
    assert main([str(src), "--out", str(out)]) == 1
    assert "city.js: no JSON object" in capsys.readouterr().out


def test_the_shipped_list_is_the_326_cities_in_gcj02():
    df = read(paths.SECOND_SEATS_CSV)
    assert len(df) == 326 and df["adcode"].is_unique
    # cities, municipalities and the county-level cities a province governs directly (xx90xx)
    assert df["adcode"].str.fullmatch(r"\d{4}00|\d{2}90\d{2}").all()
    lat, lon = pd.to_numeric(df["lat_gcj02"]), pd.to_numeric(df["lon_gcj02"])
    assert lat.between(15, 54).all() and lon.between(73, 135.1).all()  # 三沙市: 16.8° N
    # its provenance is recorded where the other sources' is
    readme = (paths.SOURCES / "README.md").read_text(encoding="utf-8")
    assert "humanlegacy/wechat-miniapp-map" in readme
    assert "817971729fd2bfed2ff144543c0e951cb6aabef4" in readme


def test_the_provider_answers_in_wgs84():
    second = SecondSeats()
    # Anshan, GCJ-02 (41.10777, 122.9946): WGS-84 lies a few hundred metres away
    assert 0.1 < second.km("210300", 41.10777, 122.9946) < 1.0
    assert second.km("999999", 41.1, 122.9) is None
