"""The footer is one line drawn by PriorityFooter: its keys still act as buttons, and a
change in its keys is drawn in the frame that caused it, with no rebuild (issue #15).
Counted, never timed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.content import Content

from fridays import T0, Clock
from support import AUTHORS, make_app, post, quotes_thread, settle_quiet, thread_doc
from threadtui.config import Settings
from threadtui.model import load_document
from threadtui.state import open_state
from threadtui.ui.app import ThreadApp
from threadtui.ui.chrome import FooterEntry, PriorityFooter
from threadtui.ui.help import HelpScreen
from threadtui.ui.querybar import QueryBar

POSTS = 40


def offset_of(shown: list[FooterEntry], description: str) -> int:
    """The cell of the middle of the key with `description`: "k Description" and a margin
    each, as the line is drawn."""
    x = 0
    for _, display, text, *_ in shown:
        width = Content(f"{display} {text}").cell_length
        if text == description:
            return x + width // 2
        x += width + 1
    raise AssertionError(f"no {description!r} key in {shown}")


@pytest.mark.parametrize(("description", "opened"), [("Search", "search"), ("Help", "help")])
async def test_clicking_a_footer_key_runs_its_action(description: str, opened: str) -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_quiet(pilot)
        footer = app.query_one(PriorityFooter)
        x = offset_of(footer.shown, description)
        assert await pilot.click(PriorityFooter, offset=(x, 0))
        await pilot.pause()
        if opened == "search":
            assert app.query_one(QueryBar).is_open
        else:
            assert isinstance(app.screen, HelpScreen)


async def test_clicking_between_keys_or_past_them_does_nothing() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_quiet(pilot)
        footer = app.query_one(PriorityFooter)
        _, display, text, *_ = footer.shown[0]
        margin = Content(f"{display} {text}").cell_length
        for x in (margin, 99):
            await pilot.click(PriorityFooter, offset=(x, 0))
            await pilot.pause()
        assert not app.query_one(QueryBar).is_open
        assert not isinstance(app.screen, HelpScreen)


async def test_the_key_under_the_mouse_is_lit_and_gives_its_tooltip() -> None:
    app = make_app(quotes_thread())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_quiet(pilot)
        footer = app.query_one(PriorityFooter)
        before = footer.render_line(0)
        x = offset_of(footer.shown, "Search")
        await pilot.hover(PriorityFooter, offset=(x, 0))
        await pilot.pause()
        lit = footer.render_line(0)
        assert lit.text == before.text
        assert list(lit) != list(before)
        await pilot.hover(PriorityFooter, offset=(99, 0))
        await pilot.pause()
        assert list(footer.render_line(0)) == list(before)


def posts(start: int, count: int) -> list[dict[str, Any]]:
    return [
        post(f"p{i}", i + 1, f"post {i}", author="u1", reply_to="p0" if i else None)
        for i in range(start, start + count)
    ]


async def test_a_merge_that_brings_new_posts_shows_their_key_in_its_first_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every post read on an earlier visit: no `u` key until the merge brings new ones.
    thread = load_document(thread_doc(posts(0, POSTS), authors=AUTHORS), name="grow.json")
    state, _ = open_state(thread, directory=tmp_path, clock=Clock(T0))
    state.mark_many(range(POSTS))
    state.save()
    state, _ = open_state(thread, directory=tmp_path, clock=Clock(T0))
    app = ThreadApp(thread, settings=Settings(), read_state=state)
    recomposes = [0]
    original_recompose = PriorityFooter.recompose

    async def recompose(self: PriorityFooter) -> None:
        recomposes[0] += 1
        await original_recompose(self)

    frames: list[tuple[int, list[str]]] = []
    original_display = App._display

    def display(self: App[Any], screen: Any, renderable: Any) -> None:
        original_display(self, screen, renderable)
        if renderable is not None and isinstance(self, ThreadApp):
            keys = [entry[2] for entry in self.query_one(PriorityFooter).shown]
            frames.append((len(self.thread.posts), keys))

    monkeypatch.setattr(PriorityFooter, "recompose", recompose)
    monkeypatch.setattr(App, "_display", display)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_quiet(pilot)
        assert "Next new" not in frames[-1][1]
        mark = len(frames)
        # As the fetch hands it over: in a handler of the app's, PostsAdded after it.
        app.call_later(app._grow, thread_doc(posts(POSTS, 3), authors=AUTHORS))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        after = frames[mark:]
        assert after and after[0][0] == POSTS + 3
        # The first frame with the new posts has their key; none after it rebuilt it.
        assert all("Next new" in keys for _, keys in after)
        assert recomposes[0] == 0
