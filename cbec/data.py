"""The one checked, joined dataset every page uses, loaded once per process.

`load()` checks every file (`cbec.checks`) and joins zones x coordinates x provinces (with
regions) x batches, plus the gazetteer and the province shapes; a problem anywhere is raised as
one `DataError` listing them all. `dataset()` keeps the result per data version in a
module-level cache that Streamlit's cache-clearing cannot reach.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from cbec import paths
from cbec.checks import (
    BATCH_COLUMNS,
    COORD_COLUMNS,
    PLACES,
    PREFECTURES,
    PROVINCE_COLUMNS,
    ZONE_COLUMNS,
    check,
    data_files,
)
from cbec.schema import DataError, Report
from cbec.vocab import PRIORITY_REGIONS

T = TypeVar("T")


def status_on(zones: pd.DataFrame, when: dt.date) -> pd.Series:
    """'active', 'withdrawn' or 'not yet approved' on `when` (a zone is withdrawn from its
    revoked_on date onwards)."""
    day = np.datetime64(when, "D")
    approved = zones["approved_on"].to_numpy()
    revoked = zones["revoked_on"].to_numpy()
    status = np.where(approved > day, "not yet approved", "active").astype(object)
    status[revoked <= day] = "withdrawn"  # NaT compares False: never withdrawn
    return pd.Series(status, index=zones.index)


def active_mask(zones: pd.DataFrame, when: dt.date) -> np.ndarray:
    """True for the zones approved by `when` and not withdrawn by then."""
    day = np.datetime64(when, "D")
    return (zones["approved_on"].to_numpy() <= day) & ~(zones["revoked_on"].to_numpy() <= day)


def active_on(zones: pd.DataFrame, when: dt.date) -> pd.DataFrame:
    """The zones active on `when` (every batch)."""
    return zones[active_mask(zones, when)]


def _frame(rows: list[dict[str, str]], columns: list[str]) -> pd.DataFrame:
    # Plain Python strings: on a few hundred rows, pandas' Arrow-backed strings cost more per
    # filter and row-wise read (every rerun) than they save.
    return pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in columns})


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.replace("", None), format="%Y-%m-%d")


def join(report: Report, when: dt.date) -> Dataset:
    """The typed tables the pages use; assumes `report` found no problem."""
    t = report.tables
    zones = _frame(t["zones.csv"], ZONE_COLUMNS)
    coords = _frame(t["coordinates.csv"], COORD_COLUMNS)
    provinces = _frame(t["provinces.csv"], PROVINCE_COLUMNS)
    zones = zones.merge(coords, on="zone_id", how="left", validate="one_to_one")
    zones = zones.merge(
        provinces[["province_en", "adcode", "region_en", "region_zh"]],
        on="province_en",
        how="left",
        validate="many_to_one",
    )
    zones["batch"] = zones["batch"].astype(int)
    zones["lat"] = zones["lat"].astype(float)
    zones["lon"] = zones["lon"].astype(float)
    # km to the second provider's seat; NaN where it has none
    zones["tencent_km"] = pd.to_numeric(zones["tencent_km"].replace("", None)).astype(float)
    for col in ("approved_on", "revoked_on"):
        zones[col] = _dates(zones[col])
    zones["priority_region"] = zones["region_en"].isin(PRIORITY_REGIONS)
    zones["status"] = status_on(zones, when)
    # What the search box looks through, built once: "xi'an\n西安市\nxian".
    zones["search_text"] = (
        zones["name_en"].str.casefold() + "\n" + zones["name_zh"] + "\n" + zones["zone_id"]
    )
    batches = _frame(t["batches.csv"], BATCH_COLUMNS)
    batches["batch"] = batches["batch"].astype(int)
    batches["count"] = batches["count"].astype(int)
    for col in ("approved_on", "signed_on", "published_on", "meeting_on"):
        batches[col] = _dates(batches[col])
    prefectures = _frame(t["prefectures.csv"], PREFECTURES.names)
    places = _frame(t["places.csv"], PLACES.names)
    for frame in (prefectures, places):
        frame["lat"] = frame["lat"].astype(float)
        frame["lon"] = frame["lon"].astype(float)
    places["population"] = places["population"].astype(int)
    frames = [zones, batches, provinces, prefectures, places]
    for frame in frames:
        _plain_strings(frame)
    return Dataset(
        zones=zones,
        batches=batches,
        provinces=provinces,
        prefectures=prefectures,
        places=places,
        province_shapes=report.docs["provinces_coarse.geojson"],
        today=when,
    )


def _plain_strings(frame: pd.DataFrame) -> None:
    """Text columns as plain Python strings: on a few hundred rows, pandas' Arrow-backed
    strings cost more in every filter and row read (each rerun) than they save (measured under
    load: pyarrow's `take` was the largest single cost of a rerun)."""
    for col in frame.columns:
        if pd.api.types.is_string_dtype(frame[col]) and not pd.api.types.is_object_dtype(
            frame[col]
        ):
            frame[col] = frame[col].astype(object)


@dataclass(eq=False)
class Dataset:
    """The joined, checked data, and a memo of what is derived from it.

    One object per data version, shared by every session and never changed: the frames are
    only read. `derived()` keeps computed tables on the object, so they live as long as it does
    and no session (nor Streamlit's "clear cache" message) can make the next visitor pay again.
    """

    zones: pd.DataFrame
    batches: pd.DataFrame
    provinces: pd.DataFrame
    prefectures: pd.DataFrame
    places: pd.DataFrame
    province_shapes: dict
    today: dt.date
    version: tuple = ()  # the files' fingerprint when loaded: a cache key for what follows
    _memo: dict = field(default_factory=dict, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def derived(self, key: Hashable, make: Callable[[], T]) -> T:
        """`make()` once per key for the life of this dataset (thread-safe)."""
        try:
            return self._memo[key]
        except KeyError:
            pass
        with self._lock:
            if key not in self._memo:
                self._memo[key] = make()
            return self._memo[key]

    @property
    def zone_ids(self) -> frozenset[str]:
        return self.derived("zone_ids", lambda: frozenset(self.zones["zone_id"]))

    def zone(self, zone_id: str) -> pd.Series:
        """One zone's row, by id (an index built once, not on every rerun)."""
        return self.derived("zones_by_id", lambda: self.zones.set_index("zone_id")).loc[zone_id]

    def prefecture(self, adcode: str) -> pd.Series:
        by_code = self.derived("prefectures_by_code", lambda: self.prefectures.set_index("adcode"))
        return by_code.loc[adcode]

    def epoch(self, when: dt.date) -> int:
        """Which set of zones is active on `when`, as the number of approval and withdrawal
        days up to it: a small cache key for what depends only on that set (any of thousands
        of days maps to one of a dozen)."""
        days = self.derived(
            "change_days",
            lambda: np.unique(
                np.concatenate(
                    [self.zones["approved_on"].dropna().to_numpy(dtype="datetime64[D]"),
                     self.zones["revoked_on"].dropna().to_numpy(dtype="datetime64[D]")]
                )
            ),
        )  # fmt: skip
        return int(np.searchsorted(days, np.datetime64(when, "D"), side="right"))


def load(folder: Path | None = None, when: dt.date | None = None) -> Dataset:
    """Read, check and join every data file; raise DataError listing every problem at once."""
    report = check(folder)
    if report.problems:
        raise DataError(report.problems)
    return join(report, when or dt.date.today())


# --- one dataset per process ---------------------------------------------------------------------

_CACHE: dict[tuple, Dataset | DataError] = {}
_CACHE_LOCK = threading.Lock()


def fingerprint(folder: Path) -> tuple:
    """What identifies a version of the data: each file's size and modification time."""
    out: list[tuple[str, int | None, int | None]] = []
    for path in data_files(folder):
        try:
            st = path.stat()
            out.append((path.name, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((path.name, None, None))
    return tuple(out)


_STAMPS: dict[str, tuple[float, tuple]] = {}  # folder -> (time checked, fingerprint)
RECHECK_S = 2.0  # how often the files' sizes and times are looked at again


def _stamp(folder: Path) -> tuple:
    """The folder's fingerprint, looked at no more than every RECHECK_S seconds (a rerun
    should not stat nine files; an edited file is still seen within seconds)."""
    now = time.monotonic()
    seen = _STAMPS.get(str(folder))
    if seen is None or now - seen[0] > RECHECK_S:
        seen = (now, fingerprint(folder))
        _STAMPS[str(folder)] = seen
    return seen[1]


def dataset(folder: Path | None = None, when: dt.date | None = None) -> Dataset:
    """The dataset for `folder` (default: data_dir()) on `when` (default: today), loaded once
    per process and data version and kept in a module-level cache, where Streamlit's "clear
    cache" message (which any visitor can send) does not reach. A broken version raises the
    same DataError every time without reading the files again."""
    folder = Path(folder or paths.data_dir())
    when = when or dt.date.today()
    key = (str(folder), when, _stamp(folder))
    found = _CACHE.get(key)
    if found is None:
        with _CACHE_LOCK:
            found = _CACHE.get(key)
            if found is None:
                try:
                    found = load(folder, when)
                    found.version = key
                except DataError as exc:
                    found = exc
                for old in [k for k in _CACHE if k[0] == key[0]]:
                    del _CACHE[old]  # one version per folder: a new one replaces the old
                _CACHE[key] = found
    if isinstance(found, DataError):
        raise found
    return found
