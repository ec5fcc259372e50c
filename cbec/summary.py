"""Regional composition of the selected batches: counts, shares, priority-region share, deltas.

The 13 zones of batches 1 and 2 are one group, the "2015" group of the July 2018 announcement,
whenever both batches are selected.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cbec.data import PRIORITY_REGIONS, REGIONS

FIRST_GROUP = (1, 2)


@dataclass(frozen=True)
class Group:
    key: str  # "2015" for the first 13, else the batch number as text
    batches: tuple[int, ...]


def groups(batches: tuple[int, ...] | list[int]) -> list[Group]:
    chosen = sorted(set(batches))
    out: list[Group] = []
    if all(b in chosen for b in FIRST_GROUP):
        out.append(Group("2015", FIRST_GROUP))
        chosen = [b for b in chosen if b not in FIRST_GROUP]
    out += [Group(str(b), (b,)) for b in chosen]
    return out


def composition(zones: pd.DataFrame, batches: tuple[int, ...]) -> pd.DataFrame:
    """One row per group and region: count and share of the group's zones (regions in NBS order,
    zero rows kept so every group has all four)."""
    rows = []
    for g in groups(batches):
        in_group = zones[zones["batch"].isin(g.batches)]
        counts = in_group["region_en"].value_counts()
        total = len(in_group)
        for region in REGIONS:
            n = int(counts.get(region, 0))
            rows.append(
                {
                    "group": g.key,
                    "region_en": region,
                    "count": n,
                    "share": n / total if total else 0.0,
                }
            )
    return pd.DataFrame(rows, columns=["group", "region_en", "count", "share"])


def priority(zones: pd.DataFrame, batches: tuple[int, ...]) -> pd.DataFrame:
    """One row per group: zones, zones in priority regions, their share, and the change in share
    from the previous group (percentage points; NaN for the first)."""
    comp = composition(zones, batches)
    comp["is_priority"] = comp["region_en"].isin(PRIORITY_REGIONS)
    out = (
        comp.groupby("group", sort=False)
        .apply(
            lambda g: pd.Series(
                {"zones": g["count"].sum(), "priority": g.loc[g["is_priority"], "count"].sum()}
            ),
            include_groups=False,
        )
        .reset_index()
    )
    out["share"] = (out["priority"] / out["zones"]).where(out["zones"] > 0, 0.0)
    out["delta_pp"] = out["share"].diff() * 100
    return out.astype({"zones": int, "priority": int})
