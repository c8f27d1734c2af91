"""Signals and liveness checks for server processes we started, by pid, never by name."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

POLL_INTERVAL_S = 0.05


def pid_is_ours(pid: int, marker: str) -> bool:
    """Whether `pid` is alive and (where /proc exists) its command line contains `marker`.

    The marker (the server's config path) guards against a pid reused by an unrelated process after
    ours died, which a state file written long ago could otherwise point us at.
    """
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.parent.exists():
        return True
    try:
        # A zombie has an empty command line: it is dead for our purposes.
        return marker in cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False


class ServerProcess:
    """A server process: our child (a Popen we can reap) or one found through the state file."""

    def __init__(self, pid: int, marker: str, popen: subprocess.Popen[bytes] | None = None) -> None:
        self.pid = pid
        self.marker = marker
        self._popen = popen

    def alive(self) -> bool:
        if self._popen is not None:
            return self._popen.poll() is None
        return pid_is_ours(self.pid, self.marker)

    def exit_code(self) -> int | None:
        return self._popen.poll() if self._popen is not None else None

    def signal(self, signum: int) -> None:
        if self.alive():
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def wait_gone(self, timeout_ms: int) -> bool:
        deadline = time.monotonic() + timeout_ms / 1000
        while self.alive():
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_INTERVAL_S)
        return True


def stop_all(processes: list[ServerProcess], term_timeout_ms: int, kill_timeout_ms: int = 5_000) -> list[int]:
    """SIGTERM everyone, wait, then SIGKILL whoever is left; returns pids that would not die."""
    for proc in processes:
        proc.signal(signal.SIGTERM)
    deadline = time.monotonic() + term_timeout_ms / 1000
    for proc in processes:
        proc.wait_gone(max(0, int((deadline - time.monotonic()) * 1000)))
    for proc in processes:
        proc.signal(signal.SIGKILL)
    return [proc.pid for proc in processes if not proc.wait_gone(kill_timeout_ms)]
