"""Every main screen of the app, reached by keys, and the cells the terminal is sent for it.

Shared by the contrast and the --ascii tests: each checks all the screens a user meets.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Container, Iterator
from dataclasses import dataclass
from pathlib import Path

from rich.style import Style
from textual.pilot import Pilot

from support import make_app
from threadtui.opener import open_thread
from threadtui.ui.app import ThreadApp

SEED = Path(__file__).parents[1] / "data" / "stories" / "x-story-ai-deployment.txt"
SIZE = (100, 30)

SCREENS: list[tuple[str, tuple[str, ...]]] = [
    # The cursor on a reply (times, views, glyphs on the cursor); the startup toast is up.
    ("tree and detail", ("j",)),
    ("detail pane focused", ("j", "j", "j", "tab", "j")),
    ("search with highlights", ("slash", *"internal")),
    ("filter with context rows", ("f", *"from:ohabryka", "enter", "h")),
    ("author picker", ("a", "down", "space", "down")),
    ("time picker", ("t", "right", "right", "tab", "left")),
    ("help", ("question_mark",)),
    ("command palette", ("ctrl+p", *"col")),
]


@dataclass(frozen=True, slots=True)
class Run:
    """One segment as the terminal gets it: its place, its characters and its style."""

    y: int
    x: int
    text: str
    style: Style


def seed_app(**settings: object) -> ThreadApp:
    return make_app(open_thread(SEED), **settings)


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def runs(app: ThreadApp) -> Iterator[Run]:
    """The whole screen as composed for the terminal (after every line filter)."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    for y, line in enumerate(update.strips):
        x = 0
        for strip in line:
            for segment in strip:
                if segment.control:
                    continue
                yield Run(y, x, segment.text, segment.style or Style())
                x += segment.cell_length


async def back_to_main(app: ThreadApp, pilot: Pilot) -> None:
    while len(app.screen_stack) > 1:
        await pilot.press("escape")
        await settle(pilot)
    await pilot.press("escape")
    app.action_clear()
    await settle(pilot)
    app.query_one("#tree").focus()
    await pilot.press("g")
    await settle(pilot)


async def visit(
    app: ThreadApp, pilot: Pilot, only: Container[str] | None = None
) -> AsyncIterator[str]:
    """Show each screen in turn (those named in `only`, when given); yields its name while
    it is on screen."""
    for name, keys in SCREENS:
        if only is not None and name not in only:
            continue
        await pilot.press(*keys)
        await settle(pilot)
        yield name
        await back_to_main(app, pilot)
