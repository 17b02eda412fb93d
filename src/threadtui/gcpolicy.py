"""When the cyclic garbage collector runs: the one place that switches or freezes it.

threadtui builds large structures that live until exit (the thread, its indexes, the
app's widgets) and makes little cyclic garbage. Collections triggered while those are
being allocated walk everything built so far for nothing, and every full collection
afterwards walks it all again. So:

- from the start of the command to the first frame the collector is off (`startup`,
  then `startup_done`), except around work that does make garbage (`collecting`);
- a bulk build outside that stretch pauses it (`paused`);
- what was built to last is frozen: moved to the permanent generation, out of every
  later collection's walk (`startup_done`, `paused`, `lasting`);
- in the app, full collections never run by allocation count, only at a pause in the
  keys (`startup_done(interactive=True)`, `collect_idle`).

Posts and indexes hold no reference cycles, so reference counting still frees a thread
that is dropped. Plain Python: model/ uses it, and model/ never imports Textual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from threadtui import pacing

DEFAULT_OLDEST = gc.get_threshold()[2]


def startup() -> None:
    """Turn the collector off until `startup_done`: loading, Textual's import and the
    app's set-up make hundreds of thousands of objects and no garbage, and collections
    among them cost about 20 ms of startup."""
    gc.disable()


NEVER = 1 << 30
"""A threshold no count reaches: the oldest generation is collected only when asked."""

_idle_collections = False


def startup_done(*, interactive: bool = False) -> None:
    """After the first frame (or before printing): what startup built lives as long as
    the program, so it is frozen, then the collector is back on. Does nothing when the
    collector is on (the app run without `startup`, as the tests do).

    `interactive` (the app): the collector comes back for the young generations only.
    A full collection walks every object not frozen, and what is built beside the app
    right after the first frame (the search index: millions of objects at 1M posts, until
    `lasting` freezes them) made full collections land in keys for seconds (issue #16:
    a 1.04 s stall). Young collections stay cheap whatever the heap; full ones run when
    the user is idle (`collect_idle`)."""
    global _idle_collections
    if not gc.isenabled():
        gc.freeze()
        if interactive:
            young, middle, _ = gc.get_threshold()
            gc.set_threshold(young, middle, NEVER)
            _idle_collections = True
        gc.enable()


def collect_idle() -> bool:
    """A full collection, for a moment when no one waits (the app calls it after a pause
    in the keys). Only after `startup_done(interactive=True)`; whether it ran."""
    if not _idle_collections or not gc.isenabled():
        return False
    if pacing.running():
        # A build beside the UI (the index at a million posts) has millions of objects not
        # frozen yet: a full collection would walk them all (0.5 s), a key pressed
        # meanwhile waiting for it. The build freezes them when done; the next pause then.
        return False
    gc.collect()
    return True


def restore() -> None:
    """The collector on, with its usual thresholds, whatever the command did: a command
    that ends must not leave it off, or young-only, for whoever called it."""
    global _idle_collections
    if _idle_collections:
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, DEFAULT_OLDEST)
        _idle_collections = False
    gc.enable()


@contextmanager
def collecting() -> Iterator[None]:
    """Inside the startup stretch, a step that makes garbage as it goes (a fetch: responses,
    parsed JSON): the collector is on for it and off again after."""
    gc.enable()
    try:
        yield
    finally:
        gc.disable()


@contextmanager
def paused() -> Iterator[None]:
    """A bulk build of objects that live as long as the program (a thread loading): no
    collection during it, and what it built is frozen after.

    At 100,000 posts the collections the allocations trigger would be more than half the
    load time, and the first one after it would still walk them all once (~0.1 s). When
    the collector is already off (`startup`), it stays off and nothing is frozen here:
    `startup_done` freezes it all at once.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


T = TypeVar("T")


def kept(value: T) -> T:
    """`value`, made to last just now (the tree's rows when the walk beside the UI ends):
    `lasting()`, then `value` back, for a callback that must return something."""
    lasting()
    return value


def lasting() -> None:
    """What exists now lives as long as the program (an index built beside the app), or
    long (the tree's rows once the walk beside the UI is done): freeze it, or each full
    collection walks it again (40-60 ms at 100,000 posts, landing in whatever key happens
    to trigger it).

    Young collections walk it too, while it is young: a list of a million rows made on
    the UI thread cost the next two young collections 40 and 27 ms (issue #16, j held at
    a million posts), so what is made to last is frozen as soon as it is made. Freezing
    costs nothing (generations are linked lists, moved whole); a frozen object is still
    freed when its last reference goes; only cyclic garbage present at that moment is
    kept, so it is done once per build, not at every step."""
    gc.freeze()
