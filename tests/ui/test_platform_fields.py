"""What the platforms carry, as the detail pane and the tree show it: content warnings that
fold the text, media lines, link targets, mentions, edit times, placeholders that say why.

`LineBuilder` is plain Python and tested directly; the keys and the screen go through Pilot.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import textual.constants
from screens import runs
from test_ascii import not_ascii
from test_contrast import SYSTEMS, faint

from support import detail_layout, make_app, post, thread_doc
from threadtui.model import Thread, load_document
from threadtui.opener import open_thread
from threadtui.ui.detail import DetailPane
from threadtui.ui.detail_lines import more_label, status_text
from threadtui.ui.glyphs import ASCII
from threadtui.ui.links import post_links
from threadtui.ui.text import LINK_STYLE, MENTION_STYLE
from threadtui.ui.themes import OFFERED
from threadtui.ui.tree import ThreadTree

SOURCES = Path(__file__).parents[1] / "data" / "sources"
MASTODON_CW = (
    SOURCES / "mastodon" / "mastodon_social_status_110446223051565765_remote_media_edited.json"
)
REDDIT = SOURCES / "reddit" / "rtv_askreddit_cmwov_comments_sort_top.json"
SIZE = (100, 30)

HOSTILE_ALT = "[bold]loud[/bold] [@click=app.quit]x[/] \x1b[31mred \u202eevil"


def media(kind: str, alt: str | None = None, url: str | None = None) -> dict[str, Any]:
    return {"kind": kind, "url": url, "alt": alt}


def platform_thread() -> Thread:
    posts = [
        post(
            "root",
            0,
            "Look at this, @kim and @ada@example.social, see example.com/short",
            url="https://example.social/@root/1",
            edited_at="2026-05-28T00:30:00Z",
            media=[
                media("image", "A cat on a keyboard", "https://cdn.example/cat.jpg"),
                media("video"),
                media("link", "An article", "https://example.com/article"),
                media("poll", "yes / no"),
                media("gifv", "dancing cube"),
            ],
            links=[{"url": "https://example.com/short/real/target", "text": "example.com/short"}],
            mentions=[
                {"handle": "kim", "id": None, "url": None},
                {"handle": "ada@example.social", "id": None, "url": None},
            ],
        ),
        post(
            "cw",
            1,
            "The spoiler: it was the butler all along.",
            reply_to="root",
            content_warning="film spoilers",
            media=[media("image", "the butler")],
        ),
        post("quoter", 2, "Careful, quoting a spoiler", reply_to="root", quotes=["cw"]),
        post(
            "more",
            3,
            None,
            reply_to="root",
            status="not_fetched",
            more={"count": 7, "ids": []},
        ),
        post(
            "deeper",
            4,
            "More replies on a deeper page",
            reply_to="root",
            status="not_fetched",
            more={"count": 0, "ids": []},
        ),
        post(
            "gone",
            5,
            None,
            reply_to="root",
            status="not_fetched",
            quote_state="revoked",
        ),
        post(
            "odd",
            6,
            None,
            reply_to="root",
            status="deleted",
            quote_state="something_new",
        ),
        post("hostile", 7, "Alt text below", reply_to="root", media=[media("image", HOSTILE_ALT)]),
    ]
    return load_document(thread_doc(posts), name="platform.json")


def test_media_lines_name_each_attachment() -> None:
    text = detail_layout(platform_thread(), "root").text
    assert "[image: A cat on a keyboard]" in text
    assert "[video]" in text
    assert "[link: An article] https://example.com/article" in text
    assert "[poll: yes / no]" in text
    assert "[gif: dancing cube]" in text
    # Named, never fetched: an image's file address is not a line of the pane.
    assert "cdn.example" not in text


def test_hostile_alt_text_is_shown_literally() -> None:
    thread = platform_thread()
    text = detail_layout(thread, "hostile").text
    # Markup is characters on screen; escapes and bidi overrides went at load.
    assert "[image: [bold]loud[/bold] [@click=app.quit]x[/] " in text
    assert "\x1b" not in text and "\u202e" not in text
    assert "red" in text and "evil" in text


def test_shortened_link_is_listed_with_its_real_target() -> None:
    thread = platform_thread()
    layout = detail_layout(thread, "root")
    assert "→ example.com/short https://example.com/short/real/target" in layout.text
    # The shortened text in the post is styled as the link it is.
    line = next(line for line in layout.lines if "see example.com/short" in line.plain)
    start = line.plain.index("example.com/short")
    assert any(
        span.start <= start
        and span.end >= start + len("example.com/short")
        and span.style == LINK_STYLE
        for span in line.spans
    )


def test_a_link_the_text_shows_in_full_is_not_listed_again() -> None:
    thread = load_document(
        thread_doc(
            [
                post(
                    "p",
                    0,
                    "see https://example.com/full",
                    links=[{"url": "https://example.com/full", "text": "https://example.com/full"}],
                )
            ]
        )
    )
    assert detail_layout(thread, "p").text.count("https://example.com/full") == 1


def test_a_link_card_does_not_repeat_an_address_the_text_shows() -> None:
    url = "https://example.com/card"
    card = media("link", "A card", url)
    thread = load_document(thread_doc([post("p", 0, f"read {url}", media=[card])]))
    text = detail_layout(thread, "p").text
    assert "[link: A card]" in text and text.count(url) == 1


def test_mentions_the_source_names_are_styled_whole() -> None:
    layout = detail_layout(platform_thread(), "root")
    line = next(line for line in layout.lines if "@ada@example.social" in line.plain)
    start = line.plain.index("@ada@example.social")
    end = start + len("@ada@example.social")
    assert any(
        span.start == start and span.end == end and span.style == MENTION_STYLE
        for span in line.spans
    )


def test_edited_time_beside_the_time() -> None:
    text = detail_layout(platform_thread(), "root").text
    assert "2026-05-28 00:00 UTC · edited 2026-05-28 00:30 UTC" in text
    assert "edited" not in detail_layout(platform_thread(), "quoter").text


def test_content_warning_folds_text_and_media_until_revealed() -> None:
    thread = platform_thread()
    layout = detail_layout(thread, "cw")
    assert "▸ CW: film spoilers  (Enter to show)" in layout.text
    assert "butler" not in layout.text
    warning = next(item for item in layout.items if item.kind == "warning")
    assert warning.folded and warning.index == thread.by_id["cw"]
    opened = detail_layout(thread, "cw", revealed={thread.by_id["cw"]})
    assert "▾ CW: film spoilers  (Enter to hide)" in opened.text
    assert "it was the butler all along" in opened.text
    assert "[image: the butler]" in opened.text


def test_content_warning_folds_quote_cards_and_list_lines() -> None:
    thread = platform_thread()
    quoter = detail_layout(thread, "quoter").text
    assert "CW: film spoilers" in quoter and "butler" not in quoter
    # The root's reply list stands for the post by its warning, not its text.
    root = detail_layout(thread, "root").text
    assert "CW: film spoilers" in root and "butler" not in root
    revealed = detail_layout(thread, "quoter", revealed={thread.by_id["cw"]}).text
    assert "it was the butler all along" in revealed


def test_content_warning_in_ascii() -> None:
    text = detail_layout(platform_thread(), "cw", glyphs=ASCII).text
    assert "+ CW: film spoilers" in text
    assert text.isascii()


def test_placeholders_say_why() -> None:
    thread = platform_thread()
    posts = {p.id: p for p in thread.posts}
    assert status_text(posts["more"]) == "7 more comments not fetched"
    assert more_label(posts["more"]) == "7 more comments"
    assert status_text(posts["deeper"]) == "More replies not fetched"
    assert "the quoted author withdrew the quote" in status_text(posts["gone"])
    assert status_text(posts["odd"]) == "This post is deleted (quote state: something_new)"
    assert more_label(posts["gone"]) is None
    assert "7 more comments not fetched" in detail_layout(thread, "more").text


def test_one_more_comment_is_singular() -> None:
    thread = load_document(
        thread_doc([post("m", 0, None, status="not_fetched", more={"count": 1, "ids": ["x"]})])
    )
    assert status_text(thread.posts[0]) == "1 more comment not fetched"


def tree_rows(app: Any) -> list[str]:
    tree = app.query_one(ThreadTree)
    return [tree.render_line(y).text for y in range(tree.size.height)]


async def test_tree_rows_name_more_placeholders_and_hide_warned_text() -> None:
    app = make_app(platform_thread())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = "\n".join(tree_rows(app))
        assert "7 more comments" in rows
        assert "more replies" in rows
        assert "CW: film spoilers" in rows
        assert "butler" not in rows


async def test_reddit_more_rows_in_the_tree() -> None:
    app = make_app(open_thread(REDDIT))
    async with app.run_test(size=(120, 80)) as pilot:
        await pilot.pause()
        tree = app.query_one(ThreadTree)
        target = next(p.index for p in app.thread.posts if p.more_count == 2)
        tree.move_to_post(target)
        await pilot.pause()
        rows = "\n".join(tree_rows(app))
        assert "2 more comments" in rows
        shown = app.query_one(DetailPane).text
        assert "2 more comments not fetched" in shown
        # The stub's own text ("2 more comments") is not said twice.
        assert shown.count("2 more comments") == 1


async def test_enter_unfolds_a_content_warning_and_the_post_keeps_it() -> None:
    thread = open_thread(MASTODON_CW)
    app = make_app(thread)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        detail = app.query_one(DetailPane)
        assert "CW: test post for mastodon.py stuff" in detail.text
        assert "doo-doo head" not in detail.text
        await pilot.press("tab")
        assert detail.selected_item is not None and detail.selected_item.kind == "warning"
        await pilot.press("enter")
        await pilot.pause()
        assert "doo-doo head" in detail.text
        assert "[gif: a furry cube breakdancing]" in detail.text
        assert "edited 2023-05-28 12:09:44" in detail.text
        # Shown again, the post is as it was left.
        detail.show(None)
        detail.show(0)
        assert "doo-doo head" in detail.text
        await pilot.press("g", "h")
        await pilot.pause()
        assert "doo-doo head" not in detail.text


async def test_click_unfolds_a_content_warning() -> None:
    app = make_app(open_thread(MASTODON_CW))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        detail = app.query_one(DetailPane)
        warning = next(item for item in detail.items if item.kind == "warning")
        await pilot.click(DetailPane, offset=(3, warning.start), times=2)
        await pilot.pause()
        assert "doo-doo head" in detail.text


@pytest.mark.parametrize("key", ["o", "y"])
async def test_open_and_copy_use_the_posts_own_url(
    key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(open_thread(MASTODON_CW))
    opened: list[str] = []
    copied: list[str] = []
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
    own = "https://icosahedron.website/@halcy/110446222386355655"
    if key == "o":
        assert opened == [own]
    else:
        assert len(copied) == 1 and copied[0].endswith(f"\n\n{own}")


async def test_hostile_alt_text_on_screen() -> None:
    app = make_app(platform_thread())
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        tree = app.query_one(ThreadTree)
        tree.move_to_post(app.thread.by_id["hostile"])
        await pilot.pause()
        detail = app.query_one(DetailPane)
        strips = [detail.render_line(y).text for y in range(detail.size.height)]
        shown = "\n".join(strips)
        assert "[bold]loud[/bold] [@click=app.quit]x[/]" in shown
        assert "\x1b" not in shown and "\u202e" not in shown
        assert app.is_running


# --- the new lines through the output filter and the contrast check ------------------------


async def platform_screens(app: Any, pilot: Any) -> AsyncIterator[str]:
    """The new kinds of line on screen: a CW folded and open, media, a quote card."""
    await pilot.pause()
    thread = app.thread
    tree = app.query_one(ThreadTree)
    detail = app.query_one(DetailPane)
    for name in ("cw", "root", "quoter", "more", "gone", "hostile"):
        tree.move_to_post(thread.by_id[name])
        await pilot.pause()
        yield f"post {name}"
    tree.move_to_post(thread.by_id["cw"])
    detail.revealed.add(thread.by_id["cw"])
    detail.show(detail.index, keep_selection=True)
    await pilot.press("tab")
    await pilot.pause()
    yield "content warning open, detail focused"


async def test_platform_screens_are_ascii() -> None:
    app = make_app(platform_thread(), ascii=True)
    found: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        async for screen in platform_screens(app, pilot):
            found += [f"{screen}: {where}" for where in not_ascii(app)]
    assert not found, "\n".join(found[:20])


@pytest.mark.slow
@pytest.mark.parametrize("system", ["truecolor", "standard"])
async def test_platform_screens_are_readable(monkeypatch: pytest.MonkeyPatch, system: str) -> None:
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", system)
    app = make_app(platform_thread())
    failures: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        async for screen in platform_screens(app, pilot):
            for theme in OFFERED:
                app.theme = theme
                app.refresh_css(animate=False)
                for run in runs(app):
                    bad = faint(run, SYSTEMS[system])
                    if bad is not None:
                        failures.append(
                            f"{theme} / {screen} / row {run.y} col {run.x} {run.text.strip()!r}:"
                            f" {bad[0]:.2f}:1 < {bad[1]}:1"
                        )
    assert not failures, f"{len(failures)} faint runs:\n" + "\n".join(failures[:30])


def test_post_links_puts_the_posts_own_page_and_real_targets_first() -> None:
    root = platform_thread().posts[0]
    assert post_links(root) == [
        "https://example.social/@root/1",
        "https://example.com/short/real/target",
        "https://example.com/article",
    ]
