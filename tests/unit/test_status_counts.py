"""The status line's counts followed through merges (issue #15): the same figures as a
count of the whole thread, from touching only the posts each merge names."""

from __future__ import annotations

from typing import Any

from support import post, thread_doc
from threadtui.model import Thread, load_document
from threadtui.ui.status_counts import StatusCounts

AUTHORS = {"a": {"id": "a", "handle": "ann"}, "b": {"id": "b", "handle": "bob"}}


def batch(*posts: dict[str, Any], authors: dict[str, Any] | None = None) -> dict[str, Any]:
    return thread_doc(list(posts), authors=authors or AUTHORS)


def whole(thread: Thread) -> tuple[int, int]:
    return StatusCounts().current(thread)


class CountedPosts(list):  # type: ignore[type-arg]  # a list of posts, as Thread.posts is
    """Counts reads of single posts and walks over all of them."""

    touched = 0
    walks = 0

    def __getitem__(self, key: Any) -> Any:
        CountedPosts.touched += 1
        return super().__getitem__(key)

    def __iter__(self) -> Any:
        CountedPosts.walks += 1
        return super().__iter__()


def test_counts_follow_merges_touching_only_what_changed() -> None:
    thread = load_document(
        batch(
            post("r", 0, "root", author="a"),
            *(post(f"p{i}", i + 1, "x", author="a", reply_to="r") for i in range(200)),
            post("anon", 300, "who?", reply_to="r"),
        )
    )
    counts = StatusCounts()
    assert counts.current(thread) == (1, 1)
    steps = [
        # A new author, an unattributed post, and a reply to a post still missing.
        batch(
            post("n1", 400, "hi", author="b", reply_to="p3"),
            post("n2", 401, "?", reply_to="gone"),
        ),
        # A newer copy of a post by someone else now: bob gains it, ann keeps her others.
        batch(post("p5", 6, "x", author="b", reply_to="r")),
        # The unattributed post is attributed now; the missing post arrives.
        batch(post("anon", 300, "who?", author="b", reply_to="r"), post("gone", 399, "here")),
        # Bob's posts all go to ann: one author left.
        batch(
            post("n1", 400, "hi", author="a", reply_to="p3"),
            post("p5", 6, "x", author="a", reply_to="r"),
            post("anon", 300, "who?", author="a", reply_to="r"),
        ),
    ]
    for document in steps:
        change = thread.add(document)
        thread.posts = CountedPosts(thread.posts)
        CountedPosts.touched = CountedPosts.walks = 0
        counts.update(thread, change)
        followed = counts.current(thread)
        named = {*change.added, *change.changed}
        assert CountedPosts.touched <= len(named) and CountedPosts.walks == 0
        thread.posts = list(thread.posts)
        assert followed == whole(thread)
    assert counts.recounts == 1
    assert counts.current(thread) == (1, 2)  # n2 and "gone" came without an author


def test_a_change_not_seen_is_counted_afresh() -> None:
    thread = load_document(batch(post("r", 0, "root", author="a")))
    counts = StatusCounts()
    assert counts.current(thread) == (1, 0)
    thread.add(batch(post("x", 1, "unseen", reply_to="r")))  # nobody told the counts
    change = thread.add(batch(post("y", 2, "seen", author="b", reply_to="r")))
    counts.update(thread, change)
    assert counts.current(thread) == (2, 1) == whole(thread)
    assert counts.recounts == 2
    other = load_document(batch(post("r", 0, "root")))
    assert counts.current(other) == (0, 1)
