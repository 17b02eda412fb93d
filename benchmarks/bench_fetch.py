"""Fetching against a slow loopback server (issue #12, Measures).

    python benchmarks/bench_fetch.py                    # all four measures, 50 ms latency
    python benchmarks/bench_fetch.py --only hn,cache --repeat 3
    python benchmarks/bench_fetch.py --only cache --pairs 20 --before /tmp/before/src
    python benchmarks/bench_fetch.py --only cache --pairs 20 --count 2   # + callgrind counts
    python benchmarks/bench_fetch.py --src /tmp/before/src   # another checkout's code
    python benchmarks/bench_fetch.py --quick            # smoke test: small threads (~10 s)

fetch_sim.py serves generated threads on 127.0.0.1 from its own process, adding
`--latency` to every response. Each fetch runs in a fresh interpreter (the code under
`--src`, default this checkout's), with the platforms' `THREADTUI_…_API` variables
pointing at the server and a cache directory of its own:

1. **hn**: a 2,000-comment Hacker News thread; Algolia answers 500 (down) or 404 (its
   index lags), so the Firebase API is walked item by item. The budget is 1.5× the lower
   bound, max(requests × latency ÷ per-host limit, (depth + 1) × latency): the first term
   is the pipe (6 requests at a time), the second the longest chain of items, each of
   which is known only once its parent has arrived.
2. **first posts**: `threadtui URL` in a 100×30 pty (pty_probe.py), from spawn to the
   first frame that shows posts (status line, tree rows, a detail time line); budget 1 s.
   (When the fetch starts, spawn to its first request, is first_request.py's probe.)
3. **bluesky**: a 10,000-post thread (a 450-reply chain, 250 quote-posts, bushy replies;
   the server cuts getPostThread at the depth asked and past 1,000 posts a response):
   every post arrives (count = 10,000), and how long it takes.
4. **cache**: first frame in a pty of `threadtui URL` opened from the cache against
   `threadtui saved.json` (the same thread, saved by `threadtui import URL -o`), fresh
   processes. Two figures per opening: the wall time to the first frame (as pty_probe.py
   times it) and the child's CPU time (`time.process_time()`, every thread) when the
   app's first frame is drawn, which the other processes on a shared machine disturb far
   less. One opening of each first, not counted: it byte-compiles the code (into a
   scratch `__pycache__` prefix, as an installed package has its `.pyc`;
   PYTHONDONTWRITEBYTECODE would have every run compile it) and writes both load-cache
   copies, so every counted opening is a second one, both kinds from their copies.
   Then `--pairs` ABBA pairs (U F F U, then F U U F, …): the four openings of a pair share
   one PYTHONHASHSEED and one size of command line plus environment (padded: the URL and
   the file's path differ in length, and that size moves where the stack starts), both
   drawn afresh for each pair (`--seed`). The URL's excess is taken pair by pair (its two
   openings' mean less the file's, which cancels a drift within the pair) and reported as
   its median with a bootstrap 95% interval, in CPU and in wall, with the verdict: met
   when the interval's top is within 1% of the file's CPU time, not met when its bottom is
   above that, otherwise not resolved. "order" is what being second in a pair does (the
   kinds' difference cancelled). `--count N` also counts instructions to the first frame
   under callgrind (the child exits there; one hash seed and environment size per pair),
   the main thread's and every thread's: no load moves a count, so a difference of work
   shows however busy the machine is. `--before SRC` runs another checkout's code in the
   same pairs (its own cache directory: each code's load-cache copies are its own).
   Budget: the cache costs no more than the file.

The exit status is non-zero when a probe cannot run, never because of a timing (what
`--quick` checks in CI). Timing figures on a shared machine are noisy: the load average is
printed; compare ratios from one run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import fetch_sim
import pty_probe
from common import machine_info, machine_line

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PER_HOST = 6
"""threadtui's per-host limit (fetch.client.Limits.per_host), read by the child too."""
BUDGET = 1.5
FIRST_POSTS_BUDGET = 1.0
API_VARIABLES = (
    "THREADTUI_BLUESKY_API",
    "THREADTUI_HN_ALGOLIA_API",
    "THREADTUI_HN_FIREBASE_API",
    "THREADTUI_REDDIT_API",
    "THREADTUI_X_API",
)

# Run in the child: fetch the URL without the cache, print what came and how long it took.
FETCH_CHILD = """\
import json, sys, time
t0 = time.perf_counter()
from threadtui.fetch.run import FetchOptions, fetch_thread
from threadtui.fetch.client import Limits
t1 = time.perf_counter()
c1 = time.process_time()
result = fetch_thread(sys.argv[1], FetchOptions(use_cache=False))
t2 = time.perf_counter()
c2 = time.process_time()
thread = result.thread
print(json.dumps({
    "import_s": t1 - t0, "fetch_s": t2 - t1, "cpu_s": c2 - c1, "requests": result.requests,
    "posts": len(thread.posts), "max_depth": thread.max_depth, "missing": result.missing,
    "per_host": Limits().per_host,
}))
"""


# Run in the child of the cache measure: `threadtui ARGS`, writing the process's CPU time
# to $THREADTUI_BENCH_CPU once the app's first frame is drawn (and exiting there when
# $THREADTUI_BENCH_EXIT is set: callgrind counts to the first frame). The app's module is patched
# as it is imported, never imported sooner (that would move its import's cost).
CPU_CHILD = """\
import importlib.util, os, sys, time
OUT = os.environ.pop("THREADTUI_BENCH_CPU")
EXIT = os.environ.pop("THREADTUI_BENCH_EXIT", "")
class Hook:
    def find_spec(self, name, path=None, target=None):
        if name != "threadtui.ui.app":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run = spec.loader.exec_module
        def exec_module(module):
            run(module)
            drawn = module.ThreadApp._first_frame_drawn
            def stamp(app):
                drawn(app)
                with open(OUT, "w") as file:
                    file.write(repr(time.process_time()))
                if EXIT:  # counting instructions: to the first frame, and no further
                    os._exit(0)
            module.ThreadApp._first_frame_drawn = stamp
        spec.loader.exec_module = exec_module
        return spec
sys.meta_path.insert(0, Hook())
from threadtui.cli import main
sys.exit(main(sys.argv[1:]))
"""


@contextmanager
def sim_server(latency: float, **threads: int | str) -> Iterator[dict[str, Any]]:
    """fetch_sim.py in its own process; its description (base, URLs) while it runs."""
    args = [sys.executable, str(HERE / "fetch_sim.py"), "--latency", str(latency)]
    for name, value in threads.items():
        args += [f"--{name}", str(value)]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"fetch_sim.py did not start: {args}")
        yield json.loads(line)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def child_env(base: str, src: Path, cache: str) -> dict[str, str]:
    env = dict(os.environ)
    for variable in API_VARIABLES:
        env[variable] = base
    env.update(
        XDG_CACHE_HOME=cache,
        PYTHONPATH=os.pathsep.join(p for p in (str(src), env.get("PYTHONPATH")) if p),
        TZ="UTC",
    )
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        env.pop(proxy, None)
    return env


def fetch_once(url: str, env: dict[str, str], timeout: float) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", FETCH_CHILD, url],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"the fetch of {url} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


@contextmanager
def patched_environ(env: dict[str, str]) -> Iterator[None]:
    """pty_probe builds the child's environment from ours."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


# The detail's time line shows seconds when the thread's times have them (Hacker News).
pty_probe.DETAIL_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)? UTC")


def pty_first_frame(arg: str, env: dict[str, str], src: Path, timeout: float) -> dict[str, Any]:
    with patched_environ(env):
        result = pty_probe.first_frame(arg, timeout=timeout, src=src)
    if result.get("exit_status") != 0:
        raise RuntimeError(f"threadtui {arg} did not quit cleanly:\n{result.get('screen')}")
    return result


# --- the measures ----------------------------------------------------------------------


def measure_hn(args: argparse.Namespace, src: Path) -> list[dict[str, Any]]:
    rows = []
    items = fetch_sim.hn_items(args.hn, 1)
    depth = fetch_sim.hn_depth(items)
    for algolia in (404,) if args.quick else (500, 404):
        with sim_server(args.latency, hn=args.hn, algolia=algolia) as server:
            runs = []
            for _ in range(args.repeat):
                with tempfile.TemporaryDirectory() as cache:
                    env = child_env(server["base"], src, cache)
                    runs.append(fetch_once(server["hn_url"], env, args.timeout))
        run = min(runs, key=lambda r: r["fetch_s"])
        if run["posts"] != args.hn + 1 or run["missing"]:
            raise RuntimeError(f"the HN fetch came back short: {run}")
        pipe = run["requests"] * args.latency / run["per_host"]
        chain = (depth + 1) * args.latency
        bound = max(pipe, chain)
        rows.append(
            {
                "algolia": algolia,
                "posts": run["posts"],
                "depth": depth,
                "requests": run["requests"],
                "fetch_s": statistics.median(r["fetch_s"] for r in runs),
                "best_s": run["fetch_s"],
                "pipe_s": pipe,
                "chain_s": chain,
                "bound_s": bound,
                "binding": "requests × latency ÷ limit" if pipe >= chain else "depth × latency",
                "ratio": statistics.median(r["fetch_s"] for r in runs) / bound,
            }
        )
    return rows


def save_thread(threads: dict[str, Any], key: str, src: Path, path: str, timeout: float) -> None:
    """`threadtui import URL -o path` against a server without latency."""
    with sim_server(0.0, **threads) as server, tempfile.TemporaryDirectory() as cache:
        env = child_env(server["base"], src, cache)
        command = [*pty_probe.installed_command(), "import", server[key], "-o", path]
        subprocess.run(command, env=env, check=True, timeout=timeout, capture_output=True)


def measure_first_posts(args: argparse.Namespace, src: Path) -> list[dict[str, Any]]:
    """Each case against the thread's saved file opened in the same run: the app's own
    start-up, which no fetch can beat, on this machine at this load."""
    rows = []
    cases = [("hn, Algolia 500", {"hn": args.hn, "algolia": 500}, "hn_url")]
    cases.append(("hn, Algolia 404", {"hn": args.hn, "algolia": 404}, "hn_url"))
    cases.append(("bluesky", {"bluesky": args.bluesky}, "bluesky_url"))
    for name, threads, key in cases[1:2] if args.quick else cases:
        with tempfile.TemporaryDirectory() as d:
            saved = os.path.join(d, "saved.json")
            save_thread(threads, key, src, saved, args.timeout)
            with sim_server(args.latency, **threads) as server:
                times, files = [], []
                for _ in range(args.repeat):
                    with tempfile.TemporaryDirectory() as cache:
                        env = child_env(server["base"], src, cache)
                        result = pty_first_frame(server[key], env, src, args.timeout)
                        times.append(result["seconds"])
                        files.append(pty_first_frame(saved, env, src, args.timeout)["seconds"])
        rows.append(
            {
                "case": name,
                "first_posts_s": statistics.median(times),
                "file_s": statistics.median(files),
                "runs": times,
            }
        )
    return rows


def measure_bluesky(args: argparse.Namespace, src: Path) -> list[dict[str, Any]]:
    rows = []
    with sim_server(args.latency, bluesky=args.bluesky) as server:
        for key in ("bluesky_deep_url",) if args.quick else ("bluesky_url", "bluesky_deep_url"):
            runs = []
            for _ in range(args.repeat):
                with tempfile.TemporaryDirectory() as cache:
                    env = child_env(server["base"], src, cache)
                    runs.append(fetch_once(server[key], env, args.timeout))
            run = runs[0]
            if any(r["posts"] != args.bluesky or r["missing"] for r in runs):
                raise RuntimeError(f"the Bluesky fetch came back short: {runs}")
            rows.append(
                {
                    "linked": "the root" if key == "bluesky_url" else "the chain's last post",
                    "posts": run["posts"],
                    "expected": args.bluesky,
                    "whole": all(r["posts"] == args.bluesky and not r["missing"] for r in runs),
                    "requests": run["requests"],
                    "max_depth": run["max_depth"],
                    "fetch_s": statistics.median(r["fetch_s"] for r in runs),
                }
            )
    return rows


ORDERS = (("url", "file", "file", "url"), ("file", "url", "url", "file"))
"""ABBA: the kinds' order within a pair, alternating pair by pair (U F F U, F U U F, …),
so a drift in the load, or the second opening of two gaining or losing from the first
(the page cache, a frequency step), falls on both kinds alike."""
BOOTSTRAP = 4000
MARGIN = 0.01
"""The verdict's margin: "no more" holds when the interval's upper end is within 1% of
the file's opening (about 3 ms here, above the ~1 ms the URL's lookup costs by design)."""


def measure_cache(args: argparse.Namespace, src: Path) -> list[dict[str, Any]]:
    rows = []
    cases = [("hn", {"hn": args.hn, "algolia": 404}, "hn_url")]
    cases.append(("bluesky", {"bluesky": args.bluesky}, "bluesky_url"))
    codes = [("after", src)] + ([("before", args.before)] if args.before else [])
    rng = random.Random(args.seed)
    for name, threads, key in cases[:1] if args.quick else cases:
        with tempfile.TemporaryDirectory() as d:
            saved = os.path.join(d, "saved.json")
            with sim_server(0.0, **threads) as server:
                url = server[key]
                env = child_env(server["base"], src, os.path.join(d, "fetched"))
                command = [*pty_probe.installed_command(), "import", url, "-o", saved]
                subprocess.run(
                    command, env=env, check=True, timeout=args.timeout, capture_output=True
                )
            size = os.path.getsize(saved)
            # Now cached, and the server gone: nothing may reach the network.
            envs = {}
            for code, code_src in codes:
                cache = os.path.join(d, code, "cache")
                shutil.copytree(os.path.join(d, "fetched"), cache)
                envs[code] = child_env("http://127.0.0.1:9", code_src, cache)
                envs[code]["PYTHONPYCACHEPREFIX"] = os.path.join(d, code, "pycache")
                envs[code].pop("PYTHONDONTWRITEBYTECODE", None)
            arguments = {"url": url, "file": saved}
            # One opening of each first, not counted: it byte-compiles the code and writes
            # both load-cache copies, so that every counted opening is a second one.
            for code, code_src in codes:
                for arg in arguments.values():
                    pty_cpu_first_frame(arg, envs[code], code_src, args.timeout)
            pairs: dict[str, list[dict[str, Any]]] = {code: [] for code, _ in codes}
            for k in range(args.pairs):
                same = pair_env(rng, arguments)
                for code, code_src in codes if k % 2 else codes[::-1]:
                    order = ORDERS[k % 2]
                    openings: dict[str, list[dict[str, float]]] = {"url": [], "file": []}
                    for what in order:
                        env = {**envs[code], **same[what]}
                        result = pty_cpu_first_frame(arguments[what], env, code_src, args.timeout)
                        openings[what].append(result)
                    pairs[code].append(
                        {"seed": same["url"]["PYTHONHASHSEED"], "order": order, **openings}
                    )
            if args.count:
                counts = count_pairs(args, arguments, envs, codes)
        for code, _ in codes:
            row = cache_row(pairs[code], rng)
            row.update(thread=name, code=code, bytes=size)
            if args.count:
                row["counts"] = counts[code]
            rows.append(row)
    return rows


def pair_env(rng: random.Random, arguments: dict[str, str]) -> dict[str, dict[str, str]]:
    """What the two kinds' openings of one pair share: the hash seed, and the size of the
    command line and environment together. Where the stack starts depends on that size,
    and with it the alignment of everything on the stack (the URL and the file's path
    differ in length): padded to one length, drawn afresh for each pair."""
    seed = str(rng.randrange(2**32))
    longest = max(len(arg) for arg in arguments.values())
    length = longest + rng.randrange(4096)
    return {
        what: {"PYTHONHASHSEED": seed, "THREADTUI_BENCH_PAD": "x" * (length - len(arg))}
        for what, arg in arguments.items()
    }


def cache_row(pairs: list[dict[str, Any]], rng: random.Random) -> dict[str, Any]:
    """Medians of each kind, and the URL's excess pair by pair (its two openings' mean
    less the file's) with a bootstrap 95% interval of its median, in CPU and in wall."""
    row: dict[str, Any] = {"pairs": pairs, "n": len(pairs)}
    for field, suffix in (("seconds", ""), ("cpu_s", "_cpu")):
        url = [r[field] for pair in pairs for r in pair["url"]]
        file = [r[field] for pair in pairs for r in pair["file"]]
        row[f"cache{suffix}_s"] = cached = statistics.median(url)
        row[f"file{suffix}_s"] = filed = statistics.median(file)
        row[f"ratio{suffix}"] = cached / filed
        diffs = [
            statistics.fmean(r[field] for r in pair["url"])
            - statistics.fmean(r[field] for r in pair["file"])
            for pair in pairs
        ]
        median, low, high = median_interval(diffs, rng)
        row[f"diff{suffix}_ms"] = (1000 * median, 1000 * low, 1000 * high)
        # The second opening of a pair less the first (its AB half): the kinds' difference
        # falls with one sign in U-first pairs and the other in F-first ones, so the mean
        # of the two groups' medians is what being second does.
        seconds = {
            order: [
                pair[order[1]][0][field] - pair[order[0]][0][field]
                for pair in pairs
                if pair["order"] == order
            ]
            for order in ORDERS
        }
        groups = [statistics.median(v) for v in seconds.values() if v]
        row[f"order{suffix}_ms"] = 1000 * statistics.fmean(groups) if len(groups) == 2 else None
    row["verdict"] = verdict(*row["diff_cpu_ms"], margin_ms=1000 * MARGIN * row["file_cpu_s"])
    return row


def median_interval(values: list[float], rng: random.Random) -> tuple[float, float, float]:
    """The median, and a percentile bootstrap 95% interval of it."""
    n = len(values)
    if n < 2:
        return values[0], values[0], values[0]
    medians = sorted(statistics.median(rng.choices(values, k=n)) for _ in range(BOOTSTRAP))
    return (
        statistics.median(values),
        medians[int(0.025 * BOOTSTRAP)],
        medians[int(0.975 * BOOTSTRAP) - 1],
    )


def verdict(median: float, low: float, high: float, *, margin_ms: float) -> str:
    if high <= 0:
        return "met: the URL costs less"
    if high <= margin_ms:
        return f"met: no more (within {margin_ms:.1f} ms, 1% of the file's)"
    if low > margin_ms:
        return "NOT met: the URL costs more"
    return "not resolved: more pairs, or a quieter machine"


def pty_cpu_first_frame(
    arg: str, env: dict[str, str], src: Path, timeout: float
) -> dict[str, float]:
    """`threadtui ARG` in a pty: spawn to the first frame (as pty_probe.first_frame), and
    the child's CPU time once it has drawn it (CPU_CHILD)."""
    switch = sys.getswitchinterval()
    # The reader thread must get the GIL promptly while pyte parses on the main thread.
    sys.setswitchinterval(0.0005)
    with tempfile.TemporaryDirectory() as config_dir, patched_environ(env):
        child = pty_probe.child_env(config_dir, src)
        out = child["THREADTUI_BENCH_CPU"] = os.path.join(config_dir, "cpu")
        term = pty_probe.Pty([sys.executable, "-c", CPU_CHILD, arg, "--tz", "UTC"], child)
        try:
            arrived = term.wait_for(pty_probe.first_frame_drawn, timeout)
            seconds = term.end_of_burst(arrived, pty_probe.WRITE_GAP) - term.t_spawn
            # Drawn, then stamped: let the stamp land, and the load cache's writer finish.
            term.drain_until_idle(timeout)
            status = term.quit()
            if status != 0:
                raise RuntimeError(f"threadtui {arg} did not quit cleanly:\n{term.text()}")
            with open(out) as file:
                cpu = float(file.read())
        finally:
            term.kill()
            sys.setswitchinterval(switch)
    return {"seconds": seconds, "cpu_s": cpu}


def count_pairs(
    args: argparse.Namespace,
    arguments: dict[str, str],
    envs: dict[str, dict[str, str]],
    codes: list[tuple[str, Path]],
) -> dict[str, list[dict[str, int]]]:
    """Instructions to the first frame under callgrind, each kind `args.count` times, in
    pairs with one hash seed and one environment size: the main thread's (the child
    exits at its first frame) and every thread's. No load and no other process changes
    a count; what still moves is the threads' interleaving (the load cache's hash thread
    against the decoding, Textual's input and output threads)."""
    counts: dict[str, list[dict[str, int]]] = {code: [] for code, _ in codes}
    rng = random.Random(args.seed + 1)
    for k in range(args.count):
        same = pair_env(rng, arguments)
        for code, code_src in codes:
            pair: dict[str, int] = {}
            for what in ORDERS[k % 2][:2]:
                env = {**envs[code], **same[what], "THREADTUI_BENCH_EXIT": "1"}
                pair.update(
                    {
                        f"{what}_{part}": n
                        for part, n in callgrind_count(
                            arguments[what], env, code_src, args.timeout
                        ).items()
                    }
                )
            counts[code].append(pair)
    return counts


def callgrind_count(arg: str, env: dict[str, str], src: Path, timeout: float) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as config_dir, patched_environ(env):
        child = pty_probe.child_env(config_dir, src)
        child["THREADTUI_BENCH_CPU"] = os.path.join(config_dir, "cpu")
        out = os.path.join(config_dir, "callgrind.out")
        command = [
            "valgrind",
            "--tool=callgrind",
            "--separate-threads=yes",
            f"--callgrind-out-file={out}",
            sys.executable,
            "-c",
            CPU_CHILD,
            arg,
            "--tz",
            "UTC",
        ]
        term = pty_probe.Pty(command, child)
        try:
            deadline = time.monotonic() + timeout
            while not term.exited():
                if time.monotonic() > deadline:
                    raise TimeoutError(f"callgrind of threadtui {arg}: no exit in {timeout} s")
                term.feed(0.2)
        finally:
            term.kill()
        totals = []
        # One file a thread (callgrind.out-01, -02, …; the first is the main thread's).
        for path in sorted(Path(config_dir).glob("callgrind.out-*"), key=_thread_number):
            text = path.read_text(errors="replace")
            found = re.search(r"^(?:summary|totals):\s*(\d+)", text, re.MULTILINE)
            totals.append(int(found.group(1)) if found else 0)
    if not totals:
        raise RuntimeError(f"callgrind wrote no counts for threadtui {arg}")
    return {"main": totals[0], "all": sum(totals)}


def _thread_number(path: Path) -> int:
    found = re.search(r"-(\d+)$", path.name)
    return int(found.group(1)) if found else 0


# --- output --------------------------------------------------------------------------------


def report(results: dict[str, Any], args: argparse.Namespace) -> str:
    out = [f"Machine: {machine_line(results['machine'])}"]
    out.append(f"Load average at start: {results['load']}; latency {args.latency * 1000:.0f} ms")
    out.append(f"Code: {results['src']}")
    if "hn" in results:
        out += ["", f"### Hacker News item by item ({args.hn:,} comments)", ""]
        out.append(
            "| Algolia | posts | depth | requests | time (median) | requests×lat÷limit"
            " | (depth+1)×lat | binding | ratio | ≤ 1.5× |"
        )
        out.append("|---|--:|--:|--:|--:|--:|--:|---|--:|---|")
        for row in results["hn"]:
            out.append(
                f"| {row['algolia']} | {row['posts']:,} | {row['depth']} | {row['requests']:,}"
                f" | {row['fetch_s']:.2f} s | {row['pipe_s']:.2f} s | {row['chain_s']:.2f} s"
                f" | {row['binding']} | {row['ratio']:.2f}×"
                f" | {'yes' if row['ratio'] <= BUDGET else 'NO'} |"
            )
    if "first" in results:
        out += ["", "### First posts on screen (`threadtui URL`, pty, cache empty)", ""]
        out.append("| thread | first posts (median) | runs | its saved file | ≤ 1 s |")
        out.append("|---|--:|---|--:|---|")
        for row in results["first"]:
            runs = ", ".join(f"{t:.2f}" for t in row["runs"])
            ok = "yes" if row["first_posts_s"] <= FIRST_POSTS_BUDGET else "NO"
            out.append(
                f"| {row['case']} | {row['first_posts_s']:.2f} s | {runs}"
                f" | {row['file_s']:.2f} s | {ok} |"
            )
    if "bluesky" in results:
        out += ["", f"### Bluesky, {args.bluesky:,} posts", ""]
        out.append("| URL links | posts | whole | requests | deepest | time (median) |")
        out.append("|---|--:|---|--:|--:|--:|")
        for row in results["bluesky"]:
            out.append(
                f"| {row['linked']} | {row['posts']:,} of {row['expected']:,}"
                f" | {'yes' if row['whole'] else 'NO'} | {row['requests']:,}"
                f" | {row['max_depth']} | {row['fetch_s']:.2f} s |"
            )
    if "cache" in results:
        out += ["", "### Re-opening from the cache vs opening the saved file (pty)", ""]
        out.append(
            f"{args.pairs} ABBA pairs a thread (U F F U, then F U U F, …; one hash seed and"
            " one environment size a pair); first frame in a 100×30 pty; medians of each"
            " kind, then the URL's excess pair by pair (its two openings' mean less the"
            " file's): median [bootstrap 95% interval]; order: the second opening of a pair"
            " less the first."
        )
        out.append("")
        out.append(
            "| thread | code | file size | `threadtui URL` (cached): wall / CPU"
            " | `threadtui saved.json` | ratio wall / CPU | URL − file, wall"
            " | URL − file, CPU | order, CPU |"
        )
        out.append("|---|---|--:|--:|--:|--:|--:|--:|--:|")
        for row in results["cache"]:
            order = row["order_cpu_ms"]
            out.append(
                f"| {row['thread']} | {row['code']} | {row['bytes'] / 1024:,.0f} KB"
                f" | {row['cache_s']:.3f} / {row['cache_cpu_s']:.3f} s"
                f" | {row['file_s']:.3f} / {row['file_cpu_s']:.3f} s"
                f" | {row['ratio']:.3f} / {row['ratio_cpu']:.3f}"
                f" | {_interval(row['diff_ms'])} | {_interval(row['diff_cpu_ms'])}"
                f" | {'–' if order is None else f'{order:+.1f} ms'} |"
            )
        out.append("")
        for row in results["cache"]:
            median, low, high = row["diff_cpu_ms"]
            out.append(
                f"Verdict, {row['thread']} ({row['code']}): URL − file {median:+.1f} ms CPU,"
                f" 95% [{low:+.1f}, {high:+.1f}] ms of {1000 * row['file_cpu_s']:.0f} ms:"
                f" {row['verdict']}"
            )
        if any("counts" in row for row in results["cache"]):
            out += ["", "Instructions to the first frame (callgrind), URL − file, per pair:", ""]
            out.append("| thread | code | main thread: URL / file | difference | every thread |")
            out.append("|---|---|--:|--:|--:|")
            verdicts = []
            for row in results["cache"]:
                pairs = row.get("counts", [])
                if pairs:
                    share = statistics.median(
                        (p["url_main"] - p["file_main"]) / p["file_main"] for p in pairs
                    )
                    met = "met: no more" if share <= MARGIN else "NOT met: the URL costs more"
                    verdicts.append(
                        f"Counted, {row['thread']} ({row['code']}): the URL's main thread"
                        f" {100 * share:+.2f}% of the file's instructions (median of"
                        f" {len(pairs)}): {met} (within {100 * MARGIN:.0f}%)"
                    )
                for pair in pairs:
                    main, every = (
                        pair["url_main"] - pair["file_main"],
                        pair["url_all"] - pair["file_all"],
                    )
                    out.append(
                        f"| {row['thread']} | {row['code']}"
                        f" | {pair['url_main'] / 1e9:.4f} / {pair['file_main'] / 1e9:.4f} G"
                        f" | {main / 1e6:+.1f} M ({100 * main / pair['file_main']:+.2f}%)"
                        f" | {every / 1e6:+.1f} M ({100 * every / pair['file_all']:+.2f}%) |"
                    )
            out += ["", *verdicts]
    return "\n".join(out)


def _interval(values: tuple[float, float, float]) -> str:
    median, low, high = values
    return f"{median:+.1f} [{low:+.1f}, {high:+.1f}] ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--hn", type=int, default=2_000, help="comments in the HN thread")
    parser.add_argument("--bluesky", type=int, default=10_000, help="posts in the Bluesky one")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="hn,first,bluesky,cache")
    parser.add_argument("--src", type=Path, default=REPO / "src", help="the code to measure")
    parser.add_argument(
        "--before", type=Path, help="cache measure: this code too, in the same rounds"
    )
    parser.add_argument(
        "--pairs", type=int, default=20, help="cache measure: ABBA pairs per thread (4 openings)"
    )
    parser.add_argument(
        "--count",
        type=int,
        default=0,
        help="cache measure: also count instructions to the first frame (callgrind), N pairs",
    )
    parser.add_argument("--seed", type=int, default=12, help="cache measure: hash seeds, pads")
    parser.add_argument("--timeout", type=float, default=300.0, help="per probe, seconds")
    parser.add_argument("--json", type=Path, help="write every run here too")
    parser.add_argument(
        "--quick", action="store_true", help="smoke test: small threads, one case each, once"
    )
    args = parser.parse_args(argv)
    if args.count and shutil.which("valgrind") is None:
        parser.error("--count needs valgrind (callgrind) on PATH")
    if args.quick:
        args.hn, args.bluesky, args.repeat, args.latency = 200, 1_500, 1, 0.01
        args.pairs = 2
    only = set(args.only.split(","))
    results: dict[str, Any] = {
        "machine": machine_info(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "src": str(args.src.resolve()),
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    started = time.monotonic()
    if "hn" in only:
        results["hn"] = measure_hn(args, args.src)
    if "bluesky" in only:
        results["bluesky"] = measure_bluesky(args, args.src)
    if "first" in only:
        results["first"] = measure_first_posts(args, args.src)
    if "cache" in only:
        results["cache"] = measure_cache(args, args.src)
    results["elapsed_s"] = time.monotonic() - started
    print(report(results, args))
    print(f"\n({results['elapsed_s']:.0f} s in all)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
