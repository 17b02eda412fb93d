"""The detail pane: what its lists say, what a fan-out of quotes costs, and that every size
of terminal draws it.

The pane is laid out by `LineBuilder` (plain Python, tested directly here) and drawn by
`DetailPane` (tested with Pilot, and once in a real terminal).
"""

from __future__ import annotations

import asyncio
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from terminal import Terminal, installed_command

from hostile_cases import HOSTILE, OPENS, params, thread_bytes
from support import detail_layout, hostile_thread, make_app, post, quotes_thread, thread_doc
from threadtui.model import Thread, load_document
from threadtui.opener import open_thread
from threadtui.ui.detail import DetailPane
from threadtui.ui.detail_lines import (
    CARD_BUDGET,
    CARD_LINE_BUDGET,
    CARD_TEXT_LIMIT,
    QUOTE_PAGE,
    DetailLayout,
    Item,
    LineBuilder,
)
from threadtui.ui.glyphs import ASCII, UNICODE, Glyphs
from threadtui.ui.tree import ThreadTree

SEED = Path(__file__).parents[1] / "data" / "stories" / "x-story-ai-deployment.txt"

# A hang guard, not a timing assertion: a regression must fail the test, not stall the
# suite. Far above what any machine takes.
HANG_GUARD = 600


def section(layout: DetailLayout, title: str) -> list[str]:
    """The lines listed under a heading ("Replies", "Quoted by"), up to the next blank."""
    lines = [line.plain.rstrip() for line in layout.lines]
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{title} ("))
    out = []
    for line in lines[start + 1 :]:
        if not line:
            break
        out.append(line)
    return out


def linked(thread: Thread, layout: DetailLayout, title: str) -> list[str]:
    """The ids of the posts a heading's list links to, in order."""
    lines = [line.plain for line in layout.lines]
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{title} ("))
    end = start + 1 + len(section(layout, title))
    return [
        thread.posts[item.index].id
        for item in layout.items
        if item.kind == "link" and start < item.start < end
    ]


# --- item 2: replies are replies -----------------------------------------------------------


def replies_and_quotes_thread() -> Thread:
    posts = [
        post("root", 0, "The root.", author="a"),
        post("rep", 1, "A plain reply.", author="b", reply_to="root"),
        post("quo", 2, "Only quotes the root.", author="c", quotes=["root"]),
        post("both", 3, "Replies and quotes.", author="b", reply_to="root", quotes=["root"]),
        post("deep", 4, "Quotes the quoting post.", author="a", quotes=["quo"]),
    ]
    authors = {
        "a": {"handle": "alice", "display_name": "Alice"},
        "b": {"handle": "bob", "display_name": "Bob"},
        "c": {"handle": "carol", "display_name": "Carol"},
    }
    return load_document(thread_doc(posts, authors=authors), name="replies.json")


@pytest.mark.parametrize("glyphs", [UNICODE, ASCII], ids=["unicode", "ascii"])
def test_replies_list_only_replies_and_quoting_posts_say_so(glyphs: Glyphs) -> None:
    thread = replies_and_quotes_thread()
    root = thread.posts[thread.by_id["root"]]
    # The model files the quoting post under the root in the tree: the pane must not.
    assert thread.by_id["quo"] in (root.children or [])
    layout = detail_layout(thread, "root", glyphs=glyphs)
    assert linked(thread, layout, "Replies") == ["rep", "both"]
    assert linked(thread, layout, "Quoted by") == ["quo", "both"]
    replies = section(layout, "Replies")
    quoted = section(layout, "Quoted by")
    assert [line.split()[0] for line in replies] == [glyphs.reply, glyphs.reply]
    assert [line.split()[0] for line in quoted] == [glyphs.quote, glyphs.quote]
    plain = [line.plain.rstrip() for line in layout.lines]
    assert "Replies (2)" in plain and "Quoted by (2)" in plain


def test_a_post_with_only_quoting_children_has_no_replies() -> None:
    thread = replies_and_quotes_thread()
    layout = detail_layout(thread, "quo")
    assert linked(thread, layout, "Replies") == []
    assert linked(thread, layout, "Quoted by") == ["deep"]
    assert "Replies (0)" in layout.text


def test_the_seed_root_is_quoted_not_replied_to() -> None:
    thread = open_thread(SEED)
    root = thread.roots[0]
    layout = detail_layout(thread, thread.posts[root].id)
    assert "Replies (0)" in layout.text and "Quoted by (3)" in layout.text


async def test_the_tree_and_the_pane_agree_on_the_quote_glyph() -> None:
    thread = replies_and_quotes_thread()
    app = make_app(thread)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        tree = app.query_one(ThreadTree)
        rows = {thread.posts[i].id: tree.render_line(y).text for y, i in enumerate(tree.rows)}
        assert f"{UNICODE.quote} Carol" in rows["quo"]
        assert f"{UNICODE.reply} Bob" in rows["rep"]
        detail = app.query_one(DetailPane)
        assert f"{UNICODE.quote} Carol @carol" in detail.text
        assert f"{UNICODE.reply} Carol" not in detail.text


# --- item 9: a fan-out of quotes is bounded -------------------------------------------------


def fanout_posts(n: int = 170, k: int = 40, text_chars: int = 0) -> list[dict[str, Any]]:
    """The reported case: n posts, each quoting the k before it, under a root that quotes
    the newest k. Replies to the root, so the root (the worst post to show) comes first."""
    filler = " lorem ipsum" * (text_chars // 12)

    def at(i: int) -> str:
        return f"2026-05-28T{10 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z"

    posts = [
        {
            "id": "root",
            "text": "The root quotes the newest posts." + filler,
            "quotes": [f"p{i}" for i in range(n - k, n)],
            "created_at": at(0),
        }
    ]
    posts += [
        {
            "id": f"p{i}",
            "text": f"Post {i} quotes the {k} before it." + filler,
            "reply_to": "root",
            "quotes": [f"p{j}" for j in range(max(0, i - k), i)],
            "created_at": at(i + 1),
        }
        for i in range(n)
    ]
    return posts


def write_quote_fanout(directory: Path, **kwargs: int) -> Path:
    """The hostile-corpus case too big to commit, in the corpus's format."""
    path = directory / "quote-fanout.json"
    path.write_bytes(thread_bytes(fanout_posts(**kwargs), title="A fan-out of quotes"))
    return path


@pytest.fixture(scope="module")
def fanout(tmp_path_factory: pytest.TempPathFactory) -> Thread:
    return open_thread(write_quote_fanout(tmp_path_factory.mktemp("fanout")))


def cards(layout: DetailLayout) -> list[Item]:
    return [item for item in layout.items if item.kind == "card"]


@pytest.mark.parametrize("post_id", ["root", "p169", "p100"])
@pytest.mark.parametrize("width", [30, 80, 200])
def test_a_fan_out_builds_a_bounded_pane(fanout: Thread, post_id: str, width: int) -> None:
    layout = detail_layout(fanout, post_id, width)
    built = cards(layout)
    opened = [card for card in built if not card.folded]
    # Without a bound across the whole pane, 40 quotes nested 3 deep make 64,000 cards.
    assert 0 < len(opened) <= CARD_BUDGET
    # Each open card lists at most a page of its quotes (cards, links, or one "more").
    assert len(layout.items) <= (len(opened) + 1) * (QUOTE_PAGE + 1) + 2 * 25 + 2
    assert len(layout.lines) <= CARD_LINE_BUDGET + 40 * (QUOTE_PAGE + 1) + 200
    mores = [item for item in layout.items if item.kind == "more" and "quotes" in item.list]
    assert mores and all(item.total - item.shown > 0 for item in mores)
    if width >= 80:
        assert "more quoted posts (Enter to show 10)" in layout.text


@pytest.mark.parametrize("width", [16, 20, 40, 80, 200])
def test_long_quoted_texts_count_against_the_budget(tmp_path: Path, width: int) -> None:
    thread = open_thread(write_quote_fanout(tmp_path, n=60, k=12, text_chars=20_000))
    layout = detail_layout(thread, "root", width)
    # Each card shows a bounded part of its post (said in words where they fit a line)...
    if width >= 40:
        assert "more characters not shown" in layout.text
    # ...and the lines of cards stop growing at the budget: past it, only the card that
    # crossed it is finished (at most its text at a narrow card's width) and the rest fold.
    top = [card for card in cards(layout) if len(card.key) == 2]
    card_lines = sum(card.end - card.start for card in top)
    assert card_lines <= CARD_LINE_BUDGET + CARD_TEXT_LIMIT // 10 + 2 * (QUOTE_PAGE + 1)
    assert any(card.folded for card in cards(layout))


def test_more_quoted_posts_opens_a_page_and_folded_cards_open(fanout: Thread) -> None:
    pages: dict[str, int] = {}
    first = detail_layout(fanout, "root", 80, pages=pages)
    top = [item for item in first.items if item.kind == "more" and item.list.endswith(" 0")]
    # The root's own quotes: a page of cards, then the line that opens the next page.
    assert len(top) == 1 and top[0].shown == QUOTE_PAGE and top[0].total == 40
    pages[top[0].list] = top[0].shown + top[0].page
    second = detail_layout(fanout, "root", 80, pages=pages)
    root_cards = [card for card in cards(second) if len(card.key) == 2]
    assert len(root_cards) == 2 * QUOTE_PAGE
    # Past the budget, cards are drawn folded; one the user opens is opened all the same.
    folded = [card for card in cards(second) if card.folded]
    assert folded
    opened = detail_layout(fanout, "root", 80, pages=pages, folded={folded[0].key: False})
    again = next(card for card in cards(opened) if card.key == folded[0].key)
    assert not again.folded and again.end - again.start > 1


async def test_a_fan_out_first_reaches_a_frame_and_q_quits(fanout: Thread) -> None:
    async def run() -> None:
        app = make_app(fanout)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            detail = app.query_one(DetailPane)
            assert detail.index == fanout.by_id["root"]
            for y in range(detail.size.height):
                detail.render_line(y)
            assert "The root quotes the newest posts." in detail.text
            assert len(cards(detail.page)) <= 2 * CARD_BUDGET
            # Into the pane, to the line after the root's first page of quotes: Enter
            # shows the next page, and the pane stays bounded.
            await pilot.press("tab")
            more = next(
                position
                for position, item in enumerate(detail.items)
                if item.kind == "more" and item.list == f"quotes {detail.index}"
            )
            detail.action_select(more - (detail.selected or 0))
            await pilot.press("enter")
            await pilot.pause()
            root_cards = [card for card in cards(detail.page) if len(card.key) == 2]
            assert len(root_cards) == 2 * QUOTE_PAGE
            assert len(cards(detail.page)) <= 2 * CARD_BUDGET + 2 * QUOTE_PAGE
            await pilot.press("G", "enter", "k", "enter")
            await pilot.pause()
            await pilot.press("q")
            await pilot.pause()
        assert app.return_code == 0

    await asyncio.wait_for(run(), HANG_GUARD)


def test_a_fan_out_opens_and_quits_in_a_real_terminal(tmp_path: Path) -> None:
    path = write_quote_fanout(tmp_path)
    with Terminal([*installed_command(), str(path)], cols=100, rows=30) as term:
        screen = term.wait_for(lambda s: "The root quotes the newest" in s, timeout=HANG_GUARD)
        assert "Post 130 quotes the 40 before it." in screen  # the first card
        term.press("q")
        assert term.close(timeout=HANG_GUARD) == 0


# --- item 13: every width and height draws -------------------------------------------------


def every_line_fits(layout: DetailLayout, width: int) -> None:
    for line in layout.lines:
        assert line.cell_length == width, (width, line.plain)


@pytest.mark.parametrize("case", params(OPENS))
def test_every_post_of_the_hostile_corpus_lays_out_at_every_narrow_width(case: Any) -> None:
    thread = open_thread(case.path)
    for index in range(min(len(thread.posts), 40)):
        for width in range(0, 13):
            layout = LineBuilder(
                thread,
                glyphs=UNICODE,
                tz=UTC,
                highlight=None,
                folded={},
                pages={},
                selected=0,
                focused=True,
                wraps={},
            ).build(index, width)
            if width == 0:
                assert layout.lines == []
            else:
                # Something to read at every width, each line exactly as wide as the pane.
                assert layout.lines
                every_line_fits(layout, width)


NARROW = range(0, 13)
LOW = (0, 1, 2, 3)


def pane_lines(app: Any) -> list[str]:
    """What the pane draws, each line checked to fill the pane's width exactly."""
    detail = app.query_one(DetailPane)
    width = max(0, detail.scrollable_content_region.width)
    out = []
    for y in range(detail.size.height):
        strip = detail.render_line(y)
        assert strip.cell_length == width, (detail.size, y, strip.text)
        out.append(strip.text)
    return out


# Each thread with the heights it is drawn at, at every width up to 12: the seed at all
# of them, the others at a few, to keep the run short.
THREADS = {
    "seed": (lambda: open_thread(SEED), (*LOW, 12)),
    "quotes": (quotes_thread, (0, 2, 12)),
    "hostile": (hostile_thread, (1, 3, 12)),
    "wide-text": (lambda: open_thread(HOSTILE / "wide-text.json"), (0, 3, 12)),
    "story-hostile": (lambda: open_thread(HOSTILE / "story-hostile.txt"), (1, 2, 12)),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(THREADS))
async def test_resizing_down_to_nothing_and_back_draws_every_size(name: str) -> None:
    make_thread, heights = THREADS[name]
    app = make_app(make_thread())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for step, size in enumerate((w, h) for h in heights for w in NARROW):
            await pilot.resize_terminal(*size)
            # Keys on a pane with no room still work, and draw nothing wrong: down the
            # tree, into the pane, down its items, open one, back.
            await pilot.press(("j", "tab", "j", "enter", "tab")[step % 5])
            await pilot.pause()
            pane_lines(app)
            assert app.is_running
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert any(line.strip() for line in pane_lines(app))
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


@pytest.mark.parametrize("size", [(0, 0), (1, 1), (3, 3), (5, 3), (5, 24), (12, 2)])
async def test_starting_in_a_tiny_terminal(size: tuple[int, int]) -> None:
    app = make_app(open_thread(SEED))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        pane_lines(app)
        await pilot.press("j", "tab", "G", "enter")
        await pilot.pause()
        pane_lines(app)
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert "Oliver Habryka" in "\n".join(pane_lines(app))
    assert app.is_running is False


def test_a_count_of_one_is_singular() -> None:
    """'1 likes  1 replies' read wrong on every post with one of something."""
    import orjson

    from support import doc, sparse_post
    from threadtui.model import load_bytes
    from threadtui.ui.detail_lines import metrics_content

    metrics = {"views": 1, "likes": 1, "reposts": 0, "replies": 1, "quotes": 2}
    thread = load_bytes(orjson.dumps(doc(sparse_post("p", metrics=metrics))), name="m.json")
    shown = metrics_content(thread.posts[0])
    assert shown is not None
    assert str(shown) == "1 view  1 like  0 reposts  1 reply  2 quotes"
