"""The URL codec: Filters and language <-> query parameters, with no Streamlit inside.

Short readable keys (`?batch=1&batch=2&region=west&q=xi`); only values that differ from the
default are written; unknown keys are ignored; bad values (unknown batch, junk dates, huge
strings, too many values) are dropped and reported, never raised. Renamed keys keep working
through ALIASES.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from cbec.data import slugify
from cbec.filters import DEFAULT_BATCHES, FIRST_DAY, MAX_QUERY, Filters
from cbec.i18n import LANGS

KEYS = ("batch", "region", "province", "q", "date", "zone", "basemap", "city", "place", "k", "lang")
ALIASES = {"batches": "batch", "regions": "region", "provinces": "province", "search": "q"}
MAX_VALUES = 40  # per key: more than any real selection (31 provinces)
MAX_LEN = 64  # characters per value


@dataclass(frozen=True)
class UrlContext:
    """What valid values are: built from the data once."""

    batches: tuple[int, ...]
    regions: tuple[str, ...]  # region_en
    provinces: tuple[str, ...]  # province_en
    zones: frozenset[str]
    today: dt.date
    cities: frozenset[str] = frozenset()  # adcodes of the prefecture-level divisions

    def region_slug(self, region: str) -> str:
        return slugify(region)

    def province_slug(self, province: str) -> str:
        return slugify(province)


MAX_PLACE = 60
K_RANGE = (1, 10)


@dataclass(frozen=True)
class NearestQuery:
    """The nearest-zone page's question: a city from the list, or a typed place name."""

    city: str | None = None  # adcode
    place: str = ""
    k: int = 5


@dataclass(frozen=True)
class State:
    filters: Filters = field(default_factory=Filters)
    lang: str = "en"
    nearest: NearestQuery = field(default_factory=NearestQuery)


def _values(params: Mapping[str, Sequence[str] | str], key: str) -> list[str]:
    out: list[str] = []
    for k in (key, *[a for a, target in ALIASES.items() if target == key]):
        v = params.get(k, [])
        out += [v] if isinstance(v, str) else list(v)
    return out


def decode(params: Mapping[str, Sequence[str] | str], ctx: UrlContext) -> tuple[State, list[str]]:
    """State from query parameters, and a list of the `key=value` pairs that were dropped."""
    dropped: list[str] = []

    def drop(key: str, value: str) -> None:
        shown = value if len(value) <= 20 else value[:17] + "..."
        dropped.append(f"{key}={shown}")

    def pick(key: str, allowed: Mapping[str, object]) -> tuple:
        values = _values(params, key)
        if len(values) > MAX_VALUES:
            drop(key, f"({len(values)} values)")
            return ()
        chosen = []
        for v in values:
            norm = v.strip().lower()[:MAX_LEN]
            if norm in allowed and allowed[norm] not in chosen:
                chosen.append(allowed[norm])
            elif norm not in allowed:
                drop(key, v)
        return tuple(chosen)

    f = Filters()
    batch_values = [v.strip().lower() for v in _values(params, "batch")]
    if batch_values == ["none"]:
        f = replace(f, batches=())
    elif "all" in batch_values:  # a convenience: ?batch=all
        f = replace(f, batches=tuple(ctx.batches))
    elif batch_values:
        batches = pick("batch", {str(b): b for b in ctx.batches})
        f = replace(f, batches=tuple(sorted(batches)) or DEFAULT_BATCHES)
    f = replace(f, regions=pick("region", {ctx.region_slug(r): r for r in ctx.regions}))
    f = replace(f, provinces=pick("province", {ctx.province_slug(p): p for p in ctx.provinces}))

    q = _values(params, "q")
    if q:
        if len(q) == 1 and len(q[0]) <= MAX_QUERY and q[0].isprintable():
            f = replace(f, q=q[0].strip())
        else:
            drop("q", q[0] if len(q) == 1 else f"({len(q)} values)")

    date = _values(params, "date")
    if date:
        try:
            day = dt.date.fromisoformat(date[0]) if len(date) == 1 and len(date[0]) == 10 else None
        except ValueError:
            day = None
        if day is not None and FIRST_DAY <= day <= ctx.today:
            f = replace(f, as_of=None if day == ctx.today else day)
        else:
            drop("date", date[0])

    zone = _values(params, "zone")
    if zone:
        if len(zone) == 1 and zone[0] in ctx.zones:
            f = replace(f, zone=zone[0])
        else:
            drop("zone", zone[0])

    basemap = _values(params, "basemap")
    if basemap:
        if basemap[0] in ("1", "0"):
            f = replace(f, basemap=basemap[0] == "1")
        else:
            drop("basemap", basemap[0])

    lang = "en"
    for v in _values(params, "lang")[:1]:
        if v in LANGS:
            lang = v
        else:
            drop("lang", v)

    nq = NearestQuery()
    for v in _values(params, "city")[:1]:
        if v in ctx.cities:
            nq = replace(nq, city=v)
        else:
            drop("city", v)
    for v in _values(params, "place")[:1]:
        if len(v) <= MAX_PLACE and v.isprintable() and v.strip():
            nq = replace(nq, place=v.strip())
        else:
            drop("place", v)
    for v in _values(params, "k")[:1]:
        if v.isdigit() and K_RANGE[0] <= int(v) <= K_RANGE[1]:
            nq = replace(nq, k=int(v))
        else:
            drop("k", v)
    return State(f, lang, nq), dropped


def encode(state: State, ctx: UrlContext) -> dict[str, list[str] | str]:
    """Query parameters for a state: only the values that differ from the default."""
    f, default = state.filters, Filters()
    out: dict[str, list[str] | str] = {}
    if not f.batches:
        out["batch"] = "none"
    elif f.batches != default.batches:
        out["batch"] = [str(b) for b in sorted(f.batches)]
    if f.regions:
        out["region"] = [ctx.region_slug(r) for r in f.regions]
    if f.provinces:
        out["province"] = [ctx.province_slug(p) for p in f.provinces]
    if f.q.strip():
        out["q"] = f.q.strip()[:MAX_QUERY]
    if f.as_of is not None and f.as_of != ctx.today:
        out["date"] = f.as_of.isoformat()
    if f.zone:
        out["zone"] = f.zone
    if f.basemap:
        out["basemap"] = "1"
    nq, nd = state.nearest, NearestQuery()
    if nq.city:
        out["city"] = nq.city
    if nq.place:
        out["place"] = nq.place[:MAX_PLACE]
    if nq.k != nd.k:
        out["k"] = str(nq.k)
    if state.lang != "en":
        out["lang"] = state.lang
    return out
