"""Downloads: exactly the rows in view, as CSV and as GeoJSON points."""

from __future__ import annotations

import json

import pandas as pd

EXPORT_COLUMNS = [
    "zone_id",
    "batch",
    "name_en",
    "name_zh",
    "province_en",
    "province_zh",
    "region_en",
    "region_zh",
    "admin_level",
    "approved_on",
    "revoked_on",
    "document_no",
    "confidence",
    "lat",
    "lon",
    "precision",
    "note",
    "source_url",
]


def _plain(zones: pd.DataFrame) -> pd.DataFrame:
    out = zones[EXPORT_COLUMNS].copy()
    for col in ("approved_on", "revoked_on"):
        out[col] = out[col].dt.strftime("%Y-%m-%d").fillna("")
    return out


def to_csv(zones: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs show the Chinese names right."""
    return _plain(zones).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def to_geojson(zones: pd.DataFrame) -> bytes:
    plain = _plain(zones)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
            "properties": {k: v for k, v in row.items() if k not in ("lat", "lon")},
        }
        for row in plain.to_dict("records")
    ]
    doc = {"type": "FeatureCollection", "features": features}
    return json.dumps(doc, ensure_ascii=False, default=int).encode("utf-8")
