"""Work beside the UI that gives way to it: builds that run on other threads while keys come.

CPython runs one thread at a time. A thread that wants the interpreter back (the UI thread,
woken by a key) waits until the running one lets go: at the latest after the switch
interval (5 ms by default), then again at each of its own waits for the terminal or the
event loop, which a frame has dozens of; and on a loaded machine the thread holding the
interpreter may itself be descheduled meanwhile. So a build beside the UI (the search
index at a million posts: seconds of pure Python) made each key wait 3-20 times as long
as when nothing ran beside it (issue #16: j/k 225-280 ms in the first 30 s).

What the builds do about it:

- they work in slices of bounded work (a few milliseconds each), with no long C call
  holding the interpreter in between (a sort of a million items is cut in runs);
- between two slices they call `pause()`: it lets go of the interpreter, and while the UI
  is answering a key (a key in the last `BUSY_AFTER_KEY` seconds, as `follow` was told)
  it stays off it altogether, up to `MAX_WAIT` at a time, so a held key slows the build
  down but never stops it;
- while any runs (`beside_ui`), the switch interval is `SWITCH_INTERVAL`, so the UI
  thread waits at most that long each time it asks for the interpreter;
- builds take turns (one lane: the index, the cache writer, a full search pass run a
  slice at a time each, not all at once), and after each slice the one running rests
  `DUTY` of the time the slice took: on a loaded machine a thread holding the interpreter
  may be descheduled, and every thread more that wants it makes the UI's turns rarer.

Plain Python (model/ and query/ use it, and they never import Textual).
"""

from __future__ import annotations

import heapq
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from time import monotonic, sleep
from typing import Any, Final, TypeVar

BUSY_AFTER_KEY: Final = 0.15
"""Seconds after a key during which the UI counts as busy: the key's own frames."""
MAX_WAIT: Final = 0.25
"""The longest one `pause()` stays off the interpreter for the UI."""
STEP: Final = 0.01
SWITCH_INTERVAL: Final = 0.001
"""Seconds a thread may hold the interpreter while another waits for it, during builds."""
QUICK: Final = 0.02
"""A build done within this many seconds (a small thread's) never waits for the UI: it is
over before a frame would notice it, and waiting would only delay what it builds."""
DUTY: Final = 0.5
"""After a slice of `beside_ui` work, a rest of this share of the slice's time."""
MAX_REST: Final = 0.02

_last_key: Callable[[], float] | None = None
_lock = threading.Lock()
_lane = threading.Lock()
"""Held by the build whose slice runs (`beside_ui`), let go at each `pause()`."""
_local = threading.local()
_running = 0
_default_interval: float | None = None


def follow(last_key: Callable[[], float] | None) -> None:
    """Where to read the time of the UI's last key (`time.monotonic()` seconds), or None:
    no UI to give way to (then `pause()` only lets go of the interpreter)."""
    global _last_key
    _last_key = last_key


def ui_busy() -> bool:
    clock = _last_key
    if clock is None:
        return False
    try:
        return monotonic() - clock() < BUSY_AFTER_KEY
    except Exception:
        # Whatever the clock reads (an app gone, a test's stand-in) must not stop a build.
        return False


def pause(max_wait: float = MAX_WAIT) -> None:
    """Between two slices of work beside the UI: let go of the interpreter, and keep off
    it while the UI answers a key (at most `max_wait`); inside `beside_ui`, rest a share
    of the slice's time and let another build take its turn.

    `max_wait=0` for a build the UI itself is about to need (the tree order: a key past
    the first screenful walks it on the UI thread if it is not done, 0.7 s at a million
    posts): it goes on while keys come, resting and taking turns as when none do."""
    in_lane = getattr(_local, "depth", 0) > 0
    if in_lane and monotonic() - _local.started < QUICK:
        sleep(0)
        _local.resumed = monotonic()
        return
    if in_lane:
        rest = min((monotonic() - _local.resumed) * DUTY, MAX_REST)
        _lane.release()
    try:
        if max_wait > 0 and ui_busy():
            deadline = monotonic() + max_wait
            while ui_busy() and monotonic() < deadline:
                sleep(STEP)
        elif in_lane and rest > 0.001:
            sleep(rest)
        else:
            sleep(0)
    finally:
        if in_lane:
            _lane.acquire()
            _local.resumed = monotonic()


def running() -> bool:
    """Whether a build runs beside the UI (`beside_ui`): its objects are not frozen yet
    (`gcpolicy.lasting` comes at its end), so a full collection now would walk them all."""
    return _running > 0


@contextmanager
def beside_ui() -> Iterator[None]:
    """Around a build on a thread beside the UI: the switch interval is short while any
    runs, and back to what it was once none does."""
    global _running, _default_interval
    with _lock:
        if _running == 0:
            _default_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(SWITCH_INTERVAL, _default_interval))
        _running += 1
    depth = getattr(_local, "depth", 0)
    if depth == 0:
        _lane.acquire()
        _local.resumed = _local.started = monotonic()
    _local.depth = depth + 1
    try:
        yield
    finally:
        _local.depth = depth
        if depth == 0:
            _lane.release()
        with _lock:
            _running -= 1
            if _running == 0 and _default_interval is not None:
                sys.setswitchinterval(_default_interval)
                _default_interval = None


RUN: Final = 16_384
"""Items sorted in one C call by `sorted_in_runs` (a few milliseconds)."""

T = TypeVar("T")


def sorted_in_runs(
    items: Sequence[T],
    *,
    key: Callable[[T], Any] | None = None,
    pause: Callable[[], None] = pause,
) -> list[T]:
    """`sorted(items, key=key)` (as stable), without one C call that holds the interpreter
    for the whole sort (a million items: 50-150 ms, all of it a stall for the UI): runs of
    `RUN` items sorted one by one, then merged in Python, `pause()` between the steps."""
    if len(items) <= RUN:
        return sorted(items, key=key)  # type: ignore[type-var, arg-type]
    runs: list[list[T]] = []
    for lo in range(0, len(items), RUN):
        runs.append(sorted(items[lo : lo + RUN], key=key))  # type: ignore[type-var, arg-type]
        pause()
    # heapq.merge is stable (equal items keep the order of their runs) and pure Python,
    # so the interpreter changes hands within it; taken a run's length at a time.
    merged = heapq.merge(*runs, key=key)
    out: list[T] = []
    # `out` grows over many pauses with few containers made on the way: young all along,
    # walked whole by whatever young collection comes (tens of ms at a million items).
    # Frozen while empty; still freed when dropped (only collections skip it).
    from threadtui import gcpolicy  # (which imports this module)

    gcpolicy.lasting()
    while chunk := list(islice(merged, RUN)):
        out += chunk
        pause()
    return out
