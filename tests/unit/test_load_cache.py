"""The load cache (model/cache.py): a file opened again comes back exactly as it loaded,
and only while the file is the one it was built from; anything damaged, foreign or
crafted is refused with a warning."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest

from support import doc, post
from thread_state import thread_state
from threadtui.model import Post, Thread, ThreadFileError, cache, load_bytes
from threadtui.opener import open_data

DATA = Path(__file__).parents[1] / "data"


def _write_file(path: Path, document: dict[str, Any] | bytes) -> bytes:
    data = document if isinstance(document, bytes) else orjson.dumps(document)
    path.write_bytes(data)
    return data


def _cache(path: Path, folder: Path, thread: Thread | None = None, **kw: Any) -> Path:
    """Load `path` (unless given its thread) and write its entry; the entry's path."""
    before = cache.stamp(path)
    assert before is not None
    data = path.read_bytes()
    source = cache.Source(cache.entry_key(path), before, data)
    if thread is None:
        thread = open_data(data, str(path))
    written = cache.write(thread, source, directory=folder, **kw)
    assert written is not None
    return written


def _source(path: Path, data: bytes) -> cache.Source:
    """What a cache entry for `path` (just written with `data`) is checked against."""
    before = cache.stamp(path)
    assert before is not None
    return cache.Source(cache.entry_key(path), before, data)


def _read(path: Path, folder: Path) -> tuple[Thread | None, str | None]:
    return cache.read(path, cache.entry_key(path), name=str(path), directory=folder)


def _simple(text: str = "hello") -> dict[str, Any]:
    return doc(
        post("a", 0, text, author="u1"),
        post("b", 1, "reply\nwith two lines", author="u2", reply_to="a", quotes=["a"]),
        post("c", 2, "quotes an absent post", quotes=["zz"], metrics={"likes": 3}),
        authors={"u1": {"handle": "one", "display_name": "One 👩\u200d💻"}, "u2": {}},
        thread={"title": "T", "details": {"k": "v", "n": 3}},
        source={"platform": "test", "note": ["x", {"y": 1}]},
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def test_a_hit_gives_back_the_thread_as_loaded(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "t.json"
    data = _write_file(path, _simple())
    entry = _cache(path, folder)
    assert entry.parent == folder and entry.name.endswith(".cache")
    thread, warning = _read(path, folder)
    assert warning is None and thread is not None
    assert thread_state(thread) == thread_state(load_bytes(data, name=str(path)))
    # Each post's author is the thread's own object, counted once.
    assert thread.posts[0].author is thread.authors["u1"]
    assert thread.authors["u1"].post_count == 1


def _corpus() -> list[Path]:
    return sorted(p for p in DATA.rglob("*") if p.is_file() and p.suffix in (".json", ".txt"))


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: str(p.relative_to(DATA)))
def test_every_file_that_opens_comes_back_the_same(path: Path, tmp_path: Path) -> None:
    """The hostile corpus, the sources, the stories: whatever opens, the cache gives back
    unchanged (ids, texts and names cleaned once, warnings, placeholders, cycles broken)."""
    data = path.read_bytes()
    try:
        loaded = open_data(data, str(path))
    except (ThreadFileError, ValueError):
        pytest.skip("does not open")
    folder = tmp_path / "cache"
    source = _source(path, data)
    if cache.write(loaded, source, directory=folder) is None:
        assert not cache.cacheable(loaded)
        return
    thread, warning = _read(path, folder)
    assert warning is None and thread is not None
    assert thread_state(thread) == thread_state(open_data(data, str(path)))


def test_no_entry_is_a_quiet_miss(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "t.json"
    _write_file(path, _simple())
    assert _read(path, folder) == (None, None)


def test_a_changed_size_is_stale(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "t.json"
    _write_file(path, _simple())
    _cache(path, folder)
    _write_file(path, _simple("hello, and more"))
    assert _read(path, folder) == (None, None)


def test_a_changed_time_is_stale(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "t.json"
    _write_file(path, _simple())
    _cache(path, folder)
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000))
    assert _read(path, folder) == (None, None)


def test_the_same_size_and_time_with_other_bytes_is_stale(tmp_path: Path, folder: Path) -> None:
    """Only the hash tells these apart: same length, the time put back."""
    path = tmp_path / "t.json"
    _write_file(path, _simple("hello"))
    _cache(path, folder)
    info = path.stat()
    _write_file(path, _simple("HELLO"))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size
    assert _read(path, folder) == (None, None)


def test_other_options_are_another_entry(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "t.json"
    _write_file(path, _simple())
    _cache(path, folder)
    other = cache.entry_key(path, "reddit\0")
    assert cache.read(path, other, name="t", directory=folder) == (None, None)


def test_another_reader_is_a_quiet_miss(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry holds what one version of the loading code made of the file: a threadtui
    whose model or importers changed reads the file again rather than trust it."""
    path = tmp_path / "t.json"
    _write_file(path, _simple())
    _cache(path, folder)
    assert _read(path, folder)[0] is not None
    monkeypatch.setattr(cache, "reader_stamp", lambda: "another reader")
    assert _read(path, folder) == (None, None)


def test_the_reader_stamp_follows_the_loading_code(tmp_path: Path) -> None:
    package = tmp_path / "model"
    package.mkdir()
    module = package / "load.py"
    module.write_text("rules = 1\n")
    (package / "notes.txt").write_text("not code")
    stamp = cache.code_stamp("1.0", [package])
    assert cache.code_stamp("1.0", [package]) == stamp
    assert cache.code_stamp("1.1", [package]) != stamp
    (package / "notes.txt").write_text("still not code")
    assert cache.code_stamp("1.0", [package]) == stamp
    info = module.stat()
    os.utime(module, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    assert cache.code_stamp("1.0", [package]) != stamp
    module.write_text("rules = 22\n")
    assert cache.code_stamp("1.0", [package]) != stamp
    assert cache.code_stamp("1.0", [package, tmp_path / "absent"]) == cache.code_stamp(
        "1.0", [package]
    )


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: str(p.relative_to(DATA)))
def test_the_body_written_field_by_field_is_msgspecs_own_encoding(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer encodes an entry's body a field at a time (one call held the GIL for a
    quarter of a second at a million posts): the bytes must be those of encoding the
    whole struct at once, which is what the reader decodes."""
    data = path.read_bytes()
    try:
        loaded = open_data(data, str(path))
    except (ThreadFileError, ValueError):
        pytest.skip("does not open")
    paused: list[int] = []
    entry = cache.write(
        loaded, _source(path, data), directory=tmp_path / "c", pause=lambda: paused.append(1)
    )
    if entry is None:
        pytest.skip("not cacheable")
    _, body = _split(entry)
    decoded = msgspec.msgpack.decode(body, type=cache._Body)
    assert msgspec.msgpack.encode(decoded) == body
    assert b"".join(cache._body_pieces(decoded, None)) == body
    # A pause after each run of posts checked (`cacheable`), each run of authors, each
    # chunk of posts and each field of the body.
    runs = -(-len(loaded.posts) // cache._SCAN) + -(-len(loaded.authors) // cache._SCAN)
    assert len(paused) == runs + len(decoded.chunks) + len(cache._Body.__struct_fields__)
    # Long lists (the tree order, the authors) are encoded a run at a time: the same bytes.
    monkeypatch.setattr(cache, "_CHUNK", 2)
    assert b"".join(cache._body_pieces(decoded, None)) == body


def test_the_writer_pauses_after_every_bounded_run_of_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between two pauses the writer handles at most `_SCAN` posts or authors, or
    `_CHUNK` posts' rows (at a million posts, one stretch without a pause was a pause of
    the UI's keys), and pausing changes no byte of the entry."""
    posts = [post("p0", 0, "root", author="u0", metrics={"likes": 1})]
    posts += [
        post(f"p{n}", n, "reply", author=f"u{n % 5}", reply_to="p0", metrics={"likes": 1})
        for n in range(1, 11)
    ]
    document = doc(*posts, authors={f"u{k}": {"handle": f"h{k}"} for k in range(5)})
    path = tmp_path / "t.json"
    data = _write_file(path, document)
    thread = open_data(data, str(path))
    monkeypatch.setattr(cache, "_SCAN", 3)
    monkeypatch.setattr(cache, "_CHUNK", 4)
    whole = cache.encode(thread, _source(path, data), b"k" * 32)
    work: list[str] = []
    unknown_metrics = Post.unknown_metrics

    def checked(self: Post) -> object:
        work.append("post")
        return unknown_metrics.fget(self)  # type: ignore[attr-defined]

    real_author = cache._Author
    real_post = cache._Post

    def author(*args: object) -> object:
        work.append("author")
        return real_author(*args)

    def row(*args: object) -> object:
        work.append("row")
        return real_post(*args)

    monkeypatch.setattr(Post, "unknown_metrics", property(checked))
    monkeypatch.setattr(cache, "_Author", author)
    monkeypatch.setattr(cache, "_Post", row)
    for p in thread.posts:
        # As a file read by the checking path holds them: JSON until first read.
        p.raw_metrics = {"likes": 1}
    assert cache.cacheable(thread, pause=lambda: work.append("pause"))
    paused = cache.encode(
        thread, _source(path, data), b"k" * 32, pause=lambda: work.append("pause")
    )
    assert paused == whole
    stretches = "".join("|" if w == "pause" else w[0] for w in work).split("|")
    assert max(map(len, stretches)) <= 4
    assert {"p", "a", "r"} <= set("".join(stretches))


def _entry(tmp_path: Path, folder: Path) -> tuple[Path, Path]:
    path = tmp_path / "t.json"
    _write_file(path, _simple())
    return path, _cache(path, folder)


def _refused(path: Path, folder: Path, reason: str) -> None:
    thread, warning = _read(path, folder)
    assert thread is None
    assert warning is not None and reason in warning and "\n" not in warning
    assert warning.startswith("the cached copy of this file (")


def test_a_damaged_byte_is_refused_with_a_warning(tmp_path: Path, folder: Path) -> None:
    path, entry = _entry(tmp_path, folder)
    data = bytearray(entry.read_bytes())
    data[-20] ^= 0x40
    entry.write_bytes(bytes(data))
    _refused(path, folder, "damaged, cut short, or not written by this threadtui")


def test_a_truncated_entry_is_refused(tmp_path: Path, folder: Path) -> None:
    path, entry = _entry(tmp_path, folder)
    data = entry.read_bytes()
    for cut in (len(data) - 1, len(data) // 2, len(cache.MAGIC) + 2, 3):
        entry.write_bytes(data[:cut])
        thread, warning = _read(path, folder)
        assert thread is None and warning is not None, cut


def test_not_a_cache_file_is_refused(tmp_path: Path, folder: Path) -> None:
    path, entry = _entry(tmp_path, folder)
    entry.write_bytes(b"\x00" * 100)
    _refused(path, folder, "not a threadtui cache file")


def _split(entry: Path) -> tuple[cache._Header, bytes]:
    data = entry.read_bytes()
    start = len(cache.MAGIC)
    (length,) = cache._LENGTH.unpack(data[start : start + 4])
    header = msgspec.msgpack.decode(data[start + 4 : start + 4 + length], type=cache._Header)
    return header, data[start + 4 + length :]


def _join(entry: Path, header: cache._Header, body: bytes, secret: bytes | None) -> None:
    """Write an entry; with `secret`, its MAC made as the writer makes it."""
    if secret is not None:
        header = msgspec.structs.replace(header, body_size=len(body))
        header.mac = cache._mac(secret, cache._mac_input(header), body)
    raw = msgspec.msgpack.encode(header)
    entry.write_bytes(cache.MAGIC + cache._LENGTH.pack(len(raw)) + raw + body)


def _own_secret(folder: Path) -> bytes:
    secret = cache._secret(folder, create=False)
    assert secret is not None
    return secret


def _rewrite_header(entry: Path, *, remac: bool = True, **changes: Any) -> None:
    header, body = _split(entry)
    header = msgspec.structs.replace(header, **changes)
    _join(entry, header, body, _own_secret(entry.parent) if remac else None)


def test_another_format_version_is_refused_and_named(tmp_path: Path, folder: Path) -> None:
    path, entry = _entry(tmp_path, folder)
    _rewrite_header(entry, version=cache.VERSION + 1)
    _refused(path, folder, f"format version {cache.VERSION + 1}")


def test_a_body_that_does_not_decode_is_refused(tmp_path: Path, folder: Path) -> None:
    """Even with a good MAC (the writer's own mistake): types are checked in C."""
    path, entry = _entry(tmp_path, folder)
    header, _ = _split(entry)
    _join(entry, header, msgspec.msgpack.encode(["not", "a", "thread"]), _own_secret(folder))
    _refused(path, folder, "does not decode")


def test_a_changed_header_field_is_refused(tmp_path: Path, folder: Path) -> None:
    """The MAC covers the header: an entry cannot be moved onto another file's stamp."""
    _, entry = _entry(tmp_path, folder)
    _, body = _split(entry)
    other = tmp_path / "other.json"
    _write_file(other, _simple("other"))
    _cache(other, folder)
    other_entry = cache.entry_path(cache.entry_key(other), folder)
    other_header, _ = _split(other_entry)
    # The other file's (authentic) header on this entry's body.
    _join(other_entry, msgspec.structs.replace(other_header, body_size=len(body)), body, None)
    _refused(other, folder, "not written by this threadtui")


def test_an_entry_is_rebuilt_after_a_refusal(tmp_path: Path, folder: Path) -> None:
    path, entry = _entry(tmp_path, folder)
    entry.write_bytes(b"junk")
    assert _read(path, folder)[1] is not None
    _cache(path, folder)
    assert _read(path, folder)[0] is not None


# --- crafted entries: only this program's writer makes an entry that is used ------------


def _crafted(tmp_path: Path, folder: Path, change: Any, *, secret: bytes | None) -> Path:
    """An entry for a thread changed after loading, with the right stamp and hash, written
    with `secret` as its key (None: the folder's own, as the writer does)."""
    path = tmp_path / "t.json"
    data = _write_file(path, _simple())
    thread = load_bytes(data, name=str(path))
    change(thread)
    if secret is None:
        _cache(path, folder, thread)
        return path
    source = _source(path, data)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    entry = cache.entry_path(source.key, folder)
    entry.write_bytes(cache.encode(thread, source, secret))
    return path


_HOSTILE = [
    lambda t: setattr(t.posts[0], "text", "evil \x1b]52;c;aGk=\x07 text"),
    lambda t: setattr(t.posts[1], "text", "bidi \u202e reversed\nsecond line"),
    lambda t: setattr(t.posts[0], "id", "a\x1b[2J"),
    lambda t: setattr(t.authors["u1"], "display_name", "One\x1b[31m"),
    # A cycle: a walk of the tree would never end.
    lambda t: (setattr(t.posts[0], "parent", 1), setattr(t.posts[1], "children", [0])),
]


@pytest.mark.parametrize("change", _HOSTILE, ids=["osc52", "bidi", "id", "name", "cycle"])
@pytest.mark.parametrize("has_key", [True, False], ids=["folder-has-key", "no-key"])
def test_an_entry_crafted_without_the_key_is_refused(
    tmp_path: Path, folder: Path, change: Any, has_key: bool
) -> None:
    if has_key:
        folder.mkdir(parents=True, mode=0o700)
        cache._secret(folder, create=True)
    path = _crafted(tmp_path, folder, change, secret=b"k" * 32)
    _refused(path, folder, "not written by this threadtui")


def test_a_key_others_can_read_is_not_used(tmp_path: Path, folder: Path) -> None:
    path, _ = _entry(tmp_path, folder)
    (folder / "key").chmod(0o644)
    _refused(path, folder, "is not the user's alone")
    with pytest.raises(OSError, match="not safe to use"):
        _cache(path, folder)


def test_a_folder_others_can_write_is_not_used(tmp_path: Path, folder: Path) -> None:
    path, _ = _entry(tmp_path, folder)
    folder.chmod(0o777)
    try:
        _refused(path, folder, "others can write in")
    finally:
        folder.chmod(0o700)


def test_a_damaged_key_is_refused(tmp_path: Path, folder: Path) -> None:
    path, _ = _entry(tmp_path, folder)
    (folder / "key").write_bytes(b"short")
    _refused(path, folder, "is damaged")


def test_processes_making_the_key_at_once_share_one(tmp_path: Path, folder: Path) -> None:
    folder.mkdir(mode=0o700)
    made: list[bytes | None] = []
    threads = [
        threading.Thread(target=lambda: made.append(cache._secret(folder, create=True)))
        for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 8 and len(set(made)) == 1 and made[0] is not None
    assert sorted(p.name for p in folder.iterdir()) == ["key"]


def test_free_form_parts_of_a_crafted_entry_are_cleaned(tmp_path: Path, folder: Path) -> None:
    def change(thread: Thread) -> None:
        thread.title = "title \x1b[31m"
        thread.source = {"note\x1b": "bell \x07"}
        thread.posts[0].extra = {"k": "\x1b]0;x\x07"}
        thread.warnings.append("warning \x1b[2J")

    path = _crafted(tmp_path, folder, change, secret=None)
    thread, warning = _read(path, folder)
    assert warning is None and thread is not None
    shown = repr([thread.title, thread.source, thread.posts[0].extra, thread.warnings])
    assert "\\x1b" not in shown and "\\x07" not in shown


def _first_post(body: cache._Body, **changes: Any) -> None:
    chunk = msgspec.msgpack.decode(body.chunks[0], type=list[cache._Post])
    chunk[0] = msgspec.structs.replace(chunk[0], **changes)
    body.chunks[0] = msgspec.Raw(msgspec.msgpack.encode(chunk))


def _rewrite_body(entry: Path, change: Any) -> None:
    """Decode an entry's body, change it, and write it back with its MAC made anew (as
    if the writer itself had written it so)."""
    header, body = _split(entry)
    decoded = msgspec.msgpack.decode(body, type=cache._Body)
    change(decoded)
    _join(entry, header, msgspec.msgpack.encode(decoded), _own_secret(entry.parent))


@pytest.mark.parametrize(
    "change",
    [
        lambda b: _first_post(b, author=99),
        lambda b: _first_post(b, author=-99),
        lambda b: b.authors.append(b.authors[0]),
        lambda b: setattr(b, "extras", '{"99": {"k": 1}}'),
        lambda b: setattr(b, "extras", '{"0": "not an object"}'),
        lambda b: setattr(b, "free", "[1, 2]"),
        lambda b: setattr(b, "free", "{not json"),
    ],
    ids=[
        "author-range",
        "author-negative",
        "author-twice",
        "extras-range",
        "extras-type",
        "free-shape",
        "free-json",
    ],
)
def test_a_body_the_writer_cannot_have_written_is_refused(
    tmp_path: Path, folder: Path, change: Any
) -> None:
    path, entry = _entry(tmp_path, folder)
    _rewrite_body(entry, change)
    thread, warning = _read(path, folder)
    assert thread is None and warning is not None


def test_a_body_written_back_unchanged_is_taken(tmp_path: Path, folder: Path) -> None:
    """The helper above changes nothing by itself: the refusals are the changes'."""
    path, entry = _entry(tmp_path, folder)
    _rewrite_body(entry, lambda b: None)
    assert _read(path, folder)[0] is not None


# --- bounds, writers, folders --------------------------------------------------------------


def _many(tmp_path: Path, folder: Path, count: int) -> list[Path]:
    files = []
    for i in range(count):
        path = tmp_path / f"t{i}.json"
        _write_file(path, _simple("x" * 2000 + str(i)))
        files.append(path)
    return files


def test_the_folder_stays_within_its_bound_least_recently_used_first(
    tmp_path: Path, folder: Path
) -> None:
    files = _many(tmp_path, folder, 4)
    entries = [_cache(path, folder) for path in files[:3]]
    size = entries[0].stat().st_size
    # Make the order of use explicit (file times can tie on a fast machine).
    for age, entry in enumerate(entries):
        os.utime(entry, (1_000_000 + age, 1_000_000 + age))
    # Using the oldest makes it the most recently used.
    assert _read(files[0], folder)[0] is not None
    _cache(files[3], folder, bound=3 * size + size // 2)
    left = {p.name for p in folder.iterdir()} - {"key"}
    assert cache.entry_path(cache.entry_key(files[1]), folder).name not in left
    assert cache.entry_path(cache.entry_key(files[0]), folder).name in left
    assert cache.entry_path(cache.entry_key(files[3]), folder).name in left
    assert len(left) == 3


def test_an_entry_larger_than_the_bound_is_not_written(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "t.json"
    data = _write_file(path, _simple())
    source = _source(path, data)
    assert cache.write(open_data(data, "t"), source, directory=folder, bound=100) is None
    assert not list(folder.glob("*.cache"))


def test_an_unwritable_folder_raises_oserror(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    path = tmp_path / "t.json"
    data = _write_file(path, _simple())
    source = _source(path, data)
    with pytest.raises(OSError):
        cache.write(open_data(data, "t"), source, directory=blocker / "cache")
    # Reading from it is a quiet miss.
    assert cache.read(path, source.key, name="t", directory=blocker / "cache") == (None, None)


def test_the_writer_thread_reports_a_failure_as_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    path = tmp_path / "t.json"
    data = _write_file(path, _simple())
    source = _source(path, data)
    said: list[str] = []
    cache.write_later(open_data(data, "t"), source, bound=10**9, on_error=said.append).join()
    assert len(said) == 1 and said[0].startswith("could not cache this file")


def test_concurrent_writers_leave_one_whole_entry(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "t.json"
    data = _write_file(path, _simple())
    before = cache.stamp(path)
    assert before is not None
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(5):
                source = cache.Source(cache.entry_key(path), before, data)
                cache.write(open_data(data, "t"), source, directory=folder)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [cache.entry_path(cache.entry_key(path), folder).name, "key"]
    )
    thread, warning = _read(path, folder)
    assert warning is None and thread is not None


def test_forget_removes_one_entry_and_forget_all_every_one(tmp_path: Path, folder: Path) -> None:
    files = _many(tmp_path, folder, 3)
    for path in files:
        _cache(path, folder)
    (folder / "unrelated.txt").write_text("kept")
    assert cache.forget(cache.entry_key(files[0]), folder)
    assert not cache.forget(cache.entry_key(files[0]), folder)
    assert cache.forget_all(folder) == 2
    assert sorted(p.name for p in folder.iterdir()) == ["key", "unrelated.txt"]


def test_metrics_the_format_does_not_define_are_not_cached(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "t.json"
    data = _write_file(path, doc(post("a", 0, "x", metrics={"likes": 1, "zaps": 2})))
    thread = open_data(data, "t")
    assert not cache.cacheable(thread)
    source = _source(path, data)
    assert cache.write(thread, source, directory=folder) is None


def test_prune_removes_what_a_dead_writer_left_and_nothing_else(
    tmp_path: Path, folder: Path
) -> None:
    _, entry = _entry(tmp_path, folder)
    old = folder / f".{entry.name}.x1y2z3.tmp"
    fresh = folder / f".{entry.name}.a1b2c3.tmp"
    stranger = folder / ".notes.tmp"
    for leftover in (old, fresh, stranger):
        leftover.write_bytes(b"partial")
    os.utime(old, (1_000_000, 1_000_000))
    os.utime(stranger, (1_000_000, 1_000_000))
    cache.prune(10**9, folder)
    assert not old.exists()
    assert fresh.exists() and stranger.exists() and entry.exists()


def _no_home(cls: type[Path]) -> Path:
    raise RuntimeError("no home")


def test_the_writer_thread_reports_any_failure_as_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No home directory (Path.home() raises RuntimeError): one line, not a traceback
    printed over the app's screen by the thread's excepthook."""
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(Path, "home", classmethod(_no_home))
    path = tmp_path / "t.json"
    data = _write_file(path, _simple())
    source = _source(path, data)
    said: list[str] = []
    hooked: list[Any] = []
    monkeypatch.setattr(threading, "excepthook", hooked.append)
    cache.write_later(open_data(data, "t"), source, bound=10**9, on_error=said.append).join()
    assert hooked == []
    assert said == ["could not cache this file for a faster next opening: no home"]
