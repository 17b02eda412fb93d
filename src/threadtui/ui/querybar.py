"""The line at the bottom where a search (`/`) or a filter (`f`) is typed.

It only reports what is typed; the app runs the query off the UI thread and tells the bar
what came of it (a `3/17` counter, `12 of 340 posts match`, or what is wrong).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Input, Static

Mode = Literal["search", "filter"]

PROMPTS: dict[Mode, str] = {"search": "/", "filter": "filter:"}
PLACEHOLDERS: dict[Mode, str] = {
    "search": 'words, "a phrase" or /regex/ — Enter keeps, Esc leaves',
    "filter": "from:handle after:+30m views:>1000 has:quote … — Enter applies, Esc closes",
}


STATUS_WIDTH = 29

TOAST_RACK = "#textual-toastrack"
"""Where each screen keeps its toasts (Textual's `Screen._extend_compose`)."""


class QueryBar(Horizontal):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Leave", id="query.leave"),
        Binding("enter", "keep", "Keep", id="query.keep"),
    ]

    # Over the panes' last line, not in their flow (its own layer, docked): opening and
    # closing it leaves the panes as they are, where taking a line from them laid out and
    # repainted the whole screen, twice a search. `place` keeps it just above whatever
    # is below the panes (the footer, a loading line).
    # An error takes a line of its own under the field (docked), as wide as the screen and
    # as many lines as it needs; a counter sits at the end of the field's line.
    DEFAULT_CSS = """
    QueryBar {
        layer: query;
        dock: bottom;
        margin-bottom: 1;
        /* Closed, it is there with no height, not taken out (display: none): a widget
           leaving or joining the screen renumbers every other's stacking order, and the
           whole screen is drawn again. */
        height: 0;
        visibility: hidden;
        background: $panel;
        &.-open { height: auto; visibility: visible; }
        & > #query-prompt { width: auto; padding: 0 1; color: $text-accent; text-style: bold; }
        & > Input { width: 1fr; }
        & > #query-status { width: auto; height: 1; padding: 0 1; color: $text-muted; }
        & > #query-status.-error {
            dock: bottom;
            width: 100%;
            height: auto;
            color: $text-error;
        }
    }
    """

    @dataclass
    class Changed(Message):
        """The query text changed (every keystroke)."""

        mode: Mode
        text: str

    @dataclass
    class Closed(Message):
        """The bar closed: `keep` is False when the user left with Escape."""

        mode: Mode
        text: str
        keep: bool

    def __init__(self) -> None:
        super().__init__(id="query-bar")
        self.mode: Mode = "search"
        # Room for "12,364 of 100,000 posts match" from the start, so the counter of a
        # first keystroke does not have to grow it.
        self._status_width = STATUS_WIDTH
        self._failed: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(PROMPTS["search"], id="query-prompt")
        yield Input(id="query-input", select_on_focus=False, compact=True)
        yield Static(" " * STATUS_WIDTH, id="query-status")

    def on_mount(self) -> None:
        self.screen.screen_layout_refresh_signal.subscribe(self, self._layout_refreshed)

    def _layout_refreshed(self, screen: object) -> None:
        if self.is_open:
            self.place()
        self._lift_toasts()

    def place(self) -> None:
        """Sit right above what is below the panes: the footer, and a loading line while
        one shows."""
        main = self.screen.query_one("#main")
        below = max(0, self.screen.size.height - main.region.bottom)
        if below and self.styles.margin.bottom != below:
            self.styles.margin = (0, 0, below, 0)

    def _lift_toasts(self) -> None:
        """Toasts sit bottom right for seconds, over whatever is there: the bar's counter
        and an error's last words while the bar is open, the loading line's progress and
        how to stop it while a fetch runs. They sit above all of that, and go back down
        when it goes. Called after each layout, so what grows (an error's lines, a loading
        line that appears) lifts them as far as it needs."""
        try:
            rack = self.screen.query_one(TOAST_RACK)
        except NoMatches:
            return  # notifications are off (tests)
        height = self.screen.size.height
        if self.is_open and self.region:
            lift = height - self.region.y
        else:
            main = self.screen.query_one("#main").region
            if not main:
                return  # not laid out yet
            lift = height - main.bottom
        if lift <= 1:
            # Only the footer below: Textual's own place for them.
            if rack.styles.inline.has_rule("margin"):
                rack.styles.clear_rule("margin")
                rack.refresh(layout=True)
        elif rack.styles.margin.bottom != lift:
            rack.styles.margin = (0, 0, lift, 0)

    @property
    def top(self) -> int:
        """The screen line the bar starts on when open (one line, above the margin)."""
        return self.screen.size.height - self.styles.margin.bottom - 1

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    def open(self, mode: Mode, text: str = "") -> None:
        self.mode = mode
        self.query_one("#query-prompt", Static).update(PROMPTS[mode])
        field = self.input
        field.placeholder = PLACEHOLDERS[mode]
        with field.prevent(Input.Changed):
            field.value = text
        field.cursor_position = len(text)
        self.show_status("")
        self.add_class("-open")
        self.place()
        # At once, not after the current messages (`focus()`), so the next key finds it.
        self.screen.set_focus(field)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def show_status(self, text: str, *, error: bool = False, failed: str | None = None) -> None:
        """A counter, or with `error` what is wrong with the query text `failed`: in full,
        on a line of its own, and Enter leaves the bar open until the text is changed."""
        status = self.query_one("#query-status", Static)
        content = Content(text)
        self._failed = failed if error else None
        if error:
            status.set_class(True, "-error")
            status.update(content)
            return
        # The status only ever grows: a new width costs the screen
        # two layout passes (a frame each), so a shorter text is padded to the width it
        # has and the keystroke is a repaint ("12 of 340 posts match" -> "3 of 340 …").
        width = content.cell_length
        if width <= self._status_width:
            status.update(content.pad_left(self._status_width - width), layout=False)
        else:
            self._status_width = width
            status.update(content)
        status.set_class(error, "-error")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self.mode, event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_keep()

    def _close(self, keep: bool) -> None:
        self.remove_class("-open")
        self._lift_toasts()
        self.post_message(self.Closed(self.mode, self.input.value, keep))

    def action_keep(self) -> None:
        if self._failed is not None and self._failed.strip() == self.input.value.strip():
            # The error is on screen: closing would hide it and keep nothing.
            self.app.bell()
            return
        self._close(True)

    def action_leave(self) -> None:
        self._close(False)
