"""Broken data files: every file the app reads has a schema; each way of breaking it gets one
specific message whose first line names the file; the command exits 1; every page shows an error
block, never an exception, never a map drawn from bad data."""

import io
import json
import subprocess
import sys
from collections.abc import Callable
from contextlib import redirect_stderr
from pathlib import Path

import pandas as pd
import pytest

from cbec import checks, data, paths
from cbec.pipeline import validate as validate_command
from cbec.schema import DataError, headline
from support.apptest import open_app

from .conftest import read, write

PAGES = ["pages/regional_priorities.py", "pages/nearest_zone.py", "pages/data_and_sources.py"]


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(DataError) as info:
        data.load(folder)
    return [str(p) for p in info.value.problems]


# --- ways to break a file -----------------------------------------------------------------------


def edit(name: str, change: Callable[[pd.DataFrame], pd.DataFrame | None]):
    def apply(folder: Path) -> None:
        df = read(folder / name)
        out = change(df)
        write(df if out is None else out, folder / name)

    return apply


def set_cell(name: str, row: int, col: str, value: str):
    def change(df):
        df.loc[row, col] = value

    return edit(name, change)


def raw(name: str, text: str | bytes):
    def apply(folder: Path) -> None:
        (folder / name).write_bytes(text.encode("utf-8") if isinstance(text, str) else text)

    return apply


def header_only(name: str):
    def apply(folder: Path) -> None:
        first = (folder / name).read_text("utf-8").splitlines()[0]
        (folder / name).write_text(first + "\n", "utf-8")

    return apply


def cut(name: str, fraction: float = 0.5):
    """The file cut short in the middle of a row, as an interrupted copy leaves it."""

    def apply(folder: Path) -> None:
        text = (folder / name).read_text("utf-8")
        at = int(len(text) * fraction)
        while text[at - 1] in ",\n":  # end inside a field, not at a boundary
            at += 1
        (folder / name).write_text(text[:at], "utf-8")

    return apply


def encoded(name: str, encoding: str):
    def apply(folder: Path) -> None:
        text = (folder / name).read_text("utf-8")
        (folder / name).write_bytes(text.encode(encoding))

    return apply


def geo(name: str, change: Callable[[dict], object]):
    """Change the parsed document in place (what `change` returns is ignored)."""

    def apply(folder: Path) -> None:
        doc = json.loads((folder / name).read_text("utf-8"))
        change(doc)
        (folder / name).write_text(json.dumps(doc), "utf-8")

    return apply


def first_ring(doc):
    return doc["features"][0]["geometry"]["coordinates"][0][0]


def _set(obj, key, value):
    obj[key] = value


# (how it is broken, the file the first line must name, what that line must say)
CASES: dict[str, tuple[Callable, str, str]] = {
    # zones.csv
    "zones: header only": (header_only("zones.csv"), "zones.csv", "no data rows (header only)"),
    "zones: a note without its Chinese": (
        set_cell("zones.csv", 0, "note", "A caveat in English only"),
        "zones.csv",
        "a note needs its Chinese (note_zh)",
    ),
    "zones: cut mid-row": (cut("zones.csv"), "zones.csv", "the file was cut short"),
    "zones: duplicate id": (
        set_cell("zones.csv", 5, "zone_id", "hangzhou"),
        "zones.csv",
        "duplicate zone_id 'hangzhou'",
    ),
    "zones: UTF-16": (encoded("zones.csv", "utf-16"), "zones.csv", "not UTF-8 text"),
    "zones: GBK": (encoded("zones.csv", "gbk"), "zones.csv", "not UTF-8 text"),
    "zones: NaN batch": (
        set_cell("zones.csv", 1, "batch", "nan"),
        "zones.csv",
        "'nan' is not a whole number",
    ),
    "zones: missing column": (
        edit("zones.csv", lambda df: df.drop(columns=["document_no"])),
        "zones.csv",
        "missing column(s): document_no",
    ),
    "zones: unknown province": (
        set_cell("zones.csv", 3, "province_en", "Atlantis"),
        "zones.csv",
        "unknown province_en 'Atlantis'",
    ),
    # batches.csv
    "batches: header only": (header_only("batches.csv"), "batches.csv", "no data rows"),
    "batches: cut mid-row": (cut("batches.csv", 0.4), "batches.csv", "cut short"),
    "batches: duplicate batch": (
        set_cell("batches.csv", 1, "batch", "1"),
        "batches.csv",
        "duplicate batch '1'",
    ),
    "batches: UTF-16": (encoded("batches.csv", "utf-16"), "batches.csv", "not UTF-8 text"),
    "batches: bad date": (
        set_cell("batches.csv", 0, "approved_on", "2015-02-30"),
        "batches.csv",
        "'2015-02-30' is not a date",
    ),
    "batches: full-width count": (
        set_cell("batches.csv", 0, "count", "１"),
        "batches.csv",
        "'１' is not a whole number",
    ),
    # provinces.csv
    "provinces: header only": (header_only("provinces.csv"), "provinces.csv", "no data rows"),
    "provinces: cut mid-row": (cut("provinces.csv"), "provinces.csv", "cut short"),
    "provinces: duplicate code": (
        set_cell("provinces.csv", 1, "adcode", "110000"),
        "provinces.csv",
        "duplicate adcode '110000'",
    ),
    "provinces: GBK": (encoded("provinces.csv", "gbk"), "provinces.csv", "not UTF-8 text"),
    "provinces: unknown region": (
        set_cell("provinces.csv", 0, "region_en", "Middle"),
        "provinces.csv",
        "'Middle' is not one of East",
    ),
    "provinces: empty file": (raw("provinces.csv", ""), "provinces.csv", "the file is empty"),
    # coordinates.csv
    "coordinates: header only": (header_only("coordinates.csv"), "coordinates.csv", "no data rows"),
    "coordinates: cut mid-row": (cut("coordinates.csv"), "coordinates.csv", "cut short"),
    "coordinates: NaN latitude": (
        set_cell("coordinates.csv", 0, "lat", "NaN"),
        "coordinates.csv",
        "'NaN' is not a number",
    ),
    "coordinates: outside China": (
        set_cell("coordinates.csv", 0, "lat", "-33.9"),
        "coordinates.csv",
        "-33.9 is outside 18.0..53.6",
    ),
    "coordinates: duplicate zone": (
        set_cell("coordinates.csv", 1, "zone_id", "hangzhou"),
        "coordinates.csv",
        "duplicate zone_id 'hangzhou'",
    ),
    "coordinates: UTF-16": (encoded("coordinates.csv", "utf-16"), "coordinates.csv", "not UTF-8"),
    "coordinates: missing point": (
        edit("coordinates.csv", lambda df: df[df["zone_id"] != "lhasa"]),
        "coordinates.csv",
        "no point for zone 'lhasa'",
    ),
    # prefectures.csv
    "prefectures: header only": (
        header_only("prefectures.csv"),
        "prefectures.csv",
        "no data rows (header only); expected at least 300",
    ),
    "prefectures: cut mid-row": (cut("prefectures.csv"), "prefectures.csv", "cut short"),
    "prefectures: NaN coordinates": (
        set_cell("prefectures.csv", 4, "lon", "nan"),
        "prefectures.csv",
        "'nan' is not a number",
    ),
    "prefectures: no adcode column": (
        edit("prefectures.csv", lambda df: df.drop(columns=["adcode"])),
        "prefectures.csv",
        "missing column(s): adcode",
    ),
    "prefectures: duplicate adcode": (
        set_cell("prefectures.csv", 2, "adcode", "110000"),
        "prefectures.csv",
        "duplicate adcode '110000'",
    ),
    "prefectures: UTF-16": (encoded("prefectures.csv", "utf-16"), "prefectures.csv", "not UTF-8"),
    # places.csv
    "places: header only": (header_only("places.csv"), "places.csv", "no data rows"),
    "places: cut mid-row": (cut("places.csv"), "places.csv", "cut short"),
    "places: a row short of fields": (
        raw(
            "places.csv",
            "geonameid,name_en,name_zh,pinyin,province_en,lat,lon,population\n1,A,,,Beijing,39.9\n",
        ),
        "places.csv",
        "6 fields where the header has 8",
    ),
    "places: inf latitude": (
        set_cell("places.csv", 3, "lat", "inf"),
        "places.csv",
        "'inf' is not a number",
    ),
    "places: population not a number": (
        set_cell("places.csv", 3, "population", "many"),
        "places.csv",
        "'many' is not a whole number",
    ),
    "places: UTF-16": (encoded("places.csv", "utf-16"), "places.csv", "not UTF-8 text"),
    "places: duplicate id": (
        set_cell("places.csv", 1, "geonameid", "1796236"),
        "places.csv",
        "duplicate geonameid",
    ),
    # provinces_coarse.geojson
    "coarse: truncated": (
        cut("provinces_coarse.geojson", 0.7),
        "provinces_coarse.geojson",
        "not valid JSON",
    ),
    "coarse: a list": (
        raw("provinces_coarse.geojson", "[]"),
        "provinces_coarse.geojson",
        "not a GeoJSON FeatureCollection",
    ),
    "coarse: a point": (
        geo(
            "provinces_coarse.geojson",
            lambda d: _set(
                d["features"][0], "geometry", {"type": "Point", "coordinates": [116, 40]}
            ),
        ),
        "provinces_coarse.geojson",
        "geometry is 'Point'",
    ),
    "coarse: NaN vertex": (
        geo("provinces_coarse.geojson", lambda d: first_ring(d)[1].__setitem__(0, float("nan"))),
        "provinces_coarse.geojson",
        "not finite",
    ),
    "coarse: no adcode": (
        geo("provinces_coarse.geojson", lambda d: d["features"][3]["properties"].pop("adcode")),
        "provinces_coarse.geojson",
        "property 'adcode'",
    ),
    "coarse: no features": (
        geo("provinces_coarse.geojson", lambda d: _set(d, "features", [])),
        "provinces_coarse.geojson",
        "expected at least 31 features",
    ),
    "coarse: a province missing": (
        geo("provinces_coarse.geojson", lambda d: d["features"].pop(5)),
        "provinces_coarse.geojson",
        "no feature for",
    ),
    # zone_areas.geojson
    "areas: truncated": (cut("zone_areas.geojson", 0.3), "zone_areas.geojson", "not valid JSON"),
    "areas: unknown zone": (
        geo(
            "zone_areas.geojson",
            lambda d: d["features"][0]["properties"].__setitem__("zone_id", "atlantis"),
        ),
        "zone_areas.geojson",
        "not in zones.csv: atlantis",
    ),
    "areas: open ring": (
        geo("zone_areas.geojson", lambda d: first_ring(d).pop()),
        "zone_areas.geojson",
        "not closed",
    ),
    "areas: outside China": (
        geo("zone_areas.geojson", lambda d: first_ring(d)[2].__setitem__(1, -40.0)),
        "zone_areas.geojson",
        "outside China",
    ),
    "areas: features not a list": (
        geo("zone_areas.geojson", lambda d: _set(d, "features", {})),
        "zone_areas.geojson",
        "expected at least 1 features",
    ),
    "areas: a string vertex": (
        geo("zone_areas.geojson", lambda d: first_ring(d).__setitem__(1, ["116", "40"])),
        "zone_areas.geojson",
        "not [lon, lat]",
    ),
}


def _feature(kind: str):
    return lambda d: next(f for f in d["features"] if f["properties"]["kind"] == kind)


# The two files the browser fetches from static/ (the province outlines and the South China Sea
# inset): checked with the data, broken in a copy the check is pointed at.
STATIC_CASES: dict[str, tuple[Callable, str, str]] = {
    "outlines: not JSON": (raw("china_provinces.geojson", "{"), "china_provinces.geojson",
                           "not valid JSON"),
    "outlines: a province missing": (
        geo("china_provinces.geojson", lambda d: d["features"].pop(3)),
        "china_provinces.geojson", "no feature for",
    ),
    "outlines: an open ring": (
        geo("china_provinces.geojson", lambda d: first_ring(d).pop()),
        "china_provinces.geojson", "not closed",
    ),
    "outlines: a point in the Atlantic": (
        geo("china_provinces.geojson", lambda d: first_ring(d).__setitem__(1, [-30.0, 40.0])),
        "china_provinces.geojson", "outside China",
    ),
    "outlines: no name": (
        geo("china_provinces.geojson", lambda d: d["features"][0]["properties"].pop("name_zh")),
        "china_provinces.geojson", "'name_zh' is missing",
    ),
    "inset: not JSON": (raw("south_china_sea.geojson", b"\x00\xff"), "south_china_sea.geojson",
                        "not UTF-8 text"),
    "inset: an unknown kind": (
        geo("south_china_sea.geojson", lambda d: _feature("line")(d)["properties"].update(
            kind="<img src=x>")),
        "south_china_sea.geojson", "is not one of frame, islands, line",
    ),
    "inset: a point geometry": (
        geo("south_china_sea.geojson", lambda d: _feature("line")(d).update(
            geometry={"type": "Point", "coordinates": [112, 10]})),
        "south_china_sea.geojson", "expected Polygon or MultiPolygon or MultiLineString",
    ),
    "inset: a one-point line": (
        geo("south_china_sea.geojson", lambda d: _feature("line")(d)["geometry"].update(
            coordinates=[[[112.0, 10.0]]])),
        "south_china_sea.geojson", "a line with fewer than 2 positions",
    ),
    "inset: a line vertex of text": (
        geo("south_china_sea.geojson", lambda d: _feature("line")(d)["geometry"]["coordinates"][0]
            .__setitem__(0, ["112", "10"])),
        "south_china_sea.geojson", "not [lon, lat]",
    ),
}  # fmt: skip


@pytest.fixture
def static_copy(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "static"
    folder.mkdir()
    for path in (paths.PROVINCE_OUTLINES, paths.SCS_INSET):
        (folder / path.name).write_bytes(path.read_bytes())
        monkeypatch.setattr(paths, {"china_provinces.geojson": "PROVINCE_OUTLINES",
                                   "south_china_sea.geojson": "SCS_INSET"}[path.name],
                            folder / path.name)  # fmt: skip
    return folder


def test_the_static_files_are_checked_with_the_data(static_copy):
    assert checks.check().problems == []  # the copies as shipped pass
    files = [file for _, file, _ in STATIC_CASES.values()]
    assert min(files.count(f) for f in ("china_provinces.geojson", "south_china_sea.geojson")) >= 5


@pytest.mark.parametrize("case", STATIC_CASES, ids=list(STATIC_CASES))
def test_a_broken_static_file_is_named_first(static_copy, case):
    breaker, file, expected = STATIC_CASES[case]
    breaker(static_copy)
    found = [str(p) for p in checks.check().problems]
    assert found and found[0].startswith(file), found[:3]
    assert any(expected in p for p in found), found[:5]


def test_the_validate_command_finds_a_self_intersecting_polygon(data_copy):
    """What the app's own checks cannot see (they need no shapely): a bow-tie ring."""
    areas = json.loads((data_copy / "zone_areas.geojson").read_text("utf-8"))
    bow_tie = [[[[120.0, 30.0], [121.0, 31.0], [121.0, 30.0], [120.0, 31.0], [120.0, 30.0]]]]
    areas["features"][0]["geometry"] = {"type": "MultiPolygon", "coordinates": bow_tie}
    (data_copy / "zone_areas.geojson").write_text(json.dumps(areas), "utf-8")
    problems = validate_command.geometry_problems(data_copy)
    assert len(problems) == 1 and "Self-intersection" in problems[0]
    assert problems[0].startswith("zone_areas.geojson: 'hangzhou'")
    err = io.StringIO()
    with redirect_stderr(err):
        assert validate_command.main([str(data_copy)]) == 1
    assert "Self-intersection" in err.getvalue()


def test_every_data_file_is_broken_five_ways_at_least():
    files = [file for _, file, _ in CASES.values()]
    shipped = [s.file for s in (*checks.CSV_FILES, *checks.GEO_FILES)]
    assert sorted(set(files)) == sorted(shipped)
    assert min(files.count(f) for f in shipped) >= 5


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_broken_file_is_named_first_and_the_command_fails(data_copy, case):
    breaker, file, expected = CASES[case]
    breaker(data_copy)
    found = problems_of(data_copy)
    assert found[0].startswith(file), found[:3]
    assert any(expected in p for p in found if p.startswith(file)), found[:5]
    assert len(found) <= 60  # never hundreds of lines about a file that is not the broken one
    err = io.StringIO()
    with redirect_stderr(err):
        assert validate_command.main([str(data_copy)]) == 1
    first = err.getvalue().splitlines()[0]
    assert first.startswith(file) and "Traceback" not in err.getvalue()


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_every_page_shows_an_error_block_and_no_map(data_copy, monkeypatch, case):
    CASES[case][0](data_copy)
    monkeypatch.setenv("CBEC_DATA_DIR", str(data_copy))
    at = open_app({"lang": "en"})
    for page in [None, *PAGES]:
        if page:
            at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert len(at.error) == 1 and at.error[0].value.startswith("The data files have a problem")
        assert CASES[case][1] in at.error[0].value.replace("\\", "")
        assert at.get("deck_gl_json_chart") == [] and not at.dataframe


def test_committed_data_is_valid():
    report = checks.check(paths.DATA)
    assert report.problems == []


def test_every_problem_is_reported_at_once(data_copy):
    set_cell("zones.csv", 0, "batch", "9")(data_copy)
    set_cell("coordinates.csv", 3, "lat", "95")(data_copy)
    found = problems_of(data_copy)
    assert any("unknown batch '9'" in p for p in found)
    assert any("coordinates.csv, line 5" in p for p in found)
    assert headline(DataError([]).problems) == "no problems"


@pytest.mark.parametrize(
    "breaker, expected",
    [
        (
            set_cell("zones.csv", 0, "zone_id", "Hang Zhou"),
            "zones.csv, line 2, field 'zone_id': 'Hang Zhou' is not a lowercase ASCII slug",
        ),
        (
            set_cell("zones.csv", 0, "province_zh", "江苏省"),
            "zones.csv, line 2, field 'province_zh': '江苏省' does not match 'Zhejiang'",
        ),
        (
            set_cell("zones.csv", 0, "revoked_on", "2014-01-01"),
            "zones.csv, line 2, field 'revoked_on': 2014-01-01 is before approved_on",
        ),
        (
            set_cell("batches.csv", 2, "count", "23"),
            "zones.csv, field 'batch': batch 3 has 22 zones, batches.csv says 23",
        ),
        (
            set_cell("zones.csv", 0, "source_url", ""),
            "zones.csv, line 2, field 'source_url': is empty: only an 'unverified' row may lack",
        ),
        (
            set_cell("zones.csv", 0, "document_no", "国函〔2015〕45号"),
            "zones.csv, line 2, field 'document_no': '国函〔2015〕45号' differs from batch 1",
        ),
        (
            set_cell("coordinates.csv", 0, "zone_id", "atlantis"),
            "coordinates.csv, line 2, field 'zone_id': unknown zone_id 'atlantis'",
        ),
        (lambda d: (d / "batches.csv").unlink(), "batches.csv: file not found"),
        (
            edit("coordinates.csv", lambda df: df.assign(alt="0")),
            "coordinates.csv, line 1: unexpected column(s): alt",
        ),
    ],
)
def test_rules_across_fields_and_files(data_copy, breaker, expected):
    breaker(data_copy)
    assert any(p.startswith(expected) for p in problems_of(data_copy))


def test_one_broken_file_gives_one_clear_line_not_hundreds(data_copy):
    """An empty provinces.csv used to produce 181 lines about zones.csv."""
    header_only("provinces.csv")(data_copy)
    found = problems_of(data_copy)
    assert found[0].startswith("provinces.csv: no data rows")
    assert not any(p.startswith("zones.csv") for p in found)


def test_validate_command_prints_ok_or_the_problems(data_copy):
    set_cell("zones.csv", 0, "approved_on", "yesterday")(data_copy)
    bad = subprocess.run(
        [sys.executable, "-m", "cbec.pipeline.validate", str(data_copy)],
        capture_output=True,
        text=True,
        cwd=paths.ROOT,
    )
    assert bad.returncode == 1
    assert bad.stderr.splitlines()[0].startswith("zones.csv, line 2, field 'approved_on'")
    assert "Traceback" not in bad.stderr
    good = subprocess.run(
        [sys.executable, "-m", "cbec.pipeline.validate"],
        capture_output=True,
        text=True,
        cwd=paths.ROOT,
    )
    assert good.returncode == 0, good.stderr
    assert good.stdout.startswith("ok: 181 zones in 8 batches, 31 of 31 provinces")


def test_the_dataset_is_loaded_once_per_process_and_data_version(data_copy, monkeypatch):
    """Kept where Streamlit's "clear cache" message cannot reach: the same object every time,
    a new one only when a file changes (looked at every RECHECK_S seconds; here, every time)."""
    monkeypatch.setattr(data, "RECHECK_S", 0.0)
    first = data.dataset(data_copy)
    assert data.dataset(data_copy) is first
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    assert data.dataset(data_copy) is first
    set_cell("zones.csv", 0, "note", "changed")(data_copy)
    set_cell("zones.csv", 0, "note_zh", "已改")(data_copy)
    assert data.dataset(data_copy) is not first
