"""Key → screen changed, through a real pty, against a minimal Textual app (issue #16).

    python benchmarks/bench_keys.py                          # 10k and 100k bushy, 3 rounds
    python benchmarks/bench_keys.py --sizes 1M --repeat 1    # also j/k in the first 30 s
    python benchmarks/bench_keys.py --quick                  # smoke test: 1k, one round
    python benchmarks/bench_keys.py --sizes 100k --profile   # cProfile of one app session

The user's view: the installed `threadtui FILE --tz UTC` in a 100×30 pseudo-terminal, its
output parsed with pyte (pty_probe.Pty). A key's latency runs from writing the key to the
master side to the end of the write that first changes the screen (the frame it caused,
drawn): its characters or their colours and attributes, since a cursor moving one row is
a change of background only. Before each key the output has been quiet for `QUIET`
seconds, so nothing of the previous key is counted.

The floor is floor_app.py (one line repainted per key, same Textual) in the same pty, timed
the same way, in the same run, rounds interleaved with the app's: ratios to its median
are the budget (1.5×), absolute times vary with the machine and its load.

**CPU**: the processor time the program used (all its threads, from the kernel's
per-thread schedstat, nanoseconds) from the key to the end of the burst of output it
caused. Unlike the times above it does not grow with the machine's load (waiting for a
core is not counted), so its ratio to the floor's is the figure to compare across runs on
a shared machine. `--key-rounds N` repeats the round of keys N times in each session (more
samples a key for the same start-up cost).

Stalls: a burst of `j` pressed every `HOLD_INTERVAL` (a held key) while frames are
timestamped; reported are the longest time from a key to the next output ("no response")
and the longest gap between frames while keys were pending. At 1M the same is done for
the first `EARLY_SECONDS` after the first frame, while index workers run; `--early-hold`
holds j from the first frame, and `--early-only` measures that alone (benchmarks/README.md).
The children run threadtui byte-compiled (`byte_compiled`), as an installed copy does.

Exit status is non-zero only when a session cannot run, never because of a timing.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from common import OUT, ensure_thread, machine_info, machine_line  # noqa: E402
from generate import parse_size, size_label  # noqa: E402
from pty_probe import WRITE_GAP, Pty, first_frame_drawn, installed_command  # noqa: E402
from pty_probe import child_env as pty_env  # noqa: E402

FLOOR_APP = BENCH_DIR / "floor_app.py"
QUIET = 0.25
"""Output quiet this long: the previous key's frames (and timers it started) are done."""
KEY_TIMEOUT = 10.0
SETTLE_GAP = 0.06
"""Frames follow each other at 60 fps (16.7 ms): output quiet this long ends a key's."""
HOLD_INTERVAL = 0.033
"""A held key repeats about 30 times a second in most terminals."""
EARLY_SECONDS = 30.0
EARLY_HOLD = [0.0]
"""Seconds of j held from the first frame at 1M (`--early-hold`); a list: set by `main`."""
EARLY_ONLY = [False]
"""`--early-only`: each session ends after the hold from the first frame (no floor, no
round of keys): the stall measure alone, a few minutes less per round at 1M."""
BUDGET = 1.5

ESC = b"\x1b"
ENTER = b"\r"

# (label, bytes, wait for the app to settle after, not timed): one round of the app's keys.
# Each timed key changes the screen from the state the previous one left.
Step = tuple[str, bytes, bool]
SEARCH_TEXT = b"the"


SRC: list[str] = []
"""--src: where the app's children import threadtui from (default: this checkout)."""


def look(term: Pty) -> list[tuple[Any, ...]]:
    """What the screen shows: every cell's character, colours and attributes. Text alone
    misses the first frame of `j` (the cursor's background moves; the row's text stays)."""
    screen = term.screen
    buffer = screen.buffer
    columns = range(screen.columns)
    # Cell by cell, not the line's dict: a cell written back with its default value is an
    # entry in one and none in the other, and must compare equal.
    return [tuple(line[x] for x in columns) for line in (buffer[y] for y in range(screen.lines))]


def cpu_seconds(pid: int) -> float:
    """Processor time used so far by every thread of `pid` (0 once it has exited)."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0.0
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat", "rb") as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # a thread that ended in between
    return total / 1e9


def byte_compiled(src: Path) -> None:
    """Compile `src` to byte code beside its sources, as pip installs a package. With
    PYTHONDONTWRITEBYTECODE set (as on the project's machines) every child compiled
    threadtui from source on each import: at 1M that is the "import later" worker's
    `compile()` calls, one C call of several ms each, right when j is held from the
    first frame: stalls no installed copy has. (`__pycache__` is git-ignored; a
    PYTHONPYCACHEPREFIX would not do: the children would then look there for the
    standard library's byte code too, and compile it all.)"""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    # In a child: py_compile writes whatever this interpreter's flags say.
    subprocess.run(
        [sys.executable, "-c", f"import compileall; compileall.compile_dir({str(src)!r}, quiet=1)"],
        env=env,
        check=True,
    )


def child_env(config_dir: str) -> dict[str, str]:
    """pty_probe's environment, and no state or cache from the user or an earlier session:
    read state would put the cursor elsewhere and mark posts new."""
    env = pty_env(config_dir, SRC[0] if SRC else None)
    env["XDG_STATE_HOME"] = os.path.join(config_dir, "state")
    env["XDG_CACHE_HOME"] = os.path.join(config_dir, "cache")
    return env


def app_round() -> list[Step]:
    steps: list[Step] = [
        ("j", b"j", True),
        ("k", b"k", True),
        ("G", b"G", True),
        ("g", b"g", True),
        ("1", b"1", True),
        ("0", b"0", True),
        ("Enter on the root (fold)", ENTER, True),
        ("Enter on the root (unfold)", ENTER, True),
        ("/ (open search)", b"/", True),
    ]
    steps += [(f"type {chr(c)}", bytes([c]), False) for c in SEARCH_TEXT]
    steps += [
        ("Enter (keep search)", ENTER, False),
        ("n", b"n", True),
        ("n", b"n", True),
        ("n", b"n", True),
        ("Escape (leave search)", ESC, True),
        ("g", b"g", True),
        ("f (open filter)", b"f", True),
        ("Escape (close bar)", ESC, True),
        ("a (authors)", b"a", True),
        ("Escape (close picker)", ESC, True),
        ("t (time)", b"t", True),
        ("Escape (close picker)", ESC, True),
        ("? (help)", b"?", True),
        ("Escape (close help)", ESC, True),
    ]
    return steps


def floor_round(n: int = 8) -> list[Step]:
    # Escape has a floor of its own: a lone ESC byte may start a sequence, so Textual's
    # input parser waits ESCDELAY (100 ms) for more before it reports the key.
    return [("floor", b"j", True)] * n + [("floor Escape", ESC, True)] * (n // 2)


class Session:
    """One program in the pty, its keys timed."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.term = Pty(args, env)

    def wait_first_frame(self, condition: Any, timeout: float) -> float:
        arrived = self.term.wait_for(condition, timeout)
        return self.term.end_of_burst(arrived, WRITE_GAP)

    def quiet(self, quiet: float = QUIET, timeout: float = 60.0) -> None:
        """Parse output until none has arrived for `quiet` seconds."""
        term = self.term
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while term.feed(0.0) is not None:
                pass
            last = term.chunks[-1][0] if term.chunks else term.t_spawn
            if time.monotonic() - last >= quiet:
                return
            time.sleep(min(quiet / 5, 0.02))

    def press(self, key: bytes, timeout: float = KEY_TIMEOUT) -> float | None:
        """Write `key`; seconds until the end of the write that first changes the screen
        (None: no change within `timeout`). `self.last` is then the seconds until the last
        output of the burst the key caused (its last frame: no output for SETTLE_GAP), and
        `self.cpu` the processor time the program used from the key to then."""
        self.last: float | None = None
        self.cpu: float | None = None
        term = self.term
        while term.feed(0.0) is not None:
            pass
        before = look(term)
        start_chunk = len(term.chunks)
        cpu = cpu_seconds(term.pid)
        sent = time.monotonic()
        os.write(term.fd, key)
        deadline = sent + timeout
        while time.monotonic() < deadline:
            arrived = term.feed(0.05)
            if arrived is None:
                if term.exited():
                    raise RuntimeError("the program exited:\n" + term.text())
                continue
            if term.fed <= start_chunk:
                continue  # output from before the key
            if look(term) != before:
                first = term.end_of_burst(arrived, WRITE_GAP) - sent
                self.last = term.end_of_burst(arrived, SETTLE_GAP) - sent
                self.cpu = cpu_seconds(term.pid) - cpu
                return first
        return None

    def hold(self, key: bytes, seconds: float) -> dict[str, Any]:
        """Press `key` every HOLD_INTERVAL for `seconds`; the longest time any key waited
        for output, and the longest gap between output while keys were pressed."""
        term = self.term
        self.quiet(0.1)
        first_chunk = len(term.chunks)
        sends: list[float] = []
        cpu = cpu_seconds(term.pid)
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            sends.append(time.monotonic())
            os.write(term.fd, key)
            time.sleep(HOLD_INTERVAL)
        end = time.monotonic()
        cpu = cpu_seconds(term.pid) - cpu
        self.quiet(0.3)
        arrivals = [t for t, _ in term.chunks[first_chunk:]]
        waits = []
        for t in sends:
            after = next((a for a in arrivals if a > t), None)
            waits.append((after if after is not None else end) - t)
        inside = [a for a in arrivals if start <= a <= end + 0.001]
        points = [start, *inside, end]
        gaps = [b - a for a, b in itertools.pairwise(points)]
        return {
            "keys": len(sends),
            "frames": len(inside),
            "longest_no_response_s": max(waits) if waits else None,
            "median_response_s": statistics.median(waits) if waits else None,
            "longest_gap_s": max(gaps) if gaps else None,
            "gaps_over_33ms": sum(g > 0.033 for g in gaps),
            "gaps_over_50ms": sum(g > 0.05 for g in gaps),
            "p99_gap_s": quantile(gaps, 0.99) if gaps else None,
            "cpu_s": cpu,
        }

    def close(self) -> int | None:
        try:
            return self.term.quit()
        finally:
            self.term.kill()


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    # Nearest rank.
    return ordered[max(0, min(len(ordered), math.ceil(q * len(ordered))) - 1)]


def floor_session(
    env: dict[str, str], rounds: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """The floor's times and CPU times, by label."""
    session = Session([sys.executable, str(FLOOR_APP)], env)
    try:
        session.wait_first_frame(lambda lines: "keys: 0" in "\n".join(lines), 60)
        session.quiet()
        times: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {}
        for label, key, _ in floor_round(rounds):
            t = session.press(key)
            if t is None:
                raise RuntimeError(f"the floor app did not answer {label}")
            times.setdefault(label, []).append(t)
            cpu.setdefault(label, []).append(session.cpu or 0.0)
            session.quiet()
        return times, cpu
    finally:
        session.close()


def app_args(path: Path, profile: Path | None) -> list[str]:
    if profile is None:
        return [*installed_command(), str(path), "--tz", "UTC"]
    return [sys.executable, str(BENCH_DIR / "profile_child.py"), str(path), "--tz", "UTC"]


def app_session(
    path: Path,
    env: dict[str, str],
    *,
    early: float = 0.0,
    profile: Path | None = None,
    hold_seconds: float = 3.0,
    timeout: float = 600.0,
    key_rounds: int = 1,
) -> dict[str, Any]:
    if profile is not None:
        env = {**env, "KEYS_PROFILE": str(profile)}
    with tempfile.TemporaryDirectory() as fresh:
        # Each session a first visit: no read state from an earlier round.
        env = {**env, "XDG_STATE_HOME": fresh}
        if EARLY_ONLY[0]:
            # And a first opening: the load cache's writer is one of the builds beside
            # the held key (from the second round on, the cache would open the file).
            env["XDG_CACHE_HOME"] = os.path.join(fresh, "cache")
        return _app_session(path, env, early, profile, hold_seconds, timeout, key_rounds)


def _app_session(
    path: Path,
    env: dict[str, str],
    early: float,
    profile: Path | None,
    hold_seconds: float,
    timeout: float,
    key_rounds: int = 1,
) -> dict[str, Any]:
    session = Session(app_args(path, profile), env)
    result: dict[str, Any] = {"keys": {}, "last": {}, "cpu": {}, "missed": []}
    try:
        session.wait_first_frame(first_frame_drawn, timeout)
        if early and EARLY_HOLD[0]:
            # Right after the first frame, j held while the builds run (issue #16: the
            # longest gap between frames while keys come, the first seconds included).
            result["first_hold"] = session.hold(b"j", EARLY_HOLD[0])
            if EARLY_ONLY[0]:
                result["exit_status"] = session.close()
                return result
        if early:
            # Right after the first frame: j and k alternately while the workers run.
            times: list[float] = []
            start = time.monotonic()
            while time.monotonic() - start < early:
                for key in (b"j", b"k"):
                    t = session.press(key)
                    if t is not None:
                        times.append(t)
                    session.quiet(0.05)
            result["early"] = times
            result["early_hold"] = session.hold(b"j", 2.0)
            session.press(b"g")
        session.term.drain_until_idle(timeout)
        session.quiet()
        if profile is not None:
            os.write(session.term.fd, b"\x1b[24~")  # F12: the profile starts
            session.quiet()
        for label, key, settle in app_round() * key_rounds:
            t = session.press(key)
            if t is None:
                result["missed"].append(label)
            elif settle:
                result["keys"].setdefault(label, []).append(t)
                result["last"].setdefault(label, []).append(session.last)
                result["cpu"].setdefault(label, []).append(session.cpu)
            if settle:
                session.quiet()
            else:
                session.quiet(0.05)
        session.press(b"g")
        session.quiet()
        if profile is not None:
            os.write(session.term.fd, b"\x1b[23~")  # F11: the profile is written
            session.quiet()
        result["hold_j"] = session.hold(b"j", hold_seconds)
        result["exit_status"] = session.close()
        return result
    finally:
        session.term.kill()


def summarize(
    floor: dict[str, list[float]], keys: dict[str, list[float]]
) -> list[tuple[str, float, float, float]]:
    """(label, median, p95, median / the floor's median); Escape against Escape's floor."""
    base = statistics.median(floor["floor"])
    esc = statistics.median(floor["floor Escape"])
    rows = [
        ("floor (one line repainted)", base, quantile(floor["floor"], 0.95), 1.0),
        ("floor Escape", esc, quantile(floor["floor Escape"], 0.95), 1.0),
    ]
    for label, times in keys.items():
        med = statistics.median(times)
        ref = esc if label.startswith("Escape") else base
        rows.append((label, med, quantile(times, 0.95), med / ref))
    return rows


def bench_file(
    path: Path,
    label: str,
    rounds: int,
    early: float,
    hold_seconds: float,
    timeout: float,
    key_rounds: int = 1,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as config_dir:
        env = child_env(config_dir)
        floor: dict[str, list[float]] = {}
        keys: dict[str, list[float]] = {}
        last: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {}
        floor_cpu: dict[str, list[float]] = {}
        holds: list[dict[str, Any]] = []
        early_times: list[float] = []
        early_holds: list[dict[str, Any]] = []
        first_holds: list[dict[str, Any]] = []
        missed: list[str] = []
        loads = []
        for r in range(rounds):
            loads.append(os.getloadavg()[0])
            floor_times, floor_cpus = ({}, {}) if EARLY_ONLY[0] else floor_session(env, 8)
            for k, v in floor_times.items():
                floor.setdefault(k, []).extend(v)
            for k, v in floor_cpus.items():
                floor_cpu.setdefault(k, []).extend(v)
            res = app_session(
                path,
                env,
                early=early if r == 0 or EARLY_ONLY[0] else 0.0,
                hold_seconds=hold_seconds,
                timeout=timeout,
                key_rounds=key_rounds,
            )
            for k, v in res["cpu"].items():
                cpu.setdefault(k, []).extend(v)
            for k, v in res["keys"].items():
                keys.setdefault(k, []).extend(v)
            for k, v in res["last"].items():
                last.setdefault(k, []).extend(v)
            if "hold_j" in res:
                holds.append(res["hold_j"])
            missed += res["missed"]
            if "early" in res:
                early_times += res["early"]
                early_holds.append(res["early_hold"])
            if "first_hold" in res:
                first_holds.append(res["first_hold"])
        return {
            "file": label,
            "floor": floor,
            "keys": keys,
            "last": last,
            "cpu": cpu,
            "floor_cpu": floor_cpu,
            "hold": holds,
            "early": early_times,
            "early_hold": early_holds,
            "first_hold": first_holds,
            "missed": missed,
            "load": loads,
        }


def report(result: dict[str, Any]) -> str:
    out = [
        f"### {result['file']} (load average {', '.join(f'{x:.1f}' for x in result['load'])})",
        "",
    ]
    if EARLY_ONLY[0]:
        out.append(hold_lines(result, {"first_hold": "j held from the first frame"}))
        return "\n".join(out)
    out.append(
        "| key | median ms | p95 ms | × floor | last frame: median ms | × floor "
        "| CPU: median ms | × floor |"
    )
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    keys = dict(result["keys"])
    if result["early"]:
        keys["j/k in the first 30 s"] = result["early"]
    lasts = {row[0]: row for row in summarize(result["floor"], result["last"])}
    cpus = {row[0]: row for row in summarize(result["floor_cpu"], result["cpu"])}
    for label, med, p95, ratio in summarize(result["floor"], keys):
        flag = "" if ratio <= BUDGET else " ✗"
        row = lasts.get(label)
        tail = (
            "| |"
            if row is None or label.startswith("floor")
            else (f"| {row[1] * 1000:.0f} | {row[3]:.2f} |")
        )
        used = cpus.get(label)
        tail += " |" if used is None else f" {used[1] * 1000:.1f} | {used[3]:.2f} |"
        out.append(f"| {label} | {med * 1000:.0f} | {p95 * 1000:.0f} | {ratio:.2f}{flag} {tail}")
    if result["early"]:
        out.append(f"\nj/k in the first 30 s: worst {max(result['early']) * 1000:.0f} ms")
    names = {
        "first_hold": "j held from the first frame",
        "hold": "j held",
        "early_hold": "j held after the first 30 s of j/k",
    }
    out.append(hold_lines(result, names))
    if result["missed"]:
        out.append(f"\nno screen change for: {', '.join(result['missed'])}")
    return "\n".join(out)


def hold_lines(result: dict[str, Any], names: dict[str, str]) -> str:
    out = []
    for name, what in names.items():
        for h in result.get(name, []):
            p99 = h.get("p99_gap_s")
            cpu = h.get("cpu_s")
            out.append(
                f"\n{what}: {h['keys']} keys, {h['frames']} output chunks; longest no response "
                f"{h['longest_no_response_s'] * 1000:.0f} ms (median "
                f"{h['median_response_s'] * 1000:.0f}), longest gap between output "
                f"{h['longest_gap_s'] * 1000:.0f} ms, gaps over 33 ms: "
                f"{h.get('gaps_over_33ms', '?')}, over 50 ms: {h.get('gaps_over_50ms', '?')}"
                + ("" if p99 is None else f", p99 gap {p99 * 1000:.0f} ms")
                + ("" if cpu is None else f", app CPU {cpu:.1f} s")
            )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k")
    parser.add_argument("--shape", default="bushy")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (app and floor sessions)")
    parser.add_argument("--hold", type=float, default=3.0, help="seconds of j held per round")
    parser.add_argument(
        "--key-rounds", type=int, default=1, help="rounds of keys in each app session"
    )
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--quick", action="store_true", help="1k, one round (smoke test)")
    parser.add_argument("--profile", action="store_true", help="cProfile one app session")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--early-hold",
        type=float,
        default=0.0,
        help="at 1M: hold j this many seconds from the first frame, before the j/k of the "
        "first 30 s (frame gaps while the builds run)",
    )
    parser.add_argument(
        "--early-only",
        action="store_true",
        help="with --early-hold: end each session after that hold (no floor, no keys)",
    )
    parser.add_argument(
        "--source-bytecode",
        action="store_true",
        help="let the children compile threadtui from source when PYTHONDONTWRITEBYTECODE "
        "is set (the measure before byte code was compiled for them)",
    )
    parser.add_argument(
        "--src",
        help="import threadtui from this directory (e.g. `git archive REV src` unpacked)",
    )
    args = parser.parse_args(argv)
    EARLY_HOLD[0] = args.early_hold
    EARLY_ONLY[0] = args.early_only and args.early_hold > 0
    if args.src:
        SRC.append(args.src)
    if not args.source_bytecode:
        byte_compiled(Path(SRC[0]) if SRC else BENCH_DIR.parent / "src")
    if args.quick:
        args.sizes, args.repeat, args.hold = "1k", 1, 0.5
    sizes = [parse_size(s) for s in args.sizes.split(",")]
    switch = sys.getswitchinterval()
    # The pty reader thread must get the GIL promptly while pyte parses on the main thread.
    sys.setswitchinterval(0.0005)
    info = machine_info()
    print(f"Keys through a pty against the Textual floor ({machine_line(info)})\n")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}\n")
    print(f"threadtui from: {SRC[0] if SRC else BENCH_DIR.parent / 'src'}", end="")
    print(" (compiled as imported)\n" if args.source_bytecode else " (byte-compiled first)\n")
    results = []
    try:
        for n in sizes:
            path = ensure_thread(n, args.shape)
            label = f"{size_label(n)} {args.shape}"
            if args.profile:
                prof = OUT / f"keys-{size_label(n)}-{args.shape}.pstats"
                with tempfile.TemporaryDirectory() as config_dir:
                    app_session(path, child_env(config_dir), profile=prof, timeout=args.timeout)
                print(f"profile: {prof}")
                continue
            early = EARLY_SECONDS if n >= 1_000_000 else 0.0
            result = bench_file(
                path, label, args.repeat, early, args.hold, args.timeout, args.key_rounds
            )
            results.append(result)
            print(report(result), "\n", flush=True)
    finally:
        sys.setswitchinterval(switch)
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
