"""A post laid out as the detail pane's lines, and the items the keyboard selects in them.

Layout, top to bottom: the breadcrumb of the chain from the root, the post's author, time
and metrics, its text, one bordered card per quoted post (cards nest up to a depth limit,
with a guard against quote cycles), then "Replies (N)" (posts that reply to it) and
"Quoted by (N)" (posts that quote it, replies or not).

Cards are bounded across the whole pane, not only in depth: a post quoting forty posts that
each quote forty more would otherwise build 64,000 cards. A post's quotes come a page at a
time behind "… N more quoted posts", and once the pane holds `CARD_BUDGET` open cards or
`CARD_LINE_BUDGET` lines of them, further cards start folded (one line; Enter opens one).

The pane draws these lines itself (line API), so showing another post is one rebuild and
one repaint whatever the post holds. As a tree of widgets, the same content took three or
four layout passes, a frame each, to settle after every cursor move.

Every line is a `Content` exactly as wide as the pane, built from spans over plain text:
nothing a post says is ever parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Literal

from textual.content import Content

from threadtui.model import Post, Thread
from threadtui.model.format import MEDIA_LABELS, Media
from threadtui.model.timefmt import format_full
from threadtui.ui.glyphs import Glyphs
from threadtui.ui.text import (
    LINK_STYLE,
    MAX_SHOWN_CHARS,
    Spans,
    marked,
    mention_words,
    styled_text,
    wrap,
)

MAX_CARD_DEPTH = 3
"""Quotes of quotes nest this deep; deeper ones become a one-line link to open."""
QUOTE_PAGE = 10
"""A post's quoted posts drawn at once (as cards or links); Enter on "… N more" adds more."""
CARD_BUDGET = 24
"""Cards open by default in the whole pane; later ones start folded."""
CARD_LINE_BUDGET = 400
"""Lines of cards in the whole pane past which later cards start folded."""
CARD_TEXT_LIMIT = 2_000
"""Characters of a quoted post's text its card shows; the post itself shows them all."""
LIST_PAGE = 25
"""Replies and quoting posts shown at once; a root with 80,000 replies pages through them."""
BREADCRUMB_HEAD = 1
BREADCRUMB_TAIL = 3
MIN_CARD_WIDTH = 12
"""Narrower than this inside its parent, a card becomes a one-line link instead."""

BORDER = "$secondary 60%"
BORDER_MISSING = "$warning 50%"
BORDER_SELECTED = "$accent"
SELECTED = "on $block-cursor-background 60%"
SELECTED_BLURRED = "on $block-cursor-blurred-background"

WARNING_STYLE = "bold $text-warning"
MEDIA_STYLE = "$text-secondary"

ItemKind = Literal["card", "note", "link", "more", "warning"]


@dataclass(slots=True)
class Item:
    """Something in the pane the keyboard can select: a card, a note, a listed post, a
    content warning (Enter shows or hides what it folds)."""

    kind: ItemKind
    index: int
    """The post it stands for; -1 for "… N more"."""
    start: int = 0
    end: int = 0
    """Its lines: `start` up to, not including, `end`."""
    left: int = 0
    right: int = 0
    """Characters of the enclosing cards' borders at each side of its lines."""
    key: tuple[int, ...] = ()
    """A card's fold key: the posts whose quotes led to it, then its own."""
    folded: bool = False
    missing: bool = False
    list: str = ""
    """For "… N more": the list it extends ("replies", "quoted", or a post's quotes)."""
    shown: int = 0
    total: int = 0
    page: int = LIST_PAGE
    """For "… N more": how many more Enter shows."""


@dataclass(slots=True)
class DetailLayout:
    lines: list[Content] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.plain.rstrip() for line in self.lines)


def author_content(post: Post, highlight: Spans | None) -> Content:
    if post.author is None:
        return Content.styled("unknown author", "italic $text-muted")
    author = post.author
    parts = []
    if author.display_name:
        parts.append(marked(author.display_name, "bold", highlight))
    if author.handle:
        if parts:
            parts.append(Content(" "))
        parts.append(marked(f"@{author.handle}", "$text-muted", highlight))
    if not parts:
        parts.append(marked(author.id, "bold", highlight))
    return Content.assemble(*parts)


def time_content(post: Post, tz: tzinfo) -> Content:
    if post.created is None:
        return Content.styled("time unknown", "$text-muted")
    utc = format_full(post.created, UTC)
    text = utc
    if tz is not UTC:
        local = format_full(post.created, tz)
        if local != utc:
            text = f"{utc} · {local}"
    return Content(text)


SINGULAR = {
    "views": "view",
    "likes": "like",
    "reposts": "repost",
    "replies": "reply",
    "quotes": "quote",
}


def metrics_content(post: Post) -> Content | None:
    known = post.metrics.known()
    if not known:
        return None
    return Content(
        "  ".join(
            f"{value:,} {SINGULAR.get(name, name) if value == 1 else name}" for name, value in known
        )
    )


QUOTE_STATES = {
    "accepted": "the quote was accepted",
    "pending": "the quoted author has not approved the quote yet",
    "rejected": "the quoted author declined the quote",
    "revoked": "the quoted author withdrew the quote",
    "deleted": "the quoted post was deleted",
    "unauthorized": "the quoted post is not visible to this account",
    "blocked_account": "the quoted account is blocked",
    "blocked_domain": "the quoted server is blocked",
    "muted_account": "the quoted account is muted",
}
"""Why a quoted post is absent, by the source's `quote_state` (Mastodon's quote states)."""


def more_label(post: Post) -> str | None:
    """For a placeholder that stands for comments the source left out: what it stands for."""
    if post.fields is None or post.fields.more is None:
        return None
    count = post.more_count
    if count:
        return f"{count:,} more comment{'s' if count != 1 else ''}"
    # Reddit's "continue this thread": replies on a deeper page, how many unsaid.
    return "more replies"


def status_text(post: Post) -> str:
    more = more_label(post)
    if more is not None:
        return f"{more[0].upper()}{more[1:]} not fetched"
    what = post.status.replace("_", " ")
    if post.synthetic:
        text = f"This post is not in the file ({what}): the thread refers to it by id {post.id}"
    else:
        text = f"This post is {what}"
    state = post.quote_state
    if state:
        reason = QUOTE_STATES.get(state) or f"quote state: {state}"
        text = f"{text} ({reason})"
    return text


def _says_status(post: Post) -> bool:
    """Whether a placeholder's text only repeats what its status line says ("2 more
    comments" under "2 more comments not fetched")."""
    more = more_label(post)
    return more is not None and (post.text or "").strip().casefold() == more.casefold()


def edited_content(post: Post, tz: tzinfo) -> Content | None:
    if post.edited is None:
        return None
    return Content(f"edited {format_full(post.edited, tz)}")


def media_content(media: Media, text: str = "") -> Content:
    """`[image: alt text]`: named, never fetched. The alt text is the file's own words, so
    it is a plain run of characters, never markup."""
    label = MEDIA_LABELS.get(media.kind, media.kind)
    parts = [Content.styled(f"[{label}", MEDIA_STYLE)]
    if media.alt:
        parts.append(Content.styled(": ", MEDIA_STYLE))
        parts.append(Content.styled(media.alt, "italic"))
    parts.append(Content.styled("]", MEDIA_STYLE))
    # A link card's address, unless the post's text already shows it.
    if media.kind == "link" and media.url and media.url != media.alt and media.url not in text:
        parts.append(Content(" "))
        parts.append(Content.styled(media.url, LINK_STYLE))
    return Content.assemble(*parts)


def hidden_links(post: Post) -> list[tuple[str, str]]:
    """(shown text, real target) of each link whose target the text does not show in full:
    a shortened `example.com/…`, or a word that links somewhere."""
    text = post.text or ""
    found: dict[str, str] = {}
    for link in post.links:
        if link.url and link.url not in text and link.url not in found:
            found[link.url] = link.text or ""
    return [(shown, url) for url, shown in found.items()]


@dataclass(frozen=True, slots=True)
class _Frame:
    """An open card: its border and padding at each side of the lines inside it."""

    left: Content
    right: Content


class LineBuilder:
    """Lays out one post at one width. Cheap enough to run on every change: only the post's
    own text is long, and its wrapped lines are kept in `wraps` between builds."""

    def __init__(
        self,
        thread: Thread,
        *,
        glyphs: Glyphs,
        tz: tzinfo,
        highlight: Spans | None,
        folded: dict[tuple[int, ...], bool],
        pages: dict[str, int],
        selected: int | None,
        focused: bool,
        wraps: dict[tuple[int, int, int], list[Content]],
        replies: dict[int, list[int]] | None = None,
        is_new: Callable[[int], bool] | None = None,
        revealed: set[int] | None = None,
        activate_key: str = "Enter",
    ) -> None:
        self.thread = thread
        self.activate_key = activate_key
        """The key hints name for opening and folding (detail.activate): keys can be remapped."""
        self.is_new = is_new
        self.glyphs = glyphs
        self.tz = tz
        self.highlight = highlight
        self.folded = folded
        self.pages = pages
        self.selected = selected
        self.focused = focused
        self.wraps = wraps
        self.replies = {} if replies is None else replies
        self.revealed = set() if revealed is None else revealed
        """Posts whose content warning was opened: their text is shown."""
        self.out = DetailLayout()
        self._frames: list[_Frame] = []
        self._inner: list[int] = []
        self._started: list[bool] = []
        self._gap = False
        self._cards_open = 0
        self._card_lines = 0

    # --- emitting lines -------------------------------------------------------------------

    def build(self, index: int | None, width: int) -> DetailLayout:
        if width < 1:
            return self.out
        self._push(_Frame(Content(""), Content("")), width)
        if index is not None:
            self._post(index)
        self._apply_selection()
        return self.out

    @property
    def width(self) -> int:
        return self._inner[-1]

    def _push(self, frame: _Frame, outer: int) -> None:
        self._frames.append(frame)
        self._inner.append(outer - frame.left.cell_length - frame.right.cell_length)
        self._started.append(False)
        self._gap = False

    def _pop(self) -> None:
        self._frames.pop()
        self._inner.pop()
        self._started.pop()
        self._gap = False

    def gap(self) -> None:
        """One blank line before whatever comes next in this card (or the pane), if anything
        does; gaps asked for twice, or at a card's top or bottom, collapse to none."""
        self._gap = True

    def emit(self, content: Content) -> None:
        """One display line: cut to the width with an ellipsis if it is longer."""
        if self._gap and self._started[-1]:
            self._line(Content(""))
        self._gap = False
        self._started[-1] = True
        self._line(content)

    def _line(self, content: Content) -> None:
        body = content.truncate(self.width, ellipsis=True, pad=True)
        frames = self._frames
        if len(frames) > 1:
            self._card_lines += 1
        self.out.lines.append(
            Content.assemble(*(f.left for f in frames), body, *(f.right for f in reversed(frames)))
        )

    def emit_wrapped(self, content: Content) -> None:
        for line in wrap(content, self.width):
            self.emit(line)

    def _emit_text(self, index: int, text: str, limit: int = MAX_SHOWN_CHARS) -> None:
        key = (index, self.width, limit)
        lines = self.wraps.get(key)
        if lines is None:
            post = self.thread.posts[index]
            content = styled_text(
                text,
                self.highlight,
                limit=limit,
                link_texts=[link.text for link in post.links if link.text and link.url],
                mentions=mention_words([mention.handle for mention in post.mentions]),
            )
            lines = wrap(content, self.width)
            self.wraps[key] = lines
        for line in lines:
            self.emit(line)

    def _begin_item(self, item: Item) -> Item:
        if self._gap and self._started[-1]:
            # The blank line before an item is not part of it.
            self._line(Content(""))
            self._gap = False
        item.start = len(self.out.lines)
        item.left = sum(f.left.cell_length for f in self._frames)
        item.right = sum(f.right.cell_length for f in self._frames)
        self.out.items.append(item)
        return item

    def _apply_selection(self) -> None:
        if self.selected is None or not 0 <= self.selected < len(self.out.items):
            return
        item = self.out.items[self.selected]
        style = SELECTED if self.focused else SELECTED_BLURRED
        lines = self.out.lines
        for y in range(item.start, item.end):
            line = lines[y]
            lines[y] = line.stylize(style, item.left, len(line.plain) - item.right)

    # --- the post -------------------------------------------------------------------------

    def _post(self, index: int) -> None:
        post = self.thread.posts[index]
        crumbs = self._breadcrumb(index)
        if crumbs is not None:
            self.emit_wrapped(crumbs.stylize_before("$text-muted"))
            self.gap()
        self.emit_wrapped(author_content(post, self.highlight).stylize_before("bold"))
        meta = self._meta(post).stylize_before("$text-muted")
        if self.is_new is not None and self.is_new(index):
            meta = Content.assemble(Content.styled("new ", "bold $text-success"), meta)
        self.emit_wrapped(meta)
        self.gap()
        if post.is_placeholder or post.text is None:
            self.emit_wrapped(Content.styled(status_text(post), "italic $text-muted"))
            self.gap()
        if not self._warning(post):
            if post.text and not _says_status(post):
                self._emit_text(index, post.text)
                self.gap()
            self._attachments(post)
        self.gap()
        self._quotes(index, depth=1, chain=frozenset({index}))
        self.gap()
        g = self.glyphs
        for kind, title, indexes, glyph in (
            ("replies", "Replies", self._replies(index), g.reply),
            ("quoted", "Quoted by", post.quoted_by or [], g.quote),
        ):
            heading = f"{title} ({len(indexes):,})"
            self.emit(Content.styled(heading, "bold" if indexes else "bold $text-muted"))
            self._post_list(kind, indexes, glyph)
            self.gap()

    def _replies(self, index: int) -> list[int]:
        """The posts that reply to this one. Its tree children also hold posts that only
        quote it (a post with no reply_to hangs under the first post it quotes); those
        belong under "Quoted by" alone."""
        found = self.replies.get(index)
        if found is None:
            posts = self.thread.posts
            children = posts[index].children or []
            found = [i for i in children if not posts[i].parent_is_quote]
            self.replies[index] = found
        return found

    def _warning(self, post: Post) -> bool:
        """The line a content warning folds the post behind; True while it is folded."""
        warning = post.content_warning
        if not warning:
            return False
        folded = post.index not in self.revealed
        item = self._begin_item(Item("warning", post.index, folded=folded))
        glyph = self.glyphs.collapsed if folded else self.glyphs.expanded
        action = f"{self.activate_key} to {'show' if folded else 'hide'}"
        self.emit_wrapped(
            Content.assemble(
                Content.styled(f"{glyph} CW: ", WARNING_STYLE),
                Content.styled(warning, "bold"),
                Content.styled(f"  ({action})", "italic $text-muted"),
            )
        )
        item.end = len(self.out.lines)
        self.gap()
        return folded

    def _attachments(self, post: Post) -> None:
        """Media as `[image: alt]` lines, then the real targets of links the text shortens."""
        for media in post.media:
            self.emit_wrapped(media_content(media, post.text or ""))
        links = hidden_links(post)
        for shown, url in links:
            parts = [Content.styled(f"{self.glyphs.arrow} ", "$text-muted")]
            if shown:
                parts += [Content.styled(shown, "$text-muted"), Content(" ")]
            parts.append(Content.styled(url, LINK_STYLE))
            self.emit_wrapped(Content.assemble(*parts))

    def _meta(self, post: Post) -> Content:
        meta = [time_content(post, self.tz)]
        edited = edited_content(post, self.tz)
        if edited is not None:
            meta.append(edited)
        metrics = metrics_content(post)
        if metrics is not None:
            meta.append(metrics)
        return Content.styled(self.glyphs.separator, "$text-muted").join(meta)

    def _breadcrumb(self, index: int) -> Content | None:
        chain = self.thread.ancestors(index)
        if not chain:
            return None
        posts = self.thread.posts
        g = self.glyphs

        def crumb(i: int) -> Content:
            return marked(posts[i].author_label, "", self.highlight)

        if len(chain) > BREADCRUMB_HEAD + BREADCRUMB_TAIL + 1:
            skipped = len(chain) - BREADCRUMB_HEAD - BREADCRUMB_TAIL
            parts = [crumb(i) for i in chain[:BREADCRUMB_HEAD]]
            parts.append(Content.styled(f"{g.ellipsis}{skipped:,} more{g.ellipsis}", "italic"))
            parts.extend(crumb(i) for i in chain[-BREADCRUMB_TAIL:])
        else:
            parts = [crumb(i) for i in chain]
        parts.append(Content.styled("this post", "bold"))
        return Content.styled(g.breadcrumb, "$text-muted").join(parts)

    def _post_list(self, kind: str, indexes: list[int], glyph: str) -> None:
        shown = min(len(indexes), self.pages.get(kind, LIST_PAGE))
        posts = self.thread.posts
        for i in indexes[:shown]:
            item = self._begin_item(Item("link", i))
            self.emit(self._post_line(posts[i], Content.styled(f"{glyph} ", "$text-muted"), ""))
            item.end = len(self.out.lines)
        if shown < len(indexes):
            self._more(kind, shown, len(indexes), LIST_PAGE)

    def _more(self, kind: str, shown: int, total: int, page: int, what: str = "") -> None:
        """The line that stands for the rest of a list: Enter shows `page` more."""
        more = total - shown
        item = self._begin_item(Item("more", -1, list=kind, shown=shown, total=total, page=page))
        if what and more == 1:
            what = what.removesuffix("s")
        label = (
            f"{self.glyphs.ellipsis} {more:,} more{what}"
            f" ({self.activate_key} to show {min(more, page)})"
        )
        self.emit(Content.styled(label, "italic"))
        item.end = len(self.out.lines)

    def _post_line(self, post: Post, lead: Content, text_style: str) -> Content:
        """A post in one line: a glyph, its author, its first line (or what became of it)."""
        if post.content_warning and post.index not in self.revealed:
            # A line standing for the post must not show what its warning folds.
            text = f"CW: {post.content_warning}"
        else:
            text = post.first_line if post.text else status_text(post)
        return Content.assemble(
            lead,
            author_content(post, self.highlight),
            Content("  "),
            marked(text, text_style, self.highlight),
        )

    # --- quote cards ----------------------------------------------------------------------

    def _note(self, index: int, content: Content) -> None:
        item = self._begin_item(Item("note", index))
        self.emit(content)
        item.end = len(self.out.lines)

    def _quotes(self, index: int, *, depth: int, chain: frozenset[int]) -> None:
        """Cards for the posts `index` quotes, nested in place, a blank line between."""
        thread = self.thread
        posts = thread.posts
        g = self.glyphs
        quotes = posts[index].quotes
        page_key = f"quotes {','.join(map(str, sorted(chain)))}"
        shown = min(len(quotes), self.pages.get(page_key, QUOTE_PAGE))
        for quoted_id in quotes[:shown]:
            self.gap()
            target = thread.by_id[quoted_id]
            if target in chain:
                label = posts[target].author_label
                self._note(target, Content.styled(f"{g.quote} {label}: quoted above", "italic"))
                continue
            if depth > MAX_CARD_DEPTH or self.width - 4 < MIN_CARD_WIDTH:
                self._note(
                    target,
                    Content.assemble(
                        Content.styled(f"{g.quote} quotes ", "italic"),
                        marked(posts[target].author_label, "bold", self.highlight),
                        Content.styled(f" ({self.activate_key} to open)", "italic $text-muted"),
                    ),
                )
                continue
            self._card(target, depth=depth, chain=chain)
        if shown < len(quotes):
            self.gap()
            self._more(page_key, shown, len(quotes), QUOTE_PAGE, " quoted posts")

    def _card(self, index: int, *, depth: int, chain: frozenset[int]) -> None:
        post = self.thread.posts[index]
        g = self.glyphs
        key = (*sorted(chain), index)
        folded = self.folded.get(key)
        if folded is None:
            # Past the budget a card starts folded: what a fan-out of quotes costs is
            # bounded for the whole pane, not per card.
            folded = self._cards_open >= CARD_BUDGET or self._card_lines >= CARD_LINE_BUDGET
        if not folded:
            self._cards_open += 1
        position = len(self.out.items)
        item = self._begin_item(
            Item("card", index, key=key, folded=folded, missing=post.is_placeholder)
        )
        if folded:
            lead = Content.styled(f"{g.collapsed} {g.quote} ", "$text-secondary")
            self.emit(self._post_line(post, lead, "$text-muted"))
            item.end = len(self.out.lines)
            return
        if position == self.selected and self.focused:
            border = BORDER_SELECTED
        else:
            border = BORDER_MISSING if post.is_placeholder else BORDER
        top_left, top_right, bottom_left, bottom_right, across, side = g.box
        width = self.width
        if post.synthetic:
            title = Content.styled(
                f"{g.quote} post {post.status.replace('_', ' ')}", "$text-warning"
            )
        else:
            title = Content.assemble(
                Content.styled(f"{g.quote} ", "$text-secondary"),
                author_content(post, self.highlight),
            )
        title = title.truncate(width - 6, ellipsis=True)
        fill = width - 5 - title.cell_length
        self.emit(
            Content.assemble(
                Content.styled(f"{top_left}{across} ", border),
                title,
                Content.styled(f" {across * fill}{top_right}", border),
            )
        )
        self._push(
            _Frame(
                Content.assemble(Content.styled(side, border), " "),
                Content.assemble(" ", Content.styled(side, border)),
            ),
            width,
        )
        if not post.synthetic:
            self.emit_wrapped(self._meta(post).stylize_before("$text-muted"))
        if post.is_placeholder or post.text is None:
            self.emit_wrapped(Content.styled(status_text(post), "italic"))
        if not self._warning(post):
            if post.text and not _says_status(post):
                self._emit_text(index, post.text, CARD_TEXT_LIMIT)
            self._attachments(post)
        self._quotes(index, depth=depth + 1, chain=chain | {index})
        self._pop()
        self.emit(Content.styled(f"{bottom_left}{across * (width - 2)}{bottom_right}", border))
        item.end = len(self.out.lines)
