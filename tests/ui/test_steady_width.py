"""Emoji whose width terminals disagree on (skin tones, ZWJ families, a heart with its
emoji selector) are drawn in the cells Rich gave them in every terminal: no line moves.

Rich measures `👍🏽` as 2 cells and `❤️` as 2; tmux, screen, xterm and pyte draw `👍🏽` in 4
and `❤️` in 1, so every cell after one moved, and the tree's border broke on its row."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from rich.cells import cell_len, get_character_cell_size, split_graphemes
from rich.segment import Segment
from terminal import Terminal, installed_command
from textual.color import Color

from support import make_app, post, thread_doc
from threadtui.model import load_document
from threadtui.ui.output import SteadyWidthFilter, steady

UNSTEADY = [
    "❤️",  # a narrow heart made wide by the emoji selector
    "👍🏽",  # a skin tone
    "👨‍👩‍👧",  # a ZWJ family
    "🏳️‍🌈",  # selector and joiner
    "👩🏽‍💻",  # skin tone and joiner
    "1️⃣",  # a keycap
    "✌🏽",  # a narrow symbol with a skin tone
]
STEADY = [
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # a subdivision flag
    "☕",
    "漢字",
    "e\u0301",
    "🇺🇦",
    "Ämberg",
    "क्‍ष",
    "plain",
]


def per_code_point(text: str) -> int:
    """The cells a terminal that draws each code point on its own gives `text` (tmux,
    screen, xterm, pyte): a skin tone is a wide character of its own there."""
    cells = 0
    for ch in text:
        if "\U0001f3fb" <= ch <= "\U0001f3ff":
            cells += 2
        else:
            cells += get_character_cell_size(ch)
    return cells


@pytest.mark.parametrize("cluster", UNSTEADY)
def test_an_unsteady_emoji_takes_the_same_cells_in_every_terminal(cluster: str) -> None:
    text = f"a{cluster}b"
    assert per_code_point(text) != cell_len(text)  # what moved the line
    out = steady(text)
    assert cell_len(out) == cell_len(text)  # the layout Rich made holds
    assert per_code_point(out) == cell_len(out)  # and code point terminals agree
    # Each grapheme of the output is one code point (or a combining-free run).
    spans, _ = split_graphemes(out)
    assert all(end - start == 1 for start, end, _ in spans)
    # The emoji is still there, as its first code point.
    assert out.startswith("a" + cluster[0]) and out.endswith("b")


@pytest.mark.parametrize("text", STEADY)
def test_what_every_terminal_agrees_on_is_kept_as_written(text: str) -> None:
    assert steady(text) == text


def test_a_skin_tone_cut_from_its_emoji_draws_nothing() -> None:
    # A style change inside a cluster can leave a segment starting with its skin tone:
    # Rich counts it as nothing, a terminal draws a wide swatch.
    assert steady("\U0001f3fdx") == "x"
    assert steady("\ufe0fx") == "x"


def test_the_filter_changes_only_segments_with_unsteady_emoji() -> None:
    plain = Segment("├╴ ↳ Ämberg 漢字")
    heart = Segment("Ines ❤️ +0m")
    out = SteadyWidthFilter().apply([plain, heart], Color(0, 0, 0))
    assert out[0] is plain
    assert out[1].text == "Ines ❤  +0m"
    assert cell_len(out[1].text) == cell_len(heart.text)


def test_the_tree_border_stands_on_one_column_in_a_terminal(tmp_path: Path) -> None:
    names = ["Ines Lindqvist ❤️", "Mateo 👍🏽 Smith", "Family 👨‍👩‍👧 account", "Plain Name"]
    authors = {f"u{i}": {"handle": f"user{i}", "display_name": n} for i, n in enumerate(names)}
    posts = [post("p0", 0, "The root ❤️ post", author="u0")]
    posts += [
        post(
            f"p{i}", i, f"Reply {i} 👍🏽 with 🏳️‍🌈 and 1️⃣", author=f"u{i % len(names)}", reply_to="p0"
        )
        for i in range(1, 12)
    ]
    thread = tmp_path / "emoji.json"
    thread.write_text(json.dumps(thread_doc(posts, authors=authors, title="Emoji names")))
    with Terminal([*installed_command(), str(thread)], cols=100, rows=30) as term:
        term.wait_for(lambda s: "Replies (11)" in s)
        buffer = term.screen.buffer
        rows = range(2, 2 + len(posts))
        border = {y: [x for x in range(term.cols) if buffer[y][x].data == "▎"] for y in rows}
        term.press("q")
        assert term.close() == 0
    # One border cell on each tree row, at the same column on every row.
    columns = {y: found[0] for y, found in border.items() if found}
    assert len(columns) == len(posts), border
    assert len(set(columns.values())) == 1, columns
    # The names are there, each as its first emoji.
    shown = term.text()
    assert "Ines Lindqvist ❤" in shown and "Mateo 👍" in shown
    assert not any(unicodedata.category(ch) == "Sk" for ch in shown)


@pytest.mark.parametrize("steady", [True, False])
async def test_steady_emoji_false_draws_them_as_written(steady: bool) -> None:
    doc = thread_doc([post("r", 0, "thumbs 👍🏽 up")])
    app = make_app(load_document(doc), steady_emoji=steady)
    async with app.run_test(size=(80, 24)):
        filters = [type(f) for f in app._output_filters]
        assert (SteadyWidthFilter in filters) is steady
