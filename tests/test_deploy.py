"""Two dashboard replicas behind Debian's HAProxy (deploy/): sessions driven through it with the
websocket client. Every request of a browser (page, websocket, reconnect, media URL) reaches one
replica; killing a replica loses only its sessions; new visitors go to the survivor; a returning
replica takes no one back; a hung one gets no one new after 15 s.

HAProxy's cookie names the replica, and it says which replica answered in the X-Replica header
(r0, r1: a name, not an address), on the websocket's 101 response too. Skipped without HAProxy,
unless CBEC_REQUIRE_BROWSER is set (CI): then a missing HAProxy is a failure.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

import pytest

from deploy.replicas import COOKIE, ROOT, Deployment, haproxy_path, nginx_path
from support import browser
from support.streamlit_client import USER_AGENT, StreamlitClient, run_sync

HOW_TO_GET_PROXIES = "haproxy or nginx not found: apt-get install haproxy nginx (as .ci/run does)"


def need_haproxy() -> None:
    missing = haproxy_path() is None or nginx_path() is None
    browser.require(HOW_TO_GET_PROXIES if missing else None)


@pytest.fixture
def deployment():
    need_haproxy()
    with Deployment(replicas=2) as d:
        yield d


async def browser_session(url: str) -> tuple[StreamlitClient, str]:
    """A new browser: the page (the cookie names the replica that served it), then the app's
    websocket; returns the client (still connected) and the replica that served the page."""
    # a browser of its own (a balancer places a browser without its cookie by address and
    # user agent; every test browser shares the loopback address)
    c = StreamlitClient(url, timeout=30, user_agent=f"{USER_AGENT} {uuid.uuid4().hex[:8]}")
    status, headers, _ = await c.http_get("/")
    assert status == 200 and c.cookies.get(COOKIE) == headers["x-replica"]
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
        # A visitor of the dead replica reloads: its cookie names the dead one, HAProxy sends
        # it to the survivor (refused, then dispatched again, or known down) and renames it.
        old = by_replica[dead][0][0]
        old_id = old.session_id
        await old.close()
        status, headers, _ = await old.http_get("/")
        await old.connect()
        reopened = await old.open("", "q=an")
        back = (status, headers["x-replica"], old.handshake_headers["x-replica"], reopened.ok,
                old.cookies[COOKIE])  # fmt: skip
        await close_all(by_replica)
        return dead, survivor, lost, kept, newcomers, back, old_id, old.session_id

    dead, survivor, lost, kept, newcomers, back, old_id, new_id = run_sync(scenario())
    assert lost and all(lost) and dead != survivor
    assert kept and all(kept)
    assert newcomers == [(survivor, survivor)] * 4
    assert back == (200, survivor, survivor, True, survivor) and new_id != old_id


def test_a_returning_replica_takes_back_no_failed_over_visitor(deployment):
    """r0 crashes: its visitors reconnect (new sessions, on r1) and are given r1's name in the
    cookie. When r0 is back and in service, their requests (media URL, reconnect) still reach
    r1, which resumes their sessions (with nginx's hashed key they all went back to r0: new
    sessions a second time, and their downloads answered 404)."""

    async def scenario():
        by_replica = await sessions_on_both(deployment.url)
        deployment.kill(0)
        moved = []
        for c, _ in by_replica["r0"]:
            await c.close()  # its websocket died with r0; the page connects again
            await c.connect()
            r = await c.open("", "q=an")
            moved.append((c.handshake_headers["x-replica"], c.cookies[COOKIE], r.ok))
        deployment.restart(0)
        deadline = time.monotonic() + 30
        while deployment.states()["r0"] != "UP":
            assert time.monotonic() < deadline, deployment.states()
            await asyncio.sleep(0.5)
        after = []
        for c, _ in by_replica["r0"]:
            sid = c.session_id
            status, headers, _ = await c.http_get(c.favicon)  # held by the session's replica
            await c.close()
            await c.connect(resume=sid)
            again = await c.rerun()
            after.append((status, headers["x-replica"], c.handshake_headers["x-replica"],
                          again.ok, c.session_id == sid))  # fmt: skip
        newcomers = []  # and r0 serves again: new visitors reach it
        for _ in range(40):
            c, replica = await browser_session(deployment.url)
            newcomers.append(replica)
            await c.close()
            if "r0" in newcomers:
                break
        await close_all(by_replica)
        return moved, after, newcomers

    moved, after, newcomers = run_sync(scenario())
    assert moved and all(m == ("r1", "r1", True) for m in moved), moved
    assert all(a == (200, "r1", "r1", True, True) for a in after), after
    assert "r0" in newcomers, newcomers


def test_a_hung_replica_gets_no_new_visitor_after_15_s(deployment):
    """r0 stops answering (SIGSTOP: a deadlock, a machine swapping) but its port still accepts
    connections, which nginx alone never noticed (3 of 9 new visitors waited 75 s and more).
    HAProxy's health checks take it out of service within 15 s; then every new visitor gets
    r1, and r1's sessions go on."""
    import signal

    async def scenario():
        by_replica = await sessions_on_both(deployment.url, each=1)
        proc = deployment.running[0].proc
        os.kill(proc.pid, signal.SIGSTOP)
        start = time.monotonic()
        try:
            while not deployment.states()["r0"].startswith("DOWN"):
                assert time.monotonic() - start < 15, deployment.states()
                await asyncio.sleep(0.25)
            out_after = time.monotonic() - start
            newcomers = []
            for _ in range(6):
                c, replica = await browser_session(deployment.url)
                newcomers.append((replica, c.handshake_headers["x-replica"]))
                await c.close()
            kept = [(await c.rerun()).ok for c, _ in by_replica["r1"]]
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        await close_all({"r1": by_replica["r1"]})
        return out_after, newcomers, kept

    out_after, newcomers, kept = run_sync(scenario())
    assert out_after < 15
    assert newcomers == [("r1", "r1")] * 6
    assert kept and all(kept)


def test_every_generated_file_is_served_by_every_replica_to_a_visitor_without_cookie(deployment):
    """An embed keeps no cookie, so each of its requests may reach any replica: every file a
    page can ask for (the points, each zoom's names in both languages) is written before the
    replicas start (scripts/build_static.py), so each replica serves each of them at once,
    and the same bytes, through the proxy too, to visitors at other addresses, whichever
    replica answers."""
    import http.client
    import urllib.request

    from cbec import data, mapview

    files = mapview.static_files(data.dataset())
    assert len(files) == 1 + 2 * len(mapview.label_zooms())

    def get(url: str) -> tuple[int, str, bytes]:
        with urllib.request.urlopen(url, timeout=30) as r:  # no cookie is ever sent
            return r.status, r.headers.get("X-Replica", ""), r.read()

    def get_from(source: str, path: str) -> tuple[int, str, bytes]:
        """From another loopback address (127.0.0.0/8 is all this machine's)."""
        conn = http.client.HTTPConnection("127.0.0.1", deployment.port, timeout=30,
                                          source_address=(source, 0))  # fmt: skip
        try:
            conn.request("GET", deployment.path + path)
            r = conn.getresponse()
            return r.status, r.getheader("X-Replica", ""), r.read()
        finally:
            conn.close()

    sources = [f"127.0.0.{i}" for i in range(2, 12)]

    answered = set()
    for f in files:
        for r in deployment.running:
            status, _, body = get(f"http://{r.addr}/app/static/generated/{f.name}")
            assert (status, body.decode()) == (200, f.text), (r.addr, f.name)
        for source in sources:  # visitors at other addresses, placed on either replica
            status, replica, body = get_from(source, f"/app/static/generated/{f.name}")
            assert (status, body.decode()) == (200, f.text), f.name
            answered.add(replica)
    assert answered == {"r0", "r1"}


def test_the_proxy_compresses_what_the_browser_fetches(deployment):
    """Streamlit's server sends its JavaScript uncompressed; the proxy compresses it (and the
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
    """No server software named, replicas named not addressed, Streamlit's metrics not public
    however the path is spelled, no request body (the app has no upload: 190 MB POSTs were
    buffered to disk before), and the security headers, with embedding allowed by an explicit
    frame-ancestors policy, on the proxy's own answers too."""
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
    assert headers["server"] == "nginx"  # no version, and not the replicas' "uvicorn"
    assert headers["x-replica"] in {"r0", "r1"}
    assert headers["set-cookie"].startswith(f"{COOKIE}={headers['x-replica']};")
    for path in ("/", "/_stcore/metrics", "/healthz"):
        _, headers, _ = fetch(path)
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin", path
        assert "frame-ancestors *" in headers["content-security-policy"], path
    for path in ("/_stcore/metrics", "/_stcore//metrics", "/_stcore/%6detrics",
                 "/_stcore/metrics/"):  # fmt: skip
        status, headers, body = fetch(path)
        assert status == 404 and b"streamlit" not in body.lower(), path
        assert "x-replica" not in headers, path  # refused before any replica
    status, _, body = fetch("/", data=b"x" * 1_000_000)
    assert status == 413


def test_half_open_connections_leave_the_proxy_answering_and_are_closed(deployment):
    """1,100 clients that never finish their headers (with 1,024 worker connections they made
    nginx refuse everything, its probe included): the probe still answers, and nginx closes
    them after `client_header_timeout` (10 s). (A replica cannot: uvicorn under
    Streamlit 1.67 kept such a connection open for the 90 s it was watched, so replicas
    listen on the loopback only, behind the proxy.)"""
    import resource
    import socket
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
    through the proxy (nginx once missed /cbec/_stcore/stream), a first run with the map's
    deck, and the health check at /cbec/_stcore/health (the replica is UP). Each replica's
    open-file limit is raised to the hard limit (a visitor is a socket)."""
    need_haproxy()
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
        assert d.states() == {"r0": "UP"}


def start_script(tmp_path: Path, *args: str) -> tuple[subprocess.Popen, str]:
    """`python deploy/replicas.py *args`, the script an operator runs, once it says it serves:
    the process and what it printed (the URL and replicas, then their pids)."""
    out = tmp_path / "out.txt"
    with open(out, "w") as o, open(tmp_path / "err.txt", "w") as e:
        sup = subprocess.Popen(
            [sys.executable, str(ROOT / "deploy/replicas.py"), *args,
             "--prefix", str(tmp_path / "run")],
            cwd=ROOT, stdout=o, stderr=e,
        )  # fmt: skip
    deadline = time.monotonic() + 120  # a guard against a hang, not a budget
    while "Ctrl-C stops" not in out.read_text():
        if sup.poll() is not None or time.monotonic() > deadline:
            sup.kill()
            raise AssertionError(f"replicas.py did not start: {(tmp_path / 'err.txt').read_text()}")
        time.sleep(0.5)
    return sup, out.read_text()


def test_the_supervisor_restarts_a_crashed_replica_and_keeps_the_others(tmp_path):
    """`python deploy/replicas.py`, the script an operator runs, not the test's Deployment:
    `kill -9` of one replica (it used to stop the proxy and every replica within 4 s). The other
    replica's sessions go on, the dead one is started again on its port, and the site serves
    new visitors throughout; SIGTERM then stops everything."""
    import signal
    import urllib.request

    from deploy.replicas import free_port

    need_haproxy()
    port = free_port()
    sup, out = start_script(tmp_path, "--replicas", "2", "--port", str(port))
    url = f"http://127.0.0.1:{port}"

    def health(addr: str) -> bool:
        try:
            with urllib.request.urlopen(f"http://{addr}/_stcore/health", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    try:
        first, second = out.splitlines()[:2]
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


def test_sigterm_drains_open_sessions_and_refuses_new_visitors(tmp_path):
    """SIGTERM to `python deploy/replicas.py` (what a platform sends before it stops a
    machine): the port stops taking connections at once (a platform's balancer then sends new
    visitors elsewhere), while an open session goes on working; the script exits once that
    session has closed, well within --drain (it used to drop every session in about 2 s)."""
    import signal
    import socket

    from deploy.replicas import free_port

    need_haproxy()
    port = free_port()
    sup, _ = start_script(tmp_path, "--replicas", "1", "--port", str(port), "--drain", "120")
    try:

        def refused() -> bool:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
                return False
            except OSError:
                return True

        async def scenario():
            c, _ = await browser_session(f"http://127.0.0.1:{port}")
            sup.send_signal(signal.SIGTERM)
            sent = time.monotonic()
            while not refused():  # at once; 30 s is a guard against a hang, not a budget
                assert time.monotonic() - sent < 30, "still taking connections 30 s after SIGTERM"
                await asyncio.sleep(0.1)
            during = [(await c.open("", q)).ok for q in ("batch=3", "batch=4")]
            running = sup.poll() is None
            await c.close()
            closed = time.monotonic()
            sup.wait(timeout=180)
            return during, running, time.monotonic() - closed

        during, running_while_open, exit_after_close = run_sync(scenario())
        assert during == [True, True] and running_while_open
        # not at the 120 s bound (nothing was open any more): 2-3 s here
        assert exit_after_close < 60, exit_after_close
        assert sup.returncode == 0
    finally:
        if sup.poll() is None:
            sup.kill()
            sup.wait()


def test_a_cookieless_embed_loads_every_file_of_its_view(deployment):
    """An embed on another site gets no cookie (browsers withhold third-party cookies), so
    each of its requests is placed anew: by the visitor's address and user agent, not by the
    fewest connections, so the QR code's image, which only its session's replica holds, loads
    from the page it was drawn on (with leastconn every one answered 404)."""

    async def scenario():
        c = StreamlitClient(deployment.url, timeout=60)
        c._keep_cookies = lambda set_cookies: None  # an embed: no cookie is ever kept
        await c.http_get("/?embed=true")
        await c.connect()
        first = await c.open("", "batch=3&embed=true")
        replica = c.handshake_headers["x-replica"]
        images = [img.url for el in c.elements("imgs") for img in el.imgs]
        answers = []
        for url in images:
            for _ in range(6):
                status, headers, _ = await c.http_get("/" + url.lstrip("/"))
                answers.append((status, headers.get("x-replica")))
        await c.close()
        return first, replica, images, answers, c.cookies

    first, replica, images, answers, cookies = run_sync(scenario())
    assert first.ok and images, images  # the share panel's QR code
    assert cookies == {}
    assert answers == [(200, replica)] * len(answers)
