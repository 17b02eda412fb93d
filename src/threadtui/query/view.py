"""The filtered tree: matches, the ancestors that give them context, and hidden counts.

Filtering keeps the shape of the thread: a matching post shows with its ancestors
(dimmed, as context), and a collapsed row can say how many matches it hides. Both come
from one walk of the tree in reverse display order, each post adding its count to its
parent: O(n), no recursion, so a 100,000-deep reply chain is as cheap as a flat thread.
When matches are few, the walk covers only them and their ancestors.
"""

from __future__ import annotations

from threadtui.model import Thread
from threadtui.query.match import MatchResult


class FilterView:
    """Which posts a filter shows, and how. Build with `FilterView.build`; read-only after."""

    __slots__ = ("below", "context", "match_count", "member", "total", "visible_count")

    def __init__(self, member: bytearray, context: bytearray, below: list[int], total: int) -> None:
        self.member = member
        self.context = context
        self.below = below
        """below[i]: matches strictly inside post i's subtree."""
        self.total = total
        self.match_count = sum(member)
        self.visible_count = self.match_count + sum(context)

    @classmethod
    def build(cls, result: MatchResult) -> FilterView:
        """The view of a filter's result (`run_query` on the same thread's index)."""
        index = result.index
        parents = index.parents
        member = result.member
        n = len(parents)
        below = [0] * n
        context = bytearray(n)
        order = index.thread.preorder
        if len(result.matches) * 16 < len(order):
            # Few matches: touch only them and their ancestors. Walking up stops at the
            # first post already seen, so each post is visited once even on a deep chain.
            rank = index.thread.rank
            seen = bytearray(n)
            shown: list[int] = []
            for i in result.matches:
                while i >= 0 and not seen[i]:
                    seen[i] = 1
                    shown.append(i)
                    i = parents[i]
            shown.sort(key=rank.__getitem__, reverse=True)
        else:
            shown = order[::-1]
        # Children come before their parent in reverse tree order, so each post's count
        # is complete when it is passed up.
        for i in shown:
            carried = below[i] + member[i]
            if carried:
                parent = parents[i]
                if parent >= 0:
                    below[parent] += carried
                    if not member[parent]:
                        context[parent] = 1
        return cls(member, context, below, result.total)

    def visible(self, index: int) -> bool:
        return bool(self.member[index] or self.context[index])

    def is_match(self, index: int) -> bool:
        return bool(self.member[index])

    def is_context(self, index: int) -> bool:
        """An ancestor of a match that does not match itself: shown dimmed."""
        return bool(self.context[index])

    def matches_below(self, index: int) -> int:
        """Matches strictly inside the subtree of `index`: what a collapsed row hides."""
        return self.below[index]

    def visible_posts(self, thread: Thread) -> list[int]:
        """The posts to show, in tree order (matches and their context)."""
        member = self.member
        context = self.context
        return [i for i in thread.preorder if member[i] or context[i]]

    def status(self) -> str:
        """`12 of 340 posts match`."""
        verb = "matches" if self.match_count == 1 else "match"
        noun = "post" if self.total == 1 else "posts"
        return f"{self.match_count:,} of {self.total:,} {noun} {verb}"
