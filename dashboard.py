"""Entry point: `streamlit run dashboard.py`.

For now a single page: every active pilot zone on an offline map of China, coloured by batch.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from cbec import mapview, paths
from cbec.data import DataError, Dataset, load

st.set_page_config(page_title="China's cross-border e-commerce pilot zones", layout="wide")


@st.cache_data(show_spinner=False)
def dataset(data_dir: str, today: dt.date) -> Dataset:
    return load(Path(data_dir), when=today)


st.title("China's cross-border e-commerce comprehensive pilot zones")
st.caption("跨境电子商务综合试验区 · every zone approved by the State Council since 2015, by batch")

try:
    ds = dataset(str(paths.data_dir()), dt.date.today())
except DataError as exc:
    st.error(
        "The data files have problems, so the map cannot be drawn:\n\n"
        + "\n".join(f"- {p}" for p in exc.problems)
    )
    st.stop()

active = ds.zones[ds.zones["status"] == "active"]
st.pydeck_chart(mapview.deck(active), key="zone_map", height=560)

legend = mapview.legend(active, ds.batches)
st.dataframe(
    legend.style.map(lambda c: f"background-color: {c}; color: {c}", subset=["color"]),
    hide_index=True,
    column_config={
        "batch": "Batch",
        "year": st.column_config.NumberColumn("Year", format="%d"),
        "count": "Zones on the map",
        "color": "Colour",
    },
)
withdrawn = ds.zones[ds.zones["status"] == "withdrawn"]
if len(withdrawn):
    st.caption(
        f"{len(active)} active zones shown; {len(withdrawn)} withdrawn "
        f"({', '.join(withdrawn['name_en'])}) are not on the map."
    )
