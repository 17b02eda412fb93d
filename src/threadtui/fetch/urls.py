"""Which thread a URL names: platform, the post, and a cache key. No network here.

Recognised (issue #12):
- Bluesky: https://bsky.app/profile/<handle or did>/post/<rkey>, at://<actor>/app.bsky.feed.post/<rkey>
- Mastodon (any server): https://<server>/@<user>/<id>, /@<user>@<domain>/<id>,
  /users/<user>/statuses/<id>, /statuses/<id>, /web/statuses/<id>
- Hacker News: https://news.ycombinator.com/item?id=N
- Reddit: /r/<sub>/comments/<id>[/<slug>[/<comment>]], /comments/<id>, redd.it/<id>
  (www., old., new., np. and bare reddit.com)
- X: https://x.com/<user>/status/<id> (and twitter.com, mobile.*)
"""

import re
from typing import Final, NamedTuple
from urllib.parse import parse_qs, urlsplit

from threadtui.fetch.errors import FetchError, check_base

PLATFORMS: Final = ("Bluesky", "Mastodon", "Hacker News", "Reddit", "X")

_BSKY_HOSTS: Final = {"bsky.app", "www.bsky.app", "staging.bsky.app"}
_HN_HOSTS: Final = {"news.ycombinator.com"}
_REDDIT_HOSTS: Final = {
    "reddit.com",
    "www.reddit.com",
    "old.reddit.com",
    "new.reddit.com",
    "np.reddit.com",
    "m.reddit.com",
}
_X_HOSTS: Final = {
    "x.com",
    "www.x.com",
    "twitter.com",
    "www.twitter.com",
    "mobile.twitter.com",
    "mobile.x.com",
}
# Patterns, not compiled here: `re` compiles (and caches) those of the platform a URL
# names when it is first matched. Compiling all seven at import, and Target as a frozen
# dataclass, were 0.65 ms of every URL's opening from the cache, which the saved file never
# pays (issue #12). No `from __future__ import annotations` either, for the same reason:
# a NamedTuple turns each string annotation into a ForwardRef, compiling it.
_RKEY: Final = r"[A-Za-z0-9._:~-]{1,512}"
_ACTOR: Final = r"(did:[a-z]+:[A-Za-z0-9._:%-]+|[A-Za-z0-9.-]+\.[A-Za-z0-9-]+)"
_DIGITS: Final = r"[0-9]{1,30}"
_MASTODON_PATHS: Final = (
    r"/@[A-Za-z0-9_.-]+(?:@[A-Za-z0-9.-]+)?/([0-9]{1,30})/?",
    r"/users/[A-Za-z0-9_.-]+/statuses/([0-9]{1,30})/?",
    r"/(?:web/)?statuses/([0-9]{1,30})/?",
)


class Target(NamedTuple):
    platform: str
    """bluesky, mastodon, hackernews, reddit or x: the importers' platform names."""
    url: str
    """The URL as the user gave it (for messages and the thread's record)."""
    post: str
    """The platform's id of the linked post: rkey, status id, item id, base36 id."""
    actor: str = ""
    """Bluesky: the handle or DID in the URL."""
    server: str = ""
    """Mastodon: the server the URL names, as an API base (scheme://host[:port])."""
    link: str = ""
    """Reddit: the submission's base36 id (`post` is the comment's when one is linked)."""

    @property
    def cache_key(self) -> str:
        if self.platform == "bluesky":
            return f"{self.actor.lower()}/{self.post}"
        if self.platform == "mastodon":
            return f"{self.server.split('://', 1)[1]}/{self.post}"
        if self.platform == "reddit":
            return f"{self.link}/{self.post}"
        return self.post


def looks_like_url(text: str) -> bool:
    """An argument that is meant as a URL rather than a file name."""
    lowered = text[:12].lower()
    return lowered.startswith(("http://", "https://", "at://"))


def recognise(url: str) -> Target:
    """The thread `url` names; FetchError (one line) when it names none threadtui knows."""
    text = url.strip()
    if text.lower().startswith("at://"):
        return _at_uri(text, url)
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise _unknown(url)
    path = parts.path
    if host in _BSKY_HOSTS:
        match = re.fullmatch(r"/profile/([^/]+)/post/([^/]+)/?", path)
        if match and re.fullmatch(_ACTOR, match[1]) and re.fullmatch(_RKEY, match[2]):
            return Target("bluesky", url, match[2], actor=match[1])
        raise _unknown(url, "a Bluesky post link looks like bsky.app/profile/NAME/post/ID")
    if host in _HN_HOSTS:
        ids = parse_qs(parts.query).get("id", [])
        if path.rstrip("/") == "/item" and len(ids) == 1 and re.fullmatch(_DIGITS, ids[0]):
            return Target("hackernews", url, str(int(ids[0])))
        raise _unknown(url, "a Hacker News link looks like news.ycombinator.com/item?id=N")
    if host in _REDDIT_HOSTS or host == "redd.it":
        return _reddit(url, host, path)
    if host in _X_HOSTS:
        match = re.fullmatch(
            r"/(?:[A-Za-z0-9_]{1,30}|i(?:/web)?)/status(?:es)?/([0-9]{1,30})(?:/.*)?", path
        )
        if match:
            return Target("x", url, match[1])
        raise _unknown(url, "an X post link looks like x.com/NAME/status/ID")
    for pattern in _MASTODON_PATHS:
        match = re.fullmatch(pattern, path)
        if match:
            server = check_base(f"{parts.scheme}://{parts.netloc}", url)
            return Target("mastodon", url, match[1], server=server)
    raise _unknown(url)


def _at_uri(text: str, url: str) -> Target:
    match = re.fullmatch(r"at://([^/]+)/app\.bsky\.feed\.post/([^/?#]+)", text, re.IGNORECASE)
    if match and re.fullmatch(_ACTOR, match[1]) and re.fullmatch(_RKEY, match[2]):
        return Target("bluesky", url, match[2], actor=match[1])
    raise _unknown(url, "an at:// URI of a post looks like at://NAME/app.bsky.feed.post/ID")


def _reddit(url: str, host: str, path: str) -> Target:
    if host == "redd.it":
        match = re.fullmatch(r"/([a-z0-9]{1,16})/?", path)
        if match:
            return Target("reddit", url, f"t3_{match[1]}", link=match[1])
    else:
        match = re.fullmatch(
            r"(?:/r/[A-Za-z0-9_]{1,40})?/comments/([a-z0-9]{1,16})"
            r"(?:/[^/]*(?:/([a-z0-9]{1,16}))?)?/?(?:\.json)?",
            path,
        )
        if match:
            if match[2]:
                return Target("reddit", url, f"t1_{match[2]}", link=match[1])
            return Target("reddit", url, f"t3_{match[1]}", link=match[1])
    raise _unknown(url, "a Reddit link looks like reddit.com/r/SUB/comments/ID/…")


def _unknown(url: str, hint: str = "") -> FetchError:
    known = ", ".join(PLATFORMS)
    tail = f"; {hint}" if hint else ""
    return FetchError(f"{url}: not a post link threadtui can fetch (it fetches {known}){tail}")
