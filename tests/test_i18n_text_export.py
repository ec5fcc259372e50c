"""The translator and its catalogue files, Markdown escaping, and the downloads."""

import csv
import datetime as dt
import io
import json
import pathlib
import re
import tomllib

import pytest

from cbec import data, export, i18n, paths, selection, urlstate, vocab
from cbec.filters import Filters
from cbec.ui import shared

EN, ZH = i18n.tr("en"), i18n.tr("zh")


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGS if lang != "en"])
def test_every_language_has_exactly_the_same_keys_and_placeholders(lang):
    en, other = i18n.catalogue("en"), i18n.catalogue(lang)
    assert set(en) == set(other)
    for key in en:
        if not key.startswith("lang."):  # how a language writes dates: its own parts
            assert i18n.placeholders(en[key]) == i18n.placeholders(other[key]), key
    assert other["lang.data"] in ("en", "zh")  # the data's two languages


def test_a_language_is_one_file_in_a_format_translation_tools_open():
    files = sorted(p.stem for p in i18n.LOCALES.glob("*.toml"))
    assert files == sorted(i18n.LANGS)
    for lang in i18n.LANGS:
        with open(i18n.LOCALES / f"{lang}.toml", "rb") as fh:
            assert tomllib.load(fh)  # plain TOML: key = "string", tables for groups


def test_chinese_strings_are_chinese():
    han = re.compile(r"[\u4e00-\u9fff]")
    latin_ok = {"m_provinces_value", "nz_source_nominatim", "provider_nominatim",
                "nz_seat_named", "d_nearest_item", "m_delta", "lang_label", "lang.data",
                "lang.list_sep"}  # fmt: skip
    missing = [k for k, v in i18n.catalogue("zh").items() if not han.search(v)]
    assert sorted(k for k in missing if k not in latin_ok) == []


def test_plurals_dates_and_numbers_by_language():
    day = dt.date(2018, 7, 24)
    assert EN.date(day) == "24 Jul 2018" and ZH.date(day) == "2018年7月24日"
    assert EN.month(day) == "July 2018" and ZH.month(day) == "2018年7月"
    assert EN.pct(5 / 13) == "38.5%" and EN.pp(16.08) == "+16.1 pp"
    assert ZH.pp(-2.0) == "-2.0个百分点"
    args = {"province": "Shaanxi", "date": "1 Jun 2016"}
    assert EN.n("rp_province_zones", 1, **args) == "Shaanxi: 1 zone on 1 Jun 2016"
    assert EN.n("rp_province_zones", 3, **args) == "Shaanxi: 3 zones on 1 Jun 2016"
    assert ZH.n("rp_province_zones", 1, province="陕西省", date="x") == "陕西省：x共1个综试区"


def test_data_columns_in_the_interface_language():
    row = {"name_en": "Xi'an", "name_zh": "西安市"}
    assert EN.col(row, "name") == "Xi'an" and ZH.col(row, "name") == "西安市"
    assert ZH.region("West") == "西部" and EN.region("West") == "West"
    assert ZH.level("municipality") == "直辖市"
    assert ZH.confidence("unverified") == "未核实"
    assert EN.meaning("zone_id").startswith("Stable id")


@pytest.mark.parametrize(
    "payload",
    [
        "[Your session expired, sign in](https://evil.example/login)",
        "![t](http://198.51.100.9/t.png)",
        "<img src=x onerror=alert(1)>",
        "www.evil.example",
        "https://evil.example/x",
        "a@evil.example",
        ":red[alarm] :material/warning:",
        "$x^2$",
        "# heading\n- list",
        "`code` **bold** _it_ ~~s~~ | t |",
    ],
)
def test_values_are_escaped_the_catalogue_is_not(payload):
    """Every value filled into a string is text: Markdown would render none of the payload's
    syntax, while the catalogue's own Markdown stays."""
    out = EN("nz_found", name=payload, source="GeoNames")
    unescaped = re.sub(r"\\.", "", out)
    for syntax in ("](", "![", "<img", "www.", "https:", "@evil", ":red[", "$", "\n", "**", "`"):
        assert syntax not in unescaped.replace("Found: ", ""), (syntax, out)
    assert out.startswith("Found: ")


def test_translator_output_is_not_escaped_twice():
    inner = EN("d_batch", batch=3, year=2018)
    outer = EN("nz_found", name=inner, source="x")
    assert "\\\\" not in outer  # a translator string (Md) is already safe


def test_links_in_details_are_only_http_and_safe():
    assert vocab.sources("http://a.cn/x | javascript:alert(1) |  | ftp://b") == ["http://a.cn/x"]
    assert shared.md_link("http://a.cn/p (1).htm") == r"[a\.cn](http://a.cn/p%20%281%29.htm)"


@pytest.fixture(scope="module")
def view():
    day = dt.date(2026, 11, 26)
    return selection.select(data.load(when=day), Filters(regions=("West",)), "story", day).zones


def test_csv_download_is_exactly_the_view(view):
    raw = export.to_csv(view)
    assert raw.startswith("\ufeff".encode())  # spreadsheet programs then read UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
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
    assert abs(lat - 34.34) < 0.1 and abs(lon - 108.94) < 0.1
    assert xian["properties"]["batch"] == 3


def test_dictionary_download_has_every_column_in_every_language():
    meanings = {
        lang: {c: i18n.tr(lang).meaning(c) for c in export.EXPORT_COLUMNS} for lang in i18n.LANGS
    }
    rows = list(csv.DictReader(io.StringIO(export.dictionary_csv(meanings).decode("utf-8-sig"))))
    assert [r["column"] for r in rows] == export.EXPORT_COLUMNS
    assert all(r["meaning_en"] and r["meaning_zh"] and r["meaning_en"] != r["column"] for r in rows)


def _used_keys() -> set[str]:
    code = "\n".join(
        p.read_text("utf-8") for p in (paths.ROOT / "cbec").rglob("*.py") if p.name != "i18n.py"
    ) + (paths.ROOT / "dashboard.py").read_text("utf-8")
    return {k for k in i18n.catalogue("en") if f'"{k}"' in code or f"'{k}'" in code}


def test_every_catalogue_string_is_used():
    dynamic = (
        "status_", "claim_", "h_", "precision_", "provider_", "f_color_", "hl_", "nz_source_",
        "region.", "level.", "confidence.", "confidence_meaning.", "col.", "rp_province_zones.",
        "cap_batches.", "lang.", "point_check.", "point_check_meaning.",
    )  # fmt: skip
    keys = i18n.catalogue("en")
    unused = [k for k in keys if not k.startswith(dynamic) and k not in _used_keys()]
    assert unused == []


def test_no_ui_string_outside_the_catalogue():
    """Pages hold no English or Chinese sentence of their own: all of it is in the catalogue."""
    han = re.compile(r"[\u4e00-\u9fff]{2,}")
    for path in (paths.ROOT / "cbec" / "ui").glob("*.py"):
        strings = re.findall(r'"([^"\n]*)"', path.read_text("utf-8"))
        assert [s for s in strings if han.search(s)] == [], path.name


def test_adding_a_language_is_one_file(tmp_path, monkeypatch):
    """A third language is a copy of a catalogue, translated: the app finds the file, names the
    language in the switch, writes its dates, and reads the data's names it says it reads."""
    text = (i18n.LOCALES / "en.toml").read_text("utf-8")
    text = text.replace('"Map"', '"Karte"', 1).replace('name = "English"', 'name = "Deutsch"')
    text = text.replace('date = "{d} {mon} {y}"', 'date = "{d}. {month} {y}"').replace(
        "January February March April May June July",
        "Januar Februar März April Mai Juni Juli",
    )
    for lang in ("en", "zh"):
        (tmp_path / f"{lang}.toml").write_bytes((i18n.LOCALES / f"{lang}.toml").read_bytes())
    (tmp_path / "de.toml").write_text(text, "utf-8")
    assert i18n.languages(tmp_path) == ("en", "de", "zh")
    monkeypatch.setattr(i18n, "LOCALES", pathlib.Path(tmp_path))
    monkeypatch.setattr(i18n, "LANGS", i18n.languages(tmp_path))
    i18n.catalogue.cache_clear()
    try:
        de = i18n.For("de")
        assert de.lang == "de" and de.text("nav_map") == "Karte"
        assert de.date(dt.date(2018, 7, 13)) == "13. Juli 2018"
        assert de.text("lang.name") == "Deutsch"
        assert de.col({"name_en": "Xi'an", "name_zh": "西安市"}, "name") == "Xi'an"
    finally:
        i18n.catalogue.cache_clear()


def test_the_url_and_the_switch_offer_the_catalogues_languages():
    assert urlstate.LANGS is i18n.LANGS == ("en", "zh")
    assert i18n.LANG_NAMES == {"en": "English", "zh": "中文"}
