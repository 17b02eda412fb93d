"""Snapshots of a thread reopened after it grew: new posts marked in the tree, the count in
the status line, "new" in the detail pane. Look at each SVG as a picture before accepting
it: `rsvg-convert -w 1400 FILE.svg -o /tmp/FILE.png`."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from fridays import first_visit, reopen
from threadtui.ui.app import ThreadApp


def reopened(folder: Path, **settings: object) -> ThreadApp:
    """Read yesterday up to p3; today three posts have arrived."""
    first_visit(folder)
    app, _ = reopen(folder, **settings)
    return app


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
