"""Coverage-guided fuzzing of the loader and the X story importer (atheris / libFuzzer).

Not part of the test suite: a long run, done by hand, whose results go in docs/robustness.md.

    pip install atheris                      # wheels for CPython 3.11 on x86-64 Linux
    python benchmarks/fuzz_robustness.py load  -atheris_runs=1000000
    python benchmarks/fuzz_robustness.py story -max_total_time=1200
    python benchmarks/fuzz_robustness.py open  -max_total_time=600 -max_len=65536
    python benchmarks/fuzz_robustness.py story crash-1234abcd       # replay one input

Targets (the first argument):

- `load`: the bytes as a thread file, through `load_bytes`.
- `story`: the bytes as story text (invalid UTF-8 becomes lone surrogates, which Python
  callers can pass), through `import_story`, then its document through the loader.
- `open`: what `threadtui FILE` does with the bytes: sniff, then load or import.

Every input must either be refused with the documented error (`ThreadFileError`,
`StoryFormatError`) or produce a result that keeps every promise `check_thread` and
`check_import` list. Anything else (another exception, a broken promise) is a finding:
libFuzzer stops and saves the input as `crash-<sha1>` in the working directory.

The seed corpus is every file in tests/data/hostile and tests/data/stories plus a few
small generated threads, copied to benchmarks/out/fuzz/<target>/ (git-ignored), where the
corpus grows as the fuzzer finds new paths. Extra libFuzzer flags pass through.
"""

from __future__ import annotations

import gc
import hashlib
import re
import sys
from datetime import UTC, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any

import atheris
import orjson

with atheris.instrument_imports(include=["threadtui"]):
    from threadtui.export.render import render_text
    from threadtui.importers.xstory import StoryFormatError, dumps, import_story
    from threadtui.model import NO_PARENT, Thread, ThreadFileError, load_bytes, load_document
    from threadtui.model.sanitize import is_clean
    from threadtui.model.timefmt import format_full, format_short
    from threadtui.opener import decode_text, import_text, looks_like_json

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out" / "fuzz"
SEEDS = [REPO / "tests" / "data" / "hostile", REPO / "tests" / "data" / "stories"]
ZONES = (UTC, timezone(timedelta(hours=-12)), timezone(timedelta(hours=14)))

_VALIDATOR: Any = None


def validator() -> Any:
    """The shipped JSON Schema, compiled once (jsonschema is a test extra)."""
    global _VALIDATOR
    if _VALIDATOR is None:
        import jsonschema

        text = resources.files("threadtui.model").joinpath("thread.schema.json").read_text()
        _VALIDATOR = jsonschema.Draft202012Validator(orjson.loads(text))
    return _VALIDATOR


class Finding(AssertionError):
    """A broken promise: libFuzzer reports it like a crash and keeps the input."""


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise Finding(what)


# --- promises -----------------------------------------------------------------------------


def file_post_ids(data: bytes) -> list[str] | None:
    """The ids of the posts in a JSON thread file, as the loader will name them."""
    try:
        document = orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError:
        return None
    posts = document.get("posts") if isinstance(document, dict) else None
    if not isinstance(posts, list):
        return None
    return [p["id"] for p in posts if isinstance(p, dict) and isinstance(p.get("id"), str)]


def check_thread(thread: Thread, file_ids: list[str] | None) -> None:
    """What a loaded thread promises: nothing dropped, a forest, nothing unsafe to show."""
    posts = thread.posts
    real = [p for p in posts if not p.synthetic]
    if file_ids is not None:
        expect(len(real) == len(file_ids), "a post of the file is missing")
        for post, raw in zip(real, file_ids, strict=True):
            expect(post.id == raw or not raw.isprintable(), f"post id changed: {raw!r}")
    # Every post has a row in the tree, except placeholders of absent quotes (cards only).
    order = thread.preorder
    expect(len(order) == len(set(order)), "a post appears twice in the tree")
    in_tree = set(order)
    for post in posts:
        card_only = post.synthetic and post.quoted_by is not None and post.children is None
        expect(post.index in in_tree or card_only, f"post {post.index} is not in the tree")
        if post.parent != NO_PARENT:
            expect(post.index in (posts[post.parent].children or ()), "parent link broken")
            expect(post.depth == posts[post.parent].depth + 1, "wrong depth")
        for q in post.quotes:
            expect(q in thread.by_id, f"unresolved quote {q!r}")
    shown = [thread.name, thread.title or "", thread.summary or "", *thread.warnings]
    shown += [k + v for k, v in thread.details.items()]
    for post in posts:
        shown += [post.id, post.text or "", post.first_line]
    for author in thread.authors.values():
        shown += [author.id, author.label, author.handle or "", author.display_name or ""]
    for text in shown:
        expect(is_clean(text), f"unsafe text survived loading: {text[:80]!r}")
    for post in posts:
        if post.created is not None:
            for zone in ZONES:
                format_full(post.created, zone)
                format_short(post.created, zone)
    printed = render_text(thread)
    expect(is_clean(printed.replace("\r", "")), "--print wrote a control character")


def nonblank_lines(text: str) -> set[int]:
    """As the importer numbers lines: a leading BOM is not text, CR alone may end lines."""
    text = text.removeprefix("\ufeff")
    separator = "\n" if "\n" in text or "\r" not in text else "\r"
    return {n for n, line in enumerate(text.split(separator), 1) if line.strip()}


def warned_lines(result: Any) -> set[int]:
    named: set[int] = set()
    for warning in result.warnings:
        if warning.line is not None:
            named.add(warning.line)
        for first, last in re.findall(r"lines (\d+)-(\d+)", warning.message):
            named.update(range(int(first), int(last) + 1))
    return named


def check_import(text: str, result: Any) -> None:
    """What an import promises: every line accounted for, a valid and loadable document."""
    roles = result.line_roles
    expect(set(roles) == nonblank_lines(text), "a non-blank input line has no role")
    dropped = {n for n, role in roles.items() if role == "warning"}
    expect(dropped <= warned_lines(result), "a dropped line is named by no warning")
    data = dumps(result.document)
    errors = list(validator().iter_errors(orjson.loads(data)))
    expect(not errors, f"the document breaks the schema: {errors[:1]}")
    thread = load_document(orjson.loads(data), name="fuzz.txt")
    expect(thread.real_post_count == len(result.document["posts"]), "the loader lost a post")
    check_thread(thread, [p["id"] for p in result.document["posts"]])


# --- targets ------------------------------------------------------------------------------


def fuzz_load(data: bytes) -> None:
    try:
        thread = load_bytes(data, name="fuzz.json")
    except ThreadFileError as error:
        expect("\n" not in str(error), "an error message is not one line")
        return
    check_thread(thread, file_post_ids(data))


def fuzz_story(data: bytes) -> None:
    text = data.decode("utf-8", "surrogateescape")
    try:
        result = import_story(text)
    except StoryFormatError:
        return
    check_import(text, result)


def fuzz_open(data: bytes) -> None:
    name = "fuzz-input"
    try:
        if looks_like_json(data):
            thread = load_bytes(data, name=name)
            file_ids = file_post_ids(data)
        else:
            result = import_text(decode_text(data, name), name)
            thread = load_document(result.document, name=name)
            file_ids = [p["id"] for p in result.document["posts"]]
    except ThreadFileError as error:
        expect("\n" not in str(error), "an error message is not one line")
        return
    check_thread(thread, file_ids)


TARGETS = {"load": fuzz_load, "story": fuzz_story, "open": fuzz_open}


def unfrozen(target: Any) -> Any:
    """Run `target`, then give back to the collector what the loader froze.

    The loader ends with gc.freeze() (a loaded thread lives as long as the program). In a
    process that loads over and over, that also freezes every earlier input's cyclic
    garbage (the importer's appearances and groups point at each other), and unfrozen
    objects land in the oldest generation, which is rarely collected: RSS grew ~28 KB a run
    until libFuzzer's 2 GB limit. A finding in docs/robustness.md; here, collect now and
    then so the fuzzer measures the code, not the leak.
    """
    runs = 0

    def run(data: bytes) -> None:
        nonlocal runs
        try:
            target(data)
        finally:
            gc.unfreeze()
            runs += 1
            if runs % 64 == 0:
                gc.collect()

    return run


def generated_seeds() -> list[bytes]:
    """Small valid threads of each shape the loader has a separate path for."""

    def doc(posts: list[dict[str, Any]]) -> bytes:
        return orjson.dumps(
            {
                "schema": "threadtui.thread",
                "schema_version": 1,
                "thread": {"title": "t", "root": "a"},
                "authors": {"u": {"handle": "h", "display_name": "n"}},
                "posts": posts,
            },
            option=orjson.OPT_INDENT_2,
        )

    full = {
        "id": "a",
        "author": "u",
        "text": "x",
        "created_at": "2026-05-28T23:57:00Z",
        "reply_to": None,
        "quotes": [],
        "metrics": {"views": 1, "likes": None, "reposts": 0, "replies": None, "quotes": None},
        "status": "ok",
    }
    return [
        doc([full, {"id": "b", "text": "y", "reply_to": "a", "quotes": ["a", "zz"]}]),
        doc([{"id": "b", "text": "y", "reply_to": "a"}, {"id": "a", "text": "x"}]),
        doc(
            [
                {"id": "a", "text": "x", "reply_to": "b"},
                {"id": "b", "text": None, "status": "deleted", "reply_to": "a"},
            ]
        ),
    ]


def seed_corpus(target: str) -> Path:
    corpus = OUT / target
    corpus.mkdir(parents=True, exist_ok=True)
    seeds = [
        p.read_bytes() for d in SEEDS if d.is_dir() for p in sorted(d.iterdir()) if p.is_file()
    ]
    for data in [*seeds, *generated_seeds()]:
        if len(data) <= 1 << 20:
            (corpus / hashlib.sha1(data).hexdigest()).write_bytes(data)
    return corpus


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        raise SystemExit(f"usage: {sys.argv[0]} {{{','.join(TARGETS)}}} [libFuzzer flags] [paths]")
    target = sys.argv[1]
    rest = sys.argv[2:]
    args = [sys.argv[0], *rest]
    if not any(not a.startswith("-") for a in rest):
        args.append(str(seed_corpus(target)))
    if not any(a.startswith("-max_len=") for a in rest):
        args.append("-max_len=16384")
    atheris.Setup(args, unfrozen(TARGETS[target]))
    atheris.Fuzz()


if __name__ == "__main__":
    main()
