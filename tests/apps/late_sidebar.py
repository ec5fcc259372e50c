"""The map's companion on a page whose sidebar comes seconds after it, as on a busy machine
(the map page draws its filters after the map): the companion's first width report must be
the column's width with the sidebar, the one the map is drawn in, not the wider one before."""

import time

import streamlit as st

from cbec.ui import probe
from cbec.ui.keys import probe_width

st.set_page_config(layout="wide")  # as the app's: the sidebar narrows the main column
probe.map_probe("late_probe", sidebar=True)
reported = st.session_state.get(probe_width("late_probe"))
if reported is not None:
    st.session_state.setdefault("first_report", reported)
st.markdown(f"reports: first {st.session_state.get('first_report')} last {reported}")
if "slept" not in st.session_state:  # the first run only: the sidebar four seconds late
    st.session_state["slept"] = True
    time.sleep(4)
st.sidebar.markdown("filters")
