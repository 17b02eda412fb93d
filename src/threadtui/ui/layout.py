"""What the tree needs to draw a filtered thread, computed off the UI thread.

Every array here is O(posts) to build, so a filter worker builds it and the tree only
swaps it in: a keystroke never costs the UI thread a pass over 100,000 posts.
"""

from __future__ import annotations

from dataclasses import dataclass

from threadtui.model import Thread
from threadtui.model.thread import subtree_counts
from threadtui.query import FilterView


def last_flags(thread: Thread, visible: bytes | None) -> bytearray:
    """1 for a post that is the last shown child of its parent (or the last shown root):
    its guide turns the corner (└) instead of continuing (├)."""
    posts = thread.posts
    flags = bytearray(len(posts))
    roots = [r for r in thread.roots if visible is None or visible[r]]
    if roots:
        flags[roots[-1]] = 1
    for post in posts:
        kids = post.children
        if kids:
            if visible is None:
                flags[kids[-1]] = 1
            else:
                for k in reversed(kids):
                    if visible[k]:
                        flags[k] = 1
                        break
    return flags


def visible_of(view: FilterView) -> bytes:
    """member | context, one byte a post: a single big-integer OR instead of a Python loop."""
    n = len(view.member)
    either = int.from_bytes(view.member, "little") | int.from_bytes(view.context, "little")
    return either.to_bytes(n, "little")


@dataclass(frozen=True, slots=True)
class FilterLayout:
    view: FilterView
    visible: bytes
    visible_below: list[int]
    """Per post, how many shown posts its subtree holds: the (+N) of a folded row."""
    is_last: bytearray

    @classmethod
    def build(cls, thread: Thread, view: FilterView) -> FilterLayout:
        visible = visible_of(view)
        return cls(view, visible, subtree_counts(thread, visible), last_flags(thread, visible))
