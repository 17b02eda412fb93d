"""Hacker News when Algolia fails (issue #12): a retryable failure starts the Firebase walk
at once and asks Algolia again beside it; a lasting one (404, a bad answer) walks alone."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import orjson
import pytest

import fetch_responses as r
from fetch_server import FetchServer, Reply, Request
from fetch_support import FAST, Run, point_apis_at, same_as_saved
from threadtui.fetch.client import Limits
from threadtui.fetch.progress import Progress
from threadtui.fetch.run import FetchOptions, FetchResult, fetch_thread, fetch_thread_async
from threadtui.opener import merge_data

URL = "https://news.ycombinator.com/item?id=4"
ALGOLIA_4 = "/api/v1/items/4"
ALGOLIA_1 = "/api/v1/items/1"


@pytest.fixture
def api(fetch_server: FetchServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FetchServer:
    point_apis_at(fetch_server, monkeypatch, tmp_path)
    return fetch_server


def _node(item: int, parent: int | None, children: list[dict[str, Any]]) -> dict[str, Any]:
    """Item `item` as Algolia's items API answers, the same post as `r.firebase_item`."""
    node: dict[str, Any] = {
        "id": item,
        "type": "comment" if parent is not None else "story",
        "author": f"user{item}",
        "story_id": 1,
        "created_at_i": 1_700_000_000 + item,
        "children": children,
    }
    if parent is None:
        node.update(title="A story", points=10)
    else:
        node.update(parent_id=parent, text=f"comment {item}")
    return node


# 1 ─┬─ 2 ── 4 ── 5
#    └─ 3
STORY = _node(1, None, [_node(2, 1, [_node(4, 2, [_node(5, 4, [])])]), _node(3, 1, [])])
ITEM_4 = _node(4, 2, [_node(5, 4, [])])


def _firebase(api: FetchServer, item_3: Reply | None = None) -> None:
    api.add("/v0/item/1.json", r.firebase_item(1, kids=[2, 3], descendants=4))
    api.add("/v0/item/2.json", r.firebase_item(2, 1, kids=[4]))
    api.add("/v0/item/3.json", item_3 or Reply(body=r.firebase_item(3, 1)))
    api.add("/v0/item/4.json", r.firebase_item(4, 2, kids=[5]))
    api.add("/v0/item/5.json", r.firebase_item(5, 4))


def _is_firebase(request: Request) -> bool:
    return request.path.startswith("/v0/")


class Backoff:
    """The backoff before Algolia's retry, waited in event-loop turns rather than seconds:
    it ends once the walk has asked for `until` (so the retry comes after the walk's first
    requests in the server's log), or after a bounded number of turns when the walk never
    asks for it, so that a retry made before the walk shows in the log instead of hanging."""

    def __init__(self, api: FetchServer, until: str) -> None:
        self.api = api
        self.until = until
        self.sleeps: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        for _ in range(500):
            if self.api.requests(self.until):
                return
            await asyncio.sleep(0.01)


def _fetch(sleep: Any, heard: list[tuple[str, bytes]] | None = None, **limits: Any) -> FetchResult:
    async def run() -> FetchResult:
        result = await fetch_thread_async(
            URL,
            FetchOptions(use_cache=False, limits=Limits(**{**FAST, **limits})),
            sleep=sleep,
            on_response=None if heard is None else lambda n, b, _: heard.append((n, b)),
        )
        # The walk was cancelled and waited for: nothing of the fetch is left running to
        # send a request after it returned.
        assert asyncio.all_tasks() == {asyncio.current_task()}
        return result

    return asyncio.run(run())


def test_algolia_back_after_a_blip_wins_and_the_walk_stops(
    api: FetchServer, tmp_path: Path
) -> None:
    api.add(ALGOLIA_4, Reply(500), ITEM_4)
    api.add(ALGOLIA_1, STORY)
    # Item 3 never answers: the walk cannot end by itself, only by being cancelled.
    _firebase(api, item_3=Reply(stall=True))
    backoff = Backoff(api, "/v0/item/3.json")
    heard: list[tuple[str, bytes]] = []
    result = _fetch(backoff, heard)

    log = api.requests()
    algolia = [n for n, q in enumerate(log) if q.path.startswith("/api/")]
    firebase = [n for n, q in enumerate(log) if _is_firebase(q)]
    assert [log[n].path for n in algolia] == [ALGOLIA_4, ALGOLIA_4, ALGOLIA_1]
    # The walk started before the retry was sent: the screen did not wait for the backoff.
    assert firebase and firebase[0] < algolia[1]
    assert backoff.sleeps == [0.5]
    # The final thread is Algolia's alone, as a fetch where Algolia answered at once.
    assert [name for name, _ in result.responses] == ["Algolia item 4"]
    assert orjson.loads(result.responses[0][1]) == STORY
    assert [p.id for p in result.thread.posts] == [f"hackernews:{n}" for n in (1, 2, 4, 5, 3)]
    assert result.anchor == "hackernews:4"
    assert result.missing is None
    same_as_saved(result, tmp_path)
    # The walk's previews came first and stay on screen; merged with Algolia's tree by
    # post id, each post is there once: both importers name posts the same way.
    names = [name for name, _ in heard]
    assert names[0] == "Firebase items of 4 (so far)"
    assert names[-1] == "Algolia item 4"
    previewed = {item["id"] for _, body in heard[:-1] for item in orjson.loads(body)}
    assert {1, 2, 4} <= previewed
    document, _ = merge_data(heard)
    ids = [post["id"] for post in document["posts"]]
    assert sorted(ids) == sorted(p.id for p in result.thread.posts)


def test_algolia_failing_twice_leaves_the_walk_to_finish(api: FetchServer, tmp_path: Path) -> None:
    asked_again = threading.Event()

    def algolia(request: Request) -> Reply:
        if len(api.requests(ALGOLIA_4)) > 1:
            asked_again.set()
        return Reply(503)

    def item_5(request: Request) -> Any:
        # The walk's last item waits for the retry: both failures are seen, whatever the order.
        asked_again.wait(10)
        return r.firebase_item(5, 4)

    api.answer(ALGOLIA_4, algolia)
    _firebase(api)
    api.answer("/v0/item/5.json", item_5)
    backoff = Backoff(api, "/v0/item/1.json")
    result = _fetch(backoff)

    log = api.requests()
    algolia_at = [n for n, q in enumerate(log) if q.path == ALGOLIA_4]
    firebase_at = [n for n, q in enumerate(log) if _is_firebase(q)]
    assert len(algolia_at) == 2
    assert firebase_at[0] < algolia_at[1]
    assert [p.id for p in result.thread.posts] == [f"hackernews:{n}" for n in (1, 2, 4, 5, 3)]
    assert [name for name, _ in result.responses] == ["Firebase items of 4"]
    assert result.missing is None
    same_as_saved(result, tmp_path)


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(Reply(404), id="not-indexed-yet"),
        pytest.param(Reply(body={"no": "id"}), id="item-without-id"),
        pytest.param(Reply(body=b"<html>"), id="not-json"),
    ],
)
def test_a_lasting_algolia_failure_walks_without_a_retry(api: FetchServer, answer: Reply) -> None:
    api.add(ALGOLIA_4, answer)
    _firebase(api)
    run = Run()
    result = run.fetch(URL, cache=False)
    assert len(api.requests(ALGOLIA_4)) == 1
    assert run.sleeps == []
    assert [p.id for p in result.thread.posts] == [f"hackernews:{n}" for n in (1, 2, 4, 5, 3)]
    assert any(p.note.endswith("walking the Firebase API item by item") for p in run.progress)


def test_no_retry_when_retries_are_off(api: FetchServer) -> None:
    api.add(ALGOLIA_4, Reply(500))
    _firebase(api)
    run = Run()
    result = run.fetch(URL, cache=False, retries=0)
    assert len(api.requests(ALGOLIA_4)) == 1
    assert run.sleeps == []
    assert len(result.thread.posts) == 5


def test_the_retry_and_its_failure_are_announced(api: FetchServer) -> None:
    failure_heard = threading.Event()
    notes: list[str] = []

    def progress(update: Progress) -> None:
        notes.append(update.note)
        if update.note.startswith("Algolia again:"):
            failure_heard.set()

    def item_3(request: Request) -> Any:
        # The walk cannot end before the retry's failure is reported.
        failure_heard.wait(10)
        return r.firebase_item(3, 1)

    api.add(ALGOLIA_4, Reply(500))
    _firebase(api)
    api.answer("/v0/item/3.json", item_3)
    result = fetch_thread(
        URL,
        FetchOptions(use_cache=False, limits=Limits(**{**FAST, "backoff": 1.0})),
        progress=progress,
        sleep=Run().sleep,
    )
    assert len(result.thread.posts) == 5
    said = [n for n in notes if n.startswith("Algolia")]
    assert said[0].endswith(
        "; walking the Firebase API item by item, and asking Algolia again in 1 s"
    )
    assert said[1].startswith("Algolia again: ")
    assert said[1].endswith("; the Firebase walk goes on")
