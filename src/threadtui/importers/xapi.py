"""Import X (Twitter) API v2 responses: one response object, an array of them, or twarc's
JSONL (one response per line) (shapes: /work/shared/notes/formats.md section 5).

A response is flat: tweets in `data`, what they refer to in `includes` (users, tweets,
media, polls), and what could not be returned in `errors`. Every tweet in either place is
a post; an error about a tweet is a placeholder for it. An edited tweet exists as one id
per version, all listed in `edit_history_tweet_ids`: the versions are one post under the
newest id, and references to an older version (a quote of the first wording) point there.
A retweet is not part of a conversation: the original is kept, the retweet is noted.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from typing import Any, Final

import orjson

from threadtui.importers.base import ImportFormatError, ImportResult, parse_json
from threadtui.importers.collect import (
    MAX_COUNT,
    Collector,
    decode_entities,
    iso_utc,
    load_json,
    metrics,
    new_post,
    text_or_none,
)

NAME: Final = "x-api"
DESCRIPTION: Final = "X API v2 JSON or twarc JSONL (tweets with includes)"
PLATFORM: Final = "x"
WEB: Final = "https://x.com/"
_METRICS: Final = (
    ("views", "impression_count"),
    ("likes", "like_count"),
    ("reposts", "retweet_count"),
    ("replies", "reply_count"),
    ("quotes", "quote_count"),
)
_METRIC_NAMES: Final = tuple(name for name, _ in _METRICS)
_MEDIA_KINDS: Final = {"photo": "image", "video": "video", "animated_gif": "gifv"}
_ID = re.compile(r"[0-9]{1,25}", re.ASCII)
# Where ids are read for every tweet the same test is written out with str methods
# (ascii, digits, 1-25 of them), twice as fast as the pattern.
_NON_SPACE = re.compile(r"\S")
# Snowflake ids carry their creation time: milliseconds since this epoch, above bit 22.
_TWEPOCH_MS: Final = 1288834974657

_Where = tuple[str, int | None]
"""A JSON path and, for JSONL, the 1-based line it is on."""


def _is_tweet(value: Any) -> bool:
    return type(value) is dict and type(value.get("id")) is str and type(value.get("text")) is str


def _is_response(value: Any) -> bool:
    if type(value) is not dict:
        return False
    tweets = value.get("data")
    if type(tweets) is dict:
        return _is_tweet(tweets)
    if type(tweets) is list:
        return bool(tweets) and _is_tweet(tweets[0])
    if "data" in value:
        return False
    errors = value.get("errors")
    if type(errors) is list and errors and type(errors[0]) is dict:
        return "resource_type" in errors[0] and "title" in errors[0]
    # twarc's flattened lines: one tweet with its expansions inlined.
    return _is_tweet(value) and ("author_id" in value or "edit_history_tweet_ids" in value)


def _first_line(text: str) -> str | None:
    start = _NON_SPACE.search(text)
    if start is None:
        return None
    end = text.find("\n", start.start())
    return text[start.start() : end if end >= 0 else len(text)]


def _only_line(text: str, first: str) -> bool:
    """`first` (from _first_line) is all of `text` but the space around it; without
    text.strip(), which copies the whole input (hundreds of MB in a JSONL file)."""
    end = text.find(first) + len(first)
    return not first[-1:].isspace() and _NON_SPACE.search(text, end) is None


def sniff(text: str) -> bool:
    """An X API v2 response (or an array of them); for JSONL, its first line is one."""
    data = parse_json(text)
    if data is None:
        first = _first_line(text)
        if first is None or _only_line(text, first):
            return False
        try:
            data = orjson.loads(first)
        except orjson.JSONDecodeError:
            return False
    if type(data) is list:
        return bool(data) and _is_response(data[0])
    return _is_response(data)


def run(text: str, *, tz: tzinfo | None = None) -> ImportResult:
    """Import responses. `tz` is accepted and unused: API times are UTC."""
    data = parse_json(text)
    responses: list[tuple[Any, str, int | None]] = []
    reader = _Reader("x-api-v2")
    if data is not None:
        if type(data) is list and data and all(_is_tweet(item) for item in data):
            responses.append(({"data": data}, "$", None))
        elif type(data) is list:
            responses.extend((item, f"$[{i}]", None) for i, item in enumerate(data))
        else:
            responses.append((data, "$", None))
    else:
        reader.c.kind = "twarc-jsonl"
        for number, line in enumerate(text.splitlines(), start=1):
            if not line or line.isspace():  # (line.strip() would copy every line)
                continue
            try:
                responses.append((orjson.loads(line), "$", number))
            except orjson.JSONDecodeError as error:
                reader.c.warn("$", f"not JSON ({error.msg}): line left out", number)
        if not responses:
            load_json(text)  # raises, naming where the text stops being JSON
    return reader.read(responses)


class _Tweet:
    """One version of a tweet as read, with where it was read."""

    __slots__ = ("data", "line", "path", "refs")

    def __init__(self, data: dict[str, Any], path: str, line: int | None) -> None:
        self.data = data
        self.path = path
        self.line = line
        self.refs: list[tuple[str, str]] | None = None
        """Its referenced tweets (`_refs`), once read."""


class _Reader:
    def __init__(self, kind: str) -> None:
        self.c = Collector(PLATFORM, kind, "xapi")
        self.users: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.polls: dict[str, dict[str, Any]] = {}
        self.tweets: list[_Tweet] = []
        self.errors: list[tuple[dict[str, Any], str, int | None]] = []
        self.retrieved: list[str] = []
        self.alias: dict[str, str] = {}
        """Tweet id → the newest id of its edit history."""
        self.history_size: dict[str, int] = {}
        self.conversations: set[str] = set()
        self.parent_authors: dict[str, str] = {}
        """Replied-to tweet id → its author's id, which the reply names
        (`in_reply_to_user_id`): a placeholder for the parent keeps it."""

    # --- gathering ----------------------------------------------------------------------

    def read(self, responses: list[tuple[Any, str, int | None]]) -> ImportResult:
        for response, path, line in responses:
            self.response(response, path, line)
        if not self.tweets and not self.errors:
            where = responses[0][2] if responses else None
            raise ImportFormatError(
                "no tweet in this X API response (no data, includes.tweets or errors)",
                line=where,
                path="$",
            )
        for tweet in self.tweets:
            self.learn_history(tweet)
        self.build()
        if not self.c.posts:
            raise ImportFormatError("no importable tweet in this X API response", path="$")
        return self.finish()

    def response(self, response: Any, path: str, line: int | None) -> None:
        if type(response) is not dict:
            self.c.wrong(path, "a response object", response, "left out", line)
            return
        if "data" not in response and "errors" not in response and _is_tweet(response):
            self.flattened(response, path, line)
            return
        data = response.get("data")
        if type(data) is dict:
            self.tweets.append(_Tweet(data, f"{path}.data", line))
        elif type(data) is list:
            for i, tweet in enumerate(data):
                self.tweet_at(tweet, f"{path}.data[{i}]", line)
        elif data is not None:
            self.c.wrong(f"{path}.data", "tweets", data, "left out", line)
        includes = response.get("includes")
        if type(includes) is dict:
            self.includes(includes, f"{path}.includes", line)
        elif includes is not None:
            self.c.wrong(f"{path}.includes", "an object", includes, "left out", line)
        for i, error in enumerate(self.c.items(response, "errors", path, line)):
            if type(error) is dict:
                self.errors.append((error, f"{path}.errors[{i}]", line))
            else:
                self.c.wrong(f"{path}.errors[{i}]", "an object", error, "left out", line)
        twarc = response.get("__twarc")
        if type(twarc) is dict:
            retrieved = iso_utc(twarc.get("retrieved_at"))
            if retrieved is not None:
                self.retrieved.append(retrieved)

    def flattened(self, tweet: dict[str, Any], path: str, line: int | None) -> None:
        """A twarc-flattened tweet: its author and referenced tweets are inlined."""
        self.tweets.append(_Tweet(tweet, path, line))
        author = tweet.get("author")
        if type(author) is dict and type(author.get("id")) is str:
            self.users.setdefault(author["id"], author)
        refs = tweet.get("referenced_tweets")
        if type(refs) is list:
            for i, ref in enumerate(refs):
                if _is_tweet(ref):
                    self.tweets.append(_Tweet(ref, f"{path}.referenced_tweets[{i}]", line))
        twarc = tweet.get("__twarc")
        if type(twarc) is dict:
            retrieved = iso_utc(twarc.get("retrieved_at"))
            if retrieved is not None:
                self.retrieved.append(retrieved)

    def tweet_at(self, tweet: Any, path: str, line: int | None) -> None:
        if type(tweet) is dict:
            self.tweets.append(_Tweet(tweet, path, line))
        else:
            self.c.wrong(path, "a tweet", tweet, "left out", line)

    def includes(self, includes: dict[str, Any], path: str, line: int | None) -> None:
        for key, table, id_key in (
            ("users", self.users, "id"),
            ("media", self.media, "media_key"),
            ("polls", self.polls, "id"),
        ):
            for item in self.c.items(includes, key, path, line):
                if type(item) is dict and type(item.get(id_key)) is str:
                    table.setdefault(item[id_key], item)
        for i, tweet in enumerate(self.c.items(includes, "tweets", path, line)):
            self.tweet_at(tweet, f"{path}.tweets[{i}]", line)

    def learn_history(self, tweet: _Tweet) -> None:
        history = tweet.data.get("edit_history_tweet_ids")
        if type(history) is not list:
            return
        ids = [h for h in history if type(h) is str and h.isascii() and h.isdigit() and len(h) < 26]
        if not ids:
            return
        newest = ids[-1]
        # The longest history seen for an id is the most recent one.
        for version in ids:
            if len(ids) > self.history_size.get(version, 0):
                self.history_size[version] = len(ids)
                self.alias[version] = newest

    def canonical(self, tweet_id: str) -> str:
        newer = self.alias.get(tweet_id)
        if newer is None or newer == tweet_id:
            return tweet_id  # the usual case (a tweet's history names itself): no set
        seen = {tweet_id}
        while True:
            newer = self.alias.get(tweet_id)
            if newer is None or newer in seen:
                return tweet_id
            seen.add(newer)
            tweet_id = newer

    # --- building -----------------------------------------------------------------------

    def build(self) -> None:
        versions: dict[str, dict[str, _Tweet]] = {}
        retweets: list[tuple[_Tweet, str, str]] = []
        for tweet in self.tweets:
            raw_id = tweet.data.get("id")
            if type(raw_id) is int and raw_id >= 0:
                raw_id = str(raw_id)
            if type(raw_id) is not str or not raw_id:
                self.c.wrong(f"{tweet.path}.id", "an id", raw_id, "left out", tweet.line)
                continue
            refs = tweet.refs = _refs(tweet.data.get("referenced_tweets"))
            retweeted = [ref_id for kind, ref_id in refs if kind == "retweeted"]
            if retweeted:
                retweets.append((tweet, raw_id, retweeted[0]))
                continue
            replied_user = tweet.data.get("in_reply_to_user_id")
            if type(replied_user) is str and replied_user:
                for kind, ref_id in refs:
                    if kind == "replied_to":
                        self.parent_authors.setdefault(self.canonical(ref_id), replied_user)
            group = versions.setdefault(self.canonical(raw_id), {})
            old = group.get(raw_id)
            # `data` and `includes` may both hold a version: keep the fuller copy.
            if old is None or len(tweet.data) > len(old.data):
                group[raw_id] = tweet
        for post_id, group in versions.items():
            self.post(post_id, group)
        for retweet in retweets:
            self.retweet(*retweet)
        for error, path, line in self.errors:
            self.error(error, path, line)

    def retweet(self, tweet: _Tweet, tweet_id: str, original: str) -> None:
        """A retweet repeats a post: keep the original, say so, and drop the wrapper."""
        author_id = tweet.data.get("author_id")
        author = self.users.get(author_id) if type(author_id) is str else None
        who = f" by @{author['username']}" if author and type(author.get("username")) is str else ""
        original_id = f"{PLATFORM}:{self.canonical(original)}"
        self.c.warn(
            tweet.path,
            f"tweet {tweet_id} is a retweet{who} of {original_id}: kept the original only",
            tweet.line,
        )
        if not any(t.data.get("id") == original for t in self.tweets):
            placeholder = self.placeholder(
                self.canonical(original), "not_fetched", tweet.path, tweet.line
            )
            self.c.post(placeholder, tweet.path, tweet.line)

    def post(self, canonical: str, group: dict[str, _Tweet]) -> None:
        current = group.get(canonical)
        if current is None:
            # Only older versions are here: the newest one's content is not.
            current = max(group.values(), key=lambda t: _position(t.data, canonical))
            self.c.warn(
                current.path,
                f"tweet {current.data.get('id')} is an older version of {canonical}, which is"
                " not in the input: shown with the older text",
                current.line,
            )
        data = current.data
        path, line = current.path, current.line
        post_id = f"{PLATFORM}:{canonical}"

        author = None
        author_id = data.get("author_id")
        if type(author_id) is str and author_id:
            author = self.author(author_id, path, line)
        elif author_id is not None:
            self.c.wrong(f"{path}.author_id", "a user id", author_id, "author unknown", line)

        text = data.get("text")
        note = data.get("note_tweet")
        if type(note) is dict and type(note.get("text")) is str:
            # The full text of a long post; `text` holds its first 280 characters.
            text = note["text"]
        status = "ok"
        if type(text) is str:
            text = decode_entities(text)
        elif "withheld" in data:
            status, text = "removed", None
        else:
            self.c.wrong(f"{path}.text", "text", text, "text left empty", line)
            text = ""

        created_at = self.c.time(data, "created_at", path, line)

        reply_to = None
        quotes: list[str] = []
        refs = current.refs
        if refs is None:
            refs = _refs(data.get("referenced_tweets"))
        for kind, ref_id in refs:
            target = self.canonical(ref_id)
            if kind == "replied_to":
                reply_to = f"{PLATFORM}:{target}"
            elif kind == "quoted" and target != canonical and f"{PLATFORM}:{target}" not in quotes:
                quotes.append(f"{PLATFORM}:{target}")

        counts = metrics()
        public = self.c.object(data, "public_metrics", path, line)
        if public is not None:
            get = public.get
            values = [get(key) for _, key in _METRICS]
            if all(type(v) is int and 0 <= v <= MAX_COUNT for v in values):
                # The usual counts, inline; the typed reads (with warnings) for the rest.
                counts = dict(zip(_METRIC_NAMES, values, strict=True))
            else:
                where = f"{path}.public_metrics"
                counts = metrics(
                    **{name: self.c.count(public, key, where, line) for name, key in _METRICS}
                )

        post = new_post(
            post_id,
            author=author,
            text=text,
            created_at=created_at,
            reply_to=reply_to,
            quotes=quotes,
            counts=counts,
            status=status,
        )
        user = self.users.get(author_id) if type(author_id) is str else None
        username = text_or_none(user.get("username")) if user else None
        post["url"] = (
            f"{WEB}{username}/status/{canonical}" if username else f"{WEB}i/web/status/{canonical}"
        )
        self.edits(post, canonical, group, data)
        media = self.attachments(data.get("attachments"))
        if media:
            post["media"] = media
        links, mentions = self.entities(data.get("entities"))
        if links:
            post["links"] = links
        if mentions:
            post["mentions"] = mentions
        conversation = data.get("conversation_id")
        if type(conversation) is str and _ID.fullmatch(conversation) and status == "ok":
            self.conversations.add(self.canonical(conversation))
        self.c.post(post, path, line)

    def edits(
        self, post: dict[str, Any], canonical: str, group: dict[str, _Tweet], data: dict[str, Any]
    ) -> None:
        """Times of an edited post: created when first written, edited when last changed;
        older versions present in the input are kept under `edit_history`."""
        history = data.get("edit_history_tweet_ids")
        ids = [h for h in history if type(h) is str] if type(history) is list else []
        if len(ids) < 2 and len(group) < 2:
            return
        first = ids[0] if ids else min(group, key=lambda vid: _position(group[vid].data, canonical))
        first_time = None
        if first in group:
            first_time = iso_utc(group[first].data.get("created_at"))
        elif _ID.fullmatch(first):
            first_time = _snowflake_time(first)
        newest_time = post["created_at"]
        if first_time is not None and newest_time is not None and first_time != newest_time:
            post["created_at"] = first_time
            post["edited_at"] = newest_time
        older = [
            {
                "id": f"{PLATFORM}:{vid}",
                "created_at": iso_utc(version.data.get("created_at")),
                "text": decode_entities(version.data["text"])
                if type(version.data.get("text")) is str
                else None,
            }
            for vid, version in group.items()
            if vid != canonical
        ]
        if older:
            post["edit_history"] = older

    def placeholder(
        self, tweet_id: str, status: str, path: str, line: int | None
    ) -> dict[str, Any]:
        author_id = self.parent_authors.get(tweet_id)
        author = self.author(author_id, path, line) if author_id else None
        post = new_post(f"{PLATFORM}:{tweet_id}", author=author, status=status)
        user = self.users.get(author_id) if author_id else None
        username = text_or_none(user.get("username")) if user else None
        post["url"] = f"{WEB}{username or 'i/web'}/status/{tweet_id}"
        return post

    def author(self, author_id: str, path: str, line: int | None) -> str:
        user = self.users.get(author_id)
        username = text_or_none(user.get("username")) if user else None
        entry: dict[str, Any] = {
            "handle": username,
            "display_name": text_or_none(user.get("name")) if user else None,
        }
        if username:
            entry["url"] = WEB + username
        return self.c.author(f"{PLATFORM}:{author_id}", entry, path, line)

    def attachments(self, attachments: Any) -> list[dict[str, Any]]:
        if type(attachments) is not dict:
            return []
        media: list[dict[str, Any]] = []
        keys = attachments.get("media_keys")
        for key in keys if type(keys) is list else ():
            item = self.media.get(key) if type(key) is str else None
            if item is None:
                continue  # not expanded in this response: nothing to show
            raw_kind = item.get("type")
            kind = _MEDIA_KINDS.get(raw_kind, "other") if type(raw_kind) is str else "other"
            url = text_or_none(item.get("url")) or _best_variant(item.get("variants"))
            url = url or text_or_none(item.get("preview_image_url"))
            media.append({"kind": kind, "url": url, "alt": text_or_none(item.get("alt_text"))})
        polls = attachments.get("poll_ids")
        for poll_id in polls if type(polls) is list else ():
            poll = self.polls.get(poll_id) if type(poll_id) is str else None
            if poll is None:
                continue
            options = poll.get("options")
            labels = [
                o["label"]
                for o in (options if type(options) is list else ())
                if type(o) is dict and type(o.get("label")) is str
            ]
            media.append({"kind": "poll", "url": None, "alt": " / ".join(labels) or None})
        return media

    def entities(self, entities: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Links (the real target of each t.co link, as written in the text) and mentions,
        in text order."""
        if type(entities) is not dict:
            return [], []
        found: list[tuple[int, int, dict[str, Any]]] = []
        mentions: list[tuple[int, int, dict[str, Any]]] = []
        urls = entities.get("urls")
        for i, entry in enumerate(urls if type(urls) is list else ()):
            if type(entry) is not dict or "media_key" in entry:
                continue  # a photo's link: the photo is in `media`
            target = text_or_none(entry.get("expanded_url")) or text_or_none(entry.get("url"))
            if target is None:
                continue
            start = entry.get("start")
            order = start if type(start) is int else 1 << 62
            found.append((order, i, {"url": target, "text": text_or_none(entry.get("url"))}))
        raw_mentions = entities.get("mentions")
        for i, entry in enumerate(raw_mentions if type(raw_mentions) is list else ()):
            if type(entry) is not dict:
                continue
            username = text_or_none(entry.get("username"))
            if username is None:
                continue
            user_id = text_or_none(entry.get("id"))
            start = entry.get("start")
            order = start if type(start) is int else 1 << 62
            mention = {
                "handle": username,
                "id": f"{PLATFORM}:{user_id}" if user_id else None,
                "url": WEB + username,
            }
            mentions.append((order, i, mention))
        found.sort(key=lambda entry: entry[:2])
        mentions.sort(key=lambda entry: entry[:2])
        return [entry[2] for entry in found], [entry[2] for entry in mentions]

    def error(self, error: dict[str, Any], path: str, line: int | None) -> None:
        """An error about a tweet is a placeholder for it; others are warnings."""
        resource = error.get("resource_type")
        target = error.get("resource_id", error.get("value"))
        title = error.get("title") if type(error.get("title")) is str else ""
        detail = error.get("detail") if type(error.get("detail")) is str else ""
        words = f"{title} {detail} {error.get('type') or ''}".casefold()
        if resource == "tweet" and type(target) is str and _ID.fullmatch(target):
            if "withheld" in words:
                status = "removed"
            elif "authoriz" in words or "forbidden" in words:
                status = "blocked"
            else:
                status = "not_found"
            self.c.post(self.placeholder(self.canonical(target), status, path, line), path, line)
            return
        what = f"{resource} {target}" if type(resource) is str and type(target) is str else "error"
        self.c.warn(path, f"{what}: {title or detail or 'no detail'}", line)

    def finish(self) -> ImportResult:
        root = url = None
        if len(self.conversations) == 1:
            conversation = next(iter(self.conversations))
            root = f"{PLATFORM}:{conversation}"
            root_post = self.c.posts.get(root)
            url = root_post.get("url") if root_post else f"{WEB}i/web/status/{conversation}"
        retrieved = max(self.retrieved) if self.retrieved else None
        return self.c.result(url=url, root=root, retrieved_at=retrieved)


def _refs(raw: Any) -> list[tuple[str, str]]:
    if type(raw) is not list:
        return []
    return [
        (ref["type"], ref["id"])
        for ref in raw
        if type(ref) is dict
        and type(ref.get("type")) is str
        and type(ref.get("id")) is str
        and ref["id"].isascii()
        and ref["id"].isdigit()
        and len(ref["id"]) < 26
    ]


def _position(data: dict[str, Any], canonical: str) -> int:
    """How far along its edit history a version is (older versions first)."""
    history = data.get("edit_history_tweet_ids")
    tweet_id = data.get("id")
    if type(history) is list and tweet_id in history:
        return history.index(tweet_id)
    return -1


def _best_variant(variants: Any) -> str | None:
    """The highest-bitrate MP4 of a video, else any playable URL."""
    if type(variants) is not list:
        return None
    best: tuple[int, str] | None = None
    for variant in variants:
        if type(variant) is not dict or type(variant.get("url")) is not str:
            continue
        rate = variant.get("bit_rate")
        score = rate if type(rate) is int else -1
        if best is None or score > best[0]:
            best = (score, variant["url"])
    return best[1] if best else None


def _snowflake_time(tweet_id: str) -> str | None:
    """The creation time a snowflake id encodes, to the second (as the API writes times)."""
    milliseconds = (int(tweet_id) >> 22) + _TWEPOCH_MS
    try:
        moment = datetime.fromtimestamp(milliseconds // 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z") if moment.year >= 2010 else None
