"""Finding a place by name for "which zone is nearest?": the shipped offline gazetteer
(prefecture-level divisions and GeoNames places), with near-miss suggestions, and, only when the
operator switches it on, Nominatim through geopy.

Online lookup sends what a visitor typed to a third party, so it is off unless
CBEC_ONLINE_LOOKUP=1 (or `online_lookup = true` in Streamlit's secrets). When on, the whole
process shares one rate limiter (at most one request a second, Nominatim's policy for an
application, not per visitor), one cache of answers, and a short wait: a visitor who would have
to queue longer gets the offline answer instead, so no session blocks another.
"""

from __future__ import annotations

import bisect
import difflib
import os
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

SUFFIXES = ("市", "县", "区", "地区", "盟", "自治州")
# The same words in English and pinyin, as people type them after a name: "Xi'an City",
# "Kashgar Prefecture", "Yiwu Shi".
LATIN_SUFFIXES = (" city", " shi", " prefecture", " county", " district", " league",
                  " autonomous prefecture", " diqu", " xian")  # fmt: skip
MAX_QUERY = 60


@dataclass(frozen=True)
class Place:
    name_en: str
    name_zh: str
    province_en: str
    lat: float
    lon: float
    source: str  # "prefecture", "GeoNames" or "Nominatim"
    seat: str = ""  # English name of the seat, for divisions without an English name
    pinyin: str = ""  # the name in pinyin (the gazetteer's), for those without an English name


def has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def latin_key(text: str) -> str:
    """Letters and digits only, no tone marks, ü and v as u: how a name in Latin letters may be
    typed ("Xi'an", "xi an", "Lüliang", "Lvliang" all give "xian" / "luliang")."""
    flat = unicodedata.normalize("NFKD", text.casefold().replace("ü", "u").replace("v", "u"))
    return "".join(c for c in flat if c.isascii() and c.isalnum())


def _keys(text: str) -> set[str]:
    """The forms a name may be typed in: as written, without 市/县/..., and for Latin letters
    also without spaces, apostrophes, hyphens and tone marks ("xi an", "Xian", "Lvliang")."""
    text = text.strip().casefold()
    keys = {text}
    for suffix in SUFFIXES + LATIN_SUFFIXES:
        if text.endswith(suffix) and len(text) - len(suffix) >= 2:
            keys.add(text.removesuffix(suffix).strip())
    if text.isascii() or any(unicodedata.combining(c) for c in unicodedata.normalize("NFKD", text)):
        keys.add(latin_key(text))
    keys.discard("")
    return keys


class Gazetteer:
    """The offline gazetteer, indexed once: every form of every name (English, Chinese, pinyin,
    the seat's name) maps to its rows, so a lookup reads a dict instead of the 2,439 rows."""

    def __init__(self, prefectures: pd.DataFrame, places: pd.DataFrame):
        self.frames = (prefectures, places)
        self.prefectures = [
            Place(r.name_en, r.name_zh, r.province_en, r.lat, r.lon, "prefecture", r.seat,
                  r.pinyin)
            for r in prefectures.itertuples(index=False)
        ]  # fmt: skip
        self.places = [  # already sorted by population, largest first
            Place(r.name_en, r.name_zh, r.province_en, r.lat, r.lon, "GeoNames", "", r.pinyin)
            for r in places.itertuples(index=False)
        ]
        self.by_key: dict[str, list[tuple[int, int]]] = {}  # key -> (0 prefecture/1 place, row)
        # key -> the place a suggestion for it names (prefectures and the first 1,500 places)
        self.shown: dict[str, tuple[int, int]] = {}
        for kind, rows in enumerate((self.prefectures, self.places)):
            for i, p in enumerate(rows):
                for j, name in enumerate((p.name_en, p.name_zh, p.pinyin, p.seat)):
                    for key in _keys(name) if name else ():
                        self.by_key.setdefault(key, []).append((kind, i))
                        if j < 3 and (kind == 0 or i < 1500):  # a seat's name is not suggested
                            self.shown.setdefault(key, (kind, i))
        self.prefecture_keys = sorted(
            k for k, hits in self.by_key.items() if any(kind == 0 for kind, _ in hits)
        )

    def find(self, query: str, limit: int = 5) -> list[Place]:
        """Exact name matches (English, Chinese or pinyin, with or without 市/县/...),
        prefectures first, then places by population."""
        query = query[:MAX_QUERY]
        if not query.strip():
            return []
        wanted = _keys(query)
        hits = {hit for key in wanted for hit in self.by_key.get(key, ())}
        # "伊犁" finds 伊犁哈萨克自治州: a Chinese query may be the start of a division's name.
        if has_han(query):
            for w in (w for w in wanted if len(w) >= 2):
                i = bisect.bisect_left(self.prefecture_keys, w)
                while i < len(self.prefecture_keys) and self.prefecture_keys[i].startswith(w):
                    hits |= {h for h in self.by_key[self.prefecture_keys[i]] if h[0] == 0}
                    i += 1
        found = [self.prefectures[i] for kind, i in sorted(hits) if kind == 0]
        for kind, i in sorted(hits):
            r = self.places[i] if kind == 1 else None
            if r is not None and not any(_same(p, r) for p in found):
                found.append(r)
        return found[:limit]

    def suggest(self, query: str, n: int = 3) -> list[str]:
        """Names close to a query that found nothing ("Chengdoo" -> "Chengdu", "Kashii" ->
        "Kashi", "成都室" -> "成都市"): each suggestion is a name the finder knows."""
        query = query.strip()[:MAX_QUERY]
        if not query:
            return []
        keys, scored = list(self.shown), dict[str, float]()
        for q in _keys(query):
            for h in difflib.get_close_matches(q, keys, n * 3, 0.75):
                score = difflib.SequenceMatcher(None, q, h).ratio()
                scored[h] = max(score, scored.get(h, 0.0))
        # best first; ties to the bigger place (its GeoNames population rank), then by name:
        # the same answer in every process, whatever the hash seed
        ranked = sorted(scored, key=lambda h: (-scored[h], self._rank(h), h))
        han = has_han(query)
        places = dict.fromkeys(self.shown[h] for h in ranked)  # one suggestion per place
        names = [self._name(kind, i, han) for kind, i in places]
        return list(dict.fromkeys(n_ for n_ in names if n_))[:n]

    def _rank(self, key: str) -> int:
        """How big the place a key names is: its GeoNames row (sorted by population), or after
        all of them for a division GeoNames does not list under that name."""
        return min((i for kind, i in self.by_key[key] if kind == 1), default=len(self.places))

    def _name(self, kind: int, i: int, han: bool) -> str:
        """A place's usual name in the query's script: Chinese for a Chinese query; else its
        English name (Lhasa, not the pinyin Lasa), else its pinyin."""
        p = (self.prefectures, self.places)[kind][i]
        return (p.name_zh or p.name_en) if han else (p.name_en or p.pinyin or p.name_zh)


def _same(p: Place, r: Place) -> bool:
    """Whether place `r` is `p` again: at the same point, or a division's namesake seat near its
    government (Harbin the GeoNames place, 10 km from 哈尔滨市's seat; Dali beside 大理州)."""
    if abs(p.lat - r.lat) < 0.05 and abs(p.lon - r.lon) < 0.05:
        return True
    named = p.source == "prefecture" and r.name_en in (p.name_en, p.seat)
    return named and abs(p.lat - r.lat) + abs(p.lon - r.lon) < 0.5


_INDEXES: dict[tuple[int, int], Gazetteer] = {}
_INDEX_LOCK = threading.Lock()


def gazetteer(prefectures: pd.DataFrame, places: pd.DataFrame) -> Gazetteer:
    """The index of these two frames, built on first use and kept (one per dataset)."""
    key = (id(prefectures), id(places))
    with _INDEX_LOCK:
        found = _INDEXES.get(key)
        if found is None or found.frames[0] is not prefectures or found.frames[1] is not places:
            _INDEXES.clear()  # one dataset at a time: yesterday's frames are let go
            found = _INDEXES[key] = Gazetteer(prefectures, places)
        return found


def find_offline(
    query: str, prefectures: pd.DataFrame, places: pd.DataFrame, limit: int = 5
) -> list[Place]:
    return gazetteer(prefectures, places).find(query, limit)


def suggest(query: str, prefectures: pd.DataFrame, places: pd.DataFrame, n: int = 3) -> list[str]:
    return gazetteer(prefectures, places).suggest(query, n)


# --- online, opt-in -----------------------------------------------------------------------------


def online_enabled(secrets: Mapping[str, object] | None = None) -> bool:
    """Whether the operator switched online lookup on (environment or Streamlit secrets)."""
    if os.environ.get("CBEC_ONLINE_LOOKUP", "").strip().lower() in ("1", "true", "yes", "on"):
        return True
    try:
        return bool(secrets and secrets.get("online_lookup", False) is True)
    except Exception:  # secrets.toml missing or unreadable: off
        return False


def nominatim_domain() -> tuple[str, str]:
    """Where Nominatim is: the public service, or CBEC_NOMINATIM ("host:port", plain http) for
    a local server (tests, a self-hosted instance)."""
    local = os.environ.get("CBEC_NOMINATIM")
    return (local, "http") if local else ("nominatim.openstreetmap.org", "https")


class RateLimiter:
    """One request at a time, at least `interval` seconds apart, counted from the end of the
    previous one, for the whole process. A caller that would wait longer than `max_wait` is
    told so at once (returns False) instead of queueing."""

    def __init__(self, interval: float = 1.0, max_wait: float = 2.0):
        self.interval, self.max_wait = interval, max_wait
        self._lock = threading.Lock()
        self._next = 0.0  # monotonic time the next request may start
        self.started: list[float] = []  # start times, for tests and the benchmark

    def run(self, call):
        """`call()` in the next free slot, or raise Busy if that slot is too far away."""
        deadline = time.monotonic() + self.max_wait
        if not self._lock.acquire(timeout=self.max_wait):
            raise Busy("another lookup is running")
        try:
            wait = self._next - time.monotonic()
            if time.monotonic() + max(wait, 0) > deadline:
                raise Busy("rate limit: one request a second")
            if wait > 0:
                time.sleep(wait)
            self.started.append(time.monotonic())
            try:
                return call()
            finally:
                self._next = time.monotonic() + self.interval
        finally:
            self._lock.release()


class Busy(Exception):
    """The online lookup is busy; answer offline."""


class OnlineLookup:
    """Nominatim through geopy for the whole process: one limiter, one cache of answers (a
    query asked again, by anyone, costs no request), a short timeout."""

    def __init__(self, limiter: RateLimiter | None = None, cache_size: int = 2048):
        self.limiter = limiter or RateLimiter()
        self._cache: OrderedDict[str, list[Place]] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._cache_size = cache_size

    def find(self, query: str, limit: int = 5) -> list[Place]:
        """Places for `query`; raises GeocodeError (no answer) or Busy (try offline)."""
        from cbec.geocoders import NominatimProvider, Politeness

        key = query.strip().casefold()[:MAX_QUERY]
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        domain, scheme = nominatim_domain()
        provider = NominatimProvider(
            domain=domain,
            scheme=scheme,
            politeness=Politeness(min_interval=0, timeout=4, attempts=1, backoff=0),
        )
        found = self.limiter.run(lambda: provider.candidates(query[:MAX_QUERY]))
        places = [
            Place(loc.address.split(",")[0], "", "", loc.latitude, loc.longitude, "Nominatim")
            for loc in found[:limit]
        ]
        with self._cache_lock:
            self._cache[key] = places
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return places


ONLINE = OnlineLookup()  # the process's one limiter and cache
