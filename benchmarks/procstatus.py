"""One figure from a process's /proc status (Linux), in MB; None where there is none.

Imports nothing: the UI probe loads it before the first frame it times.
"""


def status_mb(key: bytes, pid: int | str = "self") -> float | None:
    """`key` (like b"VmHWM:") from /proc/PID/status, kB converted to MB."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None
