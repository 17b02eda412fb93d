"""The few symbols the UI draws, in Unicode and in plain ASCII (`--ascii`, for old terminals
and mangled SSH locales).

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
    box: str
    """A card's border: top-left, top-right, bottom-left, bottom-right, horizontal, vertical."""


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
    box="╭╮╰╯─│",
)

ASCII = Glyphs(
    expanded="-",
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
    box="++++-|",
)
