"""Geodesic distances between zones (WGS84 ellipsoid, geopy.distance)."""

from __future__ import annotations

import pandas as pd
from geopy.distance import geodesic


def distances_km(lat: float, lon: float, zones: pd.DataFrame) -> pd.Series:
    return pd.Series(
        [geodesic((lat, lon), (a, b)).km for a, b in zip(zones["lat"], zones["lon"], strict=True)],
        index=zones.index,
        dtype=float,
    )


def nearest(zones: pd.DataFrame, lat: float, lon: float, k: int = 3, exclude: str | None = None):
    """The k zones closest to (lat, lon), nearest first, with a `distance_km` column."""
    others = zones[zones["zone_id"] != exclude] if exclude else zones
    out = others.assign(distance_km=distances_km(lat, lon, others))
    return out.nsmallest(k, "distance_km")
