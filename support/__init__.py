"""What the tests, the benchmarks and the scripts share, kept out of `tests/` so that nothing
imports a test folder: a real Streamlit server and the system Chromium (`browser`), AppTest run
as a server runs it (`apptest`), a websocket client that speaks Streamlit's protocol
(`streamlit_client`) and a local server that speaks Nominatim's JSON (`nominatim_server`).
Not part of the app: nothing in `cbec/`, `pages/` or `dashboard.py` imports it."""
