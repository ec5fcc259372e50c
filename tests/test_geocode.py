"""The geocoding run against a local Nominatim look-alike (real geopy, real HTTP, real files)."""

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from geopy.location import Location

from cbec import paths
from cbec.pipeline.geocode import (
    COORD_COLUMNS,
    NominatimProvider,
    OfflineGazetteer,
    Politeness,
    network_answers,
    query_for,
    read_coordinates,
    run,
)
from support.nominatim_server import PLACES, FakeNominatim, answer, place

pytest.importorskip("shapely")
from cbec.pipeline.areas import Areas

FAST = Politeness(min_interval=0.0, timeout=2.0, attempts=3, backoff=0.05)


@pytest.fixture(scope="module")
def areas() -> Areas:
    return Areas.load()


@pytest.fixture(scope="module")
def all_zones() -> pd.DataFrame:
    return pd.read_csv(paths.ZONES_CSV, dtype=str, keep_default_na=False)


def pick(all_zones, *ids) -> pd.DataFrame:
    return all_zones.set_index("zone_id").loc[list(ids)].reset_index()


@pytest.fixture(scope="module")
def gazetteer() -> OfflineGazetteer:
    return OfflineGazetteer()


@pytest.fixture
def server():
    with FakeNominatim() as s:
        yield s


def provider(server, politeness=FAST) -> NominatimProvider:
    return NominatimProvider(domain=server.domain, scheme="http", politeness=politeness)


def test_normal_answer_is_checked_and_written(server, areas, all_zones, tmp_path):
    out = tmp_path / "coordinates.csv"
    report = run(pick(all_zones, "hangzhou", "ningbo"), provider(server), areas, out=out)
    assert report.added == ["hangzhou", "ningbo"] and report.failed == []
    rows = read_coordinates(out).set_index("zone_id")
    assert list(read_coordinates(out).columns) == COORD_COLUMNS
    assert rows.loc["hangzhou", ["lat", "lon"]].tolist() == [30.2741, 120.1551]
    assert rows.loc["hangzhou", "geocoder"] == "nominatim"
    assert rows.loc["hangzhou", "query"] == "杭州市, 浙江省, 中国"
    assert rows.loc["ningbo", "matched_name"] == "宁波市, 浙江省, 中国"
    req = server.requests[0]
    assert req["path"] == "/search"
    assert req["params"]["q"] == "杭州市, 浙江省, 中国"
    assert req["params"]["countrycodes"] == "cn"
    assert req["ua"].startswith("cbec-pilot-zone-map/")


def test_no_match_is_reported_and_nothing_written(server, areas, all_zones, tmp_path):
    out = tmp_path / "coordinates.csv"
    report = run(pick(all_zones, "lhasa"), provider(server), areas, out=out)
    assert report.added == []
    assert report.failed == ["lhasa: query '拉萨市, 西藏自治区, 中国': no match"]
    assert not out.exists()


def test_429_waits_for_retry_after(server, areas, all_zones, tmp_path):
    server.script = [FakeNominatim.status(429, {"Retry-After": "1"})]
    report = run(pick(all_zones, "hefei"), provider(server), areas, out=tmp_path / "c.csv")
    assert report.added == ["hefei"]
    assert len(server.requests) == 2
    assert server.requests[1]["t"] - server.requests[0]["t"] >= 1.0


def test_timeout_is_retried(server, areas, all_zones, tmp_path):
    server.script = [FakeNominatim.slow(1.5)]
    slow = Politeness(min_interval=0.0, timeout=0.5, attempts=3, backoff=0.05)
    report = run(pick(all_zones, "zhengzhou"), provider(server, slow), areas, out=tmp_path / "c")
    assert report.added == ["zhengzhou"]
    assert len(server.requests) == 2


def test_500_is_retried_then_given_up(server, areas, all_zones, tmp_path):
    server.script = [FakeNominatim.status(500)] * 2
    report = run(pick(all_zones, "nanjing"), provider(server), areas, out=tmp_path / "a.csv")
    assert report.added == ["nanjing"] and len(server.requests) == 3

    server.script = [FakeNominatim.status(500)] * 3
    report = run(pick(all_zones, "hefei"), provider(server), areas, out=tmp_path / "b.csv")
    assert report.added == []
    assert report.failed[0].startswith("hefei: query '合肥市, 安徽省, 中国': gave up after 3 tries")
    assert "server error" in report.failed[0]


def test_malformed_json_is_reported_and_the_run_goes_on(server, areas, all_zones, tmp_path):
    server.script = [FakeNominatim.status(200, {"Content-Type": "application/json"}, b"[{oops")]
    out = tmp_path / "coordinates.csv"
    report = run(pick(all_zones, "hangzhou", "ningbo"), provider(server), areas, out=out)
    assert report.added == ["ningbo"]
    assert report.failed[0].startswith("hangzhou: query '杭州市, 浙江省, 中国': malformed answer")
    assert read_coordinates(out)["zone_id"].tolist() == ["ningbo"]


def test_answer_outside_the_zone_is_rejected(server, areas, all_zones, tmp_path):
    # Nanjing's point offered for Hangzhou: in China, but in the wrong province.
    wrong = json.dumps([place(*PLACES["南京市"])]).encode()
    server.script = [FakeNominatim.status(200, {"Content-Type": "application/json"}, wrong)]
    report = run(pick(all_zones, "hangzhou"), provider(server), areas, out=tmp_path / "c.csv")
    assert report.added == []
    assert "(32.0603, 118.7969) is outside 浙江省" in report.failed[0]
    assert "南京市, 江苏省, 中国" in report.failed[0]


def test_one_request_a_second(server, areas, all_zones, tmp_path):
    polite = Politeness(min_interval=1.0, timeout=2.0, attempts=1)
    run(pick(all_zones, "hangzhou", "ningbo"), provider(server, polite), areas, out=tmp_path / "c")
    assert server.requests[1]["t"] - server.requests[0]["t"] >= 0.99


def test_interrupted_run_keeps_a_valid_file_and_resumes(server, all_zones, tmp_path):
    ids = ["hangzhou", "ningbo", "hefei", "zhengzhou"]
    zones_csv = tmp_path / "zones.csv"
    pick(all_zones, *ids).to_csv(zones_csv, index=False)
    out = tmp_path / "coordinates.csv"
    cmd = [
        sys.executable, "-m", "cbec.pipeline.geocode", "--provider", "nominatim",
        "--scheme", "http",
        "--domain", server.domain, "--min-interval", "0", "--zones", str(zones_csv),
        "--out", str(out),
    ]  # fmt: skip
    server.script = [answer, answer, server.hang()]
    proc = subprocess.Popen(cmd, cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while len(server.requests) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(server.requests) == 3
    os.kill(proc.pid, signal.SIGKILL)  # the worst case: no chance to clean up
    proc.wait(timeout=10)
    half = read_coordinates(out)
    assert half["zone_id"].tolist() == ["hangzhou", "ningbo"]
    assert half[["lat", "lon"]].notna().all().all()

    server.release.set()
    done = subprocess.run(cmd, cwd=paths.ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "2 geocoded, 2 already done, 0 failed" in done.stdout
    assert read_coordinates(out)["zone_id"].tolist() == ids
    asked = [r["params"]["q"].split(",")[0] for r in server.requests[3:]]
    assert asked == ["合肥市", "郑州市"]  # the resumed run did not ask again for the first two


def test_ctrl_c_says_how_to_resume(server, all_zones, tmp_path):
    zones_csv = tmp_path / "zones.csv"
    pick(all_zones, "hangzhou", "ningbo").to_csv(zones_csv, index=False)
    server.script = [answer, server.hang()]
    cmd = [
        sys.executable, "-m", "cbec.pipeline.geocode", "--provider", "nominatim",
        "--scheme", "http",
        "--domain", server.domain, "--min-interval", "0", "--zones", str(zones_csv),
        "--out", str(tmp_path / "c.csv"),
    ]  # fmt: skip
    # PYTHONFAULTHANDLER: if the run ever ignores the interrupt, SIGABRT below makes it print
    # where it was. The child gets SIGINT's default action whatever this process inherited: a
    # suite started as a background job of a non-interactive shell ignores SIGINT, its children
    # too, and Python then never raises KeyboardInterrupt (3 busy whole-suite runs failed so).
    env = os.environ | {"PYTHONFAULTHANDLER": "1"}
    proc = subprocess.Popen(
        cmd, cwd=paths.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.monotonic() + 120  # a hang guard, not a timing assert
    while len(server.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=60)  # 0.3-0.7 s on a busy machine
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)
        _, err = proc.communicate(timeout=30)
        pytest.fail("the run ignored Ctrl+C; where it was:\n" + err.decode(errors="replace"))
    assert proc.returncode == 130
    assert b"run again to resume" in err and b"Traceback" not in err


def test_offline_gazetteer_returns_geopy_locations(gazetteer):
    gaz = gazetteer
    hz = gaz.geocode("杭州市, 浙江省, 中国")
    assert isinstance(hz, Location)
    assert abs(hz.latitude - 30.29) < 0.1 and abs(hz.longitude - 120.16) < 0.1
    assert gaz.geocode("Hangzhou").raw["geonameid"] == hz.raw["geonameid"]
    assert gaz.geocode("不存在的地方市") is None
    taizhous = gaz.geocode("台州市", exactly_one=False)
    assert all(isinstance(loc, Location) for loc in taizhous)


def test_offline_run_picks_the_candidate_in_the_right_province(
    gazetteer, areas, all_zones, tmp_path
):
    # Two Taizhous (Zhejiang, Jiangsu) and two Yichuns (Jiangxi, Heilongjiang) in GeoNames.
    zones = pick(all_zones, "taizhou-zhejiang", "taizhou-jiangsu", "yichun")
    report = run(zones, gazetteer, areas, out=tmp_path / "c.csv")
    assert report.failed == []
    got = read_coordinates(tmp_path / "c.csv").set_index("zone_id")
    assert 28 < got.loc["taizhou-zhejiang", "lat"] < 29.5
    assert 32 < got.loc["taizhou-jiangsu", "lat"] < 33
    assert 27 < got.loc["yichun", "lat"] < 28.5


def test_fallback_gives_a_flagged_point_inside_the_area(gazetteer, areas, all_zones, tmp_path):
    out = tmp_path / "c.csv"
    report = run(pick(all_zones, "tongjiang"), gazetteer, areas, out=out, fallback=True)
    assert report.approximate == ["tongjiang"] and len(report.failed) == 1
    row = read_coordinates(out).iloc[0]
    assert row["precision"] == "area" and row["geocoder"] == "fallback:area-point"
    assert areas.problem("tongjiang", "黑龙江省", row["lat"], row["lon"]) is None


def test_seats_stand_in_for_areas(all_zones):
    dehong = pick(all_zones, "dehong").iloc[0]
    assert query_for(dehong) == "芒市, 云南省, 中国"
    assert (
        query_for({"zone_id": "beijing", "name_zh": "北京市", "province_zh": "北京市"})
        == "北京市, 中国"
    )


def test_auto_provider_sees_no_network_on_a_closed_port():
    assert network_answers("127.0.0.1", 9) is False


def test_providers_are_tried_in_order_seat_table_first(gazetteer, areas, all_zones, tmp_path):
    """The seat table answers by code; a zone it cannot place goes to GeoNames by name."""
    from cbec.geocoders import SeatTable

    full = SeatTable()
    # A real table file without Hangzhou's row: Hangzhou must come from GeoNames.
    lines = _cpca_table().read_text("utf-8").splitlines()
    partial = tmp_path / "adcodes.csv"
    partial.write_text("\n".join(x for x in lines if not x.startswith("330100")) + "\n", "utf-8")
    table = SeatTable(str(partial))
    assert table.geocode("330100") is None and full.geocode("330100") is not None

    out = tmp_path / "c.csv"
    zones = pick(all_zones, "hangzhou", "tongjiang")
    report = run(zones, [table, gazetteer], areas, out=out, table=full, crosscheck=gazetteer)
    assert report.failed == [] and report.added == ["hangzhou", "tongjiang"]
    rows = read_coordinates(out).set_index("zone_id")
    assert rows.loc["hangzhou", "geocoder"].startswith("offline:geonames")
    assert rows.loc["hangzhou", "query"] == "杭州市, 浙江省, 中国"
    assert rows.loc["hangzhou", "geonames_km"] == "0.0"  # its own answer
    assert rows.loc["tongjiang", "geocoder"] == table.name
    assert rows.loc["tongjiang", "query"] == "230881"
    assert rows.loc["tongjiang", "precision"] == "seat"
    assert rows.loc["tongjiang", "geonames_km"] == ""  # GeoNames has no Tongjiang
    assert rows["division_code"].tolist() == ["330100", "230881"]


def test_query_for_a_provider_by_code(all_zones):
    from cbec.geocoders import SeatTable

    table = SeatTable()
    assert query_for(pick(all_zones, "dehong").iloc[0], table) == "533100"  # the prefecture
    assert query_for(pick(all_zones, "hainan").iloc[0], table) == "460100"  # Haikou
    assert query_for(pick(all_zones, "xiongan").iloc[0], table) == "130629"  # Rongcheng


def _cpca_table():
    from importlib.metadata import distribution
    from pathlib import Path

    return Path(str(distribution("cpca").locate_file("cpca/resources/adcodes.csv")))
