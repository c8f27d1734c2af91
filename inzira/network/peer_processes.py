"""Peer processes of a local network: start one (``python -m inzira.peer FOLDER``), find it, stop it.

A peer is known by its pid and, as a guard against reused pids, by its folder on its command line. Its
API address is in the run file it writes once it listens.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from inzira.json_files import read_json
from inzira.network.processes import ServerProcess, stop_all
from inzira.peer.config import LOG_FILE, RUN_FILE

STOP_TIMEOUT_MS_DEFAULT = 15_000
RUN_FILE_BYTES_MAX = 4_096
START_POLL_S = 0.05


class PeerProcessError(RuntimeError):
    """A peer process that would not start or stop."""


def spawn_peer(folder: Path) -> ServerProcess:
    """Start a peer on ``folder`` (which holds its peer.json), logging to its peer.log."""
    (folder / RUN_FILE).unlink(missing_ok=True)
    with (folder / LOG_FILE).open("ab") as out:
        popen = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "inzira.peer", str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C for the launcher must not reach the peers
        )
    return ServerProcess(popen.pid, str(folder), popen)


def attach_peer(folder: Path, pid: int) -> ServerProcess:
    return ServerProcess(pid, str(folder))


def read_api_url(folder: Path) -> str | None:
    """The API address the peer wrote once it listened, or None before that."""
    path = folder / RUN_FILE
    try:
        run = read_json(path, RUN_FILE_BYTES_MAX)
    except (OSError, ValueError):  # not written yet, or not one: no address yet
        return None
    url = run.get("api_url") if isinstance(run, dict) else None
    return url if isinstance(url, str) else None


def wait_api_url(folder: Path, proc: ServerProcess, timeout_ms: int) -> str:
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        url = read_api_url(folder)
        if url is not None:
            return url
        if not proc.alive():
            raise PeerProcessError(f"the peer in {folder} exited; see {folder / LOG_FILE}")
        time.sleep(START_POLL_S)
    raise PeerProcessError(f"the peer in {folder} did not listen within {timeout_ms} ms; see {folder / LOG_FILE}")


def kill_peer(proc: ServerProcess, timeout_ms: int = STOP_TIMEOUT_MS_DEFAULT) -> None:
    """SIGKILL: no clean shutdown, the lease is not released, whatever was in memory is lost."""
    proc.signal(signal.SIGKILL)
    if not proc.wait_gone(timeout_ms):
        raise PeerProcessError(f"peer pid {proc.pid} survived SIGKILL")


def stop_peers(procs: list[ServerProcess], timeout_ms: int = STOP_TIMEOUT_MS_DEFAULT) -> list[int]:
    """SIGTERM (the peer releases its lease and closes its store), SIGKILL after ``timeout_ms``; returns the
    pids that would not die."""
    return stop_all(procs, timeout_ms)
