"""The same post seen twice becomes one post: the one rule, for one input and for several.

A Mastodon status and its context, a Bluesky thread and its quotes, a folder of Hacker
News items, pages of X API results: each is a partial view of one conversation, and the
same post often appears more than once, in one response (an X tweet in `data` and again
in `includes`, a Bluesky post in the thread and again as a quoted card) or across the
inputs of one `threadtui a.json b.json`. Ids carry the platform (`bluesky:at://…`), so
the same id means the same post, and different platforms never collide.

`merge_post` and `merge_author` are the rule, and `add_copy` adds a post or an author to
a table by id with it; the importers' collector (`importers/collect.py`) and
`merge_documents` (several inputs) both go through `add_copy`. The rule,
chosen so that nothing is lost and nothing is silently overwritten:

- The copy seen first keeps its position; the merged post takes its place.
- The richer copy is the base: a real post beats a placeholder, and a placeholder that
  says why the post is missing (`deleted`, `removed`, `blocked`, `not_found`) beats one
  that only says it was not fetched; then the copy with more known fields (each known
  metric counts); on a tie, the copy seen first.
- The other copy fills the base's gaps: a field that is absent, null, "" or empty.
- Lists (`quotes`, `media`, `links`, `mentions`, any other) are united in order of first
  appearance, the first-seen copy's entries first. An entry that another entry only
  completes (every field both know is equal: an image without its URL and the same image
  with it) is one entry, with the fields of both.
- Metrics are counts taken at different moments: each is the larger known one.
- Where both copies know `author`, `text`, `created_at` or `reply_to` and differ, or two
  placeholders give different reasons, the base's value stays and the field is named as a
  disagreement, for the caller to warn about, naming the post and where each copy came
  from (`disagreement`). Other fields (addresses, details) keep the base's value quietly:
  two views of one post often write them differently (a URL with the handle or the DID).
- Authors merge the same way (their disagreements: `handle`, `display_name`); thread
  fields take the first known value.

Plain Python on the document dicts, before the loader checks them: the result is an
ordinary document, so every error is still reported by the loader with its JSON path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from threadtui import __version__
from threadtui.model.sanitize import clean_line

__all__ = ["add_copy", "disagreement", "merge_author", "merge_documents", "merge_post"]

_POST_CHECKED: Final = ("author", "text", "created_at", "reply_to")
_AUTHOR_CHECKED: Final = ("handle", "display_name")
_OK: Final = "ok"
_UNSEEN: Final = "not_fetched"
"""The placeholder that says least: the input did not hold the post, nothing more."""


def _known(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _is_count(value: Any) -> bool:
    return type(value) is int


def _rank(record: dict[str, Any]) -> tuple[int, int]:
    """How much a copy says: its status first (post > placeholder with a reason >
    placeholder without one), then how many fields (and metrics) it knows."""
    status = record.get("status", _OK)
    standing = 2 if status == _OK else 0 if status == _UNSEEN else 1
    known = 0
    for key, value in record.items():
        if key == "metrics" and type(value) is dict:
            known += sum(1 for count in value.values() if _is_count(count))
        elif _known(value):
            known += 1
    return standing, known


def merge_post(kept: dict[str, Any], other: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Two copies of one post (`kept` seen first) as one, and the fields they disagree on.

    Neither argument is changed: the result is a new dict.
    """
    base, rest = (other, kept) if _rank(other) > _rank(kept) else (kept, other)
    merged = _merge(base, rest, kept)
    fields = [key for key in _POST_CHECKED if _differs(base.get(key), rest.get(key))]
    statuses = (kept.get("status", _OK), other.get("status", _OK))
    if _OK not in statuses and _UNSEEN not in statuses and statuses[0] != statuses[1]:
        fields.append("status")
    return merged, fields


def merge_author(kept: dict[str, Any], other: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Two copies of one author as one, and the fields they disagree on (as `merge_post`)."""
    base, rest = (other, kept) if _rank(other) > _rank(kept) else (kept, other)
    merged = _merge(base, rest, kept)
    return merged, [key for key in _AUTHOR_CHECKED if _differs(base.get(key), rest.get(key))]


def disagreement(
    what: str, fields: Sequence[str], there: str, merged: dict[str, Any], later: dict[str, Any]
) -> str:
    """The warning for two copies that disagree, for the place the later copy was read:
    `what` names the record (`post 'x:1'`), `there` is where the earlier copy was read,
    `merged` and `later` are what `merge_post` (or `merge_author`) made and was given."""
    verb = "differs" if len(fields) == 1 else "differ"
    kept = "this copy's" if merged.get(fields[0]) == later.get(fields[0]) else "that copy's"
    return clean_line(f"{what}: {', '.join(fields)} {verb} from the copy at {there}: kept {kept}")


def add_copy(
    records: dict[str, Any],
    seen: dict[str, str],
    kind: str,
    record_id: str,
    record: dict[str, Any],
    where: str,
) -> str | None:
    """Add a `kind` ("post" or "author") read at `where` to `records` by id, merged into
    the copy already there; `seen` keeps where each was first read. Returns the warning
    when the copies disagree (for the caller to prefix with `where`), else None."""
    old = records.get(record_id)
    if old is None:
        records[record_id] = record
        seen[record_id] = where
        return None
    if old == record:
        return None
    merged, fields = (merge_post if kind == "post" else merge_author)(old, record)
    records[record_id] = merged
    if not fields:
        return None
    what = f"{kind} {clean_line(record_id)!r}"
    return disagreement(what, fields, seen[record_id], merged, record)


def _differs(a: Any, b: Any) -> bool:
    return _known(a) and _known(b) and a != b


def _merge(base: dict[str, Any], rest: dict[str, Any], first: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in rest.items():
        mine = merged.get(key)
        if not _known(mine):
            if _known(value) or key not in merged:
                merged[key] = value
        elif key == "metrics" and type(mine) is dict and type(value) is dict:
            merged[key] = _larger_counts(mine, value)
        elif type(mine) is list and type(value) is list:
            # The first-seen copy's entries lead, whichever copy is the base.
            earlier, later = (mine, value) if base is first else (value, mine)
            merged[key] = _union(earlier, later)
    return merged


def _larger_counts(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    result = dict(a)
    for key, value in b.items():
        mine = result.get(key)
        if mine is None or (_is_count(value) and _is_count(mine) and value > mine):
            result[key] = value
    return result


def _union(earlier: list[Any], later: list[Any]) -> list[Any]:
    if earlier == later or not later:
        return earlier
    result = list(earlier)
    matched: set[int] = set()
    for entry in later:
        for i, have in enumerate(result):
            if i not in matched and _completes(have, entry):
                matched.add(i)
                if have != entry:
                    result[i] = _fill(have, entry)
                break
        else:
            matched.add(len(result))
            result.append(entry)
    return result


def _completes(a: Any, b: Any) -> bool:
    """Whether `a` and `b` can be one entry: equal, or objects whose common known fields
    are equal and that share at least one."""
    if a == b:
        return True
    if type(a) is not dict or type(b) is not dict:
        return False
    shared = False
    for key in a.keys() | b.keys():
        x, y = a.get(key), b.get(key)
        if x is None or y is None:
            continue
        if x != y:
            return False
        shared = True
    return shared


def _fill(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    result = dict(a)
    for key, value in b.items():
        if result.get(key) is None:
            result[key] = value
    return result


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
    author_seen: dict[str, str] = {}
    posts: dict[str, Any] = {}
    post_seen: dict[str, str] = {}
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
                _add(authors, author_seen, author_id, author, name, "author", warnings)
        raw_posts = document.get("posts")
        if not isinstance(raw_posts, list):
            # Let the loader name this input's problem.
            return document, warnings
        for post in raw_posts:
            post_id = post.get("id") if isinstance(post, dict) else None
            if not isinstance(post_id, str):
                # Posts without a usable id go through unchanged: the loader reports them.
                posts[f"\0{len(posts)}"] = post
                continue
            _add(posts, post_seen, post_id, post, name, "post", warnings)
        for key, value in document.items():
            if key not in ("schema", "schema_version", "thread", "source", "authors", "posts"):
                extra.setdefault(key, value)

    merged["thread"] = thread
    merged["source"] = _merged_source(sources)
    merged["authors"] = authors
    merged["posts"] = list(posts.values())
    merged.update(extra)
    return merged, warnings


def _add(
    records: dict[str, Any],
    seen: dict[str, str],
    record_id: str,
    record: Any,
    name: str,
    kind: str,
    warnings: list[str],
) -> None:
    old = records.get(record_id)
    if old is not None and not (isinstance(old, dict) and isinstance(record, dict)):
        # A record that is not an object is the loader's to name; the first one stays.
        return
    message = add_copy(records, seen, kind, record_id, record, name)
    if message is not None:
        warnings.append(f"{clean_line(name)}: {message}")


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
