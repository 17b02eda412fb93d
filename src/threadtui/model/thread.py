"""The in-memory thread: posts, authors and the indexes the UI and queries stand on.

Posts are addressed by their position in `Thread.posts` (an int) everywhere inside the
program: ints are cheaper than id strings in the flat arrays that let a 100,000-post thread
be walked without recursion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Final

import msgspec

from threadtui.model import format as fmt
from threadtui.model.format import Count, Edit, Link, Media, Mention, PostFields
from threadtui.model.timefmt import moment_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from threadtui.model.grow import Change

STATUSES: Final = frozenset(fmt.STATUSES)
METRIC_NAMES: Final = fmt.METRIC_NAMES
_METRIC_SET: Final = frozenset(METRIC_NAMES)

NO_PARENT: Final = -1
WALK_STEP: Final = 16_384
"""Posts `Thread.preorder_in_steps` walks between two pauses: a few milliseconds."""
_synthetic = attrgetter("synthetic")
FIRST_LINE_MAX: Final = 1_000
"""Wider than any terminal: a preview longer than this is cut and ends in "…"."""


class Metrics(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """Engagement counts; None means the source did not say, never zero.

    The fast loader decodes a post's "metrics" straight into this (the bounds and the
    refusal of other keys apply only to that decoding): no dict is built for it.
    """

    views: Count | None = None
    likes: Count | None = None
    reposts: Count | None = None
    replies: Count | None = None
    quotes: Count | None = None

    def known(self) -> list[tuple[str, int]]:
        return [
            (name, value) for name in METRIC_NAMES if (value := getattr(self, name)) is not None
        ]


NO_METRICS: Final = Metrics()
"""Shared by every post with no known metric; never mutate a post's metrics."""


@dataclass(slots=True)
class Author:
    id: str
    handle: str | None
    display_name: str | None
    post_count: int = 0
    extra: dict[str, Any] | None = None
    declared: bool = True
    """The file's `authors` has it; False for an id only its posts name."""
    url: str | None = None
    """The author's page: an http(s) URL, cleaned (else None)."""

    @property
    def label(self) -> str:
        """What a reader recognises the author by: the name, else @handle, else the id."""
        if self.display_name:
            return self.display_name
        if self.handle:
            return f"@{self.handle}"
        return self.id


class Post(msgspec.Struct, eq=False, gc=False):
    """One post. A msgspec Struct: the loader builds 100,000 of them on the way to the first
    frame, and a Struct's C constructor takes half the time of a dataclass's. No cycle ever
    runs through a post (authors and lists of ints only), so the collector need not track
    them (gc=False)."""

    index: int
    id: str
    author: Author | None
    text: str | None
    created_at: str | None
    """The timestamp as written in the file (ISO 8601 UTC); `created` is the same as epoch."""
    created: float | None
    reply_to: str | None
    quotes: tuple[str, ...]
    raw_metrics: Metrics | dict[str, Any]
    """As the loader read it (the validated JSON object, or a subclass of Metrics from the
    fast path's decoding); `metrics` turns it into Metrics once."""
    status: str
    extra: dict[str, Any] | None = None
    synthetic: bool = False
    """A placeholder the loader made for a post the file refers to but does not hold."""
    parent: int = NO_PARENT
    """Tree parent (index): reply_to, else the first quoted post in the thread."""
    parent_is_quote: bool = False
    depth: int = 0
    children: list[int] | None = None
    quoted_by: list[int] | None = None
    fields: PostFields | None = None
    """The optional fields (docs/format.md), typed and cleaned; None when the post has none.
    Read them through the properties below."""

    @property
    def url(self) -> str | None:
        """The post's own page: an http(s) URL without spaces or control characters."""
        return None if self.fields is None else self.fields.url

    @property
    def native_id(self) -> str | None:
        return None if self.fields is None else self.fields.native_id

    @property
    def edited_at(self) -> str | None:
        return None if self.fields is None else self.fields.edited_at

    @property
    def edited(self) -> float | None:
        """`edited_at` as epoch seconds."""
        return None if self.fields is None else self.fields.edited

    @property
    def content_warning(self) -> str | None:
        return None if self.fields is None else self.fields.content_warning

    @property
    def media(self) -> tuple[Media, ...]:
        return () if self.fields is None else self.fields.media

    @property
    def links(self) -> tuple[Link, ...]:
        return () if self.fields is None else self.fields.links

    @property
    def mentions(self) -> tuple[Mention, ...]:
        return () if self.fields is None else self.fields.mentions

    @property
    def more_count(self) -> int | None:
        """For a placeholder standing for comments not fetched: how many, if known."""
        more = None if self.fields is None else self.fields.more
        return None if more is None else more.count

    @property
    def more_ids(self) -> tuple[str, ...]:
        more = None if self.fields is None else self.fields.more
        return () if more is None else more.ids

    @property
    def edit_history(self) -> tuple[Edit, ...]:
        return () if self.fields is None else self.fields.edit_history

    @property
    def quote_state(self) -> str | None:
        return None if self.fields is None else self.fields.quote_state

    @property
    def metrics(self) -> Metrics:
        raw = self.raw_metrics
        if type(raw) is Metrics:
            return raw
        if isinstance(raw, dict):
            get = raw.get
            metrics = Metrics(
                get("views"), get("likes"), get("reposts"), get("replies"), get("quotes")
            )
            # A metric the format does not define stays in the JSON object, for export.
            if raw.keys() <= _METRIC_SET:
                self.raw_metrics = metrics
            return metrics
        raw = self.raw_metrics = Metrics(raw.views, raw.likes, raw.reposts, raw.replies, raw.quotes)
        return raw

    @property
    def unknown_metrics(self) -> dict[str, Any] | None:
        """Metrics the format does not define, as the file holds them (kept, not shown)."""
        raw = self.raw_metrics
        if type(raw) is not dict or raw.keys() <= _METRIC_SET:
            return None
        return {key: value for key, value in raw.items() if key not in _METRIC_SET}

    @property
    def is_placeholder(self) -> bool:
        return self.status != "ok"

    @property
    def author_label(self) -> str:
        return self.author.label if self.author is not None else "unknown"

    @property
    def created_dt(self) -> datetime | None:
        return None if self.created is None else moment_of(self.created, UTC)

    @property
    def first_line(self) -> str:
        """The text's first line, for one-line previews; at most FIRST_LINE_MAX characters.

        Bounded because every preview (tree rows, reply lists, folded cards) renders it in
        full: a 50 MB one-line post froze the detail pane for most of a minute.
        """
        if not self.text:
            return ""
        # Only a bounded prefix is ever looked at, however long the post.
        text = self.text[: 4 * FIRST_LINE_MAX].lstrip()
        end = text.find("\n", 0, FIRST_LINE_MAX + 1)
        if end >= 0:
            return text[:end]
        if len(text) > FIRST_LINE_MAX:
            return text[: FIRST_LINE_MAX - 1] + "…"
        return text


@dataclass(slots=True)
class Thread:
    """A loaded thread. Build it with `threadtui.model.load_*`; change it only with `add`,
    which bumps `version`: anything computed from a thread (counts, indexes, a search
    index, a fold array) is stale when the version it was computed at is not the
    thread's."""

    name: str
    """Where the thread came from (a file name), for messages."""
    title: str | None
    summary: str | None
    url: str | None
    root_id: str | None
    details: dict[str, str]
    """The file's details as shown: scalars as one-line text (see `raw_details`)."""
    source: dict[str, Any]
    authors: dict[str, Author]
    posts: list[Post]
    by_id: dict[str, int]
    roots: list[int]
    """Posts without a tree parent, in time order."""
    warnings: list[str] = field(default_factory=list)
    time_range: tuple[float, float] | None = None
    max_depth: int = 0
    tree_size: int = 0
    """How many posts the tree shows when all is expanded: len(preorder), known at load."""
    extra: dict[str, Any] | None = None
    """Top-level keys the format does not define, kept (cleaned) for `--format json`."""
    raw_details: dict[str, Any] | None = None
    """`thread.details` as the file holds it (cleaned), structures and numbers too."""
    meta_extra: dict[str, Any] | None = None
    """Keys of the file's `thread` object the format does not define (cleaned)."""
    version: int = 0
    """Bumped by every `add` that changes the thread."""
    _order: list[int] | None = None
    """The real posts in the order they arrived, once `add` has made that differ from
    index order (a placeholder filled keeps its index); None: the file's posts are the
    first ones, in order."""
    # Caches: every one is dropped by `invalidate` (add calls it).
    _preorder: list[int] | None = None
    _rank: list[int] | None = None
    _sizes: list[int] | None = None
    _fold_levels: bytes | None = None
    _real_count: int | None = None
    derived: dict[str, Any] = field(default_factory=dict)
    """Caches other layers compute from the posts (the query language's author index),
    by a key of their own: dropped with the rest by `invalidate`, so none outlives a change
    and none is shared between threads."""

    def add(self, document_or_posts: Any) -> Change:
        """Add posts (a normalised document, or a list of post objects, or a batch read
        for this thread by `grow.prepare`, say in a worker thread) as if the file had held
        them after its own: see grow.py. Raises ThreadFileError for input the loader would
        refuse; the thread is then unchanged."""
        # grow.py reads posts with the checking path, which builds on this module.
        from threadtui.model.grow import Prepared, add_posts, apply

        if isinstance(document_or_posts, Prepared):
            return apply(self, document_or_posts)
        return add_posts(self, document_or_posts)

    def invalidate(self) -> None:
        """Drop every cache computed from the posts, and bump `version`."""
        self._preorder = self._rank = self._sizes = None
        self._fold_levels = None
        self._real_count = None
        self.derived.clear()
        self.version += 1

    @property
    def file_order(self) -> list[int] | range:
        """The real posts (not placeholders the loader made) in the order they arrived."""
        if self._order is not None:
            return self._order
        return range(self.real_post_count)

    @property
    def file_rank(self) -> list[int] | range:
        """Per post, its place in `file_order`; placeholders after every real post."""
        if self._order is None:
            return range(len(self.posts))
        n = len(self.posts)
        rank = list(range(n, 2 * n))
        for position, index in enumerate(self._order):
            rank[index] = position
        return rank

    def __len__(self) -> int:
        return len(self.posts)

    @property
    def real_post_count(self) -> int:
        """Posts the file holds, not counting placeholders the loader added."""
        if self._real_count is None:
            # One C-level pass: the first frame's status line waits for this count.
            self._real_count = len(self.posts) - sum(map(_synthetic, self.posts))
        return self._real_count

    def post(self, post_id: str) -> Post | None:
        index = self.by_id.get(post_id)
        return None if index is None else self.posts[index]

    def children(self, index: int) -> list[int]:
        return self.posts[index].children or []

    @property
    def preorder(self) -> list[int]:
        """Every post in the tree in display order (roots in time order, depth first)."""
        if self._preorder is None:
            self._preorder = self._walk(len(self.posts))
        return self._preorder

    def preorder_head(self, limit: int, through: int = NO_PARENT) -> list[int]:
        """The first `limit` posts of `preorder`, without walking the rest of the tree;
        with `through`, as far as that post and `limit` posts past it (a cursor placed on
        a post further down: a URL's linked reply), or all of it if that post is not in
        the tree.

        A first screen needs a few dozen rows; the whole walk takes 40 ms at 100,000 posts.
        """
        if self._preorder is not None:
            order = self._preorder
            if through != NO_PARENT:
                limit += order.index(through) + 1 if through in order else len(order)
            return order[:limit]
        return self._walk(limit, through)

    def preorder_in_steps(self, pause: Callable[[], None]) -> list[int]:
        """`preorder`, walked beside the UI with `pause()` between steps of `WALK_STEP`
        posts (`threadtui.pacing.pause`: a key pressed meanwhile is answered first).

        Kept only if the thread did not change meanwhile (`version`): a merge on the UI
        thread during a pause would leave the walk half old, half new."""
        if self._preorder is None:
            version = self.version
            order = self._walk(len(self.posts), pause=pause)
            if self._preorder is None and self.version == version:
                self._preorder = order
            else:
                return self.preorder
        return self._preorder

    def derive_in_steps(self, pause: Callable[[], None]) -> None:
        """Compute what is not yet of `preorder`, `rank`, `subtree_sizes` and `fold_levels`
        (the same values), beside the UI: `pause()` between steps of `WALK_STEP` posts. At
        a million posts each is a Python pass of 0.15-0.7 s, which the keys used to share
        the interpreter with. A change to the thread meanwhile (`version`) stops it: what
        is left is computed when first read, from the thread as it is then."""
        version = self.version
        order = self.preorder_in_steps(pause)
        if self.version != version:
            return
        posts = self.posts
        if self._rank is None:
            rank = [-1] * len(posts)
            for lo in range(0, len(order), WALK_STEP):
                for position, i in enumerate(order[lo : lo + WALK_STEP], lo):
                    rank[i] = position
                pause()
            if self.version != version:
                return
            if self._rank is None:
                self._rank = rank
        if self._sizes is None:
            # As `subtree_counts`, the reverse preorder a step at a time from its end.
            counts = [0] * len(posts)
            for hi in range(len(order), 0, -WALK_STEP):
                for i in reversed(order[max(0, hi - WALK_STEP) : hi]):
                    parent = posts[i].parent
                    if parent != NO_PARENT:
                        counts[parent] += counts[i] + 1
                pause()
            if self.version != version:
                return
            if self._sizes is None:
                self._sizes = counts
        if self._fold_levels is None:
            levels = bytearray()
            for lo in range(0, len(posts), WALK_STEP):
                levels += bytes(
                    min(p.depth, 254) + 1 if p.children else 0 for p in posts[lo : lo + WALK_STEP]
                )
                pause()
            if self.version == version and self._fold_levels is None:
                self._fold_levels = bytes(levels)

    def _walk(
        self, limit: int, through: int = NO_PARENT, pause: Callable[[], None] | None = None
    ) -> list[int]:
        posts = self.posts
        order: list[int] = []
        append = order.append
        stack = list(reversed(self.roots))
        if through != NO_PARENT:
            # Apart from the loop below: the whole walk (`preorder`) pays no comparison.
            while stack:
                i = stack.pop()
                append(i)
                kids = posts[i].children
                if kids:
                    stack.extend(reversed(kids))
                if i == through:
                    limit += len(order)
                    break
        step = limit if pause is None else WALK_STEP
        while stack and len(order) < limit:
            stop = min(limit, len(order) + step)
            while stack and len(order) < stop:
                i = stack.pop()
                append(i)
                kids = posts[i].children
                if kids:
                    stack.extend(reversed(kids))
            if pause is not None:
                pause()
        return order

    @property
    def rank(self) -> list[int]:
        """rank[i] is the position of post i in `preorder`; -1 for posts not in the tree."""
        if self._rank is None:
            rank = [-1] * len(self.posts)
            for position, i in enumerate(self.preorder):
                rank[i] = position
            self._rank = rank
        return self._rank

    @property
    def subtree_sizes(self) -> list[int]:
        """Per post, how many posts its subtree holds below it; computed once, O(n)."""
        if self._sizes is None:
            self._sizes = subtree_counts(self)
        return self._sizes

    @property
    def fold_levels(self) -> bytes:
        """One byte a post: 0 if it has no replies, else its depth + 1 (at most 255).

        Folding everything below depth d folds the posts whose byte is at least d: one
        `bytes.translate`, where a Python pass over a million posts took 90 ms.
        """
        if self._fold_levels is None:
            self._fold_levels = bytes(
                min(p.depth, 254) + 1 if p.children else 0 for p in self.posts
            )
        return self._fold_levels

    def ancestors(self, index: int) -> list[int]:
        """Tree ancestors from the root down to the parent of `index`."""
        chain: list[int] = []
        posts = self.posts
        parent = posts[index].parent
        while parent != NO_PARENT:
            chain.append(parent)
            parent = posts[parent].parent
        chain.reverse()
        return chain

    def quoted_posts(self, index: int) -> list[int]:
        by_id = self.by_id
        return [by_id[q] for q in self.posts[index].quotes if q in by_id]

    def descendant_count(self, index: int) -> int:
        """Size of the subtree under `index` (not counting it)."""
        return self.subtree_sizes[index]

    def sorted_authors(self) -> list[Author]:
        """Authors by post count, most active first, then by name."""
        return sorted(self.authors.values(), key=lambda a: (-a.post_count, a.label.casefold()))


def subtree_counts(thread: Thread) -> list[int]:
    """Per post, how many posts its subtree holds below it.

    Children follow their parent in preorder, so one reverse pass adds each post into its
    parent after the post has received all of its own descendants.
    """
    posts = thread.posts
    counts = [0] * len(posts)
    for i in reversed(thread.preorder):
        parent = posts[i].parent
        if parent != NO_PARENT:
            counts[parent] += counts[i] + 1
    return counts


class MarkedBelow:
    """How many marked posts each post's subtree holds below it, read as `below[i]`.

    A subtree is a run of the preorder, so each count is the difference of two prefix sums.
    They are summed on first read, by C-level passes (map, accumulate; ~4 ms at 100,000
    posts, where a Python walk of the tree took 15), and only a folded row reads them: a
    keystroke whose rows are all unfolded never pays for them. `marks` must not change.
    """

    __slots__ = ("_marks", "_prefix", "_thread")

    def __init__(self, thread: Thread, marks: bytes | bytearray) -> None:
        self._thread = thread
        self._marks = marks
        self._prefix: list[int] | None = None

    def __getitem__(self, index: int) -> int:
        thread = self._thread
        prefix = self._prefix
        if prefix is None:
            prefix = list(accumulate(map(self._marks.__getitem__, thread.preorder), initial=0))
            self._prefix = prefix
        start = thread.rank[index] + 1
        return prefix[start + thread.subtree_sizes[index]] - prefix[start]
