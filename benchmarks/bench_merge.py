"""Merging new posts into a big open thread (issue #15: 1,000 posts into 100,000 on screen
within 100 ms of the data arriving, the cursor on the same post).

    python benchmarks/bench_merge.py                      # 100k bushy + 1,000, 3 rounds
    python benchmarks/bench_merge.py --posts 10k --batch 200 --repeat 2 --no-app

The case: a generated thread of `posts + batch` posts (benchmarks/generate.py) whose first
`posts` posts are the open thread and whose last `batch` are what a refresh brings: replies
spread over the tree, some of them to other new posts. The batch also fills a few
placeholders (quoted posts the thread lacked) and carries newer copies of a few posts with
changed metrics, as a refresh does.

- **model**: `Thread.add(document)` alone, on a freshly loaded thread each round; and,
  where the code has it, its two parts: `grow.prepare` (read and check: the fetch's
  worker runs it) and the add of the prepared batch (the UI thread's part);
- **app**: the real app, headless (100×30), with the cursor on a post deep in the tree. The
  batch is handed to a `LiveFetch` in a thread, as the fetch's worker hands it a response
  (`_response`: the import and checks run there); **arrival → last frame** is from that
  hand-over to the last frame painted in consequence (no frame for 0.15 s ends the burst),
  **UI blocked** the time the UI thread spent in the `PostsArrived` handler and in the
  `PostsAdded` one that follows it (the read state taking in the new posts), and
  **cursor kept** whether the cursor is on the same post after. The thread is open with
  its read state (every post read on an earlier visit, in a folder of the run's own), as
  a thread reopened and refreshed is; `--no-state` opens it without.

Medians over `--repeat` rounds (each on a fresh thread and app); the load average is
printed with the figures. Nothing is asserted: figures go into docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import orjson

from common import machine_info, machine_line
from generate import generate, parse_size, size_label

FILLS = 5
CHANGED = 20
QUIET = 0.15


def make_case(n: int, batch: int, seed: int = 1) -> tuple[bytes, bytes]:
    """The open thread and the refresh's document, as JSON bytes."""
    whole = generate(n + batch, "bushy", seed)
    posts = whole.pop("posts")
    base, new = posts[:n], posts[n:]
    present = {p["id"] for p in base}
    absent = sorted(
        {q for p in base for q in p["quotes"] if q not in present}
        | {p["reply_to"] for p in base if p["reply_to"] and p["reply_to"] not in present}
    )
    step = max(1, n // (CHANGED + 1))
    changed = []
    for p in base[step::step][:CHANGED]:
        copy = dict(p, metrics=dict(p["metrics"]))
        copy["metrics"]["likes"] = (copy["metrics"].get("likes") or 0) + 1
        changed.append(copy)
    fills = [
        dict(base[1], id=pid, reply_to=base[(k + 1) * step]["id"], quotes=[])
        for k, pid in enumerate(absent[:FILLS])
    ]
    used = {p["author"] for p in [*new, *changed, *fills] if p["author"]}
    authors = whole.pop("authors")
    head = dict(whole, authors=authors, posts=base)
    refresh = dict(
        whole,
        authors={key: value for key, value in authors.items() if key in used},
        posts=[*new, *fills, *changed],
    )
    return orjson.dumps(head), orjson.dumps(refresh)


def bench_model(base: bytes, refresh: bytes, rounds: int) -> dict[str, float]:
    """`Thread.add(document)` whole; and, where the code splits it (`grow.prepare` in the
    fetch's worker, then the add of what it read on the UI thread), each part."""
    from threadtui.model import grow, load_bytes

    split = hasattr(grow, "prepare")
    times, reads, links = [], [], []
    for _ in range(rounds):
        thread = load_bytes(base, name="base.json")
        document = orjson.loads(refresh)
        gc.collect()
        start = time.perf_counter()
        thread.add(document)
        times.append(time.perf_counter() - start)
        if split:
            thread = load_bytes(base, name="base.json")
            gc.collect()
            start = time.perf_counter()
            prepared = grow.prepare(thread, orjson.loads(refresh))
            middle = time.perf_counter()
            thread.add(prepared)
            reads.append(middle - start)
            links.append(time.perf_counter() - middle)
            # The batch holds its thread: freeing 100,000 posts when `prepared` is bound
            # again next round landed in the timed prepare (~70 ms of a 6 ms read).
            del prepared
        del thread, document
    result = {"add_ms": statistics.median(times) * 1000}
    if split:
        result["prepare_ms"] = statistics.median(reads) * 1000
        result["apply_ms"] = statistics.median(links) * 1000
    return result


async def _wait_quiet(frames: list[float], timeout: float = 30.0) -> None:
    start = time.monotonic()
    seen, since = len(frames), start
    while time.monotonic() - start < timeout:
        await asyncio.sleep(0.02)
        now = time.monotonic()
        if len(frames) != seen:
            seen, since = len(frames), now
        elif now - since >= QUIET:
            return
    raise RuntimeError("the app did not go quiet")


def bench_app_once(base: bytes, refresh: bytes, *, with_state: bool = True) -> dict[str, Any]:
    from textual.app import App

    from threadtui.config import Settings
    from threadtui.fetch.run import FetchOptions
    from threadtui.model import load_bytes
    from threadtui.ui.app import ThreadApp
    from threadtui.ui.loading import LiveFetch, PostsAdded, PostsArrived
    from threadtui.ui.tree import ThreadTree

    frames: list[float] = []
    blocked: list[float] = []
    original_display = App._display
    original_on_message = ThreadApp._on_message

    def display(self: Any, screen: Any, renderable: Any) -> None:
        original_display(self, screen, renderable)
        if renderable is not None and not self._batch_count:
            frames.append(time.monotonic())

    async def on_message(self: Any, message: Any) -> None:
        # The handler is registered by `@on`: timed around the app's dispatch of it.
        if not isinstance(message, PostsArrived | PostsAdded):
            return await original_on_message(self, message)
        start = time.perf_counter()
        await original_on_message(self, message)
        blocked.append(time.perf_counter() - start)

    thread = load_bytes(base, name="base.json")
    read_state = None
    folder = tempfile.TemporaryDirectory(prefix="bench-merge-")
    if with_state:
        from threadtui.state import open_state

        earlier, _ = open_state(thread, directory=Path(folder.name))
        earlier.mark_many(range(len(thread.posts)))
        earlier.save()
        read_state, _ = open_state(thread, directory=Path(folder.name))
    app = ThreadApp(
        thread,
        settings=Settings(),
        url="https://example.invalid/thread",
        read_state=read_state,
    )
    result: dict[str, Any] = {}

    async def script() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            app.clear_notifications()
            tree = app.query_one(ThreadTree)
            # A post deep in the tree: new rows land above it and below it.
            target = tree.model.rows[len(tree.model.rows) * 2 // 3]
            tree.move_to_post(target)
            await pilot.pause()
            await _wait_quiet(frames)
            fetch = LiveFetch(app, "https://example.invalid/thread", FetchOptions())
            app.fetching = fetch
            app._refreshing = True
            mark = len(frames)
            t0 = time.monotonic()
            worker = threading.Thread(target=fetch._response, args=("refresh.json", refresh, None))
            worker.start()
            while not blocked:
                await asyncio.sleep(0.005)
            await _wait_quiet(frames)
            worker.join()
            after = frames[mark:]
            result["frame_ms"] = ((after[-1] - t0) if after else float("nan")) * 1000
            result["frames"] = len(after)
            result["blocked_ms"] = sum(blocked) * 1000
            result["cursor_kept"] = tree.cursor_post == target
            result["posts"] = len(app.thread.posts)
            app.fetching = None
            await pilot.press("q")

    App._display = display  # type: ignore[method-assign]
    ThreadApp._on_message = on_message  # type: ignore[method-assign]
    try:
        asyncio.run(script())
    finally:
        folder.cleanup()
        App._display = original_display  # type: ignore[method-assign]
        ThreadApp._on_message = original_on_message  # type: ignore[method-assign]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", default="100k")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-app", action="store_true", help="only the model part")
    parser.add_argument("--no-state", action="store_true", help="the app without read state")
    args = parser.parse_args(argv)
    n = parse_size(args.posts)
    print(machine_line(machine_info()))
    base, refresh = make_case(n, args.batch)
    print(f"{size_label(n)} bushy + {args.batch:,} new ({FILLS} fills, {CHANGED} changed)")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    model = bench_model(base, refresh, args.repeat)
    parts = (
        f" = prepare {model['prepare_ms']:.1f} ms (worker) + add {model['apply_ms']:.1f} ms"
        if "prepare_ms" in model
        else ""
    )
    print(
        f"model: Thread.add {model['add_ms']:.1f} ms{parts} (medians of {args.repeat})",
        flush=True,
    )
    if not args.no_app:
        runs = [
            bench_app_once(base, refresh, with_state=not args.no_state) for _ in range(args.repeat)
        ]
        frame = statistics.median(r["frame_ms"] for r in runs)
        blocked = statistics.median(r["blocked_ms"] for r in runs)
        kept = all(r["cursor_kept"] for r in runs)
        print(
            f"app: arrival → last frame {frame:.0f} ms, UI blocked {blocked:.0f} ms"
            f" (medians of {len(runs)}; each: "
            + ", ".join(f"{r['frame_ms']:.0f}/{r['blocked_ms']:.0f}" for r in runs)
            + f"), cursor kept: {kept}"
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
