"""A thread that grows: posts added to a loaded thread, as a refresh or a fetch brings them.

The rule is simple to state and to test: adding posts gives the thread that loading a file
holding the old posts and then the new ones would give (placeholders aside: their order
among themselves is the order they were made in). So the new posts are read by the
checking path (load.py), with its errors and warnings; a post whose id the thread already
has replaces it (a placeholder is filled, a real post takes the newer copy) at the same
index, so the UI's indexes stay valid; and everything is linked again by link.py, the one
linker, in arrival order. Linking again costs what loading's own linking costs (O(n)); a
fetch adds posts in batches, so that is paid once a batch.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Final

from threadtui.model.format import SCHEMA, SCHEMA_VERSION
from threadtui.model.link import add_quote, finish, link, placeholder
from threadtui.model.load import _read_authors, _read_posts, _Reader
from threadtui.model.sanitize import describe
from threadtui.model.thread import NO_PARENT, Author, Post, Thread


@dataclass(slots=True)
class Change:
    """What an `add` did, for the layers above to update what they show."""

    version: int
    """The thread's version after the add."""
    added: list[int] = field(default_factory=list)
    """New posts (indexes), in the order they arrived; placeholders made for their
    references to absent posts come last."""
    changed: list[int] = field(default_factory=list)
    """Posts that were there and now read differently: a placeholder filled by the real
    post, a post whose text, metrics, status or fields the newer copy changed."""
    gained_children: list[int] = field(default_factory=list)
    """Posts that were there and have more children (replies or quote-children) now."""
    moved: list[int] = field(default_factory=list)
    """Posts that were there and have another parent or depth now (a filled placeholder
    takes its place in the tree, and its subtree with it)."""
    warnings: list[str] = field(default_factory=list)
    """Warnings about the added posts (also appended to `Thread.warnings`)."""
    entered: list[int] | None = None
    """Posts that took a place in the tree (new ones, placeholders filled or made a root),
    when every other post kept its place: the tree's rows take them in where they are.
    None when the thread was linked again as a whole (a post moved)."""

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.gained_children or self.moved)


def add_posts(thread: Thread, document_or_posts: Any) -> Change:
    r = _Reader(thread.name)
    raw_authors, raw_posts = _unpack(r, document_or_posts)
    warnings: list[str] = []
    new_authors = _read_authors(r, raw_authors, {}, warnings)
    # Author ids as cleaned: one that cleans to another author's id is refused, as loading
    # refuses it.
    claimed = {author.id: f"$.authors[{describe(key)}]" for key, author in thread.authors.items()}
    authors = dict(thread.authors)
    fills: list[tuple[Author, Author]] = []
    for key, author in new_authors.items():
        known = authors.get(key)
        if known is not None:
            fills.append((known, author))
            continue
        first = claimed.setdefault(author.id, f"$.authors[{describe(key)}]")
        if first != f"$.authors[{describe(key)}]":
            r.fail(first, f"duplicate author id {describe(author.id)} (first at {first})")
        authors[key] = author
    counts = [(author, author.post_count) for author in thread.authors.values()]
    try:
        # Read against a copy of the authors: nothing changes until the whole batch is read.
        batch = _read_posts(r, raw_posts, authors, {}, warnings, claimed)
    except Exception:
        for author, count in counts:
            author.post_count = count
        raise
    for known, newer in fills:
        if known.declared:
            _fill(known, newer)
        else:
            # Named by posts only until now: the file's own entry replaces the stand-in.
            known.handle, known.display_name, known.url = (
                newer.handle,
                newer.display_name,
                newer.url,
            )
            known.extra, known.declared = newer.extra, True
    return _merge(thread, authors, batch, warnings)


def _unpack(r: _Reader, value: Any) -> tuple[dict[str, Any], list[Any]]:
    if type(value) is list:
        return {}, value
    top = r.object(value, "$")
    if top.get("schema") != SCHEMA:
        r.expected("$.schema", f'"{SCHEMA}"', top.get("schema"))
    if top.get("schema_version") != SCHEMA_VERSION:
        r.expected("$.schema_version", str(SCHEMA_VERSION), top.get("schema_version"))
    posts = top.get("posts")
    if type(posts) is not list:
        r.expected("$.posts", "an array", posts)
    return r.optional_object(top.get("authors"), "$.authors"), posts


def _fill(known: Author, newer: Author) -> None:
    """What the thread did not know of an author, from the newer copy."""
    if known.handle is None:
        known.handle = newer.handle
    if known.display_name is None:
        known.display_name = newer.display_name
    if known.url is None:
        known.url = newer.url


def _same(a: Post, b: Post) -> bool:
    return (
        a.text == b.text
        and a.status == b.status
        and a.metrics == b.metrics
        and a.fields == b.fields
        and a.extra == b.extra
        and a.created_at == b.created_at
        and (a.author is None) == (b.author is None)
        and (a.author is None or b.author is None or a.author.id == b.author.id)
        and a.reply_to == b.reply_to
        and a.quotes == b.quotes
    )


def _merge(
    thread: Thread, authors: dict[str, Author], batch: list[Post], warnings: list[str]
) -> Change:
    thread.authors.update(authors)
    if _appends_only(thread, batch):
        return _append(thread, batch, warnings)
    return _relink(thread, batch, warnings)


def _created(posts: list[Post]) -> Callable[[int], float]:
    """Sort key of a post by time, as linking sorts siblings: no time sorts last."""
    inf = float("inf")

    def key(index: int) -> float:
        created = posts[index].created
        return inf if created is None else created

    return key


def _appends_only(thread: Thread, batch: list[Post]) -> bool:
    """Whether linking the batch leaves every post already in the tree where it is, so
    only the arrivals need linking (`_append`) and the result is the relink's.

    Not so when a newer copy of a post changes its references or its time (it may move,
    or move among its siblings), when a placeholder in the tree is filled (its subtree
    moves with it) or one whose quoters reply to nothing (one may take it as its tree
    parent now), when a post refers to one arriving after it or to itself (the relink
    would link it to a post not linked yet, a cycle is possible), or when a root arrives
    without a time (roots without one sort among placeholders and freed cycles)."""
    posts, by_id = thread.posts, thread.by_id
    arriving: dict[str, int] = {}
    for k, post in enumerate(batch):
        index = by_id.get(post.id)
        if index is None:
            arriving[post.id] = k
            continue
        old = posts[index]
        if old.synthetic:
            quoters = old.quoted_by
            if old.children is not None or quoters is None:
                return False
            if any(posts[q].reply_to is None for q in quoters):
                return False
            arriving[post.id] = k
        elif (
            old.reply_to != post.reply_to
            or old.quotes != post.quotes
            or old.created != post.created
        ):
            return False
    for k, post in enumerate(batch):
        if arriving.get(post.id) != k:
            continue
        if post.reply_to is not None:
            if arriving.get(post.reply_to, -1) >= k:
                return False
            index = by_id.get(post.reply_to)
            if index is not None and post.reply_to not in arriving:
                above = posts[index]
                # A placeholder only quoted until now becomes a root, placed among the
                # others by where the thread first referred to it.
                if above.synthetic and above.children is None and above.quoted_by is not None:
                    return False
            continue
        has_parent = False
        for q in post.quotes:
            at = arriving.get(q)
            if at is not None:
                if at >= k:
                    return False
                has_parent = True
                break
            index = by_id.get(q)
            if index is not None and not posts[index].synthetic:
                has_parent = True
                break
        if not has_parent and post.created is None:
            return False
    return True


def _real_prefix(posts: list[Post], end: int) -> int:
    """How many of the first `end` posts come before the first placeholder, when the real
    posts are the first ones (`Thread._order` is None): placeholders are a suffix there."""
    if not end or not posts[end - 1].synthetic:
        return end
    return bisect_left(posts, True, hi=end, key=attrgetter("synthetic"))


def _freed(posts: list[Post], by_id: dict[str, int], index: int) -> bool:
    """A root that has a parent to name: a cycle was broken there."""
    post = posts[index]
    if post.synthetic:
        return False
    if post.reply_to is not None:
        return True
    return any(q in by_id and not posts[by_id[q]].synthetic for q in post.quotes)


def _after_placeholders(posts: list[Post], by_id: dict[str, int], index: int) -> bool:
    post = posts[index]
    if post.created is not None:
        return False
    if post.synthetic:
        return post.children is None and post.quoted_by is None
    return _freed(posts, by_id, index)


def _append(thread: Thread, batch: list[Post], warnings: list[str]) -> Change:
    """Link only what arrives: each post under its parent, in time order among its
    siblings, as the relink would place it (`_appends_only` said it would move nothing
    else). Costs the batch and its ancestors, not the thread."""
    posts = thread.posts
    by_id = thread.by_id
    before = len(posts)
    # Asked before any placeholder is filled.
    real = _real_prefix(posts, before) if thread._order is None else 0
    added: list[int] = []
    changed: list[int] = []
    arrived: list[int] = []
    for post in batch:
        index = by_id.get(post.id)
        if index is None:
            index = post.index = len(posts)
            posts.append(post)
            by_id[post.id] = index
            added.append(index)
            arrived.append(index)
            continue
        old = posts[index]
        post.index = index
        posts[index] = post
        if old.synthetic:
            # A placeholder only quoted: whoever quotes it still does.
            post.quoted_by = old.quoted_by
            arrived.append(index)
            changed.append(index)
            continue
        # The same references and time: the same place in the tree.
        post.parent, post.parent_is_quote, post.depth = old.parent, old.parent_is_quote, old.depth
        post.children, post.quoted_by = old.children, old.quoted_by
        if old.author is not None:
            old.author.post_count -= 1
        if not _same(old, post):
            changed.append(index)

    order = thread._order
    if order is None and (real != before or arrived != list(range(before, before + len(arrived)))):
        order = thread._order = list(range(real))
    if order is not None:
        order.extend(arrived)

    key = _created(posts)
    roots = thread.roots
    entered: list[int] = []
    gained: set[int] = set()
    made: list[int] = []
    missing_reply = missing_quote = 0
    max_depth = thread.max_depth
    for i in arrived:
        post = posts[i]
        reply_to = post.reply_to
        parent = NO_PARENT
        if reply_to is not None:
            parent = by_id.get(reply_to, NO_PARENT)
            if parent == NO_PARENT:
                parent = placeholder(posts, by_id, reply_to)
                made.append(parent)
                missing_reply += 1
        for q in post.quotes:
            target, new = add_quote(posts, by_id, i, q)
            if new:
                made.append(target)
                missing_quote += 1
            if parent == NO_PARENT and reply_to is None and not posts[target].synthetic:
                parent = target
                post.parent_is_quote = True
        entered.append(i)
        if parent == NO_PARENT:
            # A root with a time (`_appends_only`): after the roots of its time that came
            # before it, and before the roots freed from cycles, as the relink sorts them.
            created = key(i)
            at = bisect_right(roots, created, key=key)
            while at and key(roots[at - 1]) == created and _freed(posts, by_id, roots[at - 1]):
                at -= 1
            roots.insert(at, i)
            continue
        post.parent = parent
        above = posts[parent]
        siblings = above.children
        if siblings is None:
            above.children = [i]
        else:
            siblings.insert(bisect_right(siblings, key(i), key=key), i)
        if parent < before:
            gained.add(parent)
        depth = post.depth = above.depth + 1
        if depth > max_depth:
            max_depth = depth
    # Placeholders are roots with no time: after every other root but those the relink
    # sorts after them (the thread's absent root, posts freed from cycles).
    at = len(roots)
    while at and _after_placeholders(posts, by_id, roots[at - 1]):
        at -= 1
    for index in made:
        # A placeholder for an absent quote belongs in quote cards only.
        if posts[index].children is not None:
            roots.insert(at, index)
            at += 1
            entered.append(index)
    thread.tree_size += len(entered)
    thread.max_depth = max_depth
    times = [t for i in arrived if (t := posts[i].created) is not None]
    if times:
        first, last = min(times), max(times)
        if thread.time_range is not None:
            first, last = min(first, thread.time_range[0]), max(last, thread.time_range[1])
        thread.time_range = (first, last)

    linked: list[str] = []
    if missing_reply:
        linked.append(
            f"{missing_reply} replied-to post(s) are not in the file: shown as placeholders"
        )
    if missing_quote:
        linked.append(f"{missing_quote} quoted post(s) are not in the file: shown as placeholders")
    seen = set(thread.warnings)
    warnings += [w for w in linked if w not in seen]
    thread.warnings += warnings

    change = Change(
        thread.version,
        added=added + made,
        changed=changed,
        gained_children=sorted(gained),
        moved=[i for i in arrived if i < before and posts[i].parent != NO_PARENT],
        warnings=warnings,
        entered=entered,
    )
    if not change.empty:
        _grow_caches(thread, entered, gained)
        change.version = thread.version
    return change


_SIZES_BUDGET: Final = 4
"""Subtree sizes are kept up to date by walking each new post's ancestors; past this many
steps a post of the thread, counting them again later costs less (a deep chain)."""


def _grow_caches(thread: Thread, entered: list[int], gained: set[int]) -> None:
    """Bump the version and bring the tree's caches up to date with posts that joined the
    tree where `_append` put them, the rest of the tree unchanged: the preorder gains their
    runs, subtree sizes and fold levels only their ancestors' changes. What was not
    computed stays so; the rank is computed again when read (one pass, no walk)."""
    preorder, sizes, levels = thread._preorder, thread._sizes, thread._fold_levels
    rank = thread._rank
    thread.invalidate()
    posts = thread.posts
    n = len(posts)
    new = set(entered)
    if levels is not None:
        grown = bytearray(levels)
        grown.extend(bytes(n - len(grown)))
        for i in (*entered, *gained):
            post = posts[i]
            grown[i] = min(post.depth, 254) + 1 if post.children else 0
        thread._fold_levels = bytes(grown)
    if preorder is None or rank is None or sizes is None:
        return
    key = _created(posts)
    runs: list[tuple[int, int, int, int]] = []
    for top in entered:
        parent = posts[top].parent
        if parent in new:
            continue
        siblings = thread.roots if parent == NO_PARENT else posts[parent].children
        assert siblings is not None
        at = bisect_left(siblings, key(top), key=key)
        while siblings[at] != top:
            at += 1
        # Where its run goes in the old preorder: after the subtree of the nearest sibling
        # before it that was there, else right after its parent.
        k = at - 1
        while k >= 0 and siblings[k] in new:
            k -= 1
        if k >= 0:
            before = siblings[k]
            position = rank[before] + sizes[before] + 1
            depth = -1 if parent == NO_PARENT else posts[parent].depth
        elif parent == NO_PARENT:
            position, depth = 0, -1
        else:
            position, depth = rank[parent] + 1, posts[parent].depth
        # Runs at one position: the deeper parent's first (its subtree closes first), then
        # siblings in their order.
        runs.append((position, -depth, at, top))
    runs.sort()
    out: list[int] = []
    last = 0
    for position, _, _, top in runs:
        out += preorder[last:position]
        stack = [top]
        while stack:
            i = stack.pop()
            out.append(i)
            kids = posts[i].children
            if kids:
                stack.extend(reversed(kids))
        last = position
    out += preorder[last:]
    thread._preorder = out

    sizes = sizes + [0] * (n - len(sizes))
    budget = _SIZES_BUDGET * n
    for i in entered:
        parent = posts[i].parent
        while parent != NO_PARENT:
            sizes[parent] += 1
            parent = posts[parent].parent
            budget -= 1
        if budget < 0:
            return
    thread._sizes = sizes


def _relink(thread: Thread, batch: list[Post], warnings: list[str]) -> Change:
    """Link every post again, in arrival order: the general case (a post moves, a cycle
    may close), O(n)."""
    posts = thread.posts
    by_id = thread.by_id
    order = list(thread.file_order)
    before = len(posts)
    parents = [p.parent for p in posts]
    depths = [p.depth for p in posts]
    kids = [len(p.children or ()) for p in posts]
    added: list[int] = []
    changed: list[int] = []
    for post in batch:
        index = by_id.get(post.id)
        if index is None:
            index = post.index = len(posts)
            posts.append(post)
            by_id[post.id] = index
            added.append(index)
            order.append(index)
            continue
        old = posts[index]
        post.index = index
        posts[index] = post
        if old.synthetic:
            # Filled: it arrives now, as the file would have held it here.
            order.append(index)
            changed.append(index)
            continue
        if old.author is not None:
            old.author.post_count -= 1
        if not _same(old, post):
            changed.append(index)

    merged = len(posts)
    for post in posts:
        post.parent = NO_PARENT
        post.parent_is_quote = False
        post.depth = 0
        post.children = None
        post.quoted_by = None
    placeholders = [p.index for p in posts if p.synthetic]
    thread._order = order if order != list(range(len(order))) else None
    old_warnings = thread.warnings
    thread.warnings = []
    # Linking sets a range only when some post has a time: a newer copy may take the last.
    thread.time_range = None
    finish(thread, link(posts, by_id, order, placeholders))
    seen = set(old_warnings)
    warnings += [w for w in thread.warnings if w not in seen]
    thread.warnings = old_warnings + warnings
    added += range(merged, len(posts))
    change = Change(
        thread.version,
        added=added,
        changed=changed,
        gained_children=[i for i in range(before) if len(posts[i].children or ()) > kids[i]],
        moved=[
            i for i in range(before) if posts[i].parent != parents[i] or posts[i].depth != depths[i]
        ],
        warnings=warnings,
    )
    if not change.empty:
        thread.invalidate()
        change.version = thread.version
    return change
