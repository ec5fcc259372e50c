"""Headless Chromium for the browser tests and the README screenshots: one set-up, two users.

Uses the system Chromium (Debian's `chromium` package) through the Python `playwright`
package; `playwright install` cannot download browsers here, and need not.
"""

from __future__ import annotations

import base64
import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cbec import colors, paths

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOW_TO_GET_CHROMIUM = (
    "no Chromium found: install Debian's chromium and fonts-noto-cjk "
    "(apt-get update && apt-get install -y chromium fonts-noto-cjk), as .ci/run does"
)


def require(missing: str | None) -> None:
    """A tool a test needs is missing (`missing` says which and how to get it): a skip, or a
    failure where CBEC_REQUIRE_BROWSER is set (CI, whose .ci/run installs every tool)."""
    import pytest  # the tests' own: benchmarks and scripts import this module too

    if missing:
        if os.environ.get("CBEC_REQUIRE_BROWSER"):
            pytest.fail(missing)
        pytest.skip(missing)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running `streamlit run`: its base URL and its process (for RSS, or to kill it)."""

    url: str
    proc: subprocess.Popen


@contextlib.contextmanager
def streamlit_app(
    script: str | Path = "dashboard.py",
    timeout: float = 60.0,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
) -> Iterator[Server]:
    """`streamlit run script` (relative to the repository root, whose .streamlit/config.toml
    applies) on a free loopback port, with `env` added to its environment and `args` (e.g.
    "--server.maxUploadSize", "1") after the defaults; yields once /_stcore/health answers,
    and stops the server afterwards, also on failure."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(paths.ROOT / script),
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false", *args,
    ]  # fmt: skip
    log = open(os.devnull, "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        cmd, cwd=paths.ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start on port {port}")
            time.sleep(0.3)
        yield Server(url, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@contextlib.contextmanager
def streamlit_server(timeout: float = 60.0, env: dict[str, str] | None = None) -> Iterator[str]:
    """`streamlit run dashboard.py` on a free loopback port (with `env` added to its
    environment); yields its base URL once /_stcore/health answers, and stops it afterwards."""
    with streamlit_app("dashboard.py", timeout, env) as server:
        yield server.url


FITTED = """() => {
  const legend = document.querySelector('[role=list][data-width]');
  const canvas = document.querySelector('canvas#deckgl-overlay');
  if (!legend || !canvas) return true;
  return +legend.dataset.width === Math.round(canvas.getBoundingClientRect().width);
}"""


def wait_for_app(page, timeout_ms: int = 30000) -> None:
    """Until the script has finished running and the map (if any) has drawn."""
    idle = "[data-testid=stApp][data-test-script-state=notRunning]"
    page.wait_for_timeout(300)  # let a click reach the server and start a rerun
    page.wait_for_selector(idle, timeout=timeout_ms)
    # A fresh page reports "not running" before its first run has even begun: every page of
    # the app has its navigation links, so wait for them, then for the run to end.
    page.wait_for_selector("[data-testid=stPageLink]", timeout=timeout_ms)
    page.wait_for_selector(idle, timeout=timeout_ms)
    # The map page's first run in a browser is light (cbec.ui.firstpaint.light): the rest of the
    # page follows once the map has drawn.
    page.wait_for_selector("#cbec-loading", state="detached", timeout=timeout_ms)
    # ... and the page is complete when the full run's last element is there (a fragment's
    # run that asks for the full page leaves the app idle for a moment before it starts).
    page.wait_for_selector("#cbec-ready", state="attached", timeout=timeout_ms)
    page.wait_for_selector(idle, timeout=timeout_ms)
    # The map page's deck is fitted to the width its column reported: wait until the deck on
    # screen is the one fitted to the canvas's width (the legend says which width it is for).
    page.wait_for_function(FITTED, timeout=timeout_ms)
    page.wait_for_timeout(1500)  # deck.gl and the charts draw after the script's last delta


def still(canvas, timeout_s: float = 30.0) -> bytes:
    """The canvas once two screenshots 250 ms apart are the same: the hover highlight that the
    pointer's move away clears, a layer still loading, or a map being replaced by a new one is
    redrawn by then however busy the machine is (a fixed pause was too short with both cores
    busy). A screenshot the old map's removal interrupted counts as a change."""
    from playwright.sync_api import Error as PlaywrightError

    def shot() -> bytes | None:
        try:
            return canvas.screenshot()
        except PlaywrightError:
            return None

    last, deadline = shot(), time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        canvas.page.wait_for_timeout(250)
        again = shot()
        if again is not None and again == last:
            return again
        last = again
    if last is None:
        raise AssertionError("the canvas kept going away")
    return last


def screenshot_dir(name: str) -> Path:
    out = paths.ROOT / name
    out.mkdir(parents=True, exist_ok=True)
    return out


# The zones' two story colours: a frame holding >= POINT_PIXELS of them (every 2nd row and
# column) shows the points.
POINT_COLOURS = (colors.EARLIER, colors.NEW)
POINT_PIXELS = 40
POINT_TOLERANCE = 10  # per channel (antialiasing, blending)


def story_pixels(png: bytes) -> int:
    """Pixels of the two story colours in an image (every 2nd row and column)."""
    import numpy as np
    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))[::2, ::2].astype(int)
    hit = np.zeros(img.shape[:2], dtype=bool)
    for c in POINT_COLOURS:
        hit |= np.abs(img - np.array(c)).max(axis=2) <= POINT_TOLERANCE
    return int(hit.sum())


def points_seen(frames: list[tuple[float, bytes]]) -> tuple[float | None, list[float]]:
    """When the points were first on screen, and every later stretch without them (s), from
    (time, PNG) frames: once a visitor has seen the points, the page must never take them
    away (a deck replaced by another whose points are still loading)."""
    seen, gaps, lost_at = None, [], None
    for t, png in frames:
        on = story_pixels(png) >= POINT_PIXELS
        if seen is None:
            seen = t if on else None
        elif not on and lost_at is None:
            lost_at = t
        elif on and lost_at is not None:
            gaps.append(t - lost_at)
            lost_at = None
    if lost_at is not None:  # lost and not back when the recording ended
        gaps.append(frames[-1][0] - lost_at)
    return seen, gaps


class Screencast:
    """Every frame Chromium's compositor shows, with its time (the DevTools protocol's
    Page.startScreencast): what a person sees, without touching the page."""

    def __init__(self, context, page) -> None:
        self.frames: list[tuple[float, bytes]] = []
        self.cdp = context.new_cdp_session(page)
        self.cdp.on("Page.screencastFrame", self._on_frame)

    def _on_frame(self, params: dict) -> None:
        self.frames.append((params["metadata"]["timestamp"], base64.b64decode(params["data"])))
        self.cdp.send("Page.screencastFrameAck", {"sessionId": params["sessionId"]})

    def start(self) -> None:
        self.cdp.send("Page.startScreencast", {"format": "png", "everyNthFrame": 1})

    def stop(self) -> None:
        self.cdp.send("Page.stopScreencast")
