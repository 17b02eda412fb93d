"""The thread that grew between two visits, for the read-state tests and snapshots: read
on Tuesday up to p3, reopened on Wednesday with three posts more. A fixed clock; the state
in a folder of the test's own."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from support import AUTHORS, post, thread_doc
from threadtui.config import Settings
from threadtui.model import Thread, load_document
from threadtui.state import open_state
from threadtui.ui.app import ThreadApp

T0 = datetime(2026, 5, 26, 14, 2, tzinfo=UTC).timestamp()  # a Tuesday
LATER = T0 + 26 * 3600  # Wednesday, 16:02

FIRST = [
    post("r0", 0, "Should we deploy on Fridays?", author="a", metrics={"views": 5400}),
    post("p1", 5, "Never on a Friday.", author="b", reply_to="r0"),
    post("p2", 7, "Unless the tests are good.", author="c", reply_to="p1"),
    post("p3", 9, "We deploy every day.", author="a", reply_to="r0"),
]
ARRIVED = [
    post("n1", 30, "Our tests are good and it still broke.", author="b", reply_to="p2"),
    post("n2", 31, "Every day, and every Friday too.", author="c", reply_to="p3"),
    post("n3", 32, "Late to this: it depends on the rollback.", author="b", reply_to="r0"),
]


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def thread(posts: list[dict[str, object]]) -> Thread:
    return load_document(
        thread_doc([dict(p) for p in posts], authors=AUTHORS, title="Fridays"), name="fridays.json"
    )


def index_of(t: Thread, pid: str) -> int:
    found = t.post(pid)
    assert found is not None
    return t.posts.index(found)


def first_visit(folder: Path, *, cursor: str = "p3") -> None:
    """Yesterday: every post of the first version read, the cursor left on `cursor`."""
    t = thread(FIRST)
    state, warnings = open_state(t, directory=folder, clock=Clock(T0))
    assert not warnings
    state.mark_many(range(len(t.posts)))
    state.cursor = index_of(t, cursor)
    state.save()


def reopen(folder: Path, *, now: float = LATER, **settings: object) -> tuple[ThreadApp, Thread]:
    """Today: the thread has grown by three posts."""
    t = thread(FIRST + ARRIVED)
    state, warnings = open_state(t, directory=folder, clock=Clock(now))
    app = ThreadApp(t, settings=Settings(**settings), read_state=state, state_warnings=warnings)
    return app, t
