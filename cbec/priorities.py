"""How the programme spread: regions by batch, priority share over time, provinces, and the July
2018 announcement's claims checked against the data. Pure functions over the joined zones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cbec.data import REGIONS, active_mask

# The 22 cities the State Council executive meeting of 13 July 2018 named (reference README).
JULY_2018_CITIES = (
    "Beijing", "Hohhot", "Shenyang", "Changchun", "Harbin", "Nanjing", "Nanchang", "Wuhan",
    "Changsha", "Nanning", "Haikou", "Guiyang", "Kunming", "Xi'an", "Lanzhou", "Xiamen",
    "Tangshan", "Wuxi", "Weihai", "Zhuhai", "Dongguan", "Yiwu",
)  # fmt: skip


def region_by_batch(
    zones: pd.DataFrame, batches: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counts and shares: one row per region (NBS order), one column per batch, plus "all".
    Every zone a batch approved counts, later withdrawals included."""
    counts = pd.crosstab(zones["region_en"], zones["batch"]).reindex(
        index=REGIONS, columns=sorted(batches["batch"]), fill_value=0
    )
    counts["all"] = counts.sum(axis=1)
    shares = counts / counts.sum(axis=0)
    return counts, shares


def priority_over_time(zones: pd.DataFrame, batches: pd.DataFrame) -> pd.DataFrame:
    """Per batch: zones, zones in the priority regions and their share, for the batch alone and
    for every zone approved up to and including it."""
    b = batches.sort_values("batch")
    per = zones.groupby("batch").agg(zones=("zone_id", "size"), priority=("priority_region", "sum"))
    out = pd.DataFrame(
        {
            "batch": b["batch"].to_numpy(),
            "approved_on": b["approved_on"].to_numpy(),
            "zones": per["zones"].reindex(b["batch"], fill_value=0).to_numpy(),
            "priority": per["priority"].reindex(b["batch"], fill_value=0).to_numpy(),
        }
    )
    out["share"] = out["priority"] / out["zones"]
    out["cum_zones"] = out["zones"].cumsum()
    out["cum_priority"] = out["priority"].cumsum()
    out["cum_share"] = out["cum_priority"] / out["cum_zones"]
    return out


def per_province(zones: pd.DataFrame, provinces: pd.DataFrame, when: dt.date) -> pd.DataFrame:
    """Zones active in each province on `when` (0 where none), one row per province."""
    active = zones[active_mask(zones, when)]
    n = active["province_en"].value_counts()
    out = provinces[["adcode", "province_en", "province_zh", "region_en", "region_zh"]].copy()
    out["zones"] = [int(n.get(p, 0)) for p in out["province_en"]]
    return out


def first_zones(zones: pd.DataFrame, provinces: pd.DataFrame) -> pd.DataFrame:
    """The date each province got its first zone, the batch, and the zones of that day."""
    rows = []
    for p in provinces.itertuples(index=False):
        mine = zones[zones["province_en"] == p.province_en]
        first = mine["approved_on"].min()
        day = mine[mine["approved_on"] == first]
        rows.append(
            {
                "province_en": p.province_en,
                "province_zh": p.province_zh,
                "region_en": p.region_en,
                "first_on": first,
                "batch": int(day["batch"].iloc[0]),
                "zones_en": ", ".join(day["name_en"]),
                "zones_zh": "、".join(day["name_zh"]),
            }
        )
    return pd.DataFrame(rows).sort_values(["first_on", "province_en"], ignore_index=True)


@dataclass(frozen=True)
class Claim:
    key: str  # catalogue key of the statement
    claimed: str
    found: str
    holds: bool


def july_2018_claims(zones: pd.DataFrame) -> list[Claim]:
    """What the 13 July 2018 announcement said, and what the data says."""
    earlier = zones[zones["batch"] <= 2]
    new = zones[zones["batch"] == 3]
    before = earlier["priority_region"].mean()
    after = new["priority_region"].mean()
    named = set(JULY_2018_CITIES)
    return [
        Claim("claim_13", "13", str(len(earlier)), len(earlier) == 13),
        Claim("claim_22", "22", str(len(new)), len(new) == 22),
        Claim("claim_35", "35", str(len(earlier) + len(new)), len(earlier) + len(new) == 35),
        Claim(
            "claim_cities",
            "22",
            str(len(named & set(new["name_en"]))),
            named == set(new["name_en"]),
        ),
        Claim("claim_tilt", f"{before:.1%} →", f"{after:.1%}", bool(after > before)),
    ]


def share_colors(counts: np.ndarray, palette: list[list[int]]) -> list[list[int]]:
    """A colour per count on a sequential palette: 0 gets the first (no zone), then equal steps
    up to the largest count."""
    top = max(int(counts.max()), 1) if len(counts) else 1
    steps = len(palette) - 1
    return [
        palette[0] if c == 0 else palette[1 + min(steps - 1, (c - 1) * steps // top)]
        for c in counts
    ]
