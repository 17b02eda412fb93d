"""X through API v2, only with the user's bearer token (X has no anonymous API).

1. the post (`/2/tweets/:id`) with its conversation id, authors and referenced posts;
2. the conversation (`/2/tweets/search/recent?query=conversation_id:…`), every page;
3. the conversation's first post, when the search did not bring it;
4. posts quoted in the thread and not yet present (`/2/tweets?ids=…`, 100 a request).

Recent search covers about the last seven days: an older conversation comes back partial,
and the thread says so.
"""

from __future__ import annotations

import os
from typing import Any, Final

from threadtui.fetch.base import Fetched, api_base, partial
from threadtui.fetch.client import Client, FetchError
from threadtui.fetch.urls import Target

DEFAULT_API: Final = "https://api.x.com"
ENV: Final = "THREADTUI_X_API"
TOKEN_ENV: Final = "THREADTUI_X_BEARER_TOKEN"
NO_TOKEN: Final = (
    "X offers no anonymous API: set THREADTUI_X_BEARER_TOKEN to an X API bearer token,"
    " or copy the post's story page text into a file and open that (threadtui FILE)"
)
PAGE: Final = 100
FIELDS: Final = {
    "tweet.fields": "author_id,conversation_id,created_at,public_metrics,referenced_tweets,"
    "entities,note_tweet,edit_history_tweet_ids,lang,in_reply_to_user_id,attachments",
    "expansions": "author_id,referenced_tweets.id,referenced_tweets.id.author_id,"
    "attachments.media_keys",
    "user.fields": "username,name,verified,verified_type,profile_image_url,url",
    "media.fields": "type,url,preview_image_url,alt_text",
}


async def fetch(client: Client, target: Target) -> Fetched:
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise FetchError(NO_TOKEN)
    base = api_base(ENV, DEFAULT_API)
    client.allow(base)
    client.token(base, token)
    result = Fetched(anchor=f"x:{target.post}")
    value, body = await client.get_json(base, f"/2/tweets/{target.post}", FIELDS, what="this post")
    data = value.get("data") if isinstance(value, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise FetchError(f"{_host(base)} sent no post for {target.post}")
    result.responses.append((f"post {target.post}", body))
    present: set[str] = set()
    _collect(value, present)
    conversation = data.get("conversation_id")
    limit = client.limits.max_posts
    missing: str | None = None
    try:
        if isinstance(conversation, str) and conversation:
            token_next: str | None = None
            page = 0
            while len(present) < limit:
                params = {**FIELDS, "query": f"conversation_id:{conversation}", "max_results": PAGE}
                if token_next:
                    params["next_token"] = token_next
                page += 1
                value, body = await client.get_json(
                    base, "/2/tweets/search/recent", params, what="the conversation"
                )
                result.responses.append((f"conversation {conversation} page {page}", body))
                _collect(value, present)
                client.report(posts=len(present))
                meta = value.get("meta") if isinstance(value, dict) else None
                following = meta.get("next_token") if isinstance(meta, dict) else None
                if not isinstance(following, str) or not following or following == token_next:
                    break
                token_next = following
            if conversation not in present:
                root, body = await client.get_json(
                    base, f"/2/tweets/{conversation}", FIELDS, what="the conversation's first post"
                )
                result.responses.append((f"post {conversation}", body))
                _collect(root, present)
        quoted = sorted(_quoted(result) - present)
        for start in range(0, len(quoted), PAGE):
            ids = quoted[start : start + PAGE]
            value, body = await client.get_json(
                base, "/2/tweets", {**FIELDS, "ids": ",".join(ids)}, what="quoted posts"
            )
            result.responses.append((f"quoted posts {start // PAGE + 1}", body))
            _collect(value, present)
    except FetchError as error:
        missing = partial(len(present), None, "posts", str(error))
    if missing is None and len(present) >= limit:
        missing = partial(len(present), None, "posts", f"--max-posts {limit} reached")
    result.missing = missing
    return result


def _tweets(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, dict):
        return []
    data = value.get("data")
    found = [data] if isinstance(data, dict) else data if isinstance(data, list) else []
    includes = value.get("includes")
    if isinstance(includes, dict) and isinstance(includes.get("tweets"), list):
        found = [*found, *includes["tweets"]]
    return [t for t in found if isinstance(t, dict)]


def _collect(value: Any, present: set[str]) -> None:
    present.update(t["id"] for t in _tweets(value) if isinstance(t.get("id"), str))


def _quoted(result: Fetched) -> set[str]:
    import orjson

    ids: set[str] = set()
    for _, body in result.responses:
        for tweet in _tweets(orjson.loads(body)):
            for ref in tweet.get("referenced_tweets") or []:
                if (
                    isinstance(ref, dict)
                    and ref.get("type") == "quoted"
                    and isinstance(ref.get("id"), str)
                ):
                    ids.add(ref["id"])
    return ids


def _host(base: str) -> str:
    return base.split("://", 1)[-1]
