"""The Hacker News importer's output before and after a change: byte for byte the same?

    git archive REV src | tar -x -C /tmp/before
    python benchmarks/compare_hn.py --before /tmp/before/src [FILE_OR_DIR ...]

For every input (default: everything under tests/data/, /work/shared/fixtures/hackernews*
when present, and any files or directories named) each checkout runs, in one process of
its own, `threadtui import FILE`, `threadtui import --source hackernews FILE` and
`threadtui --print --format json FILE`, and records the exit status and the bytes written
to stdout and stderr (every warning line). The script fails (exit 1) and names the first
differences when any outcome differs. The correctness gate of issue #11's Hacker News
work: a speed-up must not change one byte of what users get.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SRC = ROOT / "src"

COMMANDS = (
    ("import", ["import", "{file}"]),
    ("import-hn", ["import", "--source", "hackernews", "{file}"]),
    ("print-json", ["--print", "--format", "json", "{file}"]),
)

# Runs in a fresh interpreter per checkout: every outcome, with fds 1 and 2 sent to a file
# (cli.main writes to them directly), as one JSON line per outcome.
CHILD = r"""
import hashlib, json, os, sys, tempfile
sys.path.insert(0, {src!r})
import threadtui
assert threadtui.__file__.startswith({src!r}), threadtui.__file__
from threadtui.cli import main
from threadtui.importers.base import parse_json
os.environ["NO_COLOR"] = "1"

def outcome(argv):
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush(); sys.stderr.flush()
        saved = os.dup(1), os.dup(2)
        os.dup2(out.fileno(), 1); os.dup2(err.fileno(), 2)
        try:
            try:
                status = main(argv)
            except SystemExit as exit:
                status = exit.code
            except Exception as error:  # a traceback, for the user: an outcome too
                status = "raised " + type(error).__name__
            sys.stdout.flush(); sys.stderr.flush()
        finally:
            os.dup2(saved[0], 1); os.dup2(saved[1], 2)
            os.close(saved[0]); os.close(saved[1])
            parse_json.cache_clear()
        out.seek(0); err.seek(0)
        data, errors = out.read(), err.read()
    return status, hashlib.sha256(data).hexdigest(), len(data), errors.decode("utf-8", "replace")

jobs = json.loads(sys.stdin.read())
with open({result!r}, "w") as sink:
    for key, argv in jobs:
        status, digest, size, errors = outcome(argv)
        sink.write(json.dumps([key, status, digest, size, errors]) + "\n")
"""


def inputs(extra: list[Path]) -> list[Path]:
    roots = [ROOT / "tests" / "data", *Path("/work/shared/fixtures").glob("hackernews*"), *extra]
    files: list[Path] = []
    for root in roots:
        if root.is_dir():
            files += sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".md")
        elif root.is_file():
            files.append(root)
    return files


def run_side(src: str, files: list[Path]) -> dict[str, list[object]]:
    jobs = []
    for path in files:
        for name, argv in COMMANDS:
            jobs.append((f"{name} {path}", [a.format(file=path) for a in argv]))
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as result:
        code = CHILD.format(src=src, result=result.name)
        proc = subprocess.run(
            [sys.executable, "-c", code],
            input=json.dumps(jobs),
            capture_output=True,
            text=True,
            check=False,
            timeout=1800,
            env={**os.environ, "COLUMNS": "100"},
        )
        if proc.returncode:
            raise RuntimeError(f"{src}: {proc.stderr[-3000:]}")
        found = {}
        for line in Path(result.name).read_text().splitlines():
            key, *rest = json.loads(line)
            found[key] = rest
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the src/ of the checkout to compare")
    parser.add_argument("--after", default=str(SRC), help="default: this checkout's src/")
    parser.add_argument("paths", nargs="*", type=Path, help="more files or directories")
    args = parser.parse_args()
    files = inputs(args.paths)
    before = run_side(args.before, files)
    after = run_side(args.after, files)
    differ = [key for key in before if before[key] != after.get(key)]
    digest = hashlib.sha256(json.dumps(sorted(after.items())).encode()).hexdigest()[:12]
    ok = sum(1 for key in after if after[key][0] == 0)
    print(
        f"{len(files)} inputs, {len(before)} outcomes ({ok} exit 0), {len(differ)} differ;"
        f" outcomes digest {digest}"
    )
    for key in differ[:10]:
        print(f"DIFFERS {key}\n  before {before[key]!r:.400}\n  after  {after.get(key)!r:.400}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
