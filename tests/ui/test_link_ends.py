"""Where a URL in a post's text ends: the punctuation after it is not part of it, but a
bracket the URL itself opened is (`o` opened `…/wiki/Foo_(bar` and the pane underlined it
so; Markdown's `**` around a link came along)."""

from __future__ import annotations

import pytest

from threadtui.ui.text import _entity_spans, find_links

WIKI = "https://en.wikipedia.org/wiki/Foo_(bar)"


@pytest.mark.parametrize(
    ("text", "url"),
    [
        (f"see {WIKI} ok", WIKI),
        (f"[a link]({WIKI})", WIKI),  # Markdown, as Reddit keeps it
        (f"(see {WIKI}).", WIKI),
        ("[tutorial](http://example.com/first-time.html)", "http://example.com/first-time.html"),
        ("mine (http://imgur.com/QgkGC.jpg)", "http://imgur.com/QgkGC.jpg"),
        ("**https://example.com/page**", "https://example.com/page"),
        ("the end https://example.com/a.", "https://example.com/a"),
        ("https://example.com/[x]", "https://example.com/[x]"),
        ("https://example.com/{id}!", "https://example.com/{id}"),
        ("https://example.com/(open", "https://example.com/(open"),
    ],
)
def test_a_url_ends_where_it_does(text: str, url: str) -> None:
    assert find_links(text) == [url]
    # The detail pane underlines the same characters `o` offers.
    (span,) = _entity_spans(text)
    assert text[span.start : span.end] == url
