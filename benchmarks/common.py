"""Helpers the benchmarks share: isolated measurements, machine facts, cached thread files.

Every measurement runs in a fresh interpreter (`sys.executable -c`), so one benchmark's
heap, caches and imports never leak into the next. The child times the statement itself
with `time.perf_counter()` and reports its peak memory.

Peak memory is read from `VmHWM` in /proc/self/status where it exists (Linux), and from
`ru_maxrss` elsewhere. On Linux `ru_maxrss` is inherited across exec: a child started by a
parent with 800 MB resident reports at least 800 MB, whatever it does itself. `VmHWM`
belongs to the child's own address space, so it is the true high-water mark.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import generate

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
OUT = BENCH_DIR / "out"

_MARK = "@@bench-result "

# The child's own imports (json, time, resource) count as baseline, like any setup code.
_CHILD = """\
import json as _json, os as _os, sys, time as _time
try:
    import resource as _resource
except ImportError:  # Windows: no resource module, so no peak figure
    _resource = None

def _status_mb(key):
    try:
        with open("/proc/self/status", "rb") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None

def _peak_mb():
    hwm = _status_mb(b"VmHWM:")
    if hwm is not None:
        return hwm, "VmHWM"
    if _resource is None:
        return float("nan"), "none"
    rss = _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is in KiB on Linux and the BSDs, in bytes on macOS.
    return rss / (1024 * 1024 if sys.platform == "darwin" else 1024), "ru_maxrss"

{setup}
_baseline, _ = _peak_mb()
_t0 = _time.perf_counter()
{stmt}
_seconds = _time.perf_counter() - _t0
_peak, _source = _peak_mb()
_end = _status_mb(b"VmRSS:")
_report = {report}
print({mark!r} + _json.dumps({{
    "seconds": _seconds, "peak_rss_mb": _peak, "baseline_rss_mb": _baseline,
    "end_rss_mb": _end, "rss_source": _source, "report": _report,
}}), flush=True)
# Skip tearing down a heap of a million objects: it is not what is being measured.
_os._exit(0)
"""


@dataclass(frozen=True, slots=True)
class Measurement:
    seconds: float
    """Time of the statement alone, measured inside the child."""
    peak_rss_mb: float
    """High-water resident memory of the child, interpreter and setup included."""
    baseline_rss_mb: float
    """High-water memory after the setup (bare interpreter + imports), before the statement."""
    end_rss_mb: float | None = None
    """Resident memory once the statement is done: what stays (Linux only)."""
    rss_source: str = "VmHWM"
    report: Any = None
    """Whatever the `report` expression evaluated to in the child (JSON-able)."""
    runs: list[float] = field(default_factory=list)
    """Every run's seconds, when this is a median of several."""

    @property
    def delta_rss_mb(self) -> float:
        """Memory the statement added on top of the baseline."""
        return self.peak_rss_mb - self.baseline_rss_mb

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "delta_rss_mb": self.delta_rss_mb}


def child_env() -> dict[str, str]:
    # Benchmark this checkout's code, not whatever copy of threadtui happens to be installed.
    env = dict(os.environ)
    src = str(REPO / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    return env


def measure(
    stmt: str,
    setup: str = "",
    args: Sequence[str] = (),
    *,
    report: str = "None",
    timeout: float | None = 1800,
) -> Measurement:
    """Run `setup` then `stmt` in a fresh interpreter; `args` arrive as sys.argv[1:]."""
    code = _CHILD.format(
        setup=textwrap.dedent(setup),
        stmt=textwrap.dedent(stmt),
        report=report,
        mark=_MARK,
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=timeout,
        check=False,
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(_MARK):
            return Measurement(**json.loads(line[len(_MARK) :]))
    raise RuntimeError(
        f"benchmark child failed (exit {proc.returncode}):\n{proc.stderr.strip() or proc.stdout}"
    )


def median_of(runs: Sequence[Measurement]) -> Measurement:
    """Per-field medians: time and memory are independent noisy figures."""
    if len(runs) == 1:
        return Measurement(**{**asdict(runs[0]), "runs": [runs[0].seconds]})
    ends = [m.end_rss_mb for m in runs]
    return Measurement(
        seconds=statistics.median(m.seconds for m in runs),
        peak_rss_mb=statistics.median(m.peak_rss_mb for m in runs),
        baseline_rss_mb=statistics.median(m.baseline_rss_mb for m in runs),
        end_rss_mb=None if None in ends else statistics.median(ends),
        rss_source=runs[0].rss_source,
        report=runs[0].report,
        runs=[m.seconds for m in runs],
    )


def peak_rss_mb_of(source: str, setup: str = "", args: Sequence[str] = ()) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of `source` run once in a fresh interpreter."""
    m = measure(source, setup, args)
    return m.seconds, m.peak_rss_mb


def baseline_rss_mb(setup: str = "") -> float:
    """Peak RSS of a fresh interpreter that only runs `setup` (e.g. its imports)."""
    return measure("pass", setup).peak_rss_mb


def default_repeat(n_posts: int) -> int:
    return 5 if n_posts <= 100_000 else 1


FLOOR_SETUP = "import orjson\nfrom pathlib import Path"
FLOOR_STMT = "doc = orjson.loads(Path(sys.argv[1]).read_bytes())"


def warm_cache(path: Path) -> None:
    # Read once so every run sees the page cache; in chunks, so this process stays small.
    with open(path, "rb") as f:
        while f.read(1 << 20):
            pass


def floor(path: str | os.PathLike[str], k: int | None = None) -> dict[str, Any]:
    """Time and peak RSS of `orjson.loads(Path(p).read_bytes())` alone, median of k runs."""
    p = Path(path)
    size = p.stat().st_size
    if k is None:
        # ~360 bytes a post: a 100k-post file is ~36 MB; beyond that, one run is plenty.
        k = 5 if size <= 60_000_000 else 1
    warm_cache(p)
    m = median_of([measure(FLOOR_STMT, FLOOR_SETUP, [str(p)]) for _ in range(k)])
    return {"path": str(p), "bytes": size, **m.as_dict()}


def ensure_thread(n: int, shape: generate.Shape, seed: int = 1) -> Path:
    """The path of a generated thread in benchmarks/out, generating it if missing or stale."""
    path = OUT / generate.default_name(n, shape, seed)
    if not generate.is_current(path):
        # In a child process: a parent that once held a million posts stays big.
        subprocess.run(
            [
                sys.executable,
                str(BENCH_DIR / "generate.py"),
                "--posts",
                str(n),
                "--shape",
                shape,
                "--seed",
                str(seed),
                "-o",
                str(path),
            ],
            check=True,
        )
    return path


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gb() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _git_commit() -> str | None:
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() or None


def machine_info() -> dict[str, Any]:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on macOS/Windows
        usable = os.cpu_count()
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "ram_gb": _ram_gb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "python_impl": platform.python_implementation(),
        "orjson": _version("orjson"),
        "textual": _version("textual"),
        "threadtui_commit": _git_commit(),
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def machine_line(info: dict[str, Any]) -> str:
    """One Markdown line describing the machine, for the top of a results table."""
    return (
        f"{info['cpu']}, {info['usable_cores']}/{info['cores']} cores, {info['ram_gb']} GB RAM; "
        f"Python {info['python']}, orjson {info['orjson']}, textual {info['textual']}; "
        f"commit {info['threadtui_commit']}; {info['date']}"
    )
