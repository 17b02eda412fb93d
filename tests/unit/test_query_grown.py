"""A merge makes the search index stale: it is dropped without the UI thread freeing it
(issue #15: freeing a 100,000-post index took tens of ms there)."""

from __future__ import annotations

import threading
from datetime import UTC
from typing import Any, cast

from support import post, thread_doc
from threadtui.model import load_document
from threadtui.ui.query_worker import QueryController


class Freed:
    """Says on which thread it was freed."""

    def __init__(self, where: list[str], done: threading.Event) -> None:
        self.where, self.done = where, done

    def __del__(self) -> None:
        self.where.append(threading.current_thread().name)
        self.done.set()


def test_grown_frees_the_stale_index_and_results_off_the_calling_thread() -> None:
    thread = load_document(thread_doc([post("p1", 0, "one")]), name="t")
    controller = QueryController(cast(Any, None), thread, UTC)  # no job runs: no app needed
    where: list[str] = []
    index_gone, result_gone = threading.Event(), threading.Event()
    controller._index = cast(Any, Freed(where, index_gone))
    controller._last["search"] = cast(Any, Freed(where, result_gone))
    controller.grown()
    # A bound, not a timing: the dropper thread runs whenever the machine lets it.
    assert index_gone.wait(60) and result_gone.wait(60)
    assert where and threading.main_thread().name not in where
    assert controller._index is None and controller._last == {}


class Slotted:
    __slots__ = ("mine", "shared")

    def __init__(self, mine: list[str], shared: list[str]) -> None:
        self.mine, self.shared = mine, shared


def test_only_what_nothing_else_holds_is_emptied() -> None:
    from threadtui.ui.query_worker import _free_in_steps

    shared = [str(i) for i in range(10_000)]
    kept = Slotted([str(i) for i in range(10_000)], shared)
    _free_in_steps(kept)  # `kept` still refers to it: a job may be reading it
    assert len(kept.mine) == 10_000 and len(shared) == 10_000
    _free_in_steps(Slotted([str(i) for i in range(10_000)], shared))
    assert len(shared) == 10_000  # the list someone else holds is left whole
