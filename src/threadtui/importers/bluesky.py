"""Import Bluesky API responses: getPostThread (nested, and the unspecced flat V2),
getQuotes and getPosts (shapes: /work/shared/notes/formats.md section 1).

A getPostThread response is centred on the post asked for: `parent` links climb to the
root, `replies` go down. Both are walked with explicit stacks, not recursion, so a
1000-deep chain costs no Python frames. A post's own record says whom it answers
(`record.reply.parent`), which holds even when the chain was cut before the parent, so
the declared parent wins over the place in the tree.

Quoted posts (embed views) become posts of the thread, or placeholders when the view says
they are gone, blocked or detached. Facet offsets are UTF-8 byte offsets: they are sliced
from the encoded text, never from the Python string.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any, Final, TypeGuard

from threadtui.importers.base import ImportFormatError, ImportResult, parse_json
from threadtui.importers.collect import (
    Collector,
    iso_utc,
    load_json,
    metrics,
    new_post,
    text_or_none,
)
from threadtui.model.sanitize import describe

NAME: Final = "bluesky"
DESCRIPTION: Final = "Bluesky API JSON (getPostThread, getQuotes, getPosts)"
PLATFORM: Final = "bluesky"
WEB: Final = "https://bsky.app/profile/"
_POST_COLLECTION: Final = "app.bsky.feed.post"


def _is_at(value: Any) -> TypeGuard[str]:
    return type(value) is str and value.startswith("at://") and len(value) > 5


def _type(node: dict[str, Any]) -> str:
    value = node.get("$type")
    return value if type(value) is str else ""


def sniff(text: str) -> bool:
    """A Bluesky response: a `thread` of at:// posts, or `posts` that are at:// post views."""
    data = parse_json(text)
    if type(data) is not dict:
        return False
    thread = data.get("thread")
    if type(thread) is dict:
        post = thread.get("post")
        return (
            _is_at(thread.get("uri"))
            or (type(post) is dict and _is_at(post.get("uri")))
            or _type(thread).startswith("app.bsky.")
        )
    if type(thread) is list:
        return bool(thread) and type(thread[0]) is dict and _is_at(thread[0].get("uri"))
    posts = data.get("posts")
    if type(posts) is list:
        if posts:
            return type(posts[0]) is dict and _is_at(posts[0].get("uri"))
        return _is_at(data.get("uri"))
    return False


def run(text: str, *, tz: tzinfo | None = None) -> ImportResult:
    """Import one response. `tz` is accepted and unused: Bluesky times carry their zone."""
    data = load_json(text)
    if type(data) is not dict:
        raise ImportFormatError(
            f"not a Bluesky response: expected an object, got {describe(data)}", path="$"
        )
    thread = data.get("thread")
    if type(thread) is dict:
        return _Reader("app.bsky.feed.getPostThread").thread(thread)
    if type(thread) is list:
        return _Reader("app.bsky.unspecced.getPostThreadV2").flat_thread(thread)
    if "thread" in data:
        raise ImportFormatError(
            f"expected a thread object or array, got {describe(thread)}", path="$.thread"
        )
    posts = data.get("posts")
    if type(posts) is list:
        if "uri" in data:
            return _Reader("app.bsky.feed.getQuotes").quotes(data["uri"], posts)
        return _Reader("app.bsky.feed.getPosts").posts(posts)
    if "posts" in data:
        raise ImportFormatError(f"expected an array, got {describe(posts)}", path="$.posts")
    raise ImportFormatError(
        'not a Bluesky response: no "thread" (getPostThread) or "posts" (getPosts, getQuotes)',
        path="$",
    )


class _Reader:
    def __init__(self, kind: str) -> None:
        self.c = Collector(PLATFORM, kind, "bluesky")
        self.handles: dict[str, str] = {}
        """DID → handle, for post URLs of placeholders whose author was seen elsewhere."""
        self.pending: list[tuple[dict[str, Any], str]] = []
        """Quoted records met in embeds, read right after the post that quotes them."""
        self.roots: list[str] = []
        """Roots the records declare (`record.reply.root`), in the order met."""
        self.found = 0
        """Posts and placeholders read: zero means nothing importable was there."""

    # --- shapes -------------------------------------------------------------------------

    def thread(self, top: dict[str, Any]) -> ImportResult:
        chain: list[tuple[Any, str]] = []
        node: Any = top
        path = "$.thread"
        while type(node) is dict:
            chain.append((node, path))
            node = node.get("parent")
            path += ".parent"
        if node is not None:
            self.c.wrong(path, "a thread item", node, "the chain stops here")
        chain.reverse()
        parent: str | None = None
        top_id: str | None = None
        for i, (item, item_path) in enumerate(chain):
            parent = self.subtree(item, item_path, parent)
            if i == 0:
                top_id = parent
        anchor = chain[-1][0]
        post = anchor.get("post")
        root = self.root_of(chain[0][0], top_id)
        return self.finish(
            root=root, url=self.url_of(post.get("uri")) if type(post) is dict else None
        )

    def subtree(self, top: Any, path: str, parent: str | None) -> str | None:
        """Read a thread item and its replies (depth first, in order); the item's id."""
        stack: list[tuple[Any, str, str | None]] = [(top, path, parent)]
        top_id: str | None = None
        first = True
        while stack:
            node, node_path, node_parent = stack.pop()
            node_id = self.item(node, node_path, node_parent)
            if first:
                top_id, first = node_id, False
            if type(node) is not dict:
                continue
            replies = self.c.items(node, "replies", node_path)
            for k in range(len(replies) - 1, -1, -1):
                stack.append((replies[k], f"{node_path}.replies[{k}]", node_id))
        return top_id

    def flat_thread(self, items: list[Any]) -> ImportResult:
        """getPostThreadV2: a flat list; an item's parent is the last one a level above."""
        last_at: dict[int, str | None] = {}
        anchor_url: str | None = None
        top: tuple[int, Any, str | None] | None = None
        for i, item in enumerate(items):
            path = f"$.thread[{i}]"
            if type(item) is not dict:
                self.c.wrong(path, "a thread item", item, "left out")
                continue
            depth = item.get("depth")
            if type(depth) is not int:
                self.c.wrong(f"{path}.depth", "a number", depth, "parent unknown")
                depth = None
            value = item.get("value")
            if type(value) is not dict:
                self.c.wrong(f"{path}.value", "an object", value, "left out")
                continue
            parent = last_at.get(depth - 1) if depth is not None else None
            if "uri" not in value and _is_at(item.get("uri")):
                value = {**value, "uri": item["uri"]}
            item_id = self.item(value, f"{path}.value", parent)
            if depth is not None:
                last_at[depth] = item_id
                # A new item at this depth ends every deeper branch before it.
                for deeper in [d for d in last_at if d > depth]:
                    del last_at[deeper]
                if top is None or depth < top[0]:
                    top = (depth, value, item_id)
                if depth == 0:
                    anchor_url = self.url_of(item.get("uri"))
        root = self.root_of(top[1], top[2]) if top is not None else self.common_root()
        return self.finish(root=root, url=anchor_url)

    def quotes(self, uri: Any, posts: list[Any]) -> ImportResult:
        target = None
        if _is_at(uri):
            target = PLATFORM + ":" + uri
        else:
            self.c.wrong("$.uri", "an at:// URI", uri, "no quoted post")
        for i, view in enumerate(posts):
            self.post_view(view, f"$.posts[{i}]", None, quoted=target)
            self.drain()
        return self.finish(root=None, url=self.url_of(uri) if target else None)

    def posts(self, posts: list[Any]) -> ImportResult:
        for i, view in enumerate(posts):
            self.post_view(view, f"$.posts[{i}]", None)
            self.drain()
        return self.finish(root=self.common_root(), url=None)

    def finish(self, *, root: str | None, url: str | None) -> ImportResult:
        if not self.c.posts:
            raise ImportFormatError("no post in this Bluesky response", path="$")
        return self.c.result(url=url, root=root)

    def root_of(self, top: Any, top_id: str | None) -> str | None:
        """The thread's root: the top item when it replies to nothing, else what the
        records declare."""
        if top_id is not None and type(top) is dict:
            post = top.get("post", top)
            record = post.get("record") if type(post) is dict else None
            top_post = self.c.posts.get(top_id)
            ok = top_post is not None and top_post["status"] == "ok"
            if ok and type(record) is dict and "reply" not in record:
                return top_id
        return self.roots[0] if self.roots else None

    def common_root(self) -> str | None:
        return self.roots[0] if self.roots and len(set(self.roots)) == 1 else None

    # --- items --------------------------------------------------------------------------

    def item(self, node: Any, path: str, parent: str | None) -> str | None:
        """A thread item: a post, a not-found or a blocked post."""
        if type(node) is not dict:
            self.c.wrong(path, "a thread item", node, "left out")
            return None
        kind = _type(node)
        if "post" in node or kind.endswith("#threadViewPost") or kind.endswith("#threadItemPost"):
            post_id = self.post_view(node.get("post"), f"{path}.post", parent)
            self.drain()
            return post_id
        if (
            node.get("notFound") is True
            or kind.endswith("NotFound")
            or kind.endswith("notFoundPost")
        ):
            return self.placeholder(node, path, "not_found", parent)
        if node.get("blocked") is True or kind.endswith("Blocked") or kind.endswith("blockedPost"):
            return self.placeholder(node, path, "blocked", parent)
        if _is_at(node.get("uri")):
            # threadItemNoUnauthenticated and kinds newer than this importer: the post
            # exists, its content is not in the file.
            self.c.warn(path, f"unknown thread item {describe(kind)}: kept as a post not fetched")
            return self.placeholder(node, path, "not_fetched", parent)
        self.c.warn(path, f"unknown thread item {describe(kind)} without a uri: left out")
        return None

    def placeholder(
        self, node: dict[str, Any], path: str, status: str, reply_to: str | None
    ) -> str | None:
        # Any: JSON from a stranger; post_id checks it is an at:// URI.
        uri: Any = node.get("uri")
        post_id = self.post_id(uri, path, "left out")
        if post_id is None:
            return None
        author = None
        raw_author = node.get("author")
        if type(raw_author) is dict:
            author = self.author(raw_author, f"{path}.author", uri)
        post = new_post(post_id, author=author, reply_to=reply_to, status=status)
        self.with_url(post, uri)
        self.c.post(post, path)
        return post_id

    def post_id(self, uri: Any, path: str, outcome: str) -> str | None:
        """The post id for an at:// URI; None, with a warning, for anything else."""
        if _is_at(uri):
            return PLATFORM + ":" + uri
        self.c.wrong(f"{path}.uri", "an at:// URI", uri, outcome)
        return None

    def with_url(self, post: dict[str, Any], uri: str) -> None:
        url = self.url_of(uri)
        if url is not None:
            post["url"] = url

    def post_view(
        self,
        view: Any,
        path: str,
        parent: str | None,
        *,
        record_key: str = "record",
        quoted: str | None = None,
    ) -> str | None:
        """A postView (record in `record`, one `embed`) or a quoted viewRecord (record in
        `value`, a list of `embeds`). `quoted`: a post it quotes whatever its embed says."""
        if type(view) is not dict:
            self.c.wrong(path, "a post", view, "left out")
            return None
        uri: Any = view.get("uri")
        record = view.get(record_key)
        record_path = f"{path}.{record_key}"
        if type(record) is not dict:
            if record is not None or _is_at(uri):
                self.c.wrong(record_path, "a post record", record, "read as empty")
            record = {}

        # Embeds first: a quoted post is kept even when the post quoting it is unreadable.
        quotes: list[str] = []
        media: list[dict[str, Any]] = []
        if record_key == "record":
            # Paths are built only for what is there: they are as long as the post is deep.
            embed = view.get("embed")
            if embed is not None:
                self.embed(embed, f"{path}.embed", quotes, media)
        else:
            for k, embed in enumerate(self.c.items(view, "embeds", path)):
                self.embed(embed, f"{path}.embeds[{k}]", quotes, media)
        if not quotes and not media and type(record.get("embed")) is dict:
            # No view: the record's own embed still names what is quoted and shown.
            self.record_embed(record["embed"], f"{record_path}.embed", quotes, media)
        if quoted is not None and quoted not in quotes:
            quotes.insert(0, quoted)

        post_id = self.post_id(uri, path, "left out")
        if post_id is None:
            return None

        author = None
        raw_author = view.get("author")
        if type(raw_author) is dict:
            author = self.author(raw_author, f"{path}.author", uri)
        else:
            self.c.wrong(f"{path}.author", "an author", raw_author, "author from the URI")
            author = self.author({}, f"{path}.author", uri)

        text = record.get("text")
        if type(text) is not str:
            if record:
                self.c.wrong(f"{record_path}.text", "a string", text, "text left empty")
            text = ""

        created_at = iso_utc(record.get("createdAt"))
        if created_at is None:
            raw = record.get("createdAt")
            indexed = iso_utc(view.get("indexedAt"))
            what = "missing" if raw is None else f"not a time with a zone: {describe(raw)}"
            self.c.warn(
                f"{record_path}.createdAt",
                f"{what}; {'used indexedAt' if indexed else 'time unknown'}",
            )
            created_at = indexed

        reply_to = parent
        reply = record.get("reply")
        if type(reply) is dict:
            declared = _ref(reply.get("parent"))
            root = _ref(reply.get("root"))
            if declared is not None:
                reply_to = PLATFORM + ":" + declared
            else:
                fallback = "placed by the thread's shape" if parent else "parent unknown"
                self.c.warn(f"{record_path}.reply.parent", f"no at:// URI: {fallback}")
            if root is not None:
                self.roots.append(PLATFORM + ":" + root)
        elif reply is not None:
            self.c.wrong(f"{record_path}.reply", "an object", reply, "ignored")

        count = self.c.count
        counts = metrics(
            likes=count(view, "likeCount", path),
            reposts=count(view, "repostCount", path),
            replies=count(view, "replyCount", path),
            quotes=count(view, "quoteCount", path),
        )

        post = new_post(
            post_id,
            author=author,
            text=text,
            created_at=created_at,
            reply_to=reply_to,
            quotes=quotes,
            counts=counts,
        )
        self.with_url(post, uri)
        warning = _self_labels(record.get("labels"))
        if warning:
            post["content_warning"] = warning
        if media:
            post["media"] = media
        facets = self.c.items(record, "facets", record_path)
        links, mentions = self.facets(facets, text, record_path)
        if links:
            post["links"] = links
        if mentions:
            post["mentions"] = mentions
        self.c.post(post, path)
        return post_id

    def drain(self) -> None:
        """Read the quoted records met so far (and those they quote), without recursion."""
        while self.pending:
            record, path = self.pending.pop()
            self.post_view(record, path, None, record_key="value")

    # --- parts --------------------------------------------------------------------------

    def author(self, raw: dict[str, Any], path: str, uri: str | None) -> str | None:
        did = raw.get("did")
        if type(did) is not str or not did:
            # The at:// URI names the repository the post lives in: its author's DID.
            authority = _authority(uri)
            if authority is None or not authority.startswith("did:"):
                if raw:
                    self.c.wrong(f"{path}.did", "a DID", did, "author unknown")
                return None
            did = authority
        handle = text_or_none(raw.get("handle"))
        if handle is not None and handle != "handle.invalid":
            self.handles.setdefault(did, handle)
        author_id = PLATFORM + ":" + did
        entry: dict[str, Any] = {
            "handle": handle,
            "display_name": text_or_none(raw.get("displayName")),
            "url": WEB + (self.handles.get(did) or did),
        }
        return self.c.author(author_id, entry, path)

    def url_of(self, uri: Any) -> str | None:
        """https://bsky.app/profile/<handle or DID>/post/<rkey> for a post's at:// URI."""
        if not _is_at(uri):
            return None
        parts = uri[5:].split("/")
        if len(parts) != 3 or parts[1] != _POST_COLLECTION or not parts[0] or not parts[2]:
            return None
        return f"{WEB}{self.handles.get(parts[0], parts[0])}/post/{parts[2]}"

    def embed(self, embed: Any, path: str, quotes: list[str], media: list[dict[str, Any]]) -> None:
        """An embed view: quoted records, images, video, a link card."""
        if embed is None:
            return
        if type(embed) is not dict:
            self.c.wrong(path, "an embed", embed, "left out")
            return
        kind = _type(embed)
        # The inner record#view of a recordWithMedia has no $type, and a type this importer
        # does not know may still carry the usual keys: then the keys decide.
        known = kind.startswith("app.bsky.embed.")

        def shape(prefix: str, key: str) -> bool:
            return kind.startswith(prefix) if known else key in embed

        if shape("app.bsky.embed.recordWithMedia", "media"):
            inner = embed.get("record")
            if type(inner) is dict:
                self.quoted(inner.get("record"), f"{path}.record.record", quotes, media)
            else:
                self.c.wrong(f"{path}.record", "a quoted record", inner, "left out")
            self.embed(embed.get("media"), f"{path}.media", quotes, media)
        elif shape("app.bsky.embed.record", "record"):
            self.quoted(embed.get("record"), f"{path}.record", quotes, media)
        elif shape("app.bsky.embed.images", "images"):
            images = embed.get("images")
            for image in images if type(images) is list else ():
                if type(image) is dict:
                    url = text_or_none(image.get("fullsize")) or text_or_none(image.get("thumb"))
                    media.append({"kind": "image", "url": url, "alt": _alt(image)})
        elif shape("app.bsky.embed.external", "external"):
            external = embed.get("external")
            if type(external) is dict:
                media.append(
                    {
                        "kind": "link",
                        "url": text_or_none(external.get("uri")),
                        "alt": text_or_none(external.get("title")),
                    }
                )
        elif shape("app.bsky.embed.video", "playlist"):
            url = text_or_none(embed.get("playlist"))
            media.append({"kind": "video", "url": url, "alt": _alt(embed)})
        else:
            media.append({"kind": "other", "url": None, "alt": text_or_none(kind)})

    def record_embed(
        self, embed: Any, path: str, quotes: list[str], media: list[dict[str, Any]]
    ) -> None:
        """The record's own embed, when no view came with it: references and alt texts."""
        if type(embed) is not dict:
            return
        kind = _type(embed)
        inner = embed.get("record")
        if kind.startswith("app.bsky.embed.recordWithMedia") and type(inner) is dict:
            ref = _ref(inner.get("record"))
            self.record_embed(embed.get("media"), f"{path}.media", quotes, media)
        else:
            ref = _ref(inner)
        if ref is not None and _collection(ref) == _POST_COLLECTION:
            quotes.append(PLATFORM + ":" + ref)
        images = embed.get("images")
        if type(images) is list:
            for image in images:
                if type(image) is dict:
                    media.append({"kind": "image", "url": None, "alt": _alt(image)})
        external = embed.get("external")
        if type(external) is dict:
            media.append(
                {
                    "kind": "link",
                    "url": text_or_none(external.get("uri")),
                    "alt": text_or_none(external.get("title")),
                }
            )
        if kind.startswith("app.bsky.embed.video"):
            media.append({"kind": "video", "url": None, "alt": _alt(embed)})

    def quoted(
        self, record: Any, path: str, quotes: list[str], media: list[dict[str, Any]]
    ) -> None:
        """A quoted record view: a post (read later), a placeholder, or a non-post card."""
        if type(record) is not dict:
            self.c.wrong(path, "a quoted record", record, "left out")
            return
        uri: Any = record.get("uri")
        kind = _type(record)
        post_id = self.post_id(uri, path, "quote left out")
        if post_id is None:
            return
        if "value" in record or kind.endswith("#viewRecord"):
            quotes.append(post_id)
            self.pending.append((record, path))
        elif record.get("notFound") is True or kind.endswith("#viewNotFound"):
            quotes.append(post_id)
            self.placeholder(record, path, "not_found", None)
        elif record.get("blocked") is True or kind.endswith("#viewBlocked"):
            quotes.append(post_id)
            self.placeholder(record, path, "blocked", None)
        elif record.get("detached") is True or kind.endswith("#viewDetached"):
            # The quoted author took the post out of this quote: as good as removed here.
            quotes.append(post_id)
            self.placeholder(record, path, "removed", None)
        elif _collection(uri) == _POST_COLLECTION:
            quotes.append(post_id)
            self.c.warn(path, f"unknown quoted record {describe(kind)}: kept as a reference")
        else:
            # A feed, list, labeler or starter pack: a card, not a post.
            name = text_or_none(record.get("displayName")) or text_or_none(record.get("name"))
            media.append({"kind": "link", "url": uri, "alt": name})

    def facets(
        self, raw: list[Any], text: str, path: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Links and mentions in text order; offsets are UTF-8 bytes, sliced as bytes."""
        if not raw:
            return [], []
        data = text.encode()
        found: list[tuple[int, int, str, dict[str, Any]]] = []
        for i, facet in enumerate(raw):
            facet_path = f"{path}.facets[{i}]"
            if type(facet) is not dict:
                self.c.wrong(facet_path, "a facet", facet, "left out")
                continue
            index = facet.get("index")
            start = index.get("byteStart") if type(index) is dict else None
            end = index.get("byteEnd") if type(index) is dict else None
            shown: str | None = None
            if type(start) is int and type(end) is int and 0 <= start <= end <= len(data):
                try:
                    shown = data[start:end].decode("utf-8")
                except UnicodeDecodeError:
                    self.c.warn(f"{facet_path}.index", "the byte range cuts a character")
            else:
                self.c.warn(f"{facet_path}.index", "no byte range inside the text")
                start = len(data)
            for feature in self.c.items(facet, "features", facet_path):
                if type(feature) is not dict:
                    continue
                kind = _type(feature)
                target = feature.get("uri")
                did = feature.get("did")
                if type(target) is str and (kind.endswith("#link") or not kind):
                    found.append((start, i, "link", {"url": target, "text": shown}))
                elif type(did) is str and did and (kind.endswith("#mention") or not kind):
                    handle = shown[1:] if shown and shown.startswith("@") else shown or did
                    mention = {"handle": handle, "id": PLATFORM + ":" + did, "url": WEB + did}
                    found.append((start, i, "mention", mention))
        found.sort(key=lambda entry: (entry[0], entry[1]))
        links = [entry[3] for entry in found if entry[2] == "link"]
        mentions = [entry[3] for entry in found if entry[2] == "mention"]
        return links, mentions


def _ref(value: Any) -> str | None:
    """The at:// URI of a strongRef ({uri, cid})."""
    if type(value) is dict:
        uri = value.get("uri")
        if _is_at(uri):
            return uri
    return None


def _authority(uri: Any) -> str | None:
    if not _is_at(uri):
        return None
    return uri[5:].split("/", 1)[0] or None


def _collection(uri: str) -> str | None:
    parts = uri[5:].split("/")
    return parts[1] if len(parts) >= 2 else None


def _alt(node: dict[str, Any]) -> str | None:
    return text_or_none(node.get("alt"))


def _self_labels(labels: Any) -> str | None:
    """The author's own content labels ("nudity", "graphic-media"): a content warning."""
    if type(labels) is not dict:
        return None
    values = labels.get("values")
    if type(values) is not list:
        return None
    names = [v["val"] for v in values if type(v) is dict and type(v.get("val")) is str]
    return ", ".join(names) or None
