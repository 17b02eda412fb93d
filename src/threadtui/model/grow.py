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

from dataclasses import dataclass, field
from typing import Any

from threadtui.model.format import SCHEMA, SCHEMA_VERSION
from threadtui.model.link import finish, link
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
    posts = thread.posts
    by_id = thread.by_id
    thread.authors.update(authors)
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
