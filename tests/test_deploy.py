"""Two dashboard replicas behind Debian's nginx (deploy/): sessions driven through nginx with the
websocket client. Every request of a browser (page, websocket, reconnect, media URL) reaches one
replica; killing a replica loses only its sessions; new visitors go to the survivor.

nginx says which replica answered in the X-Replica header (r0, r1: a name, not an address), on
the websocket's 101 response too. Skipped without nginx, unless CBEC_REQUIRE_BROWSER is set
(CI): then a missing nginx is a failure.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path

import pytest

from deploy.replicas import COOKIE, Deployment, nginx_path
from support.streamlit_client import StreamlitClient, run_sync

HOW_TO_GET_NGINX = "nginx not found: apt-get install nginx (as .ci/run does)"


@pytest.fixture
def deployment():
    if nginx_path() is None:
        if os.environ.get("CBEC_REQUIRE_BROWSER"):
            pytest.fail(HOW_TO_GET_NGINX)
        pytest.skip(HOW_TO_GET_NGINX)
    with Deployment(replicas=2) as d:
        yield d


async def browser_session(url: str) -> tuple[StreamlitClient, str]:
    """A new browser: the page (nginx sets the cookie), then the app's websocket; returns the
    client (still connected) and the replica that served the page."""
    c = StreamlitClient(url, timeout=30)
    status, headers, _ = await c.http_get("/")
    assert status == 200 and COOKIE in c.cookies
    await c.connect()
    first = await c.open("", "q=an")
    assert first.ok, first.exceptions
    return c, headers["x-replica"]


async def sessions_on_both(url: str, each: int = 2, most: int = 40) -> dict[str, list]:
    """New browsers until both replicas hold `each` sessions (the key is random per browser):
    {replica of the websocket: [(client, replica of the page), ...]}."""
    by_replica: dict[str, list] = defaultdict(list)
    for _ in range(most):
        c, page = await browser_session(url)
        by_replica[c.handshake_headers["x-replica"]].append((c, page))
        if len(by_replica) == 2 and all(len(v) >= each for v in by_replica.values()):
            return by_replica
    await close_all(by_replica)
    spread = {k: len(v) for k, v in by_replica.items()}
    raise AssertionError(f"{most} browsers, sessions per replica {spread}: no spread")


async def close_all(by_replica: dict[str, list]) -> None:
    for sessions in by_replica.values():
        for c, _ in sessions:
            await c.close()


def test_every_request_of_a_browser_reaches_one_replica(deployment):
    async def scenario():
        by_replica = await sessions_on_both(deployment.url)
        checks = []
        for ws_replica, sessions in by_replica.items():
            mine = deployment.named(ws_replica)
            other = next(r.addr for i, r in enumerate(deployment.running) if i != mine)
            for c, replica in sessions:
                # Another request of the same browser (the favicon) carries the cookie: the
                # same replica.
                status, headers, body = await c.http_get(c.favicon)
                media = (status, headers["x-replica"], body[:4])
                # Reconnect (a dropped connection): the same replica resumes the same session;
                # the other replica does not know it and would start a new one.
                before = c.session_id
                stranger = StreamlitClient(f"http://{other}", timeout=30)
                await stranger.connect(resume=before)
                await stranger.open("", "q=an")
                elsewhere = stranger.session_id
                await stranger.close()
                await c.close()
                await c.connect(resume=before)
                again = await c.rerun()
                checks.append(
                    (replica, ws_replica, media, elsewhere, c.handshake_headers, before, again, c)
                )
                await c.close()
        return checks

    checks = run_sync(scenario())
    assert len(checks) >= 4
    for replica, ws_replica, media, elsewhere, reconnect, before, again, c in checks:
        assert ws_replica == replica  # the websocket follows the page
        assert media == (200, replica, b"\x89PNG")
        assert elsewhere != before
        assert reconnect["x-replica"] == replica
        assert again.ok and c.session_id == before  # resumed, not a new session
        assert "q=an" in again.query_string


def test_a_crashed_replica_loses_only_its_sessions(deployment):
    async def scenario():
        by_replica = await sessions_on_both(deployment.url)
        dead, survivor = list(by_replica)
        deployment.kill(deployment.named(dead))
        lost, kept = [], []
        for c, _ in by_replica[dead]:
            try:
                await c.rerun()
                lost.append(False)
            except Exception:  # the websocket closed with the process
                lost.append(True)
        for c, _ in by_replica[survivor]:
            r = await c.rerun()
            kept.append(r.ok)
        newcomers = []
        for _ in range(4):
            c, replica = await browser_session(deployment.url)
            newcomers.append((replica, c.handshake_headers["x-replica"]))
            await c.close()
        # A visitor of the dead replica reloads: same cookie, now the survivor, a new session.
        old = by_replica[dead][0][0]
        old_id = old.session_id
        await old.close()
        status, headers, _ = await old.http_get("/")
        await old.connect()
        reopened = await old.open("", "q=an")
        back = (status, headers["x-replica"], old.handshake_headers["x-replica"], reopened.ok)
        await close_all(by_replica)
        return dead, survivor, lost, kept, newcomers, back, old_id, old.session_id

    dead, survivor, lost, kept, newcomers, back, old_id, new_id = run_sync(scenario())
    assert lost and all(lost)
    assert kept and all(kept)
    # X-Replica names the last replica tried: the first newcomer may have been hashed to the
    # dead one, which then counts as failed (max_fails=1) and gets nobody for fail_timeout.
    assert [(page.split(", ")[-1], ws.split(", ")[-1]) for page, ws in newcomers] == [
        (survivor, survivor)
    ] * 4
    assert sum(dead in page + ws for page, ws in newcomers) <= 1
    assert back == (200, survivor, survivor, True) and new_id != old_id


def test_the_proxy_compresses_what_the_browser_fetches(deployment):
    """Streamlit's server sends its JavaScript uncompressed; nginx compresses it (and the
    province outlines) for a browser that accepts gzip."""
    import re
    import urllib.request
    from email.message import Message

    def get(path: str, gzip: bool) -> tuple[Message, bytes]:
        req = urllib.request.Request(deployment.url + path)
        if gzip:
            req.add_header("Accept-Encoding", "gzip")
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.headers, r.read()  # case-insensitive: a replica writes "content-encoding"

    _, page = get("/", gzip=False)
    script = re.search(rb'src="\.?/?(static/js/index\.[^"]+\.js)"', page).group(1).decode()
    for path in ("/" + script, "/app/static/china_provinces.geojson"):
        plain_headers, plain = get(path, gzip=False)
        headers, body = get(path, gzip=True)
        assert "Content-Encoding" not in plain_headers, path
        assert headers.get("Content-Encoding") == "gzip", path
        assert len(body) < 0.45 * len(plain), (path, len(body), len(plain))


def test_the_proxy_hides_internals_and_sets_security_headers(deployment):
    """No nginx version, replicas named not addressed, Streamlit's metrics not public, no
    request body (the app has no upload: 190 MB POSTs were buffered to disk before), and the
    security headers, with embedding allowed by an explicit frame-ancestors policy."""
    import urllib.error
    import urllib.request

    def fetch(path: str, data: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
        req = urllib.request.Request(deployment.url + path, data=data)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
        except urllib.error.HTTPError as e:
            return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()

    status, headers, _ = fetch("/")
    assert status == 200
    assert headers["server"] == "nginx"
    assert headers["x-replica"] in {"r0", "r1"}
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "frame-ancestors *" in headers["content-security-policy"]
    status, _, body = fetch("/_stcore/metrics")
    assert status == 404 and b"nginx/" not in body
    status, _, body = fetch("/", data=b"x" * 1_000_000)
    assert status == 413 and b"nginx/" not in body


def test_half_open_connections_leave_the_proxy_answering_and_are_closed(deployment):
    """1,100 clients that never finish their headers (with worker_connections 1024 they made
    nginx refuse everything, /healthz included): the probe still answers at once, and nginx
    closes them after client_header_timeout (10 s). (A replica cannot: uvicorn under
    Streamlit 1.67 kept such a connection open for the 90 s it was watched, so replicas
    listen on the loopback only, behind nginx.)"""
    import resource
    import socket
    import time
    import urllib.request

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    socks = []
    try:
        for _ in range(1100):
            s = socket.create_connection(("127.0.0.1", deployment.port), timeout=5)
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and nothing more
            socks.append(s)
        with urllib.request.urlopen(deployment.root + "/healthz", timeout=30) as r:
            assert r.status == 200
        with urllib.request.urlopen(deployment.url + "/_stcore/health", timeout=30) as r:
            assert r.status == 200
        # closed by the 10 s header timeout; the old 60 s one kept all 1,100 open
        deadline, open_ = time.monotonic() + 40, list(socks)
        while open_ and time.monotonic() < deadline:
            for s in list(open_):
                s.settimeout(0.01)
                try:
                    if s.recv(1024) == b"":
                        open_.remove(s)
                except TimeoutError:
                    pass
                except OSError:
                    open_.remove(s)
        assert not open_, f"{len(open_)} of 1100 half-open connections still open after 40 s"
    finally:
        for s in socks:
            s.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_the_app_works_under_a_base_path_and_replicas_may_open_many_files():
    """`--server.baseUrlPath cbec` (an app behind a shared domain): the page, the websocket
    through nginx (a prefix location for /_stcore/stream missed /cbec/_stcore/stream, and
    `location /` dropped its Upgrade header), a first run with the map's deck. Each replica's
    open-file limit is raised to the hard limit (a visitor is a socket)."""
    if nginx_path() is None:
        if os.environ.get("CBEC_REQUIRE_BROWSER"):
            pytest.fail(HOW_TO_GET_NGINX)
        pytest.skip(HOW_TO_GET_NGINX)
    with Deployment(replicas=1, base="cbec") as d:
        assert d.url.endswith("/cbec")
        limits = Path(f"/proc/{d.running[0].proc.pid}/limits").read_text()
        files = next(line.split()[3:5] for line in limits.splitlines() if "open files" in line)
        assert files[0] == files[1], limits

        async def scenario():
            c = StreamlitClient(d.url, timeout=30)
            status, headers, body = await c.http_get("/")
            assert status == 200 and b"<html" in body.lower() and headers["x-replica"] == "r0"
            await c.connect()
            assert c.handshake_headers["x-replica"] == "r0"
            first = await c.open("", "batch=3")
            decks = c.elements("deck_gl_json_chart")
            await c.close()
            return first, decks

        first, decks = run_sync(scenario())
        assert first.ok, first.exceptions
        assert len(decks) == 1, "no map in the first run"


def test_the_supervisor_restarts_a_crashed_replica_and_keeps_the_others(tmp_path):
    """`python deploy/replicas.py`, the script an operator runs, not the test's Deployment:
    `kill -9` of one replica (it used to stop nginx and every replica within 4 s). The other
    replica's sessions go on, the dead one is started again on its port, and the site serves
    new visitors throughout; SIGTERM then stops everything."""
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    from deploy.replicas import ROOT, free_port

    if nginx_path() is None:
        if os.environ.get("CBEC_REQUIRE_BROWSER"):
            pytest.fail(HOW_TO_GET_NGINX)
        pytest.skip(HOW_TO_GET_NGINX)
    port = free_port()
    out = tmp_path / "out.txt"
    with open(out, "w") as o, open(tmp_path / "err.txt", "w") as e:
        sup = subprocess.Popen(
            [sys.executable, str(ROOT / "deploy/replicas.py"), "--replicas", "2",
             "--port", str(port), "--prefix", str(tmp_path / "nginx")],
            cwd=ROOT, stdout=o, stderr=e,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    def health(addr: str) -> bool:
        try:
            with urllib.request.urlopen(f"http://{addr}/_stcore/health", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    try:
        deadline = time.monotonic() + 120
        while "Ctrl-C stops" not in out.read_text():
            assert sup.poll() is None and time.monotonic() < deadline, out.read_text()
            time.sleep(0.5)
        first, second = out.read_text().splitlines()[:2]
        addrs = first.split("->")[1].strip().split(", ")
        pids = [int(p) for p in re.findall(r"r\d pid (\d+)", second)]

        async def scenario():
            by_replica = await sessions_on_both(url)
            os.kill(pids[0], signal.SIGKILL)
            kept = [(await c.rerun()).ok for c, _ in by_replica["r1"]]
            c, _ = await browser_session(url)  # a new visitor while r0 is down
            newcomer = c.handshake_headers["x-replica"].split(", ")[-1]
            await c.close()
            await close_all({"r1": by_replica["r1"]})
            return kept, newcomer

        kept, newcomer = run_sync(scenario())
        assert kept and all(kept) and newcomer == "r1"
        deadline = time.monotonic() + 90
        while not health(addrs[0]):
            assert sup.poll() is None, "the supervisor stopped"
            assert time.monotonic() < deadline, "r0 was not started again within 90 s"
            time.sleep(0.5)
        assert health(addrs[1]) and sup.poll() is None
    finally:
        sup.send_signal(signal.SIGTERM)
        sup.wait(timeout=30)
    assert not health(addrs[0]) and not health(addrs[1])
