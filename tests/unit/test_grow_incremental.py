"""Adding posts links only what arrives when nothing else moves (grow.py `_append`), and
still gives the thread that loading the old and new posts in one file gives."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_model_grow import structure
from test_rows import check

from support import doc
from threadtui.export.render import render_json
from threadtui.model import Thread, load_document
from threadtui.model import grow as grow_module
from threadtui.rows import TreeRows

IDS = [f"p{k}" for k in range(10)]
TIMES = [None, "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z"]
AUTHORS = {"u": {"handle": "u", "display_name": "U"}, "v": {"handle": "v", "display_name": None}}


def posts_of(draw: Any, ids: list[str]) -> list[dict[str, Any]]:
    out = []
    for pid in ids:
        out.append(
            {
                "id": pid,
                "author": draw(st.sampled_from([None, "u", "v"])),
                "text": f"text {pid} {draw(st.integers(0, 2))}",
                "created_at": draw(st.sampled_from(TIMES)),
                "reply_to": draw(st.one_of(st.none(), st.sampled_from(IDS))),
                "quotes": draw(st.lists(st.sampled_from(IDS), max_size=2, unique=True)),
                "metrics": {"likes": draw(st.integers(0, 3))},
                "status": draw(st.sampled_from(["ok", "ok", "deleted"])),
            }
        )
    return out


@st.composite
def growth(draw: Any) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
    """A thread's posts and batches to add: new posts, newer copies (same references, or
    moved), placeholders filled, cycles, self-references."""
    first = draw(st.lists(st.sampled_from(IDS), max_size=7, unique=True))
    batches = [
        draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=5, unique=True))
        for _ in range(draw(st.integers(1, 3)))
    ]
    old = posts_of(draw, first)
    known = {p["id"]: p for p in old}
    drawn = []
    for ids in batches:
        batch = posts_of(draw, ids)
        for k, post in enumerate(batch):
            copy = known.get(post["id"])
            if copy is not None and draw(st.booleans()):
                # A refresh's usual newer copy: the same post, other counts or status.
                batch[k] = dict(
                    copy, metrics={"likes": draw(st.integers(0, 3))}, status=post["status"]
                )
            known[post["id"]] = batch[k]
        drawn.append(batch)
    return old, drawn


def combined(old: list[dict[str, Any]], batches: list[list[dict[str, Any]]]) -> list[dict]:
    """One file holding everything: a newer copy in its post's place, new posts after."""
    posts = list(old)
    where = {p["id"]: k for k, p in enumerate(posts)}
    for batch in batches:
        for post in batch:
            if post["id"] in where:
                posts[where[post["id"]]] = post
            else:
                where[post["id"]] = len(posts)
                posts.append(post)
    return posts


def seen(thread: Thread) -> dict[str, Any]:
    """`structure`, without the placeholders nothing refers to any more (a newer copy of a
    post dropped its reference): they keep their index, out of the tree, where a load of
    the file would not have made them."""
    posts = thread.posts
    gone = {
        p.id
        for p in posts
        if p.synthetic and p.children is None and p.quoted_by is None and p.id != thread.root_id
    }
    shown = structure(thread)
    for name in ("posts", "sizes", "rank", "fold"):
        shown[name] = {k: v for k, v in shown[name].items() if k not in gone}
    return shown


def warm(thread: Thread) -> None:
    _ = thread.preorder, thread.rank, thread.subtree_sizes, thread.fold_levels


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(growth(), st.booleans())
def test_adding_batches_gives_the_thread_loading_them_in_one_file_gives(
    case: tuple[list[dict[str, Any]], list[list[dict[str, Any]]]], cached: bool
) -> None:
    old, batches = case
    grown = load_document(doc(*old, authors=AUTHORS), name="t.json")
    for batch in batches:
        if cached:
            # Caches the UI keeps: the add must bring them up to date, or drop them.
            warm(grown)
        grown.add(batch)
        assert grown.real_post_count == sum(not p.synthetic for p in grown.posts)
    whole = load_document(doc(*combined(old, batches), authors=AUTHORS), name="t.json")
    assert seen(grown) == seen(whole)
    assert render_json(grown) == render_json(whole)


def appended(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Which path each add took: True for the incremental one."""
    taken: list[bool] = []
    append, relink = grow_module._append, grow_module._relink

    def spy_append(*args: Any) -> Any:
        taken.append(True)
        return append(*args)

    def spy_relink(*args: Any) -> Any:
        taken.append(False)
        return relink(*args)

    monkeypatch.setattr(grow_module, "_append", spy_append)
    monkeypatch.setattr(grow_module, "_relink", spy_relink)
    return taken


def post(pid: str, reply_to: str | None = None, minute: int = 0, **more: Any) -> dict:
    return {
        "id": pid,
        "text": pid,
        "reply_to": reply_to,
        "created_at": f"2026-01-01T00:{minute:02d}:00Z",
        **more,
    }


def test_new_replies_and_filled_quotes_are_linked_alone_and_keep_the_caches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    taken = appended(monkeypatch)
    old = [
        post("a"),
        post("b", "a", 2),
        post("c", "a", 4, quotes=["gone"]),
        post("d", None, 5),
    ]
    thread = load_document(doc(*old), name="t.json")
    warm(thread)
    batch = [
        post("e", "a", 3),  # between b and c
        post("f", "e", 6),  # under a new post
        post("gone", "d", 7),  # fills a quoted placeholder
        post("g", "absent", 8),  # under a placeholder made now
        post("h", None, 1),  # a root, between a and d by time
        dict(post("b", "a", 2), metrics={"likes": 9}),  # a newer copy, same place
    ]
    change = thread.add(batch)
    assert taken == [True]
    # The caches were brought up to date, not dropped.
    assert thread._preorder is not None and thread._sizes is not None
    assert thread._fold_levels is not None
    by_id = thread.by_id
    assert change.entered is not None
    assert {thread.posts[i].id for i in change.entered} == {"e", "f", "gone", "g", "h", "absent"}
    assert change.changed == [by_id["gone"], by_id["b"]]
    assert [thread.posts[i].id for i in thread.preorder] == [
        "a",
        "b",
        "e",
        "f",
        "c",
        "h",
        "d",
        "gone",
        "absent",
        "g",
    ]
    whole = load_document(doc(*combined(old, [batch])), name="t.json")
    assert structure(thread) == structure(whole)


@pytest.mark.parametrize(
    "batch",
    [
        [post("b", "c", 2)],  # a newer copy replies elsewhere: it moves
        [post("b", "a", 9)],  # a newer copy's time moves it among its siblings
        [post("x", "y"), post("y", "x")],  # a reply to a post arriving after it: a cycle
        [post("x", None, quotes=["x"])],  # quotes itself, replying to nothing
        [{"id": "r", "text": "r"}],  # a root without a time
        [post("gone", "d", 6)],  # fills a placeholder under its own reply: a cycle
    ],
)
def test_a_batch_that_may_move_a_post_links_everything_again(
    monkeypatch: pytest.MonkeyPatch, batch: list[dict[str, Any]]
) -> None:
    old = [post("a"), post("b", "a", 2), post("c", "a", 4), post("d", "gone", 5)]
    thread = load_document(doc(*old), name="t.json")
    warm(thread)
    taken = appended(monkeypatch)
    change = thread.add(batch)
    assert taken == [False] and change.entered is None
    whole = load_document(doc(*combined(old, [batch])), name="t.json")
    assert structure(thread) == structure(whole)


@pytest.mark.parametrize("cached", [False, True])
def test_filled_placeholders_move_their_subtree_and_their_quoters_without_a_relink(
    monkeypatch: pytest.MonkeyPatch, cached: bool
) -> None:
    old = [
        post("a"),
        post("b", "a", 2),
        post("c", "gone", 4),  # under a placeholder with replies
        post("q", None, 5, quotes=["absent", "b"]),  # under b until absent arrives
        post("r", "q", 6),
    ]
    thread = load_document(doc(*old), name="t.json")
    if cached:
        warm(thread)
    taken = appended(monkeypatch)
    batch = [post("gone", "b", 3), post("absent", "a", 1), post("s", "gone", 7)]
    change = thread.add(batch)
    assert taken == [True] and change.entered is not None
    by_id = thread.by_id
    assert set(change.entered) == {by_id[x] for x in ("gone", "c", "s", "q", "r", "absent")}
    if cached:
        assert thread._preorder is not None and thread._sizes is not None
    assert thread.posts[by_id["q"]].parent == by_id["absent"]
    assert thread.posts[by_id["r"]].depth == 3
    assert set(change.moved) == {by_id[x] for x in ("gone", "c", "q", "r", "absent")}
    whole = load_document(doc(*combined(old, [batch])), name="t.json")
    assert structure(thread) == structure(whole)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(growth(), st.data())
def test_rows_take_in_what_arrived_folds_and_cursor_kept(
    case: tuple[list[dict[str, Any]], list[list[dict[str, Any]]]], data: st.DataObject
) -> None:
    old, batches = case
    thread = load_document(doc(*old, authors=AUTHORS), name="t.json")
    model = TreeRows(thread)
    for batch in batches:
        _ = model.rows  # walked, as after the first frame
        for post_index in data.draw(st.lists(st.integers(0, len(thread.posts)), max_size=3)):
            if post_index < len(thread.posts):
                model.collapse(post_index)
        if model.rows:
            model.move_cursor(data.draw(st.integers(0, len(model.rows) - 1)))
        before = model.cursor_post
        change = thread.add(batch)
        model.splice(change.added, entered=change.entered)
        # On the same post, unless it left the tree (a placeholder nothing refers to any
        # more) or there was none (an empty tree).
        if before is not None and thread.rank[before] >= 0:
            assert model.cursor_post == before
        check(model)


def test_a_batch_read_before_another_was_added_is_added_as_if_read_after_it() -> None:
    """`prepare` runs in the fetch's worker: by the time the UI thread adds its batch,
    another may have brought the author it named (then it is read again)."""
    first = [post("a", author="u")]
    authors = {"u": {"handle": "u", "display_name": None}}
    declares = doc(post("b", "a", 1, author="w"), authors={"w": {"handle": "w"}})
    names = [post("c", "a", 2, author="w"), post("d", "a", 3, author="u")]

    thread = load_document(doc(*first, authors=authors), name="t.json")
    early = grow_module.prepare(thread, names)  # "w" is unknown yet
    thread.add(declares)
    change = thread.add(early)

    sequential = load_document(doc(*first, authors=authors), name="t.json")
    sequential.add(declares)
    assert change.warnings == sequential.add(names).warnings == []
    assert structure(thread) == structure(sequential)
    assert thread.authors["w"].post_count == 2 and thread.authors["u"].post_count == 2
    by_id = thread.by_id
    # The thread's own author objects, not the copies the batch was read against.
    assert thread.posts[by_id["d"]].author is thread.authors["u"]
    assert thread.posts[by_id["c"]].author is thread.authors["w"]


def test_preparing_a_batch_changes_nothing_until_it_is_added() -> None:
    thread = load_document(
        doc(post("a", author="u"), authors={"u": {"handle": "u", "display_name": None}}),
        name="t.json",
    )
    before = structure(thread)
    prepared = grow_module.prepare(thread, [post("b", "a", 1, author="u"), post("c", "zz")])
    assert structure(thread) == before and thread.version == 0
    change = thread.add(prepared)
    assert thread.authors["u"].post_count == 2 and change.version == thread.version == 1
