"""Downloads: exactly the rows in view, as CSV and as GeoJSON points."""

from __future__ import annotations

import json

import pandas as pd

from cbec.vocab import CONFIDENCE, POINT_CHECKS

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
    "note_zh",
    "source_url",
]


def confidence_counts(zones: pd.DataFrame) -> pd.DataFrame:
    """Zones per confidence level: every level in order, strongest first, 0 where none. (What
    each level means is in the catalogue, `confidence_meaning.<level>`.)"""
    return _counts(zones["confidence"], CONFIDENCE, "confidence")


def point_check_counts(zones: pd.DataFrame) -> pd.DataFrame:
    """Zones per point check (`vocab.POINT_CHECKS`, meanings in `point_check_meaning.<check>`)."""
    return _counts(zones["point_check"], POINT_CHECKS, "check")


def _counts(values: pd.Series, order: tuple[str, ...], name: str) -> pd.DataFrame:
    counts = values.value_counts()
    return pd.DataFrame([{name: v, "zones": int(counts.get(v, 0))} for v in order])


def dictionary_csv(meanings: dict[str, dict[str, str]]) -> bytes:
    """The data dictionary as a download: each exported column and what it means in each
    language (`meanings`: language -> column -> text, from the catalogues)."""
    langs = list(meanings)
    rows = [
        {"column": c, **{f"meaning_{lang}": meanings[lang][c] for lang in langs}}
        for c in EXPORT_COLUMNS
    ]
    return pd.DataFrame(rows).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


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
