"""The X story importer: the seed reads exactly as its README says, and nothing is lost.

The seed and its reading are in `/work/shared/seeds/README.md`; `second-story.txt` is our
own story text in the same shape, covering what the seed does not (noon and midnight, a
year boundary, 1.2M and 3,402 counts, a name with emoji and an apostrophe, a handle with
digits, e-mail addresses, a card seen only as a card, two roots).
"""

from __future__ import annotations

import contextlib
import hashlib
import random
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest

from threadtui import __version__
from threadtui.importers import IMPORTERS, detect, run, xstory
from threadtui.importers.xstory import (
    ImportResult,
    ImportWarning,
    StoryFormatError,
    dumps,
    import_story,
    looks_like_story,
)
from threadtui.model import load_document

STORIES = Path(__file__).resolve().parents[1] / "data" / "stories"
SEED = (STORIES / "x-story-ai-deployment.txt").read_text(encoding="utf-8")
SECOND = (STORIES / "second-story.txt").read_text(encoding="utf-8")

POST_KEYS = ["id", "author", "text", "created_at", "reply_to", "quotes", "metrics", "status"]
ROLES = {"header", "post", "card", "time", "warning"}

# The README's table: number, text start, author, created (UTC), views, parent number.
SEED_ROWS: list[tuple[int, str, str | None, str, int, int | None]] = [
    (
        1,
        "@Miles_Brundage I think all internal models",
        "x:ohabryka",
        "2026-05-28T23:57:00Z",
        8300,
        None,
    ),
    (2, "I guess you don't literally mean", "x:Miles_Brundage", "2026-05-29T00:18:00Z", 1500, 1),
    (3, "@ohabryka (agree we don't want", None, "2026-05-29T00:19:00Z", 228, 2),
    (4, "@ohabryka Gotcha, think we just", None, "2026-05-29T01:26:00Z", 398, 7),
    (5, "Generally agree that public deployment", None, "2026-05-29T01:00:00Z", 4600, 1),
    (6, "Take that I couldn’t have guessed", None, "2026-05-29T04:39:00Z", 1800, 1),
    (7, "No I would support regulation", "x:ohabryka", "2026-05-29T01:23:00Z", 778, 2),
]

SEED_POST_7 = (
    "No I would support regulation that you can only deploy a model internally after you"
    " deployed it externally, so I do mean all internal models.\n\n"
    "I also think shipping helpful-only models would probably be net good? But it sure is"
    " tricky and less obvious.\n\n"
    "I agree that it’s bad to ship models with known broken safeguards, that’s why you"
    " shouldn’t deploy them internally where all the risk is!"
)

SHIFT_WARNING = (
    "original-post section shows 4:57 PM, its cards 11:57 PM:"
    " shifted the section by +7h00m to the cards' clock"
)


def posts_of(result: ImportResult) -> list[dict[str, Any]]:
    return result.document["posts"]


def number_posts(result: ImportResult, rows: list[tuple[Any, ...]]) -> dict[int, dict[str, Any]]:
    """Map each table row's number to the one post whose text starts with its text start."""
    by_number: dict[int, dict[str, Any]] = {}
    for row in rows:
        found = [p for p in posts_of(result) if p["text"].startswith(row[1])]
        assert len(found) == 1, (row, found)
        by_number[row[0]] = found[0]
    return by_number


def tree_parent(post: dict[str, Any], ids: set[str]) -> str | None:
    """format.md: reply_to, else the first quoted post that is in the thread."""
    if post["reply_to"] is not None:
        return post["reply_to"]
    return next((q for q in post["quotes"] if q in ids), None)


def children_by_number(numbered: dict[int, dict[str, Any]]) -> dict[int, set[int]]:
    number_of = {p["id"]: n for n, p in numbered.items()}
    ids = set(number_of)
    tree: dict[int, set[int]] = {}
    for n, post in numbered.items():
        parent = tree_parent(post, ids)
        if parent is not None:
            tree.setdefault(number_of[parent], set()).add(n)
    return tree


def nonblank_lines(text: str) -> set[int]:
    return {n for n, line in enumerate(text.split("\n"), 1) if line.strip()}


def warned_lines(warnings: list[ImportWarning]) -> set[int]:
    """Every line a warning names: its own line, or the span "lines A-B" in its message."""
    named: set[int] = set()
    for warning in warnings:
        if warning.line is not None:
            named.add(warning.line)
        for first, last in re.findall(r"lines (\d+)-(\d+)", warning.message):
            named.update(range(int(first), int(last) + 1))
    return named


def assert_accounted(text: str, result: ImportResult) -> None:
    """Lose nothing: every non-blank line has a role, and warning lines are named by one."""
    assert set(result.line_roles) == nonblank_lines(text)
    assert set(result.line_roles.values()) <= ROLES
    dropped = {n for n, role in result.line_roles.items() if role == "warning"}
    assert dropped <= warned_lines(result.warnings)


def assert_well_formed(result: ImportResult) -> None:
    document = result.document
    assert list(document) == ["schema", "schema_version", "thread", "source", "authors", "posts"]
    ids = [p["id"] for p in posts_of(result)]
    assert len(ids) == len(set(ids))
    for post in posts_of(result):
        assert list(post) == POST_KEYS
        assert post["author"] is None or post["author"] in document["authors"]
        assert all(q in ids for q in post["quotes"])
        assert post["created_at"] is None or re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:00Z", post["created_at"]
        )
    thread = load_document(orjson.loads(dumps(document)))
    assert thread.real_post_count == len(ids)


def story(*blocks: str, header: str = "1h ago\n\nA title\n\nA summary\n\n0\nOriginal post") -> str:
    """A small story text: the header, then blocks separated by blank lines."""
    return "\n\n".join([header, *blocks])


# --- the seed ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> ImportResult:
    return import_story(SEED)


def test_seed_has_the_readme_posts_authors_times_and_views(seed: ImportResult) -> None:
    assert len(posts_of(seed)) == 7
    numbered = number_posts(seed, SEED_ROWS)
    for number, _start, author, created, views, _parent in SEED_ROWS:
        post = numbered[number]
        assert (post["author"], post["created_at"], post["metrics"]["views"]) == (
            author,
            created,
            views,
        ), number
        assert post["metrics"] == {
            "views": views,
            "likes": None,
            "reposts": None,
            "replies": None,
            "quotes": None,
        }
        assert post["reply_to"] is None
        assert post["status"] == "ok"
    assert numbered[7]["text"] == SEED_POST_7


def test_seed_tree_is_the_readme_tree(seed: ImportResult) -> None:
    numbered = number_posts(seed, SEED_ROWS)
    assert children_by_number(numbered) == {1: {2, 5, 6}, 2: {3, 7}, 7: {4}}
    number_of = {p["id"]: n for n, p in numbered.items()}
    quotes = {n: [number_of[q] for q in p["quotes"]] for n, p in numbered.items()}
    assert quotes == {1: [], 2: [1], 3: [2], 4: [7], 5: [1], 6: [1], 7: [2]}


def test_seed_tree_as_the_loader_builds_it(seed: ImportResult) -> None:
    thread = load_document(seed.document)
    number_of = {p["id"]: n for n, p in number_posts(seed, SEED_ROWS).items()}
    parents = {
        number_of[post.id]: (None if post.parent < 0 else number_of[thread.posts[post.parent].id])
        for post in thread.posts
    }
    assert parents == {row[0]: row[5] for row in SEED_ROWS}
    assert [number_of[thread.posts[i].id] for i in thread.roots] == [1]
    assert thread.warnings == []


def test_seed_posts_are_in_the_readmes_order(seed: ImportResult) -> None:
    # Post 7 first appears as the card under post 4, but its own time line comes last:
    # posts are placed where they appear as themselves, the order the README numbers.
    number_of = {p["id"]: n for n, p in number_posts(seed, SEED_ROWS).items()}
    assert [number_of[p["id"]] for p in posts_of(seed)] == [1, 2, 3, 4, 5, 6, 7]


def test_seed_header_source_and_authors(seed: ImportResult) -> None:
    document = seed.document
    assert document["schema"] == "threadtui.thread"
    assert document["schema_version"] == 1
    assert document["thread"] == {
        "title": "Oliver Habryka of Lightcone Infrastructure argues internal AI models should"
        " be publicly deployed to expose safety flaws quickly",
        "summary": "Academic Boaz Barak agrees internal use is high-risk.",
        "url": None,
        "root": posts_of(seed)[0]["id"],
        "details": {"age": "19h ago", "counter": "0"},
    }
    assert document["source"] == {
        "platform": "x",
        "kind": "x-story-text",
        "importer": f"threadtui.importers.xstory {__version__}",
        "retrieved_at": None,
    }
    # Two people are ever shown on a card; Boaz Barak is named only in the summary, and
    # the summary is never a source of authors.
    assert document["authors"] == {
        "x:ohabryka": {"handle": "ohabryka", "display_name": "Oliver Habryka"},
        "x:Miles_Brundage": {"handle": "Miles_Brundage", "display_name": "Miles Brundage"},
    }


def test_seed_warns_once_about_the_clock_shift(seed: ImportResult) -> None:
    assert seed.warnings == [ImportWarning(12, SHIFT_WARNING)]
    assert str(seed.warnings[0]) == f"line 12: {SHIFT_WARNING}"


def test_seed_accounts_for_every_line(seed: ImportResult) -> None:
    assert_accounted(SEED, seed)
    roles = seed.line_roles
    assert [roles[n] for n in (1, 3, 5, 7, 8)] == ["header"] * 5
    assert (roles[10], roles[12], roles[14], roles[16], roles[18], roles[20], roles[21]) == (
        "post",
        "time",
        "post",
        "card",
        "card",
        "time",
        "time",
    )
    assert "warning" not in roles.values()


def test_seed_document_is_well_formed(seed: ImportResult) -> None:
    assert_well_formed(seed)


def test_ids_are_derived_from_text_and_time(seed: ImportResult) -> None:
    for post in posts_of(seed):
        normalised = " ".join(post["text"].split())
        digest = hashlib.sha256(f"{normalised}\n{post['created_at']}".encode()).hexdigest()
        assert post["id"] == f"xs-{digest[:12]}"
    # Pinned: ids are how other files and bookmarks refer to posts; they must not drift.
    assert posts_of(seed)[0]["id"] == "xs-a2791d34725c"


def test_import_is_deterministic() -> None:
    first = dumps(import_story(SEED).document)
    second = dumps(import_story(SEED).document)
    assert first == second
    assert first.endswith(b"}\n")
    assert first.startswith(b'{\n  "schema": "threadtui.thread",\n')


WHITESPACE_VARIANTS = {
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "trailing spaces": lambda t: t.replace("\n", "  \t\n") + "   ",
    "extra blank lines": lambda t: "\n\n" + t.replace("\n\n", "\n\n\n \n") + "\n\n\n",
    "final newline": lambda t: t + "\n",
    "crlf and final crlf": lambda t: t.replace("\n", "\r\n") + "\r\n",
    "byte order mark": lambda t: "\ufeff" + t,
    "nbsp around the dots": lambda t: t.replace(" · ", "\u00a0·\u00a0"),
    "old mac line ends": lambda t: t.replace("\n", "\r"),
}


@pytest.mark.parametrize("name", list(WHITESPACE_VARIANTS))
def test_whitespace_variants_give_the_same_document(name: str, seed: ImportResult) -> None:
    text = WHITESPACE_VARIANTS[name](SEED)
    result = import_story(text)
    assert dumps(result.document) == dumps(seed.document)
    assert [w.message for w in result.warnings] == [SHIFT_WARNING]
    if name != "old mac line ends":
        assert_accounted(text.replace("\r\n", "\n"), result)


# --- truncation -------------------------------------------------------------------------


def test_every_cut_imports_what_is_complete_and_never_raises(seed: ImportResult) -> None:
    full_ids = {p["id"] for p in posts_of(seed)}
    # Once "4:57 PM ·" is there, the original post's time line is recognised (if unreadable).
    first_time_line = SEED.index("4:57 PM · May 28, 2026") + len("4:57 PM ·")
    for cut in range(len(SEED) + 1):
        text = SEED[:cut]
        try:
            result = import_story(text)
        except StoryFormatError as error:
            assert cut < first_time_line, cut
            assert error.line in (None, 1, 3, 5, 7, 8, 10)
            continue
        assert cut >= first_time_line, cut
        assert_accounted(text, result)
        assert_well_formed(result)
        shifted = any("shifted" in w.message for w in result.warnings)
        for post in posts_of(result):
            if post["created_at"] is None:
                continue
            # A post whose time line is whole is one of the seed's posts, id and all, except
            # the original post before a card has shown the cards' clock.
            assert post["id"] in full_ids or (
                not shifted and post["id"] == result.document["thread"]["root"]
            ), (cut, post)


@pytest.mark.parametrize(
    ("lines", "extra", "posts", "dropped"),
    [
        (13, None, 1, None),  # just the original post
        (17, None, 1, (14, 16)),  # cut after a card header
        (19, None, 1, (14, 18)),  # cut after the card's text
        (20, None, 1, (14, 14)),  # the card is whole, its post's own time is missing
        (21, None, 2, None),  # the first reply is whole
        (64, "No I would", 7, (59, 65)),  # cut inside a card's text (post 7 was a card before)
        (69, None, 7, (59, 63)),  # the last card is whole, its post's time is missing
    ],
)
def test_truncated_seed(
    lines: int, extra: str | None, posts: int, dropped: tuple[int, int] | None
) -> None:
    text = "\n".join(SEED.split("\n")[:lines] + ([extra] if extra else []))
    result = import_story(text)
    assert len(posts_of(result)) == posts
    assert_accounted(text, result)
    assert_well_formed(result)
    warned = {n for n, role in result.line_roles.items() if role == "warning"}
    if dropped is None:
        assert not warned
    else:
        first, last = dropped
        assert warned == nonblank_lines(text) & set(range(first, last + 1))
        assert any(w.line == first and "not imported" in w.message for w in result.warnings)
    # The original post is always whole here, so the thread keeps its root.
    assert result.document["thread"]["root"] == posts_of(result)[0]["id"]


def test_cut_inside_a_time_line_keeps_the_post_with_an_unknown_time() -> None:
    text = "\n".join([*SEED.split("\n")[:20], "12:18 AM · May 2"])
    result = import_story(text)
    post = posts_of(result)[1]
    assert post["text"].startswith("I guess you don't")
    assert (post["created_at"], post["metrics"]["views"]) == (None, None)
    assert any(w.line == 21 and "unreadable time line" in w.message for w in result.warnings)


def test_cut_inside_the_view_count_keeps_the_time() -> None:
    text = "\n".join([*SEED.split("\n")[:20], "12:18 AM · May 29, 2026 · 1.5"])
    post = posts_of(import_story(text))[1]
    assert (post["created_at"], post["metrics"]["views"]) == ("2026-05-29T00:18:00Z", None)


def test_original_post_alone_warns_that_its_clock_is_unchecked() -> None:
    text = "\n".join(SEED.split("\n")[:13])
    result = import_story(text)
    assert posts_of(result)[0]["created_at"] == "2026-05-28T16:57:00Z"
    assert [w.line for w in result.warnings] == [12]
    assert "cannot be checked" in result.warnings[0].message


# --- time zones -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "shift"),
    [
        (ZoneInfo("America/Los_Angeles"), timedelta(hours=7)),  # PDT in May
        (timezone(timedelta(hours=5, minutes=30)), timedelta(hours=-5, minutes=-30)),
        (UTC, timedelta(0)),
    ],
)
def test_tz_shifts_every_time(zone: Any, shift: timedelta, seed: ImportResult) -> None:
    result = import_story(SEED, tz=zone)
    before = [p["created_at"] for p in posts_of(seed)]
    after = [p["created_at"] for p in posts_of(result)]
    expected = [(datetime.fromisoformat(t) + shift).strftime("%Y-%m-%dT%H:%M:00Z") for t in before]
    assert after == expected
    # The structure does not depend on the zone.
    assert [w.message for w in result.warnings] == [SHIFT_WARNING]
    assert [len(p["quotes"]) for p in posts_of(result)] == [
        len(p["quotes"]) for p in posts_of(seed)
    ]


def test_tz_changes_ids_only_through_the_time(seed: ImportResult) -> None:
    la = import_story(SEED, tz=ZoneInfo("America/Los_Angeles"))
    assert [p["text"] for p in posts_of(la)] == [p["text"] for p in posts_of(seed)]
    assert la.document["thread"]["root"] == posts_of(la)[0]["id"]


# --- the second story -------------------------------------------------------------------

COUNCIL = (
    "Fireworks at the harbour start at midnight sharp. Questions about road closures: write"
    " to events@harbourtown.example and we’ll answer before 6 PM."
)
SECOND_ROWS: list[tuple[int, str, str | None, str, int, list[int]]] = [
    (1, COUNCIL, "x:HarbourTown", "2025-12-31T12:00:00Z", 1_200_000, []),
    (
        2,
        "Midnight is too late for the kids. Why not 9 PM like every other year?\n\n"
        "Asking for every parent on Quay Street.",
        "x:zoe_obrien1987",
        "2025-12-31T12:07:00Z",
        3402,
        [1],
    ),
    (
        3,
        "@zoe_obrien1987 9 PM clashes with the last ferry. Timetable questions go to"
        " ferries@harbourtown.example",
        None,
        "2025-12-31T23:59:00Z",
        778,
        [2],
    ),
    (4, "Same as last year, then.", None, "2026-01-01T00:00:00Z", 96, [5]),
    (
        5,
        "Noise complaints after last year’s show: 214. Source: the council’s own report.",
        "x:K9_Lab",
        "2025-01-01T00:00:00Z",
        1050,
        [],
    ),
    (
        6,
        "Fireworks or not, the harbour car park closes at 10 PM. cc @HarbourTown",
        "x:K9_Lab",
        "2026-01-01T00:41:00Z",
        2700,
        [1],
    ),
    (
        7,
        "@HarbourTown\n\nThanks, noted. Lovely show all the same.",
        None,
        "2026-01-01T01:15:00Z",
        5,
        [6],
    ),
]


@pytest.fixture(scope="module")
def second() -> ImportResult:
    return import_story(SECOND)


def test_second_story_reads_exactly(second: ImportResult) -> None:
    posts = posts_of(second)
    assert len(posts) == len(SECOND_ROWS)
    number_of = {p["id"]: n for n, p in enumerate(posts, 1)}
    for post, (_n, text, author, created, views, quotes) in zip(posts, SECOND_ROWS, strict=True):
        assert post["text"] == text
        assert post["author"] == author
        assert post["created_at"] == created
        assert post["metrics"]["views"] == views
        assert [number_of[q] for q in post["quotes"]] == quotes
        assert post["reply_to"] is None


def test_second_story_header_authors_and_warning(second: ImportResult) -> None:
    document = second.document
    assert document["thread"] == {
        "title": "Harbour Town’s midnight fireworks plan splits residents over noise, ferries"
        " and last year’s complaints",
        "summary": "The council’s New Year’s Eve post drew a 1.2M-view argument about timing.",
        "url": None,
        "root": posts_of(second)[0]["id"],
        "details": {"age": "2d ago", "counter": "12"},
    }
    # Emoji and both kinds of apostrophe in names; digits in handles; @k9_lab and @K9_Lab
    # are one author, spelled as first seen.
    assert document["authors"] == {
        "x:HarbourTown": {"handle": "HarbourTown", "display_name": "Harbour Town Council"},
        "x:zoe_obrien1987": {"handle": "zoe_obrien1987", "display_name": "Zoë O'Brien 🎆"},
        "x:K9_Lab": {"handle": "K9_Lab", "display_name": "Kai’s Lab 🧪"},
    }
    # A half-hour zone: 6:30 AM in the section, noon on the cards.
    assert second.warnings == [
        ImportWarning(
            12,
            "original-post section shows 6:30 AM, its cards 12:00 PM:"
            " shifted the section by +5h30m to the cards' clock",
        )
    ]


def test_second_story_has_two_roots(second: ImportResult) -> None:
    numbered = {n: p for n, p in enumerate(posts_of(second), 1)}
    assert children_by_number(numbered) == {1: {2, 6}, 2: {3}, 5: {4}, 6: {7}}
    thread = load_document(second.document)
    roots = [thread.posts[i].text for i in thread.roots]
    # Roots in time order: last year's card-only post, then the council's post.
    assert roots == [SECOND_ROWS[4][1], COUNCIL]


def test_second_story_email_and_mention_lines_are_text_not_cards(second: ImportResult) -> None:
    lines = SECOND.split("\n")
    with_at = [
        n
        for n, line in enumerate(lines, 1)
        if "@" in line and not line.startswith(("Harbour T", "Zoë", "Kai"))
    ]
    # Two e-mail addresses (in the original post and in a reply), "cc @HarbourTown", a
    # paragraph that is only "@HarbourTown", and a reply starting with a mention.
    assert with_at == [10, 20, 25, 43, 47, 52, 58]
    texts = [p["text"] for p in posts_of(second)]
    for n in with_at:
        assert second.line_roles[n] in ("post", "card")
        assert any(lines[n - 1] in text for text in texts), n
    assert len(second.document["authors"]) == 3
    assert_accounted(SECOND, second)
    assert "warning" not in second.line_roles.values()


def test_second_story_is_well_formed_and_deterministic(second: ImportResult) -> None:
    assert_well_formed(second)
    assert dumps(import_story(SECOND).document) == dumps(second.document)


def test_second_story_every_cut_never_raises() -> None:
    for cut in range(0, len(SECOND) + 1, 3):
        text = SECOND[:cut]
        try:
            result = import_story(text)
        except StoryFormatError:
            continue
        assert_accounted(text, result)


# --- the smaller rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shown", "views"),
    [
        ("· 8.3K Views", 8300),
        ("· 1.2M Views", 1_200_000),
        ("· 3,402 Views", 3402),
        ("· 778 Views", 778),
        ("· 1 View", 1),
        ("· 0 Views", 0),
        ("· 12K Views", 12_000),
        ("· 2.5B Views", 2_500_000_000),
        ("View on X", None),
        ("", None),
    ],
)
def test_view_counts(shown: str, views: int | None) -> None:
    text = story("A post.", f"4:57 PM · May 28, 2026 {shown}".rstrip())
    post = posts_of(import_story(text))[0]
    assert post["metrics"]["views"] == views


@pytest.mark.parametrize(
    ("clock", "iso"),
    [
        ("12:00 AM · Jan 1, 2026", "2026-01-01T00:00:00Z"),
        ("12:30 AM · Jan 1, 2026", "2026-01-01T00:30:00Z"),
        ("12:00 PM · Jan 1, 2026", "2026-01-01T12:00:00Z"),
        ("12:30 PM · Feb 28, 2026", "2026-02-28T12:30:00Z"),
        ("1:05 PM · Feb 29, 2028", "2028-02-29T13:05:00Z"),
        ("11:59 PM · Dec 31, 2025", "2025-12-31T23:59:00Z"),
        ("9:07 AM · Sep 3, 2024", "2024-09-03T09:07:00Z"),
    ],
)
def test_twelve_hour_times(clock: str, iso: str) -> None:
    post = posts_of(import_story(story("A post.", clock)))[0]
    assert post["created_at"] == iso


@pytest.mark.parametrize(
    "clock",
    ["4:57 PM · Feb 30, 2026", "13:00 PM · May 28, 2026", "4:57 PM · Foo 28, 2026"],
)
def test_impossible_times_are_unknown_and_warned(clock: str) -> None:
    text = story("A post.", clock)
    result = import_story(text)
    assert posts_of(result)[0]["created_at"] is None
    assert any(w.line == 12 and "time unknown" in w.message for w in result.warnings)
    assert_accounted(text, result)


def test_a_post_repeated_with_an_unreadable_time_joins_its_post() -> None:
    text = story(
        "The original.",
        "4:57 PM · May 28, 2026",
        "A reply.",
        "Some OneSome One@some1",
        "The original.",
        "4:57 PM · Feb 30, 2026 · 10 Views",
        "5:00 PM · May 28, 2026 · 3 Views",
    )
    posts = posts_of(import_story(text))
    assert [p["text"] for p in posts] == ["The original.", "A reply."]
    assert posts[0]["author"] == "x:some1"
    assert posts[0]["created_at"] == "2026-05-28T16:57:00Z"
    assert posts[0]["metrics"]["views"] == 10


def test_a_clock_mismatch_that_is_no_time_zone_keeps_the_cards_time() -> None:
    text = story(
        "The original.",
        "4:57 PM · May 28, 2026 View on X",
        "A reply.",
        "Some OneSome One@some1",
        "The original.",
        "5:10 PM · May 28, 2026 · 9 Views",
        "5:20 PM · May 28, 2026 · 3 Views",
    )
    result = import_story(text)
    assert [p["created_at"] for p in posts_of(result)] == [
        "2026-05-28T17:10:00Z",
        "2026-05-28T17:20:00Z",
    ]
    assert [str(w) for w in result.warnings] == [
        "line 12: original-post section shows 4:57 PM, its cards 5:10 PM:"
        " not a time-zone difference; kept the cards' time"
    ]


def test_a_negative_shift_across_midnight_names_the_days() -> None:
    text = story(
        "The original.",
        "1:15 AM · Jan 1, 2026 View on X",
        "A reply.",
        "Some OneSome One@some1",
        "The original.",
        "8:15 PM · Dec 31, 2025 · 9 Views",
        "8:20 PM · Dec 31, 2025 · 3 Views",
    )
    result = import_story(text)
    assert posts_of(result)[0]["created_at"] == "2025-12-31T20:15:00Z"
    assert result.warnings[0].message == (
        "original-post section shows 1:15 AM Jan 1, 2026, its cards 8:15 PM Dec 31, 2025:"
        " shifted the section by -5h00m to the cards' clock"
    )


def test_a_card_with_no_text_and_a_post_with_no_text() -> None:
    text = story(
        "The original.",
        "4:57 PM · May 28, 2026",
        "Some OneSome One@some1",
        "5:00 PM · May 28, 2026 · 1 View",
        "5:01 PM · May 28, 2026 · 2 Views",
    )
    result = import_story(text)
    posts = posts_of(result)
    assert [(p["text"], p["author"], p["quotes"]) for p in posts] == [
        ("The original.", None, []),
        ("", None, [posts[2]["id"]]),
        ("", "x:some1", []),
    ]
    assert_accounted(text, result)


def test_a_card_header_at_the_end_is_warned() -> None:
    text = story("The original.", "4:57 PM · May 28, 2026", "A reply.", "Some OneSome One@some1")
    result = import_story(text)
    assert len(posts_of(result)) == 1
    assert result.line_roles[14] == result.line_roles[16] == "warning"
    assert_accounted(text, result)


def test_a_stray_time_line_is_warned() -> None:
    text = story("The original.", "4:57 PM · May 28, 2026", "5:00 PM · May 28, 2026")
    result = import_story(text)
    assert len(posts_of(result)) == 1
    assert result.line_roles[14] == "warning"
    assert any(w.line == 14 and "no post before it" in w.message for w in result.warnings)


def test_a_card_without_a_time_line_before_another_card() -> None:
    text = story(
        "The original.",
        "4:57 PM · May 28, 2026",
        "A reply.",
        "Some OneSome One@some1",
        "Lost card text.",
        "Other PersonOther Person@other",
        "The original.",
        "4:57 PM · May 28, 2026 · 5 Views",
        "5:00 PM · May 28, 2026 · 1 View",
    )
    result = import_story(text)
    assert [p["text"] for p in posts_of(result)] == ["The original.", "A reply."]
    assert posts_of(result)[0]["author"] == "x:other"
    assert {result.line_roles[n] for n in (16, 18)} == {"warning"}
    assert_accounted(text, result)


def test_same_text_same_time_different_authors_are_two_posts() -> None:
    text = story(
        "Yes.",
        "4:57 PM · May 28, 2026",
        "A reply.",
        "Ann AAnn A@ann",
        "Yes.",
        "4:57 PM · May 28, 2026 · 1 View",
        "5:00 PM · May 28, 2026 · 1 View",
        "Another reply.",
        "Bob BBob B@bob",
        "Yes.",
        "4:57 PM · May 28, 2026 · 2 Views",
        "5:01 PM · May 28, 2026 · 1 View",
    )
    posts = posts_of(import_story(text))
    yes = [p for p in posts if p["text"] == "Yes."]
    assert [p["author"] for p in yes] == ["x:ann", "x:bob"]
    assert yes[1]["id"] == yes[0]["id"] + "-2"
    assert [p["quotes"] for p in posts if p["text"].endswith("reply.")] == [
        [yes[0]["id"]],
        [yes[1]["id"]],
    ]


def test_two_posts_with_the_same_words_and_minute_stay_two() -> None:
    # Each shows as itself with its own time line: the page shows two posts.
    text = story(
        "The original.",
        "4:57 PM · May 28, 2026",
        "Agreed.",
        "5:00 PM · May 28, 2026 · 10 Views",
        "Agreed.",
        "5:00 PM · May 28, 2026 · 20 Views",
    )
    result = import_story(text)
    agreed = [p for p in posts_of(result) if p["text"] == "Agreed."]
    assert [p["metrics"]["views"] for p in agreed] == [10, 20]
    assert [p["created_at"] for p in agreed] == ["2026-05-28T17:00:00Z"] * 2
    assert agreed[1]["id"] == agreed[0]["id"] + "-2"
    assert result.warnings == [
        ImportWarning(
            12,
            "the original post is never shown as a card, so its section's clock cannot be"
            " checked against the cards': its time may be off by a time-zone difference",
        )
    ]
    assert_well_formed(result)
    assert_accounted(text, result)


def test_the_original_post_and_a_reply_with_its_words_stay_two() -> None:
    text = story("+1", "4:57 PM · May 28, 2026", "+1", "4:57 PM · May 28, 2026 · 3 Views")
    posts = posts_of(import_story(text))
    assert [p["metrics"]["views"] for p in posts] == [None, 3]
    assert posts[0]["id"] != posts[1]["id"]


def agreed_twice(*cards: tuple[str, str]) -> str:
    """Two posts "Agreed." in one minute (10 and 20 views), then one reply per card."""
    blocks = [
        "The original.",
        "4:57 PM · May 28, 2026",
        "Agreed.",
        "5:00 PM · May 28, 2026 · 10 Views",
        "Agreed.",
        "5:00 PM · May 28, 2026 · 20 Views",
    ]
    for minute, (header, views) in enumerate(cards, 10):
        blocks += [
            f"Reply {minute}.",
            header,
            "Agreed.",
            f"5:00 PM · May 28, 2026{views}",
            f"5:{minute} PM · May 28, 2026 · 1 View",
        ]
    return story(*blocks)


def test_a_card_goes_to_the_post_whose_views_it_shows() -> None:
    text = agreed_twice(("Bob BBob B@bob", " · 20 Views"), ("Ann AAnn A@ann", " · 10 Views"))
    result = import_story(text)
    posts = {p["text"]: p for p in posts_of(result)}
    first, second = (p for p in posts_of(result) if p["text"] == "Agreed.")
    assert (first["author"], second["author"]) == ("x:ann", "x:bob")
    assert posts["Reply 10."]["quotes"] == [second["id"]]
    assert posts["Reply 11."]["quotes"] == [first["id"]]
    assert [p["metrics"]["views"] for p in (first, second)] == [10, 20]
    assert not any("fits" in w.message for w in result.warnings)
    assert_accounted(text, result)


def test_a_card_that_fits_two_posts_says_which_it_took() -> None:
    text = agreed_twice(("Ann AAnn A@ann", ""), ("Ann AAnn A@ann", " · 15 Views"))
    result = import_story(text)
    first, second = (p for p in posts_of(result) if p["text"] == "Agreed.")
    replies = [p for p in posts_of(result) if p["text"].startswith("Reply")]
    # The second card of the same author goes where the first went: no second guess.
    assert [r["quotes"] for r in replies] == [[first["id"]], [first["id"]]]
    assert (first["author"], second["author"]) == ("x:ann", None)
    assert [str(w) for w in result.warnings if "fits" in w.message] == [
        "line 24: the card “Agreed.” fits 2 posts with the same words and time"
        " (lines 14, 18): taken as the one at line 14"
    ]
    assert_well_formed(result)


def test_two_authors_cards_split_two_same_posts_without_views() -> None:
    text = agreed_twice(("Ann AAnn A@ann", ""), ("Bob BBob B@bob", ""))
    result = import_story(text)
    first, second = (p for p in posts_of(result) if p["text"] == "Agreed.")
    assert (first["author"], second["author"]) == ("x:ann", "x:bob")
    # Only the first card had a choice to make.
    assert len([w for w in result.warnings if "fits" in w.message]) == 1


def test_a_post_with_an_unreadable_time_is_not_merged_into_another_post() -> None:
    text = story(
        "The original.",
        "4:57 PM · May 28, 2026",
        "Agreed.",
        "5:00 PM · May 28, 2026 · 10 Views",
        "Agreed.",
        "5:00 PM · Feb 30, 2026 · 20 Views",
    )
    posts = posts_of(import_story(text))
    assert [(p["created_at"], p["metrics"]["views"]) for p in posts[1:]] == [
        ("2026-05-28T17:00:00Z", 10),
        (None, 20),
    ]


def test_a_post_with_an_unreadable_time_joins_the_post_only_cards_show() -> None:
    text = story(
        "The original.",
        "4:57 PM · May 28, 2026",
        "A reply.",
        "Ann AAnn A@ann",
        "Seen as a card first.",
        "5:00 PM · May 28, 2026 · 7 Views",
        "5:10 PM · May 28, 2026 · 1 View",
        "Seen as a card first.",
        "5:00 PM · Feb 30, 2026 · 7 Views",
    )
    posts = posts_of(import_story(text))
    seen = [p for p in posts if p["text"] == "Seen as a card first."]
    assert [(p["author"], p["created_at"]) for p in seen] == [("x:ann", "2026-05-28T17:00:00Z")]


def test_same_text_at_different_times_is_two_posts() -> None:
    text = story("+1", "4:57 PM · May 28, 2026", "+1", "5:57 PM · May 28, 2026")
    posts = posts_of(import_story(text))
    assert [p["created_at"] for p in posts] == ["2026-05-28T16:57:00Z", "2026-05-28T17:57:00Z"]
    assert posts[0]["id"] != posts[1]["id"]


@pytest.mark.parametrize(
    "line",
    [
        "write to anna@example.com",
        "cc @someone",
        "haha @someone",
        "Ann Lee Ann Lee @ann_lee",
        "@someone",
        "AnnBob@ann",
        "Ann Ann@this_handle_is_too_long",
        "Ann Ann@",
        "email me: team@corp",
    ],
)
def test_at_signs_in_text_are_not_card_headers(line: str) -> None:
    text = story(line, "4:57 PM · May 28, 2026")
    result = import_story(text)
    assert posts_of(result)[0]["text"] == line
    assert result.document["authors"] == {}
    assert result.line_roles[10] == "post"


def test_header_variants() -> None:
    text = story(
        "The original.",
        "4:57 PM · May 28, 2026",
        header="Just a title\n\n0\nOriginal post",
    )
    result = import_story(text)
    assert result.document["thread"]["title"] == "Just a title"
    assert result.document["thread"]["summary"] is None
    assert result.document["thread"]["details"] == {"counter": "0"}

    text = story(
        "The original.",
        "4:57 PM · May 28, 2026",
        header="3d ago\n\nTitle\n\nSummary\n\nAn extra line\n\n7\nOriginal post",
    )
    result = import_story(text)
    assert result.document["thread"]["details"] == {"age": "3d ago", "counter": "7"}
    assert result.line_roles[7] == "warning"
    assert any(w.line == 7 and "header" in w.message for w in result.warnings)
    assert_accounted(text, result)


def test_without_the_original_post_line_there_is_no_root() -> None:
    text = "\n\n".join(
        ["A post.", "4:57 PM · May 28, 2026 · 3 Views", "Another.", "5:00 PM · May 28, 2026"]
    )
    result = import_story(text)
    assert len(posts_of(result)) == 2
    assert result.document["thread"]["root"] is None
    assert result.document["thread"]["title"] is None
    assert [str(w) for w in result.warnings if w.line is None] == [
        'no "Original post" line: the original post and thread root are unknown'
    ]
    assert_accounted(text, result)


def test_without_the_original_post_line_a_header_is_still_found() -> None:
    text = "19h ago\n\nTitle\n\nSummary\n\n0\n\nA post.\n\n4:57 PM · May 28, 2026"
    result = import_story(text)
    assert result.document["thread"]["title"] == "Title"
    assert result.document["thread"]["details"] == {"age": "19h ago", "counter": "0"}
    assert [p["text"] for p in posts_of(result)] == ["A post."]


def test_a_line_break_inside_a_paragraph_is_kept() -> None:
    text = story("Line one\nline two\n\nSecond paragraph  ", "4:57 PM · May 28, 2026")
    assert posts_of(import_story(text))[0]["text"] == "Line one\nline two\n\nSecond paragraph"


def test_control_characters_and_lone_surrogates_never_break_the_output() -> None:
    text = story("Bell \x07 escape \x1b[31m and \ud800 here", "4:57 PM · May 28, 2026")
    result = import_story(text)
    data = dumps(result.document)
    assert "\ufffd here" in orjson.loads(data)["posts"][0]["text"]
    assert any("surrogate" in w.message for w in result.warnings)


# --- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", None, "empty"),
        ("  \n\r\n\t\n", None, "empty"),
        ("hello\nworld\n", 1, "not X story text"),
        ("\n\nsome {json: 1}", 3, "not X story text"),
        ("19h ago\n\nTitle\n\nSummary\n\n0\nOriginal post\n", 8, "header but no post"),
        ("19h ago\n\nTitle\n\n0\nOriginal post\n\nThe original post, cut", 8, "no complete post"),
        ("Original post\n\nA post\n\nSomeSome@one\n\nIts card", 3, "no complete post"),
        ("4:57 PM · May 28, 2026", 1, "no post text"),
    ],
)
def test_no_importable_post_is_a_story_format_error(
    text: str, line: int | None, words: str
) -> None:
    with pytest.raises(StoryFormatError) as caught:
        import_story(text)
    assert caught.value.line == line
    assert words in str(caught.value)
    assert isinstance(caught.value, ValueError)


class _Counted(str):
    """A line of input that counts the characters every concatenation involving it builds.

    Concatenating onto a string held in a list copies it every time: the quadratic step a
    long paragraph once hit. Such copies happen in C, where no trace function sees them.
    """

    built = 0

    def __add__(self, other: str) -> _Counted:
        result = _Counted(str.__add__(self, other))
        _Counted.built += len(result)
        return result

    def __radd__(self, other: str) -> _Counted:
        result = _Counted(str.__add__(other, self))
        _Counted.built += len(result)
        return result


class _CountedPattern:
    """A compiled pattern that adds the length of every string it is run on to a counter."""

    def __init__(self, pattern: re.Pattern[str], counter: list[int]) -> None:
        self.pattern = pattern
        self.counter = counter

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.pattern, name)
        if not callable(method):
            return method

        def counted(*args: Any, **kwargs: Any) -> Any:
            # sub(repl, string): the string is second; every other method takes it first.
            string = args[1] if name in ("sub", "subn") else args[0]
            self.counter[0] += len(string)
            return method(*args, **kwargs)

        return counted


def import_work(monkeypatch: pytest.MonkeyPatch, text: str) -> int:
    """A deterministic measure of the work importing `text` takes: Python lines run in
    threadtui, plus characters its regexes are run on, plus characters built by
    concatenating input lines. Not a time: it is the same on a loaded machine."""
    scanned = [0]
    for name in dir(xstory):
        value = getattr(xstory, name)
        if isinstance(value, re.Pattern):
            monkeypatch.setattr(xstory, name, _CountedPattern(value, scanned))
    line_class = xstory._Line
    monkeypatch.setattr(
        xstory, "_Line", lambda number, text, gap: line_class(number, _Counted(text), gap)
    )
    _Counted.built = 0
    lines = [0]
    package = str(Path(xstory.__file__).parents[1])

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        if not frame.f_code.co_filename.startswith(package):
            return None
        if event == "line":
            lines[0] += 1
        return tracer

    sys.settrace(tracer)
    try:
        with contextlib.suppress(StoryFormatError):
            import_story(text)
        looks_like_story(text)
    finally:
        sys.settrace(None)
        monkeypatch.undo()
    return lines[0] + scanned[0] + _Counted.built


def test_the_work_counter_sees_a_quadratic_paragraph(monkeypatch: pytest.MonkeyPatch) -> None:
    # The old way of building paragraphs, to show the counter is not blind to it.
    def quadratic(self: Any) -> list[str]:
        paragraphs: list[str] = []
        for line in self.lines:
            if line.gap_before or not paragraphs:
                paragraphs.append(line.text)
            else:
                paragraphs[-1] += "\n" + line.text
        return paragraphs

    def paragraph(lines: int) -> str:
        return story("\n".join(["word"] * lines), "4:57 PM · May 28, 2026")

    monkeypatch.setattr(xstory._Appearance, "paragraphs", property(quadratic))
    small = import_work(monkeypatch, paragraph(1000))
    monkeypatch.setattr(xstory._Appearance, "paragraphs", property(quadratic))
    large = import_work(monkeypatch, paragraph(4000))
    assert large > 8 * small


def _huge_inputs(size: int) -> list[str]:
    """Hostile single lines and one long paragraph, about `size` characters each."""
    return [
        "x" * size,
        "1" * size,
        "ab" * (size // 2) + "@ab",
        "@" * size,
        "12:00 PM · " + "1" * size,
        "12:00 PM · Jan 1, 2026 · " + "1," * (size // 2) + " Views",
        "Ann" * (size // 3) + "@a" * (size // 10),
        story("\n".join(["word"] * (size // 5)), "4:57 PM · May 28, 2026"),
        story("\n".join(["w"] * (size // 2)), "Some OneSome One@some1", "x\ny\n" * (size // 4)),
    ]


@pytest.mark.parametrize("case", range(len(_huge_inputs(10))))
def test_huge_lines_and_paragraphs_take_linear_work(
    case: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Work at n and at 4n: linear work grows 4×, quadratic 16×. 6× leaves room for fixed
    # costs without letting anything quadratic through. (Timings: benchmarks/bench_import.py.)
    small = import_work(monkeypatch, _huge_inputs(5_000)[case])
    large = import_work(monkeypatch, _huge_inputs(20_000)[case])
    assert large < 6 * small, (small, large)


def test_a_long_paragraph_imports_whole() -> None:
    text = story("\n".join(f"line {i}" for i in range(50_000)), "4:57 PM · May 28, 2026")
    post = posts_of(import_story(text))[0]
    assert post["text"] == "\n".join(f"line {i}" for i in range(50_000))


def test_random_garbage_never_raises_anything_else() -> None:
    rng = random.Random(20260528)
    lines = (SEED + "\n" + SECOND).split("\n")
    alphabet = "aZ@ ·:0123456789APMK,.V\u2019😀\r\t\x00\x1b\u202e"
    for _ in range(1500):
        out: list[str] = []
        for _ in range(rng.randrange(1, 30)):
            pick = rng.random()
            if pick < 0.6:
                out.append(rng.choice(lines))
            elif pick < 0.8:
                line = rng.choice(lines)
                at = rng.randrange(len(line) + 1)
                out.append(line[:at] + rng.choice(alphabet) + line[at:])
            else:
                out.append("".join(rng.choice(alphabet) for _ in range(rng.randrange(30))))
        text = "\n".join(out)
        try:
            result = import_story(text, tz=rng.choice([UTC, ZoneInfo("Pacific/Kiritimati")]))
        except StoryFormatError:
            continue
        assert_accounted(text, result)
        assert_well_formed(result)


def test_dates_at_the_edge_of_the_calendar_do_not_overflow() -> None:
    for clock in ("12:00 AM · Jan 1, 0001", "11:59 PM · Dec 31, 9999", "1:00 AM · Jan 1, 0000"):
        text = story("A post.", clock)
        result = import_story(text, tz=timezone(timedelta(hours=-14)))
        assert_well_formed(result)
        result = import_story(text, tz=timezone(timedelta(hours=14)))
        assert_well_formed(result)


# --- the sniff and the registry ---------------------------------------------------------


def test_looks_like_story() -> None:
    assert looks_like_story(SEED)
    assert looks_like_story(SECOND)
    assert looks_like_story("Original post\n")
    assert not looks_like_story('{"schema": "threadtui.thread"}')
    assert not looks_like_story("")
    assert not looks_like_story("just some notes\nabout 4:57 PM yesterday\n")


def test_registry() -> None:
    assert "x-story" in [importer.name for importer in IMPORTERS]
    assert detect(SEED) == "x-story"
    assert detect("{}") is None
    assert dumps(run("x-story", SEED).document) == dumps(import_story(SEED).document)
    assert run("x-story", SEED, tz=UTC).document == import_story(SEED).document
    assert f"threadtui.importers.xstory {__version__}" == xstory.IMPORTER


def test_importer_does_not_import_textual() -> None:
    code = (
        "import sys, threadtui.importers as i; "
        "i.xstory.import_story(open(sys.argv[1], encoding='utf-8').read()); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(STORIES / "x-story-ai-deployment.txt")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"
