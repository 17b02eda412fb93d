"""Builds beside the UI give way to it (threadtui.pacing, issue #16): driven by a fake clock,
so nothing here depends on how fast the machine is."""

from __future__ import annotations

import random
import sys

import pytest

from threadtui import pacing


class FakeTime:
    """`monotonic` and `sleep` for pacing: sleeping moves the clock on."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(pacing, "monotonic", fake.monotonic)
    monkeypatch.setattr(pacing, "sleep", fake.sleep)
    yield fake
    pacing.follow(None)


def test_without_a_ui_a_pause_only_lets_go_of_the_interpreter(clock: FakeTime) -> None:
    pacing.follow(None)
    pacing.pause()
    assert clock.sleeps == [0]


def test_a_pause_keeps_off_while_the_ui_answers_a_key(clock: FakeTime) -> None:
    key = clock.now - 0.05  # a key 50 ms ago: its frames are still being drawn
    pacing.follow(lambda: key)
    pacing.pause()
    assert all(s > 0 for s in clock.sleeps)
    # Until BUSY_AFTER_KEY after the key, not longer.
    assert clock.now - key == pytest.approx(pacing.BUSY_AFTER_KEY, abs=pacing.STEP)
    clock.sleeps.clear()
    pacing.pause()  # the key is answered: back to work at once
    assert clock.sleeps == [0]


def test_a_held_key_slows_a_build_down_but_never_stops_it(clock: FakeTime) -> None:
    pacing.follow(lambda: clock.now)  # a key at every moment
    start = clock.now
    pacing.pause()
    assert clock.now - start == pytest.approx(pacing.MAX_WAIT, abs=pacing.STEP)


def test_a_build_the_ui_needs_soon_goes_on_while_keys_come(clock: FakeTime) -> None:
    """The tree order: a key past the first screenful walks it on the UI thread if the
    build is not done, so a held key must not hold that build off: it rests and takes
    turns as when no key comes."""
    pacing.follow(lambda: clock.now)  # a key at every moment
    with pacing.beside_ui():
        clock.now += 2 * pacing.QUICK
        pacing.pause(0)
        clock.sleeps.clear()
        clock.now += 0.010  # a slice of 10 ms of work
        pacing.pause(0)
        assert clock.sleeps == [pytest.approx(0.010 * pacing.DUTY)]
    clock.sleeps.clear()
    pacing.pause(0)  # outside a build: only lets go of the interpreter
    assert clock.sleeps == [0]


def test_a_clock_that_fails_counts_as_idle(clock: FakeTime) -> None:
    def gone() -> float:
        raise ReferenceError("the app is gone")

    pacing.follow(gone)
    assert not pacing.ui_busy()
    pacing.pause()
    assert clock.sleeps == [0]


def test_the_switch_interval_is_short_while_builds_run_and_restored_after() -> None:
    before = sys.getswitchinterval()
    assert not pacing.running()
    with pacing.beside_ui():
        assert pacing.running()
        assert sys.getswitchinterval() <= pacing.SWITCH_INTERVAL
        with pacing.beside_ui():
            pass
        # The inner build ended, the outer one still runs.
        assert sys.getswitchinterval() <= pacing.SWITCH_INTERVAL
    assert not pacing.running()
    assert sys.getswitchinterval() == before


@pytest.mark.parametrize("size", [0, 1, 5, 16, 17, 100, 1000])
def test_sorted_in_runs_is_sorted_and_stable(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    monkeypatch.setattr(pacing, "RUN", 16)
    rng = random.Random(size)
    items = [(rng.randrange(8), k) for k in range(size)]
    pauses: list[int] = []
    by_first = pacing.sorted_in_runs(items, key=lambda t: t[0], pause=lambda: pauses.append(1))
    # Stable: equal keys keep their order, as sorted() keeps it.
    assert by_first == sorted(items, key=lambda t: t[0])
    assert pacing.sorted_in_runs([t[0] for t in items], pause=lambda: None) == sorted(
        t[0] for t in items
    )
    if size > 16:
        # A pause after each run sorted and each run's length merged.
        assert len(pauses) >= 2 * (size // 16)


def test_a_build_rests_a_share_of_each_slice(clock: FakeTime) -> None:
    pacing.follow(None)
    with pacing.beside_ui():
        clock.now += 2 * pacing.QUICK  # past what a small thread's build takes
        pacing.pause()
        clock.sleeps.clear()
        clock.now += 0.010  # a slice of 10 ms of work
        pacing.pause()
        assert clock.sleeps == [pytest.approx(0.010 * pacing.DUTY)]
        clock.sleeps.clear()
        clock.now += 10.0  # a very long one: the rest is bounded
        pacing.pause()
        assert clock.sleeps == [pytest.approx(pacing.MAX_REST)]


def test_a_quick_build_never_waits_for_the_ui(clock: FakeTime) -> None:
    """A small thread's index is built within a frame: waiting for the keys to stop would
    only delay the search typed with them."""
    pacing.follow(lambda: clock.now)  # a key at every moment
    with pacing.beside_ui():
        pacing.pause()
        assert clock.sleeps == [0]
        clock.now += 2 * pacing.QUICK
        pacing.pause()  # a build that has gone on for longer gives way
        assert sum(clock.sleeps) >= pacing.MAX_WAIT - pacing.STEP


def test_builds_take_turns_a_slice_at_a_time() -> None:
    import threading

    order: list[str] = []
    a_in = threading.Event()
    b_may_try = threading.Event()

    def a() -> None:
        with pacing.beside_ui():
            order.append("a: slice 1")
            a_in.set()
            b_may_try.wait()
            # B is waiting for the lane: it gets its turn only at this pause.
            order.append("a: pausing")
            pacing.pause()
            order.append("a: slice 2")

    def b() -> None:
        with pacing.beside_ui():
            order.append("b: slice")

    first = threading.Thread(target=a)
    first.start()
    a_in.wait()
    second = threading.Thread(target=b)
    second.start()
    second.join(0.2)  # B cannot start its slice while A's runs
    b_may_try.set()
    first.join()
    second.join()
    assert order.index("b: slice") > order.index("a: pausing")
    assert not pacing.running()
