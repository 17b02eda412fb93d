"""The importers at scale: `threadtui import` and opening in the app, against `orjson.loads`
of the same file (issue #11, Measures: import ≤ 3× the floor, first frame ≤ 2× it).

    python benchmarks/bench_sources.py                       # 100k posts, every platform
    python benchmarks/bench_sources.py --platforms reddit,x-api --repeat 3 --no-ui
    python benchmarks/bench_sources.py --profile              # cProfile of each import
    python benchmarks/bench_sources.py --quick                # smoke test: 1k posts, once

For each platform a thread in its own shape (generate_sources.py, in a temporary
directory) is measured in fresh interpreters, floor and import runs interleaved:

- **floor**: `orjson.loads(Path(p).read_bytes())` (for JSONL, `orjson.loads` of each
  line), the least any reader of the file pays;
- **import**: `threadtui.cli.main(["import", p, "-o", os.devnull])`: the command as typed,
  reading, sniffing, converting and serialising, minus the disk write (`-o /dev/null` is
  written like stdout, without a temporary file and fsync);
- the same two with the collector off (`gc.disable()` in the setup): at 100k posts most of
  `orjson.loads` is garbage collection walking the growing document, so this ratio says
  what the conversion itself costs;
- **first frame** (unless `--no-ui`): bench_ui.py's floor and headless first-frame probes
  on the same file (`threadtui FILE` up to the first frame with the tree and the detail),
  and with `--pty` its pty probe too.

Times are medians of `--repeat` runs; the ratios are of medians. `--profile` writes a
cProfile of one import per platform to benchmarks/out/import-<platform>.profile.txt.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from common import OUT, machine_info, machine_line, measure, warm_cache
from generate import parse_size, size_label
from generate_sources import DEFAULT_DIR, PLATFORMS, ensure_source

IMPORT_BUDGET = 3.0
FIRST_FRAME_BUDGET = 2.0

FLOOR_SETUP = "import orjson\nfrom pathlib import Path"
FLOOR_STMT = """\
_data = Path(sys.argv[1]).read_bytes()
if sys.argv[1].endswith(".jsonl"):
    doc = [orjson.loads(_line) for _line in _data.splitlines() if _line.strip()]
else:
    doc = orjson.loads(_data)
"""
IMPORT_SETUP = "import os\nfrom threadtui.cli import main"
# The same with the collector off: at these sizes most of `orjson.loads` is collections
# walking the growing document (a 176 MB Reddit file: 7.8 s on, 1.7 s off), so the plain
# ratio flatters; the ratio of these two says what the conversion itself costs.
GC_OFF = "\nimport gc\ngc.disable()"
IMPORT_STMT = "_status = main(['import', sys.argv[1], '-o', os.devnull])"

PROFILE = """\
import cProfile, io, os, pstats, sys
from threadtui.cli import main
profiler = cProfile.Profile()
profiler.enable()
status = main(["import", sys.argv[1], "-o", os.devnull])
profiler.disable()
text = io.StringIO()
stats = pstats.Stats(profiler, stream=text)
stats.sort_stats("cumulative").print_stats(45)
stats.sort_stats("tottime").print_stats(30)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write(f"threadtui import {sys.argv[1]} -o /dev/null (status {status})\\n")
    f.write(text.getvalue())
"""


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def bench_import(path: Path, repeat: int) -> dict[str, Any]:
    runs: dict[str, list[float]] = {}
    for _ in range(repeat):
        for name, stmt, setup in (
            ("floor", FLOOR_STMT, FLOOR_SETUP),
            ("import", IMPORT_STMT, IMPORT_SETUP),
            ("floor_gc_off", FLOOR_STMT, FLOOR_SETUP + GC_OFF),
            ("import_gc_off", IMPORT_STMT, IMPORT_SETUP + GC_OFF),
        ):
            report = "_status" if name.startswith("import") else "None"
            m = measure(stmt, setup, [str(path)], report=report)
            if name.startswith("import") and m.report != 0:
                raise RuntimeError(f"threadtui import {path.name} exited with {m.report}")
            runs.setdefault(name, []).append(m.seconds)
            runs.setdefault(f"{name}_peak_mb", []).append(m.peak_rss_mb)
    out: dict[str, Any] = {k: statistics.median(v) for k, v in runs.items()}
    out["runs"] = runs
    return out


def bench_first_frame(path: Path, repeat: int, with_pty: bool, timeout: float) -> dict[str, Any]:
    import bench_ui

    floors, heads, ptys = [], [], []
    for _ in range(repeat):
        floors.append(bench_ui.floor_run(path, timeout))
        heads.append(bench_ui.headless_run(path, timeout))
        if with_pty:
            ptys.append(bench_ui.pty_run(path, timeout))
    out: dict[str, Any] = {
        "floor_wall": statistics.median(r["wall"] for r in floors),
        "first_frame": statistics.median(r["first_frame"] for r in heads),
        "cli_and_load": statistics.median(r["cli_and_load"] for r in heads),
        "peak_first_frame_mb": statistics.median(r["peak_first_frame_mb"] for r in heads),
    }
    if ptys:
        out["pty_first_frame"] = statistics.median(r["seconds"] for r in ptys)
    return out


def profile_import(path: Path, platform: str) -> Path:
    import subprocess

    from common import child_env

    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / f"import-{platform}.profile.txt"
    subprocess.run(
        [sys.executable, "-c", PROFILE, str(path), str(target)],
        env=child_env(),
        check=True,
        timeout=1800,
    )
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", default="100k", help="posts per thread (e.g. 10k, 100k)")
    parser.add_argument("--platforms", default=",".join(PLATFORMS), help="comma list")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes per figure")
    parser.add_argument("--ui-repeat", type=int, default=3, help="first-frame runs per file")
    parser.add_argument("--no-ui", action="store_true", help="skip the first frame")
    parser.add_argument("--pty", action="store_true", help="also the first frame in a pty")
    parser.add_argument("--profile", action="store_true", help="cProfile one import each")
    parser.add_argument("-d", "--dir", type=Path, default=DEFAULT_DIR, help="where the files go")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per UI probe")
    parser.add_argument("--quick", action="store_true", help="smoke test: 1k posts, one run")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write results as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.posts, args.repeat, args.ui_repeat = "1k", 1, 1
        args.timeout = min(args.timeout, 120.0)
    n = parse_size(args.posts)
    platforms = [p.strip() for p in args.platforms.split(",")]
    for platform in platforms:
        if platform not in PLATFORMS:
            parser.error(f"unknown platform {platform!r}; choose from {', '.join(PLATFORMS)}")

    info = machine_info()
    rows: list[dict[str, Any]] = []
    started = time.monotonic()
    for platform in platforms:
        path = ensure_source(platform, n, args.seed, args.dir)
        warm_cache(path)
        row: dict[str, Any] = {"platform": platform, "bytes": path.stat().st_size}
        row["loadavg_before"] = os.getloadavg()
        row |= bench_import(path, args.repeat)
        if not args.no_ui:
            row |= bench_first_frame(path, args.ui_repeat, args.pty, args.timeout)
        if args.profile:
            row["profile"] = str(profile_import(path, platform))
        row["loadavg_after"] = os.getloadavg()
        rows.append(row)
        print(f"{platform}: done ({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)

    print(f"\n{machine_line(info)}")
    print(f"\n### Import and first frame, {size_label(n)} posts (seed {args.seed})\n")
    print(
        "| source | file MB | floor | import | × floor | import peak MB | × floor peak"
        " | floor (spawn→parsed) | headless first frame | × floor | pty first frame | × floor |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        over = " ⚠" if r["import"] / r["floor"] > IMPORT_BUDGET else ""
        ff, fw, pty = r.get("first_frame"), r.get("floor_wall"), r.get("pty_first_frame")
        ff_ratio = f"{ff / fw:.2f}" if ff and fw else "–"
        if ff and fw and ff / fw > FIRST_FRAME_BUDGET:
            ff_ratio += " ⚠"
        pty_ratio = f"{pty / fw:.2f}" if pty and fw else "–"
        print(
            f"| {r['platform']} | {r['bytes'] / 1e6:.1f} | {ms(r['floor'])} | {ms(r['import'])}"
            f" | {r['import'] / r['floor']:.2f}{over} | {r['import_peak_mb']:.0f}"
            f" | {r['import_peak_mb'] / r['floor_peak_mb']:.2f} | {ms(fw)} | {ms(ff)}"
            f" | {ff_ratio} | {ms(pty)} | {pty_ratio} |"
        )
    print("\nThe same with the collector off in both (`gc.disable()` before the clock starts):\n")
    print("| source | floor, gc off | import, gc off | × floor, gc off |")
    print("|---|---:|---:|---:|")
    for r in rows:
        ratio = r["import_gc_off"] / r["floor_gc_off"]
        print(
            f"| {r['platform']} | {ms(r['floor_gc_off'])} | {ms(r['import_gc_off'])}"
            f" | {ratio:.2f} |"
        )
    for r in rows:
        if "profile" in r:
            print(f"\nprofile of {r['platform']}: {r['profile']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_bytes(
            orjson.dumps(
                {"machine": info, "args": vars(args), "results": rows},
                option=orjson.OPT_INDENT_2,
                default=str,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
