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

# What each exported column means (shown on the Data page; data/README.md says more).
DICTIONARY: dict[str, tuple[str, str]] = {
    "zone_id": ("Stable id (lowercase ASCII), used in links", "稳定编号（小写英文），用于链接"),
    "batch": ("Batch 1–8, in order of approval", "批次（1–8，按批复顺序）"),
    "name_en": ("Name as the reply gives it, in pinyin", "批复中的名称（拼音）"),
    "name_zh": ("Name as the reply gives it", "批复中的名称"),
    "province_en": ("Province-level unit", "所在省级行政区（英文）"),
    "province_zh": ("Province-level unit", "所在省级行政区"),
    "region_en": ("NBS region: East, Central, West, Northeast", "国家统计局四大地区（英文）"),
    "region_zh": ("NBS region, in Chinese", "国家统计局四大地区"),
    "admin_level": (
        "municipality, prefecture, county-level city, autonomous prefecture, new area or "
        "province-wide",
        "级别：直辖市、地级市、县级市、自治州、新区或全省",
    ),
    "approved_on": ("Date of the State Council reply", "国务院批复日期"),
    "revoked_on": ("Date withdrawn, where a source says so", "撤销日期（如有来源）"),
    "document_no": ("Number of the State Council reply (国函)", "国务院批复文号"),
    "confidence": (
        "high, medium, low or unverified: the kind of source that names the zone",
        "来源可信度（高、中、低、未核实）：列明该综试区的来源类型",
    ),
    "lat": ("Latitude of the seat of government, WGS84", "政府驻地纬度（WGS84）"),
    "lon": ("Longitude of the seat of government, WGS84", "政府驻地经度（WGS84）"),
    "precision": (
        "seat: the seat of government; area: a point inside the area",
        "seat：政府驻地；area：区域内的点",
    ),
    "note": ("Caveats", "说明"),
    "source_url": ("The sources read, separated by |", "所依据的来源，以 | 分隔"),
}


# The confidence levels, strongest first, defined by the kind of source read (data/README.md).
CONFIDENCE_LEVELS: dict[str, tuple[str, str]] = {
    "high": (
        "The reply's own text (or a copy or translation of it) or a government website names it",
        "国务院批复原文（或其转载、译文）或政府网站列明",
    ),
    "medium": (
        "A secondary source that lists the whole batch names it",
        "列出整批名单的二手来源（新闻、律所、转载网站）列明",
    ),
    "low": (
        "Only a single secondary mention names it",
        "仅有单一二手来源提及",
    ),
    "unverified": (
        "No source found names it; kept, flagged, so the batch has its published count",
        "未找到列明该综试区的来源；为使批次数量与公布数字一致而保留并标出",
    ),
}


def confidence_counts(zones: pd.DataFrame) -> pd.DataFrame:
    """Zones per confidence level: every level in order, strongest first, 0 where none, with
    what the level means in English and Chinese."""
    counts = zones["confidence"].value_counts()
    return pd.DataFrame(
        [
            {
                "confidence": level,
                "zones": int(counts.get(level, 0)),
                "meaning_en": en,
                "meaning_zh": zh,
            }
            for level, (en, zh) in CONFIDENCE_LEVELS.items()
        ]
    )


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
