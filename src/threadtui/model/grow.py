"""A thread that grows: posts added to a loaded thread, as a refresh or a fetch brings them.

The rule is simple to state and to test: adding posts gives the thread that loading a file
holding the old posts and then the new ones would give (placeholders aside: their order
among themselves is the order they were made in, and one nothing refers to any more keeps
its index, out of the tree). So the new posts are read by the checking path (load.py), with
its errors and warnings; a post whose id the thread already has replaces it (a placeholder
is filled, a real post takes the newer copy) at the same index, so the UI's indexes stay
valid.

Then, usually, only what arrived is linked (`_append`): each new post under its parent, in
time order among its siblings, and the subtrees a filled placeholder moves (its own, and
those of posts that quoted it and reply to nothing) cut out and hung where they belong;
the tree's caches (preorder, subtree sizes, fold levels) are brought up to date the same
way, and `Change.entered` tells the rows which posts to put in. That costs the batch and
the ancestors it touches, not the thread. When that cannot give what a load would (a newer
copy changes its references or its time, a reference to a post arriving later, a cycle a
move would close, a root without a time; see `_plan`), everything is linked again by
link.py, the one linker, in arrival order (`_relink`, O(n)). A property test holds both
paths to loading one file (tests/unit/test_grow_incremental.py).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate
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
    """Posts that took a new place in the tree (new ones, placeholders filled, and every
    post of a subtree that moved), every other post keeping its place: the tree's rows
    take them in where they are now. None when the thread was linked again as a whole."""

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.gained_children or self.moved)


def add_posts(thread: Thread, document_or_posts: Any) -> Change:
    return apply(thread, prepare(thread, document_or_posts))


@dataclass(slots=True, eq=False)
class Prepared:
    """A batch read and checked against a thread (`prepare`), waiting to be added to it
    (`apply`): the costly part of an add, which may run off the UI thread."""

    thread: Thread
    document: Any
    """As given: read again by `apply` if the thread's authors changed meanwhile."""
    authors_then: int
    """How many authors the thread had when this was read (authors are only added)."""
    authors: dict[str, Author]
    """Authors the batch brings: declared by it, or stand-ins for ids nobody declares."""
    fills: list[tuple[str, Author]]
    """Authors the batch declares that the thread had (by key): what it did not know."""
    posts: list[Post]
    shadows: dict[int, str]
    """Copies of the thread's authors the posts were read against (by `id`), with their
    keys: `apply` gives the posts the thread's own authors, and counts them there."""
    warnings: list[str]


class _Shadows(dict[str, Author]):
    """The authors a batch is read against: its own, and for a key the thread has, a
    copy (reading counts posts on the author it finds: the thread's must not change, and
    may be in use on another thread)."""

    def __init__(self, thread_authors: dict[str, Author]) -> None:
        super().__init__()
        self._thread = thread_authors
        self.made: dict[int, str] = {}

    def get(self, key: str, default: Any = None) -> Any:
        found = dict.get(self, key)
        if found is None:
            known = self._thread.get(key)
            if known is None:
                return default
            found = Author(known.id, known.handle, known.display_name, 0, known.extra)
            found.declared, found.url = known.declared, known.url
            self[key] = found
            self.made[id(found)] = key
        return found


def prepare(thread: Thread, document_or_posts: Any) -> Prepared:
    """Read and check posts for `thread` (a normalised document, or a list of post
    objects), changing nothing: safe off the UI thread while the thread is in use there.
    Raises ThreadFileError for input the loader would refuse."""
    r = _Reader(thread.name)
    raw_authors, raw_posts = _unpack(r, document_or_posts)
    warnings: list[str] = []
    new_authors = _read_authors(r, raw_authors, {}, warnings)
    authors_then = len(thread.authors)
    # Author ids as cleaned: one that cleans to another author's id is refused, as loading
    # refuses it.
    claimed = _Claimed(thread.authors)
    lookup = _Shadows(thread.authors)
    fills: list[tuple[str, Author]] = []
    for key, author in new_authors.items():
        if key in thread.authors:
            fills.append((key, author))
            continue
        first = claimed.setdefault(author.id, f"$.authors[{describe(key)}]")
        if first != f"$.authors[{describe(key)}]":
            r.fail(first, f"duplicate author id {describe(author.id)} (first at {first})")
        lookup[key] = author
    posts = _read_posts(r, raw_posts, lookup, {}, warnings, claimed)
    brought = {key: a for key, a in lookup.items() if id(a) not in lookup.made}
    return Prepared(
        thread, document_or_posts, authors_then, brought, fills, posts, lookup.made, warnings
    )


def apply(thread: Thread, prepared: Prepared) -> Change:
    """Add a prepared batch: as `Thread.add` of its document would, now. Cheap (the
    batch, not the thread) unless the thread's authors changed since it was read: then
    it is read again, here."""
    if prepared.thread is not thread or len(thread.authors) != prepared.authors_then:
        prepared = prepare(thread, prepared.document)
    authors = thread.authors
    shadows = prepared.shadows
    for brought in prepared.authors.values():
        # Counted below, with the rest.
        brought.post_count = 0
    for post in prepared.posts:
        author = post.author
        if author is None:
            continue
        key = shadows.get(id(author))
        if key is not None:
            author = post.author = authors[key]
        author.post_count += 1
    for key, newer in prepared.fills:
        known = authors[key]
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
    return _merge(thread, prepared.authors, prepared.posts, prepared.warnings)


class _Claimed(dict[str, str]):
    """Author ids as cleaned, each with the place of the author that claimed it first: the
    batch's as they are read, the thread's looked up when asked (a big thread has
    thousands of authors; listing them all cost more than reading a batch)."""

    def __init__(self, authors: dict[str, Author]) -> None:
        super().__init__()
        self._authors = authors
        self._renamed: dict[str, str] | None = None

    def setdefault(self, key: str, default: str) -> str:
        if key not in self:
            known = self._known(key)
            if known is not None:
                self[key] = f"$.authors[{describe(known)}]"
        return super().setdefault(key, default)

    def _known(self, clean_id: str) -> str | None:
        """The key of the thread's author whose id is `clean_id`, if any."""
        author = self._authors.get(clean_id)
        if author is not None and author.id == clean_id:
            return clean_id
        if self._renamed is None:
            # Keys that cleaning changed: few, listed once, when first asked (from a copy
            # of the items: another thread may be adding authors).
            items = list(self._authors.items())
            self._renamed = {a.id: key for key, a in items if a.id != key}
        return self._renamed.get(clean_id)


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
    moves = _plan(thread, batch)
    if moves is None:
        return _relink(thread, batch, warnings)
    return _append(thread, batch, warnings, moves)


def _created(posts: list[Post]) -> Callable[[int], float]:
    """Sort key of a post by time, as linking sorts siblings: no time sorts last."""
    inf = float("inf")

    def key(index: int) -> float:
        created = posts[index].created
        return inf if created is None else created

    return key


def _plan(thread: Thread, batch: list[Post]) -> dict[int, str] | None:
    """Whether only the arrivals need linking (`_append`), the rest of the tree keeping
    its shape: then the posts already there that move, each with its new parent (a post
    that quotes a placeholder the batch fills, and replies to nothing, may take it as its
    parent now), else None: `_relink` links everything again.

    None when a newer copy of a post changes its references or its time, when a post
    refers to itself or to one arriving after it (the relink would link it to a post not
    linked yet), when a post would become a root without a time (those sort among
    placeholders and freed cycles), when a placeholder out of the tree gets a reply
    (it becomes a root, placed by where the thread first referred to it), or when a move
    would close a cycle (the relink breaks it where the first post arrived)."""
    posts, by_id = thread.posts, thread.by_id
    arriving: dict[str, int] = {}
    fills: list[int] = []
    for k, post in enumerate(batch):
        index = by_id.get(post.id)
        if index is None:
            arriving[post.id] = k
            continue
        old = posts[index]
        if old.synthetic:
            arriving[post.id] = k
            fills.append(index)
        elif (
            old.reply_to != post.reply_to
            or old.quotes != post.quotes
            or old.created != post.created
        ):
            return None

    def real(post_id: str) -> bool:
        if post_id in arriving:
            return True
        index = by_id.get(post_id)
        return index is not None and not posts[index].synthetic

    for k, post in enumerate(batch):
        if arriving.get(post.id) != k:
            continue
        reply_to = post.reply_to
        if reply_to is not None:
            if arriving.get(reply_to, -1) >= k:
                return None
            index = by_id.get(reply_to)
            if index is not None and reply_to not in arriving:
                above = posts[index]
                if above.synthetic and not _placed(thread, above):
                    return None
            continue
        has_parent = False
        for q in post.quotes:
            at = arriving.get(q)
            if at is not None and at >= k:
                return None
            if real(q):
                has_parent = True
                break
        if not has_parent and post.created is None:
            return None

    # Posts that quote a filled placeholder and reply to nothing take their first quoted
    # post that is real now as their parent.
    moves: dict[int, str] = {}
    for fill in fills:
        for index in posts[fill].quoted_by or ():
            quoter = posts[index]
            if quoter.reply_to is not None or index in moves:
                continue
            parent = next((x for x in quoter.quotes if real(x)), None)
            current = None if quoter.parent == NO_PARENT else posts[quoter.parent].id
            if parent != current:
                assert parent is not None
                moves[index] = parent
    if not fills:
        return moves
    for mover in moves:
        # Under a root freed from a cycle, the move may end the cycle: the root would
        # take its parent back.
        top = mover
        while posts[top].parent != NO_PARENT:
            top = posts[top].parent
        if _freed(posts, by_id, top):
            return None

    # A cycle can only close through a post already there that moves: walk up from its
    # new parent, through the parents everything will have.
    by_new = {post.id: post for post in batch if arriving.get(post.id) is not None}
    moving = {posts[q].id: parent for q, parent in moves.items()}

    def parent_of(post_id: str) -> str | None:
        if post_id in moving:
            return moving[post_id]
        post = by_new.get(post_id)
        if post is None:
            index = by_id.get(post_id)
            if index is None:
                return None  # a placeholder made now: a root
            parent = posts[index].parent
            return None if parent == NO_PARENT else posts[parent].id
        if post.reply_to is not None:
            return post.reply_to
        return next((x for x in post.quotes if real(x)), None)

    starts = [*moving, *(posts[f].id for f in fills if posts[f].children is not None)]
    limit = len(posts) + len(batch)
    for start in starts:
        step, up = 0, parent_of(start)
        while up is not None:
            if up == start or step > limit:
                return None
            step += 1
            up = parent_of(up)
    return moves


def _placed(thread: Thread, placeholder: Post) -> bool:
    """Whether a placeholder has a place in the tree (as a root): it has replies, or it
    stands for the thread's root. One only quoted is a card; one nothing refers to any
    more, nothing (link.finish)."""
    return placeholder.children is not None or (
        placeholder.quoted_by is None and placeholder.id == thread.root_id
    )


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


def _root_slot(posts: list[Post], by_id: dict[str, int], roots: list[int], index: int) -> int:
    """Where a root with a time that arrives now goes: after the roots of its time that
    came before it, before those freed from cycles, as the relink sorts them."""
    key = _created(posts)
    created = key(index)
    at = bisect_right(roots, created, key=key)
    while at and key(roots[at - 1]) == created and _freed(posts, by_id, roots[at - 1]):
        at -= 1
    return at


def _put(posts: list[Post], by_id: dict[str, int], post: Post) -> Post | None:
    """Put `post` in its place: a new id at the end, a known one over the post it replaces
    (returned, for the caller to carry over what the tree knew of it)."""
    index = by_id.get(post.id)
    if index is None:
        post.index = by_id[post.id] = len(posts)
        posts.append(post)
        return None
    old = posts[index]
    post.index = index
    posts[index] = post
    return old


def _append(
    thread: Thread, batch: list[Post], warnings: list[str], moves: dict[int, str]
) -> Change:
    """Link only what arrives: each post under its parent, in time order among its
    siblings, as the relink would place it, and move the subtrees `_plan` found moving.
    Costs the batch, the moved subtrees and their ancestors, not the thread."""
    posts = thread.posts
    by_id = thread.by_id
    before = len(posts)
    # Asked before any placeholder is filled.
    real = _real_prefix(posts, before) if thread._order is None else 0
    added: list[int] = []
    changed: list[int] = []
    arrived: list[int] = []
    placed: set[int] = set()
    """Placeholders in the tree that the batch fills: they keep their subtree."""
    for post in batch:
        old = _put(posts, by_id, post)
        index = post.index
        if old is None:
            added.append(index)
            arrived.append(index)
            continue
        post.children, post.quoted_by = old.children, old.quoted_by
        if old.synthetic:
            # Filled: it arrives now, as the file would have held it here.
            if _placed(thread, old):
                # A root already: out of the roots (sorted by time, which it has now)
                # until it is linked with the rest.
                placed.add(index)
                thread.roots.remove(index)
            arrived.append(index)
            changed.append(index)
            continue
        # The same references and time: the same place in the tree.
        post.parent, post.parent_is_quote, post.depth = old.parent, old.parent_is_quote, old.depth
        if old.author is not None:
            old.author.post_count -= 1
        if not _same(old, post):
            changed.append(index)

    # Where the posts that move hang now, for the caches to take them out.
    old_chains = {q: thread.ancestors(q) for q in moves}
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
    shifted: list[int] = []
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
        if i in placed:
            # It keeps its subtree and takes its place by its time now.
            shifted.append(i)
        else:
            entered.append(i)
        if parent == NO_PARENT:
            roots.insert(_root_slot(posts, by_id, roots, i), i)
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
        if i in placed:
            max_depth = max(max_depth, _deepen(posts, i))
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

    if moves:
        arrival = (
            (lambda i: i) if thread._order is None else thread._order.index  # ties only
        )
        for mover, parent_id in moves.items():
            post = posts[mover]
            if post.parent == NO_PARENT:
                roots.remove(mover)
            else:
                old_siblings = posts[post.parent].children
                assert old_siblings is not None
                old_siblings.remove(mover)
                if not old_siblings:
                    posts[post.parent].children = None
            parent = by_id[parent_id]
            post.parent, post.parent_is_quote = parent, True
            above = posts[parent]
            siblings = above.children
            if siblings is None:
                above.children = [mover]
            else:
                created = key(mover)
                lo = bisect_left(siblings, created, key=key)
                hi = bisect_right(siblings, created, lo=lo, key=key)
                mine = arrival(mover) if lo < hi else 0
                while lo < hi and arrival(siblings[lo]) < mine:
                    lo += 1
                siblings.insert(lo, mover)
            gained.add(parent)
            rose = post.depth > above.depth + 1
            post.depth = above.depth + 1
            shifted.append(mover)
            max_depth = max(max_depth, _deepen(posts, mover))
            if rose:
                # The subtree moved up: it may have held the deepest post.
                max_depth = -1
        if max_depth < 0:
            max_depth = max(map(attrgetter("depth"), posts))
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

    moved = {i for i in arrived if i < before and posts[i].parent != NO_PARENT}
    places = list(entered)
    for top in shifted:
        below = _subtree(posts, top)
        places += below
        moved.update(i for i in below if i < before)
    change = Change(
        thread.version,
        added=added + made,
        changed=changed,
        gained_children=sorted(gained),
        moved=sorted(moved),
        warnings=warnings,
        entered=list(dict.fromkeys(places)),
    )
    if not change.empty:
        _grow_caches(thread, entered, gained, shifted, old_chains, len(arrived))
        change.version = thread.version
    return change


def _subtree(posts: list[Post], top: int) -> list[int]:
    """A post and everything below it, in preorder."""
    out: list[int] = []
    stack = [top]
    while stack:
        i = stack.pop()
        out.append(i)
        kids = posts[i].children
        if kids:
            stack.extend(reversed(kids))
    return out


def _deepen(posts: list[Post], top: int) -> int:
    """Depths below a post that moved, from its own; returns the deepest."""
    deepest = posts[top].depth
    stack = [top]
    while stack:
        post = posts[stack.pop()]
        kids = post.children
        if kids:
            depth = post.depth + 1
            deepest = max(deepest, depth)
            for k in kids:
                posts[k].depth = depth
            stack.extend(kids)
    return deepest


_SIZES_BUDGET: Final = 4
"""Subtree sizes are kept up to date by walking each new post's ancestors; past this many
steps a post of the thread, counting them again later costs less (a deep chain)."""


def _grow_caches(
    thread: Thread,
    entered: list[int],
    gained: set[int],
    moved: list[int],
    old_chains: dict[int, list[int]],
    arrivals: int,
) -> None:
    """Bump the version and bring the tree's caches up to date after `_append`: the posts
    that joined the tree (`entered`) and the subtrees that moved (`moved`, their tops; each
    one's ancestors before the move in `old_chains`) are runs of the preorder taken out of
    it and put in where they belong now, and only their ancestors' subtree sizes and fold
    levels change; `arrivals` real posts joined the count. What was not computed stays so;
    the rank is computed again when read (one pass, no walk)."""
    preorder, sizes, levels = thread._preorder, thread._sizes, thread._fold_levels
    rank, real = thread._rank, thread._real_count
    thread.invalidate()
    if real is not None:
        thread._real_count = real + arrivals
    posts = thread.posts
    n = len(posts)
    # Every post whose place is new, in the subtree of one that arrived or moved.
    runs_of: dict[int, list[int]] = {}
    inside: set[int] = set()
    for top in (*entered, *moved):
        if top not in inside:
            run = runs_of[top] = _subtree(posts, top)
            inside.update(run)
    if levels is not None:
        grown = bytearray(levels)
        grown.extend(bytes(n - len(grown)))
        lost = [chain[-1] for chain in old_chains.values() if chain]
        for i in (*inside, *gained, *lost):
            post = posts[i]
            grown[i] = min(post.depth, 254) + 1 if post.children else 0
        thread._fold_levels = bytes(grown)
    if preorder is None or rank is None or sizes is None:
        return
    tops = [
        top
        for top in (*entered, *moved)
        if top in runs_of and (posts[top].parent == NO_PARENT or posts[top].parent not in inside)
    ]
    # Taken out: the old runs of the subtrees that moved (the outermost ones hold the rest).
    cuts: list[tuple[int, int]] = []
    for top in sorted((m for m in moved if rank[m] >= 0), key=rank.__getitem__):
        start, end = rank[top], rank[top] + sizes[top] + 1
        if cuts and start < cuts[-1][1]:
            continue
        cuts.append((start, end))
    cut_starts = [start for start, _ in cuts]
    cut_before = list(accumulate((end - start for start, end in cuts), initial=0))

    def reduced(position: int) -> int:
        """A position in the old preorder, in it without the cuts (never inside one)."""
        return position - cut_before[bisect_left(cut_starts, position)]

    key = _created(posts)
    runs: list[tuple[int, int, int, int]] = []
    for top in tops:
        parent = posts[top].parent
        siblings = thread.roots if parent == NO_PARENT else posts[parent].children
        assert siblings is not None
        at = bisect_left(siblings, key(top), key=key)
        while siblings[at] != top:
            at += 1
        # After the subtree of the nearest sibling before it that kept its place, else
        # right after its parent.
        k = at - 1
        while k >= 0 and siblings[k] in inside:
            k -= 1
        depth = -1 if parent == NO_PARENT else posts[parent].depth
        if k >= 0:
            position = rank[siblings[k]] + sizes[siblings[k]] + 1
        else:
            position = 0 if parent == NO_PARENT else rank[parent] + 1
        # Runs at one position: the deeper parent's first (its subtree closes first), then
        # siblings in their order.
        runs.append((reduced(position), -depth, at, top))
    runs.sort()
    kept: list[int] = []
    last = 0
    for start, end in cuts:
        kept += preorder[last:start]
        last = end
    kept += preorder[last:]
    out: list[int] = []
    last = 0
    for position, _, _, top in runs:
        out += kept[last:position]
        out += runs_of[top]
        last = position
    out += kept[last:]
    thread._preorder = out

    # Sizes: the posts out of place counted again from their runs; their old and new
    # ancestors lose and gain them.
    sizes = sizes + [0] * (n - len(sizes))
    budget = _SIZES_BUDGET * n
    for start, end in cuts:
        gone = end - start
        for above in old_chains.get(preorder[start], ()):
            sizes[above] -= gone
        budget -= len(old_chains.get(preorder[start], ()))
    for top in tops:
        run = runs_of[top]
        for i in run:
            sizes[i] = 0
        for i in reversed(run):
            if i != top:
                sizes[posts[i].parent] += sizes[i] + 1
        above = posts[top].parent
        while above != NO_PARENT:
            sizes[above] += len(run)
            above = posts[above].parent
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
        old = _put(posts, by_id, post)
        index = post.index
        if old is None:
            added.append(index)
            order.append(index)
            continue
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
