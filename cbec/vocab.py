"""The data's vocabulary: regions, administrative levels, confidence and precision, the box a
point must lie in; and the two spellings every file shares (ids, source lists)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

REGIONS = ["East", "Central", "West", "Northeast"]  # National Bureau of Statistics
REGION_ZH = {"East": "东部", "Central": "中部", "West": "西部", "Northeast": "东北"}
PRIORITY_REGIONS = {"Central", "West", "Northeast"}  # July 2018 announcement
ADMIN_LEVELS = (
    "municipality",
    "prefecture",
    "county-level city",
    "autonomous prefecture",
    "new area",
    "province-wide",
)
CONFIDENCE = ("high", "medium", "low", "unverified")
PRECISION = ("seat", "area")
# How sure a zone's point is, from its check against a second map provider (the meanings:
# cbec/pipeline/geocode.py and data/README.md).
POINT_CHECKS = ("agrees", "moved", "corrected", "sourced", "proxy", "unresolved", "single")
# Generous box around the mainland and Hainan: a zone's point outside it is certainly wrong.
# (Gazetteer places may lie further south: Sansha, in the South China Sea.)
CHINA_BBOX = {"lat": (18.0, 53.6), "lon": (73.4, 135.1)}
# Drawn so that the outline of China is complete; not in provinces.csv (no zones, no region).
TAIWAN_HONG_KONG_MACAO = ("710000", "810000", "820000")


def slugify(text: str) -> str:
    """Lowercase ASCII with hyphens, for ids and URLs: "Xi'an" -> "xian",
    "Inner Mongolia" -> "inner-mongolia"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.replace("'", "").replace("\u2019", "").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def sources(source_url: str) -> list[str]:
    """The http(s) URLs of a `source_url` cell (separated by " | "); anything else is dropped."""
    out = []
    for part in source_url.split("|"):
        url = part.strip()
        if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc:
            out.append(url)
    return out


def provider_key(geocoder: str) -> str:
    """Which provider a `geocoder` cell of coordinates.csv names (amap, geonames, nominatim,
    fallback or other): the key of its readers' label (`provider_<key>` in the catalogues)."""
    g = geocoder.lower()
    for key in ("cpca", "amap", "nominatim", "geonames", "fallback"):
        if key in g:
            return "amap" if key == "cpca" else key
    return "other"
