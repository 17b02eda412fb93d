"""HTML as the sources write it (Mastodon `content`, Hacker News `text`) → plain post text.

The normalised format holds plain text (paragraphs separated by a blank line, lines by a
newline), so the TUI never parses HTML. This reads the small, sanitised HTML those
servers send, not arbitrary web pages:

- `<p>`, `<div>`, `<pre>`, `<blockquote>`, lists and headings are blocks: a blank line
  between them. Hacker News opens paragraphs with a lone `<p>` and never closes them;
  that works too, since a block simply starts a new paragraph.
- `<br>` is a line break. Whitespace in text collapses as a browser collapses it, except
  inside `<pre>`, which is kept as written (code on Hacker News).
- `<blockquote>` lines start with "> "; a list is one paragraph, a line per item starting
  with "• " (or "1. " in an `<ol>`).
- Every `<a href>` is collected with its text, in text order. Mastodon shortens a long
  URL with `invisible` and `ellipsis` spans around parts of it; the text of every span is
  kept, so the full URL comes back. A link whose text is its own URL cut off with "..." or
  "…" (Hacker News, Bridgy) shows the whole URL instead.
- Mastodon mentions (`class="mention"`, but not `"hashtag"`) are returned as mentions,
  not links: the importer knows who they name. Hashtags stay plain text.
- Mastodon's `quote-inline` element (the "RE: <url>" fallback for servers without quote
  posts) is left out when asked, and its links are returned apart: the importer uses them
  as the quoted post's address.
- Entities are decoded once (`&amp;` → `&`, `&#x2F;` → `/`).

Malformed markup never raises: unknown tags are ignored, closing tags that close nothing
are skipped, and a tag or comment cut off by the end of the input is dropped (as a browser
drops it). The work is linear in the input: the tokenizer's patterns are possessive (no
backtracking), and the converter keeps counters, not a tree: one pass, no recursion.

Why not `html.parser`: it reads this HTML correctly, but its tokenizing alone takes longer
than this whole conversion (measured on the fixtures' posts: about 45 µs a post for
html.parser doing nothing with the tokens, about 35 µs here for the text and links), and
converting is most of an HTML source's import time. The sanitised HTML these sources send
needs only tags, attributes, comments and character references; one compiled pattern
reads those, and a pathological input cannot make it backtrack.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import unescape
from typing import Final

__all__ = ["Anchor", "Converted", "text_and_links", "to_text"]

# Blocks that end the paragraph before them and start a new one.
_BLOCKS: Final = frozenset(
    {
        "p",
        "div",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "table",
        "tr",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "figure",
        "figcaption",
        "dl",
        "dt",
        "dd",
        "details",
        "summary",
        "address",
    }
)
_VOID: Final = frozenset(
    {
        "br",
        "hr",
        "img",
        "wbr",
        "input",
        "meta",
        "link",
        "area",
        "base",
        "col",
        "embed",
        "source",
        "track",
        "param",
    }
)
# Elements whose text is never shown.
_HIDDEN: Final = frozenset({"script", "style", "template", "head", "title", "noscript"})
# HTML collapses these (and a space), and only these: a no-break space is text.
_OTHER_SPACES: Final = ("\t", "\n", "\r", "\f")
_ELLIPSIS: Final = ("...", "…")
# One pattern reads the next token; each branch is possessive, so a failed branch never
# rescans text. Groups: 1 text; 2 "/" of an end tag, 3 tag name, 4 attributes (quoted
# values may hold ">"), 5 the closing ">" (empty when a "<" or the end comes first);
# 6 a comment (to the end when unclosed); 7 a doctype, processing instruction or bogus
# comment; 8 a "<" that starts nothing, which is text.
_TOKEN = re.compile(
    r"""([^<]++)"""
    r"""|<(/?)([A-Za-z][^\s/<>]*+)((?:[^<>"']++|"[^"]*+"?|'[^']*+'?)*+)(>?)"""
    r"""|(<!--(?:[^-]++|-(?!->))*+(?:-->)?)"""
    r"""|(<[!?/][^>]*+>?)"""
    r"""|(<)"""
)
# Inline tags that change nothing in plain text. Removing them in one C pass before reading
# halves the tokens of a typical Mastodon post (mentions are <span><a><span>…).
_INERT = re.compile(
    r"""</?(?:span|b|i|em|strong|u|s|del|ins|small|sub|sup|code|abbr|cite|mark|q|time|bdi"""
    r"""|tt|kbd|samp|var|font)(?=[\s/>])(?:[^<>"']++|"[^"]*+"|'[^']*+')*+>""",
    re.IGNORECASE,
)
_ATTR = re.compile(r"""([^\s/>"'=][^\s/>"'=]*+)(?:\s*+=\s*+("[^"]*+"?|'[^']*+'?|[^\s>]++))?""")
# A link as Hacker News writes it: the href (no "<" or ">" in it) and a label with no tags.
_PLAIN_ANCHOR = re.compile(r"""<a href="([^"<>]*+)"(?: rel="nofollow")?>([^<]*+)</a>""")
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_MAX_QUOTE_PREFIX: Final = 8
# The references these servers write nearly always ("&amp;" last: decoded once, never
# again). When every "&" of a text starts one of them, str.replace decodes as
# html.unescape would; html.unescape calls back into Python for each reference.
_COMMON_REFS: Final = (
    ("&#x27;", "'"),
    ("&#39;", "'"),
    ("&quot;", '"'),
    ("&#x2F;", "/"),
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&amp;", "&"),
)
_BY_FREQUENCY: Final = ("&#x27;", "&quot;", "&#x2F;", "&gt;", "&lt;", "&amp;", "&#39;")
"""The same, the most frequent in HN and Mastodon text first."""
_CHAR_OF: Final = dict(_COMMON_REFS)
_TEXT: Final = 1
_TAG_END: Final = 5
_LONE_LT: Final = 8


@dataclass(frozen=True, slots=True)
class Anchor:
    url: str
    """The href as written (entities decoded)."""
    text: str | None
    """What the reader sees for it; None when the anchor has no text."""


@dataclass(slots=True)
class Converted:
    text: str
    links: list[Anchor] = field(default_factory=list)
    """Links in text order, mentions and hashtags not included."""
    mentions: list[Anchor] = field(default_factory=list)
    """Mastodon mention links (class "mention"), in text order."""
    quote_links: list[Anchor] = field(default_factory=list)
    """Links inside a `quote-inline` element that was left out."""


def to_text(html: str, *, drop_quote_inline: bool = False) -> Converted:
    """The plain text of `html`, with its links; never raises."""
    if "<" not in html:
        # No markup (most short comments): one paragraph of text, its references decoded
        # and its whitespace collapsed, which is all the converter would do with it.
        return Converted(_collapse(_unescape(html) if "&" in html else html))
    if not (drop_quote_inline and "quote-inline" in html):
        # (A quote-inline element may be a <span>: it must stay to be left out.)
        html = _INERT.sub("", html)
        simple = _paragraphs_and_links(html)
        if simple is not None:
            return simple
    converter = _Converter(drop_quote_inline)
    converter.feed(html)
    return converter.result()


def text_and_links(html: str) -> tuple[str, Sequence[Anchor]]:
    """`to_text(html)`'s text and links, for a source with no mentions or quote-inline
    elements (Hacker News): the same, with less work a call for text without markup."""
    if "<" not in html:
        if "&" in html:
            html = _unescape(html)
        # _collapse's checks, inline: most comments have nothing to collapse.
        if "  " in html or "\n" in html or "\t" in html or "\r" in html or "\f" in html:
            return _collapse(html), ()
        return html.strip(" "), ()
    if "<i>" not in html:
        # Hacker News's markup but italics is paragraphs and plain links, where _INERT
        # finds nothing to remove (none of its tags starts "<p", "</p", "<a " or "</a"):
        # read at once, without the pass that looks for them.
        simple = _paragraphs_and_links(html)
        if simple is not None:
            return simple.text, simple.links
    converted = to_text(html)
    return converted.text, converted.links


def _paragraphs_and_links(html: str) -> Converted | None:
    """What the converter makes of markup that is only paragraphs and plain links (Hacker
    News's, once inline tags are gone), read with str methods; None for anything else.

    Exact against the converter (test_import_html.py compares the two): each `<p>` or
    `</p>` ends a paragraph, text between tags is decoded piece by piece, and a link's
    text and URL are what `end_anchor` records.
    """
    if "</p>" in html:
        html = html.replace("</p>", "<p>")
    paragraphs: list[str] = []
    links: list[Anchor] = []
    for chunk in html.split("<p>"):
        if "<" not in chunk:
            line = _collapse(_unescape(chunk) if "&" in chunk else chunk)
        else:
            # [text, href, label, text, href, label, …, text]
            pieces = _PLAIN_ANCHOR.split(chunk)
            parts: list[str] = []
            for i in range(0, len(pieces) - 1, 3):
                text, href, label = pieces[i], pieces[i + 1], pieces[i + 2]
                if "<" in text:
                    return None
                parts.append(_unescape(text) if "&" in text else text)
                url = (_unescape(href) if "&" in href else href).strip()
                label = _unescape(label) if "&" in label else label
                if not url:
                    parts.append(label)
                    continue
                shown = _collapse(label)
                if _shortened(shown, url):
                    label = shown = url
                parts.append(label)
                links.append(Anchor(url, shown or None))
            text = pieces[-1]
            if "<" in text:
                return None
            parts.append(_unescape(text) if "&" in text else text)
            line = _collapse("".join(parts))
        if line:
            paragraphs.append(line)
    return Converted("\n\n".join(paragraphs), links)


def _unescape(text: str) -> str:
    """html.unescape(text), faster for the usual references."""
    # Hacker News writes every apostrophe as "&#x27;", and often nothing else.
    decoded = text.replace("&#x27;", "'")
    if "&" not in decoded:
        return decoded  # every "&" started one: each decoded once, as html.unescape does
    left = text.count("&")
    found: list[str] = []
    # Each "&" starts at most one of them: once the counts add up, the rest are absent.
    for ref in _BY_FREQUENCY:
        count = text.count(ref)
        if count:
            found.append(ref)
            left -= count
            if not left:
                break
    else:
        return unescape(text)
    if len(found) == 1:
        return text.replace(found[0], _CHAR_OF[found[0]])  # the usual text: one kind
    # "&amp;" last, as in _COMMON_REFS: what it decodes to is never decoded again.
    for ref, char in _COMMON_REFS:
        if ref in found:
            text = text.replace(ref, char)
    return text


def _attributes(raw: str) -> dict[str, str]:
    """`name="value"` pairs of a tag, names lower-cased, values decoded; first one wins."""
    found: dict[str, str] = {}
    for match in _ATTR.finditer(raw):
        name = match.group(1).lower()
        if name in found:
            continue
        value = match.group(2) or ""
        if value[:1] in ('"', "'"):
            value = value[1:-1] if len(value) > 1 and value[-1] == value[0] else value[1:]
        found[name] = _unescape(value) if "&" in value else value
    return found


def _shortened(text: str, url: str) -> bool:
    """`text` is `url` (with or without its scheme) cut off and marked with an ellipsis."""
    for mark in _ELLIPSIS:
        if text.endswith(mark):
            head = text[: -len(mark)]
            break
    else:
        return False
    if len(head) < 4:
        return False
    bare = _SCHEME.sub("", url, count=1)
    return url.startswith(head) or bare.startswith(head) or bare.startswith("www." + head)


def _collapse(line: str) -> str:
    """HTML's whitespace collapsing. Plain str methods: a regex substitution calls back for
    every single space and costs ten times as much on ordinary prose."""
    if "\n" in line or "\t" in line or "\r" in line or "\f" in line:
        for space in _OTHER_SPACES:
            line = line.replace(space, " ")
    while "  " in line:
        line = line.replace("  ", " ")  # halves every run: log n passes
    return line.strip(" ")


@dataclass(slots=True)
class _OpenAnchor:
    url: str | None
    kind: str  # "link" | "mention" | "hashtag"
    where: tuple[int, int, int]
    """(paragraphs, lines, parts) written when it opened: its text is what follows."""
    in_quote: bool = False


class _Converter:
    def __init__(self, drop_quote_inline: bool) -> None:
        self.drop_quote_inline = drop_quote_inline
        self.paragraphs: list[str] = []
        self.lines: list[str] = []
        """The open paragraph's finished lines (ended by <br>)."""
        self.parts: list[str] = []
        """The open line's text, as written (whitespace collapses when it ends)."""
        self.pre_depth = 0
        self.quote_depth = 0
        self.lists: list[list[int]] = []
        """Open lists: [next number] for <ol>, [] for <ul>."""
        self.skip_tag: str | None = None
        """The element being left out (hidden, or quote-inline), and how deep it nests."""
        self.skip_depth = 0
        self.skip_is_quote = False
        self.anchor: _OpenAnchor | None = None
        self.quote_text: list[str] = []
        """The text of a link inside a left-out quote-inline element."""
        self.links: list[Anchor] = []
        self.mentions: list[Anchor] = []
        self.quote_links: list[Anchor] = []

    def feed(self, html: str) -> None:
        size = len(html)
        for match in _TOKEN.finditer(html):
            kind = match.lastindex
            if kind == _TEXT:
                self.data(match.group(1))
            elif kind == _TAG_END:
                closing, name, raw, ended = match.groups()[1:5]
                if not ended and match.end() == size:
                    break  # a tag cut off by the end of the input
                tag = name.lower()
                if closing:
                    self.end(tag)
                else:
                    self.start(tag, raw)
                    if raw.endswith("/") and tag not in _VOID:
                        self.end(tag)
            elif kind == _LONE_LT:
                self.data("<")
            # Comments, doctypes and processing instructions show nothing.

    def data(self, text: str) -> None:
        if self.skip_tag is not None:
            if self.anchor is not None and self.anchor.in_quote:
                self.quote_text.append(text)
            return
        self.parts.append(_unescape(text) if "&" in text else text)

    # -- elements ------------------------------------------------------------------------

    def start(self, tag: str, raw: str) -> None:
        if self.skip_tag is not None:
            if tag == self.skip_tag:
                self.skip_depth += 1
            elif tag == "a" and self.skip_is_quote:
                self.end_anchor()
                self.anchor = _OpenAnchor(_attributes(raw).get("href"), "link", (0, 0, 0), True)
                self.quote_text = []
            return
        if tag in _VOID:
            self.void(tag, raw)
            return
        # Attributes are read only where they matter: most tags are <p> and <span>.
        attrs = _attributes(raw) if tag == "a" or "quote-inline" in raw else {}
        classes = attrs["class"].split() if "class" in attrs else ()
        if tag in _HIDDEN or (self.drop_quote_inline and "quote-inline" in classes):
            self.skip_tag, self.skip_depth = tag, 1
            self.skip_is_quote = tag not in _HIDDEN
            return
        if tag in _BLOCKS:
            if tag == "p" and self.lists:
                return  # a paragraph in a list item stays on the item's line
            self.flush()
            if tag == "pre":
                self.pre_depth += 1
            elif tag == "blockquote":
                self.quote_depth += 1
            elif tag == "ol":
                self.lists.append([1])
            elif tag == "ul":
                self.lists.append([])
        elif tag == "li":
            self.list_item()
        elif tag == "a":
            # Anchors do not nest: a new one ends the open one.
            self.end_anchor()
            kind = "link"
            if "mention" in classes:
                kind = "hashtag" if "hashtag" in classes else "mention"
            url = attrs.get("href", "").strip() or None
            where = (len(self.paragraphs), len(self.lines), len(self.parts))
            self.anchor = _OpenAnchor(url, kind, where)

    def end(self, tag: str) -> None:
        if self.skip_tag is not None:
            if tag == "a" and self.anchor is not None:
                self.end_anchor()
            if tag == self.skip_tag:
                self.skip_depth -= 1
                if not self.skip_depth:
                    self.skip_tag = None
                    self.end_anchor()
            return
        if tag in _BLOCKS:
            if tag == "p" and self.lists:
                return
            self.flush()
            if tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)
            elif tag == "blockquote":
                self.quote_depth = max(0, self.quote_depth - 1)
            elif tag in ("ol", "ul") and self.lists:
                self.lists.pop()
        elif tag == "a":
            self.end_anchor()
        elif tag == "br":
            self.void(tag, "")  # "</br>" is read as <br> by browsers
        # An end tag that closes nothing open changes nothing.

    def void(self, tag: str, raw: str) -> None:
        if tag == "br":
            if self.pre_depth:
                self.parts.append("\n")
            else:
                self.lines.append("".join(self.parts))
                self.parts = []
        elif tag == "hr":
            self.flush()
        elif tag == "img" and "alt" in raw:
            # Not in the sanitised HTML the sources send today; an alt text is all it says.
            self.data(_attributes(raw).get("alt", ""))

    def list_item(self) -> None:
        # One line per item: a list is one paragraph.
        if "".join(self.parts).strip() or self.lines:
            self.void("br", "")
        counter = self.lists[-1] if self.lists else []
        if counter:
            self.parts.append(f"{counter[0]}. ")
            counter[0] += 1
        else:
            self.parts.append("• ")

    def end_anchor(self) -> None:
        anchor = self.anchor
        if anchor is None:
            return
        self.anchor = None
        url = anchor.url
        if anchor.in_quote:
            if url:
                text = _collapse("".join(self.quote_text))
                self.quote_links.append(Anchor(url, text or None))
            return
        if not url:
            return
        paragraphs, lines, parts = anchor.where
        text = ""
        # Its text, when it is still on the open line (a <br> or block inside says no).
        if paragraphs == len(self.paragraphs) and lines == len(self.lines):
            text = _collapse("".join(self.parts[parts:]))
            if anchor.kind == "link" and _shortened(text, url):
                self.parts[parts:] = [url]
                text = url
        if anchor.kind == "mention":
            self.mentions.append(Anchor(url, text or None))
        elif anchor.kind == "link":
            self.links.append(Anchor(url, text or None))

    # -- writing -------------------------------------------------------------------------

    def flush(self) -> None:
        """End the open paragraph."""
        if not self.parts and not self.lines:
            return
        self.lines.append("".join(self.parts))
        raw, self.lines, self.parts = self.lines, [], []
        if self.pre_depth:
            # Kept as written, less the blank lines around it.
            lines = [line.rstrip() for line in "\n".join(raw).strip("\n").split("\n")]
        else:
            lines = [_collapse(line) for line in raw]
        # Blank lines from <br><br> separate like paragraphs; more than one says no more.
        kept: list[str] = []
        for line in lines:
            if line or (kept and kept[-1]):
                kept.append(line)
        while kept and not kept[-1]:
            kept.pop()
        if not kept:
            return
        if self.quote_depth:
            # Capped: n nested quotes of a line each would otherwise write n² characters.
            prefix = "> " * min(self.quote_depth, _MAX_QUOTE_PREFIX)
            kept = [prefix + line if line else prefix.rstrip() for line in kept]
        self.paragraphs.append("\n".join(kept))

    def result(self) -> Converted:
        self.end_anchor()
        self.flush()
        return Converted("\n\n".join(self.paragraphs), self.links, self.mentions, self.quote_links)
