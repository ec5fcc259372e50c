"""Streamlit's own floor for a page of the dashboard's size: one filter, then as many plain
elements as the map page sends per rerun (60, measured as deltas per rerun by
benchmarks/load.py), and no work at all. What the one-line app's rate becomes when a page has
that many elements: the part of the dashboard's cost that is Streamlit's, not the app's."""

import streamlit as st

batches = st.multiselect("Batch", list(range(1, 9)), default=[1, 2, 3], key="w_batch")
for i in range(59):
    st.text(f"{len(batches)} batches selected · line {i}")
