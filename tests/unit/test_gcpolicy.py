"""The collector policy: off through startup, paused for bulk builds, what lasts frozen.

Each test leaves the collector on, as pytest runs with it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from threadtui import gcpolicy


@pytest.fixture(autouse=True)
def _collector_on_after() -> Iterator[None]:
    try:
        yield
    finally:
        gc.enable()


def test_startup_then_done_freezes_what_was_built_and_turns_it_on() -> None:
    gcpolicy.startup()
    assert not gc.isenabled()
    built = [[i] for i in range(1000)]
    gcpolicy.startup_done()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(built)


def test_startup_done_with_the_collector_on_freezes_nothing() -> None:
    gc.unfreeze()
    gcpolicy.startup_done()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_paused_turns_it_off_inside_and_freezes_after() -> None:
    gc.unfreeze()
    with gcpolicy.paused():
        assert not gc.isenabled()
        built = [[i] for i in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(built)


def test_paused_after_an_error_still_turns_it_back_on() -> None:
    with pytest.raises(RuntimeError), gcpolicy.paused():
        raise RuntimeError("load failed")
    assert gc.isenabled()


def test_paused_during_startup_leaves_it_off_for_startup_done() -> None:
    gcpolicy.startup()
    gc.unfreeze()
    with gcpolicy.paused():
        assert not gc.isenabled()
    assert not gc.isenabled() and gc.get_freeze_count() == 0


def test_collecting_turns_it_on_for_a_step_of_startup_only() -> None:
    gcpolicy.startup()
    with pytest.raises(OSError), gcpolicy.collecting():
        assert gc.isenabled()
        raise OSError("connection reset")
    assert not gc.isenabled()
    gcpolicy.restore()
    assert gc.isenabled()


def test_lasting_freezes_what_exists() -> None:
    gc.unfreeze()
    kept = [[i] for i in range(1000)]
    gcpolicy.lasting()
    assert gc.get_freeze_count() >= len(kept)


def test_interactive_startup_done_leaves_full_collections_to_idle_moments() -> None:
    young, middle, oldest = gc.get_threshold()
    try:
        gcpolicy.startup()
        gcpolicy.startup_done(interactive=True)
        assert gc.isenabled()
        # Young generations as before; the oldest never by allocation count.
        assert gc.get_threshold() == (young, middle, gcpolicy.NEVER)
        assert gcpolicy.collect_idle()
        gcpolicy.restore()
        assert gc.get_threshold() == (young, middle, oldest)
        assert not gcpolicy.collect_idle()
    finally:
        gc.set_threshold(young, middle, oldest)


def test_no_full_collection_at_idle_while_a_build_runs_beside_the_ui() -> None:
    from threadtui import pacing

    young, middle, oldest = gc.get_threshold()
    try:
        gcpolicy.startup()
        gcpolicy.startup_done(interactive=True)
        with pacing.beside_ui():
            # Its objects are not frozen yet: a full collection would walk them all.
            assert not gcpolicy.collect_idle()
        assert gcpolicy.collect_idle()
    finally:
        gcpolicy.restore()
        gc.set_threshold(young, middle, oldest)


def test_collect_idle_does_nothing_for_an_app_run_with_the_collector_on() -> None:
    # The tests run the app without `startup`: their collector is left as it is.
    threshold = gc.get_threshold()
    gcpolicy.startup_done(interactive=True)
    assert gc.get_threshold() == threshold
    assert not gcpolicy.collect_idle()
