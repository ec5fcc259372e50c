"""The layers every map of the app shares, one small function each, so the three maps (zones,
nearest zones, provinces) draw the sea, the land and the South China Sea alike. Each reads its
geometry from a file the browser fetches once (static/), never inline."""

from __future__ import annotations

import pydeck as pdk

from cbec import colors, paths

WORLD = [[-180, -85], [180, -85], [180, 85], [-180, 85]]


def sea() -> pdk.Layer:
    """The sea's colour under everything (no basemap: the map works offline)."""
    return pdk.Layer(
        "SolidPolygonLayer",
        id="sea",
        data=[{"g": WORLD}],
        get_polygon="g",
        get_fill_color=list(colors.SEA),
        pickable=False,
    )


def land(fill: list[int] | None = None, line_width: float = 0.8) -> pdk.Layer:
    """The provinces' land and outlines (static/china_provinces.geojson); `fill` transparent
    over an online basemap."""
    return pdk.Layer(
        "GeoJsonLayer",
        id="provinces",
        data=paths.PROVINCE_OUTLINES_URL,
        stroked=True,
        filled=True,
        get_fill_color=list(colors.LAND) if fill is None else fill,
        get_line_color=list(colors.OUTLINE),
        line_width_min_pixels=line_width,
        pickable=False,
    )


def provinces_in(layer_id: str, codes: list[str], **style) -> pdk.Layer:
    """The province outlines file again, only the provinces in `codes` (filtered on the GPU):
    a tint or an outline for some provinces without a second file."""
    layer = pdk.Layer(
        "GeoJsonLayer",
        id=layer_id,
        data=paths.PROVINCE_OUTLINES_URL,
        extensions=[{"@@type": "DataFilterExtension", "categorySize": 1}],
        get_filter_category="properties.adcode",
        pickable=False,
        **style,
    )
    # Set after construction: pydeck would turn a list of strings into an expression.
    layer.filter_categories = codes
    return layer


def south_china_sea() -> pdk.Layer:
    """The South China Sea inset (static/south_china_sea.geojson): frame, islands, line."""
    return pdk.Layer(
        "GeoJsonLayer",
        id="inset",
        data=paths.SCS_INSET_URL,
        stroked=True,
        filled=True,
        get_fill_color="properties.kind == 'islands' ? [170,170,170,255] : [0,0,0,0]",
        get_line_color="properties.kind == 'line' ? [90,90,90,255] : [120,120,120,255]",
        line_width_min_pixels=1,
        pickable=False,
    )
