"""Merging posts into an open thread does work for what arrived, not for every post, on
the UI thread (issue #15). Counted, never timed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fridays import T0, Clock
from support import AUTHORS, post, thread_doc
from threadtui.config import Settings
from threadtui.model import load_document
from threadtui.state import open_state, store
from threadtui.ui import query_worker
from threadtui.ui.app import ThreadApp

SIZE = (160, 24)
POSTS = 400


def posts(start: int, count: int, author: str | None = "u1") -> list[dict[str, Any]]:
    return [
        post(f"p{i}", i + 1, f"post {i}", author=author, reply_to="p0" if i else None)
        for i in range(start, start + count)
    ]


async def test_a_merge_counts_and_hashes_only_what_arrived(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = load_document(thread_doc(posts(0, POSTS), authors=AUTHORS), name="big.json")
    state, _ = open_state(thread, directory=tmp_path, clock=Clock(T0))
    state.mark_many(range(POSTS))
    state.save()
    state, _ = open_state(thread, directory=tmp_path, clock=Clock(T0))
    app = ThreadApp(thread, settings=Settings(), read_state=state)
    hashed: list[int] = []
    real_hash = store.hash_ids

    def counted(ids: Any) -> Any:
        ids = list(ids)
        hashed.append(len(ids))
        return real_hash(ids)

    released: list[object] = []
    real_release = query_worker.release_elsewhere

    def release(box: list[object]) -> Any:
        released.append(box)
        return real_release(box)

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert state.ready and f"{POSTS:,} posts" in str(app.query_one("#status").render())
        recounts = app._counts.recounts
        monkeypatch.setattr(store, "hash_ids", counted)
        monkeypatch.setattr(query_worker, "release_elsewhere", release)
        app._grow(thread_doc(posts(POSTS, 3, author=None), authors=AUTHORS))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        # The read state hashed the three posts that came, not the thread again.
        assert sum(hashed) == 3
        assert app._counts.recounts == recounts
        assert f"{POSTS + 3:,} posts" in str(app.query_one("#status").render())
        assert "+3 unattributed" in str(app.query_one("#status").render())
        assert state.new_count == 3
        assert released  # the index built after the first frame, freed off this thread
