"""`o`: choose one of a post's links and open it, or copy it where no browser can open."""

from __future__ import annotations

import os
import sys
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from threadtui.model import Post
from threadtui.ui.text import find_links


def can_open_browser() -> bool:
    """Whether `webbrowser` would open a window on the user's screen, not in this terminal."""
    if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
        return False
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def post_links(post: Post) -> list[str]:
    """What `o` offers for a post, each once: its own page first, then the real targets of
    its links (a shortened `example.com/…` opens where it leads), the URLs its text shows,
    and its link cards. Never an image's file: media are named, not fetched."""
    found: dict[str, None] = {}
    if post.url:
        found[post.url] = None
    for link in post.links:
        if link.url:
            found.setdefault(link.url, None)
    for url in find_links(post.text or ""):
        found.setdefault(url, None)
    for media in post.media:
        if media.kind == "link" and media.url:
            found.setdefault(media.url, None)
    return list(found)


class LinkPicker(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "cancel", "Cancel", id="links.cancel"),
        Binding("j", "cursor(1)", "Down", show=False),
        Binding("k", "cursor(-1)", "Up", show=False),
    ]

    def __init__(self, links: list[str]) -> None:
        super().__init__()
        self.links = links

    def compose(self) -> ComposeResult:
        # Content prompts: an OptionList parses plain str prompts as markup.
        options = OptionList(*[Option(Content(url)) for url in self.links], id="links")
        options.border_title = "Open which link? (Enter, Esc cancels)"
        yield options

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.links[event.option_index])

    def action_cursor(self, step: int) -> None:
        options = self.query_one(OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
