"""The filtered tree: matches, the ancestors that give them context, and hidden counts.

Filtering keeps the shape of the thread: a matching post shows with its ancestors
(dimmed, as context), and a collapsed row can say how many matches it hides. Both come
from one walk of the tree in reverse display order, each post adding its count to its
parent: O(n), no recursion, so a 100,000-deep reply chain is as cheap as a flat thread.
When matches are few, the walk covers only them and their ancestors.
"""

from __future__ import annotations

from itertools import compress

from threadtui.model import Thread
from threadtui.query.match import CHUNK, Cancel, MatchResult
from threadtui.query.pattern import QueryCancelled


class Counts(dict[int, int]):
    """Counts by post for a few posts: 0 for any other (read without being stored)."""

    __slots__ = ()

    def __missing__(self, key: int) -> int:
        return 0


class FilterView:
    """Which posts a filter shows, and how. Build with `FilterView.build`; read-only after."""

    __slots__ = ("below", "complete", "context", "match_count", "member", "shown", "total")

    def __init__(
        self,
        member: bytearray,
        context: bytearray,
        below: list[int] | Counts,
        total: int,
        complete: bool = True,
        match_count: int | None = None,
    ) -> None:
        self.member = member
        """member[i]: 1 if post i matches."""
        self.context = context
        """context[i]: 1 if post i does not match but is an ancestor of a match (dimmed)."""
        self.below = below
        """below[i]: matches strictly inside post i's subtree (a `Counts` when matches
        are few: a list of a million zeros per keystroke was a cost that grew with the
        thread, where the rest of a window's work follows its matches)."""
        self.total = total
        self.complete = complete
        """False for the view of a window (`query.window`): `match_count` is a lower bound."""
        # Summing the bytes was one pass over every post, per keystroke.
        self.match_count = sum(member) if match_count is None else match_count
        self.shown: list[int] | None = None
        """The posts shown (matches and their context) in tree order, when the walk found
        them without reading the whole tree (few matches); else None."""

    @classmethod
    def build(cls, result: MatchResult, *, cancel: Cancel | None = None) -> FilterView:
        """The view of a filter's result (`run_query` on the same thread's index).
        `cancel` is read between chunks of the walk (raises QueryCancelled)."""
        index = result.index
        view = cls._walk(
            index.thread, index.parents, result.member, result.matches, result.total, cancel
        )
        view.complete = result.complete
        return view

    @classmethod
    def of_member(cls, thread: Thread, member: bytearray) -> FilterView:
        """The view of matches given as one byte a post (`member[i]` 1 for a match), for a
        thread that has changed since its query ran (`FilterLayout.grown`)."""
        parents = [post.parent for post in thread.posts]
        matches = list(compress(range(len(member)), member))
        return cls._walk(thread, parents, member, matches, len(thread.preorder))

    @classmethod
    def _walk(
        cls,
        thread: Thread,
        parents: list[int],
        member: bytearray,
        matches: list[int],
        total: int,
        cancel: Cancel | None = None,
    ) -> FilterView:
        n = len(parents)
        context = bytearray(n)
        order = thread.preorder
        below: list[int] | Counts
        if len(matches) * 16 < len(order):
            below = Counts()
            # Few matches: touch only them and their ancestors. Walking up stops at the
            # first post already seen, so each post is visited once even on a deep chain.
            rank = thread.rank
            seen = bytearray(n)
            shown: list[int] = []
            for i in matches:
                while i >= 0 and not seen[i]:
                    seen[i] = 1
                    shown.append(i)
                    i = parents[i]
            shown.sort(key=rank.__getitem__, reverse=True)
            few = True
        else:
            below = [0] * n
            shown = order[::-1]
            few = False
        # Children come before their parent in reverse tree order, so each post's count
        # is complete when it is passed up.
        for start in range(0, len(shown), CHUNK):
            # A newer keystroke need not wait for a walk of a million posts.
            if cancel is not None and cancel():
                raise QueryCancelled
            for i in shown[start : start + CHUNK]:
                carried = below[i] + member[i]
                if carried:
                    parent = parents[i]
                    if parent >= 0:
                        below[parent] += carried
                        if not member[parent]:
                            context[parent] = 1
        view = cls(member, context, below, total, match_count=len(matches))
        if few:
            view.shown = shown[::-1]
        return view

    def status(self) -> str:
        """`12 of 340 posts match`; `≥50 of 1,000,000 posts match…` for a window."""
        verb = "matches" if self.match_count == 1 else "match"
        noun = "post" if self.total == 1 else "posts"
        if not self.complete:
            return f"≥{self.match_count:,} of {self.total:,} {noun} match…"
        return f"{self.match_count:,} of {self.total:,} {noun} {verb}"
