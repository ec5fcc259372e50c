"""Regenerate the README's screenshots in docs/screenshots/ with the browser-test set-up.

    python scripts/screenshots.py

Starts the app on a free port, opens each view in headless Chromium (Debian's chromium, with
fonts-noto-cjk for the Chinese), and writes map.png, summary.png, regional_priorities.png,
nearest_zone.png and chinese.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import browser  # noqa: E402

SHOTS = {
    # name: (path and query, viewport height, heading to crop from, crop height)
    "map.png": ("/", 1000, None, None),
    "summary.png": ("/?batch=all", 2600, "Regional priorities by batch", 720),
    "regional_priorities.png": ("/regional_priorities", 1500, None, None),
    "nearest_zone.png": ("/nearest_zone?place=Yiwu&k=5", 1300, None, None),
    "chinese.png": ("/?lang=zh&batch=all&zone=lhasa", 1000, None, None),
}


def main() -> int:
    exe = browser.chromium_path()
    if exe is None:
        print(browser.HOW_TO_GET_CHROMIUM, file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    out = browser.screenshot_dir("docs/screenshots")
    with browser.streamlit_server() as url, sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=exe, args=browser.CHROMIUM_ARGS)
        for name, (path, height, heading, crop) in SHOTS.items():
            page = chromium.new_page(viewport={"width": 1400, "height": height})
            page.goto(url + path)
            browser.wait_for_app(page)
            page.wait_for_timeout(1500)
            if heading:
                box = page.get_by_role("heading", name=heading).first.bounding_box()
                clip = {"x": 300, "y": box["y"] - 20, "width": 1100, "height": crop}
                page.screenshot(path=str(out / name), clip=clip)
            else:
                page.screenshot(path=str(out / name))
            page.close()
            print(f"wrote {out.relative_to(ROOT) / name}")
        chromium.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
