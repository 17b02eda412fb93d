"""Which of Textual's themes threadtui offers.

Every theme whose colours threadtui can see is offered: the output stage (ui/output.py)
raises whatever a theme draws too faintly to WCAG AA, in truecolor, 256 and 16 colours.
The ANSI themes are not: they hand the terminal palette numbers, and what those look like
is the terminal's setting, so no contrast can be known or kept. A 16-colour terminal is
served by the downgrade of any offered theme instead.
"""

from __future__ import annotations

from textual.theme import BUILTIN_THEMES, Theme

DEFAULT_THEME = "textual-dark"


def offered(theme: Theme) -> bool:
    return not theme.ansi


OFFERED: tuple[str, ...] = tuple(sorted(name for name, t in BUILTIN_THEMES.items() if offered(t)))
NOT_OFFERED: tuple[str, ...] = tuple(sorted(set(BUILTIN_THEMES) - set(OFFERED)))


def theme_problem(name: str) -> str | None:
    """Why `name` cannot be used (one line), or None when it can."""
    if name in OFFERED:
        return None
    if name in NOT_OFFERED:
        return (
            f"theme {name!r} uses the terminal's own palette, whose contrast threadtui cannot"
            f" check; using {DEFAULT_THEME}"
        )
    return f"unknown theme {name!r} (themes: {', '.join(OFFERED)}); using {DEFAULT_THEME}"
