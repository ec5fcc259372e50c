"""A local HTTP server on 127.0.0.1 that speaks Nominatim's /search JSON, with scripted faults."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

# City seats answered by the server, as Nominatim would (lat, lon, display_name).
PLACES = {
    "杭州市": ("30.2741", "120.1551", "杭州市, 浙江省, 中国"),
    "宁波市": ("29.8740", "121.5440", "宁波市, 浙江省, 中国"),
    "合肥市": ("31.8206", "117.2272", "合肥市, 安徽省, 中国"),
    "郑州市": ("34.7466", "113.6254", "郑州市, 河南省, 中国"),
    "南京市": ("32.0603", "118.7969", "南京市, 江苏省, 中国"),
}


def place(lat: str, lon: str, name: str) -> dict:
    return {
        "place_id": abs(hash(name)) % 10**6,
        "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
        "osm_type": "relation",
        "lat": lat,
        "lon": lon,
        "class": "boundary",
        "type": "administrative",
        "display_name": name,
        "importance": 0.7,
        "boundingbox": [lat, lat, lon, lon],
    }


Reply = tuple[int, dict[str, str], bytes]


def answer(query: str) -> Reply:
    """The normal answer: the place named first in the query, or [] for no match."""
    name = query.split(",")[0].strip()
    body = [place(*PLACES[name])] if name in PLACES else []
    return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()


class FakeNominatim:
    """Serves `script` replies in order (each a function of the query), then normal answers."""

    def __init__(self) -> None:
        self.script: list[Callable[[str], Reply]] = []
        self.requests: list[dict] = []
        self.release = threading.Event()
        self.answered = threading.Event()  # see held()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                outer.requests.append(
                    {
                        "t": time.monotonic(),
                        "path": url.path,
                        "params": params,
                        "ua": self.headers.get("User-Agent", ""),
                    }
                )
                step = outer.script.pop(0) if outer.script else answer
                try:
                    status, headers, body = step(params.get("q", ""))
                except ConnectionError:
                    return
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.domain = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeNominatim:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    # scripted replies ---------------------------------------------------------------------------
    @staticmethod
    def status(code: int, headers: dict[str, str] | None = None, body: bytes = b"") -> Callable:
        return lambda q: (code, headers or {}, body)

    @staticmethod
    def slow(seconds: float) -> Callable:
        def reply(q: str) -> Reply:
            time.sleep(seconds)
            return answer(q)

        return reply

    def held(self, until: threading.Event, timeout: float = 60.0) -> Callable:
        """Answers once `until` is set (or after `timeout`); `self.answered` is set then: an
        order of events to assert on instead of a duration."""

        def reply(q: str) -> Reply:
            until.wait(timeout)
            self.answered.set()
            return answer(q)

        return reply

    def hang(self) -> Callable:
        """Never answers until the server stops: stands for a run killed mid-request."""

        def reply(q: str) -> Reply:
            self.release.wait(60)
            raise ConnectionError

        return reply
