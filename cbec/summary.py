"""Regional composition of the selected batches: counts, shares, priority-region share, deltas.

The 13 zones of batches 1 and 2 are one group, the "2015" group of the July 2018 announcement,
whenever both batches are selected.
"""

from __future__ import annotations

from collections import Counter
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


def _composition_rows(zones: pd.DataFrame, batches: tuple[int, ...]) -> list[dict]:
    counts = Counter(zip(zones["batch"], zones["region_en"], strict=True))
    rows = []
    for g in groups(batches):
        per_region = {r: sum(counts[(b, r)] for b in g.batches) for r in REGIONS}
        total = sum(per_region.values())
        rows += [
            {"group": g.key, "region_en": r, "count": n, "share": n / total if total else 0.0}
            for r, n in per_region.items()
        ]
    return rows


def composition(zones: pd.DataFrame, batches: tuple[int, ...]) -> pd.DataFrame:
    """One row per group and region: count and share of the group's zones (regions in NBS order,
    zero rows kept so every group has all four)."""
    rows = _composition_rows(zones, batches)
    return pd.DataFrame(rows, columns=["group", "region_en", "count", "share"])


def priority(zones: pd.DataFrame, batches: tuple[int, ...]) -> pd.DataFrame:
    """One row per group: zones, zones in priority regions, their share, and the change in share
    from the previous group (percentage points; NaN for the first)."""
    comp = _composition_rows(zones, batches)
    rows, previous = [], None
    for key in dict.fromkeys(r["group"] for r in comp):
        part = [r for r in comp if r["group"] == key]
        total = sum(r["count"] for r in part)
        prio = sum(r["count"] for r in part if r["region_en"] in PRIORITY_REGIONS)
        share = prio / total if total else 0.0
        delta = float("nan") if previous is None else (share - previous) * 100
        rows.append(
            {"group": key, "zones": total, "priority": prio, "share": share, "delta_pp": delta}
        )
        previous = share
    return pd.DataFrame(rows, columns=["group", "zones", "priority", "share", "delta_pp"])
