"""The floor: a Streamlit app with one filter and one line of output."""

import streamlit as st

batches = st.multiselect("Batch", list(range(1, 9)), default=[1, 2, 3], key="w_batch")
st.write(f"{len(batches)} batches selected")
