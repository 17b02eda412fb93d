"""The read state of a big thread: file size, load time, and what it adds to opening.

    python benchmarks/bench_state.py                 # 100k bushy, 7 rounds
    python benchmarks/bench_state.py --sizes 10k,100k,1M --repeat 5

For each thread, with every post read and saved once (the largest state it can have):

- **file**: the state file's size (issue #15: under 2 MB at 100,000 posts);
- **read**: reading and decoding the file alone;
- **open**: `open_state(thread)` and the cursor's post found again (`state.cursor`, one
  hash with the place the file keeps): what the app does before its first frame (issue
  #15: the state loads in under 50 ms at 100,000 posts);
- **marks**: `prepare()`: hashing every post id and the new marks, which the app does in a
  worker after its first frame (the marks appear that much later);
- **load**: `load_path` of the thread, and open/load: what reopening with state costs
  more than without before the first frame (issue #15: at most 10%), and
  (open+marks)/load: the whole of it, first frame or not;
- **save**: `ReadState.save()`: snapshot, merge with the file on disk, atomic write.

Medians over `--repeat` rounds, in one process (the thread stays loaded).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import ensure_thread, machine_info, machine_line
from generate import SHAPES, Shape, parse_size, size_label
from threadtui.model import load_path
from threadtui.state import open_state, store


def median_ms(action: Callable[[], Any], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(path: Path, rounds: int) -> dict[str, float]:
    thread = load_path(path)
    with tempfile.TemporaryDirectory(prefix="bench-state-") as folder_name:
        folder = Path(folder_name)
        state, _ = open_state(thread, directory=folder)
        state.mark_all_read()
        state.save()
        assert state.path is not None
        state_path = state.path
        size = state_path.stat().st_size
        key = state.key
        read = median_ms(lambda: store.read(state_path, key), rounds)
        state.cursor = len(thread.posts) // 2
        state.save()

        def first_frame() -> None:
            again, _ = open_state(thread, directory=folder)
            assert again.cursor == len(thread.posts) // 2

        opened = median_ms(first_frame, rounds)
        marks = median_ms(lambda: open_state(thread, directory=folder)[0].prepare(), rounds)
        marks = max(0.0, marks - opened)

        def save() -> None:
            state.mark_read(0)
            state.save()

        saved = median_ms(save, rounds)
    load = median_ms(lambda: load_path(path), max(3, rounds // 2))
    return {
        "posts": len(thread.posts),
        "file_kb": size / 1024,
        "read_ms": read,
        "open_ms": opened,
        "load_ms": load,
        "ratio": opened / load,
        "marks_ms": marks,
        "whole": (opened + marks) / load,
        "save_ms": saved,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100k")
    parser.add_argument("--shapes", default="bushy")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    shapes: list[Shape] = [s for s in args.shapes.split(",") if s in SHAPES]  # type: ignore[misc]  # filtered to SHAPES just here
    print(machine_line(machine_info()), f"load average {os.getloadavg()[0]:.2f}")
    print(
        f"{'posts':>6} {'shape':<6} {'file':>9} {'read':>8} {'open':>8} {'marks':>8}"
        f" {'load':>9} {'open/load':>9} {'+marks':>7} {'save':>8}"
    )
    for size in (parse_size(s) for s in args.sizes.split(",")):
        for shape in shapes:
            r = measure(ensure_thread(size, shape), args.repeat)
            print(
                f"{size_label(size):>6} {shape:<6} {r['file_kb']:>6.0f} KB {r['read_ms']:>5.1f} ms"
                f" {r['open_ms']:>5.1f} ms {r['marks_ms']:>5.1f} ms {r['load_ms']:>6.0f} ms"
                f" {r['ratio']:>8.1%} {r['whole']:>7.1%} {r['save_ms']:>5.1f} ms",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
