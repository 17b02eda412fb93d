"""Which thread a URL names, and which API bases are accepted. No network involved."""

from __future__ import annotations

import pytest

from threadtui.fetch.base import api_base
from threadtui.fetch.errors import FetchError, check_base
from threadtui.fetch.urls import looks_like_url, recognise


@pytest.mark.parametrize(
    ("url", "platform", "post", "extra"),
    [
        ("https://bsky.app/profile/alice.example/post/3kabc", "bluesky", "3kabc", "alice.example"),
        (
            "https://bsky.app/profile/did:plc:abc123/post/3kabc/",
            "bluesky",
            "3kabc",
            "did:plc:abc123",
        ),
        ("at://alice.example/app.bsky.feed.post/3kabc", "bluesky", "3kabc", "alice.example"),
        ("at://did:plc:abc123/app.bsky.feed.post/3kabc", "bluesky", "3kabc", "did:plc:abc123"),
        (
            "https://mastodon.social/@alice/110446983926957470",
            "mastodon",
            "110446983926957470",
            "https://mastodon.social",
        ),
        (
            "https://mastodon.social/@bob@other.example/1234",
            "mastodon",
            "1234",
            "https://mastodon.social",
        ),
        (
            "https://fosstodon.org/users/alice/statuses/99",
            "mastodon",
            "99",
            "https://fosstodon.org",
        ),
        ("https://social.example:8443/statuses/5", "mastodon", "5", "https://social.example:8443"),
        ("http://127.0.0.1:9/@a/5", "mastodon", "5", "http://127.0.0.1:9"),
        ("https://news.ycombinator.com/item?id=8863", "hackernews", "8863", ""),
        (
            "https://www.reddit.com/r/Python/comments/2xmo63/some_slug/",
            "reddit",
            "t3_2xmo63",
            "2xmo63",
        ),
        (
            "https://old.reddit.com/r/Python/comments/2xmo63/slug/cp1h67d/",
            "reddit",
            "t1_cp1h67d",
            "2xmo63",
        ),
        ("https://reddit.com/comments/2xmo63", "reddit", "t3_2xmo63", "2xmo63"),
        ("https://redd.it/2xmo63", "reddit", "t3_2xmo63", "2xmo63"),
        ("https://x.com/carol/status/1576994789110992896", "x", "1576994789110992896", ""),
        ("https://twitter.com/carol/status/15/photo/1", "x", "15", ""),
    ],
)
def test_recognised(url: str, platform: str, post: str, extra: str) -> None:
    target = recognise(url)
    assert (target.platform, target.post) == (platform, post)
    if platform == "bluesky":
        assert target.actor == extra
    elif platform == "mastodon":
        assert target.server == extra
    elif platform == "reddit":
        assert target.link == extra
    assert looks_like_url(url)


@pytest.mark.parametrize(
    ("url", "hint"),
    [
        ("https://example.com/some/page", "it fetches Bluesky, Mastodon, Hacker News, Reddit, X"),
        ("https://bsky.app/profile/alice.example", "bsky.app/profile/NAME/post/ID"),
        ("https://news.ycombinator.com/news", "item?id=N"),
        ("https://www.reddit.com/r/Python/", "reddit.com/r/SUB/comments/ID"),
        ("https://x.com/carol", "x.com/NAME/status/ID"),
        ("ftp://mastodon.social/@a/5", "not a post link"),
        ("at://alice.example/app.bsky.actor.profile/self", "at://NAME/app.bsky.feed.post/ID"),
        ("http://social.example/@alice/5", "plain http is accepted only for loopback"),
    ],
)
def test_not_recognised_is_one_line_that_helps(url: str, hint: str) -> None:
    with pytest.raises(FetchError) as caught:
        recognise(url)
    assert hint in str(caught.value) and "\n" not in str(caught.value)


def test_files_are_not_urls() -> None:
    assert not looks_like_url("thread.json")
    assert not looks_like_url("./https:/x")
    assert looks_like_url("HTTPS://BSKY.APP/profile/a.b/post/c")


def test_cache_keys_name_platform_and_post() -> None:
    a = recognise("https://www.reddit.com/r/x/comments/abc/s/")
    b = recognise("https://www.reddit.com/r/x/comments/abc/s/def/")
    assert a.cache_key != b.cache_key
    assert recognise("https://mastodon.social/@a/5").cache_key == "mastodon.social/5"


@pytest.mark.parametrize(
    ("value", "base"),
    [
        ("https://mirror.example", "https://mirror.example"),
        ("https://mirror.example:8443/", "https://mirror.example:8443"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("http://localhost:8123", "http://localhost:8123"),
        ("http://[::1]:8123", "http://[::1]:8123"),
    ],
)
def test_api_bases_accepted(value: str, base: str) -> None:
    assert check_base(value, "THREADTUI_X_API") == base


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("http://mirror.example", "plain http is accepted only for loopback"),
        ("http://10.0.0.5:80", "plain http is accepted only for loopback"),
        ("https://mirror.example/api", "give only a scheme, host and port"),
        ("https://user:pw@mirror.example", "give only a scheme, host and port"),
        ("mirror.example", "expected a base such as"),
        ("https://mirror.example:http", "the port is not a number"),
    ],
)
def test_api_bases_refused(value: str, problem: str) -> None:
    with pytest.raises(FetchError) as caught:
        check_base(value, "THREADTUI_HN_ALGOLIA_API")
    assert str(caught.value).startswith("THREADTUI_HN_ALGOLIA_API: ")
    assert problem in str(caught.value)


def test_api_base_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THREADTUI_REDDIT_API", raising=False)
    assert api_base("THREADTUI_REDDIT_API", "https://www.reddit.com") == "https://www.reddit.com"
    monkeypatch.setenv("THREADTUI_REDDIT_API", "http://127.0.0.1:9")
    assert api_base("THREADTUI_REDDIT_API", "https://www.reddit.com") == "http://127.0.0.1:9"
    monkeypatch.setenv("THREADTUI_REDDIT_API", "http://reddit.mirror")
    with pytest.raises(FetchError, match="THREADTUI_REDDIT_API: plain http"):
        api_base("THREADTUI_REDDIT_API", "https://www.reddit.com")


def _modules_after(code: str) -> list[str]:
    import subprocess
    import sys

    probe = f"import sys; {code}; print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_fetching_never_imports_textual() -> None:
    # A client entered, as every fetch does: httpx is imported there, not at the top.
    loaded = _modules_after(
        "import threadtui.fetch.run, threadtui.fetch.bluesky, threadtui.fetch.mastodon,"
        " threadtui.fetch.hackernews, threadtui.fetch.reddit, threadtui.fetch.xapi;"
        " import asyncio; from threadtui.fetch.client import Client;"
        " asyncio.run(Client().__aenter__())"
    )
    assert "httpx" in loaded
    # Not rich: httpx itself imports it for its command line when click is installed
    # (textual-dev brings click), which says nothing about our layering.
    assert "textual" not in loaded


def test_recognising_a_url_costs_no_http_library() -> None:
    """Opening a file must not pay for httpx: the command line only recognises URLs."""
    loaded = _modules_after(
        "from threadtui.cli import is_url; assert is_url('https://x.com/a/status/1')"
    )
    assert "httpx" not in loaded
