"""The detail pane: the highlighted post in full, with the posts it quotes expanded in place.

Layout, top to bottom: the breadcrumb of the chain from the root, the post's author, time
and metrics, its text, one bordered card per quoted post (cards nest up to a depth limit,
with a guard against quote cycles), then "Replies (N)" and "Quoted by (N)".

Cards and list entries are the pane's *items*: with the pane focused, the tree's own keys
move between them (j/k, g/G), Enter folds a card or jumps to a listed post, h/l fold and
unfold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from threadtui.model import Post, Thread
from threadtui.model.timefmt import format_full
from threadtui.ui.glyphs import UNICODE, Glyphs
from threadtui.ui.text import Spans, marked, styled_text

MAX_CARD_DEPTH = 3
"""Quotes of quotes nest this deep; deeper ones become a one-line link to open."""
MAX_CARDS = 40
LIST_PAGE = 25
"""Replies and quoting posts shown at once; a root with 80,000 replies pages through them."""
BREADCRUMB_HEAD = 1
BREADCRUMB_TAIL = 3


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


def metrics_content(post: Post) -> Content | None:
    known = post.metrics.known()
    if not known:
        return None
    return Content("  ".join(f"{value:,} {name}" for name, value in known))


def status_text(post: Post) -> str:
    what = post.status.replace("_", " ")
    if post.synthetic:
        return f"This post is not in the file ({what}): the thread refers to it by id {post.id}"
    return f"This post is {what}"


class Item(Widget):
    """Something in the detail pane the keyboard can select."""

    can_focus = False

    def __init__(self, index: int, *, classes: str = "") -> None:
        super().__init__(classes=f"item {classes}".strip())
        self.index = index


class QuoteCard(Item):
    """A quoted post shown in place; folds to one line."""

    DEFAULT_CSS = """
    QuoteCard { height: auto; }
    """

    def __init__(
        self,
        pane: DetailPane,
        index: int,
        *,
        depth: int,
        chain: frozenset[int],
        folded: bool,
    ) -> None:
        super().__init__(index, classes="card")
        self.pane = pane
        self.depth = depth
        self.chain = chain
        self.folded = folded

    def compose_card(self) -> list[Widget]:
        pane = self.pane
        post = pane.thread.posts[self.index]
        g = pane.glyphs
        highlight = pane.highlight
        if self.folded:
            first = post.first_line if post.text else status_text(post)
            line = Content.assemble(
                Content.styled(f"{g.collapsed} {g.quote} ", "$text-secondary"),
                author_content(post, highlight),
                Content("  "),
                marked(first, "$text-muted", highlight),
            )
            return [Static(line, classes="card-line")]
        widgets: list[Widget] = []
        if not post.synthetic:
            meta = [time_content(post, pane.tz)]
            metrics = metrics_content(post)
            if metrics is not None:
                meta.append(metrics)
            widgets.append(
                Static(Content.styled(g.separator, "$text-muted").join(meta), classes="card-head")
            )
        if post.text is None or post.is_placeholder:
            widgets.append(Static(Content.styled(status_text(post), "italic"), classes="gone"))
        if post.text:
            widgets.append(Static(styled_text(post.text, highlight), classes="card-body"))
        widgets.extend(pane.cards_for(self.index, depth=self.depth + 1, chain=self.chain))
        return widgets

    def compose(self):
        yield from self.compose_card()

    def on_mount(self) -> None:
        self._decorate()

    def _decorate(self) -> None:
        post = self.pane.thread.posts[self.index]
        self.set_class(self.folded, "-folded")
        self.set_class(post.is_placeholder, "-missing")
        if self.folded:
            self.border_title = None
        elif post.synthetic:
            self.border_title = Content.styled(
                f"{self.pane.glyphs.quote} post {post.status.replace('_', ' ')}", "$text-warning"
            )
        else:
            self.border_title = Content.assemble(
                Content.styled(f"{self.pane.glyphs.quote} ", "$text-secondary"),
                author_content(post, self.pane.highlight),
            )

    async def toggle(self, folded: bool | None = None) -> None:
        folded = (not self.folded) if folded is None else folded
        if folded == self.folded:
            return
        self.folded = folded
        self.pane.folded_cards[self.key] = folded
        await self.recompose()
        self._decorate()
        self.pane.refresh_items()

    @property
    def key(self) -> tuple[int, ...]:
        return (*sorted(self.chain), self.index)


class LineItem(Item):
    """A one-line item that draws itself: no child widgets, so a page of them mounts fast."""

    def __init__(self, index: int, line: Content, *, classes: str) -> None:
        super().__init__(index, classes=classes)
        self.line = line

    def render(self) -> Content:
        return self.line


class NoteItem(LineItem):
    """A selectable note in a card stack: "quoted above", "quotes … (Enter to open)"."""

    def __init__(self, index: int, text: Content) -> None:
        super().__init__(index, text, classes="note")


class PostLink(LineItem):
    """A reply or a quoting post in the lists under the post; Enter jumps to it."""

    def __init__(self, pane: DetailPane, index: int) -> None:
        post = pane.thread.posts[index]
        text = post.first_line if post.text else status_text(post)
        line = Content.assemble(
            Content.styled(f"{pane.glyphs.reply} ", "$text-muted"),
            author_content(post, pane.highlight),
            Content("  "),
            marked(text, "", pane.highlight),
        )
        super().__init__(index, line, classes="link")


class MoreItem(LineItem):
    """ "… N more": Enter shows the next page of a long list."""

    def __init__(self, kind: str, shown: int, total: int) -> None:
        more = total - shown
        line = Content.styled(f"… {more:,} more (Enter to show {min(more, LIST_PAGE)})", "italic")
        super().__init__(-1, line, classes="more")
        self.kind = kind
        self.shown = shown
        self.total = total


class DetailPane(VerticalScroll, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "select(1)", "Next item", show=False, id="detail.down"),
        Binding("up,k", "select(-1)", "Previous item", show=False, id="detail.up"),
        Binding("g,home", "select_edge(0)", "First item", show=False, id="detail.first"),
        Binding("G,end", "select_edge(1)", "Last item", show=False, id="detail.last"),
        Binding("enter,space", "activate", "Open/fold", id="detail.activate"),
        Binding("left,h", "fold(1)", "Fold card", show=False, id="detail.fold"),
        Binding("right,l", "fold(0)", "Unfold card", show=False, id="detail.unfold"),
        Binding("tab,shift+tab", "app.switch_pane", "Switch pane", id="app.switch-pane"),
    ]

    @dataclass
    class JumpTo(Message):
        """Open this post in the tree."""

        index: int

    def __init__(
        self,
        thread: Thread,
        *,
        glyphs: Glyphs = UNICODE,
        tz: tzinfo = UTC,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.thread = thread
        self.glyphs = glyphs
        self.tz = tz
        self.index: int | None = None
        self.highlight: Spans | None = None
        self.items: list[Item] = []
        self.selected: int | None = None
        self.folded_cards: dict[tuple[int, ...], bool] = {}
        self._pages: dict[str, int] = {}

    # --- content --------------------------------------------------------------------------

    def compose(self):
        # The same widgets serve every post and are updated in place: remounting a dozen
        # widgets on every cursor move was most of the cost of moving.
        yield Static(classes="breadcrumb", id="crumbs")
        yield Static(classes="author", id="author")
        yield Static(classes="meta", id="meta")
        yield Static(classes="gone", id="gone")
        yield Static(classes="body", id="body")
        yield Vertical(classes="stack", id="cards")
        yield Static(classes="list-title", id="replies-title")
        yield Vertical(classes="stack", id="replies")
        yield Static(classes="list-title", id="quoted-title")
        yield Vertical(classes="stack", id="quoted")

    async def show(self, index: int | None, *, keep_selection: bool = False) -> None:
        """Show a post (None: nothing)."""
        if index != self.index:
            self._pages = {}
            self.folded_cards = {}
            keep_selection = False
        previous = self.selected if keep_selection else None
        self.index = index
        with self.app.batch_update():
            await self._fill(index)
        self.refresh_items()
        if previous is not None and self.items:
            self._select(min(previous, len(self.items) - 1), scroll=False)
        else:
            self.selected = None
            self.scroll_home(animate=False)

    def set_highlight(self, highlight: Spans | None) -> None:
        self.highlight = highlight

    def _set(self, selector: str, content: Content | None) -> None:
        widget = self.query_one(selector, Static)
        widget.display = content is not None
        if content is not None:
            widget.update(content)

    async def _restack(self, selector: str, widgets: list[Widget]) -> None:
        stack = self.query_one(selector, Vertical)
        if stack.children:
            await stack.remove_children()
        if widgets:
            await stack.mount_all(widgets)
        stack.display = bool(widgets)

    async def _fill(self, index: int | None) -> None:
        if index is None:
            for selector in ("#crumbs", "#author", "#meta", "#gone", "#body"):
                self._set(selector, None)
            for selector in ("#replies-title", "#quoted-title"):
                self._set(selector, None)
            for selector in ("#cards", "#replies", "#quoted"):
                await self._restack(selector, [])
            return
        thread = self.thread
        post = thread.posts[index]
        g = self.glyphs
        self._set("#crumbs", self._breadcrumb(index))
        self._set("#author", author_content(post, self.highlight))
        meta = [time_content(post, self.tz)]
        metrics = metrics_content(post)
        if metrics is not None:
            meta.append(metrics)
        self._set("#meta", Content.styled(g.separator, "$text-muted").join(meta))
        gone = post.is_placeholder or post.text is None
        self._set("#gone", Content.styled(status_text(post), "italic") if gone else None)
        self._set("#body", styled_text(post.text, self.highlight) if post.text else None)
        await self._restack("#cards", self.cards_for(index, depth=1, chain=frozenset({index})))
        replies = post.children or []
        quoted_by = post.quoted_by or []
        for kind, title, indexes in (
            ("replies", "Replies", replies),
            ("quoted", "Quoted by", quoted_by),
        ):
            heading = f"{title} ({len(indexes):,})"
            style = "bold" if indexes else "bold $text-muted"
            self._set(f"#{kind}-title", Content.styled(heading, style))
            await self._restack(f"#{kind}", self._post_list(kind, indexes))

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

    def cards_for(self, index: int, *, depth: int, chain: frozenset[int]) -> list[Widget]:
        """Cards for the posts `index` quotes, nested in place."""
        thread = self.thread
        by_id = thread.by_id
        g = self.glyphs
        quotes = thread.posts[index].quotes
        widgets: list[Widget] = []
        for position, quoted_id in enumerate(quotes):
            if position == MAX_CARDS:
                rest = len(quotes) - MAX_CARDS
                widgets.append(
                    NoteItem(index, Content.styled(f"… and {rest:,} more quoted posts", "italic"))
                )
                break
            target = by_id[quoted_id]
            if target in chain:
                note = Content.styled(
                    f"{g.quote} {thread.posts[target].author_label}: quoted above", "italic"
                )
                widgets.append(NoteItem(target, note))
                continue
            if depth > MAX_CARD_DEPTH:
                note = Content.assemble(
                    Content.styled(f"{g.quote} quotes ", "italic"),
                    marked(thread.posts[target].author_label, "bold", self.highlight),
                    Content.styled(" (Enter to open)", "italic $text-muted"),
                )
                widgets.append(NoteItem(target, note))
                continue
            key = (*sorted(chain), target)
            folded = self.folded_cards.get(key, False)
            widgets.append(
                QuoteCard(self, target, depth=depth, chain=chain | {target}, folded=folded)
            )
        return widgets

    def _post_list(self, kind: str, indexes: list[int]) -> list[Widget]:
        shown = min(len(indexes), self._pages.get(kind, LIST_PAGE))
        widgets: list[Widget] = [PostLink(self, i) for i in indexes[:shown]]
        if shown < len(indexes):
            widgets.append(MoreItem(kind, shown, len(indexes)))
        return widgets

    # --- items and keys -------------------------------------------------------------------

    def refresh_items(self) -> None:
        self.items = list(self.query(Item))
        if self.selected is not None and self.selected >= len(self.items):
            self.selected = len(self.items) - 1 if self.items else None
        for position, item in enumerate(self.items):
            item.set_class(position == self.selected, "-selected")

    def _select(self, position: int | None, *, scroll: bool = True) -> None:
        if not self.items:
            self.selected = None
            return
        if position is not None:
            position = max(0, min(position, len(self.items) - 1))
        for i, item in enumerate(self.items):
            item.set_class(i == position, "-selected")
        self.selected = position
        if position is not None and scroll:
            self.scroll_to_widget(self.items[position], animate=False, top=False)

    @property
    def selected_item(self) -> Item | None:
        if self.selected is None or not self.items:
            return None
        return self.items[self.selected]

    def action_select(self, step: int) -> None:
        if not self.items:
            self.scroll_relative(y=step, animate=False)
            return
        if self.selected is None:
            self._select(0 if step > 0 else len(self.items) - 1)
        else:
            self._select(self.selected + step)

    def action_select_edge(self, end: int) -> None:
        if self.items:
            self._select(len(self.items) - 1 if end else 0)
        elif end:
            self.scroll_end(animate=False)
        else:
            self.scroll_home(animate=False)

    async def action_activate(self) -> None:
        item = self.selected_item
        if isinstance(item, QuoteCard):
            await item.toggle()
        elif isinstance(item, MoreItem):
            self._pages[item.kind] = item.shown + LIST_PAGE
            await self.show(self.index, keep_selection=True)
        elif item is not None and item.index >= 0:
            self.post_message(self.JumpTo(item.index))

    async def action_fold(self, fold: int) -> None:
        item = self.selected_item
        if isinstance(item, QuoteCard):
            await item.toggle(bool(fold))

    def selected_post(self) -> int | None:
        """The post under the pane's selection (a card's post), else the shown post."""
        item = self.selected_item
        if item is not None and item.index >= 0:
            return item.index
        return self.index

    def on_focus(self) -> None:
        if self.selected is None and self.items:
            self._select(0)
