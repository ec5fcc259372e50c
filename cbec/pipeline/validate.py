"""`python -m cbec.pipeline.validate [DATA_DIR]`: check every data file; print "ok: ..." or the
problems (the first line names the first broken file); exit 1 if there is any."""

from __future__ import annotations

import sys
from pathlib import Path

from cbec import checks, data, paths
from cbec.schema import DataError, headline


def geometry_problems(folder: Path) -> list[str]:
    """Self-intersecting or empty polygons, which the app's own checks (structure, closed rings,
    coordinates in China) cannot see; needs shapely, a build-time package."""
    import json

    import shapely
    from shapely.geometry import shape

    out = []
    for path in (folder / checks.PROVINCE_SHAPES.file, folder / checks.ZONE_SHAPES.file):
        with open(path, encoding="utf-8") as fh:
            for f in json.load(fh)["features"]:
                g = shape(f["geometry"])
                if g.is_empty or not shapely.is_valid(g):
                    why = shapely.is_valid_reason(g)
                    out.append(f"{path.name}: {next(iter(f['properties'].values()))!r}: {why}")
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(
        prog="python -m cbec.pipeline.validate",
        description="Check every data file; print 'ok: ...' or the problems (the first line "
        "names the first broken file); exit 1 if there is any.",
    )
    ap.add_argument("data_dir", nargs="?", type=Path, help="default: the app's data folder")
    folder = ap.parse_args(argv).data_dir or paths.data_dir()
    try:
        ds = data.load(folder)
        problems = geometry_problems(folder)
    except DataError as exc:
        print(headline(exc.problems), file=sys.stderr)
        for p in exc.problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    if problems:
        print(f"{problems[0]} ({len(problems)} invalid geometries)", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        return 1
    z = ds.zones
    print(
        f"ok: {len(z)} zones in {len(ds.batches)} batches, {z['province_en'].nunique()} of "
        f"{len(ds.provinces)} provinces, {z['lat'].notna().sum()} points "
        f"({(z['precision'] == 'area').sum()} approximate), {(z['status'] == 'active').sum()} "
        f"active today; {len(ds.prefectures)} prefectures, {len(ds.places)} places, "
        f"{len(ds.province_shapes['features'])} province shapes"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
