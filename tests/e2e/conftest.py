"""Browser fixtures: the real server, the system Chromium, a page that records console errors."""

from __future__ import annotations

import pytest

from support import browser

# Requests that may fail with no internet, by host: basemap tiles and fonts, never our own.
EXTERNAL_HOSTS = ("basemaps.cartocdn.com", "fonts.gstatic.com", "fonts.googleapis.com")


@pytest.fixture(scope="session")
def server_url():
    with browser.streamlit_server() as url:
        yield url


@pytest.fixture(scope="session")
def chromium():
    exe = browser.chromium_path()
    browser.require(browser.HOW_TO_GET_CHROMIUM if exe is None else None)
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=browser.CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(chromium, request):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.console_errors = []

    def on_console(msg):
        where = (msg.location or {}).get("url", "")
        if msg.type == "error" and not any(h in msg.text + where for h in EXTERNAL_HOSTS):
            pg.console_errors.append(f"{msg.text} ({where})")

    def on_failed(req):
        if not any(h in req.url for h in EXTERNAL_HOSTS):
            pg.console_errors.append(f"request failed: {req.url}")

    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: pg.console_errors.append(f"page error: {exc}"))
    pg.on("requestfailed", on_failed)
    yield pg
    report = getattr(request.node, "rep_call", None)
    if report is None or report.failed:  # what the page showed when a test failed
        out = browser.screenshot_dir("tests/e2e/artifacts")
        pg.screenshot(path=str(out / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Each phase's report on the test item (rep_setup, rep_call), for the page fixture."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
