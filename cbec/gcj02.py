"""China's GCJ-02 datum ("Mars coordinates", used by AMap and most Chinese map data) and WGS-84.

GCJ-02 is WGS-84 moved by a published, deliberately irregular offset of up to about 700 m.
`wgs84_to_gcj02` is that offset, the well-known formula (Krasovsky ellipsoid, as in the
`eviltransform` and `coordtransform` projects); `gcj02_to_wgs84` inverts it exactly by fixed-point
iteration of the forward formula (the offset changes so slowly that each step gains several
digits, so a few steps reach 1e-9 degrees, about 0.1 mm). Outside China the datum is WGS-84 and
both functions return the point unchanged. Pure Python, no dependencies.
"""

from __future__ import annotations

import math

A = 6378245.0  # semi-major axis of the Krasovsky 1940 ellipsoid, as the formula uses it
EE = 0.00669342162296594323  # its first eccentricity squared
TOLERANCE_DEG = 1e-9


def out_of_china(lat: float, lon: float) -> bool:
    """The rough box outside which GCJ-02 is not applied (as in eviltransform)."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _offset_lat(x: float, y: float) -> float:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _offset_lon(x: float, y: float) -> float:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) in WGS-84 -> (lat, lon) in GCJ-02."""
    if out_of_china(lat, lon):
        return lat, lon
    dlat = _offset_lat(lon - 105.0, lat - 35.0)
    dlon = _offset_lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (A / sqrt_magic * math.cos(rad) * math.pi)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(lat: float, lon: float, max_steps: int = 30) -> tuple[float, float]:
    """(lat, lon) in GCJ-02 -> (lat, lon) in WGS-84, exact to TOLERANCE_DEG: the point whose
    forward transform is the given one."""
    if out_of_china(lat, lon):
        return lat, lon
    wlat, wlon = lat, lon
    for _ in range(max_steps):
        glat, glon = wgs84_to_gcj02(wlat, wlon)
        dlat, dlon = glat - lat, glon - lon
        if abs(dlat) < TOLERANCE_DEG and abs(dlon) < TOLERANCE_DEG:
            break
        wlat, wlon = wlat - dlat, wlon - dlon
    return wlat, wlon
