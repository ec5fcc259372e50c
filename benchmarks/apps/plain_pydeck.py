"""The first-paint yardstick: the same zones and province outlines as the dashboard's map page,
drawn the plain way (one script, one pydeck chart, outlines embedded in the deck), offline."""

import datetime as dt
import json

import pandas as pd
import pydeck as pdk
import streamlit as st

from cbec import colors, data, mapview

# The dashboard's default view and colours: batch 3 new, batches 1-2 earlier; China fitted to
# a desktop map's width, as the dashboard fits it.
LAT, LON, ZOOM = mapview.fit(mapview.CHINA_BOUNDS, 760, mapview.height_for(760))

st.set_page_config(page_title="Plain pydeck map", layout="wide")
st.title("CBEC pilot zones")


@st.cache_data
def zones():
    z = data.load().zones
    today = pd.Timestamp(dt.date.today())
    live = (z["approved_on"] <= today) & ~(z["revoked_on"] <= today)
    view = z[live & z["batch"].isin([1, 2, 3])]
    out = view[["name_en", "name_zh", "lon", "lat"]].copy()
    out["color"] = [list(colors.NEW if b == 3 else colors.EARLIER) for b in view["batch"]]
    return out


@st.cache_data
def outlines():
    with open(data.PROVINCE_OUTLINES, encoding="utf-8") as fh:
        return json.load(fh)


st.pydeck_chart(
    pdk.Deck(
        layers=[
            pdk.Layer(
                "GeoJsonLayer",
                id="provinces",
                data=outlines(),
                get_fill_color=list(colors.LAND),
                get_line_color=list(colors.OUTLINE),
                line_width_min_pixels=1,
            ),
            pdk.Layer(
                "ScatterplotLayer",
                id="zones",
                data=zones(),
                get_position=["lon", "lat"],
                get_fill_color="color",
                get_line_color=[40, 40, 40],
                stroked=True,
                line_width_min_pixels=1,
                radius_units='"pixels"',
                get_radius=6,
                pickable=True,
            ),
        ],
        initial_view_state=pdk.ViewState(latitude=LAT, longitude=LON, zoom=ZOOM),
        map_provider=None,
        tooltip={"html": "<b>{name_en}</b> {name_zh}"},
    ),
    height=560,
)
