"""The first-paint yardstick: the same zones, province outlines and filters as the dashboard's
map page, written the plain way: one script, the filters in the sidebar, pandas filtering, one
pydeck chart with the outlines embedded in the deck, offline. No light first run, no static
files, no fragments: what a first Streamlit map app looks like.
"""

import datetime as dt
import json

import pandas as pd
import pydeck as pdk
import streamlit as st

from cbec import colors, data, mapview, paths, vocab

LAT, LON, ZOOM = mapview.fit(mapview.CHINA_BOUNDS, 680, mapview.height_for(680))

st.set_page_config(page_title="Plain pydeck map", layout="wide")
st.title("CBEC pilot zones")


@st.cache_data
def zones() -> pd.DataFrame:
    return data.load().zones


@st.cache_data
def outlines():
    with open(paths.PROVINCE_OUTLINES, encoding="utf-8") as fh:
        return json.load(fh)


z = zones()
today = dt.date.today()
sb = st.sidebar
sb.header("Filters")
batches = sb.multiselect("Batch", list(range(1, 9)), default=[1, 2, 3])
regions = sb.multiselect("Region", vocab.REGIONS)
provinces = sb.multiselect("Province", sorted(z["province_en"].unique()))
q = sb.text_input("Search names")
stops = sorted({d.date() for d in z["approved_on"]} | {today})
day = sb.select_slider("Map as of", stops, value=today)
day = sb.date_input("…or any day", value=day, min_value=dt.date(2015, 3, 12), max_value=today)
modes = ["Earlier vs newest", "By batch"]
color = sb.segmented_control("Colours", modes, default=modes[0])

when = pd.Timestamp(day)
view = z[(z["approved_on"] <= when) & z["batch"].isin(batches)]
if regions:
    view = view[view["region_en"].isin(regions)]
if provinces:
    view = view[view["province_en"].isin(provinces)]
if q:
    view = view[view["search_text"].str.contains(q.casefold(), regex=False)]
newest = max(batches) if batches else 0
points = view[["name_en", "name_zh", "lon", "lat"]].copy()
points["color"] = [
    list(colors.BATCH[b] if color == "By batch" else colors.NEW if b == newest else colors.EARLIER)
    for b in view["batch"]
]

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
                data=points,
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
    height=mapview.height_for(680),
)
st.dataframe(view[["name_en", "name_zh", "province_en", "batch", "approved_on"]])
