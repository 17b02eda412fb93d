"""The `threadtui` command: open, import, validate, print.

Every input problem is found here, before any UI starts, and reported as one line on
stderr with exit status 2: users get the place to look, never a traceback or a half-drawn
screen.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from threadtui import __version__
from threadtui.config import load_settings, local_timezone
from threadtui.model import Thread, ThreadFileError, clean_line

EXIT_OK = 0
EXIT_INPUT = 2

SUBCOMMANDS = ("import", "validate")


class UsageError(Exception):
    """A bad option value the user typed; reported like an input error."""


def parse_tz(value: str) -> tzinfo:
    """An IANA zone name (Europe/Berlin), UTC, or a fixed offset (+07:00, -5)."""
    text = value.strip()
    if text.upper() in ("UTC", "Z", "GMT"):
        return UTC
    if text[:1] in "+-" and len(text) > 1:
        sign = -1 if text[0] == "-" else 1
        hours, _, minutes = text[1:].partition(":")
        if hours.isdigit() and (not minutes or minutes.isdigit()):
            offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
            if offset < timedelta(hours=24):
                return timezone(sign * offset)
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--tz: unknown time zone {value!r} (use a name like Europe/Berlin, UTC or +07:00)"
        ) from None


def warning_line(path: str, warning: str) -> str:
    """One stderr line per warning, `FILE:LINE: warning: ...` where the input line is known,
    so editors and terminals can jump to it."""
    # A file name can hold control characters like any downloaded text.
    path = clean_line(path)
    if warning.startswith("line "):
        number, sep, rest = warning[5:].partition(": ")
        if sep and number.isdigit():
            return f"{path}:{number}: warning: {rest}"
    return f"{path}: warning: {warning}"


def _fail(error: ThreadFileError | UsageError | str) -> int:
    # File errors already start with the file name; option errors get the program's.
    message = str(error) if isinstance(error, ThreadFileError) else f"threadtui: {error}"
    print(message, file=sys.stderr)
    return EXIT_INPUT


# --- threadtui import ------------------------------------------------------------------


def import_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="threadtui import",
        description="Convert a source (X story text copied from the page) to thread JSON.",
    )
    parser.add_argument("file", help="the text to import")
    parser.add_argument("-o", "--output", help="write here instead of stdout")
    parser.add_argument(
        "--tz", default="UTC", help="time zone of the times in the text (default UTC)"
    )
    args = parser.parse_args(argv)
    from threadtui.importers import xstory
    from threadtui.model import read_input
    from threadtui.opener import decode_text, import_text

    try:
        tz = parse_tz(args.tz)
        data = read_input(args.file)
        result = import_text(decode_text(data, args.file), args.file, tz=tz)
    except (ThreadFileError, UsageError) as error:
        return _fail(error)
    for warning in result.warnings:
        print(warning_line(args.file, str(warning)), file=sys.stderr)
    payload = xstory.dumps(result.document)
    if args.output:
        try:
            Path(args.output).write_bytes(payload)
        except OSError as error:
            return _fail(f"{clean_line(args.output)}: cannot write: {error.strerror or error}")
    else:
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
    return EXIT_OK


# --- threadtui validate ----------------------------------------------------------------


def validate_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
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
        print(warning_line(args.file, warning), file=sys.stderr)
    placeholders = len(thread.posts) - thread.real_post_count
    extra = f", {placeholders} placeholder(s) added" if placeholders else ""
    print(
        f"{clean_line(args.file)}: valid threadtui.thread v1: {thread.real_post_count} posts, "
        f"{len(thread.authors)} authors{extra}, {len(thread.warnings)} warning(s)"
    )
    return EXIT_OK


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


def print_thread(thread: Thread, query_text: str, fmt: str, tz: tzinfo) -> bytes:
    from threadtui.export.render import render_json, render_markdown, render_text
    from threadtui.query import FilterView, SearchIndex, parse_query, run_query

    view = query = None
    if query_text:
        query = parse_query(query_text, thread, tz=tz)
        view = FilterView.build(run_query(query, SearchIndex(thread)))
    if fmt == "json":
        return render_json(thread, view=view, query=query_text)
    if fmt == "markdown":
        return render_markdown(thread, tz=tz, view=view, query=query).encode()
    return render_text(thread, tz=tz, view=view, query=query).encode()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="threadtui",
        description=(
            "Read a discussion thread: a tree of replies and quotes beside the selected post."
            " FILE is a normalised thread JSON or X story text."
        ),
        epilog=(
            "other commands:\n"
            "  threadtui import FILE [-o OUT] [--tz ZONE]   convert a source to thread JSON\n"
            "  threadtui validate FILE                      check a thread JSON file"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", nargs="?", help="thread JSON or X story text")
    parser.add_argument("--demo", action="store_true", help="open the bundled demo thread")
    parser.add_argument("--version", action="version", version=f"threadtui {__version__}")
    parser.add_argument("--tz", help="time zone for times shown (default: config, else UTC)")
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
    look = parser.add_argument_group("terminal")
    look.add_argument(
        "--ascii", action="store_true", default=None, help="draw guides and borders in ASCII"
    )
    look.add_argument("--no-mouse", action="store_true", help="leave the mouse to the terminal")
    look.add_argument(
        "--color-system",
        choices=["auto", "truecolor", "256", "standard"],
        help="colours to use (NO_COLOR in the environment turns them off)",
    )
    look.add_argument("--theme", help="a Textual theme name, e.g. textual-dark, nord, gruvbox")
    look.add_argument("--time", choices=["relative", "absolute"], help="how tree rows show times")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] in SUBCOMMANDS:
        command, rest = args_list[0], args_list[1:]
        return import_main(rest) if command == "import" else validate_main(rest)

    parser = build_parser()
    args = parser.parse_args(args_list)
    from threadtui.opener import demo_path, open_thread

    if args.demo and args.file:
        parser.error("give a FILE or --demo, not both")
    if not args.demo and not args.file:
        parser.error("give a FILE to open, or --demo for the bundled demo thread")
    path = demo_path() if args.demo else Path(args.file)
    # No collections until the first frame is on screen (the app turns the collector back
    # on): loading, Textual's import and the app's set-up make hundreds of thousands of
    # objects and no garbage, and collections among them cost about 20 ms of startup.
    gc.disable()
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
        tz = parse_tz(settings.tz) if settings.tz else local_timezone()
        # Story texts show times in the zone they were captured in, which we cannot know:
        # read them as UTC unless --tz says otherwise (the display zone is separate).
        thread = open_thread(path, tz=parse_tz(args.tz) if args.tz else UTC)
    except (ThreadFileError, UsageError) as error:
        return _fail(error)

    filter_text = build_filter(args)
    search_text = args.search or ""
    try:
        check_query(thread, filter_text, "--from/--after/--before/--filter", tz)
        check_query(thread, search_text, "--search", tz)
    except UsageError as error:
        return _fail(error)

    if args.print_:
        gc.freeze()  # the thread lives until exit: no collection need walk it
        gc.enable()
        for line in problems:
            print(f"threadtui: {line}", file=sys.stderr)
        for warning in thread.warnings:
            print(warning_line(os.fspath(path), warning), file=sys.stderr)
        # In print there is nothing to highlight: a search narrows like a filter.
        combined = f"{filter_text} {search_text}".strip()
        sys.stdout.buffer.write(print_thread(thread, combined, args.format, tz))
        sys.stdout.flush()
        return EXIT_OK

    if args.color_system:
        # Textual reads this once, when it is first imported.
        os.environ["TEXTUAL_COLOR_SYSTEM"] = args.color_system
    from threadtui.ui.app import ThreadApp, run_app

    app = ThreadApp(
        thread,
        settings=settings,
        tz=tz,
        startup_messages=problems,
        search=search_text,
        filter=filter_text,
    )
    run_app(app, mouse=settings.mouse)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
