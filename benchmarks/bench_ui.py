"""How fast the app opens a thread and answers keys, against the cost of parsing its JSON.

    python benchmarks/bench_ui.py                                  # 100k × bushy, wide, deep
    python benchmarks/bench_ui.py --sizes 1M --shapes bushy --repeat 1 --key-repeat 3
    python benchmarks/bench_ui.py --quick                          # CI smoke test (seconds)
    python benchmarks/bench_ui.py --json benchmarks/out/ui.json --profile "expand all"

For each file, every measurement in a fresh interpreter (ui_probe.py, pty_probe.py):

- floor: spawn → `orjson.loads(Path(p).read_bytes())` done, in a bare interpreter; also the
  statement alone, as bench_load.py times it;
- first frame, headless: `threadtui.cli.main([FILE])` with Textual headless, from spawn to
  the first frame showing the tree and the first post's detail (see ui_probe.py);
- first frame, pty: the installed `threadtui FILE` in a 100×30 pseudo-terminal, from spawn
  to the bytes that draw that frame (see pty_probe.py);
- peak RSS (VmHWM) of each, at the first frame and once the app is idle;
- key latencies in one headless session: from the action's call to the last frame it
  caused (median and nearest-rank p95);
- the query layer alone: `parse_query` + `run_query` + `FilterView.build` per prefix typed,
  and, through the UI, each keystroke typed into the search and filter bar.

Floor, headless and pty runs are interleaved so drift in machine load hits all alike; the
load average is recorded with each file. The exit status is non-zero only when a probe
cannot run (the app does not start, or a probe crashes), never because of a timing.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, cast

import orjson

from common import OUT, child_env, ensure_thread, machine_info, machine_line, warm_cache
from generate import SHAPES, Shape, parse_size, size_label

BENCH_DIR = Path(__file__).resolve().parent
PROBE = BENCH_DIR / "ui_probe.py"

KEY_BUDGET = 0.050
QUERY_BUDGET = 0.100
FIRST_FRAME_BUDGET = 2.0
PEAK_BUDGET = 1.5


class ProbeError(RuntimeError):
    pass


PROBE_FLAGS: list[str] = []
"""Passed to every app probe (first-frame, keys): `--no-output-filter`."""

SOURCE: dict[str, Path] = {}
"""Where the children import threadtui from: a snapshot, unless --no-snapshot."""


def snapshot_source(dest: Path, rev: str | None = None) -> str:
    """Copy the package and its styles (the layout `styles_dir()` expects) into `dest`, so
    every probe of a run measures the same code while others keep editing the checkout:
    the working tree, or commit `rev`. The digest of the copy tells measured states apart."""
    import hashlib
    import io
    import shutil
    import tarfile

    repo = BENCH_DIR.parent
    if rev is None:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
        shutil.copytree(repo / "src" / "threadtui", dest / "src" / "threadtui", ignore=ignore)
        shutil.copytree(repo / "styles", dest / "styles", ignore=ignore)
    else:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", rev, "src/threadtui", "styles"],
            cwd=repo,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(dest, filter="data")
    digest = hashlib.sha256()
    for file in sorted(p for p in dest.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(dest)).encode() + b"\0" + file.read_bytes())
    # Byte-compiled, as pip installs a package: with PYTHONDONTWRITEBYTECODE set (as on
    # the project's machines) every probe would otherwise compile the package from source,
    # ~0.1 s of each first frame that no installed copy pays.
    import compileall

    compileall.compile_dir(dest / "src", quiet=1)
    SOURCE["src"] = dest / "src"
    return digest.hexdigest()[:12]


def probe_env(config_dir: str) -> dict[str, str]:
    env = child_env()
    env = {k: v for k, v in env.items() if not k.startswith("TEXTUAL_")}
    if "src" in SOURCE:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(SOURCE["src"])] + [p for p in env["PYTHONPATH"].split(os.pathsep)[1:] if p]
        )
    # Default settings and UTC, whatever the machine's user has configured.
    env["THREADTUI_CONFIG"] = os.path.join(config_dir, "absent.toml")
    # A cache folder of the probe's own (empty): every first frame here is a first opening,
    # never one from the load cache (bench_reopen.py measures those).
    env["XDG_CACHE_HOME"] = os.path.join(config_dir, "cache")
    # And a first visit: no read state left by an earlier run (its cursor, its marks).
    env["XDG_STATE_HOME"] = os.path.join(config_dir, "state")
    env["TZ"] = "UTC"
    return env


def run_probe(mode: str, path: Path, *extra: str, timeout: float) -> dict[str, Any]:
    """One ui_probe.py child; its result with `spawn` (monotonic time before the fork)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        flags = PROBE_FLAGS if mode in ("first-frame", "keys") else []
        args = [sys.executable, str(PROBE), mode, str(path), "--out", str(out), *extra, *flags]
        spawn = time.monotonic()
        # Own session: on a timeout the whole group goes, threads and all.
        proc = subprocess.Popen(
            args,
            env=probe_env(tmp),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ProbeError(f"{mode} {path.name}: no result within {timeout:g} s") from None
        finally:
            # On a timeout, or on our own SIGTERM/Ctrl-C: never leave the child running.
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
        if not out.exists():
            tail = (stderr or stdout).decode(errors="replace").strip()[-3000:]
            raise ProbeError(f"{mode} {path.name}: exit {proc.returncode} without a result\n{tail}")
        result = orjson.loads(out.read_bytes())
    if "error" in result:
        said = stderr.decode(errors="replace").strip()[-2000:]
        raise ProbeError(
            f"{mode} {path.name}: {result['error']}\n{result.get('traceback', '')}\n{said}".rstrip()
        )
    result["spawn"] = spawn
    return result


def floor_run(path: Path, timeout: float) -> dict[str, Any]:
    r = run_probe("floor", path, timeout=timeout)
    return {
        "wall": r["t_done"] - r["spawn"],
        "stmt": r["stmt_s"],
        "parse": r["parse_s"],
        "interpreter": r["t0"] - r["spawn"],
        "peak_mb": r["peak_mb"],
    }


def headless_run(path: Path, timeout: float, profile: str | None = None) -> dict[str, Any]:
    extra = ["--profile", profile, "--profile-dir", str(OUT)] if profile else []
    r = run_probe("first-frame", path, *extra, timeout=timeout)
    spawn = r["spawn"]
    return {
        "first_frame": r["t_first_frame"] - spawn,
        "fully_drawn": r["t_fully_drawn"] - spawn,
        "first_paint": r["t_first_display"] - spawn,
        "interpreter": r["t0"] - spawn,
        # cli.main imports Textual right after loading: that import marks the load's end.
        "cli_and_load": r["t_textual_import"] - r["t0"],
        "textual_import_and_app": r["t_app_run"] - r["t_textual_import"],
        "compose_to_first_frame": r["t_first_frame"] - r["t_app_run"],
        "index_ready": r["t_index_ready"] - spawn if "t_index_ready" in r else None,
        "peak_first_frame_mb": r["peak_first_frame_mb"],
        "filter_first_frame": r.get("filter_first_frame_s"),
        "peak_settled_mb": r["peak_settled_mb"],
        "rss_settled_mb": r["rss_settled_mb"],
    }


def pty_run(path: Path, timeout: float) -> dict[str, Any]:
    import pty_probe

    result = pty_probe.first_frame(path, timeout=timeout, src=SOURCE.get("src"))
    if result["exit_status"] != 0:
        raise ProbeError(f"pty {path.name}: threadtui exited with {result['exit_status']}")
    return result


def pty_available() -> str | None:
    """Why the pty run cannot happen here, or None."""
    try:
        import pty  # noqa: F401

        import pyte  # noqa: F401
    except ImportError as error:
        return f"no pty/pyte ({error})"
    return None


def uncommitted() -> list[str]:
    """Files of the measured code that differ from the commit: the figures are theirs."""
    try:
        proc = subprocess.run(
            ["git", "status", "--porcelain", "--", "src", "styles", "pyproject.toml"],
            cwd=BENCH_DIR.parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return [line[3:] for line in proc.stdout.splitlines()]


def med(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = [k for k, v in runs[0].items() if isinstance(v, int | float)]
    return {**{k: med(runs, k) for k in keys}, "runs": runs}


def bench_file(
    path: Path,
    *,
    repeat: int,
    key_repeat: int,
    with_pty: bool,
    with_keys: bool,
    with_query: bool,
    ui_query: bool,
    profile: str | None,
    timeout: float,
    errors: list[str],
) -> dict[str, Any]:
    warm_cache(path)
    row: dict[str, Any] = {"bytes": path.stat().st_size, "loadavg_before": os.getloadavg()}
    floors: list[dict[str, Any]] = []
    heads: list[dict[str, Any]] = []
    ptys: list[dict[str, Any]] = []
    for _ in range(repeat):
        floors.append(floor_run(path, timeout))
        try:
            heads.append(headless_run(path, timeout, profile))
        except ProbeError as error:
            errors.append(f"the app did not start headless: {error}")
            break
        if with_pty:
            try:
                ptys.append(pty_run(path, timeout))
            except (ProbeError, RuntimeError, TimeoutError) as error:
                errors.append(f"the app did not start in a pty: {error}")
                with_pty = False
    row["floor"] = medians(floors)
    if heads:
        row["headless"] = medians(heads)
    if ptys:
        screen = ptys[-1].pop("screen", "")
        for p in ptys:
            p.pop("screen", None)
        row["pty"] = medians(ptys)
        row["pty"]["screen"] = screen
    if with_keys and heads:
        extra = ["--repeat", str(key_repeat)]
        if not ui_query:
            extra.append("--no-ui-query")
        if profile:
            extra += ["--profile", profile, "--profile-dir", str(OUT)]
        try:
            row["keys"] = run_probe("keys", path, *extra, timeout=timeout * 4)
        except ProbeError as error:
            errors.append(f"key latencies: {error}")
    if with_query:
        try:
            row["query"] = run_probe("query", path, "--repeat", "3", timeout=timeout * 2)
        except ProbeError as error:
            errors.append(f"query layer: {error}")
    row["loadavg_after"] = os.getloadavg()
    return row


# --- tables ------------------------------------------------------------------------------


def row_name(r: dict[str, Any], sep: str = " | ") -> str:
    """The posts and shape columns: a generated thread's size and shape, or a file's name."""
    if r.get("posts") is None:
        return f"file{sep}{r['shape']}"
    return f"{size_label(r['posts'])}{sep}{r['shape']}"


def ms(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 0.01:
        return f"{value * 1000:.1f} ms"
    return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"


def ratio(a: float | None, b: float | None) -> str:
    return "–" if a is None or not b else f"{a / b:.2f}"


def mb(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def first_frame_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| posts | shape | floor: spawn→parsed (stmt) | floor peak MB"
        " | headless first frame | × floor | × stmt | fully drawn"
        " | pty first frame | × floor | pty fully drawn"
        " | peak MB at first frame | × | peak MB idle | × |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        f, h, p = r["floor"], r.get("headless", {}), r.get("pty", {})
        peak_ff = h.get("peak_first_frame_mb")
        peak_idle = h.get("peak_settled_mb")
        lines.append(
            f"| {row_name(r)}"
            f" | {ms(f['wall'])} ({ms(f['stmt'])}) | {mb(f['peak_mb'])}"
            f" | {ms(h.get('first_frame'))} | {ratio(h.get('first_frame'), f['wall'])}"
            f" | {ratio(h.get('first_frame'), f['stmt'])} | {ms(h.get('fully_drawn'))}"
            f" | {ms(p.get('seconds'))} | {ratio(p.get('seconds'), f['wall'])}"
            f" | {ms(p.get('fully_drawn_s'))}"
            f" | {mb(peak_ff)} | {ratio(peak_ff, f['peak_mb'])}"
            f" | {mb(peak_idle)} | {ratio(peak_idle, f['peak_mb'])} |"
        )
    return "\n".join(lines)


def breakdown_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| posts | shape | interpreter start | cli + load | Textual import + app init"
        " | App.run → first frame | from spawn: first paint (no detail yet) | index ready"
        " | in the output filter to the first frame |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        h = r.get("headless")
        if not h:
            continue
        lines.append(
            f"| {row_name(r)} | {ms(h['interpreter'])}"
            f" | {ms(h['cli_and_load'])} | {ms(h['textual_import_and_app'])}"
            f" | {ms(h['compose_to_first_frame'])} | {ms(h['first_paint'])}"
            f" | {ms(h.get('index_ready'))} | {ms(h.get('filter_first_frame'))} |"
        )
    return "\n".join(lines)


def keys_table(rows: list[dict[str, Any]]) -> str:
    with_keys = [r for r in rows if r.get("keys", {}).get("keys")]
    if not with_keys:
        return "(no key latencies)"
    names: list[str] = []
    for r in with_keys:
        for name in r["keys"]["keys"]:
            if name not in names:
                names.append(name)
    head = "| operation | " + " | ".join(
        f"{row_name(r, ' ')}: median / p95 (call)" for r in with_keys
    )
    lines = [head + " |", "|---|" + "---:|" * len(with_keys)]
    for name in names:
        cells = []
        for r in with_keys:
            k = r["keys"]["keys"].get(name)
            if k is None:
                cells.append("–")
                continue
            if name.startswith("pilot."):
                cells.append(f"{ms(k['call']['median'])} wall")
                continue
            over = " ⚠" if k["frame"]["p95"] > KEY_BUDGET else ""
            spent = k.get("filter")
            in_filter = (
                "" if not spent or not spent["median"] else f" [filter {ms(spent['median'])}]"
            )
            cells.append(
                f"{ms(k['frame']['median'])} / {ms(k['frame']['p95'])}"
                f" ({ms(k['call']['median'])}){in_filter}{over}"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def ui_query_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| posts | shape | typed | per keystroke: median | max | slowest prefix"
        " | result from worker (median) |",
        "|---:|---|---|---:|---:|---|---:|",
    ]
    found = False
    for r in rows:
        uq = r.get("keys", {}).get("ui_query")
        if not uq:
            continue
        if "skipped" in uq:
            lines.append(f"| {row_name(r)} | {uq['skipped']} | | | | |")
            continue
        for mode in ("search", "filter"):
            m = uq.get(mode)
            if not m:
                continue
            found = True
            slowest = max(m["samples"], key=lambda s: s["frame"])
            results = [s["result"] for s in m["samples"] if s.get("result") is not None]
            over = " ⚠" if m["max"] > QUERY_BUDGET else ""
            lines.append(
                f"| {row_name(r)} | {mode} `{m['text']}`"
                f" | {ms(m['median'])} | {ms(m['max'])}{over} | `{slowest['prefix']}`"
                f" | {ms(statistics.median(results) if results else None)} |"
            )
    return "\n".join(lines) if found else "(no UI search/filter measurement)"


def query_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| posts | shape | index build | query (typed prefix by prefix) | median keystroke"
        " | slowest keystroke | matches at the end |",
        "|---:|---|---:|---|---:|---:|---:|",
    ]
    found = False
    for r in rows:
        q = r.get("query")
        if not q:
            continue
        found = True
        for name, steps in q["query"].items():
            slow = max(steps, key=lambda s: s["median"])
            lines.append(
                f"| {row_name(r)} | {ms(q['index_build_s'])}"
                f" | {name} | {ms(statistics.median(s['median'] for s in steps))}"
                f" | {ms(slow['median'])} (`{slow['prefix']}`)"
                f" | {steps[-1]['matches'] if steps[-1]['error'] is None else 'error'} |"
            )
    return "\n".join(lines) if found else "(no query-layer measurement)"


def targets_note(rows: list[dict[str, Any]]) -> str:
    out = []
    for r in rows:
        t = r.get("keys", {}).get("targets")
        if t:
            out.append(
                f"- {row_name(r, ' ')}: {r['keys']['rows']:,} rows; far post"
                f" #{t['far']} at rank {t['far_rank']:,}, depth {t['far_depth']}; most replies"
                f" {t['most_replies_n']:,}; most quoted {t['most_quoted_n']}; load average"
                f" {r['loadavg_before'][0]:.2f} → {r['loadavg_after'][0]:.2f}; one full"
                f" collection at idle {ms(r['keys'].get('gc_full_collect_s'))}"
                f" ({r['keys'].get('gc_tracked', 0):,} tracked objects,"
                f" {r['keys'].get('gc_frozen', 0):,} frozen)"
            )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k", help="comma list: 1k,10k,100k,1M")
    parser.add_argument("--shapes", default="bushy,wide,deep", help="comma list of shapes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="first-frame runs per file")
    parser.add_argument("--key-repeat", type=int, default=7, help="runs per key operation")
    parser.add_argument("--no-pty", action="store_true", help="skip the pty first frame")
    parser.add_argument("--no-keys", action="store_true", help="skip the key latencies")
    parser.add_argument("--no-query", action="store_true", help="skip search and filter")
    parser.add_argument(
        "--no-output-filter",
        action="store_true",
        help="run the app without its output stage (ui/output.py), to cost it by difference",
    )
    parser.add_argument(
        "--files",
        metavar="A,B",
        help="measure these input files (any source threadtui opens) instead of generated ones",
    )
    parser.add_argument(
        "--profile",
        metavar="A,B",
        help='cProfile the first run of operations whose names contain A or B (e.g. "expand'
        ' all", "first frame", "search keystroke \'the\'") into benchmarks/out',
    )
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds a single probe may take"
    )
    parser.add_argument("--quick", action="store_true", help="CI smoke test: 1k and 10k, once")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write results as JSON")
    parser.add_argument(
        "--rev", help="measure this commit (git archive) instead of the working tree"
    )
    parser.add_argument(
        "--no-snapshot",
        action="store_true",
        help="import threadtui from the checkout itself, not from a copy taken at the start",
    )
    args = parser.parse_args(argv)
    if args.no_output_filter:
        PROBE_FLAGS.append("--no-output-filter")
    # SIGTERM unwinds like Ctrl-C, so every probe's `finally` kills its child.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    if args.rev and args.no_snapshot:
        parser.error("--rev needs a snapshot")
    with tempfile.TemporaryDirectory(prefix="bench-ui-src-") as snap:
        if not args.no_snapshot:
            args.snapshot = snapshot_source(Path(snap), args.rev)
        return run(args, parser)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:

    if args.quick:
        sizes, shapes = [1_000, 10_000], ["bushy"]
        args.repeat, args.key_repeat, args.timeout = 1, 1, min(args.timeout, 120.0)
    else:
        sizes = [parse_size(s) for s in args.sizes.split(",")]
        shapes = [s.strip() for s in args.shapes.split(",")]
    for s in shapes:
        if s not in SHAPES:
            parser.error(f"unknown shape {s!r}; choose from {', '.join(SHAPES)}")

    no_pty = pty_available()
    if no_pty and not args.no_pty:
        print(f"skipping the pty run: {no_pty}", file=sys.stderr)
    info = machine_info()
    if args.rev:
        info["threadtui_commit"] = subprocess.run(
            ["git", "rev-parse", "--short", args.rev],
            cwd=BENCH_DIR.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    info["uncommitted"] = [] if args.rev else uncommitted()
    errors: list[str] = []
    rows: list[dict[str, Any]] = []
    started = time.monotonic()
    inputs: list[tuple[int | None, str, Path]]
    if args.files:
        inputs = [(None, Path(f).name, Path(f)) for f in args.files.split(",") if f]
    else:
        inputs = [
            (n, shape, ensure_thread(n, cast(Shape, shape), args.seed))
            for n in sizes
            for shape in shapes
        ]
    for n, shape, path in inputs:
        small = args.quick and n is not None and n < 10_000
        row: dict[str, Any] = {"posts": n, "shape": shape}
        row.update(
            bench_file(
                path,
                repeat=args.repeat,
                key_repeat=args.key_repeat,
                # Quick: the pty at the smaller size only, keys at the larger, no UI query.
                with_pty=not (args.no_pty or no_pty) and (small or not args.quick),
                with_keys=not args.no_keys and not small,
                with_query=not args.no_query and not small,
                ui_query=not args.no_query and not args.quick,
                profile=args.profile,
                timeout=args.timeout,
                errors=errors,
            )
        )
        rows.append(row)
        print(
            f"{row_name(row, ' ')}: done ({time.monotonic() - started:.0f} s)",
            file=sys.stderr,
            flush=True,
        )

    dirty = info["uncommitted"]
    state = f" + uncommitted: {', '.join(dirty)}" if dirty else ""
    if getattr(args, "snapshot", None):
        state += f" (snapshot {args.snapshot})"
    print(f"\n{machine_line(info)}{state}")
    print()
    print("### First frame and peak memory\n")
    print(first_frame_table(rows))
    print("\n### Where the headless first frame goes (medians, from spawn)\n")
    print(breakdown_table(rows))
    print(f"\n### Key latencies (budget {KEY_BUDGET * 1000:.0f} ms; ⚠ p95 over it)\n")
    print(keys_table(rows))
    print(targets_note(rows))
    print(f"\n### Search and filter keystrokes (budget {QUERY_BUDGET * 1000:.0f} ms)\n")
    print(ui_query_table(rows))
    print()
    print(query_table(rows))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_bytes(
            orjson.dumps(
                {"machine": info, "args": vars(args) | {"json": str(args.json)}, "results": rows},
                option=orjson.OPT_INDENT_2,
                default=str,
            )
        )
    for error in errors:
        print(f"\nFAILED: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
