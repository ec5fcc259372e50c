"""The pydeck maps: China from files the project ships, the zones as points, offline.

Where the bytes go: Streamlit re-sends a chart's whole JSON on every rerun. So everything that does
not change with the view is a file the browser fetches once and keeps: the province outlines,
the South China Sea inset, and the zone points themselves (written once per data version to
`static/generated/`, both languages). The deck a rerun sends holds only what the view chooses:
which batches, regions and provinces (as deck.gl's DataFilterExtension categories, filtered on
the GPU), the date, the colours and the selection. A filter change therefore sends about the same
few kilobytes at 181 zones or at 18,100. JSON is compact UTF-8 (`CompactDeck`).

Geometry helpers (`fit`, label placement) are plain arithmetic in Web Mercator, tested without a
browser.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import logging
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings import deck as _pydeck_deck
from pydeck.bindings.json_tools import default_serialize

from cbec import colors, layers, paths, vocab
from cbec.data import Dataset
from cbec.selection import NEVER, Categories, Selection, day_number, keep, point_fields

TILE = 512  # deck.gl's world size in pixels at zoom 0
# What the country view must show: the mainland, Hainan, and the South China Sea inset box
# (static/south_china_sea.geojson, built by cbec.pipeline.boundaries) in the lower right.
CHINA_BOUNDS = (73.4, 17.0, 135.1, 53.6)
MIN_ZOOM, MAX_ZOOM = 1.5, 10.0
POINT_RADIUS = 6  # pixels
WITHDRAWN_EDGE = 1.75  # pixels: the dark hairline's radius beyond the ring's (2.5 px wide)
# A dashed ring drawn around a zone that no source found names (an icon, inline: no request).
DASHED_RING = (
    "data:image/svg+xml;base64,"
    + base64.b64encode(
        b"<svg xmlns='http://www.w3.org/2000/svg' width='64' height='64'>"
        b"<circle cx='32' cy='32' r='27' fill='none' stroke='#282828' stroke-width='5' "
        b"stroke-dasharray='8 6'/></svg>"
    ).decode()
)
CARTO_LIGHT = "https://basemaps.cartocdn.com/gl/positron-gl-style/style.json"
# The map's width (px) before the browser has said: the narrowest column of each kind (a 1400 px
# window with the sidebar gives 680, a 360 px phone 328), so a first map is at worst a little
# small, never cut (the deck is drawn at the width it was fitted for).
DEFAULT_WIDTH = {"desktop": 680, "phone": 320}

log = logging.getLogger("cbec")


# pydeck's Deck() asks on every construction whether Jupyter widgets are installed (an import
# attempt each time: the largest cost of a new deck under load). The answer cannot change while
# the process runs, so it is asked once.
if not hasattr(_pydeck_deck.has_jupyter_extra, "cache_info"):
    _pydeck_deck.has_jupyter_extra = functools.cache(_pydeck_deck.has_jupyter_extra)


class CompactDeck(pdk.Deck):
    """A Deck whose JSON is compact UTF-8 (the same spec, a third of the bytes), made once per
    Deck object, so a cached Deck costs nothing to send again."""

    _json: str | None = None

    def to_json(self) -> str:
        if self._json is None:
            self._json = json.dumps(
                self,
                sort_keys=True,
                default=default_serialize,
                separators=(",", ":"),
                ensure_ascii=False,
            )
        return self._json


# --- geometry -----------------------------------------------------------------------------------


def _merc_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _unmerc(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def fit(
    bounds: tuple[float, float, float, float], width: int, height: int, padding: int = 8
) -> tuple[float, float, float]:
    """(latitude, longitude, zoom) showing `bounds` (lon0, lat0, lon1, lat1) whole in a map of
    width x height pixels, as deck.gl's WebMercatorViewport.fitBounds does."""
    lon0, lat0, lon1, lat1 = bounds
    dx = math.radians(lon1 - lon0)
    dy = _merc_y(lat1) - _merc_y(lat0)
    w, h = max(width - 2 * padding, 50), max(height - 2 * padding, 50)
    scale = min(w / dx, h / dy)  # pixels per radian
    zoom = math.log2(scale * 2 * math.pi / TILE)
    lat = _unmerc((_merc_y(lat0) + _merc_y(lat1)) / 2)
    return round(lat, 4), round((lon0 + lon1) / 2, 4), round(zoom, 3)


def height_for(width: int) -> int:
    """A map height that holds China at `width` without wasted sea: the bounds' shape, kept
    between a phone's and a desktop's sensible heights."""
    lon0, lat0, lon1, lat1 = CHINA_BOUNDS
    aspect = math.radians(lon1 - lon0) / (_merc_y(lat1) - _merc_y(lat0))
    return int(min(max(width / aspect + 16, 260), 620))


def to_pixel(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """Web Mercator world pixels at `zoom` (deck.gl's 512-pixel tiles)."""
    size = TILE * 2**zoom
    return (lon + 180) / 360 * size, (1 - _merc_y(lat) / math.pi) / 2 * size


# --- the zone points file -----------------------------------------------------------------------


# The points file's fields, short because every zone carries them to every browser: one table
# that the records, the deck's expressions, the tooltip and the tests read (a test checks each
# use against it).
POINT_FIELDS: dict[str, str] = {
    "id": "zone_id",
    "i": "the zone's row in the zones table",
    "p": "[lon, lat], 3 decimals (about 100 m)",
    "b": "batch",
    "rg": "region, as its index in vocab.REGIONS",
    "pv": "province, as its index in provinces.csv",
    "a": "approval, as a day number (selection.day_number)",
    "r": "withdrawal, as a day number; selection.NEVER if never withdrawn",
    "ap": "1 where the point is approximate (the centre of the zone's area)",
    "uv": "1 where no source names the zone (unverified)",
    "en": "name in English",
    "zh": "name in Chinese",
    "pen": "province in English",
    "pzh": "province in Chinese",
    "ren": "region in English",
    "rzh": "region in Chinese",
    "aen": "approval date, English text",
    "azh": "approval date, Chinese text",
    "doc": "the State Council document's number",
}


def zone_records(ds: Dataset) -> list[dict]:
    """One record per zone with everything any view needs, in both languages: the browser
    fetches them once; views choose by batch, region and province index and day numbers."""
    z = ds.zones
    province_index = {p: i for i, p in enumerate(ds.provinces["province_en"])}
    region_zh = dict(zip(vocab.REGIONS, [vocab.REGION_ZH[r] for r in vocab.REGIONS], strict=True))
    out = []
    for i, r in enumerate(z.itertuples(index=False)):
        revoked = NEVER if pd.isna(r.revoked_on) else day_number(r.revoked_on)
        out.append(
            {
                "id": r.zone_id,
                "i": i,
                "p": [round(r.lon, 3), round(r.lat, 3)],
                "b": int(r.batch),
                "rg": vocab.REGIONS.index(r.region_en),
                "pv": province_index[r.province_en],
                "a": day_number(r.approved_on),
                "r": revoked,
                "ap": int(r.precision != "seat"),
                "uv": int(r.confidence == "unverified"),
                "en": r.name_en,
                "zh": r.name_zh,
                "pen": r.province_en,
                "pzh": r.province_zh,
                "ren": r.region_en,
                "rzh": region_zh[r.region_en],
                "aen": f"{r.approved_on.day} {r.approved_on:%b} {r.approved_on.year}",
                "azh": f"{r.approved_on.year}年{r.approved_on.month}月{r.approved_on.day}日",
                "doc": r.document_no,
            }
        )
    return out


@dataclass(frozen=True)
class Generated:
    """A file the app writes for the browser to fetch once: its name (made from its content,
    so the browser may keep it) and its text."""

    name: str
    text: str


def generated(records: list[dict], stem: str) -> Generated:
    text = json.dumps(records, ensure_ascii=False, separators=(",", ":"))
    return Generated(f"{stem}-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json", text)


_unwritable: set[str] = set()  # names already logged as unwritable (logged once, not per run)


def served(file: Generated) -> str | None:
    """The file's URL under static/; written (atomically) when it is not there, on every call,
    so a file removed while the server runs (`git clean -X`) is written again by the next run.
    None when it cannot be written (a read-only disk): the caller then sends the records
    itself, and the log says why, once."""
    path = paths.GENERATED / file.name
    try:
        if not path.is_file():
            paths.write_text_atomic(path, file.text)
    except OSError as exc:
        if file.name not in _unwritable:
            _unwritable.add(file.name)
            log.warning("cannot write %s (%s): the pages send its records instead", file.name,
                        exc.strerror or type(exc).__name__)  # fmt: skip
        return None
    return f"app/static/generated/{file.name}"


def points_url(ds: Dataset) -> str | None:
    """This dataset's zone points as a file the browser fetches once."""
    return served(_points_file(ds))


def _points_file(ds: Dataset) -> Generated:
    return ds.derived("points_file", lambda: generated(zone_records(ds), "zones"))


def _labels(ds: Dataset, zoom: float, lang: str) -> tuple[list[dict], Generated]:
    """The province names placed for `zoom` in `lang`, with the inset's name, and their file."""
    key, zoom = ("pz" if lang == "zh" else "pe"), label_zoom(zoom)

    def make() -> tuple[list[dict], Generated]:
        records = [{"p": r[key], "t": r[lang]} for r in label_records(ds, zoom) if key in r]
        records.append({"p": scs_label_at(zoom, lang), "t": SCS_LABEL[lang]})
        return records, generated(records, f"labels-{lang}")

    return ds.derived(("labels_data", zoom, lang), make)


def labels_data(ds: Dataset, zoom: float, lang: str) -> str | list[dict]:
    """The province names placed for `zoom` in `lang`: a file's URL (or the records, when the
    file cannot be written)."""
    records, file = _labels(ds, zoom, lang)
    return served(file) or records


def label_zooms() -> list[float]:
    """Every zoom names are placed for: whatever a map's zoom (MIN_ZOOM to MAX_ZOOM, whatever
    its width), `label_zoom` brings it to one of these."""
    low, high = label_zoom(MIN_ZOOM), label_zoom(MAX_ZOOM)
    return [low + i / 4 for i in range(int((high - low) * 4) + 1)]


def static_files(ds: Dataset) -> list[Generated]:
    """Every generated file a page of this dataset can send a browser to fetch. A server
    writes them all before its first visitor (`scripts/build_static.py`, run by the image's
    build and by deploy/replicas.py): a replica that had not yet drawn a view would answer
    404 for its file to a visitor (an embed keeps no cookie) whom the balancer sent there."""
    files = [_points_file(ds)]
    files += [_labels(ds, z, lang)[1] for z in label_zooms() for lang in ("en", "zh")]
    return files


# --- province labels ----------------------------------------------------------------------------


def _inside(xs: np.ndarray, ys: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Even-odd point-in-polygon for many points at once."""
    x1, y1, x2, y2 = ring[:-1, 0], ring[:-1, 1], ring[1:, 0], ring[1:, 1]
    px, py = xs[:, None], ys[:, None]
    crosses = (y1 > py) != (y2 > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        xcross = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
    return ((crosses & (px < xcross)).sum(axis=1) % 2) == 1


LABEL_SIZE = 11  # pixels
# deck.gl's glyph atlas cuts what a glyph draws left of its origin: the hook of "j" and "J".
# Compared side by side in Chromium, the Arial-metric face loses least of it ("Heilongjiang"
# read "Heilong jiang" in Noto Sans CJK's Latin, "Jiangxi" read "|iangxi" in DejaVu Sans).
# Chinese names in Noto Sans CJK (Debian's fonts-noto-cjk).
LABEL_FONT = {
    "en": '"Liberation Sans, Arial, Helvetica, sans-serif"',
    "zh": '"Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"',
}
SCS_LABEL = {"en": "South China Sea\nIslands", "zh": "南海诸岛"}
SCS_FRAME = (124.8, 134.8, 17.0)  # the inset's frame: west and east edges, foot (degrees)


def _pixels(lonlat: np.ndarray, zoom: float) -> np.ndarray:
    size = TILE * 2**zoom
    lat = np.radians(np.clip(lonlat[:, 1], -85, 85))
    x = (lonlat[:, 0] + 180) / 360 * size
    y = (1 - np.log(np.tan(np.pi / 4 + lat / 2)) / np.pi) / 2 * size
    return np.column_stack([x, y])


def _text_width(text: str) -> float:
    return sum(1.0 if ord(ch) > 0x2E80 else 0.6 for ch in text) * LABEL_SIZE


def _label_size(text: str) -> tuple[float, float]:
    """A name's box (width, height) in pixels: its longest line, its lines."""
    lines = text.split("\n")
    return max(_text_width(line) for line in lines), LABEL_SIZE * 1.2 * len(lines)


def _box(spot: list[float], text: str, zoom: float) -> list[float]:
    """The name's box (left, top, right, bottom) in world pixels, centred on `spot`."""
    (x, y), (w, h) = _pixels(np.array([spot], dtype=float), zoom)[0], _label_size(text)
    return [x - w / 2, y - h / 2, x + w / 2, y + h / 2]


def scs_label_at(zoom: float, lang: str) -> list[float]:
    """Where the inset's name goes at `zoom`: at the frame's foot, centred while it fits
    inside the frame, else with its right edge at the frame's (on a phone the frame is
    narrower than the name, which then reaches west into the open sea, not off the map)."""
    zoom = label_zoom(zoom)
    west, east, foot = SCS_FRAME
    (x0, y), (x1, _) = _pixels(np.array([[west, foot], [east, foot]], dtype=float), zoom)
    w, h = _label_size(SCS_LABEL[lang])
    x = min((x0 + x1) / 2, x1 - w / 2 - 4)
    size = TILE * 2**zoom
    lon = x / size * 360 - 180
    lat = _unmerc((1 - 2 * (y - h / 2 - 4) / size) * math.pi)
    return [round(float(lon), 3), round(float(lat), 3)]


def _scs_box(zoom: float, lang: str) -> list[float]:
    return _box(scs_label_at(zoom, lang), SCS_LABEL[lang], zoom)


# From this zoom every province has room for its name in both languages (a test checks it), so
# a closer map has no name to add: its names keep this zoom's places, which lie further from
# the points and from one another the closer the map. Placing costs grow fourfold per zoom
# step (0.5 s at zoom 5, 47 s and gigabytes at 8.75, which a wide screen zoomed in reaches).
LABEL_ZOOM_TOP = 5.0


def label_zoom(zoom: float) -> float:
    """Labels are placed per quarter zoom step: a map's zoom rounded down to it, at most
    `LABEL_ZOOM_TOP`."""
    return min(math.floor(zoom * 4) / 4, LABEL_ZOOM_TOP)


def label_records(ds: Dataset, zoom: float) -> list[dict]:
    """A place for each province's name in each language at `zoom`: inside its largest
    polygon, as far from every zone point as it can be, so names never cover a zone. `pe`/`pz`
    are the anchors of the English and Chinese names; a province with no room for its name at
    this zoom (Beijing, Tianjin, Shanghai at country zoom: a zone fills them) gets none, and
    more names appear as the map grows (the map's width sets its zoom)."""
    zoom = label_zoom(zoom)

    def make() -> list[dict]:
        grid = _Occupancy(_pixels(ds.zones[["lon", "lat"]].to_numpy(dtype=float), zoom), zoom)
        shapes = []
        for f in ds.province_shapes["features"]:
            rings = [poly[0] for poly in f["geometry"]["coordinates"]]
            ring = _pixels(np.asarray(max(rings, key=len), dtype=float), zoom)
            span = ring.max(axis=0) - ring.min(axis=0)
            shapes.append((float(span[0] * span[1]), f["properties"], ring))
        # The smallest provinces first: they have the fewest places for a name, the large ones
        # can find room around the names already placed. Names never overlap one another.
        shapes.sort(key=lambda t: t[0])
        taken = {lang: [_scs_box(zoom, lang)] for lang in ("en", "zh")}
        out = []
        for _, props, ring in shapes:
            rec = {"code": props["adcode"], "en": props["name_en"], "zh": _short_zh(props)}
            for lang, key in (("en", "pe"), ("zh", "pz")):
                spot = _best_spot(ring, rec[lang], grid, zoom, np.array(taken[lang]))
                if spot is not None:
                    rec[key] = spot
                    taken[lang].append(_box(spot, rec[lang], zoom))
            if "pe" in rec or "pz" in rec:
                out.append(rec)
        order = {f["properties"]["adcode"]: i for i, f in enumerate(ds.province_shapes["features"])}
        return sorted(out, key=lambda r: order[r["code"]])

    return ds.derived(("labels", zoom), make)


class _Occupancy:
    """Which pixels a zone point covers at a zoom (a summed-area table over China's box): how
    many covered pixels a label's box holds is four lookups, however many zones there are."""

    def __init__(self, points: np.ndarray, zoom: float, pad: int = 64):
        lon0, lat0, lon1, lat1 = CHINA_BOUNDS
        (x0, y0), (x1, y1) = _pixels(np.array([[lon0, lat1], [lon1, lat0]]), zoom)
        self.x0, self.y0 = int(x0) - pad, int(y0) - pad
        w, h = int(x1 - x0) + 2 * pad, int(y1 - y0) + 2 * pad
        covered = np.zeros((h, w), dtype=np.int32)
        px = np.round(points[:, 0] - self.x0).astype(int)
        py = np.round(points[:, 1] - self.y0).astype(int)
        r = POINT_RADIUS + 1
        for dy in range(-r, r + 1):
            for dx in range(-r, r + 1):
                if dx * dx + dy * dy <= r * r:
                    ok = (px + dx >= 0) & (px + dx < w) & (py + dy >= 0) & (py + dy < h)
                    covered[py[ok] + dy, px[ok] + dx] = 1
        self.table = np.zeros((h + 1, w + 1), dtype=np.int64)
        self.table[1:, 1:] = covered.cumsum(0).cumsum(1)
        self.w, self.h = w, h

    def count(self, left, top, right, bottom) -> np.ndarray:
        """Covered pixels in each box (arrays of world-pixel edges)."""

        def clip(v, hi):
            return np.clip(np.round(v).astype(int), 0, hi)

        lft, rgt = clip(left - self.x0, self.w), clip(right - self.x0, self.w)
        tp, bot = clip(top - self.y0, self.h), clip(bottom - self.y0, self.h)
        t = self.table
        return t[bot, rgt] - t[tp, rgt] - t[bot, lft] + t[tp, lft]


def _short_zh(props: dict) -> str:
    name = props["name_zh"]
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name.removesuffix(suffix)
    return name


def _best_spot(
    ring: np.ndarray, text: str, grid: _Occupancy, zoom: float, taken: np.ndarray
) -> list[float] | None:
    """The candidate anchor (in a grid over the polygon, the name's centre inside it) whose
    name box overlaps no name already placed (`taken`: boxes left, top, right, bottom in world
    pixels) and covers as little of the zones' points as there is: with the widest margin of
    empty land around it where some spot has one, else the spot that hides least of the name
    under the points (names are drawn beneath the points, so a point is never hidden by a
    name), and no more than a third of it. Among equals: the name whole inside the province,
    then nearest the middle of the province's box. None if there is no such place."""
    x0, y0 = ring.min(axis=0)
    x1, y1 = ring.max(axis=0)
    cx, cy = (a.ravel() for a in np.meshgrid(np.linspace(x0, x1, 40), np.linspace(y0, y1, 40)))
    half_w, half_h = _text_width(text) / 2 + 2, LABEL_SIZE / 2 + 1
    inside = _inside(cx, cy, ring)  # the label's centre inside the province
    if not inside.any():
        return None
    cx, cy = cx[inside], cy[inside]
    if len(taken):  # clear of the names placed before, by 3 px
        gap = 3
        left, top, right, bottom = (taken[:, i][None, :] for i in range(4))
        x, y = cx[:, None], cy[:, None]
        hits = (x - half_w - gap < right) & (x + half_w + gap > left)
        hits &= (y - half_h - gap < bottom) & (y + half_h + gap > top)
        free = ~hits.any(axis=1)
        if not free.any():
            return None
        cx, cy = cx[free], cy[free]
    whole = _inside(cx - half_w, cy, ring) & _inside(cx + half_w, cy, ring)
    mid = np.abs(cx - (x0 + x1) / 2) + np.abs(cy - (y0 + y1) / 2)
    pick = None
    for margin in (24, 12, 6, 2, 0):
        empty = grid.count(cx - half_w - margin, cy - half_h - margin,
                           cx + half_w + margin, cy + half_h + margin) == 0  # fmt: skip
        if empty.any():
            pick = np.flatnonzero(empty & whole) if (empty & whole).any() else np.flatnonzero(empty)
            break
    if pick is None:  # every spot touches a point: the one hiding least of the name
        covered = grid.count(cx - half_w, cy - half_h, cx + half_w, cy + half_h)
        least = covered.min()
        if least > (4 * half_w * half_h) / 3:
            return None
        pick = np.flatnonzero(covered == least)
    best = pick[mid[pick].argmin()]
    size = TILE * 2**zoom
    lon = cx[best] / size * 360 - 180
    lat = _unmerc((1 - 2 * cy[best] / size) * math.pi)
    return [round(float(lon), 3), round(float(lat), 3)]


# --- the map page's deck ------------------------------------------------------------------------

# The deltas, where zones lie closer than their points are wide at country zoom: each is drawn
# again, enlarged, in an inset view at the map's lower left (over India on a desktop, in a strip
# under the mainland on a phone), and outlined where it lies on the main map.
DELTAS: tuple[tuple[str, tuple[float, float, float, float]], ...] = (
    ("yrd", (118.2, 28.8, 122.4, 32.6)),  # Yangtze River Delta: Shanghai, Nanjing, Hangzhou...
    ("prd", (111.9, 21.9, 114.9, 23.9)),  # Pearl River Delta: Guangzhou, Shenzhen, Zhuhai...
)
INSET_GAP = 8  # pixels between the insets and from the map's edges
PHONE_WIDTH = 600  # below this width the insets get a strip of their own under the mainland


@dataclass(frozen=True)
class Inset:
    """A delta drawn enlarged: its box on the screen (pixels from the map's top left) and the
    fixed view that shows its bounds."""

    id: str
    bounds: tuple[float, float, float, float]
    x: int
    y: int
    size: int
    lat: float
    lon: float
    zoom: float


@dataclass(frozen=True)
class Layout:
    """The map's size, its fitted view and its insets, for one width."""

    width: int
    height: int
    lat: float
    lon: float
    zoom: float
    insets: tuple[Inset, ...]


def layout(width: int, zoom_step: int = 0) -> Layout:
    """China fitted to `width`, and the delta insets. On a desktop the insets sit over India,
    where the map has no zone; on a phone the map is taller by a strip under the mainland that
    holds them, so the mainland keeps the whole width."""
    phone = width < PHONE_WIDTH
    if phone:
        size = int(min(150, (width - 3 * INSET_GAP) / 2))
        china_h = height_for(width)
        height = china_h + size + INSET_GAP
        lat, lon, zoom = fit(CHINA_BOUNDS, width, china_h)
        # the mainland in the top part: move the centre down by half the strip
        _, cy = to_pixel(lon, lat, zoom)
        size_px = TILE * 2**zoom
        lat = round(_unmerc((1 - 2 * (cy + (height - china_h) / 2) / size_px) * math.pi), 4)
    else:
        size = int(min(150, max(96, width * 0.18)))
        height = height_for(width)
        lat, lon, zoom = fit(CHINA_BOUNDS, width, height)
    zoom = min(max(zoom + zoom_step, MIN_ZOOM), MAX_ZOOM)
    insets = []
    for i, (name, bounds) in enumerate(DELTAS):
        x = INSET_GAP + i * (size + INSET_GAP)
        y = height - INSET_GAP - size
        ilat, ilon, izoom = fit(bounds, size, size, padding=6)
        insets.append(Inset(name, bounds, x, y, size, ilat, ilon, izoom))
    return Layout(width, height, lat, lon, round(zoom, 3), tuple(insets))


@dataclass(frozen=True)
class MapSpec:
    """What the map page's map shows: everything here is validated state, never raw input.
    Which zones, the day and the colours come from one `cbec.selection.Selection`
    (`spec_for`), the same that the page's numbers come from."""

    categories: Categories  # the zones in view (with approval by day_n): the GPU's filter
    day_n: int
    matches: tuple[int, ...] | None  # a name search's zones, carried inline (Selection.matches)
    color: str  # "story" (earlier vs the newest batch) or "batch"
    newest: int | None  # the story's new batch
    lang: str  # the data's language for names ("en" or "zh": the interface's `[lang] data`)
    width: int
    context: Categories | None = None  # the chosen batches, drawn grey, when the view narrows
    outlined: tuple[str, ...] = ()  # adcodes of the chosen regions' or provinces' provinces
    zoom_step: int = 0  # the zoom buttons: steps in or out from the fitted view
    selected: tuple[float, float] | None = None  # lon, lat of the selected zone
    basemap: bool = False
    light: bool = False  # a browser's first run: the land and the points, the rest next run
    first_points: bool = False  # the run after a light one: its inline points stay beneath
    tooltip: str = ""  # the interface language's template (catalogue key `map_tooltip`)


def spec_for(sel: Selection, **view) -> MapSpec:
    """The deck's part of a selection; `view` holds the rest (lang, width, zoom_step...)."""
    return MapSpec(
        categories=sel.categories,
        day_n=sel.day_n,
        matches=sel.matches,
        color=sel.color,
        newest=sel.newest,
        context=sel.context_categories if sel.narrowed else None,
        outlined=sel.outlined,
        **view,
    )


def _rgb(c) -> str:
    return f"[{c[0]},{c[1]},{c[2]}]"


def _rgba(c, alpha: int) -> str:
    return f"[{c[0]},{c[1]},{c[2]},{alpha}]"


def color_expr(spec: MapSpec) -> tuple[str, str]:
    """deck.gl expressions for fill and outline colours, built from numbers only (no text from
    a visitor ever reaches an expression): a zone withdrawn by the day is hollow, a ring in its
    colour; an approximate point is faded. Colours follow `Selection.group_of`."""
    d = spec.day_n
    if spec.color == "batch":
        # A chain of conditions: deck.gl's expression parser cannot index an array literal.
        fill_base = ring = _rgba((0, 0, 0), 255)
        for b, c in sorted(colors.BATCH.items(), reverse=True):
            fill_base = f"(b == {b} ? (ap ? {_rgba(c, 90)} : {_rgba(c, 255)}) : {fill_base})"
            ring = f"(b == {b} ? {_rgba(c, 255)} : {ring})"
    else:
        newest = spec.newest or 0
        new, old = colors.NEW, colors.EARLIER
        fill_base = (
            f"(b == {newest} ? (ap ? {_rgba(new, 90)} : {_rgba(new, 255)}) "
            f": (ap ? {_rgba(old, 90)} : {_rgba(old, 255)}))"
        )
        ring = f"(b == {newest} ? {_rgba(new, 255)} : {_rgba(old, 255)})"
    fill = f"r <= {d} ? [0,0,0,0] : {fill_base}"
    line = f"r <= {d} ? {ring} : {_rgba(colors.POINT_OUTLINE, 255)}"
    return fill, line


def _views(lay: Layout) -> list[pdk.View]:
    """The main view (the visitor pans and zooms it) and one fixed view per delta inset,
    cleared to the sea's colour so the main map does not show through."""
    sea = [round(c / 255, 4) for c in colors.SEA] + [1]
    views = [pdk.View(type="MapView", id="main", controller=True)]
    for ins in lay.insets:
        views.append(
            pdk.View(
                type="MapView",
                id=f"inset-{ins.id}",
                x=ins.x,
                y=ins.y,
                width=ins.size,
                height=ins.size,
                controller=False,
                clear={"color": sea},
                view_state={"latitude": ins.lat, "longitude": ins.lon, "zoom": ins.zoom},
            )
        )
    return views


def _frames(lay: Layout) -> pdk.Layer:
    """Each delta's bounds as a box: on the main map it says what is enlarged; in its inset it
    is the inset's frame."""
    boxes = [
        {"path": [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]}
        for _, (x0, y0, x1, y1) in DELTAS
    ]
    return pdk.Layer(
        "PathLayer",
        id="delta-frames",
        data=boxes,
        get_path="path",
        get_color=[*colors.FRAME, 255],
        get_width=1.2,
        width_units='"pixels"',
        pickable=False,
    )


def map_deck(ds: Dataset, spec: MapSpec) -> CompactDeck:
    """Sea, land and outlines with the priority regions tinted, the chosen regions or
    provinces outlined, the South China Sea inset, the zones outside the filters in grey, the
    zones in view, province names, the delta insets, the selection ring."""
    lay = layout(spec.width, spec.zoom_step)
    view = pdk.ViewState(
        latitude=lay.lat, longitude=lay.lon, zoom=lay.zoom, min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM
    )
    url = points_url(ds)
    d = spec.day_n
    every = data_ref = url or zone_records(ds)  # a URL the browser caches; inline if unwritable
    if spec.matches is not None:  # a name search: its zones inline (Selection.matches)
        records = zone_records(ds)
        data_ref = [records[i] for i in spec.matches]
    chosen = [(name, list(values)) for name, values in spec.categories]
    fill, line = color_expr(spec)
    trigger = [spec.color, spec.newest, d]
    # The zones' points, and the dark hairline just outside a withdrawn zone's ring that keeps
    # the ring >= 3:1 against the land whatever its colour (batch 8's yellow is 1.02:1): one
    # style each, for the first paint's deck and the full one.
    points = {"get_fill_color": fill, "get_line_color": line,
              "get_line_width": f"r <= {d} ? 2.5 : 1"}  # fmt: skip
    edge = {
        "get_radius": POINT_RADIUS + WITHDRAWN_EDGE,
        "get_fill_color": [0, 0, 0, 0],
        "get_line_color": f"r <= {d} ? {_rgba(colors.POINT_OUTLINE, 255)} : [0,0,0,0]",
        "get_line_width": 1,
    }

    def scatter(layer_id: str, rows, **style) -> pdk.Layer:
        style = {"get_radius": POINT_RADIUS} | style
        return pdk.Layer(
            "ScatterplotLayer",
            id=layer_id,
            data=rows,
            get_position="p",
            radius_units='"pixels"',
            stroked=True,
            line_width_units='"pixels"',
            **style,
        )

    def zones_layer(layer_id: str, categories: list, rows=None, **style) -> pdk.Layer:
        return _filtered(scatter(layer_id, data_ref if rows is None else rows, **style), d,
                         categories)  # fmt: skip

    drawn = [
        layers.sea(),
        layers.land([0, 0, 0, 0] if spec.basemap else None),
    ]
    if spec.basemap:
        drawn = drawn[1:]
    # The 2018 announcement's priority regions, tinted on every map: the story's geography.
    drawn.append(
        layers.provinces_in("priority", priority_codes(ds), filled=True, stroked=False,
                  get_fill_color=[*colors.PRIORITY_LAND, 255 if not spec.basemap else 90])
    )  # fmt: skip
    # The zones in view: filtered on the GPU from the points file (or a search's rows).
    zones = [
        zones_layer(
            "withdrawn-edge", chosen, **edge, update_triggers={"getLineColor": [d]}, pickable=False
        ),
        zones_layer(
            "zones",
            chosen,
            **points,
            update_triggers={"getFillColor": trigger, "getLineColor": trigger, "getLineWidth": [d]},
            pickable=True,
            auto_highlight=True,
            highlight_color=[*colors.SELECTED, 200],
        ),
    ]
    # The points inline, drawn with the first deck; beside them the full deck's own layers
    # (same ids, same file), which fetch the points file meanwhile. The next deck keeps the
    # inline points beneath its own (spec.first_points), in case the file is still on its way
    # (on a busy server it was, for 8-15 s, and the points vanished): never a frame without.
    first = []
    if spec.light or spec.first_points:
        shown = _light_records(ds, spec)
        first = [scatter("withdrawn-edge-first", shown, **edge),
                 scatter("zones-first", shown, **points)]  # fmt: skip
    if spec.light:  # the first paint: land and points only (fewer shaders, no labels)
        drawn += [*first, *zones]
        return CompactDeck(
            layers=drawn, initial_view_state=view, views=_views(lay), map_provider=None
        )
    if spec.outlined:
        drawn.append(
            layers.provinces_in("outlined", list(spec.outlined), filled=False, stroked=True,
                      get_line_color=[*colors.CHOSEN_OUTLINE, 255], line_width_min_pixels=2)
        )  # fmt: skip
    drawn += [layers.south_china_sea(), labels_layer(ds, lay.zoom, spec.lang), _frames(lay)]
    if spec.context is not None:
        drawn.append(
            zones_layer(
                "context",
                [(name, list(values)) for name, values in spec.context],
                rows=every,  # every zone of the chosen batches, a search's matches or not
                get_fill_color=[*colors.CONTEXT, 255],
                get_line_color=[150, 150, 150, 255],
                line_width_min_pixels=1,
                pickable=True,
                auto_highlight=True,
            )
        )
    drawn += [*first, *zones]
    unverified = pdk.Layer(
        "IconLayer",
        id="unverified",
        data=data_ref,
        get_position="p",
        get_icon='"ring"',
        size_units='"pixels"',
        get_size=POINT_RADIUS * 2 + 10,
        pickable=False,
    )
    unverified.icon_atlas = DASHED_RING  # set after construction: pydeck would parse it
    unverified.icon_mapping = {"ring": {"x": 0, "y": 0, "width": 64, "height": 64, "mask": False}}
    drawn.append(_filtered(unverified, d, [*chosen, ("uv", [1])]))
    if spec.selected is not None:
        drawn.append(
            pdk.Layer(
                "ScatterplotLayer",
                id="selected",
                data=[{"p": [round(spec.selected[0], 3), round(spec.selected[1], 3)]}],
                get_position="p",
                filled=False,
                stroked=True,
                get_line_color=list(colors.SELECTED),
                line_width_min_pixels=3,
                radius_units='"pixels"',
                get_radius=POINT_RADIUS + 5,
                pickable=False,
            )
        )
    online: dict[str, str | None] = (
        {"map_provider": "carto", "map_style": CARTO_LIGHT} if spec.basemap else {}
    )
    return CompactDeck(
        layers=drawn,
        initial_view_state=view,
        views=_views(lay),
        tooltip=tooltip(spec.tooltip, spec.lang),
        # Offline by default: map_provider=None and pydeck's default map_style sentinel.
        # (map_style=None would make Streamlit fetch CARTO's style from the internet.)
        **(online or {"map_provider": None}),
    )


def labels_layer(ds: Dataset, zoom: float, lang: str) -> pdk.Layer:
    """The province names placed for `zoom` in `lang` (a file the browser caches), and the
    inset's name."""
    return pdk.Layer(
        "TextLayer",
        id="labels",
        data=labels_data(ds, zoom, lang),
        get_position="p",
        get_text="t",
        character_set='"auto"' if lang == "zh" else None,
        get_size=LABEL_SIZE,
        get_color=list(colors.LABEL),
        font_family=LABEL_FONT[lang],
        font_weight=500,
        # A soft patch of land colour behind each name keeps it legible over outlines and
        # fills, without the signed-distance font (costly to build in a browser without a GPU).
        background=True,
        get_background_color=[*colors.LAND, 200],
        background_padding=[2, 1],
        pickable=False,
    )


def priority_codes(ds: Dataset) -> list[str]:
    """The adcodes of the provinces in the priority regions (Central, West, Northeast)."""
    p = ds.provinces
    return list(p.loc[p["region_en"].isin(vocab.PRIORITY_REGIONS), "adcode"])


def _light_records(ds: Dataset, spec: MapSpec) -> list[dict]:
    """The points a light deck draws, inline: those in view (`selection.keep`, the filter
    the full deck applies on the GPU), with only the fields the colour and position need."""
    shown = keep(point_fields(ds), spec.categories, spec.day_n, spec.matches)
    records = zone_records(ds)
    return [{k: records[i][k] for k in ("id", "p", "b", "r", "ap")} for i in np.flatnonzero(shown)]


def _filtered(layer: pdk.Layer, day: int, categories: list[tuple[str, list]]) -> pdk.Layer:
    """deck.gl's DataFilterExtension on `layer`: zones approved by `day`, whose fields are in
    the given lists (filtered on the GPU: the data stays the same, a filter change sends only
    these lists; `selection.keep` is the same filter in Python). Set after construction:
    pydeck would turn lists of strings into expressions."""
    fields = [name for name, _ in categories]
    layer.extensions = [
        {"@@type": "DataFilterExtension", "filterSize": 1, "categorySize": len(fields)}
    ]
    layer.get_filter_value = "@@=a"
    layer.filter_range = [0, day]
    layer.get_filter_category = "@@=" + (
        fields[0] if len(fields) == 1 else f"[{', '.join(fields)}]"
    )
    values = [v for _, v in categories]
    layer.filter_categories = values[0] if len(values) == 1 else values
    return layer


PICK_MARK = '<span data-pick="{id}" hidden></span>'  # what the map's click handler reads


def tooltip(template: str, lang: str) -> dict:
    """The catalogue's template (`map_tooltip`) pointed at the points' fields in the data's
    language `lang`. The template is the app's own; the values are the zone's fields, which
    Streamlit (>= 1.60) escapes as it fills them in, so a name shows as text, never as markup.
    It carries the zone's id in a hidden mark: a click or a tap selects the zone the tooltip
    shows (cbec.ui.probe.map_probe)."""
    other = "zh" if lang == "en" else "en"
    html = template.format(
        name=f"{{{lang}}}", other=f"{{{other}}}", province=f"{{p{lang}}}",
        region=f"{{r{lang}}}", approved=f"{{a{lang}}}", batch="{b}", doc="{doc}",
    )  # fmt: skip
    return {
        "html": html + PICK_MARK,
        "style": {"fontSize": "12px", "maxWidth": "240px", "zIndex": "10"},
    }


def scale_bar(spec: MapSpec, lat: float = 35.0) -> tuple[int, int]:
    """(kilometres, pixels) of a round-numbered scale bar at `lat` in the fitted view."""
    zoom = layout(spec.width, spec.zoom_step).zoom
    metres_per_px = 40075016.686 * math.cos(math.radians(lat)) / (TILE * 2**zoom)
    for km in (50, 100, 200, 250, 500, 1000, 2000):
        px = km * 1000 / metres_per_px
        if 50 <= px <= 130:
            return km, int(px)
    return 500, int(500_000 / metres_per_px)
