"""Screen snapshots of threads from each platform's own files: what the platforms carry
(quote cards, content warnings, media, "more" placeholders, deleted comments). Look at each
SVG as a picture before accepting it: `rsvg-convert -w 1400 FILE.svg -o /tmp/FILE.png`."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from support import make_app, settle_quiet
from threadtui.opener import open_thread
from threadtui.ui.tree import ThreadTree

SOURCES = Path(__file__).parents[1] / "data" / "sources"
SIZE = (110, 32)


def test_bluesky_quote_card(snap_compare) -> None:
    """A reply that quotes a post: the quoted post as a card, with its media line."""
    path = SOURCES / "bluesky" / "atproto_dart_find_post_thread_2023-04.json"

    async def run_before(pilot: Pilot) -> None:
        await settle_quiet(pilot)
        thread = pilot.app.thread
        quoting = next(p.index for p in thread.posts if p.quotes and not p.is_placeholder)
        pilot.app.query_one(ThreadTree).move_to_post(quoting)
        await settle_quiet(pilot)

    assert snap_compare(make_app(open_thread(path)), terminal_size=SIZE, run_before=run_before)


def test_mastodon_content_warning_folded(snap_compare) -> None:
    """An edited post with media behind a content warning, folded as it opens."""
    path = (
        SOURCES / "mastodon" / "mastodon_social_status_110446223051565765_remote_media_edited.json"
    )

    async def run_before(pilot: Pilot) -> None:
        await settle_quiet(pilot)

    assert snap_compare(make_app(open_thread(path)), terminal_size=SIZE, run_before=run_before)


def test_mastodon_content_warning_unfolded(snap_compare) -> None:
    """The same post after Enter on its warning: text, media line, edited time."""
    path = (
        SOURCES / "mastodon" / "mastodon_social_status_110446223051565765_remote_media_edited.json"
    )

    async def run_before(pilot: Pilot) -> None:
        await settle_quiet(pilot)
        await pilot.press("tab", "enter")
        await settle_quiet(pilot)

    assert snap_compare(make_app(open_thread(path)), terminal_size=SIZE, run_before=run_before)


def test_reddit_more_placeholders(snap_compare) -> None:
    """Reddit's "load more" stubs as rows that say how many comments they stand for."""
    path = SOURCES / "reddit" / "rtv_askreddit_cmwov_comments_sort_top.json"

    async def run_before(pilot: Pilot) -> None:
        await settle_quiet(pilot)
        thread = pilot.app.thread
        more = next(p.index for p in thread.posts if p.more_count)
        pilot.app.query_one(ThreadTree).move_to_post(more)
        await settle_quiet(pilot)

    assert snap_compare(make_app(open_thread(path)), terminal_size=SIZE, run_before=run_before)


def test_hackernews_deleted_comment(snap_compare) -> None:
    """A deleted comment keeps its place, and its reply stays under it."""
    path = SOURCES / "hackernews" / "algolia_item_synthetic.json"

    async def run_before(pilot: Pilot) -> None:
        await settle_quiet(pilot)
        thread = pilot.app.thread
        deleted = next(p.index for p in thread.posts if p.status == "deleted")
        pilot.app.query_one(ThreadTree).move_to_post(deleted)
        await settle_quiet(pilot)

    assert snap_compare(make_app(open_thread(path)), terminal_size=SIZE, run_before=run_before)
