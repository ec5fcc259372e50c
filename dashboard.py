"""Entry point: `streamlit run dashboard.py`.

Only a router plus what every page shares: page config, title, language switch, the data load
(and its error block) and the state kept in the URL. Each page is one script in pages/.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import streamlit as st

from cbec import i18n
from cbec.ui import shared

st.set_page_config(
    page_title="China CBEC pilot zones · 跨境电商综试区",
    page_icon=str(Path(__file__).parent / "static" / "favicon.png"),
    layout="wide",
)

state = shared.state()
st.session_state.setdefault("w_lang", state.lang)
lang = (
    st.sidebar.segmented_control(
        "Language · 语言",
        i18n.LANGS,
        format_func=lambda code: i18n.LANG_NAMES[code],
        key="w_lang",
        required=True,
    )
    or state.lang
)
if lang != state.lang:
    shared.save(replace(state, lang=lang))

st.title(i18n.t(lang, "app_title"))
shared.url_notice(lang)

page = st.navigation(
    [
        st.Page("pages/map.py", title=i18n.t(lang, "nav_map"), icon=":material/map:", default=True),
        st.Page(
            "pages/regional_priorities.py",
            title=i18n.t(lang, "nav_priorities"),
            icon=":material/bar_chart:",
        ),
        st.Page(
            "pages/nearest_zone.py", title=i18n.t(lang, "nav_nearest"), icon=":material/near_me:"
        ),
        st.Page(
            "pages/data_and_sources.py", title=i18n.t(lang, "nav_data"), icon=":material/table:"
        ),
    ]
)
page.run()
