"""Regenerate the README's screenshots in docs/screenshots/ with the browser-test set-up.

    python scripts/screenshots.py

Starts the app on a free port, opens each view in headless Chromium (Debian's chromium, with
fonts-noto-cjk for the Chinese), and writes map.png, regional_priorities.png,
nearest_zone.png, chinese.png, phone.png, phone_zh.png and data_and_sources_zh.png (desktop
1400 px wide, phone 390 x 844).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from support import browser  # noqa: E402

SHOTS = {
    # name: (path and query, viewport width, viewport height)
    "map.png": ("/", 1400, 1000),
    "phone.png": ("/", 390, 844),
    "phone_zh.png": ("/?lang=zh", 390, 844),
    "regional_priorities.png": ("/regional_priorities", 1400, 1500),
    "nearest_zone.png": ("/nearest_zone?place=Kashgar&k=5", 1400, 1300),
    "chinese.png": ("/?lang=zh&color=batch&batch=all&zone=lhasa", 1400, 1000),
    "data_and_sources_zh.png": ("/data_and_sources?lang=zh", 1400, 1200),
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
        for name, (path, width, height) in SHOTS.items():
            phone = width < 600
            context = chromium.new_context(
                viewport={"width": width, "height": height},
                is_mobile=phone,
                has_touch=phone,
                user_agent="Mozilla/5.0 (Linux; Android 14) Mobile" if phone else None,
            )
            page = context.new_page()
            page.goto(url + path)
            browser.wait_for_app(page)
            page.wait_for_timeout(1500)
            page.screenshot(path=str(out / name))
            context.close()
            print(f"wrote {out.relative_to(ROOT) / name}")
        chromium.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
