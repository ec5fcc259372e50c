"""Tests that would catch a wrong fact in data/: counts, batches, regions, points, ids."""

import datetime as dt

import pandas as pd
import pytest

from cbec import data
from cbec.build.reference import build_zones
from cbec.data import load

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


@pytest.fixture(scope="module")
def zones() -> pd.DataFrame:
    return load(data.DATA, when=dt.date(2026, 11, 26)).zones


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
    assert sorted(no_source["name_zh"]) == sorted(
        ["焦作市", "许昌市", "柳州市", "铜仁市", "大理白族自治州", "伊犁哈萨克自治州"]
    )


def test_withdrawals_of_2025(zones):
    withdrawn = zones[zones["revoked_on"].notna()]
    assert sorted(withdrawn["zone_id"]) == ["alashankou", "haikou", "sanya"]
    assert set(withdrawn["status"]) == {"withdrawn"}
    before = load(data.DATA, when=dt.date(2025, 4, 24)).zones
    assert before.set_index("zone_id").loc[["haikou", "sanya"], "status"].tolist() == [
        "active",
        "active",
    ]
    assert (before["status"] == "active").sum() == 165  # batch 8 not yet approved
    assert (zones["status"] == "active").sum() == 181 - 3


def test_zones_csv_is_the_reference_list(reference_dir):
    ref = read(reference_dir / "zones_reference.csv")
    ours = read(data.ZONES_CSV)
    assert len(ours) == len(ref) == 181
    for col in ["batch", "name_zh", "name_en", "province_zh", "document_no", "confidence"]:
        assert ours[col].tolist() == ref[col].tolist(), col
    assert ours["approved_on"].tolist() == ref["approved_date"].tolist()
    assert ours["source_url"].tolist() == ref["source_url"].tolist()
    assert ours["revoked_on"].tolist() == ref["revoked_on"].tolist()


def test_zone_ids_are_stable_across_runs(reference_dir):
    ref = read(reference_dir / "zones_reference.csv")
    committed = read(data.ZONES_CSV).set_index("name_zh")["zone_id"]
    first = build_zones(ref).set_index("name_zh")["zone_id"]
    shuffled = build_zones(ref.sample(frac=1, random_state=7)).set_index("name_zh")["zone_id"]
    assert first.equals(committed)
    assert shuffled.reindex(first.index).equals(first)
    assert first["泰州市"] == "taizhou-jiangsu" and first["台州市"] == "taizhou-zhejiang"
    assert first["西安市"] == "xian"


def test_every_point_lies_in_its_administrative_area(zones):
    pytest.importorskip("shapely")
    from cbec.build.areas import Areas

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
    assert reference_dir == data.DATA / "sources"
    assert data.ROOT in reference_dir.parents
    for name in ("zones_reference.csv", "provinces.csv", "README.md"):
        assert (reference_dir / name).is_file(), name
    ref = read(reference_dir / "zones_reference.csv")
    assert {"confidence", "note", "source_url"} <= set(ref.columns)


def test_refresh_rebuilds_zones_and_provinces_from_the_repository_alone(tmp_path):
    """`python -m cbec.build.reference` with no argument reads data/sources/ and writes exactly
    the committed zones.csv and provinces.csv."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "cbec.build.reference", "--out", str(tmp_path)],
        cwd=data.ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    for name in ("zones.csv", "provinces.csv"):
        assert (tmp_path / name).read_bytes() == (data.DATA / name).read_bytes(), name


def test_readme_refresh_steps_stay_inside_the_repository():
    import re

    readme = (data.ROOT / "README.md").read_text("utf-8")
    block = re.search(r"## Refreshing the data\n+```bash\n(.+?)```", readme, re.S)
    assert block, "README.md has no refresh block"
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert not [c for c in commands if "../" in c or "shared/" in c]
    assert "python -m cbec.build.reference" in commands  # no argument: data/sources/
