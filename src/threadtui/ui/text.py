"""Turn a post's text into styled `Content` without ever parsing it as markup.

Styles are attached as spans over the plain text, so `[bold]` or `[@click=app.quit]` in a
post is only ever characters on screen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from textual.content import Content, Span

Spans = Callable[[str], Sequence[tuple[int, int]]]

URL = re.compile(r"https?://[^\s<>\"'\u2018\u2019\u201c\u201d]+", re.IGNORECASE)
# A mention starts a word: "a@b.com" is an address, not a mention of @b.
MENTION = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?")
HASHTAG = re.compile(r"(?<![\w#&])#\w+")
_TRAILING = ".,;:!?)]}'\"’”…"

MAX_SHOWN_CHARS = 50_000
"""Longer texts are cut in the detail pane: wrapping megabytes on every cursor move would
freeze the UI, and nobody reads a 50 MB post in a terminal pane."""


def find_links(text: str) -> list[str]:
    """URLs in a post, in order, without trailing punctuation, each once."""
    seen: dict[str, None] = {}
    for match in URL.finditer(text):
        seen.setdefault(match.group().rstrip(_TRAILING), None)
    return list(seen)


def _entity_spans(text: str) -> list[Span]:
    spans: list[Span] = []
    for match in URL.finditer(text):
        url = match.group().rstrip(_TRAILING)
        spans.append(Span(match.start(), match.start() + len(url), "underline $text-accent"))
    for match in MENTION.finditer(text):
        spans.append(Span(match.start(), match.end(), "bold $text-secondary"))
    for match in HASHTAG.finditer(text):
        spans.append(Span(match.start(), match.end(), "$text-secondary"))
    return spans


def styled_text(
    text: str, highlight: Spans | None = None, *, limit: int = MAX_SHOWN_CHARS
) -> Content:
    """A post's text with links, mentions and hashtags styled and search matches marked."""
    cut = len(text) - limit if len(text) > limit else 0
    if cut:
        text = text[:limit]
    text = text.expandtabs(4)
    spans = _entity_spans(text)
    if highlight is not None:
        spans.extend(Span(start, end, "bold reverse") for start, end in highlight(text))
    content = Content(text, spans)
    if cut:
        content = content + Content.styled(
            f"\n… {cut:,} more characters not shown", "italic $text-muted"
        )
    return content


def marked(text: str, style: str, highlight: Spans | None) -> Content:
    """One styled run of untrusted text (a name, a handle), with search matches marked."""
    spans = [Span(0, len(text), style)] if style and text else []
    if highlight is not None:
        spans.extend(Span(start, end, "bold reverse") for start, end in highlight(text))
    return Content(text, spans)
