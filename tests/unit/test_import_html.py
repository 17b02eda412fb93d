"""HTML → plain text for the Mastodon and Hacker News importers (importers/html.py)."""

from __future__ import annotations

from html import unescape

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadtui.importers.html import (
    _INERT,
    Anchor,
    _Converter,
    _paragraphs_and_links,
    _unescape,
    text_and_links,
    to_text,
)


def text(html: str, **options: bool) -> str:
    return to_text(html, **options).text


# --- blocks and lines ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>one</p><p>two</p>", "one\n\ntwo"),
        # Hacker News: a lone <p> opens each paragraph after the first, none is closed.
        ("first<p>second<p>third", "first\n\nsecond\n\nthird"),
        ("<p>a<br>b<br/>c</br>d</p>", "a\nb\nc\nd"),
        # Two <br> are a blank line; more say nothing more.
        ("<p>a<br><br><br><br>b<br></p>", "a\n\nb"),
        # Whitespace collapses as in a browser; a no-break space is text.
        ("<p>  a \n\t b\u00a0 c  </p>\n\n<p>\n</p>", "a b\u00a0 c"),
        ("<div>a</div><h2>b</h2>c<hr>d", "a\n\nb\n\nc\n\nd"),
        ("<blockquote><p>q1</p><p>q2<br>q3</p></blockquote>after", "> q1\n\n> q2\n> q3\n\nafter"),
        (
            "<ol><li>one<li>two</ol><ul><li>x</li><li><p>y</p></li></ul>",
            "1. one\n2. two\n\n• x\n• y",
        ),
        # <pre> is kept as written, less the blank lines around it.
        (
            "Code:<p><pre><code>  if x:\n      y()\n\n  z\n</code></pre>\nDone.",
            "Code:\n\n  if x:\n      y()\n\n  z\n\nDone.",
        ),
        ("", ""),
        ("   ", ""),
        ("<p></p><p> </p>", ""),
    ],
)
def test_blocks_and_lines(html: str, expected: str) -> None:
    assert text(html) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("a &amp; b &lt;i&gt; &quot;c&quot; &#39;d&#x27; &#x2F;e", "a & b <i> \"c\" 'd' /e"),
        ("x&amp", "x&"),  # as browsers read it
        ("&nbsp;", "\u00a0"),
        ("&amp;lt;", "&lt;"),  # decoded once, not twice
        ("a < b > c", "a < b > c"),
        ("<b>bold</b> <i>it</i> <code>x</code> <em>e</em> <strong>s</strong>", "bold it x e s"),
        ("<unknown-tag a=b>kept</unknown-tag>", "kept"),
        ("a<!-- hidden <p>x</p> -->b<!DOCTYPE html>c<?pi x?>d</ x>e", "abcde"),
        ("<script>if (a<b) { x = '</p>' }</script>shown<style>p{}</style>", "shown"),
        ('<img alt="A &amp; B" src="x">', "A & B"),
    ],
)
def test_entities_and_inline(html: str, expected: str) -> None:
    assert text(html) == expected


# --- links ----------------------------------------------------------------------------------


def test_links_keep_their_real_href_in_text_order() -> None:
    result = to_text(
        '<p>see <a href="https://a.example/x?y=1&amp;z=2">this</a> and'
        " <a href='https://b.example/'>https://b.example/</a></p>"
    )
    assert result.text == "see this and https://b.example/"
    assert result.links == [
        Anchor("https://a.example/x?y=1&z=2", "this"),
        Anchor("https://b.example/", "https://b.example/"),
    ]


def test_mastodon_shortened_url_spans_give_back_the_full_url() -> None:
    html = (
        '<p>read <a href="https://example.com/a/very/long/path/to/read" rel="nofollow noopener"'
        ' target="_blank"><span class="invisible">https://</span><span class="ellipsis">'
        'example.com/a/very/lo</span><span class="invisible">ng/path/to/read</span></a> now</p>'
    )
    result = to_text(html)
    assert result.text == "read https://example.com/a/very/long/path/to/read now"
    assert result.links == [
        Anchor("https://example.com/a/very/long/path/to/read", result.links[0].text)
    ]
    assert result.links[0].text == "https://example.com/a/very/long/path/to/read"


@pytest.mark.parametrize(
    ("label", "href", "shown"),
    [
        # Hacker News and Bridgy cut a long URL and mark it "..."; the href is the full one.
        (
            "https:&#x2F;&#x2F;example.org&#x2F;a&#x2F;long&#x2F;...",
            "https://example.org/a/long/path",
            "https://example.org/a/long/path",
        ),
        (
            "bsky.app/profile/h4lc...",
            "https://bsky.app/profile/h4lcy/post/1",
            "https://bsky.app/profile/h4lcy/post/1",
        ),
        ("example.com/a…", "https://www.example.com/a/b", "https://www.example.com/a/b"),
        # Not the URL cut off: the reader's text stays.
        ("read more...", "https://example.org/more", "read more..."),
        ("evil.example/...", "https://example.org/", "evil.example/..."),
        ("e...", "https://e.example/", "e..."),
    ],
)
def test_cut_off_url_text_shows_the_whole_url(label: str, href: str, shown: str) -> None:
    result = to_text(f'<p>x <a href="{href}">{label}</a></p>')
    assert result.text == f"x {shown}"
    assert result.links == [Anchor(href, shown)]


def test_mentions_are_apart_from_links_and_hashtags_are_text() -> None:
    html = (
        '<p><span class="h-card"><a href="https://ex.social/@amy" class="u-url mention">'
        '@<span>amy</span></a></span> hi <a href="https://ex.social/tags/Tag"'
        ' class="mention hashtag" rel="tag">#<span>Tag</span></a>'
        ' <a href="https://ex.org/">ex.org</a></p>'
    )
    result = to_text(html)
    assert result.text == "@amy hi #Tag ex.org"
    assert result.mentions == [Anchor("https://ex.social/@amy", "@amy")]
    assert result.links == [Anchor("https://ex.org/", "ex.org")]


def test_anchor_without_href_or_text() -> None:
    result = to_text('<a name="x">target</a> <a href="https://e.example/"></a>')
    assert result.text == "target"
    assert result.links == [Anchor("https://e.example/", None)]


# --- quote-inline ---------------------------------------------------------------------------

QUOTED = (
    '<p>my words <a href="https://ex.org/">ex.org</a><span class="quote-inline"><br><br>RE:'
    ' <a href="https://ex.social/@b/1">https://ex.social/@b/1</a></span></p>'
)


def test_quote_inline_is_dropped_only_when_asked_and_its_link_kept_apart() -> None:
    kept = to_text(QUOTED)
    assert kept.text == "my words ex.org\n\nRE: https://ex.social/@b/1"
    assert [a.url for a in kept.links] == ["https://ex.org/", "https://ex.social/@b/1"]
    assert kept.quote_links == []

    dropped = to_text(QUOTED, drop_quote_inline=True)
    assert dropped.text == "my words ex.org"
    assert dropped.links == [Anchor("https://ex.org/", "ex.org")]
    assert dropped.quote_links == [Anchor("https://ex.social/@b/1", "https://ex.social/@b/1")]


def test_quote_inline_paragraph_with_nested_spans() -> None:
    html = (
        '<p>mine</p><p class="quote-inline">RE: <span><span>x</span></span>'
        ' <a href="https://q.example/1">q</a></p><p>after</p>'
    )
    assert text(html, drop_quote_inline=True) == "mine\n\nafter"


# --- hostile and malformed --------------------------------------------------------------------


def test_hostile_text_stays_data() -> None:
    html = "<p>[bold]x[/bold] \x1b[31mred\x1b[0m \u202eevil</p>"
    # Not rendered, not stripped: the loader makes control characters inert, once.
    assert text(html) == "[bold]x[/bold] \x1b[31mred\x1b[0m \u202eevil"


@pytest.mark.parametrize(
    "html",
    [
        "<b><i></u></b>x</i>",
        "<a href=x>y<a href=z>w",
        '<p>cut <a href="https://e.example/',
        "x <a href",
        "<!-- never closed <p>y",
        "<a x<y>z",
        "</p></div></blockquote></pre></ol></a>x",
        "<pre>",
        "<span class='quote-inline'>never closed",
    ],
)
def test_malformed_markup_never_raises(html: str) -> None:
    result = to_text(html, drop_quote_inline=True)
    assert isinstance(result.text, str)


def test_cut_off_tag_is_dropped_and_what_came_before_stays() -> None:
    assert text('<p>kept</p><p>also <a href="https://e.example/') == "kept\n\nalso"


@pytest.mark.parametrize(
    "html",
    [
        "<a x='" * 20_000,
        '<a x="' * 20_000,
        "<a" * 40_000,
        "<a x=" * 20_000,
        "<!--" * 40_000,
        "<span>" * 40_000 + "x" + "</span>" * 40_000,
        '<span class="quote-inline">' * 20_000 + "x",
        "<blockquote>x" * 20_000,
        "<ol>" + "<li>x" * 20_000,
        "<" * 100_000,
    ],
    ids=lambda html: html[:12],
)
def test_pathological_markup_is_read_in_one_pass(html: str) -> None:
    # Quadratic work on these would take minutes; linear takes a moment. The output stays
    # proportional to the input (quote prefixes are capped).
    result = to_text(html, drop_quote_inline=True)
    assert len(result.text) <= 10 * len(html)


_PIECES = [
    *"<>/=\"' &;#xa-p!-\n",
    *("<p>", "</p>", "<br>", "<a href='u'>", "</a>", "<pre>", "</pre>", "<li>", "<ol>"),
    *('<span class="quote-inline">', "</span>", "<blockquote>", "&amp;", "&#x2F;", "…"),
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60).map("".join), st.booleans())
def test_any_text_converts_without_error(html: str, drop: bool) -> None:
    result = to_text(html, drop_quote_inline=drop)
    assert "\n\n\n" not in result.text
    # No blank line before the first paragraph or after the last (<pre> keeps its indent).
    assert result.text == result.text.strip("\n").rstrip(" ")
    for anchor in (*result.links, *result.mentions, *result.quote_links):
        assert anchor.url


_REF_PIECES = [
    *("&#x27;", "&#39;", "&quot;", "&#x2F;", "&lt;", "&gt;", "&amp;", "&", "a", " ", "lt;"),
    *("&amp", "&#x27", "&#39", "&#X27;", "&#x2f;", "&copy;", "&amp;lt;", "&#x26;", "#x27;"),
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_REF_PIECES), max_size=12).map("".join))
def test_references_decode_as_html_unescape_does(text: str) -> None:
    # The str.replace fast path must agree with html.unescape on every mix of the usual
    # references, the unusual ones, bare "&" and references made by decoding ("&amp;lt;").
    assert _unescape(text) == unescape(text)


_PLAIN_PIECES = [*"ab \n\t\r", "\u00a0", "  ", "&#x27;", "&amp;", "&lt;", "&", "&copy;", "&#10;"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PLAIN_PIECES), max_size=12).map("".join))
def test_text_without_markup_converts_as_the_converter_would(plain: str) -> None:
    # to_text skips the converter for text with no "<"; the converter must agree with it.
    converter = _Converter(drop_quote_inline=False)
    converter.feed(plain)
    assert to_text(plain) == converter.result()


_HN_LINKS = [
    '<a href="https:&#x2F;&#x2F;e.example&#x2F;a&#x2F;b" rel="nofollow">'
    "https:&#x2F;&#x2F;e.example&#x2F;a...</a>",
    '<a href="https://e.example/a/b">e.example/a…</a>',
    '<a href=" https://e.example/a/b ">  https://e.example/a/b\n</a>',
    '<a href="https://e.example/a/b" rel="nofollow"> label &amp; more </a>',
    '<a href=" ">x</a>',
    '<a href="">x</a>',
    '<a href="u"></a>',
    '<a href="u">e.example/a...</a>',
]
# Mostly what Hacker News writes, with some of what it does not (the converter's part).
_HN_PIECES = [
    *"ab \n\t;/",
    *_HN_LINKS,
    *_HN_LINKS,
    *("<p>", "<p>", "</p>", "<i>", "</i>", "&#x27;", "&quot;", "&amp;", "&lt;", "&copy;"),
    *("&", "  ", "\u00a0", "https://e.example/a/b", "<pre><code>", "</code></pre>", "<br>"),
    *("<P>", "<", ">", "<!-- c -->", "<a href=u>", "</a>"),
]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_HN_PIECES), max_size=14).map("".join))
def test_paragraphs_and_links_convert_as_the_converter_would(html: str) -> None:
    # to_text reads Hacker News's markup (paragraphs, plain links) with str methods and
    # gives the rest to the converter: both must agree on whatever the first reads.
    converter = _Converter(drop_quote_inline=False)
    converter.feed(_INERT.sub("", html))
    assert to_text(html) == converter.result()


_INERT_TAGS = ["<b>", "</b>", "<span>", "</span>", "<abbr>", '<a href="u"><i>x</i></a>']


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from([*_HN_PIECES, *_PLAIN_PIECES, *_REF_PIECES, *_INERT_TAGS]), max_size=14
    )
)
def test_text_and_links_are_to_texts(pieces: list[str]) -> None:
    # What the Hacker News importer calls: to_text's text and links, whatever the input
    # (it reads paragraphs and links before looking for inline tags to remove).
    html = "".join(pieces)
    converted = to_text(html)
    text, links = text_and_links(html)
    assert (text, list(links)) == (converted.text, converted.links)


@pytest.mark.parametrize(
    "html",
    [
        "a<p>b &#x27;c&#x27;<p><i>d</i></p>",
        '<a href="https:&#x2F;&#x2F;e.example&#x2F;a" rel="nofollow">https:&#x2F;&#x2F;e...</a>',
        'x <a href="https://e.example/">label</a> y<p>z',
    ],
)
def test_hacker_news_markup_is_read_without_the_converter(html: str) -> None:
    # The markup HN writes takes the fast path (test above: with the converter's result).
    assert _paragraphs_and_links(_INERT.sub("", html)) is not None
