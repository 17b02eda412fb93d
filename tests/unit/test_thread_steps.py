"""The tree order walked in steps beside the UI (`Thread.preorder_in_steps`, issue #16):
the same order as the walk in one go, a pause between steps, and nothing kept from a walk
the thread changed under."""

from __future__ import annotations

import random
from typing import Any

import pytest

from threadtui.model import Thread, load_document
from threadtui.model import thread as thread_module


def tree(n: int, seed: int) -> Thread:
    rng = random.Random(seed)
    posts: list[dict[str, Any]] = [{"id": "p0", "text": "root"}]
    for k in range(1, n):
        # Replies to any earlier post (deep and bushy at once), a few to a post not in the
        # file (a placeholder: a second root).
        parent = f"gone{k}" if rng.random() < 0.03 else f"p{rng.randrange(k)}"
        posts.append({"id": f"p{k}", "text": f"post {k}", "reply_to": parent})
    return load_document({"schema": "threadtui.thread", "schema_version": 1, "posts": posts})


@pytest.mark.parametrize(("n", "seed"), [(1, 0), (2, 1), (9, 2), (10, 3), (11, 4), (300, 5)])
def test_walked_in_steps_is_the_preorder(
    monkeypatch: pytest.MonkeyPatch, n: int, seed: int
) -> None:
    monkeypatch.setattr(thread_module, "WALK_STEP", 10)
    expected = tree(n, seed).preorder
    thread = tree(n, seed)
    pauses: list[int] = []
    order = thread.preorder_in_steps(lambda: pauses.append(len(pauses)))
    assert order == expected
    assert thread.preorder is order  # kept: the UI reads it after
    assert len(pauses) == max(1, -(-len(expected) // 10))
    # Walked once: asked again, no more steps.
    assert thread.preorder_in_steps(lambda: pauses.append(-1)) is order
    assert -1 not in pauses


def test_a_walk_the_thread_changed_under_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(thread_module, "WALK_STEP", 10)
    thread = tree(100, 6)
    arrival = {"id": "late", "text": "a reply that arrives mid-walk", "reply_to": "p0"}
    changed: list[bool] = []

    def pause() -> None:
        if not changed:
            # A merge on the UI thread, between two steps of the walk.
            thread.add({"schema": "threadtui.thread", "schema_version": 1, "posts": [arrival]})
            changed.append(True)

    order = thread.preorder_in_steps(pause)
    assert changed
    late = thread.by_id["late"]
    # Not the half-old walk: the order of the thread as it is now, with the arrival.
    assert late in order
    assert order == thread.preorder


@pytest.mark.parametrize(("n", "seed"), [(1, 0), (10, 1), (11, 2), (300, 3)])
def test_derived_in_steps_is_what_is_derived_on_demand(
    monkeypatch: pytest.MonkeyPatch, n: int, seed: int
) -> None:
    monkeypatch.setattr(thread_module, "WALK_STEP", 10)
    expected = tree(n, seed)
    thread = tree(n, seed)
    pauses: list[int] = []
    thread.derive_in_steps(lambda: pauses.append(1))
    # Kept, not computed again when read.
    assert thread._rank is not None and thread._sizes is not None
    assert thread._fold_levels is not None
    assert thread.preorder == expected.preorder
    assert thread.rank == expected.rank
    assert thread.subtree_sizes == expected.subtree_sizes
    assert thread.fold_levels == expected.fold_levels
    # A pause after each step of each of the four passes.
    assert len(pauses) >= 4 * (n // 10)


def test_derived_in_steps_stops_at_a_change(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(thread_module, "WALK_STEP", 10)
    thread = tree(100, 7)
    _ = thread.preorder
    arrival = {"id": "late", "text": "a reply that arrives mid-pass", "reply_to": "p3"}
    calls: list[int] = []

    def pause() -> None:
        calls.append(1)
        if len(calls) == 2:  # during the ranks
            thread.add({"schema": "threadtui.thread", "schema_version": 1, "posts": [arrival]})

    thread.derive_in_steps(pause)
    # Nothing half old kept: what is read now is the thread's as it is.
    fresh = tree(100, 7)
    fresh.add({"schema": "threadtui.thread", "schema_version": 1, "posts": [arrival]})
    assert thread.rank == fresh.rank
    assert thread.subtree_sizes == fresh.subtree_sizes
    assert thread.fold_levels == fresh.fold_levels
