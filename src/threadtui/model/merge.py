"""Several inputs, one thread: merge normalised documents by post id.

A Mastodon status and its context, a Bluesky thread and its quotes, a folder of Hacker
News items, pages of X API results: each is a partial view of one conversation, and the
same post often appears in more than one of them. Ids carry the platform
(`bluesky:at://…`), so the same id means the same post, and different platforms never
collide.

Rules, chosen so that nothing is lost and nothing is silently overwritten:
- Posts keep the order of their first appearance.
- The richest copy of a post is the base (a real post beats a placeholder; then the copy
  with more known fields); the other copies fill its gaps (null fields, absent keys).
- Where two copies both know a field and disagree, the base wins and a warning names the
  post and the field. Metrics are exempt: they are counts taken at different moments, so
  the larger is kept without a warning.
- Authors merge the same way; thread fields take the first known value.

Plain Python on the document dicts, before the loader checks them: the result is an
ordinary document, so every error is still reported by the loader with its JSON path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from threadtui import __version__
from threadtui.model.sanitize import clean_line

__all__ = ["merge_documents"]

_METRICS = "metrics"
# Fields whose disagreement is not worth a warning: the merge of two partial views
# naturally differs there (a placeholder's status, lists one copy saw more of).
_QUIET = frozenset({"status", "quotes", "mentions", "links", "media"})


def merge_documents(
    documents: Sequence[tuple[str, dict[str, Any]]],
) -> tuple[dict[str, Any], list[str]]:
    """Merge `(name, document)` pairs into one document; return it and the warnings.

    Documents that are not objects with a `posts` list are passed through for the loader
    to reject with a proper message: merging must not hide a bad input.
    """
    if len(documents) == 1:
        return documents[0][1], []
    warnings: list[str] = []
    first = documents[0][1]
    merged: dict[str, Any] = {
        "schema": first.get("schema"),
        "schema_version": first.get("schema_version"),
    }
    thread: dict[str, Any] = {}
    authors: dict[str, Any] = {}
    posts: dict[str, dict[str, Any]] = {}
    sources: list[Any] = []
    extra: dict[str, Any] = {}

    for name, document in documents:
        raw_thread = document.get("thread")
        if isinstance(raw_thread, dict):
            for key, value in raw_thread.items():
                if thread.get(key) is None:
                    thread[key] = value
        if "source" in document:
            sources.append(document["source"])
        raw_authors = document.get("authors")
        if isinstance(raw_authors, dict):
            for author_id, author in raw_authors.items():
                if author_id in authors and isinstance(author, dict):
                    base = authors[author_id]
                    if isinstance(base, dict):
                        authors[author_id] = _combine(
                            base, author, f"author {clean_line(author_id)!r}", name, warnings
                        )
                        continue
                authors.setdefault(author_id, author)
        raw_posts = document.get("posts")
        if not isinstance(raw_posts, list):
            # Let the loader name this input's problem.
            return document, warnings
        for post in raw_posts:
            post_id = post.get("id") if isinstance(post, dict) else None
            if not isinstance(post_id, str) or post_id not in posts:
                # Posts without a usable id go through unchanged: the loader reports them.
                posts[post_id if isinstance(post_id, str) else f"\0{len(posts)}"] = post
                continue
            posts[post_id] = _combine(
                posts[post_id], post, f"post {clean_line(post_id)!r}", name, warnings
            )
        for key, value in document.items():
            if key not in ("schema", "schema_version", "thread", "source", "authors", "posts"):
                extra.setdefault(key, value)

    merged["thread"] = thread
    merged["source"] = _merged_source(sources)
    merged["authors"] = authors
    merged["posts"] = list(posts.values())
    merged.update(extra)
    return merged, warnings


def _richness(record: dict[str, Any]) -> tuple[bool, int]:
    known = sum(1 for value in record.values() if value not in (None, [], {}, ""))
    return (record.get("status", "ok") == "ok", known)


def _combine(
    a: dict[str, Any], b: dict[str, Any], what: str, name: str, warnings: list[str]
) -> dict[str, Any]:
    base, other = (a, b) if _richness(a) >= _richness(b) else (b, a)
    result = dict(base)
    for key, value in other.items():
        mine = result.get(key)
        if mine is None or mine == [] or mine == {}:
            result[key] = value
        elif key == _METRICS and isinstance(mine, dict) and isinstance(value, dict):
            result[key] = _larger_metrics(mine, value)
        elif value is not None and value != mine and key not in _QUIET:
            warnings.append(
                f"{clean_line(name)}: {what}: copies disagree on {clean_line(str(key))!r};"
                " kept the fuller copy's"
            )
    return result


def _larger_metrics(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    result = dict(a)
    for key, value in b.items():
        mine = result.get(key)
        if mine is None or (
            isinstance(value, int)
            and isinstance(mine, int)
            and not isinstance(value, bool)
            and value > mine
        ):
            result[key] = value
    return result


def _merged_source(sources: list[Any]) -> dict[str, Any]:
    dicts = [s for s in sources if isinstance(s, dict)]
    platforms = {s.get("platform") for s in dicts}
    times = sorted(t for s in dicts if isinstance(t := s.get("retrieved_at"), str))
    return {
        "platform": platforms.pop() if len(platforms) == 1 else "mixed",
        "kind": "merge",
        "importer": f"threadtui.model.merge {__version__}",
        "retrieved_at": times[-1] if times else None,
        "inputs": sources,
    }
