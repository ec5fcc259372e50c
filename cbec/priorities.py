"""How the programme spread: regions by batch, the priority share per batch and over time,
provinces, and the July 2018 announcement's claims checked against the data. Pure functions over
the joined zones; the composition itself is `cbec.summary`'s, the one way it is computed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cbec import colors, summary
from cbec.data import active_mask

# The 22 cities the State Council executive meeting of 13 July 2018 named (reference README).
JULY_2018_CITIES = (
    "Beijing", "Hohhot", "Shenyang", "Changchun", "Harbin", "Nanjing", "Nanchang", "Wuhan",
    "Changsha", "Nanning", "Haikou", "Guiyang", "Kunming", "Xi'an", "Lanzhou", "Xiamen",
    "Tangshan", "Wuxi", "Weihai", "Zhuhai", "Dongguan", "Yiwu",
)  # fmt: skip


def region_by_batch(zones: pd.DataFrame, batches: pd.DataFrame) -> pd.DataFrame:
    """Composition per batch (every zone a batch approved, later withdrawals included), plus
    "all": long form, as summary.composition."""
    order = [str(b) for b in sorted(batches["batch"])]
    per = summary.composition(zones, [str(b) for b in zones["batch"]], order)
    every = summary.composition(zones, ["all"] * len(zones), ["all"])
    out = pd.concat([per, every], ignore_index=True)
    out["group"] = pd.Categorical(
        out["group"].astype(str), categories=[*order, "all"], ordered=True
    )
    return out


def region_table(comp: pd.DataFrame) -> pd.DataFrame:
    """Batches (and "all") as rows, the regions in their one order as columns, then the total
    and the priority regions' share in percent: the table a reader reads, in numbers."""
    pri = summary.priority_share(comp).set_index("group")
    wide = comp.pivot(index="group", columns="region_en", values="count")[list(colors.REGION_ORDER)]
    out = wide.astype(int)
    out["zones"] = pri.loc[wide.index, "zones"].astype(int)
    out["share_pct"] = (pri.loc[wide.index, "share"] * 100).round(1)
    return out


def priority_over_time(zones: pd.DataFrame, batches: pd.DataFrame) -> pd.DataFrame:
    """Per batch: zones, zones in the priority regions and their share, for the batch alone and
    for every zone approved up to and including it."""
    order = sorted(int(b) for b in batches["batch"])
    per = summary.priority_share(summary.composition(zones, list(zones["batch"]), order)).set_index(
        "group"
    )
    out = pd.DataFrame(
        {
            "batch": order,
            "approved_on": batches.set_index("batch").loc[order, "approved_on"].to_numpy(),
            "zones": per.loc[order, "zones"].to_numpy(),
            "priority": per.loc[order, "priority"].to_numpy(),
        }
    )
    out["share"] = out["priority"] / out["zones"]
    out["cum_zones"] = out["zones"].cumsum()
    out["cum_priority"] = out["priority"].cumsum()
    out["cum_share"] = out["cum_priority"] / out["cum_zones"]
    return out


def priority_by_group(zones: pd.DataFrame, batches: pd.DataFrame) -> pd.DataFrame:
    """As priority_over_time, with batches 1 and 2 as the one group the July 2018 announcement
    counts ("1-2", the first 13 zones): the first point of the story is 38.5%, not one zone."""
    key, order = summary.batch_groups([int(b) for b in batches["batch"]])
    per = summary.priority_share(
        summary.composition(zones, [key[b] for b in zones["batch"]], order)
    ).set_index("group")
    out = pd.DataFrame({"group": order})
    out["last_batch"] = [max(b for b, g in key.items() if g == grp) for grp in order]
    out["zones"] = per.loc[order, "zones"].to_numpy()
    out["priority"] = per.loc[order, "priority"].to_numpy()
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
    claimed: str | None  # the figure stated; None: stated in words (catalogue key + "_said")
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
        # The announcement gave priority in words; the data can say whether the share rose.
        Claim("claim_tilt", None, f"{before:.1%} → {after:.1%}", bool(after > before)),
    ]


@dataclass(frozen=True)
class Bin:
    lo: int
    hi: int
    color: colors.RGB


def count_bins(counts: np.ndarray, scale: tuple = colors.COUNT_SCALE) -> list[Bin]:
    """Equal steps from 1 up to the largest count, one colour each (0 has the first colour):
    the one source for the province map's fills and for its legend."""
    top = max(int(np.max(counts)), 1) if len(counts) else 1
    steps = len(scale) - 1
    bins = [Bin(0, 0, scale[0])]
    for i in range(steps):
        lo, hi = i * top // steps + 1, (i + 1) * top // steps
        if lo <= hi:
            bins.append(Bin(lo, hi, scale[1 + i]))
    return bins


def bin_color(count: int, bins: list[Bin]) -> colors.RGB:
    return next(b.color for b in bins if b.lo <= count <= b.hi)
