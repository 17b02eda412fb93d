"""The `threadtui` command: open, import, validate, print.

Every input problem is found here, before any UI starts, and reported as one line on
stderr with exit status 2: users get the place to look, never a traceback or a half-drawn
screen. Output fails the same way (a full disk, a closed stdout), except a reader that
stops early (`| head`): that ends quietly with status 141, as a Unix tool killed by
SIGPIPE does.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import stat
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, tzinfo
from typing import IO, TYPE_CHECKING, Any, NoReturn

from threadtui import __version__, gcpolicy
from threadtui.atomicfile import write_all, write_file_atomically
from threadtui.config import (
    TimeZoneError,
    clean_display,
    display_name,
    load_settings,
    local_timezone,
    parse_tz,
)
from threadtui.model import SCHEMA, SCHEMA_VERSION, Thread, ThreadFileError

if TYPE_CHECKING:
    from pathlib import Path

    from _typeshed import SupportsWrite

    from threadtui.fetch.live import EarlyFetch
    from threadtui.fetch.progress import Progress, ProgressCallback
    from threadtui.fetch.run import FetchOptions, FetchResult
    from threadtui.model.cache import Source as LoadSource
    from threadtui.model.cache import Stamp
    from threadtui.query import FilterView, Query
    from threadtui.state import ReadState

EXIT_OK = 0
EXIT_INPUT = 2
"""Input the user can fix, a bad option, or output that could not be written."""
EXIT_PIPE = 128 + 13
"""stdout's reader went away (`| head`): quiet, and the status a shell shows for SIGPIPE."""

SUBCOMMANDS = ("import", "validate")

__all__ = ["main", "parse_tz", "warning_line"]


class UsageError(Exception):
    """A bad option value the user typed; reported like an input error."""


class _OutputFailed(Exception):
    """stdout could not take the output; the reason is already on stderr."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        # argparse drops a failed write silently: --help to a full disk would say nothing
        # and exit 0.
        if not message:
            return
        if file is not None and file is sys.stdout:
            write_stdout(message)
        else:
            for line in message.rstrip("\n").split("\n"):
                say(line)

    def error(self, message: str) -> NoReturn:
        # argparse quotes unknown arguments as typed: an ESC in one would reach the terminal.
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"{self.prog}: error: {clean_display(message)}\n")


def say(line: str) -> None:
    """One line on stderr, cleaned: every message may quote a file name, an option value or
    an environment variable. Nothing happens if stderr itself cannot be written."""
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(clean_display(line) + "\n")
        stream.flush()
    except (OSError, ValueError):
        pass


def _silence_stdout() -> None:
    # What stdout still buffers is flushed again at exit; pointed at /dev/null, that flush
    # cannot fail a second time (the idiom in the `signal` module's documentation).
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        pass


def _output_failed(error: OSError | ValueError) -> NoReturn:
    _silence_stdout()
    if isinstance(error, BrokenPipeError):
        raise _OutputFailed(EXIT_PIPE)
    reason = error.strerror if isinstance(error, OSError) and error.strerror else "closed"
    say(f"threadtui: cannot write to stdout: {reason}")
    raise _OutputFailed(EXIT_INPUT)


def write_stdout(data: bytes | str) -> None:
    """Write to stdout now; a failure ends the command with one line (or quietly, for a
    closed pipe) instead of a traceback."""
    stream = sys.stdout
    if stream is None:
        say("threadtui: cannot write to stdout: it is closed")
        raise _OutputFailed(EXIT_INPUT)
    if isinstance(data, str):
        data = data.encode(getattr(stream, "encoding", None) or "utf-8", "replace")
    try:
        stream.flush()
        write_all(stream.buffer, data)
        stream.flush()
    except (OSError, ValueError) as error:
        _output_failed(error)


def _flush_stdout() -> None:
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except (OSError, ValueError) as error:
        _output_failed(error)


def warning_line(path: str, warning: str) -> str:
    """One stderr line per warning, `FILE:LINE: warning: ...` where the input line is known,
    so editors and terminals can jump to it."""
    # A file name can hold control characters like any downloaded text.
    path = display_name(path)
    if warning.startswith("line "):
        number, sep, rest = warning[5:].partition(": ")
        if sep and number.isdigit():
            return f"{path}:{number}: warning: {rest}"
    return f"{path}: warning: {warning}"


def _fail(error: Exception | str) -> int:
    # File errors already start with the file name; option errors get the program's.
    message = str(error) if isinstance(error, ThreadFileError) else f"threadtui: {error}"
    say(message)
    return EXIT_INPUT


def _zone(value: str, option: str) -> tzinfo:
    try:
        return parse_tz(value)
    except TimeZoneError as error:
        raise UsageError(f"{option}: {error}") from None


# --- URLs ------------------------------------------------------------------------------


def add_fetch_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("URLs (Bluesky, Mastodon, Hacker News, Reddit, X)")
    group.add_argument(
        "--refresh", action="store_true", help="fetch anew, even when the cache has the thread"
    )
    group.add_argument(
        "--offline", action="store_true", help="never touch the network: the cache or nothing"
    )
    group.add_argument(
        "--max-posts",
        type=_positive,
        metavar="N",
        help="stop asking for more posts past N (default 20000)",
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("expected at least 1")
    return value


def is_url(text: str) -> bool:
    if ":" not in text:
        # No scheme, so no URL (every one fetch/urls.py takes has one): a file name does
        # not import the fetch layer.
        return False
    from threadtui.fetch.urls import looks_like_url

    return looks_like_url(text)


class ProgressLines:
    """The main command's progress before the app starts: a line on stderr now and then,
    and every note (a rate-limit wait, a fallback) as it comes."""

    def __init__(self, interval: float = 1.0) -> None:
        import time

        self._clock = time.monotonic
        self._interval = interval
        self._last = self._clock()

    def __call__(self, progress: Progress) -> None:
        now = self._clock()
        if not progress.note and now - self._last < self._interval:
            return
        self._last = now
        say(f"threadtui: {_progress_text(progress)}")


class ProgressBar:
    """`import`'s progress: one line redrawn in place on stderr, only when it is a terminal."""

    WIDTH = 24

    def __init__(self, stream: IO[str] | None) -> None:
        self._stream = stream if _is_terminal(stream) else None
        self._shown = False

    def __call__(self, progress: Progress) -> None:
        if self._stream is None:
            return
        if progress.expected:
            done = min(self.WIDTH, self.WIDTH * progress.posts // max(1, progress.expected))
            bar = "[" + "#" * done + "-" * (self.WIDTH - done) + "] "
        else:
            bar = ""
        line = clean_display(bar + _progress_text(progress))[:200]
        try:
            self._stream.write("\r\x1b[K" + line)
            self._stream.flush()
        except (OSError, ValueError):
            self._stream = None
        self._shown = True

    def close(self) -> None:
        if self._stream is not None and self._shown:
            with contextlib.suppress(OSError, ValueError):
                self._stream.write("\r\x1b[K")
                self._stream.flush()


def _progress_text(progress: Progress) -> str:
    of = f" of about {progress.expected:,}" if progress.expected else ""
    text = f"{progress.posts:,}{of} posts, {progress.requests:,} requests"
    return f"{text}: {progress.note}" if progress.note else text


def fetch_url(args: argparse.Namespace, url: str, progress: ProgressCallback) -> FetchResult:
    """The thread at `url` with the command's options; FetchError or UsageError."""
    from threadtui.fetch.run import fetch_thread

    return fetch_thread(url, fetch_options(args), progress=progress)


def fetch_notes(result: FetchResult) -> list[str]:
    """What a user should know about where the thread came from, one line each."""
    from threadtui.fetch.cache import age_text

    notes = list(result.warnings)
    if result.cached_age is not None:
        notes.append(
            f"opened from the cache, fetched {age_text(result.cached_age)} (--refresh fetches anew)"
        )
    if result.missing:
        notes.append(f"{result.missing} (the thread opens with what came)")
    return notes


@dataclass(slots=True)
class LiveStart:
    """How the app opens a URL: from the cache at once, or empty with the fetch running."""

    url: str
    options: FetchOptions | None
    """None: the defaults (a URL from the cache, no --max-posts: the app builds them for a
    refresh, if one comes; fetch.options is not imported to open it)."""
    fetch_on_start: bool
    anchor: str | None = None
    notices: list[str] = field(default_factory=list)
    early: EarlyFetch | None = None
    """The fetch, once `start_fetch` has started it (before the app exists)."""

    def start_fetch(self, thread: Thread) -> None:
        """Start the fetch now, for `thread`: the app takes it over once it is up, so the
        network's wait overlaps Textual's import, the app's set-up and its first frame."""
        if self.fetch_on_start and self.early is None:
            # Here, not above: a URL opened from the cache fetches nothing before the app.
            from threadtui.fetch.live import start_early
            from threadtui.fetch.options import FetchOptions

            self.early = start_early(thread, self.url, self.options or FetchOptions())

    def stop_fetch(self) -> None:
        """Cancel the fetch (if still running) and give its thread a moment to end."""
        if self.early is not None:
            self.early.fetch.cancel()
            self.early.fetch.join(2.0)

    def app_arguments(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "fetch_options": self.options,
            "fetch_on_start": self.fetch_on_start,
            "early_fetch": self.early,
            "anchor": self.anchor,
            "notices": self.notices,
        }


def fetch_options(args: argparse.Namespace) -> FetchOptions:
    from threadtui.fetch.options import FetchOptions, Limits

    _check_fetch_flags(args)
    limits = Limits() if args.max_posts is None else Limits(max_posts=args.max_posts)
    return FetchOptions(refresh=args.refresh, offline=args.offline, limits=limits)


def open_url_for_app(
    args: argparse.Namespace, url: str, problems: list[str], settings: Any = None
) -> tuple[Thread, str, LiveStart, _Cached | None]:
    """The thread the app opens with for `url`: the cached copy (costs what opening the
    saved file costs), or an empty thread the app fills as the fetch goes. FetchError when
    the URL names nothing fetchable, or --offline and nothing is cached.

    The fetch cache's entry is a thread file, so it goes through the load cache as that
    file would (`settings` given: its rules, --no-cache); the last value is the load cache
    to write after the first frame, as for a file."""
    # Only the cache's modules, never the client's or the runner's (asyncio, the HTTP
    # stack), nor fetch.options unless --max-posts needs it: a cached URL costs what its
    # saved file costs (test_fetch_cli holds it).
    import time

    from threadtui.fetch.cache import age_text, thread_from
    from threadtui.fetch.errors import FetchError
    from threadtui.fetch.urls import recognise

    _check_fetch_flags(args)
    target = recognise(url)  # an unknown URL fails here, before the app starts
    if not args.refresh:
        loaded = None if settings is None else _EntryLoadCache(args, settings, problems)
        warnings: list[str] = []
        hit = thread_from(target, time.time(), warnings, loaded=loaded)
        problems.extend(warnings)
        if hit is not None:
            notices = [f"Opened from the cache, fetched {age_text(hit.age)}"]
            if hit.missing:
                problems.append(f"{hit.missing} (the thread opens with what came)")
            # Only a refresh (the app's `r`) uses them, and refreshes whatever --offline said.
            options = None if args.max_posts is None else fetch_options(args)
            live = LiveStart(url, options, False, hit.anchor, notices)
            return hit.thread, url, live, None if loaded is None else loaded.cached
    if args.offline:
        raise FetchError(f"{url}: not in the cache, and --offline forbids fetching it")
    from threadtui.fetch.live import empty_thread

    # The cache missed (or --refresh): the app's fetch goes to the network, and writes it.
    live = LiveStart(url, fetch_options(args)._replace(refresh=True), True)
    return empty_thread(url), url, live, None


def _check_fetch_flags(args: argparse.Namespace) -> None:
    if args.refresh and args.offline:
        raise UsageError("--refresh and --offline contradict each other; give one")


# --- threadtui import ------------------------------------------------------------------


def _same_file(first: str, second: str) -> bool:
    try:
        return os.path.samefile(first, second)
    except (OSError, ValueError):
        return False


def import_main(argv: Sequence[str]) -> int:
    parser = _Parser(
        prog="threadtui import",
        description=(
            "Convert saved threads (Bluesky, Mastodon, Hacker News, Reddit or X API JSON, X"
            " story text) to thread JSON. Several inputs, or a directory, become one thread."
        ),
    )
    parser.add_argument("files", nargs="*", metavar="FILE", help="inputs, or directories of them")
    parser.add_argument(
        "-o", "--output", help="write here instead of stdout (replaced only once complete)"
    )
    parser.add_argument(
        "--tz", default="UTC", help="time zone the page showed its times in (default UTC)"
    )
    parser.add_argument(
        "--source", metavar="NAME", help="read every input as this source (see --list-sources)"
    )
    parser.add_argument(
        "--list-sources", action="store_true", help="list the sources threadtui reads and exit"
    )
    add_fetch_options(parser)
    args = parser.parse_args(argv)
    from threadtui.importers import dumps
    from threadtui.opener import (
        UnknownSource,
        expand_inputs,
        merged_document,
        read_document,
        sources,
    )

    if args.list_sources:
        width = max(len(name) for name, _ in sources())
        write_stdout("".join(f"{name:<{width}}  {what}\n" for name, what in sources()))
        return EXIT_OK
    if not args.files:
        parser.error("give a FILE to import (or --list-sources)")
    if any(is_url(file) for file in args.files):
        return _import_url(args, parser)
    try:
        inputs = expand_inputs(args.files)
    except ThreadFileError as error:
        return _fail(error)
    if args.output:
        for file in inputs:
            if _same_file(args.output, file):
                return _fail(
                    f"-o {display_name(args.output)}: is an input file;"
                    " write the JSON somewhere else"
                )
    # Converting allocates millions of objects and frees almost none until the end, so each
    # collection would walk the whole growing document: off, as _main does for the load.
    # It stays off until main() returns (its `finally` restores it): turned on here,
    # the first collection would walk every object the conversion made.
    gcpolicy.startup()
    try:
        tz = _zone(args.tz, "--tz")
        document, name, warnings = merged_document(inputs, source=args.source, tz=tz)
        if isinstance(document, bytes):
            loaded, more = read_document(document, name, source=args.source, tz=tz)
            if loaded is None:
                # A normalised thread in, the same out: checked, then written as read.
                from threadtui.model import load_bytes

                load_bytes(document, name=name)
                payload = document
            else:
                payload = dumps(loaded)
            warnings += more
        else:
            payload = dumps(document)
    except (ThreadFileError, UsageError, UnknownSource) as error:
        return _fail(error)
    for warning in warnings:
        say(warning_line(name, warning))
    if args.output:
        try:
            write_file_atomically(args.output, payload)
        except OSError as error:
            reason = error.strerror or type(error).__name__
            return _fail(f"{display_name(args.output)}: cannot write: {reason}")
    else:
        write_stdout(payload)
    return EXIT_OK


def _import_url(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from threadtui.fetch.errors import FetchError

    if len(args.files) != 1:
        parser.error("a URL is imported alone: give one URL, or files to merge")
    if args.source:
        parser.error("--source names the source of files; a URL names its own")
    url = args.files[0]
    bar = ProgressBar(sys.stderr)
    try:
        result = fetch_url(args, url, bar)
    except (FetchError, UsageError) as error:
        bar.close()
        return _fail(error)
    bar.close()
    for note in fetch_notes(result):
        say(warning_line(url, note))
    if args.output:
        try:
            write_file_atomically(args.output, result.data)
        except OSError as error:
            reason = error.strerror or type(error).__name__
            return _fail(f"{display_name(args.output)}: cannot write: {reason}")
    else:
        write_stdout(result.data)
    return EXIT_OK


# --- threadtui validate ----------------------------------------------------------------


def validate_main(argv: Sequence[str]) -> int:
    parser = _Parser(
        prog="threadtui validate",
        description="Check a normalised thread file and say what is wrong with it.",
    )
    parser.add_argument("file", help="a normalised thread JSON file")
    args = parser.parse_args(argv)
    from threadtui.model import load_bytes, read_input
    from threadtui.opener import looks_like_json

    try:
        data = read_input(args.file)
        if not looks_like_json(data):
            raise ThreadFileError(
                args.file,
                "not JSON: validate checks normalised thread files"
                " (convert a source first with `threadtui import`)",
            )
        thread = load_bytes(data, name=args.file)
    except ThreadFileError as error:
        return _fail(error)
    for warning in thread.warnings:
        say(warning_line(args.file, warning))
    placeholders = len(thread.posts) - thread.real_post_count
    extra = f", {_counted(placeholders, 'placeholder')} added" if placeholders else ""
    write_stdout(
        f"{display_name(args.file)}: valid {SCHEMA} v{SCHEMA_VERSION}:"
        f" {_counted(thread.real_post_count, 'post')},"
        f" {_counted(len(thread.authors), 'author')}{extra},"
        f" {_counted(len(thread.warnings), 'warning')}\n"
    )
    return EXIT_OK


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


# --- threadtui FILE --------------------------------------------------------------------


def build_filter(args: argparse.Namespace) -> str:
    """The filter the options ask for, written in the query language."""
    parts = []
    if args.from_:
        # Only here: the query package is not needed on the way to the first frame.
        from threadtui.query import format_from

        parts.append(format_from(args.from_))
    if args.after:
        parts.append(f"after:{args.after}")
    if args.before:
        parts.append(f"before:{args.before}")
    if args.filter:
        parts.append(args.filter)
    return " ".join(parts)


def check_query(thread: Thread, text: str, option: str, tz: tzinfo) -> None:
    if not text.strip():
        return
    from threadtui.query import QueryError, parse_query

    try:
        parse_query(text, thread, tz=tz)
    except QueryError as error:
        raise UsageError(f"{option}: {error.message}") from None


def select_posts(
    thread: Thread, query_text: str, tz: tzinfo, *, new: bytes | None = None
) -> tuple[Query | None, FilterView | None]:
    """The query and the filter view `--print` shows (None, None: the whole thread).
    `new` is the read state's marks for `is:new`."""
    from threadtui.query import FilterView, QueryError, SearchIndex, parse_query, run_query

    if not query_text:
        return None, None
    try:
        query = parse_query(query_text, thread, tz=tz, new=new)
        return query, FilterView.build(run_query(query, SearchIndex(thread)))
    except QueryError as error:
        # Each part parsed alone; together they can still clash (views:>10 with
        # views:<5), and a regex can run past its time budget.
        raise UsageError(f"--search/--filter: {error.message}") from None


def render_posts(
    thread: Thread,
    query: Query | None,
    view: FilterView | None,
    fmt: str,
    tz: tzinfo,
    *,
    ascii: bool = False,
    query_text: str = "",
) -> bytes:
    """`ascii` marks quotes and folds with the ASCII glyphs, as `--ascii` draws the tree;
    the posts' own words are printed as written (a pipe is not a terminal to protect)."""
    from threadtui.export.render import render_json, render_markdown, render_text
    from threadtui.ui.glyphs import ASCII, UNICODE

    if fmt == "json":
        return render_json(thread, view=view, query=query_text)
    glyphs = ASCII if ascii else UNICODE
    if fmt == "markdown":
        return render_markdown(thread, tz=tz, view=view, query=query, glyphs=glyphs).encode()
    return render_text(thread, tz=tz, view=view, query=query, glyphs=glyphs).encode()


def print_thread(
    thread: Thread, query_text: str, fmt: str, tz: tzinfo, *, ascii: bool = False
) -> bytes:
    query, view = select_posts(thread, query_text, tz)
    return render_posts(thread, query, view, fmt, tz, ascii=ascii, query_text=query_text)


# --- what is new since last time (threadtui.state) -------------------------------------


def add_state_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "what is new since last time (README: What is new since last time)"
    )
    group.add_argument(
        "--since-last",
        action="store_true",
        help="with --print: only the posts not seen before (is:new), then remember them as seen",
    )
    group.add_argument(
        "--forget", action="store_true", help="forget what was read in this thread, and exit"
    )
    group.add_argument(
        "--forget-all", action="store_true", help="forget what was read in every thread, and exit"
    )
    cache = parser.add_argument_group("the load cache (README: Opening again from the cache)")
    cache.add_argument(
        "--no-cache",
        action="store_true",
        help="parse the file, neither using nor keeping its cached copy",
    )
    cache.add_argument(
        "--forget-cache",
        action="store_true",
        help="remove this file's cached copy, and exit",
    )
    cache.add_argument(
        "--forget-cache-all",
        action="store_true",
        help="remove every file's cached copy, and exit",
    )


def check_state_options(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    if args.forget_all and (args.files or args.demo or args.forget):
        parser.error("--forget-all forgets every thread: give it alone")
    if args.forget_cache_all and (args.files or args.demo or args.forget or args.forget_cache):
        parser.error("--forget-cache-all forgets every cached copy: give it alone")
    if args.forget_cache and (args.print_ or args.forget or args.since_last):
        parser.error("--forget-cache only forgets: give it with FILE alone")
    if args.forget and (args.print_ or args.since_last):
        parser.error("--forget only forgets: give it without --print or --since-last")
    if args.since_last and not args.print_:
        parser.error(
            "--since-last goes with --print (the app marks new posts itself; filter with is:new)"
        )


def forget_all_main() -> int:
    from threadtui.state import forget_all, state_dir

    try:
        folder = state_dir()
        removed = forget_all(folder)
    except (OSError, RuntimeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        return _fail(f"cannot forget the read state: {reason}")
    noun = "thread" if removed == 1 else "threads"
    say(f"threadtui: forgot what was read in {removed} {noun} ({folder})")
    return EXIT_OK


def forget_cache_main(paths: Sequence[str] | None) -> int:
    """Remove the cached copy of each file named (None: of every file)."""
    from threadtui.model import cache

    try:
        if paths is None:
            removed = cache.forget_all()
            noun = "copy" if removed == 1 else "copies"
            say(f"threadtui: removed {removed} cached {noun} ({cache.cache_dir()})")
            return EXIT_OK
        for path in paths:
            removed_one = cache.forget(cache.entry_key(path))
            what = "removed the cached copy of" if removed_one else "nothing was cached of"
            say(f"threadtui: {what} {display_name(path)}")
    except (OSError, RuntimeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        return _fail(f"cannot remove the cached copy: {reason}")
    return EXIT_OK


@dataclass
class _Cached:
    """The load cache for this opening: the entry's key, and once the file is read, what
    the entry will be written from."""

    key: str
    path: str
    bound: int
    source: LoadSource | None = None


LOAD_CACHE_MIN_BYTES = 1024**2
"""Smaller files are parsed as fast as a cached copy is read (about 3,000 posts)."""


def _cache_for(args: argparse.Namespace, paths: list[str], settings: Any) -> _Cached | None:
    """The load cache, when it applies: one regular file of at least LOAD_CACHE_MIN_BYTES
    (not a directory, a URL or several files), caching not turned off."""
    if len(paths) != 1:
        return None
    variant = f"{args.source or ''}\0{args.source_tz or ''}"
    return _cache_for_file(args, paths[0], variant, settings)


def _cache_for_file(
    args: argparse.Namespace,
    path: str,
    variant: str,
    settings: Any,
    info: os.stat_result | None = None,
) -> _Cached | None:
    """The load cache for one file (a file named, or a URL's fetch-cache entry), when it
    applies: a regular file of at least LOAD_CACHE_MIN_BYTES, caching not turned off.
    `info`: the file's `stat` when the caller has it (one call, where isfile and getsize
    are two)."""
    if args.no_cache or not settings.load_cache or args.forget:
        return None
    if info is None:
        try:
            info = os.stat(path)
        except (OSError, ValueError):
            return None
    if not stat.S_ISREG(info.st_mode) or info.st_size < LOAD_CACHE_MIN_BYTES:
        return None
    from threadtui.model import cache

    return _Cached(cache.entry_key(path, variant), path, settings.load_cache_mb * 1024**2)


class _EntryLoadCache:
    """The load cache for a URL's fetch-cache entry (`fetch.cache.LoadCache`): the entry
    is a thread file, so it goes through the same helpers, rules and --no-cache as a file
    named; `cached` is the copy to write after the first frame, as for a file."""

    def __init__(self, args: argparse.Namespace, settings: Any, problems: list[str]) -> None:
        self._args = args
        self._settings = settings
        self._problems = problems
        self.cached: _Cached | None = None

    def thread(self, path: Path, info: os.stat_result) -> Thread | None:
        # The entry is JSON, read the same whatever --source-tz says: no variant.
        self.cached = _cache_for_file(self._args, os.fspath(path), "\0", self._settings, info)
        return None if self.cached is None else _read_cached(self.cached, self._problems)

    def read(self, path: Path, data: bytes) -> None:
        # Stamped after the read: if the entry was replaced in between, the digest of
        # `data` tells the next opening the stamp is not this file's (a silent miss).
        cached = self.cached
        if cached is None or cached.path != os.fspath(path):
            return
        before = _stamp(cached.path)
        if before is not None:
            from threadtui.model import cache

            # Hashed in a thread while the loader works.
            cached.source = cache.Source(cached.key, before, data)


def _read_cached(cached: _Cached, problems: list[str]) -> Thread | None:
    from threadtui.model import cache

    try:
        thread, warning = cache.read(cached.path, cached.key, name=cached.path)
    except RuntimeError:  # no home directory to find the cache in
        return None
    if warning is not None:
        problems.append(warning)
    return thread


def forget_thread(thread: Thread, name: str) -> int:
    from threadtui.state import forget, state_dir, state_path, thread_identity, thread_key

    identity = thread_identity(thread)
    if identity is None:
        say(f"threadtui: {display_name(name)}: no posts, nothing to forget")
        return EXIT_OK
    try:
        path = state_path(thread_key(identity), state_dir())
        removed = forget(path)
    except (OSError, RuntimeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        return _fail(f"{display_name(name)}: cannot forget its read state: {reason}")
    what = "forgot what was read in" if removed else "nothing was remembered of"
    say(f"threadtui: {what} {display_name(name)}")
    return EXIT_OK


def asks_new(thread: Thread, query_text: str, tz: tzinfo) -> bool:
    """Whether a (valid) query has `is:new`: only then does --print read the state."""
    from threadtui.query import QueryError, parse_query

    if not query_text:
        return False
    try:
        return parse_query(query_text, thread, tz=tz).is_new is not None
    except QueryError:
        return False  # select_posts reports it, as for any other query


def record_printed(state: ReadState, view: FilterView | None) -> int:
    """After the output is written: the posts printed as matches are seen (context rows,
    shown as headings only, are not), and the run is the last visit. Status 2 if the
    state cannot be saved: the next run would print them again."""
    from threadtui.state import NewerFormat, save_error

    if view is not None:
        state.mark_many(i for i, flag in enumerate(view.member) if flag)
    try:
        state.save()
    except (OSError, NewerFormat) as error:
        say(f"threadtui: {save_error(state.path, error)}")
        return EXIT_INPUT
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="threadtui",
        description=(
            "Read a discussion thread: a tree of replies and quotes beside the selected post."
            " FILE is a normalised thread JSON or X story text."
        ),
        epilog=(
            "other commands:\n"
            "  threadtui import FILE [-o OUT] [--tz ZONE]   convert a source to thread JSON\n"
            "  threadtui validate FILE                      check a thread JSON file\n"
            "\n"
            "FILE must be a regular file of at most 2 GiB. Exit status: 0 done; 2 a problem\n"
            "named on stderr (input, option or output); 141 stdout's reader went away."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help=(
            "thread JSON, a saved source (Bluesky, Mastodon, Hacker News, Reddit or X API"
            " JSON, X story text) or a directory of them; several are merged into one thread;"
            " or the URL of a post (the whole thread around it is fetched)"
        ),
    )
    parser.add_argument(
        "--source",
        metavar="NAME",
        help="read the inputs as this source (threadtui import --list-sources)",
    )
    parser.add_argument("--demo", action="store_true", help="open the bundled demo thread")
    parser.add_argument(
        "--follow",
        action="store_true",
        help=(
            "follow the thread as it grows: a URL is fetched again at the platform's pace,"
            " files are read again when they change (as tail -f does); F toggles it"
        ),
    )
    add_fetch_options(parser)
    parser.add_argument("--version", action="version", version=f"threadtui {__version__}")
    parser.add_argument(
        "--tz",
        metavar="ZONE",
        help="show times in this zone (default: the config's tz, else the machine's zone)",
    )
    parser.add_argument(
        "--source-tz",
        metavar="ZONE",
        help="the zone a story text's page showed its times in (default UTC, as `import --tz`)",
    )
    parser.add_argument(
        "--print",
        dest="print_",
        action="store_true",
        help="print the thread to stdout as indented text instead of opening it",
    )
    narrow = parser.add_argument_group(
        "search and filters (the same language as / and f in the app)"
    )
    narrow.add_argument(
        "--from",
        dest="from_",
        action="append",
        default=[],
        metavar="HANDLE",
        help="posts by this author (repeat for any of several)",
    )
    narrow.add_argument("--after", metavar="T", help="posts at or after T (ISO, a date, +30m)")
    narrow.add_argument("--before", metavar="T", help="posts before T")
    narrow.add_argument("--filter", metavar="QUERY", help='a filter, e.g. "views:>1000 has:quote"')
    narrow.add_argument("--search", metavar="QUERY", help="open with this search highlighted")
    narrow.add_argument(
        "--format",
        choices=["text", "markdown", "json"],
        default="text",
        help="what --print writes (json is a thread file of the shown posts)",
    )
    add_state_options(parser)
    look = parser.add_argument_group("terminal")
    look.add_argument(
        "--ascii", action="store_true", default=None, help="send only ASCII to the terminal"
    )
    look.add_argument("--no-mouse", action="store_true", help="leave the mouse to the terminal")
    look.add_argument(
        "--color-system",
        choices=["auto", "truecolor", "256", "standard"],
        help="colours to use (NO_COLOR in the environment turns them off)",
    )
    look.add_argument("--theme", help="a theme, e.g. textual-dark, nord, gruvbox (README: Themes)")
    look.add_argument("--time", choices=["relative", "absolute"], help="how tree rows show times")
    return parser


def terminal_problem() -> str | None:
    """Why the full-screen app cannot run here, or None.

    Textual draws on stderr and reads keys from stdin, both as a terminal: redirected,
    it writes escape codes into a file, or waits forever for keys that never come. A
    redirected stdout says the user wants the thread in a file, which --print does.
    """
    suggestion = "use --print to write the thread as text (threadtui FILE --print > out.txt)"
    if not _is_terminal(sys.__stdout__):
        return f"stdout is not a terminal; {suggestion}"
    if not _is_terminal(sys.__stdin__):
        return (
            "stdin is not a terminal, and the full-screen app reads its keys there;"
            f" run it from a terminal, or {suggestion}"
        )
    if not _is_terminal(sys.__stderr__):
        return (
            "stderr is not a terminal, and the full-screen app draws there;"
            f" run it from a terminal, or {suggestion}"
        )
    return None


def _is_terminal(stream: IO[str] | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):
        return False


def main(argv: Sequence[str] | None = None) -> int:
    try:
        try:
            status = _main(argv)
        except SystemExit:
            # argparse's --help, --version and usage errors leave text in stdout's buffer.
            _flush_stdout()
            raise
        _flush_stdout()
        return status
    except _OutputFailed as failed:
        return failed.status
    finally:
        gcpolicy.restore()


def _main(argv: Sequence[str] | None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] in SUBCOMMANDS:
        command, rest = args_list[0], args_list[1:]
        return import_main(rest) if command == "import" else validate_main(rest)

    parser = build_parser()
    args = parser.parse_args(args_list)
    from threadtui.opener import (
        UnknownSource,
        demo_path,
        looks_like_json,
        merged_document,
        open_data,
    )

    check_state_options(args, parser)
    if args.forget_all:
        return forget_all_main()
    if args.forget_cache_all:
        return forget_cache_main(None)
    if args.forget_cache:
        if not args.files or any(is_url(path) for path in args.files):
            parser.error("--forget-cache names the FILE whose cached copy goes")
        return forget_cache_main(list(args.files))
    if args.demo and args.files:
        parser.error("give a FILE or --demo, not both")
    if not args.demo and not args.files:
        parser.error("give a FILE to open, or --demo for the bundled demo thread")
    paths = [os.fspath(demo_path())] if args.demo else list(args.files)
    url = None
    live: LiveStart | None = None
    cached: _Cached | None = None
    from_cache: Thread | None = None
    if any(is_url(path) for path in paths):
        if len(paths) != 1:
            parser.error("a URL opens alone: give one URL, or files to merge")
        if args.source:
            parser.error("--source names the source of files; a URL names its own")
        url = paths[0]

    if args.follow and args.print_:
        parser.error("--follow is for the app; --print prints the thread once")
    if args.follow and args.offline:
        parser.error("--follow fetches the thread again and again; --offline never fetches")
    follow_initial = None
    if args.follow and url is None:
        from threadtui.follow.files import signatures
        from threadtui.opener import expand_inputs

        # Before reading: a change while the thread is read is then a change to follow.
        try:
            follow_initial = signatures(expand_inputs(paths))
        except ThreadFileError as error:
            return _fail(error)

    reported: tuple[type[Exception], ...] = (
        ThreadFileError,
        UsageError,
        UnknownSource,
        *_fetch_errors(url),
    )
    # Off until the first frame is on screen (the app turns it back on).
    gcpolicy.startup()
    settings, problems = load_settings()
    overrides = {
        "ascii": args.ascii,
        "theme": args.theme,
        "time_display": args.time,
        "tz": args.tz,
        "mouse": False if args.no_mouse else None,
    }
    settings = replace(settings, **{k: v for k, v in overrides.items() if v is not None})
    try:
        # Two zones that must never stand in for each other: `tz` only changes how times
        # are shown; `source_tz` is the clock a story text was copied from (unknowable, so
        # UTC unless the user says), which fixes what instant each post is.
        if args.tz is not None:
            tz = _zone(args.tz, "--tz")
        elif settings.tz:
            tz = parse_tz(settings.tz)  # load_settings kept it only if it parses
        else:
            tz = local_timezone(problems)
        source_tz = UTC if args.source_tz is None else _zone(args.source_tz, "--source-tz")
        if url is not None and not args.print_:
            thread, name, live, cached = open_url_for_app(args, url, problems, settings)
        elif url is not None:
            with gcpolicy.collecting():
                fetched = fetch_url(args, url, ProgressLines())
            thread, name = fetched.thread, url
            problems.extend(fetch_notes(fetched))
        else:
            cached = _cache_for(args, paths, settings)
            from_cache = None if cached is None else _read_cached(cached, problems)
        if url is None and from_cache is not None:
            thread, name = from_cache, paths[0]
            if args.source_tz is not None and _starts_like_json(name):
                problems.append(_source_tz_ignored(name))
        elif url is None:
            before = None if cached is None else _stamp(cached.path)
            document, name, warnings = merged_document(paths, source=args.source, tz=source_tz)
            if isinstance(document, bytes) and cached is not None and before is not None:
                from threadtui.model import cache

                # Hashed in a thread while the loader works.
                cached.source = cache.Source(cached.key, before, document)
            if isinstance(document, bytes):
                if args.source_tz is not None and looks_like_json(document):
                    problems.append(_source_tz_ignored(name))
                thread = open_data(document, name, source=args.source, tz=source_tz)
            else:
                from threadtui.model import load_document

                thread = load_document(document, name=name)
            thread.warnings[:0] = warnings
            del document
    except reported as error:
        return _fail(error)

    filter_text = build_filter(args)
    search_text = args.search or ""
    try:
        check_query(thread, filter_text, "--from/--after/--before/--filter", tz)
        check_query(thread, search_text, "--search", tz)
    except UsageError as error:
        return _fail(error)

    if args.forget:
        return forget_thread(thread, name)
    if args.print_:
        gcpolicy.startup_done()
        for line in problems:
            say(f"threadtui: {line}")
        for warning in thread.warnings:
            say(warning_line(name, warning))
        # In print there is nothing to highlight: a search narrows like a filter.
        combined = f"{filter_text} {search_text}".strip()
        if args.since_last:
            combined = f"{combined} is:new".strip()
        state = None
        if asks_new(thread, combined, tz):
            from threadtui.state import open_state

            state, state_warnings = open_state(thread)
            for line in state_warnings:
                say(f"threadtui: {line}")
            if state.first_visit and state.path is not None and args.since_last:
                say(f"threadtui: {display_name(name)}: first run, every post is new")
        try:
            query, view = select_posts(
                thread, combined, tz, new=state.new_marks if state is not None else None
            )
            output = render_posts(
                thread, query, view, args.format, tz, ascii=settings.ascii, query_text=combined
            )
        except UsageError as error:
            return _fail(error)
        write_stdout(output)
        if state is not None:
            return record_printed(state, view)
        return EXIT_OK

    problem = terminal_problem()
    if problem is not None:
        return _fail(problem)
    if live is not None:
        # Before Textual is imported: the first request goes out while the app starts.
        live.start_fetch(thread)
    if args.color_system:
        # Textual reads this once, when it is first imported.
        os.environ["TEXTUAL_COLOR_SYSTEM"] = args.color_system
    from threadtui.state import open_state
    from threadtui.ui.app import ThreadApp, run_app

    # A thread still to be fetched has no identity yet (no platform, no root): the app
    # opens its read state once the first fetch has brought them.
    fetching = live is not None and live.fetch_on_start
    read_state, state_warnings = (None, []) if fetching else open_state(thread)
    app = ThreadApp(
        thread,
        settings=settings,
        tz=tz,
        startup_messages=problems,
        search=search_text,
        filter=filter_text,
        read_state=read_state,
        state_warnings=state_warnings,
        follow=args.follow,
        follow_files=paths if url is None else (),
        follow_source=args.source,
        follow_source_tz=source_tz,
        follow_initial=follow_initial,
        **({} if live is None else live.app_arguments()),
    )
    if cached is not None and cached.source is not None:
        writer = _cache_writer(thread, cached, cached.source, app.startup_messages)
        app.after_first_frame.append(writer)
    try:
        run_app(app, mouse=settings.mouse)
    finally:
        if live is not None:
            # However the app ended: the fetch's thread ends with it.
            live.stop_fetch()
    return EXIT_OK


def _fetch_errors(url: str | None) -> tuple[type[Exception], ...]:
    """What opening `url` may raise for the user to read; only a URL imports the fetch
    layer (files never raise it)."""
    if url is None:
        return ()
    from threadtui.fetch.errors import FetchError

    return (FetchError,)


def _source_tz_ignored(name: str) -> str:
    return f"--source-tz ignored: {display_name(name)} is JSON, whose times say their zone"


def _starts_like_json(path: str) -> bool:
    """Whether a file (opened from its cached copy, so not read) starts as JSON does."""
    from threadtui.opener import looks_like_json

    try:
        with open(path, "rb") as file:
            return looks_like_json(file.read(4096))
    except OSError:
        return False


def _stamp(path: str) -> Stamp | None:
    from threadtui.model import cache

    return cache.stamp(path)


def _cache_writer(
    thread: Thread, cached: _Cached, source: LoadSource, messages: list[str]
) -> Callable[[], None]:
    """Writes the entry, after the first frame, in a thread of its own; a failure is one
    more warning in the app's list (`w`), never an interruption."""
    from threadtui.model import cache

    def start() -> None:
        cache.write_later(thread, source, bound=cached.bound, on_error=messages.append)

    return start


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
