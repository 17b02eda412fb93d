"""The few symbols the UI draws, in Unicode and in plain ASCII (`--ascii`, for old terminals
and mangled SSH locales). Under `--ascii` whatever else reaches the screen (Textual's own
widgets, the posts' text) is made ASCII on its way out (ui/output.py); these are the app's
own choices, so they look meant rather than replaced.

Every Unicode glyph here has East Asian width "neutral", so no terminal draws it two cells
wide and shifts the row.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Glyphs:
    expanded: str
    collapsed: str
    leaf: str
    reply: str
    quote: str
    root: str
    guide_vertical: str
    guide_branch: str
    guide_last: str
    guide_space: str
    ellipsis: str
    separator: str
    breadcrumb: str
    placeholder: str
    arrow: str
    box: tuple[str, str, str, str, str, str]
    """A card's border: top-left, top-right, bottom-left, bottom-right, horizontal, vertical."""
    new: str
    """Before the name of a post new since the last visit."""
    checked: str = "[x]"
    unchecked: str = "[ ]"
    """A list's marks: told apart by shape, not only by colour, and the same in ASCII."""


UNICODE = Glyphs(
    expanded="▾",
    collapsed="▸",
    leaf=" ",
    reply="↳",
    quote="❝",
    root="◦",
    guide_vertical="│ ",
    guide_branch="├╴",
    guide_last="└╴",
    guide_space="  ",
    ellipsis="…",
    separator=" · ",
    breadcrumb=" › ",
    placeholder="∅",
    arrow="→",
    box=("╭", "╮", "╰", "╯", "─", "│"),
    # Not ● (U+25CF): its East Asian width is "ambiguous", two cells in some terminals.
    new="✦",
)

ASCII = Glyphs(
    # Not "-": after a guide's "|-" it would read as more of the line.
    expanded="v",
    collapsed="+",
    leaf=" ",
    reply=">",
    quote='"',
    root="*",
    guide_vertical="| ",
    guide_branch="|-",
    guide_last="`-",
    guide_space="  ",
    ellipsis="~",
    separator=" - ",
    breadcrumb=" > ",
    placeholder="?",
    arrow="->",
    box=("+", "+", "+", "+", "-", "|"),
    # "+" is a folded branch and "*" a root.
    new="N",
)


ASCII_KEY_NAMES = {"↑": "up", "↓": "down", "←": "left", "→": "right", "⏎": "enter", "⌫": "bksp"}
"""Textual's key symbols, by name, for the footer under `--ascii`."""
