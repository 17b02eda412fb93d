"""The read state: where it is kept, what is new and read, saving, damage, bounds, ids."""

from __future__ import annotations

import os
import stat
import threading
from array import array
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

from threadtui.model import Thread, load_document
from threadtui.state import (
    ReadState,
    forget,
    forget_all,
    open_state,
    state_dir,
    store,
    thread_identity,
    thread_key,
    when_text,
)

T0 = datetime(2026, 5, 26, 14, 2, tzinfo=UTC).timestamp()  # a Tuesday


class Clock:
    """A fixed clock the test moves by hand."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def doc(*posts: dict[str, Any], **top: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"schema": "threadtui.thread", "schema_version": 1, "posts": list(posts)}
    base.update(top)
    return base


def post(pid: str, **fields: Any) -> dict[str, Any]:
    fields.setdefault("text", f"text of {pid}")
    fields.setdefault("created_at", "2026-05-26T10:00:00Z")
    return {"id": pid, **fields}


def bluesky(*ids: str, parent: str = "r") -> Thread:
    posts = [post("r")] + [post(i, reply_to=parent) for i in ids]
    return load_document(doc(*posts, source={"platform": "bluesky"}, thread={"root": "r"}))


def index_of(thread: Thread, post_id: str) -> int:
    return thread.by_id[post_id]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "state"


def visit(thread: Thread, folder: Path, clock: Clock) -> ReadState:
    state, warnings = open_state(thread, directory=folder, clock=clock)
    assert warnings == []
    return state


# --- where -------------------------------------------------------------------------------


def test_state_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert state_dir() == tmp_path / "threadtui"
    # The spec: a relative value is ignored.
    monkeypatch.setenv("XDG_STATE_HOME", "relative/dir")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert state_dir() == tmp_path / "home" / ".local" / "state" / "threadtui"
    monkeypatch.delenv("XDG_STATE_HOME")
    assert state_dir() == tmp_path / "home" / ".local" / "state" / "threadtui"


def test_default_open_uses_the_tests_own_folder() -> None:
    # conftest points XDG_STATE_HOME at a temporary folder: no test writes the user's state.
    state, _ = open_state(bluesky("a"))
    assert state.path is not None
    assert Path(os.environ["XDG_STATE_HOME"]) in state.path.parents


def test_identity_is_platform_and_root_and_survives_growth() -> None:
    small = bluesky("a")
    grown = bluesky("a", "b", "c")
    assert thread_identity(small) == thread_identity(grown)
    other = load_document(doc(post("r"), source={"platform": "mastodon"}, thread={"root": "r"}))
    assert thread_identity(other) != thread_identity(small)


def test_identity_of_a_plain_file_includes_its_root() -> None:
    one = load_document(doc(post("1", author="a:x", created_at="2026-01-01T00:00:00Z")))
    two = load_document(doc(post("1", author="a:y", created_at="2026-01-01T00:00:00Z")))
    assert thread_identity(one) != thread_identity(two)
    assert thread_identity(load_document(doc())) is None


def test_empty_thread_remembers_nothing(folder: Path) -> None:
    state = visit(load_document(doc()), folder, Clock())
    assert state.path is None
    assert state.summary(UTC) == ""
    state.save()
    assert not folder.exists()


@pytest.mark.parametrize(
    "hostile",
    [
        "../../../../etc/passwd",
        "/absolute/path",
        "a" * 100_000,
        "with\nnewline and \u202e bidi",
        "NUL\x00byte",
        "\ud800 lone surrogate",
        "..",
        "",
    ],
)
def test_hostile_ids_never_reach_a_path(folder: Path, hostile: str) -> None:
    thread = load_document(
        doc(post("r"), post("x", reply_to="r"), source={"platform": hostile}, thread={"root": "r"})
    )
    # The id itself too: as the root of a second thread.
    rooted = Thread(**{**{f: getattr(thread, f) for f in thread.__dataclass_fields__}})
    rooted.root_id = hostile
    for one in (thread, rooted):
        state = visit(one, folder, Clock())
        state.mark_read(0)
        state.save()
    names = os.listdir(folder)
    assert names and all(store._NAME.fullmatch(name) for name in names)
    assert all(len(name) == 32 + len(".read") for name in names)


# --- new and read --------------------------------------------------------------------------


def test_first_visit_everything_new_then_only_what_was_not_read(folder: Path) -> None:
    clock = Clock()
    thread = bluesky("a", "b")
    first = visit(thread, folder, clock)
    assert first.first_visit
    assert first.summary(UTC) == "first visit"
    assert first.new_count == 3
    first.mark_read(index_of(thread, "r"))
    first.mark_read(index_of(thread, "a"))
    first.save()

    clock.now += 3600
    grown = bluesky("a", "b", "c", "d")
    second = visit(grown, folder, clock)
    assert not second.first_visit
    assert {grown.posts[i].id for i in second.new_posts()} == {"b", "c", "d"}
    assert second.summary(UTC) == "3 new since 14:02"
    assert not second.is_new(index_of(grown, "a"))


def test_new_marks_stay_for_the_visit_while_read_grows(folder: Path) -> None:
    thread = bluesky("a")
    state = visit(thread, folder, Clock())
    a = index_of(thread, "a")
    assert state.is_new(a) and state.is_unread(a)
    assert state.mark_read(a)
    assert not state.mark_read(a)  # once
    assert state.is_new(a) and not state.is_unread(a)
    assert state.new_count == 2


def test_mark_all_read_empties_new_and_is_remembered(folder: Path) -> None:
    clock = Clock()
    thread = bluesky("a", "b")
    state = visit(thread, folder, clock)
    assert state.mark_all_read() == 3
    assert state.new_count == 0 and state.new_posts() == []
    assert state.next_new(None) is None
    state.save()
    clock.now += 86400 * 2
    again = visit(thread, folder, clock)
    assert again.summary(UTC) == "nothing new since Tue 14:02"


def test_next_and_previous_new_follow_tree_order(folder: Path) -> None:
    thread = bluesky("a", "b", "c", "d")
    state = visit(thread, folder, Clock())
    state.mark_all_read()
    state.save()
    grown = load_document(
        doc(
            post("r"),
            *(post(i, reply_to="r") for i in "abcd"),
            post("a1", reply_to="a", created_at="2026-05-26T11:00:00Z"),
            post("c1", reply_to="c", created_at="2026-05-26T11:00:00Z"),
            source={"platform": "bluesky"},
            thread={"root": "r"},
        )
    )
    later = visit(grown, folder, Clock(T0 + 60))
    a1, c1 = index_of(grown, "a1"), index_of(grown, "c1")
    assert later.new_posts() == [a1, c1]
    assert later.next_new(None) == a1
    assert later.next_new(a1) == c1
    assert later.next_new(c1) == a1  # wraps
    assert later.next_new(c1, wrap=False) is None
    assert later.previous_new(c1) == a1
    assert later.previous_new(a1) == c1
    assert later.previous_new(a1, wrap=False) is None
    assert later.previous_new(index_of(grown, "b")) == a1


def test_placeholders_are_never_new_nor_recorded(folder: Path) -> None:
    # "gone" is only referred to: a placeholder. Read as a placeholder, it must still be
    # new when the real post arrives.
    partial = load_document(
        doc(post("a", reply_to="gone"), source={"platform": "bluesky"}, thread={"root": "gone"})
    )
    state = visit(partial, folder, Clock())
    gone = index_of(partial, "gone")
    assert partial.posts[gone].synthetic
    assert not state.is_new(gone)
    assert not state.mark_read(gone)
    state.mark_read(index_of(partial, "a"))
    state.save()
    full = load_document(
        doc(
            post("gone"),
            post("a", reply_to="gone"),
            source={"platform": "bluesky"},
            thread={"root": "gone"},
        )
    )
    later = visit(full, folder, Clock(T0 + 60))
    assert [full.posts[i].id for i in later.new_posts()] == ["gone"]


def test_rebind_keeps_marks_and_marks_arrivals(folder: Path) -> None:
    clock = Clock()
    thread = bluesky("a")
    visit(thread, folder, clock).mark_all_read()
    state = visit(thread, folder, clock)
    state.mark_all_read()
    state.save()
    state = visit(bluesky("a", "b"), folder, clock)
    assert state.new_count == 1
    grown = bluesky("a", "b", "c")
    assert state.rebind(grown) == 1
    assert {grown.posts[i].id for i in state.new_posts()} == {"b", "c"}
    assert state.thread is grown


def test_cursor_is_remembered_by_post(folder: Path) -> None:
    thread = bluesky("a", "b")
    state = visit(thread, folder, Clock())
    assert state.cursor is None
    state.cursor = index_of(thread, "b")
    state.save()
    # Another order of posts in the file: the cursor follows the post, not the index.
    reordered = load_document(
        doc(
            post("b", reply_to="r"),
            post("r"),
            post("a", reply_to="r"),
            source={"platform": "bluesky"},
            thread={"root": "r"},
        )
    )
    again = visit(reordered, folder, Clock())
    assert again.cursor == index_of(reordered, "b")
    assert visit(bluesky("a"), folder, Clock()).cursor is None  # b is gone


@pytest.mark.parametrize(
    ("moment", "now", "text"),
    [
        (T0, T0 + 60, "14:02"),
        (T0, T0 + 86400 * 2, "Tue 14:02"),
        (T0, T0 + 86400 * 30, "May 26 14:02"),
        (T0, T0 + 86400 * 400, "2026-05-26"),
        (T0 + 86400 * 2, T0, "May 28 14:02"),  # a clock set back: no weekday "ahead"
    ],
)
def test_when_text(moment: float, now: float, text: str) -> None:
    assert when_text(moment, UTC, now) == text


# --- files -------------------------------------------------------------------------------


def test_file_is_private_atomic_and_small(folder: Path) -> None:
    thread = bluesky(*(f"p{i}" for i in range(1000)))
    state = visit(thread, folder, Clock())
    state.mark_all_read()
    state.save()
    [path] = folder.iterdir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert path.stat().st_size < 1001 * 8 + 200
    assert b"p999" not in path.read_bytes()  # ids are hashed, never written out
    assert [p.name for p in folder.iterdir()] == [path.name]  # no temporary left


def damaged_files(path: Path, key: str) -> dict[str, bytes]:
    good = store.encode(store.Stored(key, T0, T0, None, array("Q", [1, 2, 3])))

    def record(**change: Any) -> bytes:
        fields = msgspec.msgpack.decode(good)
        fields.update(change)
        return msgspec.msgpack.encode(fields)

    return {
        "empty": b"",
        "truncated": good[:-5],
        "garbage": b"\x00\xff" * 100,
        "json": b'{"format": "threadtui.read"}',
        "other format": record(format="something.else"),
        "other thread": record(thread="0" * 32),
        "cut seen": record(seen=b"\x01" * 13),
        "nan time": record(saved=float("nan")),
        "wrong types": record(seen="not bytes", cursor="x"),
        "old version": record(version=0),
        "cursor place negative": record(cursor_at=-1),
        "cursor place not a number": record(cursor_at="3"),
    }


@pytest.mark.parametrize("case", list(damaged_files(Path("x"), "k")))
def test_damaged_file_is_named_ignored_and_replaced(folder: Path, case: str) -> None:
    thread = bluesky("a")
    state = visit(thread, folder, Clock())
    state.save()
    assert state.path is not None
    state.path.write_bytes(damaged_files(state.path, state.key)[case])
    again, warnings = open_state(thread, directory=folder, clock=Clock())
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{state.path}: read state damaged (")
    assert again.first_visit and again.new_count == 2
    again.mark_read(0)
    again.save()  # the damaged file is replaced by a good one
    assert visit(thread, folder, Clock()).new_count == 1


def test_state_path_that_is_a_directory_or_fifo_is_damage(folder: Path) -> None:
    thread = bluesky("a")
    state = visit(thread, folder, Clock())
    assert state.path is not None
    state.path.mkdir(parents=True)
    _, warnings = open_state(thread, directory=folder, clock=Clock())
    assert "cannot read the read state (Is a directory)" in warnings[0]
    state.path.rmdir()
    os.mkfifo(state.path)
    _, warnings = open_state(thread, directory=folder, clock=Clock())
    assert "named pipe" in warnings[0]


def test_newer_format_is_left_alone(folder: Path) -> None:
    thread = bluesky("a")
    state = visit(thread, folder, Clock())
    state.save()
    assert state.path is not None
    fields = msgspec.msgpack.decode(state.path.read_bytes())
    fields["version"] = 99
    newer = msgspec.msgpack.encode(fields)
    state.path.write_bytes(newer)
    again, warnings = open_state(thread, directory=folder, clock=Clock())
    assert warnings == [
        f"{state.path}: read state written by a newer threadtui (version 99):"
        " ignored and left as it is"
    ]
    again.mark_all_read()
    again.save()
    assert state.path.read_bytes() == newer


def test_unwritable_folder_fails_save_and_keeps_dirty(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    state, warnings = open_state(bluesky("a"), directory=blocker / "state", clock=Clock())
    assert warnings == [
        f"{state.path}: cannot read the read state (Not a directory):"
        " ignored, the thread opens as if new"
    ]
    state.mark_read(0)
    with pytest.raises(OSError):
        state.save()
    assert state.dirty


def test_full_disk_keeps_the_old_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    thread = bluesky("a", "b")
    state = visit(thread, folder, Clock())
    state.mark_read(0)
    state.save()
    assert state.path is not None
    before = state.path.read_bytes()

    def full(stream: Any, data: bytes) -> None:
        stream.write(data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("threadtui.atomicfile.write_all", full)
    state.mark_all_read()
    with pytest.raises(OSError, match="No space"):
        state.save()
    assert state.path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == [state.path.name]


def test_saves_merge_with_another_process(folder: Path) -> None:
    thread = bluesky("a", "b")
    app = visit(thread, folder, Clock())
    script = visit(thread, folder, Clock())
    app.mark_read(index_of(thread, "a"))
    script.mark_read(index_of(thread, "b"))
    script.save()
    app.save()  # last writer, yet the script's read post stays read
    later = visit(thread, folder, Clock())
    assert [thread.posts[i].id for i in later.new_posts()] == ["r"]


def test_ids_are_capped_oldest_first(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "MAX_IDS", 2)
    thread = bluesky("a", "b")
    state = visit(thread, folder, Clock())
    for name in ("r", "a", "b"):
        state.mark_read(index_of(thread, name))
    state.save()
    later = visit(thread, folder, Clock())
    assert [thread.posts[i].id for i in later.new_posts()] == ["r"]


def test_prune_removes_oldest_files_but_never_the_one_written(folder: Path) -> None:
    folder.mkdir()
    stranger = folder / "notes.txt"
    stranger.write_text("not ours")
    old = [folder / f"{i:032x}.read" for i in range(5)]
    for age, path in enumerate(old):
        path.write_bytes(b"x" * 100)
        os.utime(path, (1000 + age, 1000 + age))
    store.prune(folder, bound=10**9, files=3, keep=old[0])
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [stranger.name, old[0].name, old[3].name, old[4].name]
    )
    store.prune(folder, bound=150, keep=None)
    assert sorted(p.name for p in folder.iterdir()) == sorted([stranger.name, old[4].name])


def test_forget_and_forget_all_touch_only_state_files(folder: Path) -> None:
    one, two = bluesky("a"), load_document(doc(post("z"), source={"platform": "reddit"}))
    for thread in (one, two):
        state = visit(thread, folder, Clock())
        state.save()
    (folder / "keep.me").write_text("x")
    identity = thread_identity(one)
    assert identity is not None
    assert forget(store.state_path(thread_key(identity), folder))
    assert not forget(store.state_path(thread_key(identity), folder))
    assert forget_all(folder) == 1
    assert [p.name for p in folder.iterdir()] == ["keep.me"]
    assert forget_all(folder / "absent") == 0


# --- saving off the UI thread ---------------------------------------------------------------


def test_save_soon_writes_once_and_flush_writes_what_is_pending(folder: Path) -> None:
    thread = bluesky("a", "b")
    state = visit(thread, folder, Clock())
    done = threading.Event()
    original = state.save

    def save() -> None:
        original()
        done.set()

    state.save = save  # type: ignore[method-assign]  # a test double for saving
    state.mark_read(0)
    state.save_soon(delay=0.01)
    state.save_soon(delay=0.01)  # one pending is enough
    assert done.wait(30)
    assert visit(thread, folder, Clock()).new_count == 2
    state.mark_read(1)
    state.save_soon(delay=3600)  # never fires: flush writes it
    state.flush()
    assert not state.dirty
    assert visit(thread, folder, Clock()).new_count == 1


def test_save_soon_failure_goes_to_on_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    state, _ = open_state(bluesky("a"), directory=blocker / "state", clock=Clock())
    errors: list[str] = []
    got = threading.Event()
    state.on_error = lambda message: (errors.append(message), got.set())  # type: ignore[func-returns-value]  # the tuple is only to do two things in a lambda
    state.mark_read(0)
    state.save_soon(delay=0.01)
    assert got.wait(30)
    assert errors[0].startswith(f"{state.path}: cannot save what was read: ")


def test_reading_while_a_save_runs(folder: Path) -> None:
    thread = bluesky(*(f"p{i}" for i in range(2000)))
    state = visit(thread, folder, Clock())
    stop = threading.Event()

    def saver() -> None:
        while not stop.is_set():
            state.save()

    worker = threading.Thread(target=saver)
    worker.start()
    try:
        for i in range(len(thread.posts)):
            state.mark_read(i)
            state.cursor = i
    finally:
        stop.set()
        worker.join()
    state.save()
    assert visit(thread, folder, Clock()).new_count == 0


def test_id_hash_is_fixed() -> None:
    # Files written by one version are read by the next: the hash must never change.
    assert list(
        store.hash_ids(["abc", "bluesky:at://did:plc:x/app.bsky.feed.post/3k", "\ud800"])
    ) == [
        0xD8AEF480352441C2,
        store.hash_id("bluesky:at://did:plc:x/app.bsky.feed.post/3k"),
        store.hash_id("\ud800"),
    ]
    assert store.hash_id("abc") != store.hash_id("cba")
    assert len(set(store.hash_ids(f"x:{i}" for i in range(100_000)))) == 100_000


def test_state_loads_no_textual() -> None:
    import subprocess
    import sys

    code = "import sys, threadtui.state; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def test_marks_follow_a_thread_that_grew_before_rebind() -> None:
    """A post can be shown before the app hears the thread grew: it is read all the same."""
    from support import post, thread_doc
    from threadtui.model import load_document
    from threadtui.state import open_state

    thread = load_document(thread_doc([post("p1", 0, "one")]), name="t")
    state, _ = open_state(thread)
    thread.add([post("p2", 1, "two", reply_to="p1")])
    index = thread.by_id["p2"]
    assert state.is_new(index)
    assert state.mark_read(index)
    assert not state.is_unread(index)


# --- what opening costs (issue #15): counted, never timed ----------------------------------


class CountingHashes:
    """Wraps `store.hash_ids`: how many ids were hashed, in all."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.ids = 0
        real = store.hash_ids

        def counted(ids: Any) -> array[int]:
            ids = list(ids)
            self.ids += len(ids)
            return real(ids)

        monkeypatch.setattr(store, "hash_ids", counted)


def read_everything(thread: Thread, folder: Path, cursor: str) -> None:
    state = visit(thread, folder, Clock())
    state.mark_many(range(len(thread.posts) // 2))
    state.cursor = index_of(thread, cursor)
    state.save()


def test_opening_reads_the_file_and_finds_the_cursor_without_hashing_every_post(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = bluesky(*(f"p{i}" for i in range(200)))
    read_everything(thread, folder, "p150")
    hashes = CountingHashes(monkeypatch)
    state = visit(thread, folder, Clock())
    state.defer()
    assert state.cursor == index_of(thread, "p150")
    assert hashes.ids == 1  # the cursor's post, checked against the place the file keeps
    # Deferred: nothing is new yet, and what is shown meanwhile waits.
    assert not state.ready and state.new_count == 0 and not state.is_new(190)
    assert state.summary(UTC) == ""
    state.mark_read(index_of(thread, "p199"))
    assert hashes.ids == 1
    state.prepare()
    assert hashes.ids == 1 + len(thread.posts)
    assert state.is_new(index_of(thread, "p199"))  # new for this visit, though read now
    assert not state.is_unread(index_of(thread, "p199"))
    assert state.new_count == len(thread.posts) - 100


def test_a_cursor_whose_place_moved_is_found_by_post(folder: Path) -> None:
    thread = bluesky("a", "b", "c")
    read_everything(thread, folder, "c")
    # The same thread, its posts in another order: the place kept points at another post.
    moved = load_document(
        doc(
            post("r"),
            *(post(i, reply_to="r") for i in "cba"),
            source={"platform": "bluesky"},
            thread={"root": "r"},
        )
    )
    assert index_of(moved, "c") != index_of(thread, "c")
    state = visit(moved, folder, Clock())
    state.defer()
    assert state.cursor == index_of(moved, "c")


def test_older_files_without_the_cursor_place_still_give_the_cursor(folder: Path) -> None:
    thread = bluesky("a", "b")
    read_everything(thread, folder, "b")
    [path] = folder.iterdir()
    fields = msgspec.msgpack.decode(path.read_bytes())
    del fields["cursor_at"]
    path.write_bytes(msgspec.msgpack.encode(fields))
    assert visit(thread, folder, Clock()).cursor == index_of(thread, "b")


def test_reads_waiting_for_the_marks_are_saved_at_exit(folder: Path) -> None:
    thread = bluesky("a", "b", "c")
    visit(thread, folder, Clock()).save()
    state = visit(thread, folder, Clock())
    state.defer()
    state.mark_read(index_of(thread, "b"))
    assert state.dirty
    state.flush()  # the app quit before the worker prepared
    later = visit(thread, folder, Clock())
    assert not later.is_new(index_of(thread, "b")) and later.is_new(index_of(thread, "c"))


def test_preparing_while_the_ui_reads_flags(folder: Path) -> None:
    """The app's worker prepares while the UI thread asks for flags and marks posts read:
    no read is lost, whichever comes first."""
    thread = bluesky(*(f"p{i}" for i in range(300)))
    visit(thread, folder, Clock()).save()
    state = visit(thread, folder, Clock())
    state.defer()
    worker = threading.Thread(target=state.prepare)
    worker.start()
    for i in range(1, len(thread.posts)):
        state.is_new(i)
        state.mark_read(i)
    worker.join()
    assert all(not state.is_unread(i) for i in range(1, len(thread.posts)))


def test_rebind_of_the_grown_thread_hashes_only_what_arrived(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = bluesky(*(f"p{i}" for i in range(100)))
    read_everything(thread, folder, "p1")
    state = visit(thread, folder, Clock())
    state.prepare()
    hashes = CountingHashes(monkeypatch)
    thread.add(doc(*(post(f"q{i}", reply_to="p3") for i in range(5))))
    thread.add(doc(post("p1", text="edited")))  # a newer copy, in place
    assert state.rebind(thread) == 5
    assert hashes.ids == 5
    assert state.new_count == 51 + 5
    # As a visit to the grown thread would have it (what the whole-thread rebind gave).
    assert state.new_posts() == visit(thread, folder, Clock()).new_posts()


# --- worked out beside the UI (issue #16) -----------------------------------------------


def big_thread(n: int, *, missing: int = 0) -> Thread:
    """`n` replies to the root (and `missing` replies to posts the file lacks: placeholders)."""
    posts = [post("r")] + [post(f"p{k}", reply_to="r") for k in range(n)]
    posts += [post(f"o{k}", reply_to=f"gone{k}") for k in range(missing)]
    return load_document(doc(*posts, source={"platform": "bluesky"}, thread={"root": "r"}))


def test_what_prepare_grows_over_pauses_is_frozen(folder: Path) -> None:
    """The set of ids seen and the hashes grow over a worker's pauses with few containers
    made meanwhile: young all along, a young collection walked them whole (issue #16).
    Frozen while empty (`gcpolicy.lasting`), no collection walks them."""
    import gc

    thread = big_thread(60, missing=5)
    read_some(thread, folder, 3)
    state = visit(thread, folder, Clock(T0 + 60))
    state.defer()
    state.prepare(lambda: None)
    walked = {id(o) for generation in range(3) for o in gc.get_objects(generation)}
    for grown in (state._seen, state._hashes):
        assert len(grown) > 0 and gc.is_tracked(grown) and id(grown) not in walked


def read_some(thread: Thread, folder: Path, every: int) -> None:
    state = visit(thread, folder, Clock())
    for index in range(0, len(thread.posts), every):
        state.mark_read(index)
    state.save()


def test_prepared_in_steps_is_prepared_at_once(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker works the marks out in runs with a pause between (a long C call over a
    million posts held the GIL 166 ms): the same marks, the same count, the same order."""
    from threadtui.state import readstate

    monkeypatch.setattr(readstate, "RUN", 7)
    thread = big_thread(60, missing=5)
    read_some(thread, folder, 3)
    at_once = visit(thread, folder, Clock(T0 + 60))
    at_once.prepare()
    pauses: list[int] = []
    in_steps = visit(thread, folder, Clock(T0 + 60))
    in_steps.defer()
    in_steps.prepare(lambda: pauses.append(1))
    assert in_steps.ready
    assert in_steps.new_marks == at_once.new_marks
    assert 0 < in_steps.new_count == at_once.new_count < len(thread.posts)
    assert in_steps.new_posts() == at_once.new_posts()
    assert not any(in_steps.is_new(i) for i, p in enumerate(thread.posts) if p.synthetic)
    # A pause after each run of each pass: the seen ids, the hashes, the marks, the
    # placeholders (each over more than one run here).
    assert len(pauses) >= 3 * (len(thread.posts) // 7)


def test_a_post_read_while_the_marks_are_worked_out_is_kept(folder: Path) -> None:
    thread = big_thread(40)
    read_some(thread, folder, 2)
    state = visit(thread, folder, Clock(T0 + 60))
    state.defer()
    unread = next(i for i in range(len(thread.posts)) if i % 2)
    assert not state.is_new(unread)  # deferred: nothing is new until worked out

    def pause() -> None:
        state.mark_read(unread)  # the UI thread shows the post meanwhile

    state.prepare(pause)
    assert state.is_new(unread)  # new to this visit: marked for all of it
    assert not state.is_unread(unread)  # but read now, and remembered so


def test_steps_do_not_hold_the_lock_across_pauses(folder: Path) -> None:
    """`pacing.pause` waits for the builds' lane; a query worker holding the lane may wait
    for this lock (`is:new`): holding it across a pause would deadlock the two."""
    thread = big_thread(40)
    state = visit(thread, folder, Clock())
    state.defer()
    free: list[bool] = []

    def pause() -> None:
        def other() -> None:
            got = state._lock.acquire(timeout=5)
            free.append(got)
            if got:
                state._lock.release()

        worker = threading.Thread(target=other)
        worker.start()
        worker.join()

    state.prepare(pause)
    assert free and all(free)
    assert state.ready


def test_prepare_beside_ui_runs_as_a_build(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from threadtui import pacing

    thread = big_thread(10)
    state = visit(thread, folder, Clock())
    state.defer()
    running: list[bool] = []
    monkeypatch.setattr(pacing, "pause", lambda *a: running.append(pacing.running()))
    state.prepare_beside_ui()
    assert running and all(running)
    assert not pacing.running()
    assert state.ready and state.new_count == len(thread.posts)


def test_a_timed_save_waits_for_the_worker_working_the_marks_out(folder: Path) -> None:
    """The timer's save used to work every mark out itself, at once, under the lock the UI
    thread takes to note the cursor: a 0.45 s stall at a million posts (issue #16)."""
    thread = bluesky("a", "b")
    state = visit(thread, folder, Clock())
    state.defer()
    b = index_of(thread, "b")
    state.mark_read(b)  # queued: the marks are not worked out yet
    state.cursor = b
    state._timed_save()  # the timer fires before the worker is done
    assert not state.ready  # it did not work them out itself
    assert state.dirty
    assert not (folder).exists() or not any(folder.iterdir())
    state.prepare(lambda: None)  # the worker, done: it saves soon
    assert state._timer is not None
    state.flush()
    assert not state.dirty
    again = visit(thread, folder, Clock(T0 + 60))
    assert again.cursor == b
    assert [thread.posts[i].id for i in again.new_posts()] == ["r", "a"]
