"""What the user chose, as a plain value, and the pure function that applies it to the zones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cbec.data import active_mask

# The July 2018 announcement: the 13 earlier zones (batches 1 and 2) and the 22 new ones.
DEFAULT_BATCHES: tuple[int, ...] = (1, 2, 3)
FIRST_DAY = dt.date(2015, 3, 12)  # Hangzhou's reply, as published: nothing existed before
MAX_QUERY = 40  # characters of search text kept


@dataclass(frozen=True)
class Filters:
    batches: tuple[int, ...] = DEFAULT_BATCHES
    regions: tuple[str, ...] = ()  # region_en; empty means all
    provinces: tuple[str, ...] = ()  # province_en; empty means all
    q: str = ""
    as_of: dt.date | None = None  # None means today, so a link always shows the current map

    def day(self, today: dt.date) -> dt.date:
        return self.as_of or today


def matches(zones: pd.DataFrame, q: str) -> np.ndarray:
    """Case-insensitive substring over English and Chinese names and the id ("xian" finds Xi'an)."""
    q = q.strip().casefold()[:MAX_QUERY]
    if not q:
        return np.ones(len(zones), dtype=bool)
    return np.fromiter((q in text for text in zones["search_text"]), bool, len(zones))


def apply(zones: pd.DataFrame, f: Filters, today: dt.date, withdrawn: bool = False) -> pd.DataFrame:
    """The zones in view: active on the chosen date (with `withdrawn`, also those approved and
    withdrawn by then, which the map draws hollow) and matching every filter."""
    day = f.day(today)
    keep = (
        zones["approved_on"].to_numpy() <= np.datetime64(day, "D")
        if withdrawn
        else active_mask(zones, day)
    )
    keep &= np.isin(zones["batch"].to_numpy(), f.batches)
    if f.regions:
        keep &= np.isin(zones["region_en"].to_numpy(), f.regions)
    if f.provinces:
        keep &= np.isin(zones["province_en"].to_numpy(), f.provinces)
    if f.q.strip():
        keep &= matches(zones, f.q)
    return zones[keep]


def approved_by(zones: pd.DataFrame, f: Filters, today: dt.date) -> pd.DataFrame:
    """Zones of the chosen batches approved by the chosen date, withdrawn or not: the batches
    as the State Council approved them, for the regional summary."""
    day = np.datetime64(f.day(today), "D")
    keep = np.isin(zones["batch"].to_numpy(), f.batches) & (zones["approved_on"].to_numpy() <= day)
    return zones[keep]
