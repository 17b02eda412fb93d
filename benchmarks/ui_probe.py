"""The child side of bench_ui.py: one fresh interpreter per measurement.

    python benchmarks/ui_probe.py floor FILE --out RESULT.json
    python benchmarks/ui_probe.py first-frame FILE --out RESULT.json
    python benchmarks/ui_probe.py keys FILE --out RESULT.json --repeat 7
    python benchmarks/ui_probe.py query FILE --out RESULT.json --repeat 5

`first-frame` and `keys` start the app exactly as the `threadtui FILE` command does, by
calling `threadtui.cli.main`, so whatever the command does before its first frame (read,
load, import Textual, compose, mount) is measured, and any change to that path is too.
An import hook patches `textual.app.App` as it is first imported, not before: the command
imports Textual only after loading the thread, and importing it early would move ~30 MB
of modules under the load's memory peak. The patched `App.run` runs headless at a fixed
size with an autopilot (this module's script), and `App._display` timestamps every frame.

**First frame** is the first frame (a call of `App._display` with a compositor update,
which in headless mode is the point where a terminal write would happen) painted after
`DetailPane.show` has finished showing the post under the tree's cursor and the
compositor has the tree (with rows) and the detail pane on screen.
Times are read from CLOCK_MONOTONIC, which is system-wide on Linux, so the parent's spawn
time and the child's frame times share a clock.

The frames that follow it (late layout, a scrollbar appearing) are reported as **fully
drawn**: the last frame before painting first pauses for 0.25 s.

**Key latency** is the time from calling a tree action (or `DetailPane.show`) until the
last frame painted in consequence: after the call the app is left alone (no Pilot call)
until no frame has come for 0.15 s and the process is idle, and the latency is the last
frame's timestamp minus the call's start. Pilot's waiting is therefore not in the
figure; Textual's refresh timer (60 fps: up to ~17 ms between "dirty" and painted) is,
as it is for a user. `call` is the synchronous action alone.

Only the standard library is imported before the clock starts, so `floor` pays the same
interpreter start as the app.
"""

from __future__ import annotations

import time

T0 = time.monotonic()

# Nothing but os and sys up here (both loaded by the interpreter's start anyway): `floor`
# must not pay for modules that json, typing or asyncio would pull in.
import os  # noqa: E402
import sys  # noqa: E402

from procstatus import status_mb  # noqa: E402

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence
    from types import ModuleType
    from typing import Any

SIZE = (100, 30)
"""Terminal columns × rows, the same as the pty run and the UI tests."""
SETTLE_TIMEOUT = 60.0
INDEX_TIMEOUT = 300.0

# What the running app reports: filled in by the hooks, read by the autopilot.
STATE: dict[str, Any] = {"frames": [], "first_frame": None, "first_display": None}
FRAMES: list[float] = STATE["frames"]
RESULT: dict[str, Any] = {"t0": T0, "pid": os.getpid()}
ARGS: dict[str, Any] = {}


def peak_mb() -> float | None:
    """High-water RSS of this process (VmHWM: see common.py for why not ru_maxrss)."""
    return status_mb(b"VmHWM:")


def finish(code: int = 0) -> None:
    """Write the result and leave without tearing down a heap of a million objects."""
    import json

    RESULT["rss_end_mb"] = status_mb(b"VmRSS:")
    with open(ARGS["out"], "w", encoding="utf-8") as f:
        json.dump(RESULT, f)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def fail(message: str) -> None:
    RESULT["error"] = message
    finish(1)


# --- the floor ---------------------------------------------------------------------------


def run_floor(path: str) -> None:
    from pathlib import Path

    import orjson

    t_import = time.monotonic()
    data = Path(path).read_bytes()
    t_read = time.monotonic()
    if path.endswith(".jsonl"):
        # One JSON document a line (twarc): the least any reader pays is parsing each.
        doc: Any = [orjson.loads(line) for line in data.splitlines() if line.strip()]
    else:
        doc = orjson.loads(data)
    t_done = time.monotonic()
    RESULT.update(
        t_import=t_import,
        t_read=t_read,
        t_done=t_done,
        parse_s=t_done - t_read,
        stmt_s=t_done - t_import,
        peak_mb=peak_mb(),
        posts=len(doc["posts"]) if isinstance(doc, dict) and "posts" in doc else None,
    )
    finish()


# --- hooking Textual as the command imports it -------------------------------------------


def _shows_first_post(app: Any) -> bool:
    from threadtui.ui.detail import DetailPane
    from threadtui.ui.tree import ThreadTree

    screen = app.screen
    try:
        tree = screen.query_one(ThreadTree)
        detail = screen.query_one(DetailPane)
    except Exception:  # not composed yet, or another screen on top
        return False
    # cursor_post, not rows: the tree walks its whole row list on first use of `rows`,
    # which the probe must not trigger from inside a frame.
    cursor = tree.cursor_post
    if cursor is None or STATE.get("shown") != cursor:
        return False
    visible = screen._compositor.visible_widgets
    return tree in visible and detail in visible


def _patch_detail() -> None:
    """Note each post `DetailPane.show` has finished showing: a frame painted after that
    has the post's detail in it, however the pane builds it."""
    import inspect

    from threadtui.ui.detail import DetailPane

    original_show = DetailPane.show

    def show(self: Any, index: int | None, *args: Any, **kwargs: Any) -> None:
        original_show(self, index, *args, **kwargs)
        STATE["shown"] = index

    async def show_async(self: Any, index: int | None, *args: Any, **kwargs: Any) -> None:
        await original_show(self, index, *args, **kwargs)
        STATE["shown"] = index

    # A coroutine in older revisions (`--rev`); plain since the pane draws its own lines.
    async_show = inspect.iscoroutinefunction(original_show)
    DetailPane.show = show_async if async_show else show  # type: ignore[method-assign]  # the probe patches the method to time it


FILTER_TIME = [0.0, 0]
"""Seconds spent in the app's output filters (ui/output.py), and lines they were given."""


def _patch_output_filters(app: Any) -> None:
    """`--no-output-filter`: the app without its last stage (contrast repair, --ascii),
    for the cost of that stage by difference; otherwise each filter's `apply` is timed
    (perf_counter, ~0.1 µs a call: small against a line's filtering)."""
    filters = getattr(app, "_output_filters", None)
    if filters is None:  # a revision before the output stage (`--rev`)
        RESULT["output_filters"] = None
        return
    if ARGS.get("no_output_filter"):
        filters.clear()
        RESULT["output_filters"] = []
        return
    RESULT["output_filters"] = [type(f).__name__ for f in filters]
    perf_counter = time.perf_counter
    for f in filters:
        apply = f.apply

        def timed_apply(segments: Any, background: Any, apply: Any = apply) -> Any:
            t = perf_counter()
            out = apply(segments, background)
            FILTER_TIME[0] += perf_counter() - t
            FILTER_TIME[1] += 1
            return out

        f.apply = timed_apply


def _patch_app(module: ModuleType) -> None:
    app_class = module.App
    original_display = app_class._display
    original_run = app_class.run

    def _display(self: Any, screen: Any, renderable: Any) -> None:
        original_display(self, screen, renderable)
        if renderable is None or self._batch_count:
            return  # nothing was (or would have been) written to the terminal
        now = time.monotonic()
        FRAMES.append(now)
        if STATE["first_display"] is None:
            STATE["first_display"] = now
        if STATE["first_frame"] is None and _shows_first_post(self):
            STATE["first_frame"] = now
            RESULT["peak_first_frame_mb"] = peak_mb()
            RESULT["filter_first_frame_s"], RESULT["filter_first_frame_lines"] = FILTER_TIME
            if STATE.get("profiler") is not None:
                STATE["profiler"].disable()
                _save_profile(STATE.pop("profiler"), "first frame")

    def run(self: Any, **kwargs: Any) -> Any:
        RESULT["t_app_run"] = time.monotonic()
        STATE["app"] = self
        _patch_detail()
        _patch_output_filters(self)
        kwargs.update(headless=True, size=SIZE, auto_pilot=_autopilot)
        return original_run(self, **kwargs)

    app_class._display = _display
    app_class.run = run


class _TextualHook:
    """A meta path finder that patches `textual.app` right after its first import,
    whoever imports it (no importlib.abc base: that import would cost the floor too)."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != "textual.app":
            return None
        import importlib.util

        RESULT["t_textual_import"] = time.monotonic()
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        loader = spec.loader
        exec_module = loader.exec_module

        def exec_and_patch(module: ModuleType) -> None:
            exec_module(module)
            _patch_app(module)

        loader.exec_module = exec_and_patch  # type: ignore[method-assign]  # the probe patches the loader to time it
        return spec


def run_command(path: str) -> None:
    """`threadtui FILE` as the console script runs it, with the hooks in place."""
    sys.meta_path.insert(0, _TextualHook())
    # `--profile "first frame"`: from here to the first frame (stopped in `_display`).
    STATE["profiler"] = _profiler("first frame")
    RESULT["t_main"] = time.monotonic()
    import threadtui.cli
    from threadtui.cli import main

    # Headless needs no terminal: skip the command's check for one (stdout is a pipe here).
    threadtui.cli.terminal_problem = lambda: None
    code = main([path, "--tz", "UTC"])
    # The autopilot ends the process; getting here means the app never drew its tree.
    fail(f"the app exited (status {code}) before the autopilot finished")


async def _autopilot(pilot: Any) -> None:
    try:
        await _script(pilot)
    except Exception as error:  # any failure must end the process
        import traceback

        RESULT["traceback"] = traceback.format_exc()
        fail(f"{type(error).__name__}: {error}")
    finish()


async def _wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    import asyncio

    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            fail(f"timed out after {timeout:.0f} s waiting for {what}; {_app_state()}")
        await asyncio.sleep(0.005)
    return time.monotonic() - start


def _app_state() -> str:
    """What the app looks like when something never happened: for the error message."""
    app = STATE.get("app")
    if app is None:
        return "no app"
    try:
        from threadtui.ui.detail import DetailPane
        from threadtui.ui.tree import ThreadTree

        tree = app.screen.query_one(ThreadTree)
        detail = app.screen.query_one(DetailPane)
        return (
            f"{len(FRAMES)} frames, screen {type(app.screen).__name__},"
            f" tree rows {len(tree.rows)}, cursor post {tree.cursor_post},"
            f" detail index {detail.index} with {len(detail.children)} widgets"
        )
    except Exception as error:  # the state is only for a message: never fail on it
        return f"{len(FRAMES)} frames, screen {type(app.screen).__name__} ({error!r})"


async def _wait_for_index(app: Any) -> None:
    """The search index is built by a thread worker from mount on; while it runs it holds
    the GIL half the time, so keys timed meanwhile would measure that contention."""
    ready = getattr(getattr(app, "queries", None), "_ready", None)
    if ready is not None:
        await _wait_until(ready.is_set, INDEX_TIMEOUT, "the search index")
        RESULT["t_index_ready"] = time.monotonic()


FULLY_DRAWN_GAP = 0.25
"""A pause in painting this long ends the burst of frames that opening the thread causes."""


def fully_drawn(first: float) -> float:
    """The last frame of the burst that starts with the first frame: the reply list's rows
    fill in, the scrollbar appears, and so on, before the app first rests."""
    last = first
    for t in FRAMES:
        if t <= first:
            continue
        if t - last >= FULLY_DRAWN_GAP:
            break
        last = t
    return last


async def _script(pilot: Any) -> None:
    app = pilot.app
    await _wait_until(lambda: STATE["first_frame"] is not None, INDEX_TIMEOUT, "the first frame")
    RESULT["t_first_frame"] = STATE["first_frame"]
    RESULT["t_first_display"] = STATE["first_display"]
    await _wait_for_index(app)
    await _settle(pilot)
    RESULT["t_fully_drawn"] = fully_drawn(STATE["first_frame"])
    RESULT["peak_settled_mb"] = peak_mb()
    RESULT["rss_settled_mb"] = status_mb(b"VmRSS:")
    if ARGS["mode"] == "keys":
        await run_keys(pilot, ARGS["repeat"])
        RESULT["peak_end_mb"] = peak_mb()
    elif ARGS["mode"] == "ui-query":
        # Only the search and filter keystrokes (bench_query.py --ui), once the index
        # and its tree-order text (query.window) are built.
        queries = app.queries
        await _wait_until(
            # (A revision before the window has no tree text to wait for.)
            lambda: (
                queries._index is not None
                and getattr(queries._index, "tree_text", True) is not None
            ),
            INDEX_TIMEOUT,
            "the search index's tree text",
        )
        await _settle(pilot)
        RESULT["ui_query"] = await measure_ui_query(pilot)


# --- key latencies -----------------------------------------------------------------------


async def _settle(pilot: Any) -> None:
    """Pause until a whole Pilot pause goes by without a new frame (or with the app idle
    and nothing left to paint): then every consequence of the last action is on screen."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while time.monotonic() < deadline:
        seen = len(FRAMES)
        await pilot.pause()
        if len(FRAMES) == seen:
            return
    fail("the app did not settle")


PROFILED: set[str] = set()


def _profiler(name: str) -> Any:
    """A running cProfile if `--profile A,B` names this operation (its first run only).

    cProfile, not a sampler: the work runs in the widgets' message-pump tasks, and a
    deterministic profile of the whole event-loop thread attributes it all, to the line."""
    wanted = [w.strip().casefold() for w in ARGS.get("profile", "").split(",") if w.strip()]
    if not any(w in name.casefold() for w in wanted) or name in PROFILED:
        return None
    PROFILED.add(name)
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    return profiler


def _save_profile(profiler: Any, name: str) -> None:
    import io
    import pstats

    slug = "-".join("".join(c if c.isalnum() else " " for c in name.casefold()).split())
    stem = os.path.splitext(os.path.basename(ARGS["file"]))[0]
    base = os.path.join(ARGS["profile_dir"] or os.path.dirname(ARGS["out"]), f"ui-{stem}-{slug}")
    path = base + ".profile.txt"
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(30)
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"{name}: cProfile of the event-loop thread, call to settled\n")
        f.write(text.getvalue())
    stats.dump_stats(base + ".pstats")
    RESULT.setdefault("profiles", {})[name] = path


QUIET = 0.15
"""No frame and an idle process for this long: the app has finished answering."""


async def _wait_quiet() -> None:
    """Wait without touching the app (Pilot's pause queues a callback on every widget,
    which would compete with the work being timed): until no frame has come for QUIET
    seconds and the process, worker threads included, has been nearly idle meanwhile."""
    import asyncio

    start = time.monotonic()
    seen, since = len(FRAMES), start
    cpu = time.process_time()
    while time.monotonic() - start < SETTLE_TIMEOUT:
        await asyncio.sleep(0.025)
        now, used = time.monotonic(), time.process_time()
        if len(FRAMES) != seen or used - cpu > 0.005:
            seen, since = len(FRAMES), now
        elif now - since >= QUIET:
            return
        cpu = used
    fail(f"the app did not go quiet within {SETTLE_TIMEOUT:.0f} s")


GC_PAUSES: list[tuple[float, float, int]] = []
"""(start, seconds, generation) of every garbage collection during the key session."""


def _track_gc() -> None:
    """Record collections: a slow p95 is often one full collection walking what was built
    after the loader froze the thread (the search index, Textual's widgets)."""
    import gc

    started: list[float] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(time.monotonic())
        elif started:
            begin = started.pop()
            GC_PAUSES.append((begin, time.monotonic() - begin, info["generation"]))

    gc.callbacks.append(callback)


async def timed(pilot: Any, act: Callable[[], Any], name: str = "") -> dict[str, Any]:
    import inspect

    profiler = _profiler(name)
    gc_mark = len(GC_PAUSES)
    mark = len(FRAMES)
    filter_s, filter_lines = FILTER_TIME
    t0 = time.monotonic()
    result = act()
    if inspect.isawaitable(result):
        await result
    t1 = time.monotonic()
    await _wait_quiet()
    frames = FRAMES[mark:]
    filter_s, filter_lines = FILTER_TIME[0] - filter_s, FILTER_TIME[1] - filter_lines
    end = frames[-1] if frames else t1
    pauses = [(b, d, g) for b, d, g in GC_PAUSES[gc_mark:] if b <= end]
    if profiler is not None:
        profiler.disable()
        _save_profile(profiler, name)
    # Pilot's pause forces a repaint of anything still dirty: a frame here means the app
    # left something unpainted (it should be 0).
    await _settle(pilot)
    return {
        "call": t1 - t0,
        "frame": (frames[-1] - t0) if frames else (t1 - t0),
        "frames": len(frames),
        "forced_frames": len(FRAMES) - mark - len(frames),
        # Collections inside the measured span (up to the last frame).
        "gc": sum(d for _, d, _ in pauses),
        "gc_full": sum(1 for _, _, g in pauses if g == 2),
        # In the output filters, up to quiet (the frames it caused are all inside).
        "filter": filter_s,
        "filter_lines": filter_lines,
        # When each frame came, for seeing where a slow response spends its time.
        "frame_at": [round(f - t0, 5) for f in frames],
    }


def summary(samples: Sequence[dict[str, float]]) -> dict[str, Any]:
    import statistics

    def stats(key: str) -> dict[str, float]:
        values = sorted(s[key] for s in samples)
        # Nearest-rank p95: with few samples it is the slowest run, never an interpolation.
        p95 = values[max(0, min(len(values) - 1, -(-95 * len(values) // 100) - 1))]
        return {"median": statistics.median(values), "p95": p95, "max": values[-1]}

    return {
        "n": len(samples),
        "call": stats("call"),
        "frame": stats("frame"),
        "forced_frames": sum(s.get("forced_frames", 0) for s in samples),
        "gc": stats("gc") if all("gc" in s for s in samples) else None,
        "gc_full": sum(s.get("gc_full", 0) for s in samples),
        "filter": stats("filter") if all("filter" in s for s in samples) else None,
        "filter_lines": (
            statistics.median(s["filter_lines"] for s in samples)
            if all("filter_lines" in s for s in samples)
            else None
        ),
        "frames": statistics.median(s["frames"] for s in samples),
    }


def _targets(thread: Any) -> dict[str, Any]:
    """Posts that make each operation as heavy as the thread allows."""
    posts = thread.posts
    order = thread.preorder
    n = len(order)
    # "A search match far down": the deepest post in the last tenth of tree order.
    tail = order[int(n * 0.9) :] or order
    far = max(tail, key=lambda i: posts[i].depth)
    most_replies = max(range(len(posts)), key=lambda i: len(posts[i].children or ()))
    most_quoted = max(range(len(posts)), key=lambda i: len(posts[i].quoted_by or ()))
    by_id = thread.by_id

    def quote_depth(i: int) -> int:
        # Cards nest three deep (detail.MAX_CARD_DEPTH); one more level becomes a note.
        depth, seen = 0, {i}
        while depth < 4:
            quoted = [by_id[q] for q in posts[i].quotes if q in by_id]
            if not quoted or quoted[0] in seen:
                break
            i = quoted[0]
            seen.add(i)
            depth += 1
        return depth

    quoting = [i for i, p in enumerate(posts) if p.quotes]
    most_quotes = max(quoting, key=lambda i: (len(posts[i].quotes), quote_depth(i)), default=0)
    plain = next((i for i in order if not posts[i].children and not posts[i].quotes), order[-1])
    return {
        "root": thread.roots[0],
        "far": far,
        "far_rank": thread.rank[far],
        "far_depth": posts[far].depth,
        "most_replies": most_replies,
        "most_replies_n": len(posts[most_replies].children or ()),
        "most_quoted": most_quoted,
        "most_quoted_n": len(posts[most_quoted].quoted_by or ()),
        "most_quotes": most_quotes,
        "most_quotes_n": len(posts[most_quotes].quotes),
        "most_quotes_depth": quote_depth(most_quotes),
        "plain": plain,
    }


async def run_keys(pilot: Any, repeat: int) -> None:
    from threadtui.ui.detail import DetailPane
    from threadtui.ui.tree import ThreadTree

    app = pilot.app
    tree = app.query_one(ThreadTree)
    detail = app.query_one(DetailPane)
    thread = tree.thread
    app.clear_notifications()  # a toast that times out mid-run would paint a stray frame
    import gc

    # What one full collection walks once the app is up (the loader freezes the thread;
    # whatever is built after it is walked by every full collection).
    t = time.perf_counter()
    gc.collect()
    RESULT["gc_full_collect_s"] = time.perf_counter() - t
    tracked = gc.get_objects()
    RESULT["gc_tracked"] = len(tracked)
    kinds: dict[str, int] = {}
    for obj in tracked:
        kinds[type(obj).__name__] = kinds.get(type(obj).__name__, 0) + 1
    RESULT["gc_tracked_kinds"] = sorted(kinds.items(), key=lambda kv: -kv[1])[:8]
    del tracked
    RESULT["gc_frozen"] = gc.get_freeze_count()
    _track_gc()
    await _settle(pilot)
    targets = _targets(thread)
    RESULT["targets"] = targets
    RESULT["rows"] = len(tree.rows)
    ops: dict[str, list[dict[str, float]]] = {}

    async def run(
        name: str, act: Callable[[], Any], setup: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        if setup is not None:
            await setup()
            await _settle(pilot)
        ops.setdefault(name, []).append(await timed(pilot, act, name))

    async def expanded_at_top() -> None:
        if any(tree.collapsed):
            tree.expand_all()
        tree.action_first()

    async def depth_one_at_top() -> None:
        tree.collapse_to_depth(1)
        tree.action_first()

    # Pilot's own cost (not in any figure: latencies are frame timestamps), and a no-op
    # through the same measurement, which must paint nothing.
    for _ in range(repeat):
        mark = len(FRAMES)
        t0 = time.monotonic()
        await pilot.pause()
        wall = time.monotonic() - t0
        ops.setdefault("pilot.pause() alone", []).append(
            {"call": wall, "frame": wall, "frames": len(FRAMES) - mark}
        )
        await run("no-op", lambda: None)

    await expanded_at_top()
    await _settle(pilot)
    for _ in range(repeat * 3):
        if tree.cursor > 200:
            tree.action_first()
            await _settle(pilot)
        await run("cursor down (j)", tree.action_cursor_down)

    root = targets["root"]
    # Enter's action was `toggle` before it stopped overriding Textual's own (`--rev` may
    # measure a commit from before).
    toggle = getattr(tree, "action_toggle_fold", None) or tree.action_toggle
    for _ in range(repeat):
        await run("collapse root (Enter)", toggle, expanded_at_top)
        # The cursor is still on the collapsed root: Enter again unfolds it.
        await run("expand root (Enter)", toggle)
        assert not tree.collapsed[root]

    for _ in range(repeat):
        await run("last post (G)", tree.action_last, expanded_at_top)
        await run("first post (g)", tree.action_first)

    for _ in range(repeat):
        await run("collapse to depth 1 (1)", lambda: tree.action_collapse_depth(1), expanded_at_top)
        await run("expand all (0) after 1", tree.action_expand_all)

    far = targets["far"]
    for _ in range(repeat):
        # expand_all resets the row index, as any fold or filter change does before a jump.
        await run("jump far down (expanded)", lambda: tree.move_to_post(far), expanded_at_top)
        await run("jump far down (after 1)", lambda: tree.move_to_post(far), depth_one_at_top)

    await expanded_at_top()

    async def show_plain() -> None:
        shown = detail.show(targets["plain"])
        if shown is not None:  # a coroutine in revisions before the pane drew its own lines
            await shown

    for key in ("most_replies", "most_quoted", "most_quotes"):
        label = {
            "most_replies": f"detail: most replies ({targets['most_replies_n']:,})",
            "most_quoted": f"detail: most quoted ({targets['most_quoted_n']:,} quoting)",
            "most_quotes": (
                f"detail: quotes {targets['most_quotes_n']}, nested"
                f" {targets['most_quotes_depth']} deep"
            ),
        }[key]
        index = targets[key]
        for _ in range(repeat):
            await run(label, lambda index=index: detail.show(index), show_plain)

    await _settle(pilot)
    RESULT["keys"] = {
        name: {**summary(samples), "samples": samples} for name, samples in ops.items()
    }
    if ARGS.get("ui_query", True):
        RESULT["ui_query"] = await measure_ui_query(pilot)


# --- search and filter keystrokes through the UI -----------------------------------------

UI_SEARCH_TEXT = "the audit"
UI_FILTER_TEXT = "views:>1000"


async def measure_ui_query(pilot: Any) -> dict[str, Any]:
    """HOOK for the UI-level search/filter keystroke: typed into the query bar, from the
    key press to the last frame after the worker's result was applied. It relies on the
    app's current query UI (`action_search`, `action_filter`, `QueryBar`, `app.queries`);
    if that changes, this reports why it could not run instead of failing the benchmark."""
    import statistics

    app = pilot.app
    queries = getattr(app, "queries", None)
    if queries is None or not hasattr(app, "action_search"):
        return {"skipped": "the app has no search UI (app.queries / action_search)"}
    delivered: list[tuple[str, float]] = []
    original = getattr(queries, "_deliver", None)
    if original is None:
        return {"skipped": "query controller changed: no _deliver"}

    def wrapper(kind: Any, outcome: Any, *rest: Any) -> None:
        original(kind, outcome, *rest)
        text = "" if outcome is None else getattr(outcome, "text", "")
        delivered.append((text, time.monotonic()))

    queries._deliver = wrapper

    out: dict[str, Any] = {}
    for mode, text in (("search", UI_SEARCH_TEXT), ("filter", UI_FILTER_TEXT)):
        getattr(app, f"action_{mode}")()
        await _settle(pilot)
        samples = []
        for k in range(1, len(text) + 1):
            prefix = text[:k]
            delivered.clear()
            profiler = _profiler(f"{mode} keystroke {prefix!r}")
            mark = len(FRAMES)
            t0 = time.monotonic()
            await pilot.press(text[k - 1])
            t1 = time.monotonic()

            def arrived(prefix: str = prefix) -> bool:
                return any(t.strip() == prefix.strip() for t, _ in delivered)

            if prefix.strip():
                await _wait_until(arrived, SETTLE_TIMEOUT, f"the {mode} result for {prefix!r}")
            await _settle(pilot)
            if profiler is not None:
                profiler.disable()
                _save_profile(profiler, f"{mode} keystroke {prefix!r}")
            frames = FRAMES[mark:]
            # The first frame after the first result (a search's window): what the
            # keystroke shows first; "frame" is the last one (its exact count, if any).
            first = next((t for p, t in delivered if p.strip() == prefix.strip()), None)
            shown = next((f for f in frames if first is not None and f >= first), None)
            samples.append(
                {
                    "prefix": prefix,
                    "press": t1 - t0,
                    "shown": (shown - t0) if shown is not None else None,
                    "result": (delivered[-1][1] - t0) if delivered else None,
                    "frame": (frames[-1] - t0) if frames else (t1 - t0),
                    "frames": len(frames),
                }
            )
        await pilot.press("escape")
        await _settle(pilot)
        if mode == "filter":
            app.action_clear()
            await _settle(pilot)
        frames_ = sorted(s["frame"] for s in samples)
        out[mode] = {
            "text": text,
            "median": statistics.median(frames_),
            "max": frames_[-1],
            "samples": samples,
        }
    return out


# --- the query layer alone ---------------------------------------------------------------

QUERY_SEARCHES = ("the audit", "deployment", "nobody", "zzzq")
QUERY_FILTERS = ("views:>1000", "has:quote", "replies:>2")


def run_query_layer(path: str, repeat: int) -> None:
    """Per-keystroke cost of `parse_query` + `run_query` (+ `FilterView.build`), no UI:
    what the worker does for each prefix typed, after building the index once."""
    import gc
    import statistics
    from datetime import UTC

    from threadtui.model import load_path

    try:
        from threadtui.query import (
            FilterView,
            QueryError,
            SearchIndex,
            parse_query,
            run_query,
        )
    except ImportError as error:
        fail(f"no query layer: {error}")
        return
    thread = load_path(path)
    t = time.perf_counter()
    index = SearchIndex(thread)
    RESULT["index_build_s"] = time.perf_counter() - t
    RESULT["peak_mb"] = peak_mb()
    out: dict[str, Any] = {}
    for kind, texts in (("search", QUERY_SEARCHES), ("filter", QUERY_FILTERS)):
        for text in texts:
            rows = []
            for k in range(1, len(text) + 1):
                prefix = text[:k]
                times: list[float] = []
                matches = None
                error = None
                for _ in range(repeat):
                    gc.collect()  # the app's worker does not start on the last one's garbage
                    t = time.perf_counter()
                    try:
                        query = parse_query(prefix, thread, tz=UTC, filters=kind == "filter")
                        result = run_query(query, index)
                        FilterView.build(result)
                        matches = result.count
                    except QueryError as e:
                        error = str(e)
                    times.append(time.perf_counter() - t)
                rows.append(
                    {
                        "prefix": prefix,
                        "median": statistics.median(times),
                        "max": max(times),
                        "matches": matches,
                        "error": error,
                    }
                )
            out[f"{kind}: {text}"] = rows
    RESULT["query"] = out
    finish()


USAGE = (
    "usage: ui_probe.py {floor,first-frame,keys,query,ui-query} FILE --out RESULT"
    " [--repeat N] [--no-ui-query] [--no-output-filter]"
    " [--profile OPERATION [--profile-dir DIR]]"
)


def main(argv: list[str]) -> None:
    # By hand, not argparse: argparse imports re and gettext, which `floor` would pay for.
    positional: list[str] = []
    options = {"--out": "", "--repeat": "5", "--profile": "", "--profile-dir": ""}
    ui_query = True
    args = iter(argv)
    for arg in args:
        if arg in options:
            options[arg] = next(args, "")
        elif arg == "--no-ui-query":
            ui_query = False
        elif arg == "--no-output-filter":
            ARGS["no_output_filter"] = True
        else:
            positional.append(arg)
    modes = ("floor", "first-frame", "keys", "query", "ui-query")
    if len(positional) != 2 or positional[0] not in modes or not options["--out"]:
        sys.exit(USAGE)
    mode, path = positional
    ARGS.update(
        mode=mode,
        out=options["--out"],
        repeat=int(options["--repeat"]),
        ui_query=ui_query,
        profile=options["--profile"],
        profile_dir=options["--profile-dir"],
        file=path,
    )
    RESULT["mode"] = mode
    if mode == "floor":
        run_floor(path)
    elif mode == "query":
        run_query_layer(path, ARGS["repeat"])
    else:
        run_command(path)


if __name__ == "__main__":
    main(sys.argv[1:])
