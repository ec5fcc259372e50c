"""Malformed data files: each gets one specific message naming file, line and field."""

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from cbec import data
from cbec.data import DataError, load, read_tables, validate

from .conftest import read, write


def problems_of(data_dir: Path) -> list[str]:
    with pytest.raises(DataError) as info:
        load(data_dir)
    return [str(p) for p in info.value.problems]


def edit(name: str, change: Callable[[pd.DataFrame], pd.DataFrame | None]):
    def apply(data_dir: Path) -> None:
        df = read(data_dir / name)
        out = change(df)
        write(df if out is None else out, data_dir / name)

    return apply


def set_cell(name: str, row: int, col: str, value: str):
    def change(df):
        df.loc[row, col] = value

    return edit(name, change)


def raw(name: str, text: str):
    def apply(data_dir: Path) -> None:
        (data_dir / name).write_bytes(text.encode("utf-8") if isinstance(text, str) else text)

    return apply


CASES = {
    "missing file": (
        lambda d: (d / "batches.csv").unlink(),
        "batches.csv: file not found",
    ),
    "missing column": (
        edit("zones.csv", lambda df: df.drop(columns=["document_no"])),
        "zones.csv, line 1: missing column(s): document_no",
    ),
    "extra column": (
        edit("coordinates.csv", lambda df: df.assign(alt="0")),
        "coordinates.csv, line 1: unexpected column(s): alt",
    ),
    "not UTF-8": (
        raw("provinces.csv", b"adcode,province_en\n110000,\xff\xfe\n"),
        "provinces.csv: not a readable UTF-8 CSV file",
    ),
    "empty file": (
        raw("coordinates.csv", ""),
        "coordinates.csv: not a readable UTF-8 CSV file",
    ),
    "duplicate zone_id": (
        set_cell("zones.csv", 5, "zone_id", "hangzhou"),
        "zones.csv, line 7, field 'zone_id': duplicate zone_id 'hangzhou'",
    ),
    "zone_id not a slug": (
        set_cell("zones.csv", 0, "zone_id", "Hang Zhou"),
        "zones.csv, line 2, field 'zone_id': 'Hang Zhou' is not a lowercase ASCII slug",
    ),
    "unknown province": (
        set_cell("zones.csv", 3, "province_en", "Atlantis"),
        "zones.csv, line 5, field 'province_en': unknown province 'Atlantis'",
    ),
    "province names disagree": (
        set_cell("zones.csv", 0, "province_zh", "江苏省"),
        "zones.csv, line 2, field 'province_zh': '江苏省' does not match 'Zhejiang'",
    ),
    "unknown batch": (
        set_cell("zones.csv", 1, "batch", "9"),
        "zones.csv, line 3, field 'batch': unknown batch '9' (not in batches.csv)",
    ),
    "bad date": (
        set_cell("zones.csv", 0, "approved_on", "2015-02-30"),
        "zones.csv, line 2, field 'approved_on': '2015-02-30' is not a date (YYYY-MM-DD)",
    ),
    "revoked before approved": (
        set_cell("zones.csv", 0, "revoked_on", "2014-01-01"),
        "zones.csv, line 2, field 'revoked_on': 2014-01-01 is before approved_on 2015-03-12",
    ),
    "batch count differs": (
        set_cell("batches.csv", 2, "count", "23"),
        "zones.csv, field 'batch': batch 3 has 22 zones, batches.csv says 23",
    ),
    "missing coordinates": (
        edit("coordinates.csv", lambda df: df[df["zone_id"] != "lhasa"]),
        "coordinates.csv, field 'zone_id': no point for zone 'lhasa'",
    ),
    "coordinates outside China": (
        set_cell("coordinates.csv", 0, "lat", "-33.9"),
        "coordinates.csv, line 2, field 'lat/lon': (-33.9, 120.20524) is outside China",
    ),
    "coordinates not numbers": (
        set_cell("coordinates.csv", 0, "lon", "east"),
        "coordinates.csv, line 2, field 'lat/lon': ('30.24934', 'east') is not a pair of numbers",
    ),
    "point for an unknown zone": (
        set_cell("coordinates.csv", 0, "zone_id", "atlantis"),
        "coordinates.csv, line 2, field 'zone_id': 'atlantis' is not a zone in zones.csv",
    ),
    "source missing on a verified row": (
        set_cell("zones.csv", 0, "source_url", ""),
        "zones.csv, line 2, field 'source_url': is empty: only an 'unverified' row may lack",
    ),
    "unknown region": (
        set_cell("provinces.csv", 0, "region_en", "Middle"),
        "provinces.csv, line 2, field 'region_en': unknown region 'Middle'",
    ),
    "document differs from its batch": (
        set_cell("zones.csv", 0, "document_no", "国函〔2015〕45号"),
        "zones.csv, line 2, field 'document_no': '国函〔2015〕45号' differs from batch 1",
    ),
    "unparseable CSV": (
        raw("batches.csv", 'batch,approved_on\n1,"2015-03-07\n'),
        "batches.csv: not a readable UTF-8 CSV file",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_malformed_file_gets_a_specific_message(data_copy, case):
    breaker, expected = CASES[case]
    breaker(data_copy)
    found = problems_of(data_copy)
    assert any(p.startswith(expected) for p in found), found


def test_committed_data_is_valid():
    tables, problems = read_tables(data.DATA)
    assert problems == []
    assert validate(tables) == []


def test_every_problem_is_reported_at_once(data_copy):
    set_cell("zones.csv", 0, "batch", "9")(data_copy)
    set_cell("coordinates.csv", 3, "lat", "95")(data_copy)
    found = problems_of(data_copy)
    assert any("unknown batch '9'" in p for p in found)
    assert any("coordinates.csv, line 5" in p for p in found)


def test_validate_command_prints_problems_and_fails(data_copy):
    set_cell("zones.csv", 0, "approved_on", "yesterday")(data_copy)
    bad = subprocess.run(
        [sys.executable, "-m", "cbec.build.validate", str(data_copy)],
        capture_output=True,
        text=True,
        cwd=data.ROOT,
    )
    assert bad.returncode == 1
    assert "zones.csv, line 2, field 'approved_on': 'yesterday' is not a date" in bad.stderr
    assert "Traceback" not in bad.stderr
    good = subprocess.run(
        [sys.executable, "-m", "cbec.build.validate"], capture_output=True, text=True, cwd=data.ROOT
    )
    assert good.returncode == 0, good.stderr
    assert good.stdout.startswith("ok: 181 zones in 8 batches, 31 of 31 provinces")
