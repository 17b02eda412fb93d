"""`threadtui URL --print`, `threadtui import URL`, the cache, and every failure as one
line with exit 2, against the loopback server."""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

import fetch_responses as r
from fetch_server import FetchServer, Reply
from fetch_support import point_apis_at
from threadtui.cli import (
    LOAD_CACHE_MIN_BYTES,
    ProgressBar,
    ProgressLines,
    _Cached,
    main,
    open_url_for_app,
)
from threadtui.config import Settings
from threadtui.fetch import cache
from threadtui.fetch.options import Limits
from threadtui.fetch.progress import Progress
from threadtui.fetch.urls import recognise
from threadtui.model import Thread, load_bytes
from threadtui.model import cache as load_cache

URL = "https://news.ycombinator.com/item?id=1"


@pytest.fixture
def api(fetch_server: FetchServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FetchServer:
    point_apis_at(fetch_server, monkeypatch, tmp_path)
    fetch_server.add("/api/v1/items/1", r.algolia_story("A story", "first reply"))
    return fetch_server


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_print_a_url(api: FetchServer, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, URL, "--print")
    assert status == 0
    assert "first reply" in out and "A story" in out
    assert "threadtui: 2 posts, 1 requests: thread received" in err


def test_import_a_url_writes_the_thread_and_says_nothing_off_a_terminal(
    api: FetchServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_file = tmp_path / "thread.json"
    status, out, err = run(capsys, "import", URL, "-o", str(out_file))
    assert (status, out, err) == (0, "", "")
    thread = load_bytes(out_file.read_bytes(), name="thread.json")
    assert [p.id for p in thread.posts] == ["hackernews:1", "hackernews:2"]
    assert thread.source["fetch"]["anchor"] == "hackernews:1"
    assert thread.source["fetch"]["url"] == URL


def test_reopening_comes_from_the_cache_and_says_how_old(
    api: FetchServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, URL, "--print")[0] == 0
    path = cache.entry_path(recognise(URL))
    three_hours = time.time() - 3 * 3600
    os.utime(path, (three_hours, three_hours))
    api.reset()  # nothing served now: a request would fail
    status, out, err = run(capsys, URL, "--print")
    assert status == 0 and "first reply" in out
    assert "opened from the cache, fetched 3 hours ago (--refresh fetches anew)" in err
    assert api.requests() == []


def test_reopening_from_the_cache_loads_no_http_stack(
    api: FetchServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """What the app does with a cached URL (cli.open_url_for_app) costs what opening the
    saved file costs (issue #12, Measures): no HTTP library, and none of the fetch layer
    beyond finding the entry (the client, the runner, their asyncio and plumbing), for it.
    The load cache's hit included: it must not need them either."""
    import subprocess
    import sys

    _big_story(api, "the first ending")
    assert run(capsys, URL, "--print")[0] == 0
    code = (
        "import sys, argparse\n"
        "from threadtui.cli import open_url_for_app\n"
        "from threadtui.config import Settings\n"
        "args = argparse.Namespace(refresh=False, offline=True, max_posts=None,\n"
        "                          no_cache=False, forget=False)\n"
        "thread, name, live, cached = open_url_for_app(args, sys.argv[1], [], Settings())\n"
        "assert not live.fetch_on_start and len(thread.posts) == 2\n"
        "live.start_fetch(thread)  # what cli does next: nothing to fetch\n"
        "if cached is not None and cached.source is not None:\n"
        "    from threadtui.model import cache\n"
        "    assert cache.write(thread, cached.source, bound=cached.bound) is not None\n"
        "print(cached is not None and cached.source is None)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in sys.argv[2:]\n"
        "             or m in sys.argv[2:]))\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    forbidden = [
        *("httpx", "httpcore", "h11", "anyio", "email"),
        *(f"threadtui.fetch.{name}" for name in ("client", "run", "base", "progress", "live")),
        # No --max-posts: the options are the defaults, built only if the app refreshes.
        "threadtui.fetch.options",
    ]
    hits = []
    for _ in range(2):  # the entry parsed (its load-cache copy written), then the copy read
        proc = subprocess.run(
            [sys.executable, "-c", code, URL, *forbidden],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        hit, modules = proc.stdout.splitlines()
        assert modules == "[]"
        hits.append(hit)
    assert hits == ["False", "True"]


def test_finding_a_url_in_the_cache_builds_nothing_at_import(
    api: FetchServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """What a URL from the cache imports that the saved file does not (fetch.urls,
    .cache, .errors) compiles no pattern, no annotation and no dataclass at import, and
    no NamedTuple but the URL's `Target`: only the patterns of the URL's own platform,
    when they are matched (issue #12: they were 0.65 ms of every such opening, where the
    whole excess was about 2 ms; the entry's name pattern, `Entry` and `Hit` 0.3 ms more)."""
    import subprocess
    import sys

    _big_story(api, "the first ending")
    assert run(capsys, URL, "--print")[0] == 0
    code = (
        "import argparse, collections, dataclasses, json, re, sys, typing\n"
        "from threadtui.cli import open_url_for_app\n"
        "from threadtui.config import Settings\n"
        "import threadtui.model.cache, threadtui.opener  # the file's opening imports them\n"
        "compiled, forward, dataclassed, tupled = [], [], [], []\n"
        "compile_, init, process = re._compile, typing.ForwardRef.__init__, "
        "dataclasses._process_class\n"
        "namedtuple = collections.namedtuple\n"
        "def spy_namedtuple(name, *args, **kwargs):\n"
        "    tupled.append(name)\n"
        "    return namedtuple(name, *args, **kwargs)\n"
        "collections.namedtuple = spy_namedtuple\n"
        "def spy_compile(pattern, flags):\n"
        "    compiled.append(str(pattern))\n"
        "    return compile_(pattern, flags)\n"
        "def spy_init(self, *args, **kwargs):\n"
        "    forward.append(args[0])\n"
        "    init(self, *args, **kwargs)\n"
        "def spy_process(cls, *args, **kwargs):\n"
        "    dataclassed.append(cls.__module__ + '.' + cls.__name__)\n"
        "    return process(cls, *args, **kwargs)\n"
        "re._compile, typing.ForwardRef.__init__ = spy_compile, spy_init\n"
        "dataclasses._process_class = spy_process\n"
        "args = argparse.Namespace(refresh=False, offline=True, max_posts=None,\n"
        "                          no_cache=False, forget=False)\n"
        "thread, name, live, cached = open_url_for_app(args, sys.argv[1], [], Settings())\n"
        "assert not live.fetch_on_start and len(thread.posts) == 2\n"
        "from threadtui.fetch import cache, urls\n"
        "print(json.dumps([sorted(set(compiled) - {urls._DIGITS}),\n"
        "                  forward, [d for d in dataclassed if 'threadtui.fetch' in d],\n"
        "                  tupled]))\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-c", code, URL], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    # A Hacker News URL: its id's pattern is all that is compiled; the URL's Target is the
    # one NamedTuple (fetch.urls, which the fetchers share).
    assert json.loads(proc.stdout) == [[], [], [], ["Target"]]


def test_offline_uses_the_cache_or_says_it_cannot(
    api: FetchServer, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, URL, "--print", "--offline")
    assert status == 2 and out == ""
    assert err == f"threadtui: {URL}: not in the cache, and --offline forbids fetching it\n"
    assert api.requests() == []
    run(capsys, URL, "--print")
    api.reset()
    status, out, _ = run(capsys, URL, "--print", "--offline")
    assert status == 0 and "first reply" in out
    assert api.requests() == []


@given(st.text(max_size=40))
@hypothesis_settings(max_examples=300, deadline=None)
def test_an_entry_is_named_as_the_pattern_named_it(key: str) -> None:
    """The entry's readable name, built without a pattern (compiling it was a cost of every
    URL's opening from the cache), is the one the pattern built: entries already cached
    keep their names."""
    target = recognise(URL)._replace(post=key)
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", key).strip("._")[:80] or "post"
    assert cache.entry_path(target).name.rpartition("-")[0] == readable


@pytest.mark.parametrize(("max_posts", "limit"), [(None, None), (50, 50)])
def test_a_url_from_the_cache_keeps_only_the_options_a_refresh_needs(
    api: FetchServer, capsys: pytest.CaptureFixture[str], max_posts: int | None, limit: int | None
) -> None:
    """Opened from the cache, the app gets the fetch's options only for a refresh: none
    (the defaults, built by the app if it refreshes) unless --max-posts says otherwise,
    which a refresh must honour; --offline never stops a refresh the user asks for."""
    assert run(capsys, URL, "--print")[0] == 0
    args = argparse.Namespace(
        refresh=False, offline=True, max_posts=max_posts, no_cache=False, forget=False
    )
    _, _, live, _ = open_url_for_app(args, URL, [], Settings())
    assert not live.fetch_on_start
    options = live.app_arguments()["fetch_options"]
    assert (None if options is None else options.limits.max_posts) == limit
    # Missed (here: --refresh), the fetch starts with them whole.
    args.refresh, args.offline = True, False
    _, _, live, _ = open_url_for_app(args, URL, [], Settings())
    assert live.fetch_on_start and live.options is not None and live.options.refresh
    assert live.options.limits.max_posts == (limit or Limits().max_posts)


def test_refresh_fetches_anew(api: FetchServer, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, URL, "--print")
    run(capsys, URL, "--print", "--refresh")
    assert len(api.requests("/api/v1/items/1")) == 2


def test_a_damaged_cache_entry_is_ignored_with_a_warning(
    api: FetchServer, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, URL, "--print")
    path = cache.entry_path(recognise(URL))
    path.write_bytes(b'{"schema": "threadtui.thread", "schema_version": 1, "posts": [')
    status, out, err = run(capsys, URL, "--print")
    assert status == 0 and "first reply" in out
    assert f"the cached copy {path} is damaged" in err
    assert len(api.requests("/api/v1/items/1")) == 2
    load_bytes(path.read_bytes(), name="entry")  # rewritten whole


def test_cache_writes_are_atomic_and_the_cache_is_bounded(tmp_path: Path) -> None:
    targets = [recognise(f"https://news.ycombinator.com/item?id={n}") for n in range(5)]
    for number, target in enumerate(targets):
        cache.write(target, b"x" * 1000, bound=3500)
        stamp = 1_000_000 + number
        os.utime(cache.entry_path(target), (stamp, stamp))
    left = sorted(p.name for p in (cache.cache_dir() / "hackernews").iterdir())
    assert left == sorted(cache.entry_path(t).name for t in targets[2:])
    assert not [p for p in cache.cache_dir().rglob(".*")]


@pytest.mark.parametrize("planted", ["symlink", "fifo"])
def test_a_cache_write_replaces_whatever_is_at_the_entry(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, planted: str
) -> None:
    """Why cache.write keeps its own temp+rename rather than atomicfile's
    write_file_atomically: that one writes through a symlink to its target and into a
    FIFO or device (right for `import -o`, where the user names the file); an entry of the
    cache is threadtui's own, so whatever sits at its name is replaced, privately (0600)."""
    import stat
    import threading

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    target = recognise(URL)
    path = cache.entry_path(target)
    path.parent.mkdir(parents=True)
    outside = tmp_path / "outside.json"
    outside.write_bytes(b"mine")
    if planted == "symlink":
        path.symlink_to(outside)
    else:
        os.mkfifo(path)
    # A write into a FIFO would wait for a reader forever: run it where it cannot hang us.
    done = threading.Event()
    threading.Thread(target=lambda: (cache.write(target, b"{}"), done.set()), daemon=True).start()
    assert done.wait(30), "cache.write blocked on what was at the entry's name"
    info = path.lstat()
    assert stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o600
    assert path.read_bytes() == b"{}"
    assert outside.read_bytes() == b"mine"


def test_the_cache_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "threadtui"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # the spec says: ignore it
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "threadtui"


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(404), "has no item 1 (deleted, or it never existed)"),
        (Reply(body=b"<html>"), "that is not JSON, as its API documents"),
    ],
)
def test_failures_are_one_line_and_exit_2(
    api: FetchServer, capsys: pytest.CaptureFixture[str], reply: Reply, message: str
) -> None:
    api.reset()
    api.add("/api/v1/items/1", reply)
    api.add("/v0/item/1.json", reply)
    status, out, err = run(capsys, URL, "--print")
    assert status == 2 and out == ""
    last = err.splitlines()[-1]
    assert last.startswith("threadtui: ") and message in last
    assert "Traceback" not in err


def test_nothing_listening_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    status, _, err = run(capsys, f"http://127.0.0.1:{port}/@a/5", "--print", "--max-posts", "5")
    assert status == 2
    assert err.splitlines()[-1] == (
        f"threadtui: 127.0.0.1:{port} refused the connection; check the address, or try again later"
    )


def test_x_without_a_token(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "https://x.com/carol/status/20", "--print")
    assert status == 2
    assert err.startswith("threadtui: X offers no anonymous API") and err.count("\n") == 1


def test_a_partial_fetch_opens_and_says_what_is_missing(
    fetch_server: FetchServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    point_apis_at(fetch_server, monkeypatch, tmp_path)
    page = r.reddit_page(
        [r.reddit_comment("c1", "t3_abc"), r.reddit_more("t3_abc", ["x1", "x2"])], num_comments=3
    )
    fetch_server.add("/comments/abc.json", page)
    fetch_server.add("/api/morechildren.json", Reply(429, headers={"Retry-After": "999"}))
    status, out, err = run(capsys, "https://www.reddit.com/comments/abc/", "--print")
    assert status == 0 and "comment c1 & more" in out
    assert "fetched 1 of about 3 comments: Reddit rate limited" in err


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        ([URL, "thread.json"], "a URL opens alone"),
        ([URL, "--source", "reddit"], "--source names the source of files"),
        ([URL, "--max-posts", "0"], "expected at least 1"),
        (["import", URL, "x.json"], "a URL is imported alone"),
    ],
)
def test_usage_errors(capsys: pytest.CaptureFixture[str], argv: list[str], problem: str) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert problem in capsys.readouterr().err


def test_refresh_and_offline_together(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, URL, "--print", "--refresh", "--offline")
    assert status == 2 and "contradict" in err


def test_import_shows_a_bar_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    bar = ProgressBar(stream)
    bar(Progress(requests=3, posts=50, expected=100, note=""))
    bar.close()
    assert stream.getvalue() == (
        "\r\x1b[K[############------------] 50 of about 100 posts, 3 requests\r\x1b[K"
    )
    silent = io.StringIO()
    ProgressBar(silent)(Progress(requests=1, posts=1))
    assert silent.getvalue() == ""


def test_progress_lines_show_every_note(capsys: pytest.CaptureFixture[str]) -> None:
    lines = ProgressLines(interval=3600)
    lines(Progress(requests=1, posts=0))  # a plain count within the interval: quiet
    lines(Progress(requests=2, posts=5, waiting=4.0, note="rate limited by h: waiting 4 s"))
    assert capsys.readouterr().err == (
        "threadtui: 5 posts, 2 requests: rate limited by h: waiting 4 s\n"
    )


def test_the_saved_import_is_the_cached_thread(
    api: FetchServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_file = tmp_path / "t.json"
    run(capsys, "import", URL, "-o", str(out_file))
    cached = cache.entry_path(recognise(URL)).read_bytes()
    assert orjson.loads(out_file.read_bytes()) == orjson.loads(cached)


# --- the load cache for a URL reopened from the fetch cache (issue #12) -----------------


def _big_story(api: FetchServer, ending: str) -> None:
    """A story whose fetch-cache entry is large enough for the load cache."""
    padding = "\n\n" + "lorem ipsum " * (LOAD_CACHE_MIN_BYTES // 12)
    api.reset()
    api.add("/api/v1/items/1", r.algolia_story("A story", ending + padding))


def _app_args(**changes: bool) -> argparse.Namespace:
    values = {"refresh": False, "offline": True, "max_posts": None, "no_cache": False}
    return argparse.Namespace(**{"forget": False, **values, **changes})


def _open_for_app(
    settings: Settings | None = None, **changes: bool
) -> tuple[Thread, list[str], _Cached | None]:
    problems: list[str] = []
    thread, _, live, cached = open_url_for_app(
        _app_args(**changes), URL, problems, settings or Settings()
    )
    assert not live.fetch_on_start
    return thread, problems, cached


def _write_load_cache(thread: Thread, cached: _Cached | None) -> Path:
    """What the app's writer does after the first frame, here in this thread."""
    assert cached is not None and cached.source is not None
    written = load_cache.write(thread, cached.source, bound=cached.bound)
    assert written is not None
    return written


class _Parses:
    """Counts the thread files parsed (`load_bytes`): a load-cache hit parses none."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import threadtui.model

        self.count = 0
        real = threadtui.model.load_bytes

        def counting(data: bytes, *args: Any, **kwargs: Any) -> Thread:
            self.count += 1
            return real(data, *args, **kwargs)

        monkeypatch.setattr(threadtui.model, "load_bytes", counting)


def test_a_url_reopened_from_the_fetch_cache_takes_the_load_cache(
    api: FetchServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _big_story(api, "the first ending")
    assert run(capsys, URL, "--print")[0] == 0
    entry = cache.entry_path(recognise(URL))
    assert entry.stat().st_size >= LOAD_CACHE_MIN_BYTES
    parses = _Parses(monkeypatch)

    first, problems, cached = _open_for_app()
    assert problems == [] and parses.count == 1
    assert cached is not None and cached.path == str(entry)
    written = _write_load_cache(first, cached)

    # A hit reads the copy, not the entry (as a saved file's hit does not read the file).
    reads: list[object] = []
    read_entry = cache.read

    def counting(target: Any, now: float) -> Any:
        reads.append(target)
        return read_entry(target, now)

    monkeypatch.setattr(cache, "read", counting)
    second, problems, cached = _open_for_app()
    assert problems == [] and parses.count == 1, "the second opening parsed the entry"
    assert reads == [], "the second opening read the entry"
    assert cached is not None and cached.source is None  # a hit: nothing to write
    assert [(p.id, p.text) for p in second.posts] == [(p.id, p.text) for p in first.posts]
    assert second.source == first.source
    # Named by the URL either way, as a fetch names it, never by the entry's file.
    assert first.name == second.name == URL

    # A refreshed fetch replaces the entry's bytes: a silent miss, parsed and written anew.
    _big_story(api, "a refreshed ending")
    assert run(capsys, URL, "--print", "--refresh")[0] == 0
    third, problems, cached = _open_for_app()
    assert problems == [] and parses.count == 2 and len(reads) == 1
    assert third.posts[1].text is not None
    assert third.posts[1].text.startswith("a refreshed ending")
    assert cached is not None and cached.source is not None
    assert _write_load_cache(third, cached) == written


def test_a_damaged_load_cache_copy_of_a_url_is_one_warning(
    api: FetchServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _big_story(api, "the first ending")
    assert run(capsys, URL, "--print")[0] == 0
    first, _, cached = _open_for_app()
    written = _write_load_cache(first, cached)
    data = bytearray(written.read_bytes())
    data[-10] ^= 0xFF
    written.write_bytes(bytes(data))
    parses = _Parses(monkeypatch)
    thread, problems, cached = _open_for_app()
    assert len(problems) == 1 and "could not be used" in problems[0]
    assert parses.count == 1 and len(thread.posts) == len(first.posts)
    assert cached is not None and cached.source is not None  # rebuilt after the frame


@pytest.mark.parametrize(
    ("changes", "settings"),
    [({"no_cache": True}, Settings()), ({}, Settings(load_cache=False))],
    ids=["--no-cache", "config load_cache = false"],
)
def test_a_url_skips_the_load_cache_when_it_is_turned_off(
    api: FetchServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    changes: dict[str, bool],
    settings: Settings,
) -> None:
    _big_story(api, "the first ending")
    assert run(capsys, URL, "--print")[0] == 0
    first, _, cached = _open_for_app()
    _write_load_cache(first, cached)
    parses = _Parses(monkeypatch)
    thread, problems, cached = _open_for_app(settings, **changes)
    assert (problems, parses.count, cached) == ([], 1, None)
    assert len(thread.posts) == len(first.posts)


def test_a_small_url_entry_is_not_load_cached(
    api: FetchServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, URL, "--print")[0] == 0
    thread, problems, cached = _open_for_app()
    assert (problems, cached, len(thread.posts)) == ([], None, 2)


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_an_entry_that_is_no_file_is_one_warning_with_the_load_cache_on(
    api: FetchServer, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """The load cache is asked before the entry is read (a hit never reads it): what sits
    at the entry's name still goes through the entry's own checks, never opened as a
    file (a FIFO would block), and the app fetches anew."""
    assert run(capsys, URL, "--print")[0] == 0
    entry = cache.entry_path(recognise(URL))
    entry.unlink()
    if kind == "fifo":
        os.mkfifo(entry)
    else:
        entry.mkdir()
    problems: list[str] = []
    thread, _, live, cached = open_url_for_app(_app_args(offline=False), URL, problems, Settings())
    assert live.fetch_on_start and cached is None and thread.posts == []
    assert len(problems) == 1 and "damaged" in problems[0] and str(entry) in problems[0]
