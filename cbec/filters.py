"""What the user chose, as a plain value, and the pure function that applies it to the zones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from cbec.data import status_on

# The July 2018 announcement: the 13 earlier zones (batches 1 and 2) and the 22 new ones.
DEFAULT_BATCHES: tuple[int, ...] = (1, 2, 3)
FIRST_DAY = dt.date(2015, 3, 7)  # Hangzhou's reply: nothing existed before
MAX_QUERY = 40  # characters of search text kept


@dataclass(frozen=True)
class Filters:
    batches: tuple[int, ...] = DEFAULT_BATCHES
    regions: tuple[str, ...] = ()  # region_en; empty means all
    provinces: tuple[str, ...] = ()  # province_en; empty means all
    q: str = ""
    as_of: dt.date | None = None  # None means today, so a link always shows the current map
    zone: str | None = None  # the selected zone_id
    basemap: bool = False

    def day(self, today: dt.date) -> dt.date:
        return self.as_of or today


def matches(zones: pd.DataFrame, q: str) -> pd.Series:
    """Case-insensitive substring over English and Chinese names and the id ("xian" finds Xi'an)."""
    q = q.strip().casefold()[:MAX_QUERY]
    if not q:
        return pd.Series(True, index=zones.index)
    hay = zones["name_en"].str.casefold() + "\n" + zones["name_zh"] + "\n" + zones["zone_id"]
    return hay.str.contains(q, regex=False)


def apply(zones: pd.DataFrame, f: Filters, today: dt.date) -> pd.DataFrame:
    """The zones in view: active on the chosen date and matching every filter."""
    keep = status_on(zones, f.day(today)) == "active"
    keep &= zones["batch"].isin(f.batches)
    if f.regions:
        keep &= zones["region_en"].isin(f.regions)
    if f.provinces:
        keep &= zones["province_en"].isin(f.provinces)
    keep &= matches(zones, f.q)
    return zones[keep]


def approved_by(zones: pd.DataFrame, f: Filters, today: dt.date) -> pd.DataFrame:
    """Zones of the chosen batches approved by the chosen date, withdrawn or not: the batches
    as the State Council approved them, for the regional summary."""
    day = pd.Timestamp(f.day(today))
    return zones[zones["batch"].isin(f.batches) & (zones["approved_on"] <= day)]
