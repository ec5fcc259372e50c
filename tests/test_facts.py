"""Tests that would catch a wrong fact in data/: counts, batches, regions, points, ids."""

import datetime as dt

import pandas as pd
import pytest

from cbec import data, paths, vocab
from cbec.data import load
from cbec.pipeline.reference import build_zones

from .conftest import read

BATCH_COUNTS = {1: 1, 2: 12, 3: 22, 4: 24, 5: 46, 6: 27, 7: 33, 8: 16}
# Running totals published by the Ministry of Commerce and Xinhua (reference README).
RUNNING_TOTALS = {2: 13, 3: 35, 4: 59, 5: 105, 6: 132, 7: 165}
# The July 2018 announcement: "13 cities including Hangzhou" already approved ...
FIRST_13 = {
    "Hangzhou": 1,
    **dict.fromkeys(
        [
            "Tianjin", "Shanghai", "Chongqing", "Hefei", "Zhengzhou", "Guangzhou",
            "Chengdu", "Dalian", "Ningbo", "Qingdao", "Shenzhen", "Suzhou",
        ],
        2,
    ),
}  # fmt: skip
# ... and the 22 it added.
JULY_2018_22 = [
    "Beijing", "Hohhot", "Shenyang", "Changchun", "Harbin", "Nanjing", "Nanchang", "Wuhan",
    "Changsha", "Nanning", "Haikou", "Guiyang", "Kunming", "Xi'an", "Lanzhou", "Xiamen",
    "Tangshan", "Wuxi", "Weihai", "Zhuhai", "Dongguan", "Yiwu",
]  # fmt: skip
# Regions written out by hand from the NBS division, independent of provinces.csv.
NBS_REGIONS = {
    "East": "Beijing Tianjin Hebei Shanghai Jiangsu Zhejiang Fujian Shandong Guangdong Hainan",
    "Central": "Shanxi Anhui Jiangxi Henan Hubei Hunan",
    "West": "Inner-Mongolia Guangxi Chongqing Sichuan Guizhou Yunnan Tibet Shaanxi Gansu "
    "Qinghai Ningxia Xinjiang",
    "Northeast": "Liaoning Jilin Heilongjiang",
}


NAMED_BY_NO_SOURCE = [
    "Jiaozuo", "Liuzhou", "Tongren", "Dali Bai Autonomous Prefecture",
    "Ili Kazakh Autonomous Prefecture",
]  # fmt: skip
# Batch 7's cities named only by their provincial government's document, read in a copy on a
# non-government site (issue 18): the document each row cites.
NAMED_BY_A_PROVINCE = {
    "Dezhou": "2023年5月18日", "Liaocheng": "2023年5月18日", "Binzhou": "2023年5月18日",
    "Heze": "2023年5月18日", "Yibin": "川府函〔2023〕295号", "Dazhou": "川府函〔2023〕295号",
    "Lhasa": "藏政发〔2023〕19号",
}  # fmt: skip
SANMING_PAGE = (
    "https://www.sm.gov.cn/smsrmzfbgs/smsrmzf/zfxxgkml/qtyzdgkdzfxx/202509/t20250914_2154777.htm"
)
ONE_ENGLISH_SOURCE = (
    "https://newsworldstream.com/china-greenlights-16-new-cross-border-ecommerce-pilot-zones-"
    "including-hainan-in-trade-push"
)


@pytest.fixture(scope="module")
def zones() -> pd.DataFrame:
    return load(paths.DATA, when=dt.date(2026, 11, 26)).zones


def test_zones_per_batch(zones):
    assert zones["batch"].value_counts().sort_index().to_dict() == BATCH_COUNTS
    assert len(zones) == 181


def test_running_totals_match_published_figures(zones):
    running = zones["batch"].value_counts().sort_index().cumsum()
    assert {b: int(running[b]) for b in RUNNING_TOTALS} == RUNNING_TOTALS


def test_the_13_first_zones_of_the_2018_announcement(zones):
    by_name = zones.set_index("name_en")["batch"]
    assert {n: int(by_name[n]) for n in FIRST_13} == FIRST_13
    assert set(zones.loc[zones["batch"] <= 2, "name_en"]) == set(FIRST_13)


def test_the_22_cities_of_july_2018_are_batch_3(zones):
    batch3 = zones[zones["batch"] == 3]
    assert sorted(batch3["name_en"]) == sorted(JULY_2018_22)
    assert set(batch3["document_no"]) == {"国函〔2018〕93号"}
    assert set(batch3["approved_on"]) == {pd.Timestamp("2018-07-24")}


def test_every_zone_region_comes_from_its_province(zones):
    region_of = {
        p.replace("-", " "): region for region, ps in NBS_REGIONS.items() for p in ps.split()
    }
    assert len(region_of) == 31
    assert (zones["province_en"].map(region_of) == zones["region_en"]).all()
    assert zones["province_en"].nunique() == 31  # after batch 7, every province has a zone


def test_priority_regions_are_central_west_northeast(zones):
    pr = zones.groupby("region_en")["priority_region"].first().to_dict()
    assert pr == {"Central": True, "East": False, "Northeast": True, "West": True}


def test_every_zone_has_a_document_and_a_source_or_is_flagged(zones):
    assert zones["document_no"].str.match(r"^国函〔20\d\d〕\d+号$").all()
    no_source = zones[zones["source_url"] == ""]
    assert set(no_source["confidence"]) == {"unverified"}
    assert (zones.loc[zones["confidence"] == "unverified", "source_url"] == "").all()
    # Batch 7's cities that no source found names (issue 9): kept, flagged.
    assert sorted(no_source["name_en"]) == sorted(NAMED_BY_NO_SOURCE)
    assert set(no_source["batch"]) == {7}
    assert no_source["note"].str.startswith("No source found names").all()


def test_batch_7_zones_named_by_their_province_carry_its_document(zones):
    low7 = zones[(zones["batch"] == 7) & (zones["confidence"] == "low")].set_index("name_en")
    assert sorted(low7.index) == sorted([*NAMED_BY_A_PROVINCE, "Hezhou", "Xuchang"])
    for name, document in NAMED_BY_A_PROVINCE.items():
        assert document in low7.loc[name, "note_zh"], name
        assert "国函〔2022〕126号" in low7.loc[name, "note"], name
        assert len(vocab.sources(low7.loc[name, "source_url"])) == 1, name


def test_withdrawals_of_2025(zones):
    withdrawn = zones[zones["revoked_on"].notna()]
    assert sorted(withdrawn["zone_id"]) == ["alashankou", "haikou", "sanya"]
    assert set(withdrawn["status"]) == {"withdrawn"}
    before = load(paths.DATA, when=dt.date(2025, 4, 24)).zones
    assert before.set_index("zone_id").loc[["haikou", "sanya"], "status"].tolist() == [
        "active",
        "active",
    ]
    assert (before["status"] == "active").sum() == 165  # batch 8 not yet approved
    assert (zones["status"] == "active").sum() == 181 - 3
    # They rest on one English source, cited on each row and named in its note, and are
    # described as that source does.
    for w in withdrawn.itertuples():
        assert ONE_ENGLISH_SOURCE in vocab.sources(w.source_url), w.zone_id
        assert "one English source only" in w.note and "published" in w.note, w.zone_id
    notes = withdrawn.set_index("zone_id")["note"]
    assert "superseded by the whole-island Hainan zone" in notes["haikou"]
    assert "superseded by the whole-island Hainan zone" in notes["sanya"]
    assert "inside the Bortala zone" in notes["alashankou"]
    assert set(withdrawn["revoked_on"]) == {pd.Timestamp("2025-04-25")}  # batch 8, published


def test_municipalities_are_province_level_not_prefectures(zones):
    municipal = zones[zones["admin_level"] == "municipality"]
    assert sorted(municipal["name_en"]) == ["Beijing", "Chongqing", "Shanghai", "Tianjin"]
    assert (municipal["name_zh"] == municipal["province_zh"]).all()


def test_batch_8_reply_title_and_its_official_source():
    b = data.load(paths.DATA).batches.set_index("batch").loc[8]
    assert b["title_zh"] == (
        "国务院关于同意在海南全岛和秦皇岛等15个城市（地区）设立跨境电子商务综合试验区的批复"
    )
    assert "whole of Hainan Island and in 15 cities (areas)" in b["title_en"]
    assert b["document_no"] == "国函〔2025〕40号" and b["source_url"] == SANMING_PAGE


def test_zones_cite_the_sources_issue_9_found(zones):
    src = zones.set_index("name_en")["source_url"].map(vocab.sources)
    for name in ["Hainan Island (whole province)", "Qinhuangdao", "Sanming"]:
        assert src[name][0] == SANMING_PAGE, name
    assert src["Xuchang"] == ["https://0798ci.com/policy/203218.html"]
    hunan = "http://hjq.huaihua.gov.cn/hjq/c132622/202311/c888faa24fd04d94ad9643246aaafe11.shtml"
    assert src["Hengyang"] == src["Zhuzhou"] == [hunan]
    for name in [
        "Baotou", "Anshan", "Yanji", "Tongjiang", "Bengbu", "Nanping", "Ningde", "Pingxiang",
        "Xinyu", "Yichun (Jiangxi)", "Ji'an",
    ]:  # fmt: skip
        assert src[name] == ["https://desk33.com/d-1300170.html"], name
    assert src["Hezhou"] == ["https://shuiwu114.com/hxweb/122500.aspx"]


def test_one_date_convention_across_batches():
    """approved_on is the signing date where a source gives one, else the publication date;
    batch 1's is the 12 March 2015 the State Council's English summary gives."""
    b = data.load(paths.DATA).batches.set_index("batch")
    expected = b["signed_on"].fillna(b["published_on"])
    assert b["approved_on"].equals(expected.rename("approved_on"))
    assert (b["signed_on"].notna() | b["published_on"].notna()).all()
    assert b["signed_on"].isna().loc[[1, 6, 8]].all()
    assert b.loc[1, "published_on"] == pd.Timestamp("2015-03-12")
    assert "2015/03/12" in b.loc[1, "source_url"] and "english.www.gov.cn" in b.loc[1, "source_url"]


def test_confidence_is_the_kind_of_the_best_source(zones):
    """Each zone's level follows from sources/source_kinds.csv: reply text or government page:
    high; a full list of its own batch: medium; anything else: low; none: unverified."""
    kinds = read(paths.SOURCES / "source_kinds.csv").set_index("url")
    assert set(kinds["kind"]) == {"reply text", "government page", "full list", "mention"}
    rank = {"reply text": 3, "government page": 3, "full list": 2, "mention": 1}
    level = {3: "high", 2: "medium", 1: "low", 0: "unverified"}
    cited = set()
    for z in zones.itertuples():
        best = 0
        for url in vocab.sources(z.source_url):
            cited.add(url)
            kind, batch = kinds.loc[url, "kind"], int(kinds.loc[url, "batch"])
            best = max(best, rank[kind] if kind != "full list" or batch == z.batch else 1)
        assert z.confidence == level[best], z.zone_id
    batches = data.load(paths.DATA).batches
    cited |= {u for cell in batches["source_url"] for u in vocab.sources(cell)}
    assert cited == set(kinds.index)  # every source described, no description left over


def test_confidence_counts_per_level(zones):
    import re

    from cbec import i18n
    from cbec.export import confidence_counts

    counts = confidence_counts(zones)
    assert list(counts["confidence"]) == ["high", "medium", "low", "unverified"]
    for lang in i18n.LANGS:  # what each level means, in every language
        meanings = [i18n.catalogue(lang).get(f"confidence_meaning.{c}") for c in vocab.CONFIDENCE]
        assert all(meanings), lang
    assert dict(zip(counts["confidence"], counts["zones"], strict=True)) == {
        "high": 70, "medium": 97, "low": 9, "unverified": 5,
    }  # fmt: skip
    assert counts["zones"].sum() == len(zones)
    only_batch_1 = confidence_counts(zones[zones["batch"] == 1])
    assert only_batch_1["zones"].tolist() == [1, 0, 0, 0]
    # data/README.md states the same counts.
    doc = (paths.DATA / "README.md").read_text("utf-8")
    for level, n in zip(counts["confidence"], counts["zones"], strict=True):
        assert re.search(rf"^\| `{level}` \|.*\| {n} \|$", doc, re.M), level


def test_zones_csv_is_the_reference_list(reference_dir):
    ref = read(reference_dir / "zones_reference.csv")
    ours = read(paths.ZONES_CSV)
    assert len(ours) == len(ref) == 181
    for col in ["batch", "name_zh", "name_en", "province_zh", "document_no", "confidence"]:
        assert ours[col].tolist() == ref[col].tolist(), col
    assert ours["approved_on"].tolist() == ref["approved_date"].tolist()
    assert ours["source_url"].tolist() == ref["source_url"].tolist()
    assert ours["revoked_on"].tolist() == ref["revoked_on"].tolist()


def test_zone_ids_are_stable_across_runs(reference_dir):
    ref = read(reference_dir / "zones_reference.csv")
    committed = read(paths.ZONES_CSV).set_index("name_zh")["zone_id"]
    first = build_zones(ref).set_index("name_zh")["zone_id"]
    shuffled = build_zones(ref.sample(frac=1, random_state=7)).set_index("name_zh")["zone_id"]
    assert first.equals(committed)
    assert shuffled.reindex(first.index).equals(first)
    assert first["泰州市"] == "taizhou-jiangsu" and first["台州市"] == "taizhou-zhejiang"
    assert first["西安市"] == "xian"


def test_every_point_lies_in_its_administrative_area(zones):
    pytest.importorskip("shapely")
    from cbec.pipeline.areas import Areas

    areas = Areas.load()
    assert set(areas.zones) == set(zones["zone_id"])
    problems = [
        f"{z.zone_id}: {p}"
        for z in zones.itertuples()
        if (p := areas.problem(z.zone_id, z.province_zh, z.lat, z.lon))
    ]
    assert problems == []


def test_points_are_seats(zones):
    assert zones["lat"].notna().all()
    assert (zones["precision"] == "seat").all()  # Tongjiang's was a point inside its area
    # Spot checks against well-known city-centre coordinates (within ~0.3 degrees).
    known = {"hangzhou": (30.27, 120.16), "beijing": (39.90, 116.40), "urumqi": (43.80, 87.60)}
    for zid, (lat, lon) in known.items():
        row = zones.set_index("zone_id").loc[zid]
        assert abs(row["lat"] - lat) < 0.3 and abs(row["lon"] - lon) < 0.3, zid


def test_the_sources_live_in_the_repository(reference_dir):
    assert reference_dir == paths.DATA / "sources"
    assert paths.ROOT in reference_dir.parents
    for name in ("zones_reference.csv", "provinces.csv", "README.md"):
        assert (reference_dir / name).is_file(), name
    ref = read(reference_dir / "zones_reference.csv")
    assert {"confidence", "note", "source_url"} <= set(ref.columns)


def test_refresh_rebuilds_zones_and_provinces_from_the_repository_alone(tmp_path):
    """`python -m cbec.pipeline.reference` with no argument reads data/sources/ and writes exactly
    the committed zones.csv and provinces.csv."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "cbec.pipeline.reference", "--out", str(tmp_path)],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    for name in ("zones.csv", "provinces.csv"):
        assert (tmp_path / name).read_bytes() == (paths.DATA / name).read_bytes(), name


def test_readme_refresh_steps_stay_inside_the_repository():
    import re

    readme = (paths.ROOT / "README.md").read_text("utf-8")
    block = re.search(r"## Refreshing the data\n+```bash\n(.+?)```", readme, re.S)
    assert block, "README.md has no refresh block"
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert not [c for c in commands if "../" in c or "shared/" in c]
    assert "python -m cbec.pipeline.reference" in commands  # no argument: data/sources/


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        ("zones_reference.csv", lambda t: t.replace("2018-07-24", "2018-07-32", 1), "not a date"),
        ("zones_reference.csv", lambda t: t.replace(",prefecture,", ",city-ish,", 1), "not one of"),
        ("zones_reference.csv", lambda t: t[: len(t) // 2], "cut short"),
        ("provinces.csv", lambda t: t.replace("110000", "11000x", 1), "not a six-digit code"),
        ("source_kinds.csv", lambda t: t.replace(",mention,", ",rumour,", 1), "not one of"),
    ],
)
def test_a_broken_source_stops_the_build_and_names_the_file(tmp_path, file, change, expected):
    """The build reads data/sources/ through schemas too: nothing is written, the first line
    names the file."""
    import shutil
    import subprocess
    import sys

    sources = tmp_path / "sources"
    shutil.copytree(paths.SOURCES, sources)
    (sources / file).write_text(change((sources / file).read_text("utf-8")), "utf-8")
    out = tmp_path / "out"
    out.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "cbec.pipeline.reference", str(sources), "--out", str(out)],
        cwd=paths.ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith(file) and list(out.iterdir()) == []
    assert expected in first, done.stderr
