"""A tiny app for the websocket client's tests: a widget, a cached value, an error on demand."""

import time

import streamlit as st


@st.cache_data
def first_run_ns() -> int:
    return time.time_ns()


picked = st.multiselect("Pick", ["a", "b", "c"], default=["a"], key="pick")
st.markdown(f"picked {','.join(picked) or 'nothing'}")
st.metric("Cached at", first_run_ns())
if st.button("Fail", key="fail"):
    raise ValueError("probe failure")


@st.fragment
def panel() -> None:
    k = st.slider("K", 1, 10, 3, key="k")
    st.markdown(f"k is {k}")


panel()
