"""The thread as indented plain text, in tree order, one block per post."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, tzinfo

from threadtui.model import Post, Thread
from threadtui.model.timefmt import format_count, format_full

INDENT = "    "


def walk(thread: Thread, roots: Iterable[int] | None = None) -> Iterator[tuple[int, int]]:
    """(post index, depth below the starting roots) in tree order, without recursion."""
    posts = thread.posts
    stack = [(i, 0) for i in reversed(list(thread.roots if roots is None else roots))]
    while stack:
        index, depth = stack.pop()
        yield index, depth
        kids = posts[index].children
        if kids:
            stack.extend((k, depth + 1) for k in reversed(kids))


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


def render_text(thread: Thread, *, tz: tzinfo = UTC) -> str:
    lines: list[str] = []
    if thread.title:
        lines.append(thread.title)
    if thread.summary:
        lines.append(thread.summary)
    if lines:
        lines.append("")
    posts = thread.posts
    for index, depth in walk(thread):
        post = posts[index]
        pad = INDENT * depth
        marker = "» " if post.parent_is_quote else ""
        lines.append(f"{pad}{marker}{post_heading(post, tz)}")
        for line in (post.text or "").split("\n"):
            lines.append(f"{pad}  {line}" if line else "")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
