"""Copy Tencent's city list into `data/sources/tencent_cities.csv`: the second seat provider.

Run as `python -m cbec.pipeline.tencent path/to/city.js`.

The seat table (AMap's points via `cpca`) and GeoNames can both keep a city government's old site
after it moves, so neither checks the other where it matters. A second map provider does: the
city list of Tencent Location Service (腾讯位置服务, its WebService district list: `id`, `name`,
`fullname`, `pinyin`, `location`, `cidx`) as dumped in the public repository
humanlegacy/wechat-miniapp-map, file `libs/city.js` (about 2019; data/sources/README.md says which
commit). 326 prefecture-level cities, municipalities and county-level cities governed by a
province, keyed by their administrative code, in
GCJ-02 with 5 decimals. The file is copied as published (GCJ-02); `cbec.geocoders.SecondSeats`
converts it to WGS-84 with the project's GCJ-02 module when it is read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from cbec import paths
from cbec.paths import write_csv_atomic

COLUMNS = ["adcode", "name_zh", "lat_gcj02", "lon_gcj02"]


def parse_city_js(text: str) -> pd.DataFrame:
    """The cities of `city.js` (a CommonJS module holding one JSON object), one row per code.

    The cities are grouped under their pinyin initial in "all"; "hot" repeats seven of them.
    """
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        raise ValueError("no JSON object in the file")
    groups = json.loads(text[start : end + 1])["all"]
    rows = []
    for cities in groups.values():
        for c in cities:
            code = str(c["id"])
            if not (len(code) == 6 and code.isdigit()):
                raise ValueError(f"city {c.get('fullname')!r}: id {code!r} is not a 6-digit code")
            loc = c["location"]
            rows.append([code, c["fullname"], float(loc["lat"]), float(loc["lng"])])
    df = pd.DataFrame(rows, columns=COLUMNS)
    dupes = df["adcode"][df["adcode"].duplicated()].tolist()
    if dupes:
        raise ValueError(f"codes listed twice: {dupes}")
    return df.sort_values("adcode", ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m cbec.pipeline.tencent", description=__doc__.split("\n")[0]
    )
    ap.add_argument("city_js", type=Path, help="libs/city.js of humanlegacy/wechat-miniapp-map")
    ap.add_argument("--out", type=Path, default=paths.SECOND_SEATS_CSV)
    args = ap.parse_args(argv)
    try:
        df = parse_city_js(args.city_js.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError) as exc:
        print(f"{args.city_js.name}: {exc}")
        return 1
    write_csv_atomic(df, args.out)
    print(f"{len(df)} cities -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
