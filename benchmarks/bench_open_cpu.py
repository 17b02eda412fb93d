"""CPU time of importing and of opening each platform's 100k file, against the floor, for
two checkouts side by side (issue #11, Measures).

    python benchmarks/generate_sources.py --posts 100k -d /tmp/src
    git archive REV src | tar -x -C /tmp/before
    python benchmarks/bench_open_cpu.py -d /tmp/src --before /tmp/before/src --rounds 3

Each measure runs in a fresh interpreter and times its statement alone with
`time.process_time()` (another process's load counts far less than in wall time):

- *floor*: `orjson.loads` of the file's bytes (each line for JSONL), collector on, as
  bench_sources.py;
- *import*: `cli.main(["import", FILE, "-o", os.devnull])`;
- *open*: `opener.open_inputs([FILE])` with the collector off, as `threadtui FILE` runs it:
  reading, recognising, converting and loading; the first frame less Textual's import and
  first paint.

The importers, the opener and the loader are imported before the timing (see MODULES).

Per round and platform: floor, then import and open for each checkout, before and after
alternately (the order flips each round). Medians of the rounds; ratios against the floor
of the same round.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"

CHILD = """\
import gc, os, sys, time
sys.path.insert(0, {src!r})
path = {path!r}
{setup}
start = time.process_time()
{stmt}
print("CPU", time.process_time() - start)
"""
FLOOR = (
    "import orjson",
    "data = open(path, 'rb').read()\n"
    "doc = [orjson.loads(l) for l in data.splitlines() if l.strip()]"
    " if path.endswith('.jsonl') else orjson.loads(data)",
)
# The modules the statements import on first use, imported beforehand: this machine runs
# Python with PYTHONDONTWRITEBYTECODE=1, so each would be compiled from source inside the
# timing (0.06-0.09 s of CPU, a third of the Hacker News Firebase floor), which an
# installed threadtui, with its bytecode cached, does not pay.
MODULES = (
    "import threadtui\nassert threadtui.__file__.startswith({src!r}), threadtui.__file__\n"
    "import threadtui.opener, threadtui.importers, threadtui.model.load\n"
)
IMPORT = (
    MODULES + "from threadtui.cli import main",
    "status = main(['import', path, '-o', os.devnull])\nassert status == 0, status",
)
OPEN = (
    MODULES + "from threadtui import opener\ngc.disable()",
    "thread = opener.open_inputs([path])",
)


def run(kind: tuple[str, str], src: str, path: Path) -> float:
    setup, stmt = kind
    code = CHILD.format(src=src, path=str(path), setup=setup.format(src=src), stmt=stmt)
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=900
    )
    for line in proc.stdout.splitlines():
        if line.startswith("CPU "):
            return float(line.split()[1])
    raise RuntimeError(f"{path.name}: {proc.stderr[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--dir", type=Path, required=True, help="the generated files")
    parser.add_argument("--before", required=True, help="the src/ of the checkout to compare")
    parser.add_argument("--after", default=str(SRC), help="default: this checkout's src/")
    parser.add_argument("--platforms", default="", help="comma-separated name prefixes")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    wanted = [p for p in args.platforms.split(",") if p]
    files = sorted(
        p
        for p in args.dir.iterdir()
        if p.suffix in (".json", ".jsonl") and (not wanted or p.name.startswith(tuple(wanted)))
    )
    sides = {"before": args.before, "after": args.after}
    results: dict[str, dict[str, list[float]]] = {p.name: {} for p in files}
    for number in range(args.rounds):
        order = list(sides) if number % 2 == 0 else list(reversed(sides))
        for path in files:
            runs = results[path.name]
            runs.setdefault("floor", []).append(run(FLOOR, "", path))
            for what, kind in (("import", IMPORT), ("open", OPEN)):
                for side in order:
                    runs.setdefault(f"{what}_{side}", []).append(run(kind, sides[side], path))
            load = os.getloadavg()[0]
            runs.setdefault("load", []).append(load)
            print(
                f"round {number + 1} {path.name}: "
                + ", ".join(f"{k} {v[-1]:.2f}" for k, v in runs.items()),
                file=sys.stderr,
            )
    print(
        "| source | floor | import before → after | × floor | open before → after | × floor"
        " | load |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, runs in results.items():
        ratio = {
            key: statistics.median(v / f for v, f in zip(runs[key], runs["floor"], strict=True))
            for key in runs
            if key[:4] in ("impo", "open")
        }
        med = {key: statistics.median(values) for key, values in runs.items()}
        print(
            f"| {name} | {med['floor']:.2f} s"
            f" | {med['import_before']:.2f} → {med['import_after']:.2f} s"
            f" | {ratio['import_before']:.2f} → **{ratio['import_after']:.2f}**"
            f" | {med['open_before']:.2f} → {med['open_after']:.2f} s"
            f" | {ratio['open_before']:.2f} → **{ratio['open_after']:.2f}**"
            f" | {min(runs['load']):.1f}–{max(runs['load']):.1f} |"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
