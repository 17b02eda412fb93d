"""Snapshots of a thread reopened after it grew: new posts marked in the tree, the count in
the status line, "new" in the detail pane. Look at each SVG as a picture before accepting
it: `rsvg-convert -w 1400 FILE.svg -o /tmp/FILE.png`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from textual.pilot import Pilot

from support import AUTHORS, post, thread_doc
from threadtui.config import Settings
from threadtui.model import Thread, load_document
from threadtui.state import open_state
from threadtui.ui.app import ThreadApp

T0 = datetime(2026, 5, 26, 14, 2, tzinfo=UTC).timestamp()  # a Tuesday

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


def thread(posts: list[dict[str, object]]) -> Thread:
    return load_document(
        thread_doc([dict(p) for p in posts], authors=AUTHORS, title="Fridays"), name="fridays.json"
    )


def reopened(folder: Path, **settings: object) -> ThreadApp:
    """Read yesterday up to p3; today three posts have arrived."""
    old = thread(FIRST)
    state, _ = open_state(old, directory=folder, clock=lambda: T0)
    state.mark_many(range(len(old.posts)))
    state.cursor = 3
    state.save()
    grown = thread(FIRST + ARRIVED)
    state, warnings = open_state(grown, directory=folder, clock=lambda: T0 + 26 * 3600)
    return ThreadApp(
        grown, settings=Settings(**settings), read_state=state, state_warnings=warnings
    )


async def next_new(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.press("u")
    await pilot.pause()


def test_new_posts_marked(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(reopened(tmp_path), terminal_size=(100, 20), run_before=next_new)


def test_new_posts_marked_ascii(snap_compare, tmp_path: Path) -> None:
    app = reopened(tmp_path, ascii=True)
    assert snap_compare(app, terminal_size=(100, 20), run_before=next_new)
