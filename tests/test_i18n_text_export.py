"""The string catalogue, Markdown escaping and the downloads."""

import csv
import datetime as dt
import io
import json
import re
import string

import pytest

from cbec import data, export, i18n
from cbec.data import load
from cbec.filters import Filters, apply
from cbec.ui import shared


def placeholders(s: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(s) if name}


def test_every_string_exists_in_both_languages_with_the_same_placeholders():
    for key, by_lang in i18n.STRINGS.items():
        assert set(by_lang) == set(i18n.LANGS), key
        assert placeholders(by_lang["en"]) == placeholders(by_lang["zh"]), key
        assert by_lang["en"] != by_lang["zh"] or key in {"s_pp"}, key


def test_chinese_strings_are_chinese():
    han = re.compile(r"[\u4e00-\u9fff]")
    missing = [k for k, v in i18n.STRINGS.items() if not han.search(v["zh"])]
    assert missing == ["m_provinces_value"]  # "{n} / 31" needs no words


def test_dates_and_numbers_by_language():
    day = dt.date(2018, 7, 24)
    assert i18n.date("en", day) == "24 Jul 2018"
    assert i18n.date("zh", day) == "2018年7月24日"
    assert i18n.pct("en", 5 / 13) == "38.5%"
    assert i18n.t("zh", "d_km", km=1234.4) == "1,234 公里"


def test_markdown_escaping_shows_text_as_written():
    assert i18n.escape_md("[x](javascript:alert(1))") == r"\[x\]\(javascript\:alert\(1\)\)"
    assert data.sources("http://a.cn/x | javascript:alert(1) |  | ftp://b") == ["http://a.cn/x"]
    assert shared.md_link("http://a.cn/p (1).htm") == r"[a\.cn](http://a.cn/p%20%281%29.htm)"


@pytest.fixture(scope="module")
def view():
    zones = load(when=dt.date(2026, 11, 26)).zones
    return apply(zones, Filters(regions=("West",)), dt.date(2026, 11, 26))


def test_csv_download_is_exactly_the_view(view):
    data = export.to_csv(view)
    assert data.startswith("\ufeff".encode())  # spreadsheet programs then read UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["zone_id"] for r in rows] == view["zone_id"].tolist()
    assert list(rows[0]) == export.EXPORT_COLUMNS
    xian = next(r for r in rows if r["zone_id"] == "xian")
    assert xian["name_zh"] == "西安市" and xian["approved_on"] == "2018-07-24"
    assert xian["source_url"].startswith("https://")


def test_geojson_download_is_exactly_the_view(view):
    doc = json.loads(export.to_geojson(view))
    assert doc["type"] == "FeatureCollection"
    assert [f["properties"]["zone_id"] for f in doc["features"]] == view["zone_id"].tolist()
    xian = next(f for f in doc["features"] if f["properties"]["zone_id"] == "xian")
    lon, lat = xian["geometry"]["coordinates"]
    assert abs(lat - 34.26) < 0.1 and abs(lon - 108.93) < 0.1
    assert xian["properties"]["batch"] == 3


def test_every_catalogue_string_is_used():
    import pathlib

    from cbec import data

    code = "\n".join(
        p.read_text("utf-8")
        for p in pathlib.Path(data.ROOT / "cbec").rglob("*.py")
        if p.name != "i18n.py"
    ) + (data.ROOT / "dashboard.py").read_text("utf-8")
    dynamic = {k for k in i18n.STRINGS if k.startswith(("status_", "claim_"))}
    used = {k for k in i18n.STRINGS if f'"{k}"' in code or f"'{k}'" in code}
    unused = [k for k in i18n.STRINGS if k not in dynamic | used]
    assert unused == []
