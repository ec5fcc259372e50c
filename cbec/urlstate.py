"""The view's state and its URL codec, as one table of keys, with no Streamlit inside.

Every query parameter is one row of `KEYS`: the State field it sets, the pages whose URL carries
it, a parser that turns the URL's values into a value or a reason to drop them, an encoder, and
the line the README shows. Only values that differ from the default are written, and only on the
pages the key belongs to; unknown keys are ignored; every value that is dropped (junk, out of
range, an extra value of a single-valued key) is named, never raised. Renamed keys keep working
through ALIASES. Modelled on owid-grapher's query-parameter parsers and datasette's facets.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from cbec import i18n
from cbec.filters import DEFAULT_BATCHES, FIRST_DAY, MAX_QUERY, Filters
from cbec.vocab import slugify

LANGS = i18n.LANGS  # the languages with a catalogue file
MAX_VALUES = 40  # per key: more than any real selection (31 provinces)
MAX_LEN = 64  # characters of a value looked at
MAX_PLACE = 60
K_RANGE = (1, 10)
COLOR_MODES = ("story", "batch")  # earlier vs new (the default view's story), or one per batch
ASCII_INT = re.compile(r"[0-9]{1,4}")  # "²", "①", "٣" and full-width digits are not numbers here
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAP, PRIORITIES, NEAREST, DATA = "map", "regional_priorities", "nearest_zone", "data_and_sources"
PAGES = (MAP, PRIORITIES, NEAREST, DATA)
ALIASES = {"batches": "batch", "regions": "region", "provinces": "province", "search": "q"}


@dataclass(frozen=True)
class UrlContext:
    """What valid values are: built from the data once per data version."""

    batches: tuple[int, ...]
    regions: tuple[str, ...]  # region_en
    provinces: tuple[str, ...]  # province_en
    zones: frozenset[str]
    today: dt.date
    cities: frozenset[str] = frozenset()  # adcodes of the prefecture-level divisions


@dataclass(frozen=True)
class State:
    """Everything a link can say about a view. The map page's filters are `filters`."""

    batches: tuple[int, ...] = DEFAULT_BATCHES
    regions: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    q: str = ""
    as_of: dt.date | None = None  # None means today, so a link always shows the current map
    zone: str | None = None  # the selected zone_id
    color: str = "story"
    city: str | None = None  # nearest-zone page: adcode of a prefecture-level division
    place: str = ""  # nearest-zone page: a typed place name
    k: int = 5  # nearest-zone page: how many zones to list
    lang: str = "en"

    @property
    def filters(self) -> Filters:
        return Filters(self.batches, self.regions, self.provinces, self.q, self.as_of)

    def day(self, today: dt.date) -> dt.date:
        return self.as_of or today


@dataclass(frozen=True)
class Parsed:
    """A parser's answer: the value (or None to keep the default) and what it dropped."""

    value: Any = None
    dropped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Key:
    name: str
    field: str  # the State field it sets
    pages: tuple[str, ...]  # the pages whose URL carries it
    parse: Callable[[str, list[str], UrlContext], Parsed]
    encode: Callable[[Any, UrlContext], list[str]]
    values: str  # for the README: what it accepts
    example: str  # for the README: a link


def shown(key: str, value: str) -> str:
    """`key=value` as a notice names it, cut to a readable length."""
    value = value if len(value) <= 24 else value[:21] + "..."
    return f"{key}={value}"


# --- parsers: (key name, the URL's values, context) -> Parsed -----------------------------------


def _one(check: Callable[[str, UrlContext], Any]) -> Callable[[str, list[str], UrlContext], Parsed]:
    """A single-valued key: the first value that `check` accepts wins; every other value
    (junk, or a second value) is dropped."""

    def parse(key: str, values: list[str], ctx: UrlContext) -> Parsed:
        chosen, dropped = None, []
        for v in values:
            ok = check(v, ctx) if chosen is None else None
            if ok is None:
                dropped.append(shown(key, v))
            else:
                chosen = ok
        return Parsed(chosen, dropped)

    return parse


def _many(lookup: Callable[[UrlContext], Mapping[str, Any]], sort: bool = False):
    """A repeated key: each value found (case-insensitively) in `lookup(ctx)` is kept once, in
    the order given (or sorted); unknown values are dropped one by one."""

    def parse(key: str, values: list[str], ctx: UrlContext) -> Parsed:
        if len(values) > MAX_VALUES:
            return Parsed(None, [shown(key, f"({len(values)} values)")])
        table, chosen, dropped = lookup(ctx), [], []
        for v in values:
            found = table.get(v.strip().lower()[:MAX_LEN])
            if found is None:
                dropped.append(shown(key, v))
            elif found not in chosen:
                chosen.append(found)
        if not chosen:
            return Parsed(None, dropped)
        return Parsed(tuple(sorted(chosen) if sort else chosen), dropped)

    return parse


def _batches(key: str, values: list[str], ctx: UrlContext) -> Parsed:
    """1-8 repeated, or `all`, or `none` (alone)."""
    words = [v.strip().lower() for v in values]
    if "all" in words or "none" in words:
        word = "all" if "all" in words else "none"
        first = words.index(word)
        dropped = [shown(key, v) for i, v in enumerate(values) if i != first]
        return Parsed(tuple(ctx.batches) if word == "all" else (), dropped)
    return _many(lambda c: {str(b): b for b in c.batches}, sort=True)(key, values, ctx)


def _text(limit: int) -> Callable[[str, UrlContext], str | None]:
    def check(v: str, ctx: UrlContext) -> str | None:
        v = v.strip()
        return v if v and len(v) <= limit and v.isprintable() else None

    return check


def _day(v: str, ctx: UrlContext) -> dt.date | None:
    if not ISO_DATE.fullmatch(v):
        return None
    try:
        day = dt.date.fromisoformat(v)
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= ctx.today else None


def _k(v: str, ctx: UrlContext) -> int | None:
    if not ASCII_INT.fullmatch(v):
        return None
    n = int(v)
    return n if K_RANGE[0] <= n <= K_RANGE[1] else None


def _choice(options: Sequence[str]) -> Callable[[str, UrlContext], str | None]:
    return lambda v, ctx: v if v in options else None


# --- encoders: value -> the URL's values ---------------------------------------------------------


def _enc_batches(v: tuple[int, ...], ctx: UrlContext) -> list[str]:
    if not v:
        return ["none"]
    if tuple(sorted(v)) == tuple(ctx.batches) and len(ctx.batches) > 3:
        return ["all"]
    return [str(b) for b in sorted(v)]


KEYS: tuple[Key, ...] = (
    Key("batch", "batches", (MAP,), _batches, _enc_batches,
        "1–8, repeated; `all`; `none`", "?batch=4&batch=5"),
    Key("region", "regions", (MAP,),
        _many(lambda c: {slugify(r): r for r in c.regions}),
        lambda v, c: [slugify(r) for r in v],
        "`east`, `central`, `west`, `northeast`, repeated", "?region=west"),
    Key("province", "provinces", (MAP,),
        _many(lambda c: {slugify(p): p for p in c.provinces}),
        lambda v, c: [slugify(p) for p in v],
        "province name in lowercase, hyphenated, repeated", "?province=inner-mongolia"),
    Key("q", "q", (MAP,), _one(_text(MAX_QUERY)), lambda v, c: [v[:MAX_QUERY]],
        f"search text, up to {MAX_QUERY} characters", "?q=xi"),
    Key("date", "as_of", (MAP, PRIORITIES), _one(_day), lambda v, c: [v.isoformat()],
        f"the map as it stood on that day, {FIRST_DAY} to today; one date for both pages",
        "?date=2019-01-01"),
    Key("zone", "zone", (MAP,), _one(lambda v, c: v if v in c.zones else None),
        lambda v, c: [v], "the selected zone's id (see `data/zones.csv`)", "?zone=xian"),
    Key("color", "color", (MAP,), _one(_choice(COLOR_MODES)), lambda v, c: [v],
        "`batch` to colour every batch apart (default: earlier vs newest batch)",
        "?color=batch"),
    Key("city", "city", (NEAREST,), _one(lambda v, c: v if v in c.cities else None),
        lambda v, c: [v],
        "a prefecture-level division's adcode (`data/prefectures.csv`)",
        "nearest_zone?city=330100"),
    Key("place", "place", (NEAREST,), _one(_text(MAX_PLACE)), lambda v, c: [v[:MAX_PLACE]],
        f"a place name, up to {MAX_PLACE} characters",
        "nearest_zone?place=Yiwu"),
    Key("k", "k", (NEAREST,), _one(_k), lambda v, c: [str(v)],
        f"how many zones to list, {K_RANGE[0]}–{K_RANGE[1]}",
        "nearest_zone?k=3"),
    Key("lang", "lang", PAGES, _one(_choice(LANGS)), lambda v, c: [v],
        "`zh` for the Chinese interface", "?lang=zh"),
)  # fmt: skip
BY_NAME = {k.name: k for k in KEYS}


def _values(params: Mapping[str, Sequence[str] | str], key: str) -> list[str]:
    out: list[str] = []
    for k in (key, *[a for a, target in ALIASES.items() if target == key]):
        v = params.get(k, [])
        out += [v] if isinstance(v, str) else list(v)
    return out


def decode(
    params: Mapping[str, Sequence[str] | str],
    ctx: UrlContext,
    keys: set[str] | None = None,
    base: State | None = None,
) -> tuple[State, list[str]]:
    """State from query parameters, and the `key=value` pairs that were dropped. With `keys`,
    only those keys are read (a key absent from `params` returns to its default) and every
    other field keeps its value from `base`."""
    state, dropped, default = base or State(), [], State()
    for key in KEYS:
        if keys is not None and key.name not in keys:
            continue
        value = getattr(default, key.field)
        values = _values(params, key.name)
        if values:
            parsed = key.parse(key.name, values, ctx)
            dropped += parsed.dropped
            if parsed.value is not None:
                value = parsed.value
                if key.field == "as_of" and value == ctx.today:
                    value = None
        state = replace(state, **{key.field: value})
    return state, dropped


def changed_keys(
    now: Mapping[str, Sequence[str] | str], before: Mapping[str, Sequence[str] | str], page: str
) -> set[str]:
    """The keys whose values differ between two URLs of one session: what the visitor changed
    by hand, by Back or Forward, or by a link. A key missing from `now` counts only if it
    belongs to `page` (another page's keys are not in this page's URL)."""
    out = set()
    for key in KEYS:
        a, b = _values(now, key.name), _values(before, key.name)
        if a != b and (a or page in key.pages):
            out.add(key.name)
    return out


def encode(state: State, ctx: UrlContext, page: str | None = None) -> dict[str, list[str] | str]:
    """Query parameters for a state: the values that differ from the default, for the keys of
    `page` (all keys when None). A single value is a str, several a list."""
    default, out = State(), {}
    for key in KEYS:
        if page is not None and page not in key.pages:
            continue
        value = getattr(state, key.field)
        if value == getattr(default, key.field) or (key.field == "as_of" and value == ctx.today):
            continue
        values = key.encode(value, ctx)
        out[key.name] = values[0] if len(values) == 1 else values
    return out


def for_page(params: Mapping[str, list[str] | str], page: str) -> dict[str, list[str] | str]:
    """The part of an encoded state (`encode(state, ctx)`, every page's keys) that `page`'s
    URL carries: the state is encoded once per run, and each page link takes its keys."""
    return {k: v for k, v in params.items() if page in BY_NAME[k].pages}


def sanitize(candidate: State, ctx: UrlContext) -> tuple[State, list[str]]:
    """Hold a state made from widget values and map selections to the URL's rules: each value
    goes through its key's encoder and parser, as if it had come in a link. What would not
    survive is set to the default and named."""
    state, dropped, default = candidate, [], State()
    for key in KEYS:
        value = getattr(candidate, key.field)
        if value == getattr(default, key.field):
            continue
        try:
            values = key.encode(value, ctx)
        except (AttributeError, TypeError, ValueError):
            values = [str(value)]
        parsed = key.parse(key.name, values, ctx)
        good = parsed.value
        if key.field == "as_of" and good == ctx.today:
            good = None
        if parsed.dropped or good != value:
            dropped += parsed.dropped or [shown(key.name, ",".join(values))]
            kept = good if good is not None else getattr(default, key.field)
            state = replace(state, **{key.field: kept})
    return state, dropped


def check_table() -> list[str]:
    """Problems with the table itself: a State field without a key, or a key without a field."""
    names = {f.name for f in fields(State)}
    keyed = [k.field for k in KEYS]
    problems = [f"State.{n} has no key" for n in sorted(names - set(keyed))]
    problems += [
        f"key {k.name!r} sets unknown field {k.field!r}" for k in KEYS if k.field not in names
    ]
    problems += [f"key {k.name!r} has unknown page" for k in KEYS if set(k.pages) - set(PAGES)]
    return problems


PAGE_NAMES = {MAP: "map", PRIORITIES: "regional priorities", NEAREST: "nearest zone",
              DATA: "data and sources"}  # fmt: skip


def readme_table() -> str:
    """The README's table of link keys, made from KEYS (a test holds the README to it)."""
    rows = ["| key | values | pages | example |", "|---|---|---|---|"]
    for k in KEYS:
        pages = (
            "every page"
            if set(k.pages) == set(PAGES)
            else ", ".join(PAGE_NAMES[p] for p in k.pages)
        )
        rows.append(f"| `{k.name}` | {k.values} | {pages} | `{k.example}` |")
    return "\n".join(rows)
