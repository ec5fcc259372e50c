"""Regional composition, computed one way for every view: how many zones of each group lie in
each region, the priority regions' share, and its change from one group to the next.

A group is any labelling of zones: the map's "earlier" and "new" zones, batches (with the 13
first zones of batches 1 and 2 as one group, as the July 2018 announcement counts them), or
everything approved up to each batch. Regions come in one order everywhere (`REGION_ORDER`:
East, then the three priority regions together).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

from cbec.colors import REGION_ORDER
from cbec.vocab import PRIORITY_REGIONS

FIRST_GROUP = (1, 2)  # the "13 cities including Hangzhou" of the July 2018 announcement


def composition(zones: pd.DataFrame, group: Sequence, order: Sequence) -> pd.DataFrame:
    """One row per group (in `order`) and region (in REGION_ORDER): count and share of the
    group's zones; zero rows are kept, so every group has all four regions. (Counted in plain
    Python: a crosstab costs more than the rest of a map rerun at this size.)"""
    counts = Counter(zip(group, zones["region_en"], strict=True))
    order, regions = list(order), list(REGION_ORDER)
    rows = [(g, r, counts.get((g, r), 0)) for g in order for r in regions]
    totals: Counter[str] = Counter()
    for g, _, n in rows:
        totals[g] += n
    return pd.DataFrame(
        {
            "group": pd.Categorical([g for g, _, _ in rows], categories=order, ordered=True),
            "region_en": [r for _, r, _ in rows],
            "count": np.array([n for _, _, n in rows], dtype=np.int64),
            "share": [n / totals[g] if totals[g] else 0.0 for g, _, n in rows],
        }
    )


def table(comp: pd.DataFrame) -> pd.DataFrame:
    """The composition as a table: regions as rows, groups as columns, then the priority regions'
    count and the total."""
    cells = {(g, r): int(n) for g, r, n in zip(comp["group"], comp["region_en"], comp["count"],
                                                strict=True)}  # fmt: skip
    pri = priority_share(comp)
    groups = list(pri["group"])
    rows = [[cells.get((g, r), 0) for g in groups] for r in REGION_ORDER]
    rows += [list(pri["priority"]), list(pri["zones"])]
    return pd.DataFrame(
        np.array(rows, dtype=np.int64),
        index=[*REGION_ORDER, "priority", "total"],
        columns=groups,
    )


def priority_share(comp: pd.DataFrame) -> pd.DataFrame:
    """Per group: zones, zones in the priority regions, their share, and the change in share
    from the group before (percentage points; NaN for the first)."""
    zones: dict = {}
    prio: dict = {}
    priority = set(PRIORITY_REGIONS)
    for g, r, n in zip(comp["group"], comp["region_en"], comp["count"], strict=True):
        zones[g] = zones.get(g, 0) + int(n)
        prio[g] = prio.get(g, 0) + (int(n) if r in priority else 0)
    rows, previous = [], None
    for key, total in zones.items():
        share = prio[key] / total if total else float("nan")
        delta = float("nan") if previous is None else (share - previous) * 100
        rows.append({"group": key, "zones": total, "priority": prio[key], "share": share,
                     "delta_pp": delta})  # fmt: skip
        previous = share
    return pd.DataFrame(rows, columns=["group", "zones", "priority", "share", "delta_pp"])


def batch_groups(batches: Sequence[int]) -> tuple[dict[int, str], list[str]]:
    """Group keys for zones of `batches`: batches 1 and 2 together ("1-2") when both are in,
    else one group per batch. Returns (each chosen batch's key, the order of the keys)."""
    chosen = sorted(set(batches))
    merged = all(b in chosen for b in FIRST_GROUP)
    key = {b: ("1-2" if merged and b in FIRST_GROUP else str(b)) for b in chosen}
    return key, list(dict.fromkeys(key[b] for b in chosen))


def story_groups(zones: pd.DataFrame, batches: Sequence[int]) -> tuple[list[str], list[str]]:
    """Each zone of `zones` (only the selected batches) as "earlier" or "new": the newest
    selected batch is new, the rest earlier."""
    newest = max(batches)
    group = ["new" if b == newest else "earlier" for b in zones["batch"]]
    order = ["earlier", "new"] if len(set(batches)) > 1 else ["new"]
    return group, order
