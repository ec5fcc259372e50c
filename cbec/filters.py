"""What the user chose, as a plain value, and the name search. Which zones a choice shows is
`cbec.selection`, the one place that decides it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

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
