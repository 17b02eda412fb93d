"""Lists that builds beside the UI grow over seconds are frozen while empty (issue #16).

Grown with few containers made on the way, such a list stays in the young generation the
whole build, and the next young collection, whatever thread makes it, walks it whole:
110-125 ms at a million posts, beside a held key. Frozen (`gcpolicy.lasting`), no
collection walks it; it is still freed when its last reference goes.
"""

from __future__ import annotations

import gc
import weakref

import pytest

from support import post, thread_doc
from threadtui import pacing
from threadtui.model import load_document
from threadtui.query import SearchIndex


def collected_walk() -> set[int]:
    """The ids of every object some collection would walk (frozen ones are in none)."""
    return {id(o) for generation in range(3) for o in gc.get_objects(generation)}


def test_the_search_index_lists_are_frozen() -> None:
    posts = [post("p0", 0, "root", author="u0")]
    posts += [
        post(f"p{n}", n, f"reply {n}", author=f"u{n % 3}", reply_to="p0") for n in range(1, 30)
    ]
    thread = load_document(
        thread_doc(posts, authors={f"u{k}": {"handle": f"h{k}"} for k in range(3)})
    )
    index = SearchIndex(thread)
    lists = [index.folded, index.exact_text, index.exact_author, index.quotes]
    lists += [index.parents, index.texts, index.author_of, index.authors]
    walked = collected_walk()
    assert all(gc.is_tracked(x) and id(x) not in walked for x in lists)


@pytest.mark.parametrize("size", [pacing.RUN + 5, 3 * pacing.RUN])
def test_a_sort_in_runs_gives_a_frozen_list_still_freed_when_dropped(size: int) -> None:
    class Item:
        __slots__ = ("__weakref__", "value")

        def __init__(self, value: int) -> None:
            self.value = value

    items = [Item(k) for k in range(size, 0, -1)]
    out = pacing.sorted_in_runs(items, key=lambda item: item.value, pause=lambda: None)
    assert [item.value for item in out] == list(range(1, size + 1))
    assert id(out) not in collected_walk()
    probe = weakref.ref(out[0])
    del out, items
    assert probe() is None  # reference counting still frees what was frozen
