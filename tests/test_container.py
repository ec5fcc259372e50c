"""The Dockerfile, built and run (deploy/container.py: buildah with chroot isolation, FROM a
Debian 12 base made with debootstrap, as no registry and no container engine are reachable
here). The image serves the map under its own user, command and environment, honours $PORT,
has every generated file built in and writes none, and its health check passes.

Needs buildah, debootstrap and root; skipped without them, unless CBEC_REQUIRE_BROWSER is set
(CI, where .ci/run installs them): then their absence is a failure. The first build takes
about 4 minutes (the Debian base, then pip); the base is kept for the next run.
"""

from __future__ import annotations

import json
import os
import re
import urllib.request
from pathlib import Path

import pytest

from deploy import container
from deploy.replicas import free_port
from support import browser
from support.streamlit_client import StreamlitClient, run_sync


@pytest.fixture(scope="module")
def image() -> str:
    lacking = ", ".join(container.missing_tools())
    browser.require(lacking and f"the container test needs {lacking} (apt-get install buildah "
                    "debootstrap)")  # fmt: skip
    if not container.has_image(container.BASE):
        container.build_base()
    tag = "localhost/cbec-map-test"
    container.build_image(tag)  # always: the image of this checkout
    return tag


def test_the_image_serves_the_map_as_a_non_root_user_on_the_platforms_port(image):
    cfg = container.config(image)
    assert re.fullmatch(r"[1-9]\d*:[1-9]\d*", cfg["User"]), cfg["User"]  # numeric, not root
    assert cfg["Healthcheck"]["Test"][0] in ("CMD", "CMD-SHELL")
    assert "8501/tcp" in cfg["ExposedPorts"]
    assert "STREAMLIT_SERVER_FILE_WATCHER_TYPE=none" in cfg["Env"]  # an image's files stay
    port = free_port()  # not 8501: the platform's $PORT is honoured
    with container.Running(image, port) as run:
        run.wait_healthy()
        assert "checkip" not in run.output() and "External URL" not in run.output()
        # the app's process: the image's user, not root
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
        uids = set()
        for pid in pids:
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            if b"streamlit" in b" ".join(cmd) and str(port).encode() in cmd:
                uids.add(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))
        assert uids == {cfg["User"].split(":")[0]}, uids

        async def visit():
            c = StreamlitClient(f"http://127.0.0.1:{port}", timeout=60)
            status, _, page = await c.http_get("/")
            await c.connect()
            first = await c.open("", "batch=3")
            decks = [e.json for e in c.elements("deck_gl_json_chart")]
            await c.close()
            return status, page, first, decks

        status, page, first, decks = run_sync(visit())
        assert status == 200 and b"<html" in page.lower()
        assert first.ok, first.exceptions
        assert len(decks) == 1
        layers = json.loads(decks[0])["layers"]
        urls = [lay["data"] for lay in layers if isinstance(lay.get("data"), str)]
        # the points and names are files built into the image (records would travel inline
        # with every run had the app had to write them)
        assert any(u.startswith("app/static/generated/zones-") for u in urls), urls
        assert any(u.startswith("app/static/generated/labels-") for u in urls), urls
        for url in urls:
            if url.startswith("app/static/generated/"):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/{url}", timeout=10) as r:
                    assert r.status == 200, url
        # nothing written at run time: the app's files are not its user's to change
        written = run.exec("/bin/sh", "-c", "touch /app/static/generated/x 2>&1; echo $?")
        assert written.stdout.strip().splitlines()[-1] != "0", written.stdout
        health = run.exec(*health_command(cfg))
        assert health.returncode == 0, health.stderr


def health_command(cfg: dict) -> list[str]:
    test = cfg["Healthcheck"]["Test"]
    return test[1:] if test[0] == "CMD" else ["/bin/sh", "-c", test[1]]
