"""Copy the sourced list into `data/`, adding a stable `zone_id` to every zone.

Run as `python -m cbec.pipeline.reference [SOURCES_DIR]`; the default is `data/sources/`, the
sourced list kept in this repository. The ids depend only on the reference rows (English name, admin
level, province), never on row order or the date of the run.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd

from cbec import checks, paths
from cbec.checks import PROVINCE_COLUMNS, ZONE_COLUMNS
from cbec.paths import write_csv_atomic
from cbec.schema import Col, CsvSchema, Problem, Report, check_csv, headline, read_csv
from cbec.vocab import ADMIN_LEVELS, CONFIDENCE, slugify

_SUFFIXES = (" New Area", " Prefecture", " City", " Island")

# The sourced list and what the build reads beside it: checked before anything is written, so a
# broken source stops the build with the file, line and field named, not a traceback.
REFERENCE = CsvSchema(
    "zones_reference.csv",
    (
        Col("batch", "int", lo=1, hi=99),
        Col("approved_date", "date"),
        Col("document_no"),
        Col("name_zh", max_len=60),
        Col("name_en", max_len=120),
        Col("province_zh"),
        Col("province_en"),
        Col("admin_level", choices=ADMIN_LEVELS),
        Col("confidence", choices=CONFIDENCE),
        Col("revoked_on", "date", required=False),
        Col("note", required=False),
        Col("note_zh", required=False),
        Col("source_url", required=False),
    ),
    min_rows=100,
)
SOURCE_KINDS = CsvSchema(
    "source_kinds.csv",
    (
        Col("url", unique=True),
        Col("kind", choices=("reply text", "government page", "full list", "mention")),
        Col("batch", "int", lo=1, hi=99),
        Col("about", required=False),
    ),
)
SOURCE_FILES = (REFERENCE, checks.PROVINCES, SOURCE_KINDS)


def source_problems(folder: Path) -> list[Problem]:
    """What is wrong with the sources in `folder`, the first broken file first."""
    report = Report()
    for schema in SOURCE_FILES:
        rows = read_csv(folder / schema.file, schema, report)
        if rows is not None:
            check_csv(schema, rows, report)
    return report.problems


def base_name(name_en: str, admin_level: str) -> str:
    """Short English name: no brackets, no "City", no ethnic titles."""
    name = re.sub(r"\s*\(.*?\)", "", name_en).strip()
    if admin_level == "autonomous prefecture":
        return name.split()[0]  # "Dehong Dai and Jingpo Autonomous Prefecture" -> "Dehong"
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name


def zone_ids(zones: pd.DataFrame) -> pd.Series:
    """One slug per zone; names shared by two zones (two Taizhous) get their province appended."""
    base = [
        slugify(base_name(n, lvl))
        for n, lvl in zip(zones["name_en"], zones["admin_level"], strict=True)
    ]
    counts = pd.Series(base).value_counts()
    ids = [
        f"{b}-{slugify(p)}" if counts[b] > 1 else b
        for b, p in zip(base, zones["province_en"], strict=True)
    ]
    return pd.Series(ids, index=zones.index, name="zone_id")


def build_zones(reference: pd.DataFrame) -> pd.DataFrame:
    zones = reference.rename(columns={"approved_date": "approved_on"}).copy()
    zones["zone_id"] = zone_ids(zones)
    return zones[ZONE_COLUMNS]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m cbec.pipeline.reference", description=__doc__.split("\n")[0]
    )
    ap.add_argument("sources", nargs="?", type=Path, default=paths.SOURCES)
    ap.add_argument("--out", type=Path, default=paths.DATA, help="folder to write the CSVs to")
    args = ap.parse_args(argv)
    problems = source_problems(args.sources)
    if problems:
        print(headline(problems), file=sys.stderr)
        for p in problems[1:20]:
            print(f"  {p}", file=sys.stderr)
        return 1
    reference = pd.read_csv(args.sources / "zones_reference.csv", dtype=str, keep_default_na=False)
    zones = build_zones(reference)
    if zones["zone_id"].duplicated().any():
        dupes = sorted(zones.loc[zones["zone_id"].duplicated(), "zone_id"])
        print(f"duplicate zone_id: {dupes}", file=sys.stderr)
        return 1
    provinces = pd.read_csv(args.sources / "provinces.csv", dtype=str, keep_default_na=False)
    zones_csv, provinces_csv = args.out / paths.ZONES_CSV.name, args.out / paths.PROVINCES_CSV.name
    write_csv_atomic(zones, zones_csv)
    write_csv_atomic(provinces[PROVINCE_COLUMNS], provinces_csv)
    print(f"wrote {len(zones)} zones to {zones_csv} and {len(provinces)} provinces")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
