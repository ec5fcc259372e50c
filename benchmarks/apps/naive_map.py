"""The naive way to draw the same map: province outlines embedded in the deck on every rerun,
the whole zone table as layer data, pydeck's default (indented, ASCII-escaped) JSON."""

import json

import pydeck as pdk
import streamlit as st

from cbec import paths
from cbec.colors import BATCH
from cbec.data import load


@st.cache_data
def zones():
    return load().zones


z = zones()
batches = st.multiselect("Batch", list(range(1, 9)), default=[1, 2, 3], key="w_batch")
view = z[z["batch"].isin(batches) & (z["status"] == "active")].copy()
view["color"] = view["batch"].map(lambda b: list(BATCH[b]))
view["approved_on"] = view["approved_on"].dt.strftime("%Y-%m-%d")
view["revoked_on"] = view["revoked_on"].dt.strftime("%Y-%m-%d")
with open(paths.PROVINCE_OUTLINES, encoding="utf-8") as fh:
    outlines = json.load(fh)
st.pydeck_chart(
    pdk.Deck(
        layers=[
            pdk.Layer(
                "GeoJsonLayer", id="provinces", data=outlines, get_fill_color=[242, 240, 235]
            ),
            pdk.Layer(
                "ScatterplotLayer",
                id="zones",
                data=view,
                get_position=["lon", "lat"],
                get_fill_color="color",
                get_radius=20000,
                pickable=True,
            ),
        ],
        initial_view_state=pdk.ViewState(latitude=36, longitude=104, zoom=2.9),
        map_provider=None,
        tooltip={"html": "<b>{name_en}</b> {name_zh}"},
    ),
    key="zone_map",
)
