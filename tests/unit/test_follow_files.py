"""The file watch (`--follow` on a file): a stat per look, a read only on change, only what
differs handed on; appends, rewrites, renames over the file, truncation, half-written
files (reported only when they stay so) and a vanishing file. The clock is the test's."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from support import post, thread_doc
from threadtui.follow.files import (
    Changed,
    FileWatch,
    Follower,
    Gone,
    Readable,
    Unreadable,
    signatures,
)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def write(path: Path, posts: list[dict[str, Any]], **meta: Any) -> None:
    data = json.dumps(thread_doc(posts, **meta)).encode()
    path.write_bytes(data)
    # Each write must read as a change even within one tick of a coarse clock.
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


def ids(event: Any) -> list[str]:
    assert isinstance(event, Changed) and event.document is not None
    return [p["id"] for p in event.document["posts"]]


P1 = post("p1", 0, "first")
P2 = post("p2", 1, "second", reply_to="p1")
P3 = post("p3", 2, "third", reply_to="p1")


def watch(path: Path, clock: Clock | None = None) -> FileWatch:
    w = FileWatch([os.fspath(path)], now=clock or Clock(), settle=5.0)
    assert w.poll() == []  # the first look reads what is shown: nothing to hand on
    return w


def test_nothing_happens_while_the_file_stays_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    write(path, [P1, P2])
    w = watch(path)
    reads: list[object] = []
    real = w.read
    w.read = lambda files: reads.append(files) or real(files)  # type: ignore[method-assign]
    for _ in range(3):
        assert w.poll() == []
    assert reads == []  # a stat per look, no read


def test_appended_posts_are_handed_on_alone_with_every_id(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    write(path, [P1, P2])
    w = watch(path)
    write(path, [P1, P2, P3])
    (event,) = w.poll()
    assert ids(event) == ["p3"]
    assert isinstance(event, Changed) and event.ids == {"p1", "p2", "p3"}
    assert w.poll() == []


def test_a_changed_post_is_handed_on_and_a_vanished_one_is_named_by_its_absence(
    tmp_path: Path,
) -> None:
    path = tmp_path / "t.json"
    write(path, [P1, P2, P3])
    w = watch(path)
    write(path, [P1, {**P2, "text": "second, edited"}])
    (event,) = w.poll()
    assert ids(event) == ["p2"]
    assert isinstance(event, Changed) and event.ids == {"p1", "p2"}


def test_written_again_the_same_hands_on_nothing(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    write(path, [P1, P2])
    w = watch(path)
    write(path, [P1, P2])
    (event,) = w.poll()
    assert isinstance(event, Changed) and event.document is None


def test_renamed_over_is_read_as_a_change(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    write(path, [P1])
    w = watch(path)
    other = tmp_path / "t.json.tmp"
    write(other, [P1, P2])
    os.replace(other, path)
    (event,) = w.poll()
    assert ids(event) == ["p2"]


def test_a_half_written_file_waits_and_is_reported_only_when_it_stays_so(
    tmp_path: Path,
) -> None:
    path = tmp_path / "t.json"
    write(path, [P1])
    clock = Clock()
    w = watch(path, clock)
    whole = json.dumps(thread_doc([P1, P2])).encode()
    path.write_bytes(whole[: len(whole) // 2])
    assert w.poll() == []
    clock.now = 4.0
    assert w.poll() == []
    # The writer finishes: read, no warning ever.
    path.write_bytes(whole)
    clock.now = 4.5
    (event,) = w.poll()
    assert ids(event) == ["p2"]
    # Cut off again and left so: reported once, after the settle time.
    path.write_bytes(whole[:10])
    clock.now = 10.0
    assert w.poll() == []
    clock.now = 15.0
    (bad,) = w.poll()
    assert isinstance(bad, Unreadable) and bad.name == os.fspath(path)
    assert bad.message
    clock.now = 30.0
    assert w.poll() == []
    write(path, [P1, P2, P3])
    back, event = w.poll()
    assert isinstance(back, Readable)
    assert ids(event) == ["p3"]


def test_truncated_to_nothing_is_a_writer_starting_over(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    write(path, [P1, P2])
    clock = Clock()
    w = watch(path, clock)
    path.write_bytes(b"")
    assert w.poll() == []
    write(path, [P3])
    (event,) = w.poll()
    assert ids(event) == ["p3"]
    assert isinstance(event, Changed) and event.ids == {"p3"}


def test_a_vanished_file_is_said_once_and_read_when_it_is_back(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    write(path, [P1, P2])
    w = watch(path)
    path.unlink()
    (gone,) = w.poll()
    assert isinstance(gone, Gone) and gone.name == os.fspath(path)
    assert w.poll() == []
    write(path, [P1, P2, P3])
    back, event = w.poll()
    assert isinstance(back, Readable)
    assert ids(event) == ["p3"]


def test_changed_between_opening_and_watching_hands_on_everything(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    write(path, [P1])
    before = signatures([os.fspath(path)])
    write(path, [P1, P2])
    w = FileWatch([os.fspath(path)], initial=before)
    (event,) = w.poll()
    assert ids(event) == ["p1", "p2"]


def test_a_story_text_appended_to_brings_its_new_posts(tmp_path: Path) -> None:
    from threadtui.opener import merge_data

    story = Path(__file__).parents[1] / "data"
    samples = sorted(story.rglob("*.txt"))
    text = next(
        (p.read_bytes() for p in samples if _reads_as_story(p.read_bytes(), merge_data)), None
    )
    assert text is not None, "no X story text among the test data"
    lines = text.splitlines(keepends=True)
    path = tmp_path / "story.txt"
    # Half the story first (cut at a line), then the rest appended.
    cut = len(lines) // 2
    while cut < len(lines) and not _reads_as_story(b"".join(lines[:cut]), merge_data):
        cut += 1
    path.write_bytes(b"".join(lines[:cut]))
    w = FileWatch([os.fspath(path)], settle=5.0, now=Clock())
    assert w.poll() == []
    first = len(w._delivered)
    with path.open("ab") as f:
        f.write(b"".join(lines[cut:]))
    events = w.poll()
    assert events and isinstance(events[-1], Changed)
    assert len(events[-1].ids) > first


def _reads_as_story(data: bytes, merge_data: Any) -> bool:
    from threadtui.model import ThreadFileError

    try:
        document, _ = merge_data([("s.txt", data)], source="x-story")
    except ThreadFileError:
        return False
    return len(document.get("posts") or ()) >= 2


def test_the_follower_thread_stops_when_asked(tmp_path: Path) -> None:
    import threading

    path = tmp_path / "t.json"
    write(path, [P1])
    got: list[object] = []
    follower = Follower(FileWatch([os.fspath(path)]), got.append, interval=0.01)
    thread = threading.Thread(target=follower.run)
    thread.start()
    follower.stop()
    thread.join(10)
    assert not thread.is_alive()
