"""Entry point: `streamlit run dashboard.py`.

Only a router plus what every page shares: page config, the data load (or its error block), the
view's state in step with the URL, the navigation and the language switch, and the one notice of
ignored link values. Each page is one script in pages/, whose parts live in cbec/ui/.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException

from cbec import i18n
from cbec.ui import frame, shared, slots

# One of a few scripts computing at once, first come first served (cbec/ui/slots.py), from
# the first line: a run asked to rerun stops at its first `st` call, and a client flooding
# reruns then waits in the queue instead of restarting ahead of everyone. Outermost, a guard:
# what escapes the page's own guards (the router, the end of a run) shows the plain sentence
# too, never Streamlit's exception element, which Community Cloud's forced
# client.showErrorDetails=false fills with a stack trace.
with shared.guard(i18n.tr(shared.lang_hint())), slots.turn():
    st.set_page_config(
        page_title="China CBEC pilot zones · 跨境电商综试区",
        # The project's own file, by its static URL: a material-icon name would make the browser
        # fetch it from Google, and a file path is read and hashed on every run.
        page_icon="/app/static/favicon.png",
        layout="wide",
    )
    pages = frame.pages()
    page = st.navigation(list(pages.values()), position="hidden")
    top = st.container()
    run, finished, rerun = None, False, False
    try:
        with shared.guard(i18n.tr(shared.lang_hint())):
            run = shared.begin(frame.page_id(page))
            page.run()
        finished = True
    except RerunException:
        rerun = True  # the next run draws the header: an `st` call now could be interrupted by
        raise  # a newer request, whose rerun would replace this one (a click lost)
    finally:  # also when a page stops early: the links then carry the view it ended on
        if run is not None:
            if not rerun:
                with shared.guard(run.tr):  # a forged widget value here too: the plain sentence
                    frame.header(top, pages, run.page)
                    shared.notice(run.tr, top)
            shared.end(finished)
