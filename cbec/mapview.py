"""The pydeck map: province outlines from a static URL, one point per zone coloured by batch.

Only what the map needs goes into the deck JSON that Streamlit re-sends on every rerun: the
outlines are a URL the browser fetches (and caches) once, and the zone layer carries just the
columns the points and the tooltip use.
"""

from __future__ import annotations

import pandas as pd
import pydeck as pdk

from cbec import paths

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
CHINA_VIEW = pdk.ViewState(latitude=36.0, longitude=104.0, zoom=2.9, min_zoom=2, max_zoom=10)

TOOLTIP = {
    "html": (
        "<b>{name_en}</b> {name_zh}<br/>{province_en} · {region_en}<br/>"
        "Batch {batch}, approved {approved}<br/>{document_no}"
    ),
    "style": {"fontSize": "12px"},
}


def zone_points(zones: pd.DataFrame) -> pd.DataFrame:
    """The slim frame the point layer sends: id, position, colour and the tooltip's text."""
    cols = ["zone_id", "lon", "lat", "name_en", "name_zh", "province_en", "region_en", "batch"]
    pts = zones[[*cols, "document_no"]].copy()
    pts["approved"] = zones["approved_on"].dt.strftime("%Y-%m-%d")
    pts["color"] = zones["batch"].map(BATCH_COLORS)
    pts[["lon", "lat"]] = pts[["lon", "lat"]].round(4)
    return pts.reset_index(drop=True)


def deck(zones: pd.DataFrame, outlines_url: str = paths.PROVINCE_OUTLINES_URL) -> pdk.Deck:
    outlines = pdk.Layer(
        "GeoJsonLayer",
        id="provinces",
        data=outlines_url,
        stroked=True,
        filled=True,
        get_fill_color=LAND_COLOR,
        get_line_color=OUTLINE_COLOR,
        line_width_min_pixels=1,
        pickable=False,
    )
    points = pdk.Layer(
        "ScatterplotLayer",
        id="zones",
        data=zone_points(zones),
        get_position=["lon", "lat"],
        get_fill_color="color",
        get_line_color=[40, 40, 40],
        stroked=True,
        line_width_min_pixels=1,
        radius_units='"pixels"',  # quoted: pydeck turns bare strings into expressions
        get_radius=6,
        pickable=True,
        auto_highlight=True,
    )
    return pdk.Deck(
        layers=[outlines, points],
        initial_view_state=CHINA_VIEW,
        # No basemap, no network: map_provider=None and pydeck's default map_style sentinel.
        # (map_style=None would make Streamlit fetch CARTO's style from the internet.)
        map_provider=None,
        tooltip=TOOLTIP,
    )


def legend(zones: pd.DataFrame, batches: pd.DataFrame) -> pd.DataFrame:
    """One row per batch shown: its colour, year and how many of its zones are on the map."""
    counts = zones["batch"].value_counts()
    rows = batches[batches["batch"].isin(counts.index)].sort_values("batch")
    return pd.DataFrame(
        {
            "batch": rows["batch"].to_numpy(),
            "year": rows["approved_on"].dt.year.to_numpy(),
            "count": [int(counts[b]) for b in rows["batch"]],
            "color": ["#{:02x}{:02x}{:02x}".format(*BATCH_COLORS[b]) for b in rows["batch"]],
        }
    )
