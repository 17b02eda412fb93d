"""`?`: every key, grouped, as currently mapped (the keymap from config included)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

EXTRA_KEYS: list[tuple[str, str]] = [
    ("mouse", "click a row to select it, its ▾/▸ to fold; the wheel scrolls"),
]


def key_label(keys: str) -> str:
    names = {
        "left_square_bracket": "[",
        "right_square_bracket": "]",
        "question_mark": "?",
        "slash": "/",
        "less_than_sign": "<",
        "greater_than_sign": ">",
        "pagedown": "PgDn",
        "pageup": "PgUp",
        "space": "Space",
        "enter": "Enter",
        "escape": "Esc",
        "tab": "Tab",
        "home": "Home",
        "end": "End",
        "up": "↑",
        "down": "↓",
        "left": "←",
        "right": "→",
    }
    return " ".join(names.get(key, key) for key in keys.split(","))


def binding_rows(bindings: Iterable[BindingType], keymap: dict[str, str]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    depth_keys: list[str] = []
    for binding in bindings:
        if not isinstance(binding, Binding):
            continue
        keys = keymap.get(binding.id or "", binding.key)
        if binding.id and binding.id.startswith("tree.depth-"):
            depth_keys.append(keys)
            continue
        rows.append((key_label(keys), binding.description or binding.action))
    if depth_keys:
        rows.append((f"{depth_keys[0]}…{depth_keys[-1]}", "Collapse everything below depth 1–9"))
    return rows


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
        Binding("down,j", "scroll(1)", "Down", show=False),
        Binding("up,k", "scroll(-1)", "Up", show=False),
    ]

    def __init__(
        self, sections: list[tuple[str, list[tuple[str, str]]]], language: str = ""
    ) -> None:
        super().__init__()
        self.sections = sections
        self.language = language

    def compose(self) -> ComposeResult:
        width = max((len(k) for _, rows in self.sections for k, _ in rows), default=8) + 2
        parts: list[Content] = []
        for title, rows in self.sections:
            parts.append(Content.styled(title, "bold $text-accent"))
            for keys, what in rows:
                parts.append(
                    Content.assemble(Content.styled(keys.ljust(width), "bold"), Content(what))
                )
            parts.append(Content(""))
        if self.language:
            parts.append(Content.styled("Search (/) and filter (f) language", "bold $text-accent"))
            parts.append(Content(self.language))
            parts.append(Content(""))
        parts.append(Content.styled("Esc, q or ? closes this help.", "italic $text-muted"))
        with VerticalScroll(id="help-body") as scroll:
            scroll.border_title = "threadtui keys"
            yield Static(Content("\n").join(parts))

    def action_scroll(self, step: int) -> None:
        self.query_one("#help-body", VerticalScroll).scroll_relative(y=step, animate=False)

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
