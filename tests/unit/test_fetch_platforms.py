"""Each platform fetched whole from the loopback server: the requests made, the thread
built, the linked post found, and the same thread as opening the saved responses gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import fetch_responses as r
from fetch_server import FetchServer, Reply
from fetch_support import BSKY_THREAD as THREAD
from fetch_support import Run, bluesky_chain, point_apis_at, same_as_saved
from threadtui.fetch.errors import FetchError

SOURCES = Path(__file__).parent.parent / "data" / "sources"


@pytest.fixture
def api(fetch_server: FetchServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FetchServer:
    point_apis_at(fetch_server, monkeypatch, tmp_path)
    return fetch_server


# --- Bluesky ------------------------------------------------------------------------------

QUOTES = "/xrpc/app.bsky.feed.getQuotes"


def _bluesky_thread(api: FetchServer) -> None:
    """The chain of `bluesky_chain`, the root quoted 3 times over two pages of getQuotes."""
    root = bluesky_chain(api, quotes=3)
    q1 = r.bsky_post("q1", "quote one", did=r.OTHER, quoting=root, minute=5)
    q2 = r.bsky_post("q2", "quote two", did=r.OTHER, quoting=root, minute=6)
    q3 = r.bsky_post("q3", "quote three", did=r.OTHER, quoting=root, minute=7)
    # The more specific route first: routes match on the parameters they name.
    api.add(QUOTES, {"uri": root, "posts": [q3]}, uri=root, cursor="page2")
    api.add(QUOTES, {"uri": root, "posts": [q1, q2], "cursor": "page2"}, uri=root)


def test_bluesky_whole_thread_with_cut_branches_and_quote_pages(
    api: FetchServer, tmp_path: Path
) -> None:
    _bluesky_thread(api)
    result = Run().fetch("https://bsky.app/profile/alice.example/post/a")
    ids = {p.id.rsplit("/", 1)[1] for p in result.thread.posts if p.status == "ok"}
    assert ids == {"root", "a", "b", "c", "d", "q1", "q2", "q3"}
    assert result.anchor == f"bluesky:{r.at(r.DID, 'a')}"
    assert result.missing is None
    first = api.requests(THREAD)[0]
    assert first.query["depth"] == ["200"] and first.query["parentHeight"] == ["500"]
    branch = api.requests(THREAD)[1]
    assert branch.query["uri"] == [r.at(r.DID, "b")] and branch.query["parentHeight"] == ["0"]
    assert len(api.requests(QUOTES)) == 2
    same_as_saved(result, tmp_path)


def test_bluesky_did_in_the_url_needs_no_resolution(api: FetchServer) -> None:
    post = r.bsky_post("solo", "alone")
    api.add(THREAD, {"thread": r.node(post, replies=[])})
    result = Run().fetch(f"https://bsky.app/profile/{r.DID}/post/solo")
    assert [p.text for p in result.thread.posts] == ["alone"]
    assert not api.requests("/xrpc/com.atproto.identity.resolveHandle")


def test_bluesky_at_uri(api: FetchServer) -> None:
    post = r.bsky_post("solo", "alone")
    api.add(THREAD, {"thread": r.node(post, replies=[])})
    result = Run().fetch(r.at(r.DID, "solo"))
    assert result.anchor == f"bluesky:{r.at(r.DID, 'solo')}"


def test_bluesky_branch_failing_keeps_the_rest_and_says_so(api: FetchServer) -> None:
    root = r.bsky_post("root", "root", replies=1)
    a = r.bsky_post("a", "a", parent=root["uri"], replies=5)
    api.add(THREAD, {"thread": r.node(root, replies=[r.node(a, replies=[])])}, parentHeight="500")
    api.add(THREAD, Reply(500), parentHeight="0")
    run = Run()
    result = run.fetch(r.at(r.DID, "root"), retries=1)
    assert [p.text for p in result.thread.posts] == ["root", "a"]
    assert result.missing == (
        "fetched 2 of about 7 posts: 127.0.0.1:{} failed (HTTP 500) 2 times in a row;"
        " try again later".format(api.base.rsplit(":", 1)[1])
    )
    assert run.sleeps == [0.5]
    assert result.thread.details.get("missing") == result.missing


@pytest.mark.parametrize(("linked", "asked"), [(600, [600, 0]), (100, [100, 300, 500])])
def test_bluesky_a_chain_deeper_than_one_response_arrives_whole(
    api: FetchServer, linked: int, asked: list[int]
) -> None:
    """A chain of 700 replies: 500 parents at most come with the first answer, 200 levels
    down with each; the root's thread (linked deep) or the branches cut short (linked
    high) bring the rest. Every answer stays within the JSON parsers' nesting limit."""
    length = 700
    uris = [r.at(r.DID, f"p{n}") for n in range(length)]
    posts = [
        r.bsky_post(
            f"p{n}",
            f"post {n}",
            parent=uris[n - 1] if n else None,
            root=uris[0],
            replies=1 if n < length - 1 else 0,
        )
        for n in range(length)
    ]

    def thread(request: object) -> object:
        query = request.query  # type: ignore[attr-defined]  # the test server adds it to the request
        at = uris.index(query["uri"][0])
        depth, height = int(query["depth"][0]), int(query["parentHeight"][0])
        below = None
        for n in range(min(at + depth, length - 1), at, -1):
            below = r.node(posts[n], replies=[] if below is None else [below])
        item = r.node(posts[at], replies=[] if below is None else [below])
        top = item
        for n in range(at - 1, max(-1, at - 1 - height), -1):
            top["parent"] = r.node(posts[n])
            top = top["parent"]
        return {"thread": item}

    api.answer(THREAD, thread)
    result = Run().fetch(uris[linked])
    assert len(result.thread.posts) == length
    assert all(p.status == "ok" for p in result.thread.posts)
    assert result.thread.max_depth == length - 1
    assert result.missing is None
    assert [q.query["uri"][0] for q in api.requests(THREAD)] == [uris[n] for n in asked]


# --- Mastodon -----------------------------------------------------------------------------


def _context(statuses: list[dict], ancestors: list[dict] | None = None) -> dict:
    return {"ancestors": ancestors or [], "descendants": statuses}


def test_mastodon_walks_on_past_the_60_descendant_limit(api: FetchServer, tmp_path: Path) -> None:
    # 1 anchor; 60 replies under it in the first context (the anonymous limit), the last
    # of which says it has 3 replies more; its own context brings them.
    anchor = r.mastodon_status(1000, replies=60)
    first = [r.mastodon_status(1000 + n, 1000, replies=3 if n == 60 else 0) for n in range(1, 61)]
    deeper = [r.mastodon_status(2000 + n, 1060) for n in range(3)]
    api.add("/api/v1/statuses/1000", anchor)
    api.add("/api/v1/statuses/1000/context", _context(first))
    api.add("/api/v1/statuses/1060/context", _context(deeper, ancestors=[anchor]))
    result = Run().fetch(f"{api.base}/@alice/1000")
    assert len(result.thread.posts) == 64
    assert result.anchor == "mastodon:https://social.example/users/alice/statuses/1000"
    by_id = {p.id: p for p in result.thread.posts}
    deep = by_id["mastodon:https://social.example/users/alice/statuses/2001"]
    assert deep.reply_to == "mastodon:https://social.example/users/alice/statuses/1060"
    contexts = [q.path for q in api.requests() if q.path.endswith("/context")]
    assert contexts == ["/api/v1/statuses/1000/context", "/api/v1/statuses/1060/context"]
    assert "authorization" not in api.requests()[0].headers
    same_as_saved(result, tmp_path)


def test_mastodon_small_context_asks_nothing_more(api: FetchServer) -> None:
    anchor = r.mastodon_status(5, replies=9)  # stale count: only one reply is visible
    api.add("/api/v1/statuses/5", anchor)
    api.add("/api/v1/statuses/5/context", _context([r.mastodon_status(6, 5)]))
    result = Run().fetch(f"{api.base}/users/alice/statuses/5")
    assert len(result.thread.posts) == 2
    assert len(api.requests()) == 2


def test_mastodon_token_goes_only_to_its_server(
    api: FetchServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.add("/api/v1/statuses/5", r.mastodon_status(5))
    api.add("/api/v1/statuses/5/context", _context([]))
    monkeypatch.setenv("THREADTUI_MASTODON_TOKEN", "sekrit-token-123")
    monkeypatch.setenv("THREADTUI_MASTODON_SERVER", "elsewhere.example")
    run = Run()
    result = run.fetch(f"{api.base}/@alice/5", cache=False)
    assert all("authorization" not in q.headers for q in api.requests())
    assert any("does not name" in p.note for p in run.progress)
    assert "sekrit" not in result.data.decode()
    api.reset()
    api.add("/api/v1/statuses/5", r.mastodon_status(5))
    api.add("/api/v1/statuses/5/context", _context([]))
    monkeypatch.setenv("THREADTUI_MASTODON_SERVER", api.base.split("://")[1])
    Run().fetch(f"{api.base}/@alice/5", cache=False)
    assert {q.headers.get("authorization") for q in api.requests()} == {"Bearer sekrit-token-123"}


def test_mastodon_server_in_a_url_must_be_https_unless_loopback() -> None:
    with pytest.raises(FetchError, match="plain http is accepted only for loopback"):
        Run().fetch("http://social.example/@alice/5")


# --- Hacker News --------------------------------------------------------------------------


def test_hackernews_algolia_one_request(api: FetchServer, tmp_path: Path) -> None:
    item = (SOURCES / "hackernews" / "algolia_item_synthetic.json").read_bytes()
    import orjson

    story = orjson.loads(item)["id"]
    api.add(f"/api/v1/items/{story}", Reply(body=item))
    result = Run().fetch(f"https://news.ycombinator.com/item?id={story}")
    assert len(api.requests()) == 1
    assert result.anchor == f"hackernews:{story}"
    assert len(result.thread.posts) > 1
    same_as_saved(result, tmp_path)


def test_hackernews_comment_link_opens_its_story(api: FetchServer) -> None:
    story = r.algolia_story("T", "hi")
    api.add("/api/v1/items/2", story["children"][0])
    api.add("/api/v1/items/1", story)
    result = Run().fetch("https://news.ycombinator.com/item?id=2")
    assert [p.id for p in result.thread.posts] == ["hackernews:1", "hackernews:2"]
    assert result.anchor == "hackernews:2"


def _firebase_tree(api: FetchServer) -> None:
    api.add("/v0/item/1.json", r.firebase_item(1, kids=[2, 3], descendants=4))
    api.add("/v0/item/2.json", r.firebase_item(2, 1, kids=[4]))
    api.add("/v0/item/3.json", r.firebase_item(3, 1))
    api.add("/v0/item/4.json", r.firebase_item(4, 2, kids=[5]))
    api.add("/v0/item/5.json", r.firebase_item(5, 4))


def test_hackernews_falls_back_to_firebase_item_by_item(api: FetchServer, tmp_path: Path) -> None:
    api.add("/api/v1/items/4", Reply(503))
    _firebase_tree(api)
    run = Run()
    result = run.fetch("https://news.ycombinator.com/item?id=4")
    assert [p.id for p in result.thread.posts] == [f"hackernews:{n}" for n in (1, 2, 4, 5, 3)]
    assert result.anchor == "hackernews:4"
    assert result.missing is None
    assert any("Firebase" in p.note for p in run.progress)
    assert run.sleeps == [0.5]  # one retry of Algolia, then the fallback
    same_as_saved(result, tmp_path)


def test_hackernews_firebase_stops_at_max_posts(api: FetchServer) -> None:
    api.add("/api/v1/items/1", Reply(404))
    _firebase_tree(api)
    result = Run().fetch("https://news.ycombinator.com/item?id=1", max_posts=3)
    assert len(result.thread.posts) == 3
    assert result.missing == "fetched 3 of about 5 items: --max-posts 3 reached"


def test_hackernews_firebase_asks_each_kid_once_its_parent_is_in(api: FetchServer) -> None:
    """Not level by level: item 4 (below 3) is asked while item 2 (beside 3) is still on
    its way. A walk that waits for a whole level would ask 4 only after 2 answered."""
    import threading

    asked_4 = threading.Event()
    seen: dict[str, bool] = {}

    def slow_2(request: Any) -> Any:
        seen["4 before 2 answered"] = asked_4.wait(10)
        return r.firebase_item(2, 1)

    def item_4(request: Any) -> Any:
        asked_4.set()
        return r.firebase_item(4, 3)

    api.add("/api/v1/items/1", Reply(404))
    api.add("/v0/item/1.json", r.firebase_item(1, kids=[2, 3], descendants=3))
    api.answer("/v0/item/2.json", slow_2)
    api.add("/v0/item/3.json", r.firebase_item(3, 1, kids=[4]))
    api.answer("/v0/item/4.json", item_4)
    result = Run().fetch("https://news.ycombinator.com/item?id=1")
    assert seen == {"4 before 2 answered": True}
    assert [p.id for p in result.thread.posts] == [f"hackernews:{n}" for n in (1, 2, 3, 4)]


def test_hackernews_firebase_shows_posts_before_the_walk_ends(
    api: FetchServer, tmp_path: Path
) -> None:
    """The listener (the app) gets the story and the linked item as soon as the walk up
    is done; the fetch keeps one response, the whole list, as before."""
    import asyncio

    from threadtui.fetch.run import FetchOptions, fetch_thread_async

    api.add("/api/v1/items/4", Reply(404))
    _firebase_tree(api)
    heard: list[tuple[str, list[int]]] = []

    def listen(name: str, body: bytes, fetched: Any) -> None:
        import orjson

        heard.append((name, sorted(item["id"] for item in orjson.loads(body))))

    result = asyncio.run(
        fetch_thread_async(
            "https://news.ycombinator.com/item?id=4",
            FetchOptions(use_cache=False),
            on_response=listen,
        )
    )
    assert heard[0] == ("Firebase items of 4 (so far)", [1, 2, 4])
    assert heard[-1] == ("Firebase items of 4", [1, 2, 3, 4, 5])
    # Every preview holds items no earlier one did.
    previewed = [item for _, ids in heard[:-1] for item in ids]
    assert len(previewed) == len(set(previewed))
    assert [name for name, _ in result.responses] == ["Firebase items of 4"]
    same_as_saved(result, tmp_path)


def test_hackernews_unknown_item(api: FetchServer) -> None:
    api.add("/api/v1/items/9", Reply(404))
    api.add("/v0/item/9.json", Reply(body=b"null"))
    with pytest.raises(FetchError, match=r"no item 9 \(deleted, or it never existed\)"):
        Run().fetch("https://news.ycombinator.com/item?id=9")


# --- Reddit -------------------------------------------------------------------------------

COMMENTS = "/comments/abc.json"
MORE = "/api/morechildren.json"


def test_reddit_more_stubs_are_fetched_and_put_in_place(api: FetchServer, tmp_path: Path) -> None:
    # Top level: c1, then a stub of 150 ids (two morechildren requests: 100, then 50).
    stub_ids = [f"m{n}" for n in range(150)]
    page = r.reddit_page(
        [r.reddit_comment("c1", "t3_abc"), r.reddit_more("t3_abc", stub_ids, count=151)],
        num_comments=152,
    )
    api.add(COMMENTS, page)

    def more(request: object) -> object:
        ids = request.query["children"][0].split(",")  # type: ignore[attr-defined]  # the test server adds it to the request
        things = [r.reddit_comment(i, "t3_abc") for i in ids]
        if "m0" in ids:  # one reply nested under a comment of the same batch
            things.append(r.reddit_comment("deep", "t1_m0"))
        return r.morechildren(things)

    api.answer(MORE, more)
    result = Run().fetch("https://www.reddit.com/r/test/comments/abc/slug/")
    posts = result.thread.posts
    assert not [p for p in posts if p.status == "not_fetched"]
    assert len(posts) == 1 + 1 + 150 + 1
    by_id = {p.id: p for p in posts}
    assert by_id["reddit:t1_deep"].reply_to == "reddit:t1_m0"
    assert [len(q.query["children"][0].split(",")) for q in api.requests(MORE)] == [100, 50]
    assert result.anchor == "reddit:t3_abc"
    same_as_saved(result, tmp_path)


def test_reddit_continue_this_thread(api: FetchServer) -> None:
    page = r.reddit_page(
        [r.reddit_comment("c1", "t3_abc", replies=[r.reddit_more("t1_c1", [], 0)])]
    )
    api.add(COMMENTS, page)
    branch = r.reddit_page(
        [r.reddit_comment("c1", "t3_abc", replies=[r.reddit_comment("c2", "t1_c1")])]
    )
    api.add("/comments/abc/_/c1.json", branch)
    result = Run().fetch("https://old.reddit.com/r/test/comments/abc/slug/c1/")
    assert {p.id for p in result.thread.posts} == {"reddit:t3_abc", "reddit:t1_c1", "reddit:t1_c2"}
    assert result.anchor == "reddit:t1_c1"


def test_reddit_refusing_anonymous_clients_says_what_to_do(api: FetchServer) -> None:
    api.add(COMMENTS, Reply(403, {"message": "Forbidden"}))
    with pytest.raises(FetchError) as caught:
        Run().fetch("https://www.reddit.com/comments/abc/")
    message = str(caught.value)
    assert "Reddit refused this anonymous client (HTTP 403)" in message
    assert "add .json to its address" in message and "\n" not in message


def test_reddit_rate_limited_partway_keeps_what_came(api: FetchServer) -> None:
    page = r.reddit_page(
        [r.reddit_comment("c1", "t3_abc"), r.reddit_more("t3_abc", ["x1", "x2"])],
        num_comments=3,
    )
    api.add(COMMENTS, page)
    api.add(MORE, Reply(429, {"message": "Too Many Requests"}, {"Retry-After": "1"}))
    run = Run()
    result = run.fetch("https://reddit.com/comments/abc", retries=2)
    assert result.missing == "fetched 1 of about 3 comments: Reddit rate limited"
    assert [p.status for p in result.thread.posts] == ["ok", "ok", "not_fetched"]
    assert run.sleeps == [1.0, 1.0]


# --- X ------------------------------------------------------------------------------------


def test_x_without_a_token_explains(api: FetchServer) -> None:
    with pytest.raises(FetchError, match="X offers no anonymous API: set THREADTUI_X_BEARER"):
        Run().fetch("https://x.com/carol/status/20")
    assert not api.requests()


def test_x_conversation_pages_and_quoted_posts(
    api: FetchServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("THREADTUI_X_BEARER_TOKEN", "x-token-456")
    api.add("/2/tweets/20", {"data": r.tweet("20", "10", reply_to="10"), "includes": r.X_USERS})
    api.add(
        "/2/tweets/search/recent",
        {
            "data": [r.tweet("22", "10", reply_to="10")],
            "includes": r.X_USERS,
            "meta": {"result_count": 1},
        },
        next_token="p2",
    )
    api.add(
        "/2/tweets/search/recent",
        {
            "data": [r.tweet("21", "10", reply_to="20", quoting="99")],
            "includes": r.X_USERS,
            "meta": {"result_count": 1, "next_token": "p2"},
        },
    )
    api.add("/2/tweets/10", {"data": r.tweet("10", "10"), "includes": r.X_USERS})
    api.add("/2/tweets", {"data": [r.tweet("99", "99")], "includes": r.X_USERS}, ids="99")
    result = Run().fetch("https://twitter.com/carol/status/20")
    ok = sorted(p.id for p in result.thread.posts if p.status == "ok")
    assert ok == ["x:10", "x:20", "x:21", "x:22", "x:99"]
    assert result.anchor == "x:20"
    assert {q.headers["authorization"] for q in api.requests()} == {"Bearer x-token-456"}
    assert all(q.headers["user-agent"].startswith("threadtui/") for q in api.requests())
    cache_files = list((tmp_path / "cache").rglob("*"))
    assert cache_files and all(
        b"x-token-456" not in f.read_bytes() for f in cache_files if f.is_file()
    )
    same_as_saved(result, tmp_path)


# --- hostile or broken servers ------------------------------------------------------------


def test_mastodon_reply_cycle_ends(api: FetchServer) -> None:
    one, two = r.mastodon_status(1, 2, replies=1), r.mastodon_status(2, 1, replies=1)
    api.add("/api/v1/statuses/1", one)
    api.add("/api/v1/statuses/1/context", _context([two], ancestors=[two]))
    api.add("/api/v1/statuses/2/context", _context([one], ancestors=[one]))
    result = Run().fetch(f"{api.base}/@alice/1")
    assert sorted(p.id.rsplit("/", 1)[1] for p in result.thread.posts) == ["1", "2"]


def test_mastodon_status_of_the_wrong_shape(api: FetchServer) -> None:
    api.add("/api/v1/statuses/1", ["not", "a", "status"])
    with pytest.raises(FetchError, match="sent a status without an id"):
        Run().fetch(f"{api.base}/@alice/1")


def test_hackernews_parent_cycle_ends(api: FetchServer) -> None:
    api.add("/api/v1/items/2", Reply(500))
    api.add("/v0/item/2.json", r.firebase_item(2, 3, kids=[3]))
    api.add("/v0/item/3.json", r.firebase_item(3, 2, kids=[2]))
    result = Run().fetch("https://news.ycombinator.com/item?id=2", retries=0)
    assert sorted(p.id for p in result.thread.posts) == ["hackernews:2", "hackernews:3"]


def test_firebase_answering_another_item_is_refused(api: FetchServer) -> None:
    api.add("/api/v1/items/2", Reply(500))
    api.add("/v0/item/2.json", r.firebase_item(7))
    with pytest.raises(FetchError, match="sent something other than item 2"):
        Run().fetch("https://news.ycombinator.com/item?id=2", retries=0)


def test_reddit_morechildren_garbage_keeps_the_listing(api: FetchServer) -> None:
    page = r.reddit_page(
        [r.reddit_comment("c1", "t3_abc"), r.reddit_more("t3_abc", ["x1"])], num_comments=2
    )
    api.add(COMMENTS, page)
    api.add(MORE, {"json": {"errors": [["RATELIMIT", "slow down"]]}})
    result = Run().fetch("https://www.reddit.com/comments/abc/")
    assert result.missing is not None and "without things" in result.missing
    assert [p.status for p in result.thread.posts] == ["ok", "ok", "not_fetched"]


def test_reddit_morechildren_repeating_a_comment_keeps_one(api: FetchServer) -> None:
    page = r.reddit_page(
        [r.reddit_comment("c1", "t3_abc"), r.reddit_more("t3_abc", ["x1"])], num_comments=2
    )
    api.add(COMMENTS, page)
    api.add(
        MORE, r.morechildren([r.reddit_comment("c1", "t3_abc"), r.reddit_comment("x1", "t3_abc")])
    )
    result = Run().fetch("https://www.reddit.com/comments/abc/")
    assert [p.id for p in result.thread.posts] == ["reddit:t3_abc", "reddit:t1_c1", "reddit:t1_x1"]


def test_an_answer_the_importer_refuses_is_one_line(api: FetchServer) -> None:
    api.add(THREAD, {"thread": {"post": {"uri": 5}}})
    with pytest.raises(FetchError) as caught:
        Run().fetch(r.at(r.DID, "x"))
    assert "the API's answer could not be read" in str(caught.value)
    assert "\n" not in str(caught.value)
