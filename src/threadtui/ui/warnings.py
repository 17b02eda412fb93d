"""`w`: every warning about this session, to read at leisure (a toast vanishes for good).

Warnings quote the file and the config, so their text is untrusted: Content, never markup.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from threadtui.ui.help import ReadingScreen, RowList
from threadtui.ui.keys import bound_key

SHOWN = 500
"""Warnings listed at most per section: a broken 100,000-post file may have one a post."""


class WarningsScreen(ReadingScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,w", "dismiss", "Close", id="warnings.close"),
    ]
    body_id = "warnings-body"

    def __init__(self, sections: list[tuple[str, list[str]]]) -> None:
        """`sections`: (heading, warnings) pairs; empty ones are left out."""
        super().__init__()
        self.sections = [(title, lines) for title, lines in sections if lines]

    @property
    def count(self) -> int:
        return sum(len(lines) for _, lines in self.sections)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="warnings-body") as body:
            count = self.count
            body.border_title = Content(f"{count} warning{'s' if count != 1 else ''}")
            # The key as the user mapped it; Content, since a key map may name `[`.
            body.border_subtitle = Content(
                f"{bound_key(self, 'warnings.close', self.BINDINGS)} closes"
            )
            if not self.sections:
                yield Static(Content("Nothing to warn about."))
            for title, lines in self.sections:
                yield Static(Content.styled(title, "bold $text-accent"), classes="help-heading")
                shown = [("-", Content(line)) for line in lines[:SHOWN]]
                if len(lines) > SHOWN:
                    more = f"and {len(lines) - SHOWN:,} more: threadtui validate FILE lists all"
                    shown.append(("", Content.styled(more, "italic")))
                # A long warning wraps under itself, not back under the dash.
                yield RowList(shown, 2, "$text-warning")
