"""The Mastodon importer: real mastodon.social responses read as a person reading them
would, bad input refused or repaired with a warning naming its JSON path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from importer_checks import (
    MUTATIONS,
    SOURCES,
    by_id,
    check,
    check_deterministic,
    fixture_text,
    fixture_value,
    mutated,
    refused,
    survives,
    text_of,
)
from threadtui import __version__
from threadtui.importers import IMPORTERS, detect, get, mastodon
from threadtui.model import load_document

CONTEXT = "mastodon_social_context_110446983926957470.json"
QUOTE = "mastodon_social_status_115044073088181107_with_quote.json"
MEDIA = "mastodon_social_status_110446223051565765_remote_media_edited.json"
POLL = "mastodon_social_status_110446183735368325_poll.json"
FIXTURES = [CONTEXT, QUOTE, MEDIA, POLL]

# Which importer reads each folder of tests/data/sources (the folder's name unless said).
SOURCE_OF_FOLDER: dict[str, str] = {}


def imported(name: str) -> dict[str, Any]:
    return mastodon.run(fixture_text("mastodon", name)).document


def status_positions(value: Any, path: str = "$") -> list[tuple[str, Any]]:
    """Every status in a response, counted independently of the importer: the top-level
    ones, what each boosts, what each quotes in full."""
    if type(value) is dict and ("ancestors" in value or "descendants" in value):
        top = [
            (f"$.{key}[{i}]", s)
            for key in ("ancestors", "descendants")
            if type(value.get(key)) is list
            for i, s in enumerate(value[key])
        ]
    elif type(value) is list:
        top = [(f"$[{i}]", s) for i, s in enumerate(value)]
    else:
        top = [(path, value)]
    found: list[tuple[str, Any]] = []
    while top:
        where, status = top.pop(0)
        if type(status) is not dict:
            continue
        while type(status.get("reblog")) is dict:
            where, status = f"{where}.reblog", status["reblog"]
        found.append((where, status))
        quote = status.get("quote")
        if type(quote) is dict and type(quote.get("quoted_status")) is dict:
            top.append((f"{where}.quote.quoted_status", quote["quoted_status"]))
    return found


# --- every fixture ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_imports_validates_and_loads(name: str) -> None:
    text = fixture_text("mastodon", name)
    assert mastodon.sniff(text)
    result = mastodon.run(text)
    assert result.warnings == []
    thread = check(result.document)
    check_deterministic(mastodon.run, text)
    # Every status of the input is a post, by its global uri.
    statuses = status_positions(orjson.loads(text))
    ids = {p["id"] for p in result.document["posts"]}
    assert {f"mastodon:{s['uri']}" for _, s in statuses} <= ids
    ok = [p for p in result.document["posts"] if p["status"] == "ok"]
    assert len(ok) == len({s["uri"] for _, s in statuses})
    assert len(thread.posts) >= len(ok)
    source = result.document["source"]
    assert source["platform"] == "mastodon"
    assert source["importer"] == f"threadtui.importers.mastodon {__version__}"
    assert source["retrieved_at"] is None


def test_every_fixture_is_detected_as_exactly_its_own_source() -> None:
    folders = sorted(p for p in SOURCES.iterdir() if p.is_dir())
    assert {"mastodon", "hackernews"} <= {p.name for p in folders}
    for folder in folders:
        own = SOURCE_OF_FOLDER.get(folder.name, folder.name)
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".json", ".jsonl"):
                continue
            text = path.read_text(encoding="utf-8")
            claimed = [importer.name for importer in IMPORTERS if importer.sniff(text)]
            assert claimed == [own], path.name
            assert detect(text) == own


def test_story_text_and_thread_files_are_not_mastodon() -> None:
    stories = Path(__file__).resolve().parents[1] / "data" / "stories"
    for path in stories.glob("*.txt"):
        assert not mastodon.sniff(path.read_text(encoding="utf-8"))
    assert not mastodon.sniff('{"schema": "threadtui.thread", "schema_version": 1, "posts": []}')
    assert not mastodon.sniff("[]")
    assert not mastodon.sniff("not json")
    assert get("mastodon").run is mastodon.run


# --- hand-checked expectations ----------------------------------------------------------------


def test_context_without_its_anchor() -> None:
    document = imported(CONTEXT)
    first = "mastodon:https://mastodon.social/users/halcy/statuses/110446983178245440"
    final = "mastodon:https://mastodon.social/users/halcy/statuses/110446984249325790"
    # The anchor 110446983926957470 is in neither list: a local account's status, so its
    # uri follows from its account's (in_reply_to_account_id 43 is halcy).
    anchor = "mastodon:https://mastodon.social/users/halcy/statuses/110446983926957470"
    assert [p["id"] for p in document["posts"]] == [first, final, anchor]
    posts = by_id(document)
    author = "mastodon:https://mastodon.social/@halcy"
    assert document["authors"] == {
        author: {
            "handle": "halcy",
            "display_name": "autumnal halcy",
            "url": "https://mastodon.social/@halcy",
        }
    }
    assert posts[first]["text"] == "first status"
    assert posts[first]["created_at"] == "2023-05-28T15:20:18.907Z"
    assert posts[first]["native_id"] == "110446983178245440"
    assert posts[first]["url"] == "https://mastodon.social/@halcy/110446983178245440"
    assert posts[first]["metrics"] == {
        "views": None,
        "likes": 0,
        "reposts": 0,
        "replies": 0,
        "quotes": 0,
    }
    assert posts[final]["reply_to"] == anchor
    assert posts[final]["created_at"] == "2023-05-28T15:20:35.248Z"
    assert posts[anchor]["status"] == "not_fetched"
    assert posts[anchor]["text"] is None
    assert posts[anchor]["native_id"] == "110446983926957470"
    assert posts[anchor]["author"] == author
    # The ancestors are the anchor's parents, root first: it answers the last one, so the
    # context is one conversation, not "first status" and a second root beside it.
    assert posts[anchor]["reply_to"] == first
    assert document["thread"]["root"] == first
    assert document["thread"]["url"] == "https://mastodon.social/@halcy/110446983178245440"
    assert document["thread"]["details"] == {"instance": "mastodon.social"}
    assert document["source"]["kind"] == "mastodon.api.v1.context"

    thread = load_document(document)
    index = {p.id: p for p in thread.posts}
    assert index[final].parent == index[anchor].index
    assert index[anchor].parent == index[first].index
    assert [thread.posts[i].id for i in thread.roots] == [first]
    assert not index[anchor].synthetic  # the importer's placeholder, with its author


def test_quote_chain_and_quote_inline_fallback() -> None:
    document = imported(QUOTE)
    outer = (
        "mastodon:https://bsky.brid.gy/convert/ap/at://did:plc:5syfqzormjkutgo5hi2u2gpr"
        "/app.bsky.feed.post/3lwlunj3oqs22"
    )
    quoted = (
        "mastodon:https://bsky.brid.gy/convert/ap/at://did:plc:5syfqzormjkutgo5hi2u2gpr"
        "/app.bsky.feed.post/3lwlumdwf522i"
    )
    # The quoted status quotes 115044056977193502 only by its local id (a ShallowQuote),
    # and both answer 115044053131672379: absent, on a server the file does not name.
    shallow = "mastodon:local:115044056977193502"
    parent = "mastodon:local:115044053131672379"
    assert [p["id"] for p in document["posts"]] == [outer, quoted, parent, shallow]
    posts = by_id(document)
    assert posts[outer]["quotes"] == [quoted]
    assert posts[quoted]["quotes"] == [shallow]
    assert posts[outer]["reply_to"] == parent
    assert posts[quoted]["reply_to"] == parent
    # "RE: <url>" is the fallback for servers without quotes: gone, since the quote is one.
    assert posts[outer]["text"] == (
        "actual reply that quotes a post that quotes a post"
        " https://bsky.app/profile/h4lcy.bsky.social/post/3lwlumdwf522i"
    )
    assert "RE:" not in posts[quoted]["text"]
    assert posts[outer]["links"] == [
        {
            "url": "https://bsky.app/profile/h4lcy.bsky.social/post/3lwlumdwf522i",
            "text": "https://bsky.app/profile/h4lcy.bsky.social/post/3lwlumdwf522i",
        }
    ]
    assert posts[shallow]["status"] == "not_fetched"
    assert posts[shallow]["quote_state"] == "accepted"
    assert posts[shallow]["native_id"] == "115044056977193502"
    # The fallback link is where the quoted post lives.
    assert posts[shallow]["url"] == (
        "https://bsky.app/profile/did:plc:5syfqzormjkutgo5hi2u2gpr/post/3lwlug73kn22i"
    )
    assert posts[parent]["status"] == "not_fetched"
    author = "mastodon:https://bsky.brid.gy/r/https://bsky.app/profile/h4lcy.bsky.social"
    assert posts[outer]["author"] == posts[quoted]["author"] == author
    # An empty display name is no name.
    assert document["authors"][author]["display_name"] is None
    assert document["authors"][author]["handle"] == "h4lcy.bsky.social@bsky.brid.gy"
    assert document["thread"]["root"] is None  # the status answers a post not in the file

    thread = load_document(document)
    index = {p.id: p for p in thread.posts}
    assert index[quoted].quoted_by == [index[outer].index]


def test_remote_status_with_warning_media_edit_and_mention() -> None:
    document = imported(MEDIA)
    [post] = document["posts"]
    assert post["id"] == (
        "mastodon:https://icosahedron.website/users/halcy/statuses/110446222386355655"
    )
    assert post["native_id"] == "110446223051565765"
    assert post["text"] == (
        "@halcy you're a doo-doo head\n\n"
        "edit: editing this to have the maximum amount of fields filled :trans_heart:"
        " #ThisIsAHashtag"
    )
    assert post["content_warning"] == "test post for mastodon.py stuff"
    assert post["created_at"] == "2023-05-28T12:06:50.000Z"
    assert post["edited_at"] == "2023-05-28T12:09:44.000Z"
    assert post["metrics"]["likes"] == 1
    assert post["media"] == [
        {
            "kind": "gifv",
            "url": "https://files.mastodon.social/cache/media_attachments/files/110/446/234/379"
            "/794/171/original/e6bdbd614788c2d1.mp4",
            "alt": "a furry cube breakdancing",
        }
    ]
    assert post["mentions"] == [
        {
            "handle": "halcy@icosahedron.website",
            "id": "mastodon:https://icosahedron.website/@halcy",
            "url": "https://icosahedron.website/@halcy",
        }
    ]
    assert "links" not in post  # mentions and hashtags are not links
    author = document["authors"][post["author"]]
    assert author["handle"] == "halcy@icosahedron.website"
    assert author["display_name"] == "halcy\u200b :icosahedron:"
    # A remote status alone does not say which server answered.
    assert document["thread"]["details"] == {}
    assert document["thread"]["root"] == post["id"]


def test_poll_becomes_a_media_entry() -> None:
    [post] = imported(POLL)["posts"]
    assert post["text"] == "test?"
    assert post["media"] == [
        {"kind": "poll", "url": None, "alt": "oh no I totally can / edit polls"}
    ]
    assert post["edited_at"] == "2023-05-28T12:21:32.698Z"


# --- shapes the fixtures do not show ------------------------------------------------------------


def status(local: str, content: str = "<p>hi</p>", **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": local,
        "uri": f"https://ex.social/users/amy/statuses/{local}",
        "url": f"https://ex.social/@amy/{local}",
        "created_at": "2025-01-02T03:04:05.000Z",
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "content": content,
        "spoiler_text": "",
        "account": {
            "id": "1",
            "username": "amy",
            "acct": "amy",
            "display_name": "Amy",
            "url": "https://ex.social/@amy",
            "uri": "https://ex.social/users/amy",
        },
        "replies_count": 1,
        "reblogs_count": 2,
        "favourites_count": 3,
    }
    base.update(fields)
    return base


def test_list_of_statuses_with_a_boost_and_replies() -> None:
    booster = dict(status("90", ""), uri="https://ex.social/users/bo/statuses/90/activity")
    booster["reblog"] = status("10", "<p>root</p>")
    result = mastodon.run(
        text_of(
            [
                booster,
                status("11", "<p>reply</p>", in_reply_to_id="10", in_reply_to_account_id="1"),
                status("12", "<p>deeper</p>", in_reply_to_id="11", in_reply_to_account_id="1"),
            ]
        )
    )
    document = result.document
    ids = [p["id"] for p in document["posts"]]
    base = "mastodon:https://ex.social/users/amy/statuses/"
    assert ids == [base + "10", base + "11", base + "12"]  # the boost stands for its status
    posts = by_id(document)
    assert posts[base + "11"]["reply_to"] == base + "10"
    assert posts[base + "12"]["reply_to"] == base + "11"
    assert posts[base + "10"]["metrics"]["quotes"] is None  # no quotes_count: unknown
    assert document["thread"]["root"] == base + "10"
    assert document["source"]["kind"] == "mastodon.api.v1.statuses"
    assert result.warnings == []
    check(document)


def test_same_status_twice_is_one_post_richer_fields_win() -> None:
    thin = status("10", "", favourites_count=None)
    full = status("10", "<p>text</p>", favourites_count=7)
    document = mastodon.run(text_of([thin, full])).document
    [post] = document["posts"]
    assert post["text"] == "text"
    assert post["metrics"]["likes"] == 7


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("deleted", "deleted"),
        ("blocked_account", "blocked"),
        ("blocked_domain", "blocked"),
        ("muted_account", "blocked"),
        ("rejected", "removed"),
        ("revoked", "removed"),
        ("unauthorized", "not_fetched"),
        ("pending", "not_fetched"),
        ("something-new", "not_fetched"),
    ],
)
def test_quote_state_without_a_status_is_a_placeholder(state: str, expected: str) -> None:
    quoting = status(
        "20",
        '<p>look<span class="quote-inline"><br>RE: <a href="https://o.example/9">o</a></span></p>',
        quote={"state": state, "quoted_status": None},
    )
    document = mastodon.run(text_of(quoting)).document
    post, placeholder = document["posts"]
    assert post["text"] == "look"
    assert post["quotes"] == [placeholder["id"]]
    assert placeholder["id"] == post["id"] + "#quote"
    assert placeholder["status"] == expected
    assert placeholder["quote_state"] == state
    assert placeholder["url"] == "https://o.example/9"
    check(document)


def test_shallow_quote_of_a_status_in_the_file_is_that_status() -> None:
    document = mastodon.run(
        text_of([status("30"), status("31", quote={"state": "accepted", "quoted_status_id": "30"})])
    ).document
    assert [p["status"] for p in document["posts"]] == ["ok", "ok"]
    assert document["posts"][1]["quotes"] == [document["posts"][0]["id"]]


def test_status_without_uri_and_remote_parent() -> None:
    remote = {
        "id": "5",
        "acct": "zed@far.example",
        "username": "zed",
        "url": "https://far.example/@zed",
        "uri": "https://far.example/users/zed",
    }
    lonely = status("40", in_reply_to_id="39", in_reply_to_account_id="5")
    del lonely["uri"]
    other = status("41", account=remote)
    document = mastodon.run(text_of([lonely, other])).document
    ids = [p["id"] for p in document["posts"]]
    # The server is known from the local account's address; a remote parent's uri is not.
    assert ids == [
        "mastodon:ex.social:40",
        "mastodon:https://ex.social/users/amy/statuses/41",
        "mastodon:ex.social:39",
    ]
    assert document["posts"][2]["author"] == "mastodon:https://far.example/@zed"
    check(document)


def test_a_contexts_anchor_answers_the_last_ancestor() -> None:
    value = {
        "ancestors": [status("1"), status("2", in_reply_to_id="1")],
        "descendants": [
            status("4", in_reply_to_id="3"),
            status("5", in_reply_to_id="4"),
            status("6", in_reply_to_id="3"),
        ],
    }
    document = mastodon.run(text_of(value)).document
    posts = by_id(document)
    anchor = "mastodon:ex.social:3"
    assert posts[anchor]["status"] == "not_fetched"
    assert posts[anchor]["reply_to"] == "mastodon:https://ex.social/users/amy/statuses/2"
    thread = load_document(document)
    assert [thread.posts[i].id for i in thread.roots] == [document["thread"]["root"]]
    # Descendants that answer two absent posts: which is the anchor is unsaid, none moves.
    value["descendants"].append(status("8", in_reply_to_id="7"))
    posts = by_id(mastodon.run(text_of(value)).document)
    assert posts[anchor]["reply_to"] is None
    assert posts["mastodon:ex.social:7"]["reply_to"] is None


def test_context_with_only_descendants_has_the_anchor_as_root() -> None:
    value = {"ancestors": [], "descendants": [status("51", in_reply_to_id="50")]}
    document = mastodon.run(text_of(value)).document
    assert document["thread"]["root"] == document["posts"][0]["reply_to"]
    assert document["thread"]["root"] == "mastodon:ex.social:50"


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "path", "line"),
    [
        ("[]", "the list holds no status", "$", None),
        (
            '{"ancestors": [], "descendants": []}',
            "the context holds no status",
            "$.descendants",
            None,
        ),
        ("42", "expected a Mastodon status, context or list of statuses, got 42", "$", None),
        ('"x"', "expected a Mastodon status, context or list of statuses, got 'x'", "$", None),
        ('[1, "two", null]', "no Mastodon status with an id or uri to import", "$", None),
        ('{"id": "1", "content": "<p>x</p>", "acc', "invalid JSON: ", None, 1),
        ('{\n"id": "1",\n"content": }', "invalid JSON: ", None, 3),
    ],
)
def test_nothing_importable_is_one_error_with_a_place(
    text: str, message: str, path: str | None, line: int | None
) -> None:
    # The wording after "invalid JSON: " is orjson's and changes between its versions.
    error = refused(mastodon.run, text)
    assert error.message.startswith(message) and (error.path, error.line) == (path, line)


def test_repairable_fields_are_imported_with_a_warning_naming_the_path() -> None:
    bad = status(
        "60",
        content=5,
        created_at="yesterday",
        favourites_count="12",
        reblogs_count=-1,
        media_attachments=[{"type": "image", "url": 3, "description": "alt"}, "x"],
        poll={"options": [{"title": "a"}, {"votes": 1}]},
        in_reply_to_id=["no"],
        account="amy",
    )
    result = mastodon.run(text_of({"ancestors": [bad], "descendants": "none"}))
    [post] = result.document["posts"]
    assert post["text"] == ""
    assert post["created_at"] is None
    assert post["author"] is None
    assert post["reply_to"] is None
    assert post["metrics"]["likes"] is None and post["metrics"]["reposts"] is None
    assert post["metrics"]["replies"] == 1
    assert post["media"] == [
        {"kind": "image", "url": None, "alt": "alt"},
        {"kind": "poll", "url": None, "alt": "a"},
    ]
    assert [str(w) for w in result.warnings] == [
        "$.descendants: expected an array, got 'none'; left out",
        "$.ancestors[0].content: expected HTML text, got 5; text left empty",
        "$.ancestors[0].in_reply_to_id: expected a status id, got an array; parent unknown",
        "$.ancestors[0].account: expected an account object, got 'amy'; author unknown",
        "$.ancestors[0].created_at: expected an ISO 8601 time with a zone, got 'yesterday';"
        " time unknown",
        "$.ancestors[0].favourites_count: expected a whole number ≥ 0, got '12'; count unknown",
        "$.ancestors[0].reblogs_count: expected a whole number ≥ 0, got -1; count unknown",
        "$.ancestors[0].media_attachments[0].url: expected a string, got 3; left out",
        "$.ancestors[0].media_attachments[1]: expected an attachment object, got 'x'; left out",
        "$.ancestors[0].poll.options[1]: expected an option with a title, got an object; left out",
    ]
    check(result.document)


def test_hostile_text_stays_data_and_warnings_are_inert() -> None:
    hostile = "[bold]x[/bold] \x1b[31mred \u202eevil"
    value = status("70", f"<p>{hostile}</p>", spoiler_text=hostile)
    value["account"]["display_name"] = hostile
    value["favourites_count"] = "\x1b[2J\u202e"
    result = mastodon.run(text_of(value))
    [post] = result.document["posts"]
    assert post["text"] == hostile
    assert post["content_warning"] == hostile
    [warning] = result.warnings
    assert "\x1b" not in str(warning) and "\u202e" not in str(warning)
    thread = check(result.document)
    shown = thread.posts[0]
    assert "\x1b" not in shown.text and "\u202e" not in shown.text
    assert "[bold]x[/bold]" in shown.text


def status_ids(value: Any) -> set[str]:
    return {
        f"mastodon:{uri}"
        for _, found in status_positions(value)
        if type(uri := found.get("uri")) is str and uri
    }


@pytest.mark.parametrize("name", FIXTURES)
@MUTATIONS
@given(data=st.data())
def test_mutations_never_crash_and_keep_every_status(name: str, data: st.DataObject) -> None:
    survives(mastodon.run, data.draw(mutated(fixture_value("mastodon", name))), status_ids)


def test_importer_does_not_import_textual() -> None:
    code = (
        "import sys, threadtui.importers as i; "
        "i.run('mastodon', open(sys.argv[1], encoding='utf-8').read()); "
        "i.run('hackernews', open(sys.argv[2], encoding='utf-8').read()); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            str(SOURCES / "mastodon" / QUOTE),
            str(SOURCES / "hackernews" / "algolia_item_synthetic.json"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"
