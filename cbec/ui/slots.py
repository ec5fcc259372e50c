"""Script slots: only a few scripts of this process compute at once, so the event loop that
answers websockets and the health check stays responsive under a crowd."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Iterator

# Streamlit runs every session's script in its own thread, and all of them share one core (one
# interpreter lock) with the event loop that answers websockets and the health check. With a
# crowd, dozens of scripts take turns with that loop and the health check stalls for seconds.
# So only a few scripts of this process compute at once; the others wait without holding the
# lock, and the loop stays responsive. CBEC_SCRIPT_SLOTS sets how many (default 1: measured
# with 25 visitors, one slot served more reruns a second than 2 or 4, and the health check
# stayed under 0.1 s). A wait on the network gives its slot back meanwhile: slot_given_back().
_SLOTS = threading.BoundedSemaphore(max(1, int(os.environ.get("CBEC_SCRIPT_SLOTS", "1") or 1)))


_HOLDING = threading.local()


@contextlib.contextmanager
def turn() -> Iterator[None]:
    """Wait for one of the process's script slots, for the length of a run (a fragment's run
    too; inside a run that already holds one, nothing more)."""
    if getattr(_HOLDING, "yes", False):
        yield
        return
    _SLOTS.acquire()
    _HOLDING.yes = True
    try:
        yield
    finally:
        _HOLDING.yes = False
        try:
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
        _SLOTS.acquire()
        _HOLDING.yes = True
