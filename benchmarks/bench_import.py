"""How the X story importer's time grows with hostile input: a paragraph of n lines, a line
of n characters. Linear work doubles when n doubles; the last column says by how much it
grew (issue #13 item 10: 800,000 lines of one paragraph once took 25 s, 4× per doubling).

    python benchmarks/bench_import.py                    # 200k, 400k, 800k
    python benchmarks/bench_import.py --sizes 100k,200k --quick

Timings only: tests/unit/test_xstory.py holds the importer to linear work with a
deterministic counter, never a clock.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable

from threadtui.importers.xstory import StoryFormatError, import_story

HEADER = "1h ago\n\nA title\n\nA summary\n\n0\nOriginal post\n\n"
TIME = "\n\n4:57 PM · May 28, 2026"

INPUTS: dict[str, Callable[[int], str]] = {
    "paragraph of n lines": lambda n: HEADER + "\n".join(["word"] * n) + TIME,
    "card of n lines": lambda n: (
        HEADER
        + "A post."
        + TIME
        + "\n\nA reply.\n\nSome OneSome One@some1\n\n"
        + "\n".join(["word"] * n)
        + TIME
        + TIME
    ),
    "one line of n chars": lambda n: "x" * n,
    "n-char time tail": lambda n: "12:00 PM · Jan 1, 2026 · " + "1," * (n // 2) + " Views",
}


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def best_of(repeat: int, text: str) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        with contextlib.suppress(StoryFormatError):
            import_story(text)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="200k,400k,800k", help="comma list, e.g. 100k,200k")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the best counts")
    parser.add_argument("--quick", action="store_true", help="one run per size")
    args = parser.parse_args()
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    repeat = 1 if args.quick else args.repeat
    print("| input | n | seconds | × previous |")
    print("|---|---:|---:|---:|")
    for name, make in INPUTS.items():
        previous: float | None = None
        for n in sizes:
            seconds = best_of(repeat, make(n))
            growth = "" if previous is None else f"{seconds / previous:.2f}"
            print(f"| {name} | {n:,} | {seconds:.3f} | {growth} |", flush=True)
            previous = seconds


if __name__ == "__main__":
    main()
