"""Distances between places and zones: exact geodesics (WGS84 ellipsoid, geopy.distance) where a
number is shown, with a spherical pre-filter so that only the few candidates that can be nearest
are measured exactly (geopy's geodesic costs ~0.2 ms a pair; 337 cities x 181 zones would take
12 s, the pre-filter makes it a fraction of a second)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
from geopy.distance import geodesic

from cbec.data import active_mask

EARTH_RADIUS_KM = 6371.0088  # mean radius: the spherical distance is within 0.5% of the geodesic
SAFETY = 1.006  # candidates within 0.6% (+0.5 km) of the spherical minimum are measured exactly


def spherical_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance on a sphere (haversine), vectorised; broadcasting like numpy."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return geodesic((lat1, lon1), (lat2, lon2)).km


def nearest(zones: pd.DataFrame, lat: float, lon: float, k: int = 3, exclude: str | None = None):
    """The k zones closest to (lat, lon) by geodesic distance, nearest first, with a
    `distance_km` column."""
    others = zones[zones["zone_id"] != exclude] if exclude else zones
    if others.empty or k <= 0:
        return others.assign(distance_km=pd.Series(dtype=float)).iloc[:0]
    rough = spherical_km(lat, lon, others["lat"].to_numpy(), others["lon"].to_numpy())
    kth = np.partition(rough, min(k, len(rough)) - 1)[min(k, len(rough)) - 1]
    cand = others[rough <= kth * SAFETY + 0.5]
    exact = [geodesic_km(lat, lon, a, b) for a, b in zip(cand["lat"], cand["lon"], strict=True)]
    return cand.assign(distance_km=exact).nsmallest(k, "distance_km")


def coverage(
    cities: pd.DataFrame,
    zones: pd.DataFrame,
    steps: Sequence[tuple[int, dt.date]],
    thresholds: Sequence[int] = (100, 200, 300),
) -> pd.DataFrame:
    """For each step (batch, date): the share of `cities` within each threshold of the nearest
    zone active on that date. Exact geodesic minima; each city-zone pair measured at most once."""
    rough = spherical_km(
        cities["lat"].to_numpy()[:, None],
        cities["lon"].to_numpy()[:, None],
        zones["lat"].to_numpy()[None, :],
        zones["lon"].to_numpy()[None, :],
    )
    clat, clon = cities["lat"].to_numpy(), cities["lon"].to_numpy()
    zlat, zlon = zones["lat"].to_numpy(), zones["lon"].to_numpy()
    measured: dict[tuple[int, int], float] = {}

    def exact(i: int, j: int) -> float:
        if (i, j) not in measured:
            measured[(i, j)] = geodesic_km(clat[i], clon[i], zlat[j], zlon[j])
        return measured[(i, j)]

    rows = []
    for batch, day in steps:
        cols = np.flatnonzero(active_mask(zones, day))
        if len(cols) == 0:
            nearest_km = np.full(len(cities), np.inf)
        else:
            sub = rough[:, cols]
            floor = sub.min(axis=1)
            nearest_km = np.array(
                [
                    min(
                        exact(i, cols[j]) for j in np.flatnonzero(sub[i] <= floor[i] * SAFETY + 0.5)
                    )
                    for i in range(len(cities))
                ]
            )
        for t in thresholds:
            within = int((nearest_km <= t).sum())
            rows.append(
                {
                    "batch": batch,
                    "date": pd.Timestamp(day),
                    "threshold_km": t,
                    "cities_within": within,
                    "share": within / len(cities),
                }
            )
    return pd.DataFrame(rows)


def coverage_table(cov: pd.DataFrame) -> pd.DataFrame:
    """Batches as rows, distance thresholds as columns: the percentage of cities within each."""
    return (cov.pivot(index="batch", columns="threshold_km", values="share") * 100).round(1)
