"""What the tree needs to draw a filtered thread, computed off the UI thread.

Every array here is O(posts) to build, so a filter worker builds it and the tree only
swaps it in: a keystroke never costs the UI thread a pass over 100,000 posts.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import compress
from typing import TYPE_CHECKING

from threadtui.model import Thread
from threadtui.model.thread import MarkedBelow

if TYPE_CHECKING:
    from threadtui.query import FilterView


def visible_of(view: FilterView) -> bytes:
    """member | context, one byte a post: a single big-integer OR instead of a Python loop."""
    n = len(view.member)
    either = int.from_bytes(view.member, "little") | int.from_bytes(view.context, "little")
    return either.to_bytes(n, "little")


@dataclass(frozen=True, slots=True)
class FilterLayout:
    view: FilterView
    visible: bytes
    """One byte a post: shown (a match, or an ancestor of one)."""
    rows: list[int]
    """The shown posts in tree order: the tree's rows when nothing is folded."""
    visible_below: MarkedBelow
    """Per post, how many shown posts its subtree holds: the (+N) of a folded row."""

    @classmethod
    def build(cls, thread: Thread, view: FilterView) -> FilterLayout:
        # C-level passes only (map, compress, accumulate): ~5 ms at 100k posts, where the
        # Python loops they replace took 25.
        visible = visible_of(view)
        order = thread.preorder
        rows = list(compress(order, map(visible.__getitem__, order)))
        return cls(view, visible, rows, MarkedBelow(thread, visible))
