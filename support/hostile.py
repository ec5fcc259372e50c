"""What one hostile client costs everyone else, measured over Streamlit's own websocket: a
rerun flood, oversized messages. Used by tests/test_security.py (the bounds) and
benchmarks/hostile.py (the figures), so both measure the same way."""

from __future__ import annotations

import asyncio
import statistics
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from support.streamlit_client import StreamlitClient


async def flood(
    url: str, rate: float, stop: asyncio.Event, started: asyncio.Event, page: str = ""
) -> tuple[int, float]:
    """One client that opens `page`, then sends the same rerun request `rate` times a second
    (setting `started`) until `stop`, reading and dropping what comes back; returns how many
    it sent and in how many seconds."""
    sent = 0
    async with StreamlitClient(url) as c:
        await c.open(page, "")
        raw = c.rerun_bytes()
        reader = asyncio.create_task(c.discard_incoming())
        t0 = time.perf_counter()
        started.set()
        try:
            while not stop.is_set() and not reader.done():
                due = int((time.perf_counter() - t0) * rate) - sent
                for _ in range(max(0, due)):
                    await c.send_raw(raw)
                    sent += 1
                await asyncio.sleep(0.005)
        except Exception:  # the server closed the socket: the flood is over
            pass
        finally:
            reader.cancel()
        return sent, time.perf_counter() - t0


async def first_page_seconds(url: str, page: str = "", query: str = "batch=3") -> float:
    """A new visitor's first page: seconds from the request to the run's end."""
    async with StreamlitClient(url, timeout=120) as c:
        r = await c.open(page, query)
        if not r.ok:
            raise RuntimeError(f"the visitor's page failed: {r.exceptions}")
        return r.seconds


def health_seconds(url: str) -> float:
    """Seconds /_stcore/health takes to answer 200 (what a balancer's probe sees)."""
    t0 = time.perf_counter()
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=60) as r:
        if r.status != 200:
            raise RuntimeError(f"health answered {r.status}")
    return time.perf_counter() - t0


@dataclass
class Figures:
    page_s: float  # median first page of a new visitor
    health_s: float  # median health check
    sent: int = 0  # messages the flooder sent
    seconds: float = 0.0  # how long it flooded
    threads: int = 0  # the server's threads (given its pid), quiet or during the flood


async def _others(url: str, visits: int) -> tuple[float, float]:
    pages, health = [], []
    for _ in range(visits):
        pages.append(await first_page_seconds(url))
        health.append(await asyncio.to_thread(health_seconds, url))
    return statistics.median(pages), statistics.median(health)


async def quiet_and_flooded(
    url: str, rate: float, visits: int = 3, pid: int | None = None
) -> tuple[Figures, Figures]:
    """Another visitor's first page and the health check, quiet and then while one client
    floods at `rate` reruns a second (the flood starts 2 s before the first visit); with the
    server's `pid`, its threads too."""
    await first_page_seconds(url)  # warm: the first visit of a fresh server loads the data
    quiet = Figures(*await _others(url, visits), threads=threads(pid) if pid else 0)
    stop, started = asyncio.Event(), asyncio.Event()
    flooder = asyncio.create_task(flood(url, rate, stop, started))
    await started.wait()
    await asyncio.sleep(2.0)  # the flood's backlog builds up first
    try:
        during = threads(pid) if pid else 0
        page_s, health_s = await _others(url, visits)
    finally:
        stop.set()
        sent, seconds = await flooder
    return quiet, Figures(page_s, health_s, sent, seconds, during)


def _status(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


def rss_mb(pid: int) -> float:
    """A process's resident memory (Linux /proc), MB."""
    return _status(pid, "VmRSS") / 1024


def threads(pid: int) -> int:
    """A process's threads (Linux /proc): Streamlit runs a script thread per running session."""
    return _status(pid, "Threads")


async def oversized(url: str, count: int, size: int) -> int:
    """`count` clients each send one message of `size` bytes of widget state (a 24 MB one
    cost a fresh server 60 MB that it kept); returns how many the server refused."""
    from support.streamlit_client import Raw

    refused = 0
    for _ in range(count):
        try:
            async with StreamlitClient(url) as c:
                await c.open("", "")
                r = await c.set("w_q", Raw("x" * size))
                refused += int(not r.ok or not c.connected)
        except Exception as exc:  # "1009 (message too big)": the socket closed
            refused += int("1009" in str(exc) or "too big" in str(exc))
    return refused
