"""Turn a thread's flat list of posts into a tree: parents, children, quotes, depths, order.

The one linker: both loaders (load.py's checking path, load_fast.py's fast path) end here,
and so does a thread that grows (grow.py) when a batch moves posts in ways only a whole
linking settles. References that name absent posts get placeholders appended after the
file's posts, so nothing the file mentions is silently dropped; cycles are broken with a
warning; every loop is flat, so a 100,000-deep chain never touches the recursion limit.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Final, NamedTuple

from threadtui.model.sanitize import describe
from threadtui.model.thread import NO_METRICS, NO_PARENT, Post, Thread

_CHILDREN: Final = operator.attrgetter("children")


class Links(NamedTuple):
    """What linking leaves for `finish`."""

    n_file: int
    """Posts before linking; placeholders linking made come after them."""
    roots: list[int]
    missing_reply: int
    missing_quote: int
    forward: bool
    """Some post comes before its parent: cycles are possible, depths need a walk."""
    max_depth: int
    order: Sequence[int] | None = None
    """The real posts in the order they arrived, when not simply the first `n_file` (a
    thread that grew); it decides ties as file order does."""
    placeholders: Sequence[int] = ()
    """Placeholders made before linking (a thread that grew); they are among the first
    `n_file` posts."""


def placeholder(posts: list[Post], by_id: dict[str, int], post_id: str) -> int:
    index = len(posts)
    posts.append(
        Post(
            index,
            post_id,
            None,
            None,
            None,
            None,
            None,
            (),
            NO_METRICS,
            "not_fetched",
            synthetic=True,
        )
    )
    by_id[post_id] = index
    return index


def add_quote(posts: list[Post], by_id: dict[str, int], i: int, q: str) -> tuple[int, bool]:
    """Record that post `i` quotes `q`: the quoted post's index, and whether it is a
    placeholder made just now because the file lacks it."""
    target = by_id.get(q)
    made = target is None
    if target is None:
        target = placeholder(posts, by_id, q)
    quoted_by = posts[target].quoted_by
    if quoted_by is None:
        posts[target].quoted_by = [i]
    elif quoted_by[-1] != i:
        quoted_by.append(i)
    return target, made


def link(
    posts: list[Post],
    by_id: dict[str, int],
    order: Sequence[int] | None = None,
    placeholders: Sequence[int] = (),
) -> Links:
    """Resolve every reference of the file's posts: parents, children, quotes, depths.

    The posts must be unlinked (as built). `order` lists the real posts in the order they
    arrived when that is not `range(len(posts))`, and `placeholders` the placeholders
    among the posts: a thread that grew links everything again so (grow.py).
    """
    n_file = len(posts)

    # Every reference resolves: absent targets become placeholders appended after the file's
    # posts, so nothing the file mentions is silently dropped.
    # One pass resolves references and files each post under its parent; cycles are
    # broken afterwards, which un-files the few posts involved.
    missing_reply = missing_quote = 0
    roots: list[int] = []
    # Usually every post comes after its parent: then no cycle is possible and a depth is
    # its parent's plus one, known in this same pass. A forward reference switches to the
    # general (slower) cycle check and depth walk below.
    # A given order may put a post before its parent with no cycle: then the general path.
    forward = order is not None
    max_depth = 0
    find = by_id.get
    # Locals: this loop runs once per post of the file, on both load paths.
    no_parent = NO_PARENT
    roots_append = roots.append
    # zip stops at the file's posts; placeholders appended meanwhile are not visited.
    for i, post in (
        zip(range(n_file), posts, strict=False)
        if order is None
        else zip(order, map(posts.__getitem__, order), strict=True)
    ):
        reply_to = post.reply_to
        parent = no_parent
        if reply_to is not None:
            parent = find(reply_to, no_parent)
            if parent == no_parent:
                parent = placeholder(posts, by_id, reply_to)
                missing_reply += 1
        quotes = post.quotes
        if quotes:
            for q in quotes:
                target, made = add_quote(posts, by_id, i, q)
                missing_quote += made
                quoted = posts[target]
                # The tree parent falls back to the first quoted post that is really in
                # the thread; a placeholder for an absent quote is a card, not a branch.
                if parent == no_parent and reply_to is None and not quoted.synthetic:
                    parent = target
                    post.parent_is_quote = True
        if parent == no_parent:
            roots_append(i)
        else:
            post.parent = parent
            above = posts[parent]
            siblings = above.children
            if siblings is None:
                above.children = [i]
            else:
                siblings.append(i)
            # Placeholders (past the file's posts) are roots at depth 0.
            if parent < i or parent >= n_file:
                depth = post.depth = above.depth + 1
                if depth > max_depth:
                    max_depth = depth
            else:
                forward = True
    return Links(
        n_file, roots, missing_reply, missing_quote, forward, max_depth, order, placeholders
    )


def finish(thread: Thread, links: Links) -> None:
    """After linking: placeholders as roots, warnings, cycles, order, depths, time range."""
    posts = thread.posts
    warnings = thread.warnings
    by_id = thread.by_id
    n_file, roots, missing_reply, missing_quote, forward, max_depth, order, made = links
    if thread.root_id is not None and thread.root_id not in by_id:
        placeholder(posts, by_id, thread.root_id)
        missing_reply += 1
    if missing_reply:
        warnings.append(
            f"{missing_reply} replied-to post(s) are not in the file: shown as placeholders"
        )
    if missing_quote:
        warnings.append(
            f"{missing_quote} quoted post(s) are not in the file: shown as placeholders"
        )

    file_roots = len(roots)
    made_now = posts[n_file:]
    if order is not None:
        # Placeholders made before these posts arrived come first by index: put them all
        # in the order one load of every post would have made them.
        made_now = sorted(
            [*map(posts.__getitem__, made), *made_now], key=_first_reference(posts, order)
        )
    root_id = thread.root_id
    for post in made_now:
        # A placeholder for an absent quote belongs in quote cards only, and one nothing
        # refers to any more (a newer copy of a post dropped the reference) nowhere; the
        # thread's root is shown even when absent.
        if post.children is not None or (post.quoted_by is None and post.id == root_id):
            roots.append(post.index)
    # Every post of the file is in the tree (a root, or under its parent once cycles are
    # broken); of the placeholders, only the roots just added.
    thread.tree_size = n_file - len(made) + len(roots) - file_roots
    if forward:
        roots.extend(_break_cycles(thread, order))

    inf = float("inf")
    created_key = [inf if p.created is None else p.created for p in posts]
    # Children were appended in file order, so the stable sort keeps file order for ties
    # and for posts without a time, as the format promises. The lists are gathered by C
    # passes (map, filter): sorting a one-child list costs less than testing its length.
    by_time = created_key.__getitem__
    for kids in filter(None, map(_CHILDREN, posts)):
        kids.sort(key=by_time)
    roots.sort(key=by_time)
    thread.roots = roots

    if forward:
        max_depth = 0
        stack = list(reversed(roots))
        while stack:
            i = stack.pop()
            post = posts[i]
            kids = post.children
            if kids:
                depth = post.depth + 1
                if depth > max_depth:
                    max_depth = depth
                for k in kids:
                    posts[k].depth = depth
                stack.extend(kids)
    thread.max_depth = max_depth

    first = min(created_key, default=inf)
    if first != inf:
        last = max(created_key)
        if last == inf:
            last = max(filter(inf.__ne__, created_key))
        thread.time_range = (first, last)


def _first_reference(posts: list[Post], order: Sequence[int]) -> Callable[[Post], tuple[int, int]]:
    """Sort key of a placeholder: where the file first refers to it (the post, in `order`,
    then the reference within it: reply_to, then each quote); one that nothing refers to
    (the thread's root) after all of them. That is the order `link` makes them in."""
    arrival = dict(zip(order, range(len(order)), strict=True))
    unseen = (len(order), 0)

    def key(placeholder: Post) -> tuple[int, int]:
        first = unseen
        for i in (*(placeholder.children or ()), *(placeholder.quoted_by or ())):
            post = posts[i]
            at = arrival.get(i)
            if at is None:
                continue
            where = 0 if post.reply_to == placeholder.id else 1 + post.quotes.index(placeholder.id)
            first = min(first, (at, where))
        return first

    return key


def _break_cycles(thread: Thread, order: Sequence[int] | None) -> list[int]:
    """Make the parent graph a forest: each cycle loses the parent of its first post (in
    file order: `order` when the thread grew, else by index).

    Returns the posts that became roots.
    """
    freed: list[int] = []
    posts = thread.posts
    arrival = (
        None if order is None else dict(zip(order, range(len(order)), strict=True)).__getitem__
    )
    state = bytearray(len(posts))  # 0 unseen, 1 on the current walk, 2 known acyclic
    for start in range(len(posts)) if order is None else order:
        if state[start]:
            continue
        walk: list[int] = []
        i = start
        while i != NO_PARENT and state[i] == 0:
            state[i] = 1
            walk.append(i)
            i = posts[i].parent
        if i != NO_PARENT and state[i] == 1:
            cycle = walk[walk.index(i) :]
            first = min(cycle, key=arrival)
            broken = posts[first]
            siblings = posts[broken.parent].children
            # Linking gave every parent on the walk the child the walk came from.
            assert siblings is not None
            siblings.remove(first)
            broken.parent = NO_PARENT
            broken.parent_is_quote = False
            # A root: its depth may have been set from its parent before the cycle showed.
            broken.depth = 0
            freed.append(first)
            if len(cycle) == 1:
                what = f"post {describe(broken.id)} replies to itself"
            else:
                shown = ", ".join(describe(posts[k].id) for k in sorted(cycle, key=arrival)[:5])
                more = f" and {len(cycle) - 5} more" if len(cycle) > 5 else ""
                what = f"posts {shown}{more} reply to each other in a cycle"
            thread.warnings.append(f"{what}: {describe(broken.id)} is shown as a root")
        for k in walk:
            state[k] = 2
    return freed
