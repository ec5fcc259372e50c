"""Script slots: only a few scripts of this process compute at once, handed out first come,
first served, so the event loop that answers websockets and the health check stays responsive
under a crowd, and one visitor cannot hold more than a fair share."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator

# Streamlit runs every session's script in its own thread, and all of them share one core (one
# interpreter lock) with the event loop that answers websockets and the health check. With a
# crowd, dozens of scripts take turns with that loop and the health check stalls for seconds.
# So only a few scripts of this process compute at once; the others wait without holding the
# lock, and the loop stays responsive. CBEC_SCRIPT_SLOTS sets how many (default 1: measured
# with 25 visitors, one slot served more reruns a second than 2 or 4, and the health check
# stayed under 0.1 s). A wait on the network gives its slot back meanwhile: slot_given_back().
#
# A session's rerun requests collapse into its one script thread (runner.fastReruns = false in
# .streamlit/config.toml: with Streamlit's default, every request stopped the running script
# and started a new thread, and a client sending 300 reruns a second piled up 162 threads
# waiting here). A run that is asked to stop or rerun while it waits leaves the queue at once
# (POLL), and a rerun joins the queue's end: a session that floods waits behind everyone else.
POLL = 0.1  # seconds between a waiting run's looks at its session's requests


class FairSlots:
    """`n` slots handed to waiting runs in the order they asked, never to a newcomer while
    others wait (Python's semaphore lets a releasing thread take its slot straight back)."""

    def __init__(self, n: int) -> None:
        self._lock = threading.Lock()
        self._free = n
        self._queue: collections.deque[threading.Event] = collections.deque()

    def acquire(self, check: Callable[[], None] = lambda: None, poll: float = POLL) -> None:
        """Wait for a slot; every `poll` s call `check`, which may raise to stop the wait
        (the run was asked to stop or rerun): the waiter then leaves the queue."""
        with self._lock:
            if self._free and not self._queue:
                self._free -= 1
                return
            mine = threading.Event()
            self._queue.append(mine)
        try:
            while not mine.wait(poll):
                check()
        except BaseException:
            with self._lock:
                handed = mine.is_set()  # a slot came just as the wait stopped
                if not handed:
                    self._queue.remove(mine)
            if handed:
                self.release()
            raise

    def release(self) -> None:
        """Hand the slot to the longest waiter, or free it."""
        with self._lock:
            if self._queue:
                self._queue.popleft().set()
            else:
                self._free += 1

    @property
    def waiting(self) -> int:
        return len(self._queue)


class Pace:
    """Runs a session may start: `burst` at once, then `rate` a second (a token bucket). A
    session over it waits before its run, without a slot, while its requests collapse: a client
    sending 3,000 reruns a second restarted its script at every one, and the messages of those
    restarts kept the event loop from the health check (21 ms against 2 ms)."""

    def __init__(self, burst: float, rate: float, clock: Callable[[], float] = time.monotonic):
        self.burst, self.rate, self._clock = burst, rate, clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # session -> (tokens, when)

    def delay(self, session: str) -> float:
        """Take one run for `session`: 0, or the seconds to wait first."""
        with self._lock:
            now = self._clock()
            tokens, when = self._buckets.get(session, (self.burst, now))
            tokens = min(self.burst, tokens + (now - when) * self.rate) - 1
            if len(self._buckets) > 10_000:  # ended sessions, full again: forget them
                idle = self.burst / self.rate
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < idle}
            self._buckets[session] = (tokens, now)
            return 0.0 if tokens >= 0 else -tokens / self.rate


_SLOTS = FairSlots(max(1, int(os.environ.get("CBEC_SCRIPT_SLOTS", "1") or 1)))
_PACE = Pace(burst=20, rate=10)  # a person's clicks, the map's reports: far below either
# Streamlit's AppTest gives every test session this one id: they are not visitors, and pacing
# them as one would slow the whole suite (tests/test_slots.py checks the id).
APPTEST_SESSION = "test session id"
_HOLDING = threading.local()


def _run_context() -> tuple[str, Callable[[], None]]:
    """The run's session and its look at that session's requests (Streamlit raises its rerun
    or stop exception from it, as from any `st` call); outside a script run, ("", no-op)."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    check = getattr(ctx, "yield_check", None)
    return getattr(ctx, "session_id", "") or "", check if callable(check) else (lambda: None)


@contextlib.contextmanager
def turn() -> Iterator[None]:
    """Wait for one of the process's script slots, for the length of a run (a fragment's run
    too; inside a run that already holds one, nothing more)."""
    if getattr(_HOLDING, "yes", False):
        yield
        return
    session, check = _run_context()
    wait = _PACE.delay(session) if session and session != APPTEST_SESSION else 0.0
    if wait:
        time.sleep(min(wait, 1.0))  # requests that come meanwhile collapse into one run
    _SLOTS.acquire(check)
    _HOLDING.yes = True
    try:
        yield
    finally:
        held, _HOLDING.yes = _HOLDING.yes, False
        if held:  # not if a wait in slot_given_back() was stopped: it holds none then
            try:
                if _SLOTS.waiting:  # else nobody is held up: a drain would only keep the slot
                    _drained()
            finally:  # whatever happens while waiting, the slot goes back
                _SLOTS.release()


def _drained(timeout: float = 0.5) -> None:
    """Wait until the server's event loop has handled what this run queued (every element of
    a run is a callback on that loop) before the next script may compute: the loop's backlog
    stays one run long, so a health check waits behind one run's messages, not a crowd's.
    Streamlit has no public handle on its loop; without one (AppTest, an upgrade that moved
    it) this does nothing."""
    try:
        from streamlit.runtime import Runtime

        loop = Runtime.instance()._get_async_objs().eventloop
    except Exception:
        return
    if not isinstance(loop, asyncio.AbstractEventLoop) or not loop.is_running():
        return  # AppTest's runtime is a stand-in with no loop
    done = threading.Event()
    try:
        loop.call_soon_threadsafe(done.set)
    except RuntimeError:  # the loop is closed: the server is stopping
        return
    done.wait(timeout)


@contextlib.contextmanager
def slot_given_back() -> Iterator[None]:
    """For a wait on the network (the opt-in online lookup: up to its limiter's wait plus its
    timeout): the run gives its slot to the other visitors meanwhile and takes one again after."""
    if not getattr(_HOLDING, "yes", False):
        yield
        return
    _HOLDING.yes = False
    _SLOTS.release()
    try:
        yield
    finally:
        _SLOTS.acquire(_run_context()[1])  # a session closed meanwhile does not queue again
        _HOLDING.yes = True
