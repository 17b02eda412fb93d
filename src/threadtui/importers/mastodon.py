"""Import Mastodon API responses: a status, a context, or a list of statuses.

Shapes read (docs: mastodon/documentation, entities Status, Context, Quote, ShallowQuote):

- a status, `GET /api/v1/statuses/:id`;
- a context, `GET /api/v1/statuses/:id/context`: `{ancestors, descendants}`, flat lists,
  **without** the status asked about (the anchor);
- a list of statuses (a timeline, `GET /api/v1/statuses?id[]=…`).

Ids. A status's `id` is local to the server that answered; its `uri` is its global
ActivityPub id, so a post's id is `mastodon:<uri>` and the local id is kept as
`native_id`. `in_reply_to_id` and a ShallowQuote's `quoted_status_id` are local ids: they
resolve through the statuses in the input. One that does not (the anchor of a context, a
parent outside the file) becomes a `not_fetched` placeholder that keeps the local id as
`native_id`, so a later merge with the status itself can join them. A context's anchor is
placed under the last of its `ancestors`, the post it answers by the API's definition. Its id is the
status's `uri` when Mastodon's own rule gives it (a local account's status is
`<account uri>/statuses/<local id>`; the account is known from `in_reply_to_account_id`),
else `mastodon:<instance>:<local id>` (`local` when the file does not show which server
answered).

Quotes (Mastodon 4.4+): `quote` is a Quote with the quoted status (imported as a post of
the thread), a ShallowQuote with only its local id, or a state without a status. The
quoted post is a placeholder when absent, its status from the quote's `state`:
`deleted` → deleted; `blocked_account`, `blocked_domain`, `muted_account` → blocked;
`rejected`, `revoked` (the quoted author said no, or took it back) → removed; `accepted`,
`pending`, `unauthorized` and anything unknown → not_fetched. The state is kept as the
placeholder's `quote_state`. When a quote is imported as a quote, the `quote-inline`
fallback ("RE: <url>") is left out of the text, and its link becomes the placeholder's
`url`.

A boost (a status whose `reblog` is a status) stands for the boosted status, which is
imported instead. Everything that does not fit is imported as far as it goes, with a
warning naming its JSON path; only input with no status at all is refused.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import urlsplit

from threadtui.importers.base import ImportFormatError, ImportResult, parse_json
from threadtui.importers.collect import Collector, load_json, metrics, new_post
from threadtui.importers.html import to_text
from threadtui.model.merge import add_copy
from threadtui.model.sanitize import describe

__all__ = ["DESCRIPTION", "NAME", "run", "sniff"]

NAME: Final = "mastodon"
DESCRIPTION: Final = "Mastodon API JSON: a status, a context, or a list of statuses"
PLATFORM: Final = "mastodon"

_MEDIA_KINDS: Final = {"image": "image", "gifv": "gifv", "video": "video", "audio": "audio"}
_QUOTE_STATUS: Final = {
    "deleted": "deleted",
    "blocked_account": "blocked",
    "blocked_domain": "blocked",
    "muted_account": "blocked",
    "rejected": "removed",
    "revoked": "removed",
}
# A boost of a boost does not exist; a hostile chain of them ends here.
_MAX_REBLOG_DEPTH: Final = 4


def _is_status(value: Any) -> bool:
    return (
        type(value) is dict
        and "content" in value
        and "id" in value
        and type(value.get("account")) is dict
    )


def sniff(text: str) -> bool:
    value = parse_json(text)
    if type(value) is dict:
        if "ancestors" in value and "descendants" in value:
            return type(value["ancestors"]) is list and type(value["descendants"]) is list
        return _is_status(value)
    if type(value) is list and value:
        return _is_status(value[0])
    return False


def run(text: str) -> ImportResult:
    return _Importer().run(load_json(text))


# --- the import -------------------------------------------------------------------------


def _local_id(value: Any) -> str | None:
    if type(value) is str and value:
        return value
    if type(value) is int and not isinstance(value, bool):
        return str(value)
    return None


class _Importer:
    def __init__(self) -> None:
        self.r = Collector(PLATFORM, "", "mastodon")
        self.statuses: list[tuple[str, dict[str, Any], bool]] = []
        """(path, status, top-level) in source order; quoted statuses follow their quoter."""
        self.by_local: dict[str, str] = {}
        """Local status id → post id."""
        self.accounts: dict[str, dict[str, Any]] = {}
        """Local account id → account object."""
        self.instance: str | None = None
        self.placeholders: dict[str, dict[str, Any]] = {}
        """Post id → a placeholder for a status the input only refers to."""
        self.placeholder_at: dict[str, str] = {}
        """Where each placeholder was first referred to."""
        self.present: set[str] = set()
        """The post ids of every status in the input."""

    def run(self, value: Any) -> ImportResult:
        top = self.collect(value)
        self.index()
        for path, status, _ in self.statuses:
            self.post(path, status)
        if not self.r.posts:
            raise ImportFormatError("no Mastodon status with an id or uri to import", path=top)
        if self.r.kind == "mastodon.api.v1.context":
            self.place_anchor()
        for pid, placeholder in self.placeholders.items():
            # After the statuses, which keep their order; one that is also a status merges.
            self.r.post(placeholder, self.placeholder_at[pid])
        return self.document()

    def place_anchor(self) -> None:
        """A context's `ancestors` are the anchor's parents, root first: the last is the
        one it answers. Its placeholder goes under that post, so the tree is one
        conversation (root, ..., anchor, its replies) and not two."""
        ancestors = [s for path, s, top in self.statuses if top and path.startswith("$.ancestors[")]
        answered = {
            self.r.posts[pid]["reply_to"]
            for path, s, top in self.statuses
            if top
            and path.startswith("$.descendants[")
            and (pid := self.post_id(s)) in self.r.posts
        }
        # The anchor: the one post the descendants answer that the context does not hold.
        absent = [pid for pid in answered if pid in self.placeholders]
        if not ancestors or len(absent) != 1:
            return
        parent = self.post_id(ancestors[-1])
        anchor = self.placeholders[absent[0]]
        if parent in self.r.posts and parent != absent[0] and anchor["reply_to"] is None:
            anchor["reply_to"] = parent

    # -- shapes ----------------------------------------------------------------------------

    def collect(self, value: Any) -> str:
        """Find the statuses in the input; the path to blame when there are none."""
        found: list[tuple[str, Any]] = []
        if type(value) is dict and ("ancestors" in value or "descendants" in value):
            self.r.kind = "mastodon.api.v1.context"
            for key in ("ancestors", "descendants"):
                items = self.r.items(value, key, "$")
                found += [(f"$.{key}[{i}]", item) for i, item in enumerate(items)]
            if not found:
                raise ImportFormatError("the context holds no status", path="$.descendants")
        elif type(value) is dict:
            self.r.kind = "mastodon.api.v1.status"
            found.append(("$", value))
        elif type(value) is list:
            self.r.kind = "mastodon.api.v1.statuses"
            if not value:
                raise ImportFormatError("the list holds no status", path="$")
            found += [(f"$[{i}]", item) for i, item in enumerate(value)]
        else:
            raise ImportFormatError(
                f"expected a Mastodon status, context or list of statuses, got {describe(value)}",
                path="$",
            )
        for path, item in found:
            self.walk(path, item)
        return "$"

    def walk(self, path: str, item: Any) -> None:
        """Add a status and the statuses it embeds (the quoted one), in source order."""
        queue: list[tuple[str, Any, bool]] = [(path, item, True)]
        while queue:
            path, status, top = queue.pop(0)
            if type(status) is not dict:
                self.r.wrong(path, "a status object", status, "left out")
                continue
            for _ in range(_MAX_REBLOG_DEPTH):
                reblog = status.get("reblog")
                if type(reblog) is not dict:
                    break
                path, status = f"{path}.reblog", reblog
            self.statuses.append((path, status, top))
            quote = status.get("quote")
            if type(quote) is dict and type(quote.get("quoted_status")) is dict:
                queue.append((f"{path}.quote.quoted_status", quote["quoted_status"], False))

    # -- ids -------------------------------------------------------------------------------

    def index(self) -> None:
        for _, status, _ in self.statuses:
            account = status.get("account")
            if type(account) is dict:
                local = _local_id(account.get("id"))
                if local is not None:
                    self.accounts.setdefault(local, account)
                acct, url = account.get("acct"), account.get("url")
                if (
                    self.instance is None
                    and type(acct) is str
                    and acct
                    and "@" not in acct
                    and type(url) is str
                ):
                    # A local account's address is on the server that answered.
                    self.instance = urlsplit(url).hostname or None
        for _, status, _ in self.statuses:
            pid = self.post_id(status)
            if pid is None:
                continue
            self.present.add(pid)
            local = _local_id(status.get("id"))
            if local is not None:
                self.by_local.setdefault(local, pid)

    def post_id(self, status: dict[str, Any]) -> str | None:
        uri = status.get("uri")
        if type(uri) is str and uri:
            return f"{PLATFORM}:{uri}"
        local = _local_id(status.get("id"))
        return None if local is None else self.local_ref(local, None)

    def local_ref(self, local: str, account_id: Any) -> str:
        """The post id of a status known only by its local id (and maybe its account's)."""
        known = self.by_local.get(local)
        if known is not None:
            return known
        account = self.accounts.get(_local_id(account_id) or "")
        if account is not None:
            acct, uri = account.get("acct"), account.get("uri")
            if type(acct) is str and acct and "@" not in acct and type(uri) is str and uri:
                return f"{PLATFORM}:{uri.rstrip('/')}/statuses/{local}"
        return f"{PLATFORM}:{self.instance or 'local'}:{local}"

    def author(self, account: Any, path: str) -> str | None:
        if account is None:
            return None
        if type(account) is not dict:
            self.r.wrong(path, "an account object", account, "author unknown")
            return None
        url = self.r.string(account, "url", path, empty=False)
        acct = self.r.string(account, "acct", path, empty=False)
        key = url or self.r.string(account, "uri", path, empty=False)
        if key is None and acct is not None:
            key = acct if "@" in acct or self.instance is None else f"{acct}@{self.instance}"
        if key is None:
            self.r.warn(path, "an account with no url, uri or acct: author unknown")
            return None
        entry = {
            "handle": acct or self.r.string(account, "username", path, empty=False),
            "display_name": self.r.string(account, "display_name", path, empty=False),
            "url": url,
        }
        return self.r.author(f"{PLATFORM}:{key}", entry, path)

    # -- posts -----------------------------------------------------------------------------

    def post(self, path: str, status: dict[str, Any]) -> None:
        r = self.r
        pid = self.post_id(status)
        if pid is None:
            r.warn(path, "a status with neither uri nor id: left out")
            return
        local = _local_id(status.get("id"))
        if local is None and status.get("id") is not None:
            r.wrong(f"{path}.id", "a status id", status.get("id"), "left out")

        quotes, quote_placeholder = self.quote(path, status, pid)
        content = status.get("content")
        if type(content) is not str:
            r.wrong(f"{path}.content", "HTML text", content, "text left empty")
            content = ""
        converted = to_text(content, drop_quote_inline=bool(quotes))
        if quote_placeholder is not None and converted.quote_links:
            quote_placeholder.setdefault("url", converted.quote_links[0].url)

        reply_to = None
        parent = status.get("in_reply_to_id")
        if parent is not None:
            parent_local = _local_id(parent)
            if parent_local is None:
                r.wrong(f"{path}.in_reply_to_id", "a status id", parent, "parent unknown")
            else:
                reply_to = self.local_ref(parent_local, status.get("in_reply_to_account_id"))
                if reply_to not in self.present:
                    self.placeholder(
                        reply_to,
                        parent_local,
                        "not_fetched",
                        f"{path}.in_reply_to_id",
                        author=self.account_author(status.get("in_reply_to_account_id"), path),
                    )

        post = new_post(
            pid,
            author=self.author(status.get("account"), f"{path}.account"),
            text=converted.text,
            created_at=r.time(status, "created_at", path),
            reply_to=reply_to,
            quotes=quotes,
            counts=metrics(
                likes=r.count(status, "favourites_count", path),
                reposts=r.count(status, "reblogs_count", path),
                replies=r.count(status, "replies_count", path),
                quotes=r.count(status, "quotes_count", path),
            ),
        )
        url = r.string(status, "url", path, empty=False)
        if url is not None:
            post["url"] = url
        if local is not None:
            post["native_id"] = local
        edited = r.time(status, "edited_at", path)
        if edited is not None:
            post["edited_at"] = edited
        warning = r.string(status, "spoiler_text", path, empty=False)
        if warning is not None:
            post["content_warning"] = warning
        media = self.media(path, status)
        if media:
            post["media"] = media
        if converted.links:
            post["links"] = [{"url": a.url, "text": a.text} for a in converted.links]
        mentions = self.mentions(path, status, converted.mentions)
        if mentions:
            post["mentions"] = mentions
        self.r.post(post, path)

    def account_author(self, account_id: Any, path: str) -> str | None:
        account = self.accounts.get(_local_id(account_id) or "")
        return None if account is None else self.author(account, f"{path}.in_reply_to_account_id")

    def quote(
        self, path: str, status: dict[str, Any], pid: str
    ) -> tuple[list[str], dict[str, Any] | None]:
        """The quoted post's id (if any), and the placeholder made for it when absent."""
        quote = status.get("quote")
        if quote is None:
            return [], None
        where = f"{path}.quote"
        if type(quote) is not dict:
            self.r.wrong(where, "a quote object", quote, "left out")
            return [], None
        state = self.r.string(quote, "state", where, empty=False)
        quoted = quote.get("quoted_status")
        if type(quoted) is dict:
            quoted_id = self.post_id(quoted)
            if quoted_id is not None:
                return [quoted_id], None
        elif quoted is not None:
            self.r.wrong(f"{where}.quoted_status", "a status object", quoted, "left out")
        status_name = _QUOTE_STATUS.get(state or "", "not_fetched")
        local = _local_id(quote.get("quoted_status_id"))
        if local is not None:
            quoted_id = self.local_ref(local, None)
            if quoted_id in self.present:
                return [quoted_id], None
        elif quote.get("quoted_status_id") is not None:
            self.r.wrong(
                f"{where}.quoted_status_id", "a status id", quote["quoted_status_id"], "left out"
            )
        if local is None and state is None:
            self.r.warn(where, "a quote with no status, id or state: left out")
            return [], None
        # The quoted post is absent: a placeholder says why, as far as the state tells.
        quoted_id = self.local_ref(local, None) if local is not None else f"{pid}#quote"
        placeholder = self.placeholder(quoted_id, local, status_name, where, quote_state=state)
        return [quoted_id], placeholder

    def placeholder(
        self,
        pid: str,
        local: str | None,
        status: str,
        path: str,
        *,
        author: str | None = None,
        quote_state: str | None = None,
    ) -> dict[str, Any]:
        placeholder = new_post(pid, author=author, status=status)
        if local is not None:
            placeholder["native_id"] = local
        if quote_state is not None:
            placeholder["quote_state"] = quote_state
        # Referred to twice (two replies to one absent parent): one placeholder, by the rule
        # for any post seen twice.
        message = add_copy(self.placeholders, self.placeholder_at, "post", pid, placeholder, path)
        if message is not None:
            self.r.warn(path, message)
        return self.placeholders[pid]

    def media(self, path: str, status: dict[str, Any]) -> list[dict[str, Any]]:
        r = self.r
        media: list[dict[str, Any]] = []
        for i, item in enumerate(r.items(status, "media_attachments", path)):
            where = f"{path}.media_attachments[{i}]"
            if type(item) is not dict:
                r.wrong(where, "an attachment object", item, "left out")
                continue
            kind = item.get("type")
            media.append(
                {
                    "kind": _MEDIA_KINDS.get(kind, "other") if type(kind) is str else "other",
                    "url": r.string(item, "url", where, empty=False)
                    or r.string(item, "remote_url", where, empty=False),
                    "alt": r.string(item, "description", where, empty=False),
                }
            )
        poll = r.object(status, "poll", path)
        if poll is not None:
            titles: list[str] = []
            for i, option in enumerate(r.items(poll, "options", f"{path}.poll")):
                title = option.get("title") if type(option) is dict else None
                if type(title) is str:
                    titles.append(title)
                else:
                    r.wrong(
                        f"{path}.poll.options[{i}]", "an option with a title", option, "left out"
                    )
            media.append({"kind": "poll", "url": None, "alt": " / ".join(titles) or None})
        card = r.object(status, "card", path)
        if card is not None:
            media.append(
                {
                    "kind": "link",
                    "url": r.string(card, "url", f"{path}.card", empty=False),
                    "alt": r.string(card, "title", f"{path}.card", empty=False),
                }
            )
        return media

    def mentions(self, path: str, status: dict[str, Any], shown: list[Any]) -> list[dict[str, Any]]:
        """Mentions in text order, then any the status lists but its text does not show."""
        listed: dict[str, dict[str, Any]] = {}
        for i, item in enumerate(self.r.items(status, "mentions", path)):
            where = f"{path}.mentions[{i}]"
            if type(item) is not dict:
                self.r.wrong(where, "a mention object", item, "left out")
                continue
            url = self.r.string(item, "url", where, empty=False)
            handle = self.r.string(item, "acct", where, empty=False) or self.r.string(
                item, "username", where, empty=False
            )
            if url is None and handle is None:
                self.r.warn(where, "a mention with no url and no acct: left out")
                continue
            key = url or f"@{handle}"
            listed.setdefault(
                key, {"handle": handle, "id": url and f"{PLATFORM}:{url}", "url": url}
            )
        mentions: list[dict[str, Any]] = []
        used: set[str] = set()
        for anchor in shown:
            entry = listed.get(anchor.url)
            if entry is None:
                handle = (anchor.text or "").lstrip("@") or None
                entry = {"handle": handle, "id": None, "url": anchor.url}
            elif anchor.url in used:
                continue
            used.add(anchor.url)
            mentions.append(entry)
        mentions += [entry for key, entry in listed.items() if key not in used]
        return mentions

    # -- the document ----------------------------------------------------------------------

    def root(self) -> str | None:
        if self.r.kind == "mastodon.api.v1.context":
            for path, status, _ in self.statuses:
                if path.startswith("$.ancestors[") and ".quote." not in path:
                    pid = self.post_id(status)
                    post = self.r.posts.get(pid or "")
                    return pid if post is not None and post["reply_to"] is None else None
            # No ancestors: the anchor, which the descendants answer, is the root.
            for path, status, _ in self.statuses:
                if path.startswith("$.descendants[") and ".quote." not in path:
                    post = self.r.posts.get(self.post_id(status) or "")
                    return None if post is None else post["reply_to"]
            return None
        tops = [
            pid
            for _, status, top in self.statuses
            if top
            and (pid := self.post_id(status)) in self.r.posts
            and self.r.posts[pid]["reply_to"] is None
        ]
        return tops[0] if len(set(tops)) == 1 else None

    def document(self) -> ImportResult:
        root = self.root()
        root_post = self.r.posts.get(root or "")
        return self.r.result(
            url=root_post.get("url") if root_post is not None else None,
            root=root,
            details={"instance": self.instance} if self.instance else {},
        )
