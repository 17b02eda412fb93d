"""The author picker's list of many authors (drawn row by row) and the pickers' data
computed ahead of their opening (issue #16: `a` took seconds at a million posts)."""

from __future__ import annotations

import gc
import threading

import pytest
from textual.pilot import Pilot

from support import make_app, post, settle_quiet, thread_doc
from threadtui.model import Thread, load_document
from threadtui.ui import pickers
from threadtui.ui.pickers import AuthorList, AuthorPicker

SIZE = (100, 30)
AUTHORS = 300


def many_authors() -> Thread:
    """Author k wrote k % 7 + 1 replies (so counts tie and sort by name), plus three posts
    of no known author."""
    authors = {
        f"u{k}": {"handle": f"user{k:03d}", "display_name": f"Name {k:03d}"} for k in range(AUTHORS)
    }
    posts = [post("root", 0, "The root.", author="u0")]
    for k in range(AUTHORS):
        for n in range(k % 7 + 1):
            posts.append(post(f"p{k}-{n}", 1, f"Post {n} of {k}.", author=f"u{k}", reply_to="root"))
    posts += [post(f"anon{n}", 2, "Nobody wrote this.", reply_to="root") for n in range(3)]
    return load_document(thread_doc(posts, authors=authors), name="many.json")


async def open_authors(pilot: Pilot[object]) -> AuthorPicker:
    await settle_quiet(pilot)
    await pilot.press("a")
    await settle_quiet(pilot)
    picker = pilot.app.screen
    assert isinstance(picker, AuthorPicker)
    return picker


def shown(listing: AuthorList) -> list[str]:
    """The rows on screen, as drawn."""
    return [listing.render_line(y).text.rstrip() for y in range(listing.size.height)]


async def test_every_author_is_listed_and_only_the_rows_on_screen_are_drawn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    thread = many_authors()
    expected = pickers.author_choices(thread)
    drawn: list[int] = []
    render = AuthorList.render_line

    def counted(self: AuthorList, y: int) -> object:
        drawn.append(y)
        return render(self, y)

    monkeypatch.setattr(AuthorList, "render_line", counted)
    app = make_app(thread)
    async with app.run_test(size=SIZE) as pilot:
        picker = await open_authors(pilot)
        listing = picker.query_one(AuthorList)
        # All of them, not a first few hundred: the list draws only what is on screen.
        assert [row.key for row in listing.rows] == [c.key for c in expected]
        assert len(listing.rows) == AUTHORS + 1  # and the unknown author
        height = listing.size.height
        assert 0 < height < len(listing.rows)
        assert drawn and max(drawn) < height
        # The "unknown author" row is a row, not an author: the status bar's count.
        note = str(picker.query_one("#authors-note").render())
        assert note.startswith(f"{AUTHORS} of {AUTHORS} authors")
        assert app._counts.current(thread)[0] == AUTHORS
        # The end of the list: the cursor on the last row, scrolled into view and drawn.
        await pilot.press("down", "end")
        await pilot.pause()
        assert listing.highlighted == len(listing.rows) - 1
        assert shown(listing)[-1].endswith(expected[-1].label)
        await pilot.press("home")
        await pilot.pause()
        assert listing.highlighted == 0 and listing.scroll_offset.y == 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert listing.highlighted == height - 1


async def test_typing_narrows_and_marks_survive_narrowing() -> None:
    app = make_app(many_authors())
    async with app.run_test(size=SIZE) as pilot:
        picker = await open_authors(pilot)
        listing = picker.query_one(AuthorList)
        for key in "name 01":
            await pilot.press("space" if key == " " else key)
        await pilot.pause()
        # Name 010 … Name 019: accent- and case-insensitive, in the list's order.
        labels = [row.label for row in listing.rows]
        assert sorted(labels) == [f"Name 01{d} @user01{d}" for d in range(10)]
        assert shown(listing)[0].endswith(labels[0])
        await pilot.press("down", "down", "space")
        await pilot.pause()
        marked = listing.rows[1].key
        assert picker.chosen == {marked}
        assert shown(listing)[1].startswith("[x]")
        assert "1 marked" in str(picker.query_one("#authors-note").render())
        # Narrowing again keeps the mark, on another list.
        picker.query_one("#authors-narrow").focus()
        # (Focus selects the field's text: End keeps it.)
        await pilot.press("end", "backspace", "backspace")
        await pilot.pause()
        assert len(listing.rows) == AUTHORS  # all but the unknown author (no "name")
        assert picker.chosen == {marked}
        await pilot.press("enter")
        await settle_quiet(pilot)
        handle = next(c.handle for c in pickers.author_choices(app.thread) if c.key == marked)
        assert app.queries.filter_text == f"from:{handle}"


async def test_the_unknown_author_row_is_listed_but_never_counted_as_an_author() -> None:
    app = make_app(many_authors())
    async with app.run_test(size=SIZE) as pilot:
        picker = await open_authors(pilot)
        listing = picker.query_one(AuthorList)
        note = picker.query_one("#authors-note")
        for key in "unknown":
            await pilot.press(key)
        await pilot.pause()
        # Only the group of posts of no known author matches: one row, no author.
        assert [row.key for row in listing.rows] == [pickers.UNKNOWN]
        assert str(note.render()).startswith(f"0 of {AUTHORS} authors")
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace")
        await pilot.pause()
        # "un": the unknown row and the authors whose names hold it (none here: Name…).
        assert str(note.render()).startswith(f"{len(listing.rows) - 1} of {AUTHORS} authors")
        await pilot.press("backspace", "backspace", "n", "a", "m", "e")
        await pilot.pause()
        assert len(listing.rows) == AUTHORS
        assert str(note.render()).startswith(f"{AUTHORS} of {AUTHORS} authors")


@pytest.mark.parametrize("unknown", [0, 1, 3, 8])
def test_unknown_row_is_found_where_author_choices_put_it(unknown: int) -> None:
    """Ties in count: the unknown row comes after the authors with as many posts."""
    authors = {f"u{k}": {"handle": f"h{k}"} for k in range(12)}
    posts = [post("root", 0, "The root.", author="u0")]
    for k in range(12):
        posts += [post(f"p{k}-{n}", 1, "x", author=f"u{k}", reply_to="root") for n in range(k % 4)]
    posts += [post(f"anon{n}", 2, "x", reply_to="root") for n in range(unknown)]
    choices = pickers.author_choices(load_document(thread_doc(posts, authors=authors)))
    found = pickers.unknown_row(
        choices, next((c for c in choices if c.key == pickers.UNKNOWN), None)
    )
    expected = [k for k, c in enumerate(choices) if c.key == pickers.UNKNOWN]
    assert [found] == (expected or [None])
    if found is not None:
        assert all(c.count >= unknown for c in choices[:found])
        assert all(c.count < unknown for c in choices[found + 1 :])


async def test_enter_on_a_highlighted_row_with_none_marked_picks_it() -> None:
    app = make_app(many_authors())
    async with app.run_test(size=SIZE) as pilot:
        picker = await open_authors(pilot)
        listing = picker.query_one(AuthorList)
        await pilot.press("down", "down", "down")
        await pilot.pause()
        picked = listing.rows[2]
        await pilot.press("enter")
        await settle_quiet(pilot)
        assert app.queries.filter_text == f"from:{picked.handle}"


async def test_a_picker_opened_before_the_lists_are_ready_counts_beside_the_ui(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When `a` comes before the index worker prepared the list (or after the thread
    changed), the authors are counted in a worker: the UI thread sorts nothing."""
    sorted_on_ui: list[bool] = []
    choices = pickers.author_choices

    def watched(thread: Thread, *args: object) -> list[pickers.AuthorChoice]:
        sorted_on_ui.append(threading.current_thread() is threading.main_thread())
        return choices(thread)

    monkeypatch.setattr(pickers, "prepare", lambda thread, pause=None: None)
    monkeypatch.setattr(pickers, "author_choices", watched)
    app = make_app(many_authors())
    async with app.run_test(size=SIZE) as pilot:
        await settle_quiet(pilot)
        await pilot.press("a", "n", "a", "m", "e", "space", "2", "9", "9")
        await settle_quiet(pilot)
        picker = app.screen
        assert isinstance(picker, AuthorPicker)
        # What was typed while counting narrows the list once it is there.
        assert [row.label for row in picker.query_one(AuthorList).rows] == ["Name 299 @user299"]
        assert sorted_on_ui == [False]


def test_prepare_computes_what_the_pickers_show_once_per_version() -> None:
    thread = many_authors()
    pickers.prepare(thread)
    authors = pickers.known(thread, "authors")
    assert authors == pickers.author_choices(thread)
    assert pickers.known(thread, "author-folds") == [pickers.fold(c.label) for c in authors]
    assert pickers.known(thread, "times") == pickers._times(thread)
    thread.invalidate()
    assert pickers.known(thread, "authors") is None


def test_what_the_pickers_remember_is_frozen_out_of_young_collections() -> None:
    """Lists of a million times or 125,000 authors, kept as long as the thread: frozen
    (gc.freeze) once computed, or each young collection while they are young walks them
    (issue #16: 40-110 ms collections beside a held key at a million posts)."""
    thread = many_authors()
    pickers.prepare(thread)
    kept = [pickers.known(thread, what) for what in ("authors", "author-folds", "times")]
    assert all(value is not None and gc.is_tracked(value) for value in kept)
    young = {id(o) for generation in range(3) for o in gc.get_objects(generation)}
    assert not any(id(value) in young for value in kept)


async def test_every_key_marks_the_ui_busy_even_one_typed_into_a_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Builds beside the UI give way while it answers a key (threadtui.pacing): a key
    typed into the search field, which never bubbles up to the app, counts too."""
    from threadtui import pacing

    app = make_app(many_authors())
    async with app.run_test(size=SIZE) as pilot:
        await settle_quiet(pilot)
        await pilot.press("slash")
        await settle_quiet(pilot)
        app._last_key = 0.0
        assert not pacing.ui_busy()
        await pilot.press("x")
        assert app._last_key > 0.0
        monkeypatch.setattr(pacing, "monotonic", lambda: app._last_key)
        assert pacing.ui_busy()


def test_the_full_pass_gives_way_at_each_cancel_check(monkeypatch: pytest.MonkeyPatch) -> None:
    from threadtui import pacing
    from threadtui.ui import query_worker

    calls: list[str] = []
    monkeypatch.setattr(pacing, "pause", lambda: calls.append("pause"))
    paced = query_worker._paced(lambda: calls.append("cancel?") is None)
    assert paced() is True
    assert calls == ["pause", "cancel?"]
