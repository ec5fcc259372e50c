"""The pydeck map: province outlines from a static URL, one point per zone coloured by batch.

Where the bytes go: Streamlit re-sends the whole deck JSON on every rerun. So the outlines are a
URL the browser fetches (and caches) once; the zone layer carries only short keys for position,
colour, id and tooltip text; and the JSON is compact UTF-8 instead of pydeck's indented ASCII
(which writes every Chinese character as a six-byte escape).
"""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from cbec import data, i18n

# Okabe-Ito: distinguishable with the common forms of colour blindness; one colour per batch.
BATCH_COLORS: dict[int, list[int]] = {
    1: [0, 0, 0],
    2: [230, 159, 0],
    3: [86, 180, 233],
    4: [0, 158, 115],
    5: [240, 228, 66],
    6: [0, 114, 178],
    7: [213, 94, 0],
    8: [204, 121, 167],
}
OUTLINE_COLOR = [120, 120, 120]
LAND_COLOR = [242, 240, 235]
SELECTED_COLOR = [200, 0, 60]
APPROX_ALPHA = 70  # fill opacity of a point that is not the city seat
# Fits the mainland, Hainan and the north-east in a ~1000 px wide chart; constant, so the
# chart keeps the user's zoom and pan when filters change.
CHINA_VIEW = pdk.ViewState(latitude=36.0, longitude=104.0, zoom=2.9, min_zoom=2, max_zoom=10)
CARTO_LIGHT = "https://basemaps.cartocdn.com/gl/positron-gl-style/style.json"

TOOLTIP = {
    "html": "<b>{en}</b> {zh}<br/>{pr} · {rg}<br/>{bt}<br/>{doc}",
    "style": {"fontSize": "12px", "maxWidth": "280px"},
}


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


def zone_points(zones: pd.DataFrame, lang: str = "en") -> list[dict]:
    """The point layer's records: id, position, colour and the tooltip's text (as values, which
    Streamlit escapes when it fills the tooltip template)."""
    prov = zones["province_zh" if lang == "zh" else "province_en"]
    batch_word, approved_word = i18n.t(lang, "tt_batch"), i18n.t(lang, "tt_approved")
    return [
        {
            "id": zid,
            "p": [round(lon, 3), round(lat, 3)],
            "c": [*BATCH_COLORS[batch], 255 if precision == "seat" else APPROX_ALPHA],
            "en": en,
            "zh": zh,
            "pr": province,
            "rg": i18n.region(lang, region),
            "bt": f"{batch_word} {batch} · {approved_word} {i18n.date(lang, approved)}",
            "doc": doc,
        }
        for zid, lon, lat, batch, precision, en, zh, province, region, approved, doc in zip(
            zones["zone_id"],
            zones["lon"],
            zones["lat"],
            zones["batch"],
            zones["precision"],
            zones["name_en"],
            zones["name_zh"],
            prov,
            zones["region_en"],
            zones["approved_on"],
            zones["document_no"],
            strict=True,
        )
    ]


def deck(
    zones: pd.DataFrame,
    lang: str = "en",
    selected: pd.Series | None = None,
    basemap: bool = False,
    outlines_url: str = data.PROVINCE_OUTLINES_URL,
    under: list[pdk.Layer] | None = None,
    view: pdk.ViewState = CHINA_VIEW,
) -> pdk.Deck:
    """Outlines, then `under` (rings, areas), then the zone points, then the selection ring."""
    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            id="provinces",
            data=outlines_url,
            stroked=True,
            filled=True,
            get_fill_color=[0, 0, 0, 0] if basemap else LAND_COLOR,
            get_line_color=OUTLINE_COLOR,
            line_width_min_pixels=1,
            pickable=False,
        ),
        *(under or []),
        pdk.Layer(
            "ScatterplotLayer",
            id="zones",
            data=zone_points(zones, lang),
            get_position="p",
            get_fill_color="c",
            get_line_color=[40, 40, 40],
            stroked=True,
            line_width_min_pixels=1,
            radius_units='"pixels"',  # quoted: pydeck turns bare strings into expressions
            get_radius=6,
            pickable=True,
            auto_highlight=True,
        ),
    ]
    if selected is not None:
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                id="selected",
                data=[{"p": [round(selected["lon"], 3), round(selected["lat"], 3)]}],
                get_position="p",
                filled=False,
                stroked=True,
                get_line_color=SELECTED_COLOR,
                line_width_min_pixels=3,
                radius_units='"pixels"',
                get_radius=11,
                pickable=False,
            )
        )
    online = {"map_provider": "carto", "map_style": CARTO_LIGHT} if basemap else {}
    return CompactDeck(
        layers=layers,
        initial_view_state=view,
        tooltip=TOOLTIP,
        # Offline by default: map_provider=None and pydeck's default map_style sentinel.
        # (map_style=None would make Streamlit fetch CARTO's style from the internet.)
        **(online or {"map_provider": None}),
    )


def rings(lat: float, lon: float, radii_km: tuple[int, ...] = (100, 300)) -> list[pdk.Layer]:
    """Distance rings (true ground radius, metres) and the starting point."""
    return [
        pdk.Layer(
            "ScatterplotLayer",
            id="rings",
            data=[{"p": [round(lon, 4), round(lat, 4)], "r": km * 1000} for km in radii_km],
            get_position="p",
            get_radius="r",
            filled=False,
            stroked=True,
            get_line_color=[90, 90, 90],
            line_width_min_pixels=1.5,
            pickable=False,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            id="origin",
            data=[{"p": [round(lon, 4), round(lat, 4)]}],
            get_position="p",
            get_fill_color=SELECTED_COLOR,
            radius_units='"pixels"',
            get_radius=5,
            pickable=False,
        ),
    ]


def picked_zone(event) -> str | None:
    """The zone id a map click selected, read from the selected objects (not their indices,
    which shift when the filters change)."""
    try:
        objects = event.selection.objects.get("zones", [])
    except AttributeError:
        return None
    return objects[0].get("id") if objects else None


def legend(zones: pd.DataFrame, batches: pd.DataFrame) -> list[dict]:
    """One entry per batch shown: its colour, year and how many of its zones are on the map."""
    counts = Counter(zones["batch"])
    years = dict(zip(batches["batch"], batches["approved_on"].dt.year, strict=True))
    return [
        {
            "batch": int(b),
            "year": int(years[b]),
            "count": counts[b],
            "color": "#{:02x}{:02x}{:02x}".format(*BATCH_COLORS[b]),
        }
        for b in sorted(counts)
    ]
