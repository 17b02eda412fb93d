"""Threads built in code for the UI and query tests, each small enough to read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from threadtui.config import Settings
from threadtui.model import METRIC_NAMES, SCHEMA, SCHEMA_VERSION, Thread, load_document
from threadtui.ui.app import ThreadApp
from threadtui.ui.detail_lines import DetailLayout, LineBuilder
from threadtui.ui.glyphs import UNICODE, Glyphs

HOSTILE_TEXTS = [
    "[bold]not bold[/] and [/] and [@click=app.quit]click me[/] $variable",
    "esc \x1b[31mred\x1b[0m osc \x1b]0;PWNED-TITLE\x07 osc52 \x1b]52;c;ZXZpbA==\x07 bel\x07",
    "bidi \u202eesrever\u202c isolate \u2066x\u2069 ok",
    "emoji 🧑‍🤝‍🧑 family 👨‍👩‍👧 flag 🇺🇦 zwj done",
    "CJK 漢字かなカナ한국어 全角テキスト",
    "[link=https://evil.example]innocent[/] c1 \x9b31m",
]


def post(pid: str, minute: int | None, text: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": pid,
        "author": None,
        "text": text,
        "created_at": None
        if minute is None
        else f"2026-05-28T{minute // 60:02d}:{minute % 60:02d}:00Z",
        "reply_to": None,
        "quotes": [],
        "metrics": dict.fromkeys(METRIC_NAMES),
        "status": "ok",
    }
    base.update(fields)
    return base


def sparse_post(pid: str, **fields: Any) -> dict[str, Any]:
    """A post with an id and a text and only the `fields` given: the loader fills the rest."""
    fields.setdefault("text", f"text of {pid}")
    return {"id": pid, **fields}


def doc(*posts: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A thread file with only the `posts` and the `top` keys given (unlike `thread_doc`)."""
    return {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "posts": list(posts), **top}


def thread_doc(posts: list[dict[str, Any]], **meta: Any) -> dict[str, Any]:
    authors = meta.pop("authors", {})
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "thread": {
            "title": meta.pop("title", "A test thread"),
            "summary": meta.pop("summary", None),
        },
        "source": {"platform": "test"},
        "authors": authors,
        "posts": posts,
    }


AUTHORS = {
    "a": {"handle": "alice", "display_name": "Alice Ämberg"},
    "b": {"handle": "bob_2", "display_name": "Bob"},
    "c": {"handle": "carol", "display_name": "Carol O’Neil 🌻"},
}


def quotes_thread() -> Thread:
    """Nested quotes (3 deep), a quote cycle, and a quote of a post not in the file."""
    posts = [
        post(
            "root",
            0,
            "The root post. Everything hangs off this.",
            author="a",
            metrics={"views": 12000, "likes": 40},
        ),
        post("r1", 5, "A reply that quotes nothing.", author="b", reply_to="root"),
        post("q1", 7, "Quoting the first reply.", author="c", reply_to="root", quotes=["r1"]),
        post("q2", 9, "Quoting a quote.", author="a", reply_to="q1", quotes=["q1"]),
        post("q3", 11, "Quoting a quote of a quote.", author="b", reply_to="q2", quotes=["q2"]),
        post("q4", 13, "Four levels down.", author="c", reply_to="q3", quotes=["q3"]),
        post("cy1", 15, "Cycle one quotes cycle two.", author="a", reply_to="root", quotes=["cy2"]),
        post("cy2", 16, "Cycle two quotes cycle one.", author="b", reply_to="root", quotes=["cy1"]),
        post(
            "gone",
            20,
            "This quotes a deleted post.",
            author="c",
            reply_to="root",
            quotes=["deleted-1"],
        ),
    ]
    return load_document(
        thread_doc(posts, authors=AUTHORS, title="Quotes all the way down"), name="quotes.json"
    )


def hostile_thread() -> Thread:
    posts = [post("h0", 0, "A calm root post.", author="evil")]
    posts += [
        post(f"h{i}", i, text, author="evil", reply_to="h0", quotes=["h0"] if i == 2 else [])
        for i, text in enumerate(HOSTILE_TEXTS, start=1)
    ]
    authors = {
        "evil": {
            "handle": "evil[/]",
            "display_name": "[b]Mallory[/b] [@click=app.quit]x[/] \x1b]0;T\x07\u202e",
        }
    }
    return load_document(
        thread_doc(
            posts,
            authors=authors,
            title="[bold]Hostile[/] \x1b[2J title",
            summary="[@click=app.quit]summary[/]",
        ),
        name="hostile.json",
    )


def chain_thread(depth: int = 10_000) -> Thread:
    posts = [post("c0", 0, "Start of a very long chain.", author="a")]
    posts += [
        post(
            f"c{i}",
            None,
            f"Reply number {i} in the chain.",
            author="b" if i % 2 else "a",
            reply_to=f"c{i - 1}",
        )
        for i in range(1, depth)
    ]
    return load_document(
        thread_doc(posts, authors=AUTHORS, title=f"A {depth:,}-deep chain"), name="chain.json"
    )


def make_app(thread: Thread, **settings: Any) -> ThreadApp:
    return ThreadApp(thread, settings=Settings(**settings))


async def settle_quiet(pilot: Pilot[Any]) -> None:
    """Let the app finish its work, then clear the startup toasts (tested on their own)."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    pilot.app.clear_notifications()
    await pilot.pause()


async def wait_until(
    pilot: Pilot[Any], condition: Callable[[], bool], what: str, tries: int = 500
) -> None:
    """Pause until `condition` holds, instead of sleeping a guess: each pause lasts until the
    app is idle, and the bound is on the loop, never on the time."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause()
    raise AssertionError(f"never happened: {what}")


def palette_highlights(app: App[Any], text: str) -> bool:
    """Whether the command palette is up with `text` in its highlighted command: its
    results come in batches, after a search that runs in the background."""
    from textual.command import CommandList, CommandPalette

    screen = app.screen
    if not isinstance(screen, CommandPalette):
        return False
    commands = screen.query_one(CommandList)
    if commands.highlighted is None:
        return False
    prompt = commands.get_option_at_index(commands.highlighted).prompt
    return text.lower() in str(prompt).lower()


def detail_layout(
    thread: Thread,
    post_id: str,
    width: int = 80,
    *,
    glyphs: Glyphs = UNICODE,
    folded: dict[tuple[int, ...], bool] | None = None,
    pages: dict[str, int] | None = None,
    revealed: set[int] | None = None,
) -> DetailLayout:
    """The detail pane's lines for `post_id`, in UTC, nothing selected or highlighted."""
    return LineBuilder(
        thread,
        glyphs=glyphs,
        tz=UTC,
        highlight=None,
        folded={} if folded is None else folded,
        pages={} if pages is None else pages,
        selected=None,
        focused=False,
        wraps={},
        revealed=revealed,
    ).build(thread.by_id[post_id], width)
