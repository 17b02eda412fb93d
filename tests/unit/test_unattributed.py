"""What "unattributed" means, the same in the status line, the author picker and `from:?`:
a real post whose author is unknown. A placeholder (a deleted or removed comment, a
"more comments" stub, a post the file refers to but does not hold) has no author because
the post is gone: on a Reddit thread the status line counted 127 stubs and the deleted
comments as "+165 unattributed" and the picker listed them as "unknown author"."""

from __future__ import annotations

from typing import Any

import pytest

from support import post, thread_doc
from threadtui.model import Thread, load_document
from threadtui.query import SearchIndex, parse_query, run_query
from threadtui.ui.pickers import UNKNOWN, author_choices
from threadtui.ui.status_counts import StatusCounts

AUTHORS = {"a": {"id": "a", "handle": "ann"}}


def gone(pid: str, status: str, **fields: Any) -> dict[str, Any]:
    return post(pid, None, None, status=status, reply_to="r", **fields)  # type: ignore[arg-type]


@pytest.fixture
def thread() -> Thread:
    return load_document(
        thread_doc(
            [
                post("r", 0, "root", author="a"),
                post("who", 1, "no name given", reply_to="r"),
                gone("del", "deleted"),
                gone("rem", "removed"),
                gone("more", "not_fetched"),
                # Answers a post the file does not hold: the loader adds a placeholder.
                post("orphan", 2, "to a missing post", author="a", reply_to="missing"),
            ],
            authors=AUTHORS,
        )
    )


def test_the_status_line_counts_only_real_posts_without_an_author(thread: Thread) -> None:
    assert thread.post("missing") is not None  # the loader's placeholder is there
    assert StatusCounts().current(thread) == (1, 1)


def test_the_picker_counts_the_unknown_author_row_as_the_status_line_does(
    thread: Thread,
) -> None:
    choices = author_choices(thread)
    assert [(c.key, c.count) for c in choices] == [("a", 2), (UNKNOWN, 1)]


def test_from_unknown_finds_the_real_post_and_not_the_placeholders(thread: Thread) -> None:
    index = SearchIndex(thread)

    def found(text: str) -> set[str]:
        result = run_query(parse_query(text, thread), index)
        return {thread.posts[i].id for i in result.matches}

    assert found("from:?") == {"who"}
    # Leaving out the unknown author's posts keeps the placeholders in the tree.
    assert {"del", "rem", "more", "r", "orphan"} <= found("-from:?")
    assert "who" not in found("-from:?")
