"""The hostile corpus: its cases, what each must do, and the big cases made on the fly.

`tests/data/hostile/expectations.toml` is the table; this module reads it once for every
test that runs the corpus through one more way of opening a thread (the loader,
`validate`, `--print`, the app, and later search and the pickers: docs/robustness.md).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest

from threadtui.importers.xstory import ImportResult
from threadtui.model import Thread
from threadtui.model.format import SCHEMA, SCHEMA_VERSION

HOSTILE = Path(__file__).parent / "data" / "hostile"
MANIFEST = HOSTILE / "expectations.toml"

NOT_JSON = (
    "{path}: not JSON: validate checks normalised thread files"
    " (convert a source first with `threadtui import`)"
)

# What must never reach a terminal from a thread: C0 controls but newline and tab, DEL, C1,
# the bidi embeddings, overrides, isolates and marks. Written out here rather than taken
# from the sanitiser, so a character dropped from its list fails these tests.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Case:
    file: str
    why: str
    error: str | None = None
    error_prefix: str | None = None
    posts: int | None = None
    warnings: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    validate: str | None = None
    validate_error: str | None = None
    """What `validate`, which reads only normalised threads, says where opening differs."""

    @property
    def path(self) -> Path:
        return HOSTILE / self.file

    @property
    def opens(self) -> bool:
        return self.error is None and self.error_prefix is None

    def error_line(self, path: str) -> str:
        """The stderr line opening the file must print (the stable part, for a prefix)."""
        template = self.error if self.error is not None else self.error_prefix
        assert template is not None, f"{self.file} opens"
        return template.replace("{path}", path)

    def validate_error_line(self, path: str) -> str | None:
        """What `validate` refuses it with; None when validate accepts it."""
        if self.validate == "not-json":
            return NOT_JSON.replace("{path}", path)
        if self.validate_error is not None:
            return self.validate_error.replace("{path}", path)
        return None if self.opens else self.error_line(path)

    def __str__(self) -> str:
        return self.file


def load_cases() -> list[Case]:
    table = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
    cases = [Case(**entry) for entry in table["case"]]
    for case in cases:
        # A case opens (and says how many posts) or fails in exactly one stated way.
        assert case.error is None or case.error_prefix is None, case
        assert case.opens == (case.posts is not None), case
    return cases


CASES = load_cases()
OPENS = [case for case in CASES if case.opens]
ERRORS = [case for case in CASES if not case.opens]


def params(cases: list[Case]) -> Iterator[Any]:
    for case in cases:
        yield pytest.param(case, id=case.file)


def assert_error_line(case: Case, path: str, stderr: str) -> None:
    """Exactly one line on stderr: the expected one (or one starting with the prefix)."""
    assert stderr.endswith("\n") and stderr.count("\n") == 1, stderr
    line = stderr[:-1]
    if case.error is not None:
        assert line == case.error_line(path)
    else:
        assert line.startswith(case.error_line(path)), line
        assert len(line) > len(case.error_line(path))


def cleaned_id(raw: str) -> str:
    """A post id as docs/format.md says the loader cleans one-line text: line ends and
    tabs become spaces, and every forbidden character becomes U+FFFD."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    return FORBIDDEN.sub("\ufffd", text).replace("\n", " ").replace("\t", " ")


def file_post_ids(path: Path) -> list[str] | None:
    """The ids of the posts a JSON thread file holds; None for a story text or a source's
    JSON (Hacker News items: a list)."""
    data = path.read_bytes()
    if path.suffix != ".json":
        return None
    document = orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
    if type(document) is list:
        return None
    return [post["id"] for post in document["posts"]]


def assert_nothing_lost(thread: Thread, file_ids: list[str] | None, posts: int) -> None:
    """Every post of the file is a real post of the thread, with a row in the tree."""
    real = [p for p in thread.posts if not p.synthetic]
    assert len(real) == thread.real_post_count == posts
    if file_ids is not None:
        # Ids are cleaned like any shown text; the position in the file never changes.
        assert [cleaned_id(i) for i in file_ids] == [p.id for p in real]
    in_tree = set(thread.preorder)
    assert len(in_tree) == len(thread.preorder) == thread.tree_size
    for post in thread.posts:
        # A placeholder for a quote nobody replies to is a card, not a tree row.
        card_only = post.synthetic and post.quoted_by is not None and post.children is None
        assert post.index in in_tree or card_only, post.id


def shown_strings(thread: Thread) -> Iterator[str]:
    """Every string of a loaded thread that some view puts on the screen."""
    yield thread.name
    yield from (thread.title or "", thread.summary or "", *thread.warnings)
    for key, value in thread.details.items():
        yield key
        yield value
    for author in thread.authors.values():
        yield from (author.id, author.label, author.handle or "", author.display_name or "")
        yield author.url or ""
    for post in thread.posts:
        yield from (post.id, post.text or "", post.first_line, post.author_label)
        yield from (post.url or "", post.native_id or "", post.content_warning or "")
        yield from (post.quote_state or "", *post.more_ids)
        for media in post.media:
            yield from (media.kind, media.url or "", media.alt or "")
        for link in post.links:
            yield from (link.url or "", link.text or "")
        for mention in post.mentions:
            yield from (mention.handle or "", mention.id or "", mention.url or "")
        for edit in post.edit_history:
            yield from (edit.id or "", edit.text or "")


# --- story texts --------------------------------------------------------------------------

SEED = (Path(__file__).parent / "data" / "stories" / "x-story-ai-deployment.txt").read_text(
    encoding="utf-8"
)
SURROGATE = re.compile("[\ud800-\udfff]")


def nonblank_lines(text: str) -> set[int]:
    """Line numbers as the importer counts them: a leading BOM is not text, and a text
    with CRs but no LF has old-Mac line ends."""
    text = text.removeprefix("\ufeff")
    separator = "\n" if "\n" in text or "\r" not in text else "\r"
    return {n for n, line in enumerate(text.split(separator), 1) if line.strip()}


def assert_accounted(text: str, result: ImportResult) -> None:
    """Lose nothing: every non-blank line is a header, post, card or time line, or is named
    by a warning with its line number; every post line is in a post of the document."""
    # The importer reads lone surrogates (from Python callers) as U+FFFD.
    text = SURROGATE.sub("\ufffd", text)
    roles = result.line_roles
    assert set(roles) == nonblank_lines(text)
    assert set(roles.values()) <= {"header", "post", "card", "time", "warning"}
    named: set[int] = set()
    for warning in result.warnings:
        if warning.line is not None:
            named.add(warning.line)
        for first, last in re.findall(r"lines (\d+)-(\d+)", warning.message):
            named.update(range(int(first), int(last) + 1))
    assert {n for n, role in roles.items() if role == "warning"} <= named
    # Every line that went into a post is in the document: none is silently dropped.
    posted = "\n".join(p["text"] or "" for p in result.document["posts"])
    flat = " ".join(posted.split())
    lines = text.removeprefix("\ufeff").split("\n" if "\n" in text else "\r")
    for number, role in roles.items():
        if role == "post":
            assert " ".join(lines[number - 1].split()) in flat, number


# --- cases too big to commit ------------------------------------------------------------


def thread_bytes(posts: list[dict[str, Any]], **thread: Any) -> bytes:
    return orjson.dumps(
        {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "thread": thread, "posts": posts}
    )


NO_METRICS = {"views": None, "likes": None, "reposts": None, "replies": None, "quotes": None}


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with every key of the format spelled out (null where it left one out), as
    writers write it: the fast loader takes only such files."""
    meta = {"title": None, "summary": None, "url": None, "root": None, "details": None}
    post = {"author": None, "created_at": None, "reply_to": None, "quotes": None}
    post |= {"metrics": None, "status": None}
    out = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "thread": None, "source": None}
    out |= {"authors": None} | document
    if out["thread"] is not None:
        out["thread"] = meta | out["thread"]
    if out["authors"] is not None:
        out["authors"] = {
            key: {"handle": None, "display_name": None} | value
            for key, value in out["authors"].items()
        }
    out["posts"] = [post | p for p in out["posts"]]
    return out


def complete_bytes(posts: list[dict[str, Any]], **thread: Any) -> bytes:
    """thread_bytes with every key spelled out."""
    return orjson.dumps(complete({"thread": thread, "posts": posts}))


def write_big_post(directory: Path, megabytes: int = 50) -> Path:
    """A 50 MB post on one line (no newline at all) replying to a small root, and a post
    quoting it: the big text reaches the tree row, the reply list and a quote card."""
    words = "word " * (megabytes * 1024 * 1024 // 5)
    posts = [
        {"id": "root", "text": "A small root.", "created_at": "2026-05-28T10:00:00Z"},
        {"id": "big", "text": words, "reply_to": "root", "created_at": "2026-05-28T10:01:00Z"},
        {"id": "quoter", "text": "Look at this.", "reply_to": "root", "quotes": ["big"]},
    ]
    path = directory / "big-post.json"
    path.write_bytes(thread_bytes(posts, title="A 50 MB post"))
    return path


def write_deep_chain(directory: Path, depth: int = 100_000) -> Path:
    posts = [{"id": "0", "text": "The start of a very deep chain."}]
    posts += [
        {"id": str(i), "text": f"Reply {i}.", "reply_to": str(i - 1)} for i in range(1, depth)
    ]
    path = directory / f"chain-{depth}.json"
    path.write_bytes(thread_bytes(posts, title=f"A {depth:,}-deep chain"))
    return path


def write_cycle(directory: Path, length: int = 1000) -> Path:
    """A ring of replies (each post replies to the next, the last to the first) plus a
    reply hanging off it, so the broken ring still has to carry a branch."""
    posts = [
        {"id": f"p{i}", "text": f"In the ring: {i}.", "reply_to": f"p{(i + 1) % length}"}
        for i in range(length)
    ]
    posts.append({"id": "off", "text": "Off the ring.", "reply_to": "p500"})
    path = directory / f"cycle-{length}.json"
    path.write_bytes(thread_bytes(posts, title=f"A {length:,}-post reply cycle"))
    return path


def canonical(thread: Thread) -> str:
    """What a thread holds, independent of the order of its posts in memory: the file's
    posts by id, in file order, with every field the loader kept."""
    posts = [
        (
            post.id,
            None if post.author is None else post.author.id,
            post.text,
            post.created_at,
            post.reply_to,
            post.quotes,
            post.metrics,
            post.unknown_metrics,
            post.status,
            post.extra,
        )
        for post in thread.posts
        if not post.synthetic
    ]
    authors = sorted(
        (a.id, a.handle, a.display_name, repr(a.extra))
        for a in thread.authors.values()
        if a.declared or a.post_count
    )
    meta = (thread.title, thread.summary, thread.url, thread.root_id, thread.details)
    kept = (thread.raw_details, thread.source, thread.extra, thread.meta_extra)
    return repr((meta, kept, authors, posts))
