"""The script slots (cbec/ui/slots.py): handed out in order, a waiting run can be stopped, and a
session that starts runs too fast waits. Threads and a fake clock, no Streamlit."""

from __future__ import annotations

import threading
import time

import pytest

from cbec.ui.slots import FairSlots, Pace


def _waiter(slots: FairSlots, name: str, order: list[str], hold: threading.Event | None = None):
    def run() -> None:
        slots.acquire(poll=0.01)
        order.append(name)
        if hold is not None:
            hold.wait(10)
        slots.release()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def _until(cond, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_slots_go_to_waiters_in_the_order_they_asked():
    slots, order = FairSlots(1), []
    slots.acquire()
    threads = []
    for i, name in enumerate("abcde", start=1):
        threads.append(_waiter(slots, name, order))
        _until(lambda i=i: slots.waiting == i)
    slots.release()
    for t in threads:
        t.join(10)
    assert order == list("abcde")


def test_a_run_that_gives_its_slot_back_cannot_take_it_again_ahead_of_a_waiter():
    """Python's semaphore let the releasing thread take the slot straight back (a flooding
    session's restarted run did, again and again); here it queues behind the waiter."""
    slots, order = FairSlots(1), []
    slots.acquire()
    waiter = _waiter(slots, "waiter", order)
    _until(lambda: slots.waiting == 1)
    slots.release()
    slots.acquire()  # the same thread at once, as a rerun does
    order.append("again")
    slots.release()
    waiter.join(10)
    assert order == ["waiter", "again"]


def test_a_waiting_run_asked_to_stop_leaves_the_queue_and_holds_nothing():
    slots = FairSlots(1)
    slots.acquire()
    stop = threading.Event()
    errors: list[BaseException] = []

    def check() -> None:
        if stop.is_set():
            raise RuntimeError("stop requested")

    def run() -> None:
        try:
            slots.acquire(check, poll=0.01)
        except RuntimeError as exc:
            errors.append(exc)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    _until(lambda: slots.waiting == 1)
    stop.set()
    t.join(10)
    assert [str(e) for e in errors] == ["stop requested"] and slots.waiting == 0
    slots.release()
    slots.acquire()  # the slot is free: the stopped waiter took nothing with it
    slots.release()


def test_a_waiter_stopped_just_as_its_slot_came_passes_the_slot_on():
    """The slot is handed to the first waiter at the moment its wait is stopped: it must not
    keep it (every later run would wait for ever) but pass it to the next waiter."""
    slots, order = FairSlots(1), []
    slots.acquire()  # held by "the holder"

    def check() -> None:  # the first waiter's first look: the holder lets go, then a stop
        _until(lambda: slots.waiting == 2)
        slots.release()
        raise RuntimeError("stop")

    def first() -> None:
        try:
            slots.acquire(check, poll=0.01)
        except RuntimeError:
            order.append("first stopped")

    t1 = threading.Thread(target=first, daemon=True)
    t1.start()
    _until(lambda: slots.waiting >= 1)
    t2 = _waiter(slots, "second", order)
    t1.join(10)
    t2.join(10)
    assert order == ["first stopped", "second"]


@pytest.mark.parametrize(("burst", "rate"), [(20, 10), (3, 1)])
def test_a_session_starting_runs_too_fast_waits_and_others_do_not(burst, rate):
    now = [0.0]
    pace = Pace(burst, rate, clock=lambda: now[0])
    assert [pace.delay("flood") for _ in range(burst)] == [0.0] * burst
    assert pace.delay("flood") == pytest.approx(1 / rate)
    assert pace.delay("calm") == 0.0  # another session keeps its own budget
    now[0] += 10.0  # a pause refills it
    assert pace.delay("flood") == 0.0


def test_apptests_one_session_id_is_the_one_left_unpaced():
    """AppTest gives every test session one id; slots.turn() does not pace it (the suite's
    in-process sessions would be paced as one visitor). When an upgrade changes the id, this
    fails instead of the suite slowing down."""
    from streamlit.testing.v1 import AppTest

    from cbec.ui import slots

    def script() -> None:
        import streamlit as st
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

        st.text(get_script_run_ctx().session_id)

    at = AppTest.from_function(script).run()
    assert at.text[0].value == slots.APPTEST_SESSION
