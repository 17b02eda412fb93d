"""The first frame's CPU time, before and after a change, against two floors (issue #16).

    python benchmarks/bench_start.py --rev ff57c6f                    # 1k and 100k, 5 rounds
    python benchmarks/bench_start.py --rev ff57c6f --sizes 100k --rounds 7

Wall times swing with the machine's load (six engineers share two cores); CPU time swings
far less. Each round runs, each in a fresh interpreter and in this order:

- floor: `orjson.loads(Path(p).read_bytes())`, as bench_ui.py's floor;
- textual: a minimal Textual app (one Static) to its first frame, headless: what any
  Textual app pays before it can draw;
- before / after, first opening: `threadtui.cli.main([FILE])` headless to its first frame
  (the tree drawn with a post under the cursor), empty cache and state folders;
- before / after, second opening: the same with the load cache holding the file's entry
  and a read state from an earlier visit (cursor on the first post).

Each child reports its process CPU time (all threads: the hashing thread too) and the
monotonic time at its first frame; the parent's spawn time gives the wall figure. `before`
is `git archive REV src styles`; `after` is the working tree; both byte-compiled, as pip
installs them. Medians, ratios to the floor of the same run; the exit status is non-zero
only when a child fails.
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
from common import ensure_thread, machine_info, machine_line
from generate import SHAPES, parse_size, size_label

FLOOR = """
import time
T0 = time.monotonic()
import sys
from pathlib import Path
import orjson
orjson.loads(Path(sys.argv[1]).read_bytes())
print(time.monotonic(), time.process_time())
"""

TEXTUAL = """
import os, time
from textual.app import App
from textual.widgets import Static

class Floor(App[None]):
    def compose(self):
        yield Static("keys: 0")

    def _display(self, screen, renderable):
        super()._display(screen, renderable)
        if renderable is not None:
            print(time.monotonic(), time.process_time(), flush=True)
            os._exit(0)

Floor().run(headless=True, size=(100, 30))
"""

# `threadtui FILE` as the console script runs it; textual.app patched as it is imported
# (the command decides when), so the clock stops at the first frame with the tree's cursor.
APP = """
import os, sys, time
import threadtui.cli as cli
cli.terminal_problem = lambda: None  # headless: no terminal needed

class Hook:
    def find_spec(self, name, path, target=None):
        if name != "textual.app":
            return None
        import importlib.util
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            display, run = module.App._display, module.App.run

            def _display(self, screen, renderable):
                display(self, screen, renderable)
                if renderable is None or self._batch_count:
                    return
                from threadtui.ui.tree import ThreadTree
                try:
                    tree = self.screen.query_one(ThreadTree)
                except Exception:
                    return
                if tree.cursor_post is not None:
                    print(time.monotonic(), time.process_time(), flush=True)
                    os._exit(0)

            module.App._display = _display
            module.App.run = lambda self, **kw: run(
                self, **{**kw, "headless": True, "size": (100, 30)}
            )

        spec.loader.exec_module = exec_and_patch
        return spec

sys.meta_path.insert(0, Hook())
sys.exit(cli.main(sys.argv[1:]))
"""

PRIME = """
import sys
from threadtui.model import cache, read_input
from threadtui.opener import open_data, open_thread
from threadtui.state import open_state
path = sys.argv[1]
before = cache.stamp(path)
data = read_input(path)
source = cache.Source(cache.entry_key(path, "\\0"), before, data)
cache.write(open_data(data, path), source, bound=1 << 40)  # None for a small file
thread = open_thread(path)
state, _ = open_state(thread)
state.mark_read(thread.preorder[0])
state.cursor = thread.preorder[0]
state.save()
"""


def child(code: str, args: list[str], env: dict[str, str], timeout: float) -> tuple[float, float]:
    """(wall from spawn, CPU) of one fresh interpreter that prints both at its end."""
    import time

    spawn = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    try:
        end, cpu = map(float, done.stdout.split()[-2:])
    except ValueError:
        raise RuntimeError(f"a child failed:\n{done.stderr[-3000:]}") from None
    return end - spawn, cpu


def environment(src: Path | None, folder: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL_")}
    env.pop("PYTHONPATH", None)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    env.update(
        THREADTUI_CONFIG=os.path.join(folder, "absent.toml"),
        XDG_CACHE_HOME=os.path.join(folder, "cache"),
        XDG_STATE_HOME=os.path.join(folder, "state"),
        TZ="UTC",
    )
    return env


def bench(path: Path, trees: dict[str, Path], rounds: int, timeout: float) -> dict[str, Any]:
    kinds = ["floor", "textual"] + [f"{t} {n}" for n in ("first", "second") for t in trees]
    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in kinds}
    loads = []
    with tempfile.TemporaryDirectory() as seconds:
        # A folder per tree for second openings: the entry and the state, primed once.
        for name, src in trees.items():
            folder = os.path.join(seconds, name)
            env = environment(src, folder)
            subprocess.run(
                [sys.executable, "-c", PRIME, str(path)], env=env, check=True, timeout=timeout
            )
        for _ in range(rounds):
            loads.append(os.getloadavg()[0])
            with tempfile.TemporaryDirectory() as tmp:
                bare = environment(None, tmp)
                runs["floor"].append(child(FLOOR, [str(path)], bare, timeout))
                runs["textual"].append(child(TEXTUAL, [], bare, timeout))
            for opening in ("first", "second"):
                for name, src in trees.items():
                    with tempfile.TemporaryDirectory() as tmp:
                        folder = tmp if opening == "first" else os.path.join(seconds, name)
                        env = environment(src, folder)
                        args = [str(path), "--tz", "UTC"]
                        runs[f"{name} {opening}"].append(child(APP, args, env, timeout))
    return {"file": path.name, "loads": loads, "runs": runs}


def table(result: dict[str, Any]) -> str:
    runs = result["runs"]
    wall = {k: statistics.median(w for w, _ in v) for k, v in runs.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in runs.items()}
    loads = ", ".join(f"{x:.1f}" for x in result["loads"])
    lines = [
        f"{result['file']}: {len(runs['floor'])} rounds, load average {loads}",
        "",
        "| run | CPU | × floor | wall | × floor |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind in runs:
        lines.append(
            f"| {kind} | {cpu[kind] * 1000:.0f} ms | {cpu[kind] / cpu['floor']:.2f}"
            f" | {wall[kind] * 1000:.0f} ms | {wall[kind] / wall['floor']:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", required=True, help="the commit to measure as `before`")
    parser.add_argument("--sizes", default="1k,100k")
    parser.add_argument("--shape", default="bushy", choices=SHAPES)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args(argv)
    print(machine_line(machine_info()), flush=True)
    with tempfile.TemporaryDirectory() as before, tempfile.TemporaryDirectory() as after:
        bench_ui.snapshot_source(Path(before), args.rev)
        bench_ui.snapshot_source(Path(after))
        trees = {"before": Path(before) / "src", "after": Path(after) / "src"}
        for size in args.sizes.split(","):
            path = ensure_thread(parse_size(size), args.shape)
            print(f"\n{size_label(parse_size(size))} {args.shape}", flush=True)
            print(table(bench(path, trees, args.rounds, args.timeout)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
