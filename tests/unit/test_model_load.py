"""The loader: what it builds from good files, and the one line it says about bad ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from support import doc, sparse_post
from threadtui.cli import main
from threadtui.model import NO_PARENT, ThreadFileError, load_bytes, load_document, load_path


def write(tmp_path: Path, value: Any, name: str = "t.json") -> Path:
    path = tmp_path / name
    path.write_bytes(value if isinstance(value, bytes) else orjson.dumps(value))
    return path


def error_of(value: Any) -> str:
    data = value if isinstance(value, bytes) else orjson.dumps(value)
    with pytest.raises(ThreadFileError) as caught:
        load_bytes(data, name="t.json")
    return str(caught.value)


# --- building -------------------------------------------------------------------------


def test_tree_parent_is_reply_then_first_quote_in_thread() -> None:
    thread = load_document(
        doc(
            sparse_post("a", created_at="2026-01-01T10:00:00Z"),
            sparse_post("b", created_at="2026-01-01T10:05:00Z", reply_to="a", quotes=["c"]),
            sparse_post("c", created_at="2026-01-01T10:01:00Z", quotes=["missing", "a"]),
            sparse_post("d", created_at="2026-01-01T10:02:00Z", quotes=["missing"]),
        )
    )
    by = {p.id: p for p in thread.posts}
    assert by["b"].parent == by["a"].index and not by["b"].parent_is_quote
    # c quotes an absent post first: the parent is the first quoted post that is present.
    assert by["c"].parent == by["a"].index and by["c"].parent_is_quote
    assert by["d"].parent == NO_PARENT
    # Children in time order (c at 10:01 before b at 10:05), whatever the file order.
    assert thread.children(by["a"].index) == [by["c"].index, by["b"].index]
    assert by["missing"].synthetic and by["missing"].status == "not_fetched"
    # A placeholder for an absent quote is a card, not a tree branch.
    assert [thread.posts[i].id for i in thread.roots] == ["a", "d"]
    assert by["c"].quoted_by == [by["b"].index]
    assert by["missing"].quoted_by == [by["c"].index, by["d"].index]


def test_roots_in_time_order_untimed_last_in_file_order() -> None:
    thread = load_document(
        doc(
            sparse_post("x"),
            sparse_post("late", created_at="2026-01-02T00:00:00Z"),
            sparse_post("y"),
            sparse_post("early", created_at="2026-01-01T00:00:00.250Z"),
        )
    )
    assert [thread.posts[i].id for i in thread.roots] == ["early", "late", "x", "y"]
    assert thread.time_range == (1767225600.25, 1767312000.0)


def test_absent_reply_parent_becomes_placeholder_root_with_child() -> None:
    thread = load_document(doc(sparse_post("r", reply_to="gone")))
    gone = thread.post("gone")
    assert gone is not None and gone.synthetic and gone.text is None
    assert thread.roots == [gone.index]
    assert thread.children(gone.index) == [thread.by_id["r"]]
    assert any("replied-to" in w for w in thread.warnings)


def test_authors_indexed_with_post_counts() -> None:
    thread = load_document(
        doc(
            sparse_post("1", author="u1"),
            sparse_post("2", author="u2"),
            sparse_post("3", author="u1"),
            authors={
                "u1": {"handle": "one", "display_name": "One"},
                "u2": {"handle": "two", "display_name": None},
            },
        )
    )
    assert [(a.id, a.post_count) for a in thread.sorted_authors()] == [("u1", 2), ("u2", 1)]
    assert thread.posts[1].author_label == "@two"


def test_unknown_author_id_is_kept_with_warning() -> None:
    thread = load_document(doc(sparse_post("1", author="ghost")))
    author = thread.posts[0].author
    assert author is not None and author.id == "ghost" and author.post_count == 1
    assert thread.warnings == ["$.posts[0].author: unknown author id 'ghost'; shown without a name"]


def test_unknown_fields_are_kept() -> None:
    thread = load_document(
        doc(
            sparse_post("1", lang="en", score=7),
            thread={"title": "T", "community": "r/x"},
            authors={"a": {"handle": "h", "display_name": "n", "bot": True}},
            gaps=[],
        )
    )
    assert thread.posts[0].extra == {"lang": "en", "score": 7}
    assert thread.authors["a"].extra == {"bot": True}
    assert thread.extra == {"gaps": []}


def test_metrics_null_means_unknown_zero_means_zero() -> None:
    thread = load_document(doc(sparse_post("1", metrics={"views": 0, "likes": None, "score": 3})))
    metrics = thread.posts[0].metrics
    assert metrics.views == 0 and metrics.likes is None
    assert metrics.known() == [("views", 0)]


def test_depths_of_a_deep_chain_without_recursion() -> None:
    n = 20_000
    posts = [sparse_post("0")] + [sparse_post(str(i), reply_to=str(i - 1)) for i in range(1, n)]
    thread = load_document(doc(*posts))
    assert thread.max_depth == n - 1
    assert thread.posts[-1].depth == n - 1
    assert thread.descendant_count(0) == n - 1
    assert len(thread.ancestors(n - 1)) == n - 1


# --- cycles ---------------------------------------------------------------------------


def test_self_reply_is_broken_with_warning() -> None:
    thread = load_document(doc(sparse_post("s", reply_to="s")))
    assert thread.posts[0].parent == NO_PARENT
    assert thread.roots == [0]
    assert thread.warnings == ["post 's' replies to itself: 's' is shown as a root"]


def test_two_cycle_breaks_at_first_post_in_file() -> None:
    thread = load_document(doc(sparse_post("a", reply_to="b"), sparse_post("b", reply_to="a")))
    assert thread.posts[0].parent == NO_PARENT and thread.posts[1].parent == 0
    assert thread.warnings == [
        "posts 'a', 'b' reply to each other in a cycle: 'a' is shown as a root"
    ]


def test_long_cycle_and_quote_cycle() -> None:
    n = 1000
    ring = [sparse_post(f"p{i}", reply_to=f"p{(i + 1) % n}") for i in range(n)]
    thread = load_document(
        doc(*ring, sparse_post("q1", quotes=["q2"]), sparse_post("q2", quotes=["q1"]))
    )
    assert len(thread.roots) == 2
    assert thread.posts[0].parent == NO_PARENT
    assert thread.descendant_count(0) == n - 1
    assert "and 995 more reply to each other" in thread.warnings[0]
    assert thread.warnings[1].startswith("posts 'q1', 'q2'")


# --- text safety ----------------------------------------------------------------------


def test_control_and_bidi_characters_are_replaced_at_load() -> None:
    hostile = "a\x1b]0;TITLE\x07b\x1b[31mc\x9bd\u202ee\u2066f\r\ng\rh\x00i\tj"
    thread = load_document(
        doc(
            sparse_post("1", text=hostile, author="u"),
            thread={"title": "t\x1b[2J", "summary": "s\u202e", "details": {"k\x1b": "v\x07"}},
            authors={"u": {"handle": "h\x1b", "display_name": "n\u202e\nm"}},
        )
    )
    text = thread.posts[0].text
    assert text == "a\ufffd]0;TITLE\ufffdb\ufffd[31mc\ufffdd\ufffde\ufffdf\ng\nh\ufffdi\tj"
    assert thread.title == "t\ufffd[2J" and thread.summary == "s\ufffd"
    assert thread.details == {"k\ufffd": "v\ufffd"}
    author = thread.authors["u"]
    assert author.handle == "h\ufffd" and author.display_name == "n\ufffd m"


def test_markup_is_kept_literally() -> None:
    text = "[bold]x[/] [@click=app.quit]y[/] $var 🧑‍🤝‍🧑 漢字"
    assert load_document(doc(sparse_post("1", text=text))).posts[0].text == text


# --- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "t.json: the file is empty"),
        (b'{"a":\n "\xff"}', "t.json:2:3: not UTF-8 text (byte 0xff)"),
        (b"[]", "t.json: $: expected an object, got an array"),
        (b"{}", 't.json: $: not a threadtui thread: no "schema": "threadtui.thread" key'),
        (
            b'{"schema": "x", "schema_version": 1, "posts": []}',
            "t.json: $.schema: expected \"threadtui.thread\", got 'x'",
        ),
        (
            b'{"schema": "threadtui.thread", "schema_version": 2, "posts": []}',
            "t.json: $.schema_version: version 2 is not supported (this threadtui reads version 1)",
        ),
        (
            b'{"schema": "threadtui.thread", "schema_version": 1}',
            't.json: $: missing "posts"',
        ),
        (
            b'{"schema": "threadtui.thread", "schema_version": 1, "posts": {}}',
            "t.json: $.posts: expected an array, got an object",
        ),
    ],
)
def test_file_level_errors(data: bytes, message: str) -> None:
    assert error_of(data) == message


@pytest.mark.parametrize(
    ("bad_post", "message"),
    [
        ("x", "$.posts[1]: expected a post object, got 'x'"),
        ({"text": "t"}, "$.posts[1].id: expected a non-empty string, got null"),
        ({"id": 5, "text": "t"}, "$.posts[1].id: expected a non-empty string, got 5"),
        ({"id": "p"}, '$.posts[1]: missing "text"'),
        ({"id": "p", "text": None}, "$.posts[1].text: expected a string, got null"),
        (
            {"id": "p", "text": "t", "created_at": "2026-05-28 23:57"},
            "$.posts[1].created_at: expected an ISO 8601 UTC time ending in Z"
            " (like 2026-05-28T23:57:00Z) or null, got '2026-05-28 23:57'",
        ),
        (
            {"id": "p", "text": "t", "created_at": "2026-13-01T00:00:00Z"},
            "$.posts[1].created_at: not a real time: month must be in 1..12",
        ),
        (
            {"id": "p", "text": "t", "metrics": {"views": -1}},
            "$.posts[1].metrics.views: expected a whole number ≥ 0 or null, got -1",
        ),
        (
            {"id": "p", "text": "t", "metrics": {"likes": True}},
            "$.posts[1].metrics.likes: expected a whole number ≥ 0 or null, got true",
        ),
        (
            {"id": "p", "text": "t", "metrics": {"views": 1.5}},
            "$.posts[1].metrics.views: expected a whole number ≥ 0 or null, got 1.5",
        ),
        (
            {"id": "p", "text": "t", "metrics": [1]},
            "$.posts[1].metrics: expected an object, got an array",
        ),
        (
            {"id": "p", "text": "t", "quotes": "a"},
            "$.posts[1].quotes: expected an array of post ids, got 'a'",
        ),
        (
            {"id": "p", "text": "t", "quotes": ["a", 3]},
            "$.posts[1].quotes[1]: expected a post id, got 3",
        ),
        (
            {"id": "p", "text": "t", "reply_to": ""},
            "$.posts[1].reply_to: expected a post id or null, got ''",
        ),
        (
            {"id": "p", "text": "t", "status": "gone"},
            "$.posts[1].status: expected one of blocked, deleted, not_fetched, not_found,"
            " ok, removed, got 'gone'",
        ),
        (
            {"id": "p", "text": "t", "author": 1},
            "$.posts[1].author: expected an author id or null, got 1",
        ),
        ({"id": "a", "text": "t"}, "$.posts[1].id: duplicate post id 'a' (first at $.posts[0].id)"),
    ],
)
def test_post_errors_name_the_json_path(bad_post: Any, message: str) -> None:
    assert error_of(doc(sparse_post("a"), bad_post)) == f"t.json: {message}"


def test_json_syntax_error_names_line_and_column() -> None:
    # The wording after "invalid JSON:" is orjson's and changes between its versions.
    assert error_of(b'{\n  "a": ,\n}').startswith("t.json:2:8: invalid JSON: ")


def test_placeholder_may_have_null_text() -> None:
    thread = load_document(doc(sparse_post("d", text=None, status="deleted")))
    assert thread.posts[0].is_placeholder and thread.posts[0].text is None


def test_other_section_errors() -> None:
    assert (
        error_of(doc(thread={"title": 3}))
        == "t.json: $.thread.title: expected a string or null, got 3"
    )
    assert error_of(doc(thread=[])) == "t.json: $.thread: expected an object, got an array"
    assert error_of(doc(authors=[])) == "t.json: $.authors: expected an object, got an array"
    assert (
        error_of(doc(thread={"details": ""}))
        == "t.json: $.thread.details: expected an object, got ''"
    )
    assert (
        error_of(doc(authors={"a": "b"})) == "t.json: $.authors['a']: expected an object, got 'b'"
    )
    assert (
        error_of(doc(authors={"a": {"handle": 1}}))
        == "t.json: $.authors['a'].handle: expected a string or null, got 1"
    )


def test_unreadable_inputs(tmp_path: Path) -> None:
    with pytest.raises(ThreadFileError, match="is a directory"):
        load_path(tmp_path)
    with pytest.raises(ThreadFileError, match="no such file"):
        load_path(tmp_path / "nope.json")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_load_path_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    # load_path reads through the one guarded reader: a FIFO would block an unguarded read.
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(ThreadFileError, match=r"pipe\.json: is a named pipe \(FIFO\)"):
        load_path(fifo)


# --- the command line -----------------------------------------------------------------


def test_cli_bad_file_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, doc(sparse_post("a"), {"id": "b", "text": "t", "created_at": "soon"}))
    assert main([str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"{path}: $.posts[1].created_at: expected an ISO 8601")


def test_validate_reports_ok_and_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, doc(sparse_post("a", reply_to="a"), sparse_post("b", reply_to="zzz")))
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == (
        f"{path}: valid threadtui.thread v1: 2 posts, 0 authors, 1 placeholder added, 2 warnings\n"
    )
    assert "replies to itself" in captured.err


def test_validate_rejects_text_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "story.txt"
    path.write_text("19h ago\n\nTitle\n")
    assert main(["validate", str(path)]) == 2
    assert "not JSON" in capsys.readouterr().err


def test_installed_command_reports_without_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, b'{"schema": "threadtui.thread", "schema_version": 1, "posts": [}')
    proc = subprocess.run(
        [sys.executable, "-m", "threadtui", str(path)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"{path}:1:63: invalid JSON: ")
    assert proc.stderr.count("\n") == 1


def test_model_never_imports_textual() -> None:
    code = (
        "import sys, threadtui.model, threadtui.query, threadtui.export.render, threadtui.opener;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')];"
        "print(bad); raise SystemExit(1 if bad else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_preorder_and_rank_follow_the_tree() -> None:
    thread = load_document(
        doc(
            sparse_post("b", created_at="2026-01-01T00:02:00Z"),
            sparse_post("a", created_at="2026-01-01T00:01:00Z"),
            sparse_post("a2", reply_to="a", created_at="2026-01-01T00:04:00Z"),
            sparse_post("a1", reply_to="a", created_at="2026-01-01T00:03:00Z"),
            sparse_post("a11", reply_to="a1"),
            sparse_post("q", quotes=["nowhere"]),
        )
    )
    assert [thread.posts[i].id for i in thread.preorder] == ["a", "a1", "a11", "a2", "b", "q"]
    missing = thread.by_id["nowhere"]
    assert thread.rank[missing] == -1
    assert [thread.rank[thread.by_id[x]] for x in ("a", "a2", "q")] == [0, 3, 5]
    # Known at load, before any walk: the quote-only placeholder is not in the tree.
    assert thread.tree_size == 6


def test_a_head_of_the_preorder_is_its_first_rows() -> None:
    posts = [sparse_post("r0"), sparse_post("r1")]
    posts += [sparse_post(f"c{i}", reply_to=f"c{i - 1}" if i % 3 else "r0") for i in range(30)]
    posts[2]["reply_to"] = "r0"
    fresh = load_document(doc(*posts))
    whole = load_document(doc(*posts)).preorder
    for limit in (0, 1, 2, 5, 17, len(whole), len(whole) + 10):
        assert fresh.preorder_head(limit) == whole[:limit]
    assert fresh._preorder is None  # a head does not walk (or keep) the whole tree
    assert fresh.tree_size == len(whole) == len(posts)
    # Through a post: as far as it and `limit` past it, from a walk or from the preorder.
    walked = load_document(doc(*posts))
    _ = walked.preorder
    for through in whole:
        for limit in (0, 3, 40):
            expected = whole[: whole.index(through) + 1 + limit]
            assert fresh.preorder_head(limit, through) == expected
            assert walked.preorder_head(limit, through) == expected
    assert fresh._preorder is None


def test_a_head_through_a_post_not_in_the_tree_is_all_of_it() -> None:
    thread = load_document(doc(sparse_post("a"), sparse_post("q", quotes=["nowhere"])))
    missing = thread.by_id["nowhere"]
    assert thread.preorder_head(5, missing) == [thread.by_id["a"], thread.by_id["q"]]
    assert thread.preorder_head(5, missing) == thread.preorder


def test_file_order_does_not_change_the_tree() -> None:
    # Parents first takes the one-pass path; children first takes the general path.
    posts = [sparse_post("r", created_at="2026-01-01T00:00:00Z")]
    for i in range(1, 60):
        parent = "r" if i % 7 == 0 else f"p{(i * 5) // 7}" if i > 7 else "r"
        posts.append(sparse_post(f"p{i}", reply_to=parent, created_at=f"2026-01-01T00:{i:02d}:00Z"))
    posts.append(sparse_post("orphan", reply_to="absent", created_at="2026-01-01T01:00:00Z"))
    forward = load_document(doc(*posts))
    backward = load_document(doc(*reversed(posts)))

    def shape(thread: Any) -> list[tuple[str, int, list[str]]]:
        return [
            (
                thread.posts[i].id,
                thread.posts[i].depth,
                [thread.posts[k].id for k in thread.children(i)],
            )
            for i in thread.preorder
        ]

    assert shape(forward) == shape(backward)
    assert forward.max_depth == backward.max_depth > 2
    assert forward.warnings == backward.warnings
