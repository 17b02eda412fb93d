"""`--print`: the thread, or the posts a filter matches with their ancestors as context,
as plain text, Markdown or JSON, in tree order and indented as in the tree."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, tzinfo
from typing import Any

import orjson

from threadtui.model import Author, Post, Thread
from threadtui.model import format as fmt
from threadtui.model.format import MEDIA_LABELS, Media
from threadtui.model.timefmt import format_count, format_full
from threadtui.query import FilterView, Query, highlight_spans
from threadtui.ui.glyphs import UNICODE, Glyphs

INDENT = "    "
MAX_INDENT_DEPTH = 16
"""Deeper posts stop moving right and show their depth: output stays linear in size."""


def indent_of(depth: int, unit: str) -> tuple[str, str]:
    """(padding, depth label) for a post at `depth`."""
    if depth <= MAX_INDENT_DEPTH:
        return unit * depth, ""
    return unit * MAX_INDENT_DEPTH, f"[depth {depth}] "


FORMATS = ("text", "markdown", "json")


def shown_posts(thread: Thread, view: FilterView | None) -> Iterator[tuple[int, bool]]:
    """(post index, is a match) in tree order: everything, or matches and their context."""
    if view is None:
        for index in thread.preorder:
            yield index, True
        return
    member, context = view.member, view.context
    for index in thread.preorder:
        if member[index]:
            yield index, True
        elif context[index]:
            yield index, False


def post_heading(post: Post, tz: tzinfo = UTC) -> str:
    parts = [post.author_label]
    if post.author is not None and post.author.handle and post.author.display_name:
        parts[0] += f" @{post.author.handle}"
    if post.created is not None:
        parts.append(format_full(post.created, tz))
    if post.metrics.views is not None:
        parts.append(f"{format_count(post.metrics.views)} views")
    if post.is_placeholder:
        parts.append(f"[{post.status.replace('_', ' ')}]")
    return " · ".join(parts)


def media_line(media: Media, text: str) -> str:
    """`[image: alt text]`, and a link card's address unless the text shows it."""
    label = MEDIA_LABELS.get(media.kind, media.kind)
    line = f"[{label}: {media.alt}]" if media.alt else f"[{label}]"
    if media.kind == "link" and media.url and media.url != media.alt and media.url not in text:
        line += f" {media.url}"
    return line


def post_body(post: Post) -> list[str]:
    """A post's lines as the detail pane has them, unfolded: its content warning, its text,
    then its attachments. A post with none of them (a placeholder) has no line, not an
    empty one."""
    text = post.text or ""
    lines = [f"CW: {post.content_warning}"] if post.content_warning else []
    if text:
        if lines:
            lines.append("")
        lines += text.split("\n")
    media = [media_line(m, text) for m in post.media]
    if media:
        if lines:
            lines.append("")
        lines += media
    return lines


def matched_quotes(thread: Thread, post: Post, query: Query | None) -> list[Post]:
    """The quoted posts through which `post` matched a search, when its own text, name and
    handle hold none of the words: what a reader needs to see why it is listed."""
    if query is None or not query.highlights:
        return []
    if any(highlight_spans(query, field) for field in _own_fields(post)):
        return []
    posts = thread.posts
    return [
        posts[i]
        for i in thread.quoted_posts(post.index)
        if any(highlight_spans(query, field) for field in _own_fields(posts[i]))
    ]


def _own_fields(post: Post) -> list[str]:
    fields = [post.text or ""]
    if post.author is not None:
        fields.append(post.author.display_name or "")
        if post.author.handle:
            fields.append(f"@{post.author.handle}")
    return fields


def render_text(
    thread: Thread,
    *,
    tz: tzinfo = UTC,
    view: FilterView | None = None,
    query: Query | None = None,
    glyphs: Glyphs = UNICODE,
) -> str:
    """`query` is the one `view` was built from: with it, a post listed only because a
    post it quotes matches shows that post under its own text."""
    lines: list[str] = []
    if thread.title:
        lines.append(thread.title)
    if thread.summary:
        lines.append(thread.summary)
    if view is not None:
        lines.append(view.status())
    if lines:
        lines.append("")
    posts = thread.posts
    for index, is_match in shown_posts(thread, view):
        post = posts[index]
        pad, label = indent_of(post.depth, INDENT)
        # The tree's mark for a post placed under the post it quotes.
        marker = label + (f"{glyphs.quote} " if post.parent_is_quote else "")
        if not is_match:
            # Context is only there to show where a match sits: its first line is enough.
            lines.append(f"{pad}{marker}({post_heading(post, tz)}) [context]")
            if post.first_line:
                lines.append(f"{pad}  {post.first_line}")
            continue
        lines.append(f"{pad}{marker}{post_heading(post, tz)}")
        for line in post_body(post):
            lines.append(f"{pad}  {line}" if line else "")
        for quoted in matched_quotes(thread, post, query):
            lines.append(
                f"{pad}  {glyphs.quote} matched in the quoted post by {post_heading(quoted, tz)}"
            )
            for line in (quoted.text or "").split("\n"):
                lines.append(f"{pad}    {line}" if line else "")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# Inline syntax anywhere (emphasis, code, links, HTML, tables, strikethrough), and block
# syntax only where it works: at the start of a line (lists, headings, numbered lists).
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([-+#=])", re.MULTILINE)
# Digits cannot be escaped; the dot or parenthesis of "1." / "1)" can.
_MARKDOWN_NUMBERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def md_escape(text: str) -> str:
    """Make a stranger's text inert in Markdown: no links, emphasis, HTML or lists."""
    text = _MARKDOWN_INLINE.sub(r"\\\1", text)
    text = _MARKDOWN_NUMBERED.sub(r"\1\\\2", text)
    return _MARKDOWN_LINE_START.sub(r"\1\\\2", text)


def render_markdown(
    thread: Thread,
    *,
    tz: tzinfo = UTC,
    view: FilterView | None = None,
    query: Query | None = None,
    glyphs: Glyphs = UNICODE,
) -> str:
    out: list[str] = []
    if thread.title:
        out += [f"# {md_escape(thread.title)}", ""]
    if thread.summary:
        out += [md_escape(thread.summary), ""]
    if view is not None:
        out += [f"*{view.status()}*", ""]
    posts = thread.posts
    for index, is_match in shown_posts(thread, view):
        post = posts[index]
        pad, label = indent_of(post.depth, "  ")
        glyph = label + (f"{glyphs.quote} " if post.parent_is_quote else "")
        heading = md_escape(post_heading(post, tz))
        if not is_match:
            out.append(f"{pad}- {glyph}*{heading} (context)*")
            continue
        out.append(f"{pad}- {glyph}**{heading}**")
        for line in post_body(post):
            out.append(f"{pad}  > {md_escape(line)}" if line else f"{pad}  >")
        for quoted in matched_quotes(thread, post, query):
            shown = md_escape(post_heading(quoted, tz))
            out.append(f"{pad}  >")
            out.append(
                f"{pad}  > {md_escape(glyphs.quote)} *matched in the quoted post by {shown}*"
            )
            for line in (quoted.text or "").split("\n"):
                out.append(f"{pad}  > > {md_escape(line)}" if line else f"{pad}  > >")
    return "\n".join(out).rstrip("\n") + "\n"


def render_json(thread: Thread, *, view: FilterView | None = None, query: str = "") -> bytes:
    """A normalised thread holding the shown posts (so threadtui can open it again).

    Posts are written in the file's order, and everything the loader kept is written back:
    unknown keys at every level, metrics the format does not define, structured details and
    the source notes, all as cleaned at load. Placeholders the loader made for absent posts
    are left out: the references that made them are kept, so loading the output makes them
    again. Without a filter, loading the output gives the thread loaded here.
    """
    posts = thread.posts
    # In file order: posts that arrived later (Thread.add) after those before them.
    rank = thread.file_rank
    shown = sorted(shown_posts(thread, view), key=lambda item: rank[item[0]])
    out_posts: list[dict[str, Any]] = []
    authors: dict[str, dict[str, Any]] = {}

    def add_author(author: Author) -> None:
        # An id only posts name stays only there: loading the output warns of it again.
        if not author.declared:
            return
        entry = authors[author.id] = {"handle": author.handle, "display_name": author.display_name}
        if author.url is not None:
            entry["url"] = author.url
        if author.extra:
            entry.update(author.extra)

    if view is None:
        # Every author, with posts or without, as the file has them.
        for known in thread.authors.values():
            add_author(known)
    for index, is_match in shown:
        post = posts[index]
        if post.synthetic:
            continue
        author = post.author
        if author is not None and author.id not in authors:
            add_author(author)
        metrics = post.metrics
        metrics_out: dict[str, Any] = {
            "views": metrics.views,
            "likes": metrics.likes,
            "reposts": metrics.reposts,
            "replies": metrics.replies,
            "quotes": metrics.quotes,
        }
        unknown = post.unknown_metrics
        if unknown:
            metrics_out.update(unknown)
        entry: dict[str, Any] = {
            "id": post.id,
            "author": None if author is None else author.id,
            "text": post.text,
            "created_at": post.created_at,
            "reply_to": post.reply_to,
            "quotes": list(post.quotes),
            "metrics": metrics_out,
            "status": post.status,
        }
        if post.fields is not None:
            entry.update(post.fields.to_json())
        if post.extra:
            entry.update(post.extra)
        if view is not None:
            entry["match"] = is_match
        out_posts.append(entry)
    meta: dict[str, Any] = {
        "title": thread.title,
        "summary": thread.summary,
        "url": thread.url,
        "root": thread.root_id,
        "details": thread.raw_details if thread.raw_details is not None else thread.details,
    }
    if thread.meta_extra:
        meta.update(thread.meta_extra)
    document: dict[str, Any] = {
        "schema": fmt.SCHEMA,
        "schema_version": fmt.SCHEMA_VERSION,
        "thread": meta,
        "source": thread.source,
        "authors": authors,
        "posts": out_posts,
    }
    if thread.extra:
        # Unknown top-level keys, after the format's own (which they can never replace).
        document.update(thread.extra)
    if view is not None:
        document["query"] = {
            "text": query,
            "matches": view.match_count,
            "of": view.total,
            "shown": len(shown),
        }
    return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"
