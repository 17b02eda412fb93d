"""`--ascii`: only printable ASCII reaches the terminal, on every screen, whatever the
thread holds (emoji, CJK, curly quotes, box-drawing characters in a post)."""

from __future__ import annotations

import sys

import pytest
from rich.cells import cell_len, get_character_cell_size
from rich.segment import Segment
from screens import SIZE, runs, seed_app, settle, visit
from terminal import Terminal, installed_command
from textual.color import Color

from support import hostile_thread, make_app
from threadtui.ui.app import ThreadApp
from threadtui.ui.output import AsciiFilter, ascii_for

PRINTABLE = frozenset(chr(c) for c in range(0x20, 0x7F))


def not_ascii(app: ThreadApp) -> list[str]:
    return [
        f"row {run.y} col {run.x}: {run.text!r}"
        for run in runs(app)
        if not set(run.text) <= PRINTABLE
    ]


@pytest.mark.slow
@pytest.mark.parametrize("thread", ["seed", "hostile"])
async def test_every_screen_is_ascii(thread: str) -> None:
    app = seed_app(ascii=True) if thread == "seed" else make_app(hostile_thread(), ascii=True)
    found: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        async for screen in visit(app, pilot):
            found += [f"{screen}: {where}" for where in not_ascii(app)]
        # A notification, and the pane zoomed to fill the screen.
        app.notify("Copied the post’s text…", title="A toast", severity="warning")
        await pilot.press("z")
        await settle(pilot)
        found += [f"toast: {where}" for where in not_ascii(app)]
    assert not found, "\n".join(found[:40])


async def test_ascii_footer_names_keys() -> None:
    app = seed_app(ascii=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = [run.text for run in runs(app) if run.y == SIZE[1] - 1]
    assert "enter" in "".join(footer)


async def test_ascii_tree_marks_are_not_lines() -> None:
    """The expanded mark is not "-": after a guide's "|-" it read as more of the line."""
    app = seed_app(ascii=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = "\n".join("".join(r.text for r in runs(app) if r.y == y) for y in (2, 3))
    assert rows.splitlines()[0].startswith("v*")
    assert "|-v" in rows.splitlines()[1]


def test_every_character_has_an_ascii_form_of_its_width() -> None:
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        text = ascii_for(ch)
        assert set(text) <= PRINTABLE, (hex(code), text)
        assert len(text) == max(0, get_character_cell_size(ch)), (hex(code), text)


def test_ascii_filter_keeps_every_line_its_length() -> None:
    text = "├╴▾↳ Ämberg “quoted” 漢字 🧑‍🤝‍🧑 e\u0301 ▐X▌ ▅ …"
    segments = [Segment(text), Segment("plain")]
    out = AsciiFilter().apply(segments, Color(0, 0, 0))
    assert "".join(s.text for s in out) == '+-v> Amberg "quoted" ???? ?? e |X|   ~plain'
    assert sum(cell_len(s.text) for s in out) == sum(cell_len(s.text) for s in segments)


def test_ascii_reaches_the_terminal_byte_for_byte() -> None:
    """Every byte the app writes, escape sequences included, is 7-bit."""
    with Terminal([*installed_command(), "--ascii", "--demo"], cols=100, rows=30) as term:
        term.wait_for(lambda s: "Replies" in s)
        term.press("jjj")
        term.wait_for(lambda s: "No I would support" in s)
        for keys, shows in [
            ("a", "Filter by author"),
            ("t", "Filter by time"),
            ("?", "threadtui keys"),
        ]:
            term.press(keys)
            term.wait_for(lambda s, shows=shows: shows in s)
            # Escape alone, and gone before the next key: ESC then a key is read as Alt+key.
            term.press("\x1b")
            term.wait_for(lambda s, shows=shows: shows not in s)
        term.press("q")
        assert term.close() == 0
    wide = sorted({b for b in term.raw if b >= 0x80})
    assert not wide, f"bytes above 0x7f: {wide[:20]}"
