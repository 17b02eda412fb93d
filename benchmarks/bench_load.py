"""How close loading a thread comes to the cost of merely parsing its JSON.

    python benchmarks/bench_load.py                       # 1k, 10k, 100k × bushy, wide, deep
    python benchmarks/bench_load.py --sizes 1M --shapes bushy
    python benchmarks/bench_load.py --quick               # CI smoke test: 1k and 10k, 1 run

For each size and shape, in fresh interpreters (see common.py):

- floor: `orjson.loads(Path(p).read_bytes())`, the least any loader must pay;
- loader: `threadtui.model.load_path(p)`: parse, validate, sanitise, index.

It prints a Markdown table of medians and the loader/floor ratios: time, peak RSS, and
peak RSS above each process's own baseline (interpreter + imports).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, cast

import orjson

from common import (
    FLOOR_SETUP,
    FLOOR_STMT,
    Measurement,
    default_repeat,
    ensure_thread,
    machine_info,
    machine_line,
    measure,
    median_of,
    warm_cache,
)
from generate import SHAPES, Shape, parse_size, size_label

LOADER_SETUP = "from threadtui.model import load_path"
LOADER_STMT = "thread = load_path(sys.argv[1])"
# Checked after the clock stops: the loader must have read every post of the file.
LOADER_REPORT = (
    "{'posts': thread.real_post_count, 'placeholders': len(thread.posts) - thread.real_post_count,"
    " 'max_depth': thread.max_depth, 'warnings': len(thread.warnings)}"
)


def loader_available() -> bool:
    try:
        measure("pass", LOADER_SETUP, timeout=120)
    except RuntimeError:
        return False
    return True


def bench_one(path: Path, repeat: int, with_loader: bool) -> dict[str, Any]:
    warm_cache(path)
    floors: list[Measurement] = []
    loads: list[Measurement] = []
    # Interleaved, so drift in machine load hits both sides alike.
    for _ in range(repeat):
        floors.append(measure(FLOOR_STMT, FLOOR_SETUP, [str(path)]))
        if with_loader:
            loads.append(measure(LOADER_STMT, LOADER_SETUP, [str(path)], report=LOADER_REPORT))
    row: dict[str, Any] = {"bytes": path.stat().st_size, "floor": median_of(floors).as_dict()}
    if with_loader:
        f, ld = median_of(floors), median_of(loads)
        row["loader"] = ld.as_dict()
        row["ratio"] = {
            "time": ld.seconds / f.seconds,
            "peak_rss": ld.peak_rss_mb / f.peak_rss_mb,
            "delta_rss": ld.delta_rss_mb / f.delta_rss_mb if f.delta_rss_mb > 0 else None,
        }
    return row


def _f(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def _mb(m: dict[str, Any]) -> str:
    return f"{m['peak_rss_mb']:.0f} / {_f(m['end_rss_mb'], 0)}"


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| posts | shape | file MB | floor time | floor peak / kept MB | loader time"
        " | loader peak / kept MB | time × | peak × | Δpeak × |\n"
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for r in rows:
        f = r["floor"]
        ld = r.get("loader")
        ratio = r.get("ratio", {})
        lines.append(
            f"| {size_label(r['posts'])} | {r['shape']} | {r['bytes'] / 1e6:.1f}"
            f" | {_seconds(f['seconds'])} | {_mb(f)}"
            + (
                f" | {_seconds(ld['seconds'])} | {_mb(ld)}"
                f" | {_f(ratio['time'])} | {_f(ratio['peak_rss'])} | {_f(ratio['delta_rss'])} |"
                if ld
                else " | – | – | – | – | – |"
            )
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1k,10k,100k", help="comma list: 1k,10k,100k,1M")
    parser.add_argument("--shapes", default="bushy,wide,deep", help="comma list of shapes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--repeat", type=int, help="runs per measurement (default 5, or 1 above 100k posts)"
    )
    parser.add_argument("--quick", action="store_true", help="1k and 10k, one run each")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write results as JSON")
    args = parser.parse_args(argv)

    sizes = [1_000, 10_000] if args.quick else [parse_size(s) for s in args.sizes.split(",")]
    shapes = [s.strip() for s in args.shapes.split(",")]
    for s in shapes:
        if s not in SHAPES:
            parser.error(f"unknown shape {s!r}; choose from {', '.join(SHAPES)}")

    info = machine_info()
    with_loader = loader_available()
    if not with_loader:
        print("threadtui.model.load_path is not importable: measuring the floor only.")
    rows: list[dict[str, Any]] = []
    for n in sizes:
        repeat = 1 if args.quick else (args.repeat or default_repeat(n))
        for shape in shapes:
            path = ensure_thread(n, cast(Shape, shape), args.seed)
            row = {"posts": n, "shape": shape, "repeat": repeat}
            row.update(bench_one(path, repeat, with_loader))
            if with_loader and row["loader"]["report"]["posts"] != n:
                print(f"{path}: the loader read {row['loader']['report']['posts']} posts, not {n}")
                return 1
            rows.append(row)
            print(f"{size_label(n)} {shape}: done", file=sys.stderr, flush=True)

    baseline_f = rows[0]["floor"]["baseline_rss_mb"] if rows else 0.0
    baseline_l = rows[0]["loader"]["baseline_rss_mb"] if rows and with_loader else None
    print(f"\n{machine_line(info)}\n")
    print(table(rows))
    print(
        f"\nMedians of fresh processes. Baseline RSS (interpreter + imports): floor"
        f" {baseline_f:.0f} MB, loader {_f(baseline_l, 0)} MB; Δpeak is peak minus baseline;"
        " kept is the RSS once done."
    )
    if args.json:
        args.json.write_bytes(
            orjson.dumps({"machine": info, "results": rows}, option=orjson.OPT_INDENT_2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
