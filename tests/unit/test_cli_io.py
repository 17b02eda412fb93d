"""What the command reads and writes when the files, pipes and terminals are not the usual:
FIFOs, devices, huge files, full disks, closed or early-closed stdout, no terminal, file
names that are not UTF-8, and `import -o` over a file that must survive a failed write."""

from __future__ import annotations

import errno
import io
import json
import os
import pty
import resource
import signal
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from threadtui.cli import EXIT_PIPE, main, terminal_problem, write_all
from threadtui.inputfile import MAX_INPUT_BYTES, RefusedInput, read_regular_file

DATA = Path(__file__).parents[1] / "data"
SEED = DATA / "stories" / "x-story-ai-deployment.txt"
JSON = DATA / "hostile" / "bidi.json"
SEED_WARNING = (
    ":12: warning: original-post section shows 4:57 PM, its cards 11:57 PM:"
    " shifted the section by +7h00m to the cards' clock"
)
COMMANDS = {
    "print": ["--demo", "--print"],
    "print-json": [str(JSON), "--print", "--format", "json"],
    "import": ["import", str(SEED)],
    "validate": ["validate", str(JSON)],
    "help": ["--help"],
    "version": ["--version"],
}


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "threadtui", *args]


def run(
    args: list[str], **kwargs: object
) -> subprocess.CompletedProcess[str]:  # a fresh interpreter: real fds, real exit
    return subprocess.run(command(*args), capture_output=True, text=True, timeout=60, **kwargs)  # type: ignore[call-overload, no-any-return]  # kwargs are run()'s own, passed through


def own_lines(stderr: str) -> list[str]:
    """stderr without the seed story's own import warning."""
    return [line for line in stderr.splitlines() if not line.endswith(SEED_WARNING)]


# --- output that cannot be written (item 14) ------------------------------------------------


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_full_disk_is_one_line_exit_2(name: str) -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            command(*COMMANDS[name]), stdout=full, stderr=subprocess.PIPE, text=True, timeout=60
        )
    assert proc.returncode == 2
    assert own_lines(proc.stderr) == ["threadtui: cannot write to stdout: No space left on device"]


@pytest.mark.parametrize("name", ["print", "print-json", "import", "validate"])
def test_closed_stdout_is_one_line_exit_2(name: str) -> None:
    proc = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", *command(*COMMANDS[name])],
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert own_lines(proc.stderr) == ["threadtui: cannot write to stdout: it is closed"]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_reader_gone_ends_quietly(name: str) -> None:
    """`| head`: the reader is gone before the first write, so the write must fail (a pipe
    with a reader that stops later is the same error, only later)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            command(*COMMANDS[name]), stdout=write_end, stderr=subprocess.PIPE, timeout=60
        )
    finally:
        os.close(write_end)
    assert proc.returncode == EXIT_PIPE == 141
    assert own_lines(proc.stderr.decode()) == []


def test_stderr_that_cannot_be_written_changes_nothing() -> None:
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            command("/nonexistent/thread.json", "--print"),
            stdout=subprocess.PIPE,
            stderr=full,
            timeout=60,
        )
    assert (proc.returncode, proc.stdout) == (2, b"")


def big_thread(tmp_path: Path, posts: int = 2000) -> Path:
    """A thread whose output is far larger than any stream buffer or pipe."""
    document = {
        "schema": "threadtui.thread",
        "schema_version": 1,
        "posts": [
            {
                "id": f"p{i}",
                "text": f"post {i} " + "words " * 40,
                "created_at": "2026-05-28T12:00:00Z",
                **({"reply_to": f"p{i // 2}"} if i else {}),
            }
            for i in range(posts)
        ],
    }
    path = tmp_path / "big.json"
    path.write_text(json.dumps(document))
    return path


def disk_fills_at(size: int) -> Callable[[], None]:
    def limit() -> None:  # pragma: no cover - runs in the child
        # Like a disk that fills part-way: a write crossing the limit is cut short, and
        # only the next one fails (EFBIG; SIGXFSZ would kill instead of failing a call).
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


def test_disk_filling_mid_write_is_one_line_not_a_short_file(tmp_path: Path) -> None:
    big = big_thread(tmp_path)
    out = tmp_path / "out.txt"
    with open(out, "wb") as file:
        proc = subprocess.run(
            command(str(big), "--print"),
            stdout=file,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            preexec_fn=disk_fills_at(65536),
        )
    assert proc.returncode == 2
    assert proc.stderr == "threadtui: cannot write to stdout: File too large\n"


def test_import_output_survives_a_disk_filling_mid_write(tmp_path: Path) -> None:
    kept = tmp_path / "kept.json"
    kept.write_text("the old thread\n")
    proc = subprocess.run(
        command("import", str(SEED), "-o", str(kept)),
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=disk_fills_at(4096),  # the seed's JSON is about 5 KB
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1] == f"threadtui: {kept}: cannot write: File too large"
    assert kept.read_text() == "the old thread\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.json"]


def test_write_all_finishes_short_writes() -> None:
    class Trickle(io.RawIOBase):
        def __init__(self) -> None:
            self.data = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b: object) -> int:
            chunk = bytes(memoryview(b)[:7])  # type: ignore[arg-type]  # a fake stream, not a real buffer
            self.data += chunk
            return len(chunk)

    sink = Trickle()
    write_all(sink, b"x" * 1000)  # type: ignore[arg-type]  # a fake stream, not a real buffer
    assert bytes(sink.data) == b"x" * 1000


# --- import -o (item 6) ---------------------------------------------------------------------


def test_import_output_replaces_only_when_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "thread.json"
    out.write_text("the old thread\n")
    out.chmod(0o640)

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    assert main(["import", str(SEED), "-o", str(out)]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"threadtui: {out}: cannot write: No space left on device"
    )
    assert out.read_text() == "the old thread\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thread.json"]  # no temporary left

    monkeypatch.undo()
    assert main(["import", str(SEED), "-o", str(out)]) == 0
    assert out.read_text().startswith("{")
    assert stat.S_IMODE(out.stat().st_mode) == 0o640  # the file's mode is kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thread.json"]


def test_import_output_new_file_and_symlink(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        out = tmp_path / "new.json"
        assert main(["import", str(SEED), "-o", str(out)]) == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o644
    finally:
        os.umask(umask)
    link = tmp_path / "link.json"
    link.symlink_to(out)
    out.write_text("old")
    assert main(["import", str(SEED), "-o", str(link)]) == 0
    assert link.is_symlink() and out.read_text().startswith("{")


def test_import_output_to_a_device_writes_through_it(capsys: pytest.CaptureFixture[str]) -> None:
    before = os.stat("/dev/null")
    assert main(["import", str(SEED), "-o", "/dev/null"]) == 0
    assert main(["import", str(SEED), "-o", "/dev/full"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "threadtui: /dev/full: cannot write: No space left on device"
    )
    # Never renamed over: the device nodes are still devices.
    assert os.stat("/dev/null").st_rdev == before.st_rdev
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_import_output_that_is_a_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(SEED), "-o", str(tmp_path)]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"threadtui: {tmp_path}: cannot write: Is a directory"
    )


def test_import_output_may_not_be_the_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    story = tmp_path / "story.txt"
    story.write_bytes(SEED.read_bytes())
    (tmp_path / "link.txt").symlink_to(story)
    os.link(story, tmp_path / "hard.txt")
    monkeypatch.chdir(tmp_path)
    for output in (
        str(story),
        "./story.txt",
        "link.txt",
        "hard.txt",
        f"../{tmp_path.name}/story.txt",
    ):
        assert main(["import", str(story), "-o", output]) == 2, output
        err = capsys.readouterr().err
        assert err == f"threadtui: -o {output}: is an input file; write the JSON somewhere else\n"
        assert story.read_bytes() == SEED.read_bytes()


# --- input that is not a regular file, or too big (item 15) ----------------------------------


@pytest.mark.parametrize("args", [[], ["--print"], ["validate"], ["import"]])
def test_fifo_input_is_refused_not_opened(tmp_path: Path, args: list[str]) -> None:
    fifo = tmp_path / "thread.json"
    os.mkfifo(fifo)
    # A subprocess: opening a FIFO with no writer would block, and must fail this test.
    argv = (
        [*args[:1], str(fifo), *args[1:]]
        if args[:1] in (["validate"], ["import"])
        else [
            str(fifo),
            *args,
        ]
    )
    proc = run(argv)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == f"{fifo}: is a named pipe (FIFO), not a regular file\n"


def test_fifo_config_is_refused_not_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    proc = run(["--demo", "--print"], env={**os.environ, "THREADTUI_CONFIG": str(fifo)})
    assert proc.returncode == 0
    assert own_lines(proc.stderr) == [
        f"threadtui: {fifo}: is a named pipe (FIFO), not a regular file; using defaults"
    ]


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    # Should /dev/zero ever be read again, it fails at 1 GiB instead of taking the machine.
    resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/stdin"])
def test_devices_are_refused(device: str) -> None:
    for args in ([device, "--print"], ["validate", device], ["import", device]):
        proc = subprocess.run(
            command(*args),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            preexec_fn=_limit_memory,
        )
        assert (proc.returncode, proc.stdout) == (2, ""), args
        assert proc.stderr == f"{device}: is a device, not a regular file\n", args


def test_huge_sparse_file_is_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as file:
        file.truncate(MAX_INPUT_BYTES + 1)  # sparse: no disk, no memory
    for args in ([str(huge), "--print"], ["validate", str(huge)], ["import", str(huge)]):
        assert main(args) == 2
        assert capsys.readouterr().err == (
            f"{huge}: is larger than 2 GiB, the most threadtui reads\n"
        )


def test_read_regular_file_limits(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    assert read_regular_file(path, limit=100) == b"x" * 100
    with pytest.raises(RefusedInput, match="larger than 99 bytes"):
        read_regular_file(path, limit=99)
    with pytest.raises(IsADirectoryError):
        read_regular_file(tmp_path)
    with pytest.raises(FileNotFoundError):
        read_regular_file(tmp_path / "absent")


def test_files_that_report_size_zero_are_read_to_the_end() -> None:
    # /proc files are regular with st_size 0: the size is a hint, the end is the end.
    status = read_regular_file("/proc/self/status")
    assert b"Name:" in status
    with pytest.raises(RefusedInput, match="grew beyond 10 bytes"):
        read_regular_file("/proc/self/status", limit=10)


# --- file names that are not UTF-8 (item 16) --------------------------------------------------


def test_undecodable_file_names_are_shown_cleaned(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    odd = os.fsdecode(b"bad\xffname")
    good = tmp_path / f"{odd}.json"
    good.write_bytes(JSON.read_bytes())
    story = tmp_path / f"{odd}.txt"
    story.write_bytes(SEED.read_bytes())
    shown = str(tmp_path / "bad\ufffdname")

    assert main(["validate", str(good)]) == 0
    out = capsysbinary.readouterr().out.decode()
    assert out == f"{shown}.json: valid threadtui.thread v1: 13 posts, 1 author, 0 warnings\n"

    assert main(["validate", str(tmp_path / f"{odd}.missing")]) == 2
    assert capsysbinary.readouterr().err.decode() == f"{shown}.missing: no such file\n"

    assert main([str(story), "--print"]) == 0
    assert capsysbinary.readouterr().err.decode() == f"{shown}.txt{SEED_WARNING}\n"

    assert main(["import", str(story), "-o", str(tmp_path / odd / "x.json")]) == 2
    err = capsysbinary.readouterr().err.decode().splitlines()
    assert err[-1] == f"threadtui: {shown}/x.json: cannot write: No such file or directory"


def test_undecodable_file_name_in_a_c_locale(tmp_path: Path) -> None:
    odd = tmp_path / (os.fsdecode(b"bad\xffname") + ".json")
    odd.write_bytes(JSON.read_bytes())
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}
    proc = subprocess.run(command("validate", str(odd)), capture_output=True, env=env, timeout=60)
    assert proc.returncode == 0 and proc.stderr == b""
    assert b"valid threadtui.thread v1" in proc.stdout


# --- the full-screen app needs a terminal (item 17) -------------------------------------------


def test_app_with_stdout_redirected_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with open(out, "w") as file:
        proc = subprocess.run(
            command("--demo"), stdout=file, stderr=subprocess.PIPE, text=True, timeout=60
        )
    assert proc.returncode == 2
    assert proc.stderr == (
        "threadtui: stdout is not a terminal;"
        " use --print to write the thread as text (threadtui FILE --print > out.txt)\n"
    )
    assert out.read_bytes() == b""  # no escape codes


def test_app_with_stdin_redirected_is_refused() -> None:
    controller, terminal = pty.openpty()
    try:
        proc = subprocess.run(
            command("--demo"),
            stdin=subprocess.DEVNULL,
            stdout=terminal,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert proc.returncode == 2
    assert proc.stderr.startswith("threadtui: stdin is not a terminal,")
    assert proc.stderr.count("\n") == 1 and "--print" in proc.stderr


def test_app_with_stderr_redirected_is_refused(tmp_path: Path) -> None:
    """Textual draws on stderr: redirected, the screen would go into the file."""
    err = tmp_path / "err"
    controller, terminal = pty.openpty()
    try:
        with open(err, "w") as file:
            proc = subprocess.run(
                command("--demo"),
                stdin=terminal,
                stdout=terminal,
                stderr=file,
                timeout=60,
            )
    finally:
        os.close(terminal)
        os.close(controller)
    assert proc.returncode == 2
    text = err.read_text()
    assert text.startswith("threadtui: stderr is not a terminal,")
    assert text.count("\n") == 1 and "\x1b" not in text


def test_terminal_problem_names_the_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    class Stream:
        def __init__(self, tty: bool) -> None:
            self.tty = tty

        def isatty(self) -> bool:
            return self.tty

    monkeypatch.setattr(sys, "__stdout__", Stream(True))
    monkeypatch.setattr(sys, "__stdin__", Stream(True))
    monkeypatch.setattr(sys, "__stderr__", Stream(True))
    assert terminal_problem() is None
    monkeypatch.setattr(sys, "__stderr__", Stream(False))
    assert (terminal_problem() or "").startswith("stderr is not a terminal")
    monkeypatch.setattr(sys, "__stderr__", Stream(True))
    monkeypatch.setattr(sys, "__stdin__", None)
    assert (terminal_problem() or "").startswith("stdin is not a terminal")
    monkeypatch.setattr(sys, "__stdout__", Stream(False))
    assert (terminal_problem() or "").startswith("stdout is not a terminal")
