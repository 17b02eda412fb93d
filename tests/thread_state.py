"""Everything a loaded thread holds, as one string two loads can be compared by; and the
check that the loader's two paths (model/load_fast.py, model/load.py) agree.

`repr` rather than `==`, because `==` would call 1 and 1.0, or a list and a tuple, equal.
"""

from __future__ import annotations

import copy
from dataclasses import fields
from typing import Any

import orjson
import pytest

from threadtui.model import Author, Post, Thread, ThreadFileError, load_bytes, load_document
from threadtui.model.load import check_document
from threadtui.model.load_fast import read_parsed, read_wellformed

POST_FIELDS = list(Post.__struct_fields__)
AUTHOR_FIELDS = [f.name for f in fields(Author)]
THREAD_FIELDS = [f.name for f in fields(Thread) if not f.name.startswith("_")]


def thread_state(thread: Thread) -> str:
    state: dict[str, object] = {}
    for name in THREAD_FIELDS:
        value = getattr(thread, name)
        if name == "posts":
            value = [post_state(post) for post in value]
        elif name == "authors":
            value = {key: author_state(author) for key, author in value.items()}
        state[name] = value
    return repr(state)


def post_state(post: Post) -> dict[str, object]:
    state = {name: getattr(post, name) for name in POST_FIELDS if name != "raw_metrics"}
    # Kept as the JSON object (checking path) or decoded straight into Metrics (fast path):
    # what counts is what a reader gets.
    state["metrics"] = post.metrics
    # The author is compared in the thread's authors; here, which one it is.
    state["author"] = None if post.author is None else post.author.id
    return state


def author_state(author: Author) -> dict[str, object]:
    return {name: getattr(author, name) for name in AUTHOR_FIELDS}


def takes_fast_path(data: bytes) -> bool:
    return read_wellformed(data) is not None


def assert_same_both_ways(data: bytes) -> bool:
    """Load `data` by both paths; they must agree. Returns whether the fast path took it.

    The parsed document goes through `assert_same_parsed` too: a file and its parsed
    document (what an importer hands over) give the same thread."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        assert not takes_fast_path(data)
        return False
    assert_same_parsed(document)
    try:
        checked = check_document(document, name="t.json")
    except ThreadFileError:
        # Whatever the checking path refuses, the fast path must refuse too.
        assert not takes_fast_path(data)
        return False
    if not takes_fast_path(data):
        return False
    assert thread_state(load_bytes(data, name="t.json")) == thread_state(checked)
    return True


def takes_parsed_path(document: Any) -> bool:
    return read_parsed(document) is not None


def assert_same_parsed(document: Any) -> bool:
    """Load a parsed document by the checking path alone and by `load_document` (which
    takes the fast path, read_parsed, when it can): the same thread, warnings included, or
    the same error. Returns whether the fast path took it."""
    try:
        checked = check_document(copy.deepcopy(document), name="t.json")
    except ThreadFileError as error:
        assert not takes_parsed_path(document)
        with pytest.raises(ThreadFileError) as raised:
            load_document(document, name="t.json")
        assert str(raised.value) == str(error)
        return False
    fast = takes_parsed_path(document)
    assert thread_state(load_document(document, name="t.json")) == thread_state(checked)
    return fast
