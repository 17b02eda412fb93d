"""The status line's counts of a thread (authors, unattributed posts), kept up to date
from each `Change` a merge returns: counting them afresh is O(posts), tens of ms on the
UI thread at 100,000 posts, for every refresh that brings a handful (issue #15).

Plain Python (no Textual), so its work can be counted in unit tests.
"""

from __future__ import annotations

from itertools import compress, repeat
from operator import attrgetter, is_, ne
from typing import TYPE_CHECKING

from threadtui.model import Author, Thread

if TYPE_CHECKING:
    # Only its type: the merge code is imported when a merge first happens.
    from threadtui.model.grow import Change


_author = attrgetter("author")
_synthetic = attrgetter("synthetic")
_status = attrgetter("status")


class StatusCounts:
    """Authors with a post, and real posts with no author, of one thread at one version.
    A placeholder (deleted, removed, blocked, not found, not fetched: status other than
    "ok") is no one's post, and not an unattributed one either: it has no author because
    the post is gone, not because its author is unknown.

    `update` takes a merge's `Change` and touches only the posts it names; whatever it
    cannot follow (another thread, a change it did not see, a thread linked again as a
    whole) is counted afresh, once, by `current`."""

    def __init__(self) -> None:
        self._thread: Thread | None = None
        self._version = -1
        self._by_post: list[Author | None] = []
        """Per post, the author counted for it (None: unattributed or a placeholder)."""
        self._unknown = bytearray()
        """Per post, 1 for a real post (status "ok") with no author."""
        self._active: dict[int, Author] = {}
        """The authors with at least one post, by `id()`: an author object per key."""
        self.recounts = 0
        """How many times every post was counted (what the tests look at)."""

    def current(self, thread: Thread) -> tuple[int, int]:
        """(authors with a post, unattributed posts) of `thread` as it is now."""
        if thread is not self._thread or thread.version != self._version:
            self._recount(thread)
        # bytearray.count is one C pass over a byte a post: far under a Python loop.
        return len(self._active), self._unknown.count(1)

    def update(self, thread: Thread, change: Change | None) -> None:
        """Take in what one merge did; `change.version` must follow what was counted."""
        if (
            change is None
            or thread is not self._thread
            or change.entered is None
            or self._version < 0
        ):
            self._thread = None  # counted afresh when next read
            return
        if change.empty:
            return
        # An add bumps the version once: a jump means some change went by unseen.
        if change.version != self._version + 1 or change.version != thread.version:
            self._thread = None
            return
        posts = thread.posts
        grown = len(posts) - len(self._by_post)
        self._by_post.extend([None] * grown)
        self._unknown.extend(bytes(grown))
        touched: dict[int, Author] = {}
        for index in dict.fromkeys([*change.added, *change.changed]):
            old = self._by_post[index]
            if old is not None:
                touched[id(old)] = old
            post = posts[index]
            author = None if post.synthetic else post.author
            self._by_post[index] = author
            self._unknown[index] = post.author is None and post.status == "ok"
            if author is not None:
                touched[id(author)] = author
        for key, author in touched.items():
            if author.post_count > 0:
                self._active[key] = author
            else:
                self._active.pop(key, None)
        self._version = thread.version

    def _recount(self, thread: Thread) -> None:
        self.recounts += 1
        posts = thread.posts
        # C-level passes: the first frame shows these counts, and Python loops over the
        # posts cost it ~15 ms more at 100,000.
        by_post: list[Author | None] = list(map(_author, posts))
        unknown = bytearray(map(is_, by_post, repeat(None)))
        synthetic = bytes(map(_synthetic, posts))
        if 1 in synthetic:
            # The loader's placeholders count for no one, with an author or not.
            for index in compress(range(len(posts)), synthetic):
                by_post[index] = None
        gone = bytes(map(ne, map(_status, posts), repeat("ok")))
        if 1 in gone:
            # A placeholder has no author because the post is gone: not unattributed.
            for index in compress(range(len(posts)), gone):
                unknown[index] = 0
        self._by_post = by_post
        self._unknown = unknown
        self._active = {id(a): a for a in thread.authors.values() if a.post_count}
        self._thread = thread
        self._version = thread.version
