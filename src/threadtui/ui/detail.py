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
from textual.containers import VerticalScroll
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
LIST_PAGE = 100
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


class NoteItem(Item):
    """A one-line, selectable note in a card stack: "quoted above", "quotes more"."""

    def __init__(self, index: int, text: Content) -> None:
        super().__init__(index, classes="note")
        self.text = text

    def compose(self):
        yield Static(self.text)


class PostLink(Item):
    """A reply or a quoting post in the lists under the post; Enter jumps to it."""

    def __init__(self, pane: DetailPane, index: int) -> None:
        super().__init__(index, classes="link")
        self.pane = pane

    def compose(self):
        post = self.pane.thread.posts[self.index]
        g = self.pane.glyphs
        text = post.first_line if post.text else status_text(post)
        yield Static(
            Content.assemble(
                Content.styled(f"{g.reply} ", "$text-muted"),
                author_content(post, self.pane.highlight),
                Content("  "),
                marked(text, "", self.pane.highlight),
            ),
            classes="link-line",
        )


class MoreItem(Item):
    """ "… N more": Enter shows the next page of a long list."""

    def __init__(self, pane: DetailPane, kind: str, shown: int, total: int) -> None:
        super().__init__(-1, classes="more")
        self.pane = pane
        self.kind = kind
        self.shown = shown
        self.total = total

    def compose(self):
        more = self.total - self.shown
        yield Static(
            Content.styled(f"… {more:,} more (Enter to show {min(more, LIST_PAGE)})", "italic")
        )


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

    async def show(self, index: int | None, *, keep_selection: bool = False) -> None:
        """Show a post (None: nothing). Rebuilds the pane's widgets."""
        if index != self.index:
            self._pages = {}
            self.folded_cards = {}
            keep_selection = False
        previous = self.selected if keep_selection else None
        self.index = index
        with self.app.batch_update():
            await self.remove_children()
            if index is not None:
                await self.mount_all(self._build(index))
        self.refresh_items()
        if previous is not None and self.items:
            self._select(min(previous, len(self.items) - 1), scroll=False)
        else:
            self.selected = None
            self.scroll_home(animate=False)

    def set_highlight(self, highlight: Spans | None) -> None:
        self.highlight = highlight

    def _build(self, index: int) -> list[Widget]:
        thread = self.thread
        post = thread.posts[index]
        g = self.glyphs
        widgets: list[Widget] = []

        crumbs = self._breadcrumb(index)
        if crumbs is not None:
            widgets.append(Static(crumbs, classes="breadcrumb"))

        widgets.append(Static(author_content(post, self.highlight), classes="author"))
        meta = [time_content(post, self.tz)]
        metrics = metrics_content(post)
        if metrics is not None:
            meta.append(metrics)
        widgets.append(
            Static(Content.styled(g.separator, "$text-muted").join(meta), classes="meta")
        )
        if post.is_placeholder or post.text is None:
            widgets.append(Static(Content.styled(status_text(post), "italic"), classes="gone"))
        if post.text:
            widgets.append(Static(styled_text(post.text, self.highlight), classes="body"))

        widgets.extend(self.cards_for(index, depth=1, chain=frozenset({index})))

        replies = post.children or []
        quoted_by = post.quoted_by or []
        widgets.extend(self._post_list("replies", f"Replies ({len(replies):,})", replies))
        widgets.extend(self._post_list("quoted", f"Quoted by ({len(quoted_by):,})", quoted_by))
        return widgets

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

    def _post_list(self, kind: str, title: str, indexes: list[int]) -> list[Widget]:
        if not indexes:
            return [Static(Content.styled(title, "bold $text-muted"), classes="list-title")]
        shown = min(len(indexes), self._pages.get(kind, LIST_PAGE))
        widgets: list[Widget] = [Static(Content.styled(title, "bold"), classes="list-title")]
        widgets.extend(PostLink(self, i) for i in indexes[:shown])
        if shown < len(indexes):
            widgets.append(MoreItem(self, kind, shown, len(indexes)))
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
