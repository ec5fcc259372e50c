"""Finding a place by name for "which zone is nearest?": the shipped offline gazetteer
(prefecture-level divisions and GeoNames places), or Nominatim through geopy when online."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cbec import data

SUFFIXES = ("市", "县", "区", "地区", "盟", "自治州")


@dataclass(frozen=True)
class Place:
    name_en: str
    name_zh: str
    province_en: str
    lat: float
    lon: float
    source: str  # "prefecture", "GeoNames" or "Nominatim"


def load_prefectures(data_dir: Path | None = None) -> pd.DataFrame:
    df = pd.read_csv((data_dir or data.data_dir()) / "prefectures.csv", dtype={"adcode": str})
    df[["name_en", "seat"]] = df[["name_en", "seat"]].fillna("")
    return df


def load_places(data_dir: Path | None = None) -> pd.DataFrame:
    df = pd.read_csv((data_dir or data.data_dir()) / "places.csv")
    df["name_zh"] = df["name_zh"].fillna("")
    return df


def _keys(text: str) -> set[str]:
    text = text.strip().casefold()
    keys = {text}
    for suffix in SUFFIXES:
        if text.endswith(suffix) and len(text) - len(suffix) >= 2:
            keys.add(text.removesuffix(suffix))
    return keys


def find_offline(
    query: str, prefectures: pd.DataFrame, places: pd.DataFrame, limit: int = 5
) -> list[Place]:
    """Exact name matches (English or Chinese, with or without 市/县/...), prefectures first,
    then places by population."""
    wanted = _keys(query[:60])
    if not query.strip():
        return []
    han = any("\u4e00" <= ch <= "\u9fff" for ch in query)
    found: list[Place] = []
    for r in prefectures.itertuples(index=False):
        names = _keys(r.name_zh) | _keys(r.name_en) | _keys(r.seat)
        # "伊犁" finds 伊犁哈萨克自治州: a Chinese query may be the start of a division's name.
        prefix = han and any(n.startswith(w) for w in wanted if len(w) >= 2 for n in names)
        if wanted & names or prefix:
            found.append(Place(r.name_en, r.name_zh, r.province_en, r.lat, r.lon, "prefecture"))
    for r in places.itertuples(index=False):  # already sorted by population, largest first
        if wanted & (_keys(r.name_en) | _keys(r.name_zh)) and not any(
            abs(p.lat - r.lat) < 0.05 and abs(p.lon - r.lon) < 0.05 for p in found
        ):
            found.append(Place(r.name_en, r.name_zh, r.province_en, r.lat, r.lon, "GeoNames"))
    return found[:limit]


def nominatim_domain() -> tuple[str, str]:
    """Where Nominatim is: the public service, or CBEC_NOMINATIM ("host:port", plain http) for
    a local server (tests, a self-hosted instance)."""
    local = os.environ.get("CBEC_NOMINATIM")
    return (local, "http") if local else ("nominatim.openstreetmap.org", "https")


def find_online(query: str, limit: int = 5) -> list[Place]:
    """Nominatim through geopy, restricted to China; raises GeocodeError when it cannot answer."""
    from cbec.geocoders import NominatimProvider, Politeness

    domain, scheme = nominatim_domain()
    provider = NominatimProvider(
        domain=domain, scheme=scheme, politeness=Politeness(timeout=5, attempts=2, backoff=1)
    )
    return [
        Place(loc.address.split(",")[0], "", "", loc.latitude, loc.longitude, "Nominatim")
        for loc in provider.candidates(query[:100])[:limit]
    ]


def online_available() -> bool:
    from cbec.geocoders import network_answers

    domain, scheme = nominatim_domain()
    host, _, port = domain.partition(":")
    return network_answers(host, int(port or (443 if scheme == "https" else 80)))
