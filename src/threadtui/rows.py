"""The tree's rows: which posts are shown, in what order, folded or filtered, and the cursor.

Plain Python over the model (no Textual, and not the query package, which loads after the
first frame): the tree widget draws these rows and turns keys into calls here, so what a key
does to the rows is tested without an app. A filter reaches the rows as a `FilterLayout`.

Textual's stock `Tree` builds a node object per post and re-walks all of them on every
expand or collapse (seconds at 100,000 posts). Here the rows are two flat arrays: `rows`,
the posts shown in display order, and `collapsed`, one byte a post. Folding a branch splices
its rows in or out. Rows are always in tree order, so the row of a post is a bisection on
its preorder rank and a subtree's rows are one run of them. No operation recurses on depth,
so a 10,000-deep chain is as cheap as a flat one.

What a key costs: moving the cursor O(1); folding a branch, finding a post's row, the
guide of a drawn row O(rows spliced + log rows). Only the keys that change everything (a
depth fold, expand all, a filter applied) rebuild the rows, from arrays the filter's
worker laid out in advance (`FilterLayout`) where it can.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import compress, filterfalse, repeat
from operator import attrgetter, is_
from typing import TYPE_CHECKING, Final

from threadtui.model import NO_PARENT, Author, Thread
from threadtui.model.thread import MarkedBelow

if TYPE_CHECKING:
    # Not imported at run time: the tree needs this module for its first frame, and the
    # query package (25 ms) is imported after it (ui/app.py, LATER).
    from threadtui.query import FilterView

HEAD_ROWS: Final = 200
"""Rows kept before the whole tree is walked: more than any first screen shows."""


def visible_of(view: FilterView) -> bytes:
    """member | context, one byte a post: a single big-integer OR instead of a Python loop."""
    n = len(view.member)
    either = int.from_bytes(view.member, "little") | int.from_bytes(view.context, "little")
    return either.to_bytes(n, "little")


@dataclass(frozen=True, slots=True)
class FilterLayout:
    """A filter as the tree shows it. Every array here is O(posts) to build, so the filter's
    worker builds it off the UI thread and the rows only swap it in."""

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

    def grown(self, thread: Thread) -> FilterLayout:
        """The same matches on `thread`, which has gained posts since this was built.

        The new posts are not matches until the query runs again (it knows whether they
        match; this does not), but they can change the shape: a post may now sit under a
        new one, which then shows as its context.
        """
        from threadtui.query import FilterView

        member = bytearray(self.view.member)
        member.extend(bytes(len(thread.posts) - len(member)))
        return FilterLayout.build(thread, FilterView.of_member(thread, member))


class TreeRows:
    """The posts the tree shows as rows, its folds, its filter and its cursor."""

    def __init__(self, thread: Thread, *, head: int = HEAD_ROWS) -> None:
        self.thread = thread
        self.collapsed = bytearray(len(thread.posts))
        """One byte a post: 1 when its replies are folded away."""
        self.filter: FilterLayout | None = None
        """The filter shown, if any: the one place the tree's filter is held."""
        self.cursor = 0
        """The cursor's row."""
        self.version = 0
        """Goes up whenever the rows change, for whoever caches what it drew from them."""
        # The rows are the whole preorder, walked after the first frame (40 ms at 100,000
        # posts); until then the first screenful is read from a head of it.
        self._rows: list[int] | None = None
        self._head = thread.preorder_head(head)
        self._last: dict[int, bool] = {}
        # Per author (by identity: authors are neither hashable nor replaced), their posts.
        self._by_author: dict[int, list[int]] = {}
        self._authors: list[Author | None] | None = None

    # --- reading rows ---------------------------------------------------------------------

    @property
    def rows(self) -> list[int]:
        """The posts shown, one a row, in tree order."""
        if self._rows is None:
            self._rows = list(self.thread.preorder)
            self._head = []
        return self._rows

    @property
    def row_count(self) -> int:
        return self.thread.tree_size if self._rows is None else len(self._rows)

    @property
    def walked(self) -> bool:
        """Whether the whole tree has been walked (rows no longer come from its head)."""
        return self._rows is not None

    def post_at(self, row: int) -> int | None:
        """The post on `row`; the head answers for the first screen without a walk."""
        if row < 0:
            return None
        if row < len(self._head):
            return self._head[row]
        rows = self.rows
        return rows[row] if row < len(rows) else None

    @property
    def cursor_post(self) -> int | None:
        return self.post_at(self.cursor)

    def row_of(self, post: int) -> int | None:
        """Row of a post, None if it has none (folded away or filtered out)."""
        if post in self._head:
            # Before the walk (as `post_at` reads rows): a reopened thread's cursor is
            # mostly on its first screen, and ranking every post costs 80 ms at 100,000.
            return self._head.index(post)
        if self._rows is None:
            # Still before the walk (nothing folded or filtered: the rows are the preorder),
            # a post further down (a URL's linked reply) lengthens the head as far as it
            # and a screenful past it, for the first frame to draw, rather than the walk.
            self._head = self.thread.preorder_head(len(self._head) or HEAD_ROWS, post)
            if post in self._head:
                return self._head.index(post)
        rank = self.thread.rank
        rows = self.rows
        row = bisect_left(rows, rank[post], key=rank.__getitem__)
        return row if row < len(rows) and rows[row] == post else None

    # --- what a row shows -----------------------------------------------------------------

    def is_shown(self, post: int) -> bool:
        """Whether the filter shows the post (as a match or as context), folded or not."""
        return self.filter is None or bool(self.filter.visible[post])

    def is_context(self, post: int) -> bool:
        """Shown only as the ancestor of a match: drawn dimmed."""
        return self.filter is not None and not self.filter.view.member[post]

    def hidden_count(self, post: int) -> int:
        """Posts folded away under a collapsed post (those the filter shows)."""
        if not self.collapsed[post]:
            return 0
        if self.filter is not None:
            return self.filter.visible_below[post]
        return self.thread.subtree_sizes[post]

    def matches_hidden(self, post: int) -> int:
        """Filter matches strictly inside the post's subtree: what its fold hides."""
        return 0 if self.filter is None else self.filter.view.below[post]

    def is_last(self, post: int) -> bool:
        """Whether a post with a row is the last shown child of its parent (or the last
        shown root): its guide turns the corner (└) instead of going on (├). Worked out per
        drawn row, never for every post: O(1) unfiltered, a bisection filtered."""
        found = self._last.get(post)
        if found is not None:
            return found
        thread = self.thread
        posts = thread.posts
        parent = posts[post].parent
        if self.filter is None:
            siblings = thread.roots if parent == NO_PARENT else thread.children(parent)
            found = siblings[-1] == post
        else:
            # Shown siblings all have rows (their parent is expanded: this post has one), so
            # the first row past this post's subtree is its next shown sibling, if any.
            rank = thread.rank
            past = rank[post] + thread.subtree_sizes[post] + 1
            rows = self.rows
            after = bisect_left(rows, past, key=rank.__getitem__)
            found = after >= len(rows) or posts[rows[after]].parent != parent
        self._last[post] = found
        return found

    # --- the cursor -----------------------------------------------------------------------

    def move_cursor(self, row: int) -> bool:
        """Put the cursor on `row` (clamped to the rows); False if it was already there."""
        count = self.row_count
        row = max(0, min(row, count - 1)) if count else 0
        if row == self.cursor:
            return False
        self.cursor = row
        return True

    def move_to(self, post: int, *, reveal: bool = True) -> bool:
        """Put the cursor on a post, unfolding its ancestors first if `reveal`; False if the
        post has no row (filtered out, or folded away and not revealed)."""
        if reveal and self.is_shown(post):
            self.reveal(post)
        row = self.row_of(post)
        if row is None:
            return False
        self.cursor = row
        return True

    # --- folding --------------------------------------------------------------------------

    def expand(self, post: int) -> bool:
        """Unfold a post's replies; True if rows changed. The cursor stays on its post."""
        if not self.collapsed[post]:
            return False
        self.collapsed[post] = 0
        row = self.row_of(post)
        if row is None:
            return False
        thread = self.thread
        if self.filter is None and 1 not in self.collapsed:
            # Nothing folded below and nothing filtered: the rows are the preorder's slice.
            start = thread.rank[post] + 1
            below = thread.preorder[start : start + thread.subtree_sizes[post]]
        else:
            below = self._subtree_rows(post)
        self.rows[row + 1 : row + 1] = below
        if self.cursor > row:
            self.cursor += len(below)
        self._changed()
        return True

    def collapse(self, post: int) -> bool:
        """Fold a post's replies away; True if rows changed. A cursor inside the folded
        branch moves up to the post, one below it keeps its post."""
        thread = self.thread
        if self.collapsed[post] or not thread.posts[post].children:
            return False
        row = self.row_of(post)
        self.collapsed[post] = 1
        if row is None:
            return False
        # The subtree is a run of the preorder, so its rows are those whose rank falls in it.
        rank = thread.rank
        past = rank[post] + thread.subtree_sizes[post] + 1
        rows = self.rows
        end = bisect_left(rows, past, lo=row + 1, key=rank.__getitem__)
        del rows[row + 1 : end]
        if self.cursor > row:
            self.cursor = row if self.cursor < end else self.cursor - (end - row - 1)
        self._changed()
        return True

    def toggle(self, post: int) -> bool:
        return self.expand(post) if self.collapsed[post] else self.collapse(post)

    def reveal(self, post: int) -> None:
        """Expand every collapsed ancestor of `post` so it has a row."""
        collapsed = self.collapsed
        for ancestor in self.thread.ancestors(post):
            if collapsed[ancestor]:
                self.expand(ancestor)

    def fold_to_depth(self, depth: int) -> None:
        """Fold every post with replies at depth `depth` - 1 or deeper (depth 1: only roots
        show). The cursor moves up to its ancestor at that depth if its own row went."""
        current = self.cursor_post
        # A post with replies at depth >= depth - 1 folds: its level byte is >= depth.
        table = bytes(1 if level >= depth else 0 for level in range(256))
        self.collapsed = bytearray(self.thread.fold_levels.translate(table))
        keep = current
        if current is not None:
            chain = self.thread.ancestors(current)
            if len(chain) >= depth:
                keep = chain[depth - 1]
        self._rebuild(keep)

    def expand_all(self) -> None:
        current = self.cursor_post
        self.collapsed = bytearray(len(self.thread.posts))
        self._rebuild(current)

    # --- the filter -----------------------------------------------------------------------

    def set_filter(self, layout: FilterLayout | None) -> None:
        """Show only a filter's matches and their ancestors, or everything again. The
        cursor stays on its post if shown, else goes to the nearest match."""
        current = self.cursor_post
        self.filter = layout
        if layout is not None and current is not None and not layout.visible[current]:
            current = self._nearest_match(current, layout)
        self._rebuild(current)

    def _nearest_match(self, current: int, layout: FilterLayout) -> int | None:
        """The first match at or after `current` in tree order, else the last one before.

        A bisection into the filter's rows, then a walk that stops at the first match: a
        context row is followed by its own subtree's rows, which hold a match, so the walk
        takes at most a chain of context rows, and the last row is always a match.
        """
        shown = layout.rows
        if not shown:
            return None
        rank = self.thread.rank
        member = layout.view.member
        start = bisect_left(shown, rank[current], key=rank.__getitem__)
        for k in range(start, len(shown)):
            if member[shown[k]]:
                return shown[k]
        for k in range(start - 1, -1, -1):
            if member[shown[k]]:
                return shown[k]
        return None

    # --- navigation -----------------------------------------------------------------------

    def parent_of(self, post: int) -> int | None:
        parent = self.thread.posts[post].parent
        return None if parent == NO_PARENT else parent

    def root_of(self, post: int) -> int | None:
        """The root above a post; None for a root."""
        chain = self.thread.ancestors(post)
        return chain[0] if chain else None

    def same_author(self, post: int, step: int) -> int | None:
        """The next (step 1) or previous (-1) shown post by the post's author in tree order,
        wrapping around; None if there is none or the author is unknown."""
        author = self.thread.posts[post].author
        if author is None:
            return None
        mine = self._posts_by(author)
        rank = self.thread.rank
        at = bisect_left(mine, rank[post], key=rank.__getitem__)
        n = len(mine)
        # From the post itself (at), round the author's posts once, without it.
        first = at + 1 if step > 0 else at - 1
        for k in range(n - 1):
            candidate = mine[(first + step * k) % n]
            if self.is_shown(candidate):
                return candidate
        return None

    def _posts_by(self, author: Author) -> list[int]:
        """An author's posts in tree order: C-level passes (map, compress; ~5 ms at 100,000
        posts) the first time the author's key is pressed, where a Python walk took 70."""
        found = self._by_author.get(id(author))
        if found is None:
            order = self.thread.preorder
            if self._authors is None:
                posts = self.thread.posts
                self._authors = list(map(attrgetter("author"), map(posts.__getitem__, order)))
            found = list(compress(order, map(is_, self._authors, repeat(author))))
            self._by_author[id(author)] = found
        return found

    # --- growth ---------------------------------------------------------------------------

    def splice(
        self,
        added: Iterable[int],
        *,
        thread: Thread | None = None,
        entered: Sequence[int] | None = None,
    ) -> int:
        """Take in posts added to the thread; returns how many of them have a row.

        `added` are the indexes of the new posts; posts already there keep their indexes.
        `thread` is the grown thread if it is a new object (the same one grown in place
        needs none). Folds, the filter and the cursor stay on the same posts: new posts
        come unfolded, under folds where their parents are folded, and hidden by a filter
        until the filter runs again (see `FilterLayout.grown`).

        `entered` (`Change.entered`) are the posts that took a new place in the tree while
        every other post kept its own: then only their rows are taken out and put in, by
        bisection on their rank, in time proportional to them (plus C-level copies of the
        rows' list). Without it the rows are rebuilt once, as a depth fold rebuilds them.
        """
        added = list(added)
        # Asked before the thread changes: the head and rows still describe the old one.
        current = self.cursor_post
        same = thread is None or thread is self.thread
        if thread is not None:
            self.thread = thread
        thread = self.thread
        n = len(thread.posts)
        if n < len(self.collapsed):
            raise ValueError(f"the thread lost posts ({len(self.collapsed)} → {n})")
        if any(not 0 <= i < n for i in added):
            raise ValueError("an added post is not in the thread")
        self.collapsed.extend(bytes(n - len(self.collapsed)))
        self._by_author = {}
        self._authors = None
        if entered is not None and same and self.filter is None and self._rows is not None:
            if 1 not in self.collapsed:
                # Nothing folded: the rows are the preorder (kept up to date by the add),
                # and the cursor's post is found by one C-level scan; the rank, counted
                # again after every add, is left until a key needs it.
                rows = self._rows = list(thread.preorder)
                self._changed()
                if current is not None and current in rows:
                    self.cursor = rows.index(current)
                took = set(entered)
                return sum(1 for i in added if i in took)
            shown = self._put_in(entered)
            self._changed()
            if current is not None:
                row = self.row_of(current)
                if row is not None:
                    self.cursor = row
                else:
                    # Its subtree moved under a fold.
                    self.move_to(current, reveal=True)
            return sum(1 for i in added if i in shown)
        if self.filter is not None:
            self.filter = self.filter.grown(thread)
        self._rebuild(current)
        return sum(1 for i in added if self.row_of(i) is not None)

    def _put_in(self, entered: Sequence[int]) -> set[int]:
        """Rows for posts that joined the tree, the rest of it unchanged; returns those
        given a row (not under a fold)."""
        thread = self.thread
        posts = thread.posts
        rank = thread.rank
        collapsed = self.collapsed
        new = set(entered)
        # Those that moved had rows where they were: out first (one C-level pass).
        rows = self._rows = list(filterfalse(new.__contains__, self.rows))
        shown: set[int] = set()
        # Parents before children: a post has a row when its parent has one, unfolded.
        for post in sorted(entered, key=rank.__getitem__):
            parent = posts[post].parent
            if parent == NO_PARENT or (
                not collapsed[parent]
                and (parent in shown if parent in new else self.row_of(parent) is not None)
            ):
                shown.add(post)
        if not shown:
            return shown
        # Rows are in rank order, and the old rows keep theirs relative to each other:
        # each new row goes where its rank falls among them.
        key = rank.__getitem__
        placed = sorted(
            (bisect_left(rows, rank[post], key=key), rank[post], post) for post in shown
        )
        out: list[int] = []
        last = 0
        for at, _, post in placed:
            out += rows[last:at]
            out.append(post)
            last = at
        out += rows[last:]
        self._rows = out
        return shown

    # --- building rows --------------------------------------------------------------------

    def _subtree_rows(self, post: int) -> list[int]:
        """Shown rows below `post` when it is expanded (respecting inner folds)."""
        posts = self.thread.posts
        collapsed = self.collapsed
        visible = None if self.filter is None else self.filter.visible
        out: list[int] = []
        append = out.append
        stack = list(reversed(posts[post].children or ()))
        while stack:
            i = stack.pop()
            if visible is not None and not visible[i]:
                continue
            append(i)
            if not collapsed[i]:
                kids = posts[i].children
                if kids:
                    stack.extend(reversed(kids))
        return out

    def _rebuild(self, keep: int | None) -> None:
        """Recompute all rows (a filter, a depth fold, growth); keep the cursor on `keep`."""
        thread = self.thread
        layout = self.filter
        if 1 not in self.collapsed:
            # Nothing folded: the rows were laid out in advance (by the filter's worker).
            rows = list(thread.preorder if layout is None else layout.rows)
        else:
            visible = None if layout is None else layout.visible
            posts = thread.posts
            collapsed = self.collapsed
            rows = []
            append = rows.append
            stack = [r for r in reversed(thread.roots) if visible is None or visible[r]]
            while stack:
                i = stack.pop()
                append(i)
                if not collapsed[i]:
                    kids = posts[i].children
                    if kids:
                        if visible is None:
                            stack.extend(reversed(kids))
                        else:
                            stack.extend(k for k in reversed(kids) if visible[k])
        self._rows = rows
        self._head = []
        self._changed()
        if keep is None or not self.move_to(keep, reveal=True):
            self.cursor = max(0, min(self.cursor, len(rows) - 1))

    def _changed(self) -> None:
        self.version += 1
        self._last.clear()
