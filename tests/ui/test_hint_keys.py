"""Every hint that names a key names the user's key: remapped in a config file, the
warnings screen, the detail pane, the author picker and the time picker say the new key,
and the new key does what the hint says. Key names reach the screen as text, never markup
(a key map may name `[`)."""

from __future__ import annotations

from pathlib import Path

from textual.content import Content

from support import post, quotes_thread, settle_quiet, thread_doc
from threadtui.config import load_settings
from threadtui.model import Thread, load_document
from threadtui.opener import open_thread
from threadtui.ui.app import ThreadApp
from threadtui.ui.detail import DetailPane
from threadtui.ui.pickers import AuthorList, AuthorPicker, TimePicker
from threadtui.ui.tree import ThreadTree
from threadtui.ui.warnings import WarningsScreen

SIZE = (120, 40)
SEED = Path(__file__).parents[1] / "data" / "stories" / "x-story-ai-deployment.txt"


def app_with_keys(tmp_path: Path, thread: Thread, keymap: dict[str, str]) -> ThreadApp:
    """The app as `threadtui` builds it from a config file holding `keymap`."""
    path = tmp_path / "config.toml"
    lines = "".join(f'"{binding_id}" = "{keys}"\n' for binding_id, keys in keymap.items())
    path.write_text(f"[keymap]\n{lines}", encoding="utf-8")
    settings, problems = load_settings(path)
    assert problems == []
    return ThreadApp(thread, settings=settings, startup_messages=problems)


def subtitle(app: ThreadApp, selector: str) -> str:
    return Content(str(app.screen.query_one(selector).border_subtitle)).plain


async def test_warnings_screen_names_its_close_key(tmp_path: Path) -> None:
    thread = quotes_thread()
    thread.warnings = ["w1"]
    app = app_with_keys(tmp_path, thread, {"warnings.close": "["})
    async with app.run_test(size=SIZE) as pilot:
        await settle_quiet(pilot)
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, WarningsScreen)
        assert subtitle(app, "#warnings-body") == "[ closes"
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert not isinstance(app.screen, WarningsScreen)


def busy_thread() -> Thread:
    """A root that quotes a chain deeper than cards are drawn (its end is a one-line
    "open" note) and has more replies than a page, the first behind a content warning."""
    posts = [post("r", 0, "The root.", quotes=["q1"])]
    posts += [post(f"q{k}", 0, f"quoted {k}", quotes=[f"q{k + 1}"]) for k in range(1, 6)]
    posts.append(post("q6", 0, "the deepest"))
    posts.append(post("cw", 1, "the plot twist", reply_to="r", content_warning="spoilers"))
    posts += [post(f"c{k}", 2, f"reply {k}", reply_to="r") for k in range(40)]  # 25 shown
    return load_document(thread_doc(posts))


async def test_detail_pane_hints_name_the_activate_key(tmp_path: Path) -> None:
    app = app_with_keys(tmp_path, busy_thread(), {"detail.activate": "["})
    async with app.run_test(size=SIZE) as pilot:
        await settle_quiet(pilot)
        tree = app.query_one(ThreadTree)
        detail = app.query_one(DetailPane)
        tree.move_to_post(app.thread.by_id["r"])
        await pilot.pause()
        text = detail.text
        assert "([ to open)" in text and "Enter" not in text
        assert "16 more ([ to show 16)" in text
        tree.move_to_post(app.thread.by_id["cw"])
        await pilot.pause()
        assert "CW: spoilers  ([ to show)" in detail.text
        assert "the plot twist" not in detail.text
        # The key named opens what it says it opens.
        await pilot.press("tab")
        await pilot.pause()
        warning = next(k for k, item in enumerate(detail.items) if item.kind == "warning")
        detail.selected = warning
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert "CW: spoilers  ([ to hide)" in detail.text
        assert "the plot twist" in detail.text


async def test_detail_pane_hints_say_enter_by_default(tmp_path: Path) -> None:
    app = app_with_keys(tmp_path, busy_thread(), {})
    async with app.run_test(size=SIZE) as pilot:
        await settle_quiet(pilot)
        app.query_one(ThreadTree).move_to_post(app.thread.by_id["r"])
        await pilot.pause()
        text = app.query_one(DetailPane).text
        assert "(Enter to open)" in text and "16 more (Enter to show 16)" in text


async def test_author_picker_names_the_mark_key(tmp_path: Path) -> None:
    keymap = {"checklist.mark": "x", "authors.apply": "ctrl+s", "authors.cancel": "ctrl+q"}
    app = app_with_keys(tmp_path, quotes_thread(), keymap)
    async with app.run_test(size=SIZE) as pilot:
        await settle_quiet(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AuthorPicker)
        hint = subtitle(app, "#authors-box")
        assert hint.startswith("x marks · ctrl+s applies · ctrl+q cancels"), hint
        assert "Space" not in hint
        await pilot.press("down", "x")
        await pilot.pause()
        assert len(app.screen.query_one(AuthorList).chosen) == 1
        # Space was the default mark key: moved away, it marks nothing.
        await pilot.press("down", "space")
        await pilot.pause()
        assert len(app.screen.query_one(AuthorList).chosen) == 1


async def test_time_picker_names_its_keys(tmp_path: Path) -> None:
    keymap = {
        "time.earlier": "y",
        "time.later": "u",
        "time.switch": "s",
        "time.apply": "ctrl+s",
        "time.cancel": "x",
        "time.first-hour": "7",
        "time.first-day": "8",
        "time.last-hour": "9",
        "time.all": "left_square_bracket",
    }
    app = app_with_keys(tmp_path, open_thread(SEED), keymap)
    async with app.run_test(size=SIZE) as pilot:
        await settle_quiet(pilot)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TimePicker)
        assert subtitle(app, "#time-box") == "y/u move · s start/end · ctrl+s applies · x cancels"
        presets = str(app.screen.query_one("#time-presets").render())
        assert presets == "Presets: 7 first hour · 8 first day · 9 last hour · [ all"
        picker = app.screen
        await pilot.press("s", "y")
        await pilot.pause()
        assert (picker.active, picker.end) == (1, picker.buckets - 2)
        await pilot.press("7", "ctrl+s")
        await pilot.pause()
        await settle_quiet(pilot)
        assert not isinstance(app.screen, TimePicker)
        assert app.queries.filter_text == "before:+1h"
