"""`python -m cbec.build.validate [DATA_DIR]`: print every problem in the data files; exit 1
if any."""

from __future__ import annotations

import sys
from pathlib import Path

from cbec import data
from cbec.data import DataError, load


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    data_dir = Path(argv[0]) if argv else data.data_dir()
    try:
        ds = load(data_dir)
    except DataError as exc:
        print(f"{len(exc.problems)} problem(s) in {data_dir}:", file=sys.stderr)
        for p in exc.problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    z = ds.zones
    print(
        f"ok: {len(z)} zones in {len(ds.batches)} batches, {z['province_en'].nunique()} of "
        f"{len(ds.provinces)} provinces, {z['lat'].notna().sum()} points "
        f"({(z['precision'] == 'area').sum()} approximate), {(z['status'] == 'active').sum()} "
        f"active today"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
