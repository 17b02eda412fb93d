"""Search and filter latency: building the index, and what each keystroke costs.

    python benchmarks/bench_query.py                      # 100k × bushy, deep, wide
    python benchmarks/bench_query.py --sizes 10k,100k --shapes bushy
    python benchmarks/bench_query.py --quick              # CI smoke test: 10k bushy, 1 round

For each generated thread (see generate.py), in one warm interpreter, as in the app:

- index: `SearchIndex(thread)` (median and p95 of several builds; its memory, from
  tracemalloc in a separate build);
- search keystrokes: a query typed one character at a time in the search field
  (`i`, `in`, `int`, … `internal use`; a smart-case word; a regex), each keystroke
  `parse_query(filters=False)` + `run_query`;
- filter changes: `from:`, `views:`, `after:`, … typed or picked in the filter field,
  each `parse_query` + `run_query` + `FilterView.build`.

`--keystrokes` (issue #16): the same typed searches at each size, timed both ways in the
same run, interleaved: "full" is what a keystroke waited for before (the full pass, then
the counter's rank table), "window" what it waits for now before the screen can show it
(`first_matches` around a cursor in the middle of the tree, or the narrowed pass when
the last result was small: what the app's worker does first). The table gives each
size's median against the smallest size's, from the same run.

`--ui` (issue #16): the same through the app (benchmarks/ui_probe.py `ui-query`, headless,
Pilot), from the key press to the first frame that shows the keystroke's result
("shown"), at each size, and the same with the code of `--before REV` (a snapshot of
that commit), interleaved round by round: ratios against the smallest size, same run.

`--stall` (issue #16): what the builds beside the UI cost a thread that wants the GIL, at
each size (bushy): a loop on the main thread sleeps 1 ms then does a little Python, as the
UI thread does between its waits, while the app's three workers of the first seconds run
beside it, each as the code under test has the app run it: the tree-order walk, the
read-state marks (a first visit) and the index with its tree text and the pickers' data
(paced: `threadtui.pacing`, with the app's collector thresholds); `--unpaced` all three in
one go, as before pacing; `--stall-no-index` the first two only. Older code (PYTHONPATH=
a `git archive` of it) runs as it had the app run them. Reported: the main loop's longest
turn, its median, how many turns took over one and two frames, the wall and CPU time,
and the garbage collections meanwhile: how many, the longest one's processor time, and how
many took over a frame (a collection holds the GIL throughout: a stall for the UI).

Every run passes a `cancel` callable, as the app's worker does, so the chunking that makes
a run cancellable is in the figures. The issue's target is 100 ms per keystroke at 100k
posts; the table marks rows whose p95 is above it.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import threadtui
from common import ensure_thread, machine_info, machine_line
from generate import SHAPES, Shape, parse_size, size_label
from threadtui.model import Thread, load_path
from threadtui.query import (
    FilterView,
    MatchResult,
    QueryError,
    SearchIndex,
    TreeText,
    first_matches,
    narrows,
    parse_query,
    run_query,
)
from threadtui.ui.query_worker import NARROW_ENOUGH

TARGET_MS = 100.0


def typed(text: str) -> list[str]:
    """Every prefix of `text`: what the field holds after each keystroke."""
    return [text[: k + 1] for k in range(len(text))]


def _never() -> bool:
    return False


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(action: Callable[[], Any], rounds: int) -> list[float]:
    """Milliseconds per call, `rounds` times, after one warm-up call."""
    action()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def search_step(thread: Thread, index: SearchIndex, text: str) -> int:
    try:
        query = parse_query(text, thread, filters=False)
    except QueryError:
        return -1  # the field shows the error; no search runs
    return run_query(query, index, cancel=_never).count


def filter_step(thread: Thread, index: SearchIndex, text: str) -> int:
    try:
        query = parse_query(text, thread)
    except QueryError:
        return -1
    result = run_query(query, index, cancel=_never)
    return FilterView.build(result).match_count


def index_memory_mb(thread: Thread) -> float:
    gc.collect()
    tracemalloc.start()
    index = SearchIndex(thread)
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del index
    return size / 1e6


def bench_thread(path: Path, n: int, shape: str, rounds: int) -> list[dict[str, Any]]:
    thread = load_path(path)
    rows: list[dict[str, Any]] = []

    builds = timed(lambda: SearchIndex(thread), max(3, rounds))
    text_mb = sum(len(p.text or "") for p in thread.posts) / 1e6
    rows.append(
        {
            "posts": n,
            "shape": shape,
            "action": "build the index",
            "what": f"{text_mb:.0f}M chars of text; index {index_memory_mb(thread):.0f} MB",
            "times": builds,
            "result": "",
        }
    )
    index = SearchIndex(thread)
    top = thread.sorted_authors()[0].handle or "nobody"
    some = thread.sorted_authors()[min(10, len(thread.authors) - 1)].handle or "nobody"

    searches = [
        ("search: type `internal use`", typed("internal use")),
        ("search: type `Hard` (smart case)", typed("Hard")),
        ("search: type `-the`", typed("-the")),
        ("search: type `/eval\\w+/`", typed("/eval\\w+/")),
    ]
    for label, steps in searches:
        times: list[float] = []
        count = 0
        for text in steps:
            times += timed(lambda text=text: search_step(thread, index, text), rounds)
            count = search_step(thread, index, text)
        rows.append(
            {
                "posts": n,
                "shape": shape,
                "action": label,
                "what": f"{len(steps)} keystrokes",
                "times": times,
                "result": f"{count:,} matches",
            }
        )

    filters = [
        f"from:{top}",
        f"from:{some} from:{top}",
        f"-from:{top}",
        "views:>1000",
        "after:+1h",
        "before:+30m",
        "has:quote",
        "is:root",
        "replies:>2",
        f"from:{top} views:>1000 after:+1h",
        "risk -model views:>100",
    ]
    for text in filters:
        times = timed(lambda text=text: filter_step(thread, index, text), rounds)
        count = filter_step(thread, index, text)
        shown = text.replace(top, "TOP").replace(some, "SOME")
        rows.append(
            {
                "posts": n,
                "shape": shape,
                "action": f"filter: `{shown}`",
                "what": "1 change",
                "times": times,
                "result": f"{count:,} matches",
            }
        )
    return rows


KEYSTROKE_SEARCHES = ("the audit", "deployment", "Hard", "internal use", "zzzq", "-the")


def keystroke_rows(sizes: list[int], rounds: int) -> list[dict[str, Any]]:
    """Per size: every keystroke of KEYSTROKE_SEARCHES, the full pass and the window."""
    rows: list[dict[str, Any]] = []
    for n in sizes:
        print(f"keystrokes {size_label(n)} …", file=sys.stderr, flush=True)
        thread = load_path(ensure_thread(n, "bushy"))
        index = SearchIndex(thread)
        index.tree_text = TreeText(index)
        _ = thread.rank, thread.subtree_sizes
        cursor = thread.preorder[len(thread.preorder) // 2]
        full: list[float] = []
        window: list[float] = []
        for text in KEYSTROKE_SEARCHES:
            last_full: MatchResult | None = None
            last_window: MatchResult | None = None
            for prefix in typed(text):
                try:
                    query = parse_query(prefix, thread, filters=False)
                except QueryError:
                    continue
                for _ in range(rounds):
                    gc.collect()
                    started = time.perf_counter()
                    result = run_query(query, index, cancel=_never, within=last_full)
                    result.counter(0)
                    full.append((time.perf_counter() - started) * 1000)
                    gc.collect()
                    started = time.perf_counter()
                    if (
                        last_window is not None
                        and last_window.complete
                        and last_window.count <= NARROW_ENOUGH
                        and narrows(query, last_window.query)
                    ):
                        shown = run_query(query, index, cancel=_never, within=last_window)
                    else:
                        shown = first_matches(query, index, start=cursor, cancel=_never)
                    shown.counter(cursor)
                    window.append((time.perf_counter() - started) * 1000)
                last_full = result
                # The app narrows only on a complete result (a window is a lower bound).
                last_window = shown if shown.complete else result
        rows.append({"posts": n, "full": full, "window": window})
        del thread, index
        gc.collect()
    return rows


def keystroke_table(rows: list[dict[str, Any]]) -> str:
    base = rows[0]
    lines = [
        "| posts | keystrokes | full median ms | full max | window median ms | window max"
        f" | full ÷ full at {size_label(base['posts'])} | window ÷ window at"
        f" {size_label(base['posts'])} |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        f, w = statistics.median(r["full"]), statistics.median(r["window"])
        lines.append(
            f"| {size_label(r['posts'])} | {len(r['full'])} | {f:.1f} | {max(r['full']):.1f}"
            f" | {w:.2f} | {max(r['window']):.1f}"
            f" | {f / statistics.median(base['full']):.1f}×"
            f" | {w / statistics.median(base['window']):.2f}× |"
        )
    return "\n".join(lines)


def ui_rows(sizes: list[int], rounds: int, before: str | None) -> list[dict[str, Any]]:
    """Search and filter keystrokes through the app, per size and code state."""
    import tempfile

    import bench_ui

    states = ["after"] + (["before"] if before else [])
    samples: dict[tuple[str, int], dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        sources = {}
        for state in states:
            bench_ui.snapshot_source(Path(tmp) / state, None if state == "after" else before)
            sources[state] = bench_ui.SOURCE["src"]
        paths = {n: ensure_thread(n, "bushy") for n in sizes}
        for _ in range(rounds):
            for n in sizes:
                for state in states:
                    print(f"ui {size_label(n)} {state} …", file=sys.stderr, flush=True)
                    bench_ui.SOURCE["src"] = sources[state]
                    result = bench_ui.run_probe("ui-query", paths[n], timeout=900)
                    got = samples.setdefault((state, n), {})
                    for mode in ("search", "filter"):
                        for sample in result.get("ui_query", {}).get(mode, {}).get("samples", []):
                            shown = sample.get("shown") or sample["frame"]
                            got.setdefault(mode, []).append(shown * 1000)
                            got.setdefault(mode + " last", []).append(sample["frame"] * 1000)
    return [{"state": st, "posts": n, **samples[(st, n)]} for st in states for n in sizes]


def ui_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| code | posts | search: shown median ms | max | ÷ smallest | last frame median"
        " | filter: shown median ms | max | ÷ smallest |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    base: dict[str, dict[str, float]] = {}
    for r in rows:
        first = base.setdefault(r["state"], {})
        cells = [r["state"], size_label(r["posts"])]
        for mode in ("search", "filter"):
            values = r.get(mode) or [float("nan")]
            median = statistics.median(values)
            first.setdefault(mode, median)
            cells += [f"{median:.0f}", f"{max(values):.0f}", f"{median / first[mode]:.2f}×"]
            if mode == "search":
                cells.append(f"{statistics.median(r.get('search last') or [float('nan')]):.0f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| posts | shape | action | runs | median ms | p95 ms | max ms | result |",
        "|---:|---|---|---|---:|---:|---:|---|",
    ]
    for r in rows:
        times = r["times"]
        over = " ⚠" if r["action"] != "build the index" and p95(times) > TARGET_MS else ""
        lines.append(
            f"| {size_label(r['posts'])} | {r['shape']} | {r['action']} | {r['what']}"
            f" | {statistics.median(times):.1f} | {p95(times):.1f}{over} | {max(times):.1f}"
            f" | {r['result']} |"
        )
    return "\n".join(lines)


def stall_rows(sizes: list[int], paced: bool) -> list[dict[str, Any]]:
    """The main thread's turns while the builds run beside it (see `--stall`)."""
    import threading

    from threadtui import pacing
    from threadtui.state.readstate import ReadState
    from threadtui.ui.pickers import prepare

    rows = []
    for n in sizes:
        gc.disable()
        thread = load_path(ensure_thread(n, "bushy"))
        gc.freeze()
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, 1 << 30)  # as the app: no full collection by count
        gc.enable()
        pause: Callable[[], None] = pacing.pause if paced else (lambda: None)
        # Each build as the code under test has the app run it (older code: what it had).
        in_steps = paced and hasattr(thread, "derive_in_steps")

        def index_build(
            thread: Thread = thread, pause: Callable[[], None] = pause, in_steps: bool = in_steps
        ) -> None:
            def cancel() -> bool:
                pause()
                return False

            with pacing.beside_ui() if paced else contextlib.nullcontext():
                index = SearchIndex(thread, cancel=cancel if paced else None)
                if in_steps:
                    thread.derive_in_steps(pause)
                else:
                    _ = thread.rank, thread.subtree_sizes, thread.fold_levels
                for post in thread.posts:
                    _ = post.metrics
                index.tree_text = TreeText(index, cancel=cancel if paced else None)
                prepare(thread, pause=pause)

        def tree_walk(thread: Thread = thread, in_steps: bool = in_steps) -> None:
            if in_steps:
                with pacing.beside_ui():
                    thread.preorder_in_steps(lambda: pacing.pause(0))
            else:
                _ = thread.preorder

        def read_marks(thread: Thread = thread, in_steps: bool = in_steps) -> None:
            state = ReadState(thread, path=None, stored=None)
            state.defer()
            if in_steps:
                state.prepare_beside_ui()
            else:
                state.prepare()

        turns: list[float] = []
        # Each collection's processor time (the thread that triggered it pays it all, the
        # GIL held): a young one walking a list of a million items was a 40-125 ms stall.
        collections: list[float] = []
        begun: dict[int, float] = {}

        def timed(
            phase: str,
            info: dict[str, Any],
            begun: dict[int, float] = begun,
            collections: list[float] = collections,
        ) -> None:
            me = threading.get_ident()
            if phase == "start":
                begun[me] = time.thread_time()
            elif me in begun:
                collections.append(time.thread_time() - begun.pop(me))

        gc.callbacks.append(timed)
        builds = [threading.Thread(target=b, daemon=True) for b in (tree_walk, read_marks)]
        if not STALL_WALK_ONLY[0]:
            builds.append(threading.Thread(target=index_build, daemon=True))
        started = time.process_time()
        for b in builds:
            b.start()
        while any(b.is_alive() for b in builds):
            start = time.perf_counter()
            time.sleep(0.001)
            for _ in range(3):
                sum(range(2000))
                time.sleep(0)
            turns.append(time.perf_counter() - start)
        cpu = time.process_time() - started
        gc.callbacks.remove(timed)
        collections.sort()
        turns.sort()
        rows.append(
            {
                "posts": n,
                "paced": paced,
                "turns": len(turns),
                "median_ms": turns[len(turns) // 2] * 1000,
                "max_ms": turns[-1] * 1000,
                "over_33ms": sum(t > 0.033 for t in turns),
                "over_16ms": sum(t > 0.0167 for t in turns),
                "cpu_s": cpu,
                "wall_s": sum(turns),
                "collections": len(collections),
                "longest_collection_ms": collections[-1] * 1000 if collections else 0.0,
                "collections_over_16ms": sum(c > 0.0167 for c in collections),
            }
        )
        del thread
        gc.unfreeze()
        gc.collect()
    return rows


STALL_WALK_ONLY = [False]
"""`--stall-no-index`: the tree walk and the read-state marks only (a list: set by main)."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k", help="comma list: 1k,10k,100k")
    parser.add_argument("--shapes", default="bushy,deep,wide", help="comma list of shapes")
    parser.add_argument("--rounds", type=int, default=5, help="timed runs per keystroke")
    parser.add_argument("--quick", action="store_true", help="10k bushy, 1 round")
    parser.add_argument(
        "--keystrokes",
        action="store_true",
        help="search keystrokes, full pass against window, at --sizes (bushy), ratios",
    )
    parser.add_argument("--ui", action="store_true", help="keystrokes through the app")
    parser.add_argument("--before", metavar="REV", help="with --ui: also this commit's code")
    parser.add_argument("--stall", action="store_true", help="the GIL beside a build")
    parser.add_argument("--unpaced", action="store_true", help="with --stall: no pacing")
    parser.add_argument(
        "--stall-no-index", action="store_true", help="with --stall: without the index build"
    )
    args = parser.parse_args(argv)
    if args.stall:
        STALL_WALK_ONLY[0] = args.stall_no_index
        load = os.getloadavg()[0]
        stalls = stall_rows([parse_size(s) for s in args.sizes.split(",")], not args.unpaced)
        print(machine_line(machine_info()))
        print(f"load average before {load:.2f}, after {os.getloadavg()[0]:.2f}\n")
        print(f"threadtui from: {Path(threadtui.__file__).parent}\n")
        print(
            "| posts | build | turns | median ms | longest ms | over 16.7 ms | over 33 ms "
            "| wall s | CPU s | collections | longest, CPU ms | over 16.7 ms |"
        )
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in stalls:
            print(
                f"| {size_label(r['posts'])} | {'paced' if r['paced'] else 'in one go'}"
                f" | {r['turns']} | {r['median_ms']:.1f} | {r['max_ms']:.0f} | {r['over_16ms']}"
                f" | {r['over_33ms']} | {r['wall_s']:.1f} | {r['cpu_s']:.1f}"
                f" | {r['collections']} | {r['longest_collection_ms']:.0f}"
                f" | {r['collections_over_16ms']} |"
            )
        return 0
    if args.ui:
        load = os.getloadavg()
        rows_ = ui_rows([parse_size(s) for s in args.sizes.split(",")], args.rounds, args.before)
        print(machine_line(machine_info()))
        print(f"load average before {load[0]:.2f}, after {os.getloadavg()[0]:.2f}")
        print()
        print(ui_table(rows_))
        return 0
    if args.keystrokes:
        sizes = [parse_size(s) for s in args.sizes.split(",")]
        rows_ = keystroke_rows(sizes, max(1, args.rounds))
        print(machine_line(machine_info()))
        print()
        print(keystroke_table(rows_))
        return 0
    sizes = [10_000] if args.quick else [parse_size(s) for s in args.sizes.split(",")]
    shapes: list[Shape] = ["bushy"] if args.quick else []
    for name in [] if args.quick else args.shapes.split(","):
        if name not in SHAPES:
            parser.error(f"unknown shape {name!r} (known: {', '.join(SHAPES)})")
        shapes.append(name)  # type: ignore[arg-type]  # checked against the shapes above
    rounds = 1 if args.quick else args.rounds

    rows: list[dict[str, Any]] = []
    for n in sizes:
        for shape in shapes:
            print(f"{size_label(n)} {shape} …", file=sys.stderr, flush=True)
            rows += bench_thread(ensure_thread(n, shape), n, shape, rounds)
    print(machine_line(machine_info()))
    print()
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
