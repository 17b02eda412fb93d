"""A second opening from the load cache against a first opening and the floor (issue #16).

    python benchmarks/bench_reopen.py                          # 100k bushy, 5 rounds
    python benchmarks/bench_reopen.py --sizes 1M --repeat 2 --timeout 900

Each round runs, in fresh interpreters and in this order, so drift in the machine's load
hits all three alike:

- floor: spawn → `orjson.loads(Path(p).read_bytes())` done (ui_probe.py `floor`);
- first opening: `threadtui FILE` headless, spawn → first frame, with an empty cache
  folder (it reads and parses the file, and hashes it in a thread);
- second opening: the same with the cache folder holding the file's entry (it stats the
  file, hashes it in a thread while decoding the entry, and skips parsing);
- and the loading alone, as CPU seconds of every thread (what a loaded machine changes
  least): `orjson.loads` of the file (collector on, as anyone runs it), the loader
  (`open_data`), and `model/cache.read`, each in a fresh interpreter.

The entry is written once per file before the rounds, by `model/cache.write` in a child
process (what the app's writer does after its first frame). Ratios are the medians' of
the same run. The exit status is non-zero only when a probe cannot run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import bench_ui
from common import child_env, ensure_thread, machine_info, machine_line
from generate import parse_size, size_label

_PRIME = """\
import sys
from threadtui.model import cache, read_input
from threadtui.opener import open_data
path = sys.argv[1]
before = cache.stamp(path)
data = read_input(path)
source = cache.Source(cache.entry_key(path, "\\0"), before, data)
thread = open_data(data, path)
written = cache.write(thread, source, bound=1 << 40)
assert written is not None, "not cacheable"
print(written.stat().st_size)
"""


_CPU = """\
import gc, os, sys, time
gc.disable()  # as the command runs until its first frame
path, what = sys.argv[1], sys.argv[2]
w0, c0 = time.perf_counter(), time.process_time()
if what == "floor":
    import orjson
    from pathlib import Path
    gc.enable()  # the floor is orjson as anyone runs it
    orjson.loads(Path(path).read_bytes())
elif what == "first":
    from threadtui.model import read_input
    from threadtui.opener import open_data
    open_data(read_input(path), path)
else:
    from threadtui.model import cache
    thread, warning = cache.read(path, cache.entry_key(path, "\\0"), name=path)
    assert thread is not None, warning
print(time.process_time() - c0, time.perf_counter() - w0)
os._exit(0)
"""


def _child(args: list[str], folder: str, timeout: float, failure: str) -> str:
    """Run `python -c *args` with `folder` as XDG_CACHE_HOME; its stdout, or stop with
    `failure` and the end of its stderr."""
    env = child_env()
    env["XDG_CACHE_HOME"] = folder
    done = subprocess.run(
        [sys.executable, "-c", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{failure}:\n{done.stderr[-2000:]}")
    return done.stdout


def cpu_run(path: Path, what: str, folder: str, timeout: float) -> tuple[float, float]:
    """CPU seconds (all threads) and wall seconds of the loading alone, in a fresh
    interpreter: `floor` (orjson), `first` (the loader), `second` (the cache). CPU time
    is what a loaded machine changes least."""
    out = _child([_CPU, str(path), what], folder, timeout, f"{what} {path.name} failed")
    cpu, wall = map(float, out.split())
    return cpu, wall


def _with_cache_home(folder: str) -> None:
    """Point every probe bench_ui starts at `folder` as XDG_CACHE_HOME."""
    original = bench_ui.probe_env

    def probe_env(config_dir: str) -> dict[str, str]:
        env = original(config_dir)
        env["XDG_CACHE_HOME"] = folder
        return env

    bench_ui.probe_env = probe_env  # type: ignore[assignment]


def prime(path: Path, folder: str, timeout: float) -> int:
    out = _child([_PRIME, str(path)], folder, timeout, "priming the cache failed")
    return int(out.split()[-1])


def bench(path: Path, repeat: int, timeout: float) -> dict[str, Any]:
    warm = tempfile.mkdtemp(prefix="bench-reopen-warm-")
    entry_bytes = prime(path, warm, timeout)
    floors: list[float] = []
    firsts: list[float] = []
    seconds: list[float] = []
    cpu: dict[str, list[float]] = {"floor": [], "first": [], "second": []}
    original = bench_ui.probe_env
    for _ in range(repeat):
        for what, samples in cpu.items():
            samples.append(cpu_run(path, what, warm, timeout)[0])
        floors.append(bench_ui.floor_run(path, timeout)["wall"])
        cold = tempfile.mkdtemp(prefix="bench-reopen-cold-")
        _with_cache_home(cold)
        firsts.append(bench_ui.headless_run(path, timeout)["first_frame"])
        bench_ui.probe_env = original  # type: ignore[assignment]
        _with_cache_home(warm)
        seconds.append(bench_ui.headless_run(path, timeout)["first_frame"])
        bench_ui.probe_env = original  # type: ignore[assignment]
        subprocess.run(["rm", "-rf", cold], check=False)
        print(
            f"  {path.name}: floor {floors[-1]:.3f} s, first {firsts[-1]:.3f} s,"
            f" second {seconds[-1]:.3f} s; loading alone, CPU: floor {cpu['floor'][-1]:.2f} s,"
            f" first {cpu['first'][-1]:.2f} s, second {cpu['second'][-1]:.2f} s",
            flush=True,
        )
    subprocess.run(["rm", "-rf", warm], check=False)
    floor = statistics.median(floors)
    first = statistics.median(firsts)
    second = statistics.median(seconds)
    return {
        "file": path.name,
        "mb": path.stat().st_size / 1e6,
        "entry_mb": entry_bytes / 1e6,
        "floor": floor,
        "first": first,
        "second": second,
        "cpu": {what: statistics.median(samples) for what, samples in cpu.items()},
        "floors": floors,
        "firsts": firsts,
        "seconds": seconds,
    }


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| file | MB | entry MB | floor | first opening | × floor | second opening | × floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['file']} | {r['mb']:.0f} | {r['entry_mb']:.0f} | {r['floor']:.2f} s"
            f" | {r['first']:.2f} s | {r['first'] / r['floor']:.2f}"
            f" | {r['second']:.2f} s | **{r['second'] / r['floor']:.2f}** |"
        )
    lines += [
        "",
        "| file | CPU: floor (orjson) | first (loader) | × floor | second (cache) | × floor |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        c = r["cpu"]
        lines.append(
            f"| {r['file']} | {c['floor']:.2f} s | {c['first']:.2f} s"
            f" | {c['first'] / c['floor']:.2f} | {c['second']:.2f} s"
            f" | **{c['second'] / c['floor']:.2f}** |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k", help="comma-separated: 1k, 100k, 1M")
    parser.add_argument("--shape", default="bushy")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args(argv)
    print(machine_line(machine_info()), flush=True)
    rows = []
    for size in args.sizes.split(","):
        n = parse_size(size)
        path = ensure_thread(n, args.shape)
        load = os.getloadavg()
        print(f"{size_label(n)} {args.shape}: load average {load[0]:.1f}", flush=True)
        rows.append(bench(path, args.repeat, args.timeout))
        rows[-1]["load"] = [round(x, 2) for x in (load[0], os.getloadavg()[0])]
    print(table(rows))
    for r in rows:
        print(f"{r['file']}: load average {r['load'][0]} → {r['load'][1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
