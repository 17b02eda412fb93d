"""The tree's rows as a plain model: folds, filter, cursor, navigation and growth, no app."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support import chain_thread, post, quotes_thread, thread_doc
from threadtui.model import NO_PARENT, Thread, load_document
from threadtui.query import FilterView, SearchIndex, parse_query, run_query
from threadtui.rows import FilterLayout, TreeRows

AUTHORS = {name: {"display_name": name.upper()} for name in "abc"}


def layout_of(thread: Thread, text: str) -> FilterLayout:
    view = FilterView.build(run_query(parse_query(text, thread), SearchIndex(thread)))
    return FilterLayout.build(thread, view)


def ids(thread: Thread, rows: list[int]) -> list[str]:
    return [thread.posts[i].id for i in rows]


def expected_rows(thread: Thread, collapsed: bytearray, visible: bytes | None) -> list[int]:
    """The obvious answer: the preorder, less filtered posts and those under a fold."""
    out = []
    posts = thread.posts
    for i in thread.preorder:
        if visible is not None and not visible[i]:
            continue
        parent = posts[i].parent
        while parent != NO_PARENT and not collapsed[parent]:
            parent = posts[parent].parent
        if parent == NO_PARENT:
            out.append(i)
    return out


def check(model: TreeRows) -> None:
    """Everything the rows claim, against the obvious answers."""
    thread = model.thread
    visible = None if model.filter is None else model.filter.visible
    rows = model.rows
    assert rows == expected_rows(thread, model.collapsed, visible)
    assert len(model.collapsed) == len(thread.posts)
    assert model.row_count == len(rows)
    assert 0 <= model.cursor < max(1, len(rows))
    shown = set(rows)
    posts = thread.posts
    for row, i in enumerate(rows):
        assert model.row_of(i) == row
        parent = posts[i].parent
        siblings = thread.roots if parent == NO_PARENT else posts[parent].children
        assert model.is_last(i) == ([k for k in siblings if k in shown][-1] == i)
        below = [
            k for k in thread.preorder if k != i and i in thread.ancestors(k) and model.is_shown(k)
        ]
        assert model.hidden_count(i) == (len(below) if model.collapsed[i] else 0)
        if model.filter is not None:
            member = model.filter.view.member
            assert model.matches_hidden(i) == sum(member[k] for k in below)
            assert model.is_context(i) == (not member[i])
    for i in range(len(posts)):
        if i not in shown:
            assert model.row_of(i) is None


def random_thread(rng: random.Random, n: int, *, roots: float = 0.1) -> Thread:
    posts = [post("p0", 0, "hit root", author="a")]
    for k in range(1, n):
        fields: dict[str, Any] = {"author": rng.choice("abc")}
        if rng.random() > roots:
            fields["reply_to"] = f"p{rng.randrange(k)}"
        posts.append(post(f"p{k}", k, "hit" if rng.random() < 0.3 else "miss", **fields))
    return load_document(thread_doc(posts, authors=AUTHORS))


# --- folding, the cursor and the filter ---------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 60))
def test_any_sequence_of_keys_keeps_the_rows_right(seed: int, n: int) -> None:
    rng = random.Random(seed)
    thread = random_thread(rng, n)
    hits = layout_of(thread, "hit")
    model = TreeRows(thread, head=rng.randrange(0, 10))
    for _ in range(25):
        before = model.cursor_post
        op = rng.randrange(8)
        post_index = rng.randrange(n)
        had_row = model.row_of(post_index) is not None
        if op == 0:
            model.expand(post_index)
            # Unfolding never moves the cursor off its post.
            assert model.cursor_post == before
        elif op == 1:
            model.collapse(post_index)
            # A cursor inside the folded branch moves up to its post; any other stays.
            if before is not None and had_row and post_index in thread.ancestors(before):
                assert model.cursor_post == post_index
            else:
                assert model.cursor_post == before
        elif op == 2:
            model.fold_to_depth(rng.randrange(1, 5))
        elif op == 3:
            model.expand_all()
            assert model.cursor_post == before
        elif op == 4:
            layout = None if model.filter is not None else hits
            model.set_filter(layout)
            # A post the new view shows keeps the cursor.
            if before is not None and (layout is None or layout.visible[before]):
                assert model.cursor_post == before
        elif op == 5:
            assert model.move_to(post_index) == model.is_shown(post_index)
            if model.is_shown(post_index):
                assert model.cursor_post == post_index
        elif op == 6:
            found = model.move_to(post_index, reveal=False)
            assert found == had_row
        else:
            model.move_cursor(rng.randrange(-2, n + 2))
        check(model)


def test_collapse_moves_a_cursor_inside_the_branch_up_to_it() -> None:
    thread = quotes_thread()
    by = thread.by_id
    model = TreeRows(thread)
    model.move_to(by["q3"])
    assert model.collapse(by["q1"])
    assert thread.posts[model.cursor_post or 0].id == "q1"
    assert model.hidden_count(by["q1"]) == 3
    model.move_to(by["gone"])
    assert model.expand(by["q1"]) and thread.posts[model.cursor_post or 0].id == "gone"
    assert not model.expand(by["q1"])  # already unfolded: nothing changes
    assert not model.collapse(by["r1"])  # no replies: nothing to fold


def test_depth_folds_and_the_cursor_climbs_to_the_ancestor_at_that_depth() -> None:
    thread = quotes_thread()
    by = thread.by_id
    model = TreeRows(thread)
    model.move_to(by["q4"])
    model.fold_to_depth(2)
    assert ids(thread, model.rows) == ["root", "r1", "q1", "cy1", "cy2", "gone"]
    assert thread.posts[model.cursor_post or 0].id == "q1"
    for depth in range(1, 6):
        model.fold_to_depth(depth)
        expected = [1 if p.depth >= depth - 1 and p.children else 0 for p in thread.posts]
        assert list(model.collapsed) == expected
    model.expand_all()
    assert model.rows == thread.preorder
    # move_to reveals: the folded ancestors of the post open.
    model.fold_to_depth(1)
    assert model.move_to(by["q4"]) and thread.posts[model.cursor_post or 0].id == "q4"


def test_a_filter_keeps_the_cursor_or_takes_it_to_the_nearest_match() -> None:
    #   r ─ a ─ b*
    #     │   └ c
    #     └ d*─ e*
    #   s ─ f
    #   t*
    texts = {"r": "x", "a": "x", "b": "hit", "c": "x", "d": "hit", "e": "hit"}
    texts |= {"s": "x", "f": "x", "t": "hit"}
    parents = {"a": "r", "b": "a", "c": "a", "d": "r", "e": "d", "f": "s"}
    posts = [
        post(pid, k, texts[pid], **({"reply_to": parents[pid]} if pid in parents else {}))
        for k, pid in enumerate("rabcdesft")
    ]
    thread = load_document(thread_doc(posts))
    by = thread.by_id
    hits = layout_of(thread, "hit")
    model = TreeRows(thread)
    model.move_to(by["c"])  # hidden by the filter: the next match in tree order
    model.set_filter(hits)
    assert ids(thread, model.rows) == ["r", "a", "b", "d", "e", "t"]
    assert thread.posts[model.cursor_post or 0].id == "d"
    assert model.is_context(by["a"]) and not model.is_context(by["b"])
    model.set_filter(None)
    model.move_to(by["f"])
    model.set_filter(hits)
    assert thread.posts[model.cursor_post or 0].id == "t"
    # No match after the cursor: the last one before.
    model.set_filter(None)
    model.move_to(by["f"])
    model.set_filter(layout_of(thread, "hit -is:root"))
    assert thread.posts[model.cursor_post or 0].id == "e"
    model.set_filter(layout_of(thread, "zzzz"))
    assert model.rows == [] and model.cursor_post is None and model.cursor == 0
    model.set_filter(None)
    assert model.rows == thread.preorder


def test_a_folded_row_counts_what_the_filter_shows_below_it() -> None:
    thread = quotes_thread()
    by = thread.by_id
    model = TreeRows(thread)
    model.set_filter(layout_of(thread, "levels"))  # q4, under root, q1, q2, q3 as context
    model.collapse(by["root"])
    assert model.hidden_count(by["root"]) == 4 and model.matches_hidden(by["root"]) == 1
    assert model.hidden_count(by["q1"]) == 0  # not folded
    check(model)
    model.set_filter(None)
    assert model.hidden_count(by["root"]) == 8 and model.matches_hidden(by["root"]) == 0


def test_navigation() -> None:
    thread = quotes_thread()
    by = thread.by_id
    model = TreeRows(thread)
    assert model.parent_of(by["q4"]) == by["q3"] and model.parent_of(by["root"]) is None
    assert model.root_of(by["q4"]) == by["root"] and model.root_of(by["root"]) is None
    # Alice wrote root, q2 and cy1, in tree order; the search wraps around.
    step = [by["root"]]
    for _ in range(3):
        found = model.same_author(step[-1], 1)
        assert found is not None
        step.append(found)
    assert ids(thread, step) == ["root", "q2", "cy1", "root"]
    assert model.same_author(by["root"], -1) == by["cy1"]
    # A filter hides q2: the keys skip it.
    model.set_filter(layout_of(thread, "cycle"))
    assert model.same_author(by["cy1"], 1) == by["root"]
    assert model.same_author(by["cy1"], -1) == by["root"]


def test_same_author_with_one_post_or_none() -> None:
    thread = load_document(
        thread_doc([post("a", 0, "x", author="a"), post("b", 1, "y", reply_to="a")])
    )
    model = TreeRows(thread)
    assert model.same_author(0, 1) is None  # the only post by a
    assert model.same_author(1, 1) is None  # author unknown


def test_the_first_screen_comes_from_the_head_without_walking_the_tree() -> None:
    thread = chain_thread(500)
    model = TreeRows(thread, head=40)
    assert [model.post_at(row) for row in range(40)] == thread.preorder[:40]
    assert model.cursor_post == thread.preorder[0] and model.row_count == 500
    assert model.move_cursor(30) and not model.walked
    assert model.post_at(450) == thread.preorder[450] and model.walked
    assert model.post_at(500) is None and model.post_at(-1) is None


def test_a_post_on_the_first_screen_is_found_without_ranking_the_tree() -> None:
    # A reopened thread puts the cursor back on its post before the first frame: when
    # that post is on the first screen, no O(posts) rank is counted for it.
    thread = chain_thread(500)
    whole = chain_thread(500).preorder
    model = TreeRows(thread, head=40)
    target = whole[25]
    assert model.row_of(target) == 25
    assert model.move_to(target) and model.cursor_post == target
    assert thread._rank is None and not model.walked
    # Past the head (a URL's linked reply, opened from the cache) the head lengthens as
    # far as the post and a head's length past it: still no rank, no walk of the rest.
    far = whole[300]
    assert model.row_of(far) == 300 and not model.walked
    assert model.move_to(far) and model.cursor_post == far
    assert [model.post_at(row) for row in range(280, 341)] == whole[280:341]
    assert thread._rank is None and thread._preorder is None and not model.walked
    assert model.row_of(target) == 25
    # Further than that, the rows are walked, as before, and the rank answers.
    assert model.post_at(450) == whole[450] and model.walked
    assert model.row_of(whole[460]) == 460 and model.row_of(far) == 300


def test_nothing_recurses_on_depth() -> None:
    thread = chain_thread(5000)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # anything recursive on depth would blow up here
    try:
        model = TreeRows(thread)
        model.fold_to_depth(3)
        assert model.move_to(thread.preorder[-1])  # reveals 4,998 folds, one by one
        model.collapse(thread.preorder[1])
        assert model.rows == thread.preorder[:2] and model.cursor_post == thread.preorder[1]
        model.expand_all()
        model.set_filter(layout_of(thread, '"number 4999"'))
        assert model.move_to(thread.preorder[-1]) and model.is_last(thread.preorder[-1])
    finally:
        sys.setrecursionlimit(limit)
    assert len(model.rows) == 5000 and model.cursor == 4999


def test_the_rows_import_neither_textual_nor_the_query_package() -> None:
    # The tree needs the rows for its first frame; the query package loads after it.
    code = (
        "import json, sys; import threadtui.rows;"
        "print(json.dumps(sorted(m for m in sys.modules"
        " if m.split('.')[0] in ('textual', 'rich') or m.startswith('threadtui.query'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(done.stdout) == []


# --- growth -------------------------------------------------------------------------------


def grown_pair(seed: int, n: int, extra: int) -> tuple[Thread, Thread]:
    """The same thread read twice: first its n oldest posts, then with `extra` more. Each
    post answers an older one, so the smaller file is a prefix of the bigger one and every
    post keeps its index (no placeholder stands in for a parent still to come)."""
    rng = random.Random(seed)
    posts = [post("p0", 0, "hit root", author="a")]
    for k in range(1, n + extra):
        fields: dict[str, Any] = {"author": rng.choice("abc")}
        if rng.random() > 0.1:
            fields["reply_to"] = f"p{rng.randrange(k)}"
        posts.append(post(f"p{k}", k, "hit" if rng.random() < 0.3 else "miss", **fields))
    small = load_document(thread_doc(posts[:n], authors=AUTHORS))
    big = load_document(thread_doc(posts, authors=AUTHORS))
    assert [p.id for p in big.posts[:n]] == [p.id for p in small.posts]
    return small, big


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 40), st.integers(0, 30))
def test_splice_keeps_folds_filter_and_cursor_on_the_same_posts(
    seed: int, n: int, extra: int
) -> None:
    small, big = grown_pair(seed, n, extra)
    rng = random.Random(seed)
    model = TreeRows(small)
    for _ in range(rng.randrange(4)):
        model.collapse(rng.randrange(n))
    filtered = rng.random() < 0.5
    if filtered:
        model.set_filter(layout_of(small, "hit"))
    if model.rows:
        model.move_cursor(rng.randrange(len(model.rows)))
    before = model.cursor_post
    folds = bytes(model.collapsed)
    member = None if model.filter is None else bytes(model.filter.view.member)

    added = range(n, n + extra)
    shown = model.splice(added, thread=big)

    assert model.thread is big and len(model.collapsed) == len(big.posts)
    assert bytes(model.collapsed[:n]) == folds and not any(model.collapsed[n:])
    assert model.cursor_post == before
    if member is None:
        assert model.filter is None
    else:
        # The same matches; new posts wait for the query to run again.
        assert model.filter is not None
        assert bytes(model.filter.view.member) == member + bytes(extra)
        assert model.filter.view.total == big.tree_size
    assert shown == sum(1 for i in added if model.row_of(i) is not None)
    check(model)
    # The grown rows take new folds and a new filter like any others.
    if filtered:
        model.set_filter(layout_of(big, "hit"))
        check(model)
    model.fold_to_depth(2)
    model.expand_all()
    check(model)


def test_splice_under_a_fold_and_above_the_cursor() -> None:
    posts = [
        post("r", 0, "root", author="a"),
        post("x", 1, "folded branch", author="b", reply_to="r"),
        post("x1", 2, "inside it", author="c", reply_to="x"),
        post("y", 3, "open branch", author="b", reply_to="r"),
        post("z", 4, "the cursor's post", author="a"),
    ]
    late = [
        post("x2", 5, "new, under the fold", author="c", reply_to="x"),
        post("y1", 6, "new, above the cursor", author="a", reply_to="y"),
        post("z1", 7, "new, below the cursor", author="c", reply_to="z"),
    ]
    small = load_document(thread_doc(posts, authors=AUTHORS))
    big = load_document(thread_doc(posts + late, authors=AUTHORS))
    by = big.by_id
    model = TreeRows(small)
    model.collapse(by["x"])
    model.move_to(by["z"])
    assert model.hidden_count(by["x"]) == 1 and model.cursor == 3

    shown = model.splice([by["x2"], by["y1"], by["z1"]], thread=big)

    assert shown == 2  # x2 is folded away
    assert ids(big, model.rows) == ["r", "x", "y", "y1", "z", "z1"]
    assert model.hidden_count(by["x"]) == 2
    assert model.cursor == 4 and model.cursor_post == by["z"]
    # Alice's new post is found by the author keys.
    assert model.same_author(by["z"], -1) == by["y1"]


def test_splice_refuses_a_thread_that_shrank() -> None:
    small, big = grown_pair(1, 5, 5)
    model = TreeRows(big)
    with pytest.raises(ValueError, match="lost posts"):
        model.splice([], thread=small)
    with pytest.raises(ValueError, match="not in the thread"):
        TreeRows(small).splice([99], thread=big)
