"""The config's key map as the running app gets it: only valid ids and key names."""

from __future__ import annotations

from pathlib import Path

from support import quotes_thread
from threadtui.config import load_settings
from threadtui.ui.app import ThreadApp
from threadtui.ui.chrome import PriorityFooter
from threadtui.ui.help import HelpScreen
from threadtui.ui.tree import ThreadTree


async def test_keymap_reaches_the_app_clean(tmp_path: Path) -> None:
    """A key map holding an escape sequence opens with its valid keys working, and the
    footer shows key names only."""
    path = tmp_path / "config.toml"
    path.write_text(
        '[keymap]\n"tree.down" = "\\u001b]0;pwned\\u0007,ctrl+n"\n"app.help" = "F1,?"\n'
    )
    settings, problems = load_settings(path)
    assert settings.keymap == {"tree.down": "ctrl+n", "app.help": "f1,question_mark"}
    app = ThreadApp(quotes_thread(), settings=settings, startup_messages=problems)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        tree = app.query_one(ThreadTree)
        start = tree.cursor_post
        await pilot.press("ctrl+n")
        assert tree.cursor_post != start
        footer = app.query_one(PriorityFooter).shown
        shown = [display or key for key, display, *_ in footer]
        assert shown and all(text.isprintable() for text in shown), shown
        assert "f1" in [key for key, *_ in footer]
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_hints_name_the_keys_as_remapped(tmp_path: Path) -> None:
    """Keys can be remapped, so a hint that names a key names the user's key."""
    path = tmp_path / "config.toml"
    path.write_text('[keymap]\n"authors.apply" = "ctrl+s"\n"app.search" = "ctrl+f"\n')
    settings, problems = load_settings(path)
    assert problems == []
    app = ThreadApp(quotes_thread(), settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "ctrl+f" in app.key_for("app.search").lower()
        await pilot.press("a")
        await pilot.pause()
        subtitle = str(app.screen.query_one("#authors-box").border_subtitle)
        assert "applies" in subtitle
        assert "Enter applies" not in subtitle


async def test_the_author_lists_movement_keys_can_be_remapped(tmp_path: Path) -> None:
    """Every key of the author picker's list has an id, not only Space: a key map moves
    them like any other (and the old key of a moved binding no longer does it)."""
    from threadtui.ui.pickers import AuthorList

    path = tmp_path / "config.toml"
    path.write_text(
        "[keymap]\n"
        '"checklist.down" = "ctrl+n"\n"checklist.up" = "ctrl+p"\n'
        '"checklist.page-down" = "ctrl+d"\n"checklist.page-up" = "ctrl+u"\n'
        '"checklist.first" = "ctrl+a"\n"checklist.last" = "ctrl+e"\n'
    )
    settings, problems = load_settings(path)
    assert problems == []
    app = ThreadApp(quotes_thread(), settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        listing = app.screen.query_one(AuthorList)
        listing.focus()
        await pilot.pause()
        assert len(listing.rows) >= 3, "the thread needs authors to move between"
        assert listing.highlighted == 0
        await pilot.press("ctrl+n", "ctrl+n")
        assert listing.highlighted == 2
        await pilot.press("ctrl+p")
        assert listing.highlighted == 1
        await pilot.press("ctrl+e")
        assert listing.highlighted == len(listing.rows) - 1
        await pilot.press("ctrl+a")
        assert listing.highlighted == 0
        await pilot.press("ctrl+d")
        assert listing.highlighted == len(listing.rows) - 1  # fewer rows than a page
        await pilot.press("ctrl+u")
        assert listing.highlighted == 0
        # The keys the bindings had are theirs no more.
        await pilot.press("down", "end")
        assert listing.highlighted == 0
